/**
 * Interop (issue 23): Mailgun's official Node SDK — mailgun.js 14.0.1 with the `form-data`
 * package 4.0.6 — driven against @connect/mailgun/testing over a loopback socket. Whatever the
 * SDK sends must be answered as Mailgun would; a webhook body the fake signs must verify with
 * the same HMAC the SDK's users compute.
 *
 * SDK quirks worked around here:
 * - `events.get` logs a deprecation warning through `console.warn` (logs.list replaces it); the
 *   Events API is still what the contract and the fake serve.
 * - The SDK turns paging URLs into a bare token (`events`) or a `?page=…&address=…` query
 *   (suppressions) and rebuilds the request from it, so the fake's links must survive that.
 */
import { createHmac } from "node:crypto";
import { NOT_IMPLEMENTED_HEADER, serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { verifyMailgunSignature } from "@connect/mailgun";
import { createMailgunFake, type MailgunFake } from "@connect/mailgun/testing";
import FormData from "form-data";
import Mailgun from "mailgun.js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

let fake: MailgunFake;
let server: ServedHandlers;
let mg: ReturnType<Mailgun["client"]>;
const DOMAIN = "mg.acme.test";

beforeEach(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
  fake = createMailgunFake({ templates: ["draw-approved"], bounceAddresses: /@bounce\.test$/ });
  server = await serveHandlers(fake.handlers);
  mg = new Mailgun(FormData).client({ username: "api", key: fake.apiKey, url: server.url });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
});

/** The SDK's rejection: MailgunAPIError with `status` and `details` (the body's message, or the text). */
async function apiError(promise: Promise<unknown>): Promise<{ status: number; details: string; type: string }> {
  const error = await promise.then(
    () => {
      throw new Error("expected the SDK to reject");
    },
    (e: unknown) => e,
  );
  return error as { status: number; details: string; type: string };
}

describe("mailgun.js → fake: messages", () => {
  it("messages.create: multipart with repeated to/o:tag, booleans as yes/no, an attachment; the answer carries the fake's id", async () => {
    const result = await mg.messages.create(DOMAIN, {
      from: "Acme Lending <noreply@mg.acme.test>",
      to: ["ana@example.com", "Bo Builder <bo@example.com>"],
      subject: "Draw 3 approved",
      text: "Approved.",
      html: "<p>Approved.</p>",
      "o:tag": ["draw-approved", "tenant-t1"],
      "o:tracking": false,
      "v:draw_id": "draw_3",
      "h:Reply-To": "support@acme.test",
      attachment: [{ filename: "approval.pdf", data: Buffer.from("%PDF-1.4 approval"), contentType: "application/pdf" }],
    });

    const stored = fake.messages[0]!;
    expect(result).toMatchObject({ status: 200, id: stored.id, message: "Queued. Thank you." });
    expect(stored.fields).toMatchObject({
      to: ["ana@example.com", "Bo Builder <bo@example.com>"],
      "o:tag": ["draw-approved", "tenant-t1"],
      "o:tracking": ["no"],
      "v:draw_id": ["draw_3"],
      "h:Reply-To": ["support@acme.test"],
    });
    expect(stored.attachments.map((f) => [f.filename, f.contentType, f.content.toString()])).toEqual([["approval.pdf", "application/pdf", "%PDF-1.4 approval"]]);
    expect(stored.recipients).toEqual(["ana@example.com", "bo@example.com"]);
  });

  it("a template send with t:variables is accepted; an unknown template is the fake's 400", async () => {
    await mg.messages.create(DOMAIN, { from: "noreply@mg.acme.test", to: "ana@example.com", subject: "s", template: "draw-approved", "t:variables": JSON.stringify({ firstName: "Ana" }) });
    expect(fake.messages[0]!.fields["t:variables"]).toEqual(['{"firstName":"Ana"}']);

    const error = await apiError(mg.messages.create(DOMAIN, { from: "noreply@mg.acme.test", to: "ana@example.com", subject: "s", template: "missing" }));
    expect(error.status).toBe(400);
    expect(error.details).toBe("template not found: missing");
  });

  it("an invalid recipient is Mailgun's 400 text", async () => {
    const error = await apiError(mg.messages.create(DOMAIN, { from: "noreply@mg.acme.test", to: "not-an-address", subject: "s", text: "t" }));
    expect([error.type, error.status, error.details]).toEqual(["MailgunAPIError", 400, "to parameter is not a valid address. please check documentation"]);
  });

  it("a wrong key is 401 with the plain-text body Forbidden", async () => {
    const other = new Mailgun(FormData).client({ username: "api", key: "key-wrong", url: server.url });
    const error = await apiError(other.messages.create(DOMAIN, { from: "noreply@mg.acme.test", to: "ana@example.com", subject: "s", text: "t" }));
    expect([error.status, error.details]).toEqual([401, "Forbidden"]);
  });

  it("an endpoint the fake lacks answers core's 501", async () => {
    const error = await apiError(mg.domains.get(DOMAIN));
    expect(error.status).toBe(501);
    const raw = await fetch(`${server.url}/v4/domains/${DOMAIN}`, { headers: { authorization: `Basic ${Buffer.from(`api:${fake.apiKey}`).toString("base64")}` } });
    expect(raw.headers.get(NOT_IMPLEMENTED_HEADER)).toBe("@connect/mailgun/testing");
  });
});

describe("mailgun.js → fake: events", () => {
  it("events.get filters, and its page tokens (taken from paging.next) fetch the next page", async () => {
    for (const to of ["a@example.com", "b@example.com", "gone@bounce.test"]) await mg.messages.create(DOMAIN, { from: "noreply@mg.acme.test", to, subject: "s", text: "t" });

    const failed = await mg.events.get(DOMAIN, { event: "failed" });
    expect(failed.items.map((e) => [e.event, e.recipient, (e as { severity?: string }).severity])).toEqual([["failed", "gone@bounce.test", "permanent"]]);

    const first = await mg.events.get(DOMAIN, { ascending: "yes", limit: 4 });
    expect(first.items.map((e) => `${e.event}:${e.recipient}`)).toEqual(["accepted:a@example.com", "delivered:a@example.com", "accepted:b@example.com", "delivered:b@example.com"]);
    const second = await mg.events.get(DOMAIN, { page: first.pages.next!.page });
    expect(second.items.map((e) => `${e.event}:${e.recipient}`)).toEqual(["accepted:gone@bounce.test", "failed:gone@bounce.test"]);
    const end = await mg.events.get(DOMAIN, { page: second.pages.next!.page });
    expect(end.items).toEqual([]);
  });
});

describe("mailgun.js → fake: suppressions", () => {
  it("bounces: create (JSON array), list with page links, get, destroy", async () => {
    const created = await mg.suppressions.create(DOMAIN, "bounces", [{ address: "r1@example.com", code: 550, error: "no such user" }, { address: "r2@example.com" }, { address: "r3@example.com" }]);
    expect(created).toMatchObject({ status: 200, message: "3 addresses have been added to the bounces table" });

    const first = await mg.suppressions.list(DOMAIN, "bounces", { limit: 2 });
    expect(first.items.map((b) => (b as { address: string }).address)).toEqual(["r1@example.com", "r2@example.com"]);
    const next = await mg.suppressions.list(DOMAIN, "bounces", { page: first.pages.next!.page, limit: 2 });
    expect(next.items.map((b) => (b as { address: string }).address)).toEqual(["r3@example.com"]);

    const one = await mg.suppressions.get(DOMAIN, "bounces", "r1@example.com");
    expect(one).toMatchObject({ address: "r1@example.com", error: "no such user" });
    const removed = await mg.suppressions.destroy(DOMAIN, "bounces", "r1@example.com");
    expect(removed).toMatchObject({ message: "Bounced address has been removed", address: "r1@example.com" });
    expect((await apiError(mg.suppressions.get(DOMAIN, "bounces", "r1@example.com"))).details).toBe("Address not found in bounces table");
  });

  it("one unsubscribe with a tag goes as a multipart form and is stored", async () => {
    const created = await mg.suppressions.create(DOMAIN, "unsubscribes", { address: "ana@example.com", tag: "newsletter" });
    expect(created).toMatchObject({ status: 200, message: "Address has been added to the unsubscribes table" });
    expect(fake.domain().unsubscribes).toEqual([{ address: "ana@example.com", tags: ["newsletter"], created_at: expect.any(String) }]);
  });
});

describe("webhook signatures", () => {
  it("a body the fake signs verifies with the HMAC Mailgun documents, and with verifyMailgunSignature", async () => {
    await mg.messages.create(DOMAIN, { from: "noreply@mg.acme.test", to: "ana@example.com", subject: "s", text: "t" });
    const body = fake.webhookBody(fake.domain().events[1]!) as { signature: { timestamp: string; token: string; signature: string } };
    const { timestamp, token, signature } = body.signature;
    expect(createHmac("sha256", fake.signingKey).update(timestamp + token).digest("hex")).toBe(signature);
    expect(token).toMatch(/^[0-9a-f]{50}$/);
    expect(verifyMailgunSignature({ timestamp, token, signature, signingKey: fake.signingKey })).toBe(true);
  });
});

import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { createSendGridFake, type SendGridFake } from "@connect/sendgrid/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// The fake refuses what SendGrid refuses (shared/vendors/sendgrid.md §3 "400s worth mocking"),
// independently of the client's own validation, so raw requests are sent here.
let fake: SendGridFake;
let server: ServedHandlers;
beforeEach(async () => {
  fake = createSendGridFake();
  server = await serveHandlers(fake.handlers);
});
afterEach(async () => {
  await server.close();
});

const valid = () => ({ personalizations: [{ to: [{ email: "ana@example.com" }] }], from: { email: "noreply@acme.test" }, subject: "Hi", content: [{ type: "text/plain", value: "x" }] });

async function post(body: unknown, key = fake.apiKey) {
  const response = await fetch(`${server.url}/v3/mail/send`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as { errors?: Array<{ field: string | null; message: string }> }) : undefined };
}

describe("SendGrid fake: mail/send", () => {
  it("accepts a valid message with 202, an X-Message-Id and rate-limit headers, and records it", async () => {
    const result = await post(valid());
    expect(result.status).toBe(202);
    expect(result.body).toBeUndefined();
    expect(result.headers.get("x-message-id")).toBe(fake.sends[0]!.messageId);
    expect(result.headers.get("x-ratelimit-limit")).toBe("600");
    expect(fake.sends[0]!.body).toEqual(valid());
  });

  it.each([
    ["missing personalizations", { ...valid(), personalizations: undefined }, "personalizations"],
    ["an invalid from.email", { ...valid(), from: { email: "noreply" } }, "from.email"],
    ["non-base64 attachment content", { ...valid(), attachments: [{ content: "%%%", filename: "a.pdf" }] }, "attachments.0.content"],
    ["reply_to with reply_to_list", { ...valid(), reply_to: { email: "a@acme.test" }, reply_to_list: [{ email: "b@acme.test" }] }, "reply_to"],
    ["1001 personalizations", { ...valid(), personalizations: Array.from({ length: 1001 }, (_, i) => ({ to: [{ email: `r${i}@example.com` }] })) }, "personalizations"],
    ["an invalid recipient", { ...valid(), personalizations: [{ to: [{ email: "nope" }] }] }, "personalizations.0.to.0.email"],
  ])("refuses %s with 400 and the field in errors[]", async (_name, body, field) => {
    const result = await post(body);
    expect(result.status).toBe(400);
    expect(result.body!.errors!.map((e) => e.field)).toContain(field);
    expect(fake.sends).toHaveLength(0);
  });

  it("refuses a wrong key with 401 authorization required", async () => {
    const result = await post(valid(), "SG.nope.nope");
    expect(result.status).toBe(401);
    expect(result.body).toEqual({ errors: [{ field: null, message: "authorization required" }] });
  });

  it("validates in sandbox mode with 200 and records nothing as sent", async () => {
    const result = await post({ ...valid(), mail_settings: { sandbox_mode: { enable: true } } });
    expect(result.status).toBe(200);
    expect(fake.sends).toHaveLength(0);
    expect(fake.sandboxSends).toHaveLength(1);
  });

  it("rate-limits on demand with 429, too many requests and X-RateLimit-Reset", async () => {
    fake.rateLimitNext({ resetAt: 1_900_000_000 });
    const result = await post(valid());
    expect(result.status).toBe(429);
    expect(result.body).toEqual({ errors: [{ field: null, message: "too many requests" }] });
    expect(result.headers.get("x-ratelimit-reset")).toBe("1900000000");
    expect(result.headers.get("x-ratelimit-remaining")).toBe("0");
    expect((await post(valid())).status).toBe(202);
  });
});

describe("SendGrid fake: suppressions and events", () => {
  it("has no DELETE on /v3/suppression/unsubscribes", async () => {
    const response = await fetch(`${server.url}/v3/suppression/unsubscribes`, { method: "DELETE", headers: { authorization: `Bearer ${fake.apiKey}` }, body: JSON.stringify({ delete_all: true }) });
    expect(response.status).toBe(404);
  });

  it("builds events correlated to the send, and records bounces, blocks, spam reports and unsubscribes", async () => {
    await post({ ...valid(), personalizations: [{ to: [{ email: "a@example.com" }], custom_args: { x_doc: "d1" } }], custom_args: { x_tenant_id: "t1" } });
    const send = fake.sends[0]!;
    const events = fake.eventsFor(send, ["bounce", { event: "bounce", type: "blocked", email: "b@example.com" }, "spamreport", "unsubscribe"]);

    expect(events[0]).toMatchObject({ event: "bounce", email: "a@example.com", x_tenant_id: "t1", x_doc: "d1", type: "bounce", status: "5.1.1" });
    expect(String(events[0]!.sg_message_id).startsWith(`${send.messageId}.`)).toBe(true);
    expect(new Set(events.map((e) => e.sg_event_id)).size).toBe(4);
    expect(fake.suppressions.bounces.map((r) => r.email)).toEqual(["a@example.com"]);
    expect(fake.suppressions.blocks.map((r) => r.email)).toEqual(["b@example.com"]);
    expect(fake.suppressions.spamReports.map((r) => r.email)).toEqual(["a@example.com"]);
    expect(fake.suppressions.unsubscribes.map((r) => r.email)).toEqual(["a@example.com"]);
  });
});

import { NotFoundError, RateLimitedError, ServerError, UnknownOutcomeError, ValidationError } from "@connect/core";
import { describe, expect, it } from "vitest";
import { SesSendRefusedError } from "../../src/index.js";
import { callsOf, rejection, useSes } from "../helpers.js";

const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ to: `r${i}@example.com`, data: { name: `R${i}` } }));

describe("emails.sendBulk", () => {
  const t = useSes({ configurationSets: ["bulk"] });

  it("sends one templated request with per-entry data, tags and headers; one result per entry in order", async () => {
    const out = await t.client.emails.sendBulk({
      from: "Acme <noreply@acme.test>",
      template: { name: "draw-approved", data: { draw: 3 } },
      tags: { campaign: "draws" },
      configurationSetName: "bulk",
      entries: [
        { to: "ana@example.com", data: { name: "Ana" }, tags: { tenant_id: "t_1" } },
        { to: ["bo@example.com"], cc: "cc@example.com", data: { name: "Bo" }, headers: { "X-Entry": "2" } },
      ],
    });
    expect(out).toMatchObject({ sent: 2, failed: 0, requests: 1 });
    expect(out.results.map((r) => [r.index, r.ok, r.status])).toEqual([
      [0, true, "SUCCESS"],
      [1, true, "SUCCESS"],
    ]);
    const [call] = callsOf(t.fake, "SendBulkEmail");
    expect(call!.body).toEqual({
      FromEmailAddress: "Acme <noreply@acme.test>",
      DefaultContent: { Template: { TemplateName: "draw-approved", TemplateData: '{"draw":3}' } },
      DefaultEmailTags: [{ Name: "campaign", Value: "draws" }],
      BulkEmailEntries: [
        { Destination: { ToAddresses: ["ana@example.com"] }, ReplacementTags: [{ Name: "tenant_id", Value: "t_1" }], ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: '{"name":"Ana"}' } } },
        { Destination: { ToAddresses: ["bo@example.com"], CcAddresses: ["cc@example.com"] }, ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: '{"name":"Bo"}' } }, ReplacementHeaders: [{ Name: "X-Entry", Value: "2" }] },
      ],
      ConfigurationSetName: "bulk",
    });
    expect(t.fake.sent.map((s) => [s.to, s.subject, s.text, s.tags])).toEqual([
      [["ana@example.com"], "Draw 3 approved", "Hello Ana, draw 3 is approved.", { campaign: "draws", tenant_id: "t_1" }],
      [["bo@example.com"], "Draw 3 approved", "Hello Bo, draw 3 is approved.", { campaign: "draws" }],
    ]);
    expect(out.results.filter((r) => r.ok).map((r) => (r.ok ? r.messageId : ""))).toEqual(t.fake.sent.map((s) => s.messageId));
  });

  it("a failed entry never drops the others: each failure is typed, the rest are sent", async () => {
    t.fake.failNextEntries("TRANSIENT_FAILURE");
    t.fake.account.productionAccessEnabled = false;
    t.fake.verifyIdentity("ok@example.com");
    const out = await t.client.emails.sendBulk({ from: "noreply@acme.test", template: { name: "draw-approved" }, entries: [{ to: "ok@example.com" }, { to: "ok@example.com" }, { to: "stranger@example.com" }, { to: "success@simulator.amazonses.com" }] });
    expect(out.results.map((r) => [r.index, r.status])).toEqual([
      [0, "TRANSIENT_FAILURE"],
      [1, "SUCCESS"],
      [2, "MESSAGE_REJECTED"],
      [3, "SUCCESS"],
    ]);
    const [transient, , rejected] = out.results;
    expect(!transient!.ok && transient!.error).toBeInstanceOf(ServerError);
    expect(!transient!.ok && transient!.error).toMatchObject({ retryable: true, vendorCode: "TRANSIENT_FAILURE", mayHaveReachedVendor: false });
    expect(!rejected!.ok && rejected!.error).toBeInstanceOf(SesSendRefusedError);
    expect(!rejected!.ok && rejected!.error).toMatchObject({ reason: "message_rejected", retryable: false });
    expect(out).toMatchObject({ sent: 2, failed: 2 });
    expect(t.fake.sent).toHaveLength(2);
  });

  it("maps throttled and quota statuses to RateLimitedError (only the throttled one retryable)", async () => {
    t.fake.failNextEntries("ACCOUNT_THROTTLED", "ACCOUNT_DAILY_QUOTA_EXCEEDED");
    const out = await t.client.emails.sendBulk({ from: "noreply@acme.test", template: { name: "draw-approved" }, entries: entries(3) });
    const errors = out.results.map((r) => (r.ok ? undefined : r.error));
    expect(errors[0]).toBeInstanceOf(RateLimitedError);
    expect(errors[1]).toBeInstanceOf(RateLimitedError);
    expect([errors[0]?.retryable, errors[1]?.retryable, errors[2]]).toEqual([true, false, undefined]);
  });

  it("splits 120 entries into requests of 50, and a request that fails only fails its own entries", async () => {
    // The second request answers 500: its outcome is unknown, it is not retried, the third still goes.
    t.fake.failNext("SendBulkEmail", { code: "InternalServiceErrorException", status: 500 });
    const out = await (async () => {
      const pending = t.client.emails.sendBulk({ from: "noreply@acme.test", template: { name: "draw-approved" }, entries: entries(120) });
      return pending;
    })();
    const sizes = callsOf(t.fake, "SendBulkEmail").map((c) => (c.body!.BulkEmailEntries as unknown[]).length);
    expect(sizes).toEqual([50, 50, 20]);
    expect(out.requests).toBe(3);
    const failed = out.results.filter((r) => !r.ok);
    expect(failed.map((r) => r.index)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(failed.every((r) => !r.ok && r.error instanceof UnknownOutcomeError && r.status === "REQUEST_FAILED")).toBe(true);
    expect(out).toMatchObject({ sent: 70, failed: 50 });
    expect(out.results.map((r) => r.index)).toEqual(Array.from({ length: 120 }, (_, i) => i));
  });

  it("checks every entry before the first request: one bad entry sends nothing", async () => {
    const bad = [...entries(60), { to: Array.from({ length: 51 }, (_, i) => `x${i}@example.com`) }];
    const error = await rejection(t.client.emails.sendBulk({ from: "noreply@acme.test", template: { name: "draw-approved" }, entries: bad }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]).toMatchObject({ path: "entries.60.to" });
    expect(t.fake.calls).toEqual([]);
  });

  it("an unknown template fails every entry with NotFoundError", async () => {
    const out = await t.client.emails.sendBulk({ from: "noreply@acme.test", template: { name: "nope" }, entries: entries(2) });
    expect(out.results.map((r) => !r.ok && r.error instanceof NotFoundError)).toEqual([true, true]);
    expect(out.results.map((r) => !r.ok && r.error.vendorCode)).toEqual(["NotFoundException", "NotFoundException"]);
  });
});

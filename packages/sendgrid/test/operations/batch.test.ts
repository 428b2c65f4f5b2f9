import { createMemoryIdempotencyStore, UnknownOutcomeError, ValidationError } from "@connect/core";
import { createSendGridClient } from "@connect/sendgrid";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bodiesTo, FAST_POLICY, setup, TEMPLATE_ID, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

const recipients = (n: number) => Array.from({ length: n }, (_, i) => ({ to: [{ email: `owner${i}@example.com` }], dynamic_template_data: { n: i } }));
const batch = (n: number, extra: Record<string, unknown> = {}) => ({
  from: { email: "noreply@acme.test" },
  template_id: TEMPLATE_ID,
  categories: ["inspection-scheduled"],
  personalizations: recipients(n),
  ...extra,
});

type Body = { personalizations: Array<{ to: Array<{ email: string }> }>; template_id: string };
const emailsOf = (bodies: unknown[]) => (bodies as Body[]).flatMap((b) => b.personalizations.map((p) => p.to[0]!.email));
const sentEmails = (h: Harness) => h.fake.sends.flatMap((s) => s.body.personalizations.map((p) => p.to[0]!.email));

describe("mail.sendBatch", () => {
  it("splits 2,500 recipients into 3 requests of 1000, 1000 and 500 personalizations", async () => {
    const result = await h.client.mail.sendBatch(batch(2500));

    const bodies = bodiesTo(h.server, "/v3/mail/send") as Body[];
    expect(bodies.map((b) => b.personalizations.length)).toEqual([1000, 1000, 500]);
    expect(bodies.every((b) => b.template_id === TEMPLATE_ID)).toBe(true);
    expect(emailsOf(bodies)).toEqual(recipients(2500).map((p) => p.to[0]!.email));
    expect(result).toEqual({
      totalChunks: 3,
      sent: 3,
      failed: 0,
      failedChunks: [],
      notAttempted: [],
      chunks: [
        { index: 0, firstPersonalization: 0, personalizations: 1000, recipients: 1000, status: "sent", messageId: h.fake.sends[0]!.messageId, sandbox: false },
        { index: 1, firstPersonalization: 1000, personalizations: 1000, recipients: 1000, status: "sent", messageId: h.fake.sends[1]!.messageId, sandbox: false },
        { index: 2, firstPersonalization: 2000, personalizations: 500, recipients: 500, status: "sent", messageId: h.fake.sends[2]!.messageId, sandbox: false },
      ],
    });
  });

  it("also caps recipients (to + cc + bcc) at 1000 per request", async () => {
    const personalizations = Array.from({ length: 700 }, (_, i) => ({ to: [{ email: `t${i}@x.test` }], cc: [{ email: `c${i}@x.test` }], bcc: [{ email: `b${i}@x.test` }] }));
    const result = await h.client.mail.sendBatch(batch(0, { personalizations }));

    expect(result.chunks.map((c) => [c.personalizations, c.recipients])).toEqual([
      [333, 999],
      [333, 999],
      [34, 102],
    ]);
    expect(h.fake.sends).toHaveLength(3);
  });

  it("honours a smaller chunkSize", async () => {
    const result = await h.client.mail.sendBatch(batch(25, { chunkSize: 10 }));
    expect(result.chunks.map((c) => c.personalizations)).toEqual([10, 10, 5]);
  });

  it("validates the whole batch before sending anything", async () => {
    const personalizations = recipients(2500);
    personalizations[1700] = { to: [{ email: "broken-address" }], dynamic_template_data: { n: 1700 } };
    const error = await h.client.mail.sendBatch(batch(0, { personalizations })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).operation).toBe("mail.sendBatch");
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(["personalizations.1700.to.0.email"]);
    expect(h.server.requests).toHaveLength(0);
  });

  it("rejects onlyChunks outside the batch before sending anything", async () => {
    const error = await h.client.mail.sendBatch(batch(1500, { onlyChunks: [2] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: "onlyChunks", message: "the batch has 2 chunks" }]);
    expect(h.server.requests).toHaveLength(0);
  });

  it("a 5xx on chunk 2 of 3 is reported as an unknown outcome; chunks 1 and 3 are sent once, and a re-send of chunk 2 sends only chunk 2", async () => {
    // Let chunk 1 through, then fail the next mail send once.
    let sends = 0;
    const { http, HttpResponse } = await import("msw");
    h.server.use(
      http.post("*/v3/mail/send", () => {
        sends += 1;
        return sends === 2 ? HttpResponse.json({ errors: [{ field: null, message: "internal error" }] }, { status: 500 }) : undefined;
      }),
    );
    const first = await h.client.mail.sendBatch(batch(2500));

    expect(first.failedChunks).toEqual([1]);
    expect(first.sent).toBe(2);
    const failed = first.chunks[1]!;
    expect(failed.status).toBe("failed");
    expect(failed.error).toBeInstanceOf(UnknownOutcomeError);
    expect(failed.error!.status).toBe(500);
    expect(failed.error!.attempts).toBe(1);
    expect(h.server.requests).toHaveLength(3);
    expect(h.fake.sends.map((s) => s.body.personalizations.length)).toEqual([1000, 500]);

    const retry = await h.client.mail.sendBatch({ ...batch(2500), onlyChunks: first.failedChunks });

    expect(retry.chunks.map((c) => [c.index, c.status])).toEqual([[1, "sent"]]);
    expect(retry.totalChunks).toBe(3);
    expect(h.server.requests).toHaveLength(4);
    expect(emailsOf([JSON.parse(h.server.requests[3]!.text)])).toEqual(recipients(2500).slice(1000, 2000).map((p) => p.to[0]!.email));
    expect(sentEmails(h).sort()).toEqual(recipients(2500).map((p) => p.to[0]!.email).sort());
  });

  it("with unsafeRetryAmbiguousFailures a 5xx on chunk 2 is retried inside the batch without re-sending chunks 1 and 3", async () => {
    const client = createSendGridClient({ apiKey: h.fake.apiKey, baseUrl: h.server.url, policy: FAST_POLICY, unsafeRetryAmbiguousFailures: true });
    let sends = 0;
    const { http, HttpResponse } = await import("msw");
    h.server.use(
      http.post("*/v3/mail/send", () => {
        sends += 1;
        return sends === 2 ? HttpResponse.json({ errors: [{ field: null, message: "service unavailable" }] }, { status: 503 }) : undefined;
      }),
    );
    const result = await client.mail.sendBatch(batch(2500));
    await client.close();

    expect(result.sent).toBe(3);
    const bodies = bodiesTo(h.server, "/v3/mail/send") as Body[];
    expect(bodies.map((b) => b.personalizations[0]!.to[0]!.email)).toEqual(["owner0@example.com", "owner1000@example.com", "owner1000@example.com", "owner2000@example.com"]);
    expect(sentEmails(h).sort()).toEqual(recipients(2500).map((p) => p.to[0]!.email).sort());
  });

  it("a 429 on chunk 2 is retried after X-RateLimit-Reset without re-sending the other chunks", async () => {
    const nowMs = 1_800_000_000_000;
    const client = createSendGridClient({ apiKey: h.fake.apiKey, baseUrl: h.server.url, policy: FAST_POLICY, now: () => nowMs });
    let sends = 0;
    const { http, HttpResponse } = await import("msw");
    h.server.use(
      http.post("*/v3/mail/send", () => {
        sends += 1;
        return sends === 2
          ? HttpResponse.json({ errors: [{ field: null, message: "too many requests" }] }, { status: 429, headers: { "x-ratelimit-reset": String(nowMs / 1000) } })
          : undefined;
      }),
    );
    const result = await client.mail.sendBatch(batch(2500));
    await client.close();

    expect(result.sent).toBe(3);
    expect(h.server.requests).toHaveLength(4);
    expect(h.fake.sends.map((s) => s.body.personalizations[0]!.to[0]!.email)).toEqual(["owner0@example.com", "owner1000@example.com", "owner2000@example.com"]);
  });

  it("stops at an abort: the chunk in flight fails, later chunks are listed as not attempted", async () => {
    const controller = new AbortController();
    const { http } = await import("msw");
    let sends = 0;
    h.server.use(
      http.post("*/v3/mail/send", () => {
        sends += 1;
        if (sends === 2) controller.abort(new Error("shutting down"));
        return undefined;
      }),
    );
    const result = await h.client.mail.sendBatch(batch(3500), { signal: controller.signal });

    expect(result.chunks.map((c) => [c.index, c.status])).toEqual([
      [0, "sent"],
      [1, "failed"],
    ]);
    expect(result.notAttempted).toEqual([2, 3]);
    expect(h.server.requests).toHaveLength(2);
  });

  it("rejects a personalization with more than 1000 recipients and a batch whose requests would exceed 30 MB, before any I/O", async () => {
    const wide = { to: Array.from({ length: 1001 }, (_, i) => ({ email: `w${i}@example.com` })) };
    const tooWide = await h.client.mail.sendBatch(batch(0, { personalizations: [wide] })).catch((e: unknown) => e);
    const tooBig = await h.client.mail.sendBatch(batch(3, { attachments: [{ content: "A".repeat(31 * 1024 * 1024), filename: "plans.pdf" }] })).catch((e: unknown) => e);

    expect((tooWide as ValidationError).issues.map((i) => i.path)).toEqual(["personalizations.0"]);
    expect((tooBig as ValidationError).issues.map((i) => i.path)).toEqual(["attachments"]);
    expect(h.server.requests).toHaveLength(0);
  });

  it("with an idempotency store, re-running the whole batch under the same key re-sends only the chunk that provably failed", async () => {
    const client = createSendGridClient({ apiKey: h.fake.apiKey, baseUrl: h.server.url, policy: FAST_POLICY, idempotencyStore: createMemoryIdempotencyStore() });
    let sends = 0;
    const { http, HttpResponse } = await import("msw");
    h.server.use(
      http.post("*/v3/mail/send", () => {
        sends += 1;
        // Chunk 1 is refused with 429 on each of its three attempts: nothing was sent.
        return sends >= 2 && sends <= 4 ? HttpResponse.json({ errors: [{ field: null, message: "too many requests" }] }, { status: 429, headers: { "x-ratelimit-reset": "0" } }) : undefined;
      }),
    );
    const first = await client.mail.sendBatch(batch(2500), { idempotencyKey: "inspection-2026-11-24" });
    const again = await client.mail.sendBatch(batch(2500), { idempotencyKey: "inspection-2026-11-24" });
    await client.close();

    expect(first.failedChunks).toEqual([1]);
    expect(first.chunks[1]!.error?.name).toBe("RateLimitedError");
    expect(again.failedChunks).toEqual([]);
    // Chunks 0 and 2 come back from the store with their original message ids; only chunk 1 is sent again.
    expect(again.chunks.map((c) => c.messageId)).toEqual([first.chunks[0]!.messageId, h.fake.sends[2]!.messageId, first.chunks[2]!.messageId]);
    expect(h.server.requests).toHaveLength(6);
    expect(sentEmails(h).sort()).toEqual(recipients(2500).map((p) => p.to[0]!.email).sort());
  });

  it("issue 15: a chunk whose outcome is unknown (500) is not re-sent under the same key; after checking, a new key sends it", async () => {
    const client = createSendGridClient({ apiKey: h.fake.apiKey, baseUrl: h.server.url, policy: FAST_POLICY, idempotencyStore: createMemoryIdempotencyStore() });
    let sends = 0;
    const { http, HttpResponse } = await import("msw");
    h.server.use(
      http.post("*/v3/mail/send", () => {
        sends += 1;
        return sends === 2 ? HttpResponse.json({ errors: [{ field: null, message: "internal error" }] }, { status: 500 }) : undefined;
      }),
    );
    const first = await client.mail.sendBatch(batch(2500), { idempotencyKey: "inspection-2026-11-24" });
    const again = await client.mail.sendBatch(batch(2500), { idempotencyKey: "inspection-2026-11-24" });
    const requestsAfterRerun = h.server.requests.length;
    const resent = await client.mail.sendBatch(batch(2500, { onlyChunks: [1] }), { idempotencyKey: "inspection-2026-11-24-recheck" });
    await client.close();

    expect(first.failedChunks).toEqual([1]);
    expect(again.failedChunks).toEqual([1]);
    expect(again.chunks[1]!.error).toBeInstanceOf(UnknownOutcomeError);
    expect(again.chunks[1]!.error?.message).toContain("an earlier call with this idempotency key may have reached sendgrid");
    // The re-run sent nothing: chunks 0 and 2 came from the store, chunk 1 was refused without a request.
    expect(requestsAfterRerun).toBe(3);
    expect(resent).toMatchObject({ sent: 1, failed: 0, failedChunks: [] });
    expect(h.server.requests).toHaveLength(4);
  });

  it("gives each chunk its own idempotency key derived from the caller's", async () => {
    const seen: Array<string | undefined> = [];
    const send = h.client.mail.send;
    const { sendBatch } = await import("../../src/operations/mail.js");
    await sendBatch(batch(1500), { idempotencyKey: "draws-2026-11-24" }, async (input, ctx) => {
      seen.push(ctx.idempotencyKey);
      return send(input, ctx);
    }, "sendgrid");
    expect(seen).toEqual(["draws-2026-11-24:chunk-0", "draws-2026-11-24:chunk-1"]);
  });
});

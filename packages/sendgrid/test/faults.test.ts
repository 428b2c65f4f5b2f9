import { createMemoryDeadLetterSink, NetworkError, RateLimitedError, ServerError, UnknownOutcomeError } from "@connect/core";
import { classifySendGridError, createSendGridClient } from "@connect/sendgrid";
import { createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { drawApproved, FAST_POLICY, setup, type Harness } from "./helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

const NOW = 1_800_000_000_000;

describe("rate limits", () => {
  it("turns X-RateLimit-Reset into RateLimitedError.retryAfterMs", () => {
    const error = classifySendGridError(
      { status: 429, headers: { "x-ratelimit-reset": String(NOW / 1000 + 3) }, body: { errors: [{ field: null, message: "too many requests" }] }, requestId: undefined },
      { now: () => NOW },
    );
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(3000);
    expect(error.mayHaveReachedVendor).toBe(false);
    expect(error.retryable).toBe(true);
    expect(error.vendorMessage).toBe("too many requests");
  });

  it("prefers Retry-After when SendGrid sends one, and a reset in the past waits 0", () => {
    const withRetryAfter = classifySendGridError({ status: 429, headers: { "retry-after": "2", "x-ratelimit-reset": String(NOW / 1000 + 30) }, body: undefined, requestId: undefined }, { now: () => NOW });
    const past = classifySendGridError({ status: 429, headers: { "x-ratelimit-reset": String(NOW / 1000 - 5) }, body: undefined, requestId: undefined }, { now: () => NOW });
    expect((withRetryAfter as RateLimitedError).retryAfterMs).toBe(2000);
    expect((past as RateLimitedError).retryAfterMs).toBe(0);
  });

  it("429 with X-RateLimit-Reset waits for the reset and then succeeds (mail.send is retried: a 429 never sent the email)", async () => {
    const resetAt = NOW / 1000 + 1;
    // The clock sits 40 ms before the reset, so the client must wait 40 ms.
    const client = createSendGridClient({ apiKey: h.fake.apiKey, baseUrl: h.server.url, policy: FAST_POLICY, now: () => resetAt * 1000 - 40 });
    h.fake.rateLimitNext({ resetAt, path: "/v3/mail/send" });
    const started = performance.now();
    const result = await client.mail.send(drawApproved());
    const elapsed = performance.now() - started;
    await client.close();

    expect(elapsed).toBeGreaterThanOrEqual(38);
    expect(h.server.requests).toHaveLength(2);
    expect(h.fake.sends).toHaveLength(1);
    expect(result).toEqual({ messageId: h.fake.sends[0]!.messageId, sandbox: false, status: 202 });
  });

  it("a reset further away than maxRetryAfterMs fails at once with the wait in the error", async () => {
    const client = createSendGridClient({ apiKey: h.fake.apiKey, baseUrl: h.server.url, policy: { ...FAST_POLICY, retry: { ...FAST_POLICY.retry, maxRetryAfterMs: 1000 } }, now: () => NOW });
    h.fake.rateLimitNext({ resetAt: NOW / 1000 + 120 });
    const error = await client.mail.send(drawApproved()).catch((e: unknown) => e);
    await client.close();

    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(120_000);
    expect((error as RateLimitedError).attempts).toBe(1);
    expect(h.server.requests).toHaveLength(1);
  });
});

describe("server errors", () => {
  it("idempotent reads retry 503, 503 and succeed on the third attempt", async () => {
    h.fake.failNext({ status: 503, times: 2, path: "/v3/suppression/bounces" });
    const rows = await h.client.bounces.list();
    expect(rows).toEqual([]);
    expect(h.server.requests).toHaveLength(3);
  });

  it("endless 5xx on a read ends in ServerError with the attempt count", async () => {
    h.fake.failNext({ status: 502, times: 10, path: "/v3/suppression/blocks" });
    const error = await h.client.blocks.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).attempts).toBe(3);
    expect(h.server.requests).toHaveLength(3);
  });

  it("a timeout on mail.send is an unknown outcome, not a second email", async () => {
    const { http, HttpResponse } = await import("msw");
    h.server.use(http.post("*/v3/mail/send", async () => {
      await new Promise((r) => setTimeout(r, 200));
      return HttpResponse.json({}, { status: 202 });
    }));
    const client = createSendGridClient({ apiKey: h.fake.apiKey, baseUrl: h.server.url, policy: { ...FAST_POLICY, timeout: { attemptMs: 30 } } });
    const error = await client.mail.send(drawApproved()).catch((e: unknown) => e);
    await client.close();

    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(h.server.requests).toHaveLength(1);
  });
});

describe("network errors", () => {
  it("a refused connection provably never sent the email, so mail.send retries and then reports NetworkError", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const address = probe.address() as { port: number };
        probe.close(() => resolve(address.port));
      });
    });
    const client = createSendGridClient({ apiKey: "SG.refused-key.refused-secret", baseUrl: `http://127.0.0.1:${port}`, policy: FAST_POLICY });
    const error = await client.mail.send(drawApproved()).catch((e: unknown) => e);
    await client.close();

    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe("ECONNREFUSED");
    expect((error as NetworkError).attempts).toBe(3);
  });
});

describe("secrets", () => {
  it("the API key from a SecretProvider never reaches errors, log lines or dead letters", async () => {
    const key = "k3y-from-vault-0123456789";
    const lines: unknown[] = [];
    const log = (obj: Record<string, unknown>, msg?: string) => lines.push({ obj, msg });
    const deadLetters = createMemoryDeadLetterSink();
    const client = createSendGridClient({
      apiKey: { get: async () => key },
      baseUrl: h.server.url,
      policy: FAST_POLICY,
      telemetry: { logger: { debug: log, info: log, warn: log, error: log } },
      deadLetters,
    });
    // A 503 whose body echoes the key (the override answers before the fake's auth gate).
    const { http, HttpResponse } = await import("msw");
    h.server.use(http.post("*/v3/mail/send", () => HttpResponse.json({ errors: [{ field: null, message: `echo ${key}` }] }, { status: 503 })));
    const error = await client.mail.send(drawApproved()).catch((e: unknown) => e);
    await client.close();

    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(h.server.requests[0]!.headers.authorization).toBe(`Bearer ${key}`);
    const letters = await deadLetters.list();
    expect(letters).toHaveLength(1);
    expect(lines.length).toBeGreaterThan(0);
    for (const text of [JSON.stringify((error as UnknownOutcomeError).toJSON()), (error as Error).message, JSON.stringify(lines), JSON.stringify(letters)]) {
      expect(text).not.toContain(key);
    }
    expect(JSON.stringify((error as UnknownOutcomeError).toJSON())).toContain("[REDACTED]");
  });
});

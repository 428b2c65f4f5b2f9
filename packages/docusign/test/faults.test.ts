import { AuthError, CircuitOpenError, createMemoryDeadLetterSink, ForbiddenError, RateLimitedError, ServerError, ValidationError, type HttpResponse } from "@connect/core";
import { classifyDocuSignError } from "@connect/docusign";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FAST_POLICY, loanEnvelope, rejection, requestsTo, setup, type Harness } from "./helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

const NOW = Date.UTC(2026, 5, 1, 10, 20, 0);
const response = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({ status, headers, body, requestId: "trace-1" });

describe("classifyDocuSignError: by errorCode, not status", () => {
  it("HOURLY_APIINVOCATION_LIMIT_EXCEEDED (HTTP 400) is a RateLimitedError waiting until X-RateLimit-Reset", () => {
    const error = classifyDocuSignError(response(400, { errorCode: "HOURLY_APIINVOCATION_LIMIT_EXCEEDED", message: "The maximum number of hourly API invocations has been exceeded." }, { "x-ratelimit-reset": String(NOW / 1000 + 90) }), { now: () => NOW, operation: "envelopes.get" });
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(90_000);
    expect(error.retryable).toBe(true);
    expect(error.mayHaveReachedVendor).toBe(false);
    expect(error.status).toBe(400);
    expect(error.requestId).toBe("trace-1");
  });

  it("without a reset header, the hourly limit waits until the top of the next hour", () => {
    const error = classifyDocuSignError(response(400, { errorCode: "HOURLY_APIINVOCATION_LIMIT_EXCEEDED" }), { now: () => NOW });
    expect((error as RateLimitedError).retryAfterMs).toBe(40 * 60_000);
  });

  it("per-envelope polling codes are matched case-insensitively; burst codes wait 30 s", () => {
    const hourly = classifyDocuSignError(response(400, { errorCode: "Hourly_Envelope_Polling_Limit_Exceeded" }, { "x-ratelimit-reset": String(NOW / 1000 + 5) }), { now: () => NOW });
    const burst = classifyDocuSignError(response(400, { errorCode: "Burst_Envelope_Polling_Limit_Exceeded" }), { now: () => NOW });
    expect(hourly).toBeInstanceOf(RateLimitedError);
    expect((hourly as RateLimitedError).retryAfterMs).toBe(5_000);
    expect(burst).toBeInstanceOf(RateLimitedError);
    expect((burst as RateLimitedError).retryAfterMs).toBe(30_000);
  });

  it.each([
    [400, "USER_LACKS_PERMISSIONS", "ForbiddenError", ForbiddenError],
    [400, "USER_DOES_NOT_BELONG_TO_SPECIFIED_ACCOUNT", "ForbiddenError", ForbiddenError],
    [401, "USER_AUTHENTICATION_FAILED", "AuthError", AuthError],
    [400, "UNSPECIFIED_ERROR", "ServerError", ServerError],
    [400, "INVALID_REQUEST_BODY", "ValidationError", ValidationError],
    [429, undefined, "RateLimitedError", RateLimitedError],
    [503, undefined, "ServerError", ServerError],
  ])("HTTP %s %s → %s", (status, errorCode, _name, type) => {
    const error = classifyDocuSignError(response(status, errorCode ? { errorCode, message: "m" } : undefined), { now: () => NOW });
    expect(error).toBeInstanceOf(type);
    expect(error.vendorCode).toBe(errorCode);
  });

  it("UNSPECIFIED_ERROR is retryable (server side)", () => {
    expect(classifyDocuSignError(response(400, { errorCode: "UNSPECIFIED_ERROR" })).retryable).toBe(true);
  });
});

describe("rate limits end to end", () => {
  it("a 400 hourly-limit refusal waits for X-RateLimit-Reset, then succeeds", async () => {
    const resetAt = NOW / 1000 + 1;
    // The clock sits 40 ms before the reset; it moves on by the wait the client announces.
    let t = resetAt * 1000 - 40;
    const lines: Array<Record<string, unknown>> = [];
    const log = (obj: Record<string, unknown>) => {
      lines.push(obj);
      if (typeof obj.delayMs === "number") t += obj.delayMs;
    };
    await h.close();
    h = await setup({ fake: { now: () => t } });
    const client = h.newClient({ now: () => t, telemetry: { logger: { debug: log, info: log, warn: log, error: log } } });
    await client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    h.fake.rateLimitNext({ resetAt, path: "/envelopes" });
    const page = await client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    expect(page.totalSetSize).toBe(0);
    expect(requestsTo(h.server, "/envelopes")).toHaveLength(3);
    const retry = lines.find((l) => l.attempt === 1 && typeof l.delayMs === "number");
    expect(retry).toMatchObject({ operation: "envelopes.listStatusChanges", delayMs: 40, error: { name: "RateLimitedError", vendorCode: "HOURLY_APIINVOCATION_LIMIT_EXCEEDED", retryAfterMs: 40 } });
  });

  it("a reset further away than maxRetryAfterMs fails at once, with the wait in the error", async () => {
    await h.close();
    h = await setup({ fake: { now: () => NOW } });
    const client = h.newClient({ now: () => NOW });
    h.fake.rateLimitNext({ resetAt: NOW / 1000 + 1800, path: "/envelopes/5a1b2c3d-0000-4000-8000-000000000001" });
    const error = (await rejection(client.envelopes.get({ envelopeId: "5a1b2c3d-0000-4000-8000-000000000001" }))) as RateLimitedError;
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.retryAfterMs).toBe(1_800_000);
    expect(error.attempts).toBe(1);
    expect(requestsTo(h.server, "/envelopes/5a1b2c3d-0000-4000-8000-000000000001")).toHaveLength(1);
  });

  it("the headers of every response are surfaced by rateLimit()", async () => {
    expect(h.client.rateLimit()).toBeUndefined();
    h.fake.setRateLimit({ remaining: 1234, resetAt: 1_900_000_000 });
    await h.client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    expect(h.client.rateLimit()).toEqual({ limit: 3000, remaining: 1233, resetAt: 1_900_000_000_000, burstLimit: 200, burstRemaining: 199, observedAt: expect.any(Number) });
  });

  it("once X-RateLimit-Remaining is 0, the next call is refused before any request until the reset", async () => {
    const resetAt = Math.floor(Date.now() / 1000) + 1800;
    h.fake.setRateLimit({ remaining: 1, resetAt });
    await h.client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    expect(h.client.rateLimit()?.remaining).toBe(0);
    const before = h.server.requests.length;
    const error = (await rejection(h.client.envelopes.create(loanEnvelope()))) as RateLimitedError;
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.vendorCode).toBe("HOURLY_APIINVOCATION_LIMIT_EXCEEDED");
    expect(error.mayHaveReachedVendor).toBe(false);
    expect(error.retryAfterMs).toBeGreaterThan(1_700_000);
    expect(h.server.requests.length).toBe(before);
    expect(h.fake.envelopes).toHaveLength(0);
  });

  it("a past reset lets calls through again", async () => {
    await h.close();
    h = await setup({ fake: { now: () => NOW } });
    const client = h.newClient({ now: () => NOW });
    h.fake.setRateLimit({ remaining: 1, resetAt: NOW / 1000 - 1 });
    await client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    await expect(client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" })).resolves.toMatchObject({ totalSetSize: 0 });
  });
});

describe("server errors", () => {
  it("reads retry 503, 503 and succeed on the third attempt", async () => {
    const { envelopeId } = await h.client.envelopes.create(loanEnvelope());
    h.fake.failNext({ status: 503, path: `/envelopes/${envelopeId}`, method: "GET", times: 2 });
    const envelope = await h.client.envelopes.get({ envelopeId });
    expect(envelope.status).toBe("sent");
    expect(requestsTo(h.server, `/envelopes/${envelopeId}`, "GET")).toHaveLength(3);
  });

  it("endless 5xx ends in ServerError with the attempt count and a dead letter", async () => {
    const deadLetters = createMemoryDeadLetterSink();
    const client = h.newClient({ deadLetters });
    h.fake.failNext({ status: 502, path: "/recipients", times: 10 });
    const error = (await rejection(client.recipients.list({ envelopeId: "5a1b2c3d-0000-4000-8000-000000000001" }))) as ServerError;
    expect(error).toBeInstanceOf(ServerError);
    expect(error.attempts).toBe(3);
    const letters = await deadLetters.list();
    expect(letters.map((l) => [l.operation, l.attempts, l.payload])).toEqual([["recipients.list", 3, { envelopeId: "5a1b2c3d-0000-4000-8000-000000000001" }]]);
  });

  it("4xx business errors are not retried", async () => {
    h.fake.failNext({ status: 400, errorCode: "USER_LACKS_PERMISSIONS", message: "This user lacks sufficient permissions.", path: "/envelopes", method: "POST" });
    const error = (await rejection(h.client.envelopes.create(loanEnvelope()))) as ForbiddenError;
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.attempts).toBe(1);
    expect(requestsTo(h.server, "/envelopes", "POST")).toHaveLength(1);
  });
});

describe("secrets", () => {
  it("the private key, the assertion and the access token never reach errors, log lines or dead letters", async () => {
    const lines: unknown[] = [];
    const log = (obj: Record<string, unknown>, msg?: string) => void lines.push({ obj, msg });
    const deadLetters = createMemoryDeadLetterSink();
    const client = h.newClient({ deadLetters, telemetry: { logger: { debug: log, info: log, warn: log, error: log } } });
    await client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    const token = requestsTo(h.server, "/envelopes")[0]!.headers.authorization!.slice("Bearer ".length);
    const assertion = new URLSearchParams(requestsTo(h.server, "/oauth/token")[0]!.text).get("assertion")!;
    // A 503 whose body echoes the token and the assertion.
    h.fake.failNext({ status: 503, path: "/envelopes", message: `echo ${token} ${assertion}`, times: 5 });
    const error = (await rejection(client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" }))) as ServerError;
    expect(error).toBeInstanceOf(ServerError);
    const letters = await deadLetters.list();
    expect(letters).toHaveLength(1);
    const keyBody = h.fake.privateKeyPem.split("\n")[1]!;
    for (const text of [JSON.stringify(error.toJSON()), error.message, JSON.stringify(lines), JSON.stringify(letters)]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(assertion);
      expect(text).not.toContain(keyBody);
    }
    expect(error.vendorMessage).toContain("[REDACTED]");
  });
});

describe("limits of the client options", () => {
  it("policy defaults can be overridden; a 503 on create without effect is retried (checkable) with FAST_POLICY", async () => {
    const client = h.newClient({ policy: { ...FAST_POLICY, retry: { ...FAST_POLICY.retry, attempts: 2 } } });
    h.fake.failNext({ status: 503, path: "/envelopes", method: "POST", times: 2 });
    const error = await rejection(client.envelopes.create(loanEnvelope()));
    expect(error).toBeInstanceOf(ServerError);
    expect(requestsTo(h.server, "/envelopes", "POST")).toHaveLength(2);
  });
});

describe("breaker and health", () => {
  it("after repeated 5xx the breaker opens: the next call fails with CircuitOpenError and sends nothing", async () => {
    const client = h.newClient({ policy: { retry: false, limiter: false, breaker: { failureThreshold: 2, successThreshold: 1, resetTimeoutMs: 60_000 } } });
    h.fake.failNext({ status: 503, path: "/envelopes", method: "GET", times: 10 });
    await rejection(client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" }));
    await rejection(client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" }));
    const sent = requestsTo(h.server, "/envelopes", "GET").length;
    const error = await rejection(client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" }));
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(requestsTo(h.server, "/envelopes", "GET")).toHaveLength(sent);
    expect((await client.healthCheck()).status).toBe("unhealthy");
  });

  it("healthCheck is healthy through the fake and unhealthy, with the reason, when consent is missing", async () => {
    expect(await h.client.healthCheck()).toMatchObject({ status: "healthy" });
    h.fake.setConsent(false);
    const client = h.newClient();
    const health = await client.healthCheck();
    expect(health.status).toBe("unhealthy");
    expect(health.error).toContain("consent_required");
  });
});

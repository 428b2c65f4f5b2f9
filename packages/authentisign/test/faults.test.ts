import { CircuitOpenError, createMemoryDeadLetterSink, IntegrationError, RateLimitedError, ServerError, ValidationError } from "@connect/core";
import { always, scripted } from "@connect/core/testing";
import { classifyAuthentisignError, createAuthentisignClient, readAuthentisignError } from "@connect/authentisign";
import { http, HttpResponse } from "msw";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiRequests, FAST_POLICY, loanSigning, rejection, setup, type Harness } from "./helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

const response = (status: number, body: unknown, headers: Record<string, string> = {}, rawText?: string) => ({ status, headers, body, requestId: undefined, rawText });

describe("error mapping", () => {
  it("maps {code,message,details} by status with the details as issues", () => {
    const error = classifyAuthentisignError(response(422, { code: 1042, message: "Validation failed", details: ["Name is required.", "Participants is required."] }), { operation: "signings.create" });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      status: 422,
      vendor: "authentisign",
      operation: "signings.create",
      vendorCode: "1042",
      vendorMessage: "Validation failed; Name is required.; Participants is required.",
      issues: [
        { path: "(root)", message: "Name is required." },
        { path: "(root)", message: "Participants is required." },
      ],
    });
  });

  it("maps ASP.NET ValidationProblemDetails errors to field issues", () => {
    const error = classifyAuthentisignError(
      response(400, { type: "https://tools.ietf.org/html/rfc7231#section-6.5.1", title: "One or more validation errors occurred.", status: 400, errors: { "Participants[0].Email": ["The Email field is not a valid e-mail address."], Name: ["The Name field is required."] } }),
    );
    expect((error as ValidationError).issues).toEqual([
      { path: "Participants[0].Email", message: "The Email field is not a valid e-mail address." },
      { path: "Name", message: "The Name field is required." },
    ]);
    expect(error.vendorCode).toBe("https://tools.ietf.org/html/rfc7231#section-6.5.1");
  });

  it("reads a text/plain body and maps 403, 404, 409 and 5xx by status", () => {
    expect(readAuthentisignError(undefined, "Signing is locked")).toEqual({ code: undefined, message: "Signing is locked", details: [], issues: [] });
    expect(classifyAuthentisignError(response(403, "Forbidden for this account", {}, "Forbidden for this account")).name).toBe("ForbiddenError");
    expect(classifyAuthentisignError(response(404, { title: "Not Found", detail: "Signing x was not found." })).vendorMessage).toBe("Not Found: Signing x was not found.");
    expect(classifyAuthentisignError(response(409, { code: 409, message: "Conflict", details: [] })).name).toBe("ConflictError");
    const server = classifyAuthentisignError(response(500, { code: 500, message: "An error occurred while processing your request.", details: [] }));
    expect(server).toBeInstanceOf(ServerError);
    expect(server.retryable).toBe(true);
    expect(classifyAuthentisignError(response(501, {})).retryable).toBe(false);
  });

  it("turns a 429's Retry-After seconds into RateLimitedError.retryAfterMs", () => {
    const error = classifyAuthentisignError(response(429, { code: 429, message: "Too Many Requests", details: [] }, { "retry-after": "3" }));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 3000, retryable: true, mayHaveReachedVendor: false });
  });
});

describe("retries", () => {
  it("a read retries 503, 503 and succeeds on the third attempt", async () => {
    h.fake.failNext({ status: 503, path: "/api/v1/signings", times: 2 });
    await expect(h.client.signings.list()).resolves.toEqual([]);
    expect(apiRequests(h.server)).toHaveLength(3);
  });

  it("endless 5xx on a read ends in ServerError with the attempt count", async () => {
    h.fake.failNext({ status: 502, path: "/api/v1/signings", times: 10 });
    const error = await rejection(h.client.signings.list());
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 502, attempts: 3, vendor: "authentisign", operation: "signings.list" });
    expect(apiRequests(h.server)).toHaveLength(3);
  });

  it("a 429 with Retry-After is waited out and retried (create included: a 429 created nothing)", async () => {
    h.fake.rateLimitNext({ retryAfterSeconds: 0.05, path: "/api/v1/signings", method: "POST" });
    const signing = await h.client.signings.create(loanSigning());
    expect(h.fake.signings().map((s) => s.id)).toEqual([signing.id]);
    // No reconcile listing: a 429 provably created nothing.
    expect(apiRequests(h.server).map((r) => r.method)).toEqual(["POST", "POST"]);
  });

  it("a Retry-After longer than maxRetryAfterMs fails at once with the wait in the error", async () => {
    const client = createAuthentisignClient({ ...h.options, policy: { ...FAST_POLICY, retry: { ...FAST_POLICY.retry, maxRetryAfterMs: 1000 } } });
    h.fake.rateLimitNext({ retryAfterSeconds: 120, path: "/api/v1/signings" });
    const error = await rejection(client.signings.list());
    await client.close();
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 120_000, attempts: 1, vendorMessage: "Too Many Requests; Rate limit exceeded; retry later." });
  });

  it("an attempt timeout on a read is retried", async () => {
    let calls = 0;
    h.server.use(
      http.get("*/api/v1/signings", async () => {
        if (calls++ > 0) return undefined;
        // Far past the 250 ms attempt limit; the limit itself leaves room for a busy machine.
        await new Promise((r) => setTimeout(r, 1_500));
        return HttpResponse.json([]);
      }),
    );
    const client = createAuthentisignClient({ ...h.options, policy: { ...FAST_POLICY, timeout: { attemptMs: 250 } } });
    await expect(client.signings.list()).resolves.toEqual([]);
    await client.close();
    expect(apiRequests(h.server)).toHaveLength(2);
  });

  it("an abort during backoff stops at once, without another attempt", async () => {
    const client = createAuthentisignClient({ ...h.options, policy: { ...FAST_POLICY, retry: { attempts: 5, minDelayMs: 5_000, maxDelayMs: 5_000, jitter: false } } });
    h.fake.failNext({ status: 503, path: "/api/v1/signings", times: 5 });
    const controller = new AbortController();
    const pending = rejection(client.signings.list({}, { signal: controller.signal }));
    while (apiRequests(h.server).length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error("host shutting down"));
    const error = await pending;
    await client.close();
    expect(error).toBeInstanceOf(IntegrationError);
    expect((error as IntegrationError).message).toContain("aborted");
    expect(apiRequests(h.server)).toHaveLength(1);
  });

  it("exhausted reads land in the dead-letter sink", async () => {
    const deadLetters = createMemoryDeadLetterSink();
    const client = createAuthentisignClient({ ...h.options, deadLetters });
    h.fake.failNext({ status: 500, times: 3, path: "/api/v1/signings/abc" });
    await expect(client.signings.get({ signingId: "abc" })).rejects.toBeInstanceOf(ServerError);
    await client.close();
    const [letter] = await deadLetters.list();
    expect(letter).toMatchObject({ kind: "call", adapterId: "authentisign", operation: "signings.get", attempts: 3, payload: { signingId: "abc" } });
  });
});

describe("circuit breaker", () => {
  it("opens after repeated 5xx; then fails fast with CircuitOpenError and sends nothing", async () => {
    const client = createAuthentisignClient({
      ...h.options,
      policy: { ...FAST_POLICY, retry: { ...FAST_POLICY.retry, attempts: 1 }, breaker: { failureThreshold: 3, successThreshold: 1, resetTimeoutMs: 60_000 } },
    });
    const outage = always("all", "*/api/v1/*", 503);
    h.server.use(outage.handler);
    for (let i = 0; i < 3; i += 1) await expect(client.signings.list()).rejects.toBeInstanceOf(ServerError);
    expect(client.breakerState()).toBe("open");
    const sentBefore = outage.calls;
    const error = await rejection(client.signings.create(loanSigning()));
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(outage.calls).toBe(sentBefore);
    const health = await client.healthCheck();
    expect(health).toMatchObject({ status: "unhealthy", breaker: "open" });
    await client.close();
  });

  it("4xx responses never open it", async () => {
    const client = createAuthentisignClient({ ...h.options, policy: { ...FAST_POLICY, breaker: { failureThreshold: 2, successThreshold: 1, resetTimeoutMs: 60_000 } } });
    for (let i = 0; i < 4; i += 1) await expect(client.signings.get({ signingId: `missing-${i}` })).rejects.toMatchObject({ name: "NotFoundError" });
    expect(client.breakerState()).toBe("closed");
    await client.close();
  });
});

describe("health check", () => {
  it("is a one-row authenticated list", async () => {
    await expect(h.client.healthCheck()).resolves.toMatchObject({ status: "healthy" });
    expect(apiRequests(h.server).map((r) => r.path)).toEqual(["/api/v1/signings?ItemLimit=1"]);
  });

  it("reports unhealthy with the reason when the API fails", async () => {
    h.server.use(scripted("get", "*/api/v1/signings", [500, 500, 500]).handler);
    const health = await h.client.healthCheck();
    expect(health.status).toBe("unhealthy");
    expect(health.error).toContain("HTTP 500");
  });
});

describe("timeouts", () => {
  it("a create whose attempt times out is reconciled by listing before uploading again", async () => {
    let posts = 0;
    h.server.use(
      http.post("*/api/v1/signings", async () => {
        if (posts++ > 0) return undefined;
        await new Promise((r) => setTimeout(r, 1_500));
        return HttpResponse.json({}, { status: 500 });
      }),
    );
    const client = createAuthentisignClient({ ...h.options, policy: { ...FAST_POLICY, timeout: { attemptMs: 250 } } });
    const signing = await client.signings.create(loanSigning());
    await client.close();
    expect(h.fake.signings().map((s) => s.id)).toEqual([signing.id]);
    expect(apiRequests(h.server).map((r) => `${r.method} ${r.path.split("?")[0]}`)).toEqual(["POST /api/v1/signings", "GET /api/v1/signings", "POST /api/v1/signings"]);
  });
});

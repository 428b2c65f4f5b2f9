import { AuthError, ForbiddenError, NotFoundError, ServerError, type HttpResponse } from "@connect/core";
import { classifyXeroError, classifyXeroOAuthError, DuplicateContactNameError, XeroRateLimitedError, xeroTenantLimiter } from "@connect/xero";
import { afterEach, describe, expect, it } from "vitest";
import { contactBody, setup, type Harness } from "./helpers.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const response = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({ status, body, headers, requestId: "req-1" });

describe("rate limits", () => {
  it("the fake's minute counter answers 429 with Retry-After and X-Rate-Limit-Problem; the client throws XeroRateLimitedError with both", async () => {
    h = await setup({ fake: { limits: { perMinute: 2 } }, client: { policy: { retry: false, limiter: false, breaker: false } } });
    h.clock.now = Date.UTC(2026, 2, 2, 12, 0, 15); // 45 s left in the minute window
    await h.client.contacts.list({ page: 1 });
    await h.client.contacts.list({ page: 1 });
    const error = (await h.client.contacts.list({ page: 1 }).catch((e: unknown) => e)) as XeroRateLimitedError;
    expect(error).toBeInstanceOf(XeroRateLimitedError);
    expect(error).toMatchObject({ name: "XeroRateLimitedError", status: 429, problem: "minute", vendorCode: "minute", retryAfterMs: 45_000, retryable: true, mayHaveReachedVendor: false });
    expect(error.toJSON()).toMatchObject({ problem: "minute", retryAfterMs: 45_000 });
  });

  it("remaining-quota headers count down per tenant", async () => {
    h = await setup({ fake: { limits: { perMinute: 5 } } });
    const raw = await fetch(`${h.server.url}/api.xro/2.0/Contacts`, {
      headers: { authorization: `Bearer ${(await h.tokens.get("xero:user-1"))!.accessToken}`, accept: "application/json", "xero-tenant-id": h.tenantId },
    });
    expect(raw.headers.get("x-minlimit-remaining")).toBe("4");
    expect(raw.headers.get("x-daylimit-remaining")).toBe("4999");
    expect(raw.headers.get("x-appminlimit-remaining")).toBe("9999");
  });

  it("a day limit is not retried inside the call; its Retry-After is kept", async () => {
    h = await setup();
    h.fake.throttleNext({ problem: "day", retryAfterSeconds: 3600 });
    const error = (await h.client.contacts.list({ page: 1 }).catch((e: unknown) => e)) as XeroRateLimitedError;
    expect(error).toMatchObject({ problem: "day", retryAfterMs: 3_600_000, retryable: false, attempts: 1 });
  });

  it("a minute 429 is retried after its Retry-After and then succeeds", async () => {
    h = await setup();
    h.fake.throttleNext({ problem: "Minute", retryAfterSeconds: 1 });
    const started = Date.now();
    const page = await h.client.contacts.list({ page: 1 });
    expect(page.items).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(h.fake.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it("an unknown or unsent limit name still backs off (60 s without Retry-After)", () => {
    const app = classifyXeroError(response(429, "x", { "x-rate-limit-problem": "AppMinute" })) as XeroRateLimitedError;
    expect(app).toMatchObject({ problem: "appminute", retryAfterMs: 60_000 });
    const unknown = classifyXeroError(response(429, "x")) as XeroRateLimitedError;
    expect(unknown).toMatchObject({ problem: undefined, retryAfterMs: 60_000, retryable: true });
  });

  it("the default limiter is per tenant: 60 per minute with 5 in flight inside 5,000 per day, under ids naming the tenant", async () => {
    const made: Array<{ id: string; options: Record<string, unknown> }> = [];
    const order: string[] = [];
    const limiter = xeroTenantLimiter("tenant-a", {}, (id, options) => {
      made.push({ id, options: { ...options } });
      return { schedule: async (fn) => (order.push(id), fn()), stop: async () => undefined };
    });
    const built = limiter.create!("connect:xero", limiter);
    expect(made).toEqual([
      { id: "connect:xero:tenant-a:minute", options: { quota: 60, quotaIntervalMs: 60_000, maxConcurrent: 5 } },
      { id: "connect:xero:tenant-a:day", options: { quota: 5000, quotaIntervalMs: 86_400_000 } },
    ]);
    expect(await built.schedule(async () => "ran")).toBe("ran");
    expect(order).toEqual(["connect:xero:tenant-a:day", "connect:xero:tenant-a:minute"]);
  });

  it("a client's limiter holds calls over the minute quota back instead of sending them", async () => {
    h = await setup({ client: { limits: { perMinute: 2, perDay: false }, policy: { retry: false, breaker: false } } });
    await h.client.contacts.list({ page: 1 });
    await h.client.contacts.list({ page: 1 });
    const third = h.client.contacts.list({ page: 1 }, { signal: AbortSignal.timeout(300) });
    await expect(third).rejects.toMatchObject({ name: "IntegrationError", vendorCode: "ABORTED", operation: "contacts.list" });
    expect(h.fake.requests).toHaveLength(2);
  });
});

describe("error bodies", () => {
  it("401 problem JSON → AuthError with the Detail", () => {
    const error = classifyXeroError(response(401, { Type: null, Title: "Unauthorized", Status: 401, Detail: "TokenExpired: token expired at 01/01/2001 00:00:00" }))!;
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ vendorCode: "TokenExpired", vendorMessage: "TokenExpired: token expired at 01/01/2001 00:00:00", requestId: "req-1" });
  });

  it("403 → ForbiddenError, plain-text 404 → NotFoundError, 500/503 → retryable ServerError, 501 → not retried", () => {
    expect(classifyXeroError(response(403, { Title: "Forbidden", Status: 403, Detail: "AuthenticationUnsuccessful" }))).toBeInstanceOf(ForbiddenError);
    expect(classifyXeroError(response(404, "The resource you're looking for cannot be found"))).toBeInstanceOf(NotFoundError);
    expect(classifyXeroError(response(503, "Service unavailable", { "retry-after": "2" }))).toMatchObject({ name: "ServerError", retryable: true, retryAfterMs: 2000 });
    expect(classifyXeroError(response(501, "Not implemented"))).toMatchObject({ name: "ServerError", retryable: false });
    expect(classifyXeroError(response(500, "An internal error occurred"))).toBeInstanceOf(ServerError);
  });

  it("a duplicate name inside a ValidationException → DuplicateContactNameError", () => {
    const body = { ErrorNumber: 10, Type: "ValidationException", Message: "A validation exception occurred", Elements: [{ Name: "Ana", ValidationErrors: [{ Message: "The contact name Ana is already assigned to another contact. The contact name must be unique across all active contacts." }] }] };
    expect(classifyXeroError(response(400, body))).toMatchObject({ name: "DuplicateContactNameError", contactName: "Ana", status: 400 });
    expect(classifyXeroError(response(400, body))).toBeInstanceOf(DuplicateContactNameError);
  });

  it("a PostDataInvalidException (ErrorNumber 14) → ValidationError with its message", () => {
    expect(classifyXeroError(response(400, { ErrorNumber: 14, Type: "PostDataInvalidException", Message: "Invalid LineAmountTypes NO_TAX" }))).toMatchObject({
      name: "ValidationError",
      vendorCode: "14",
      issues: [{ path: "(root)", message: "Invalid LineAmountTypes NO_TAX", code: "PostDataInvalidException" }],
    });
  });

  it("identity errors: invalid_grant → re-consent AuthError, invalid_client → AuthError, invalid_scope → ForbiddenError", () => {
    expect(classifyXeroOAuthError(response(400, { error: "invalid_grant" }), { operation: "oauth.refresh" })).toMatchObject({ name: "AuthError", vendorCode: "invalid_grant", retryable: false, message: expect.stringContaining("re-consent") });
    expect(classifyXeroOAuthError(response(400, { error: "invalid_client" }))).toMatchObject({ name: "AuthError", vendorCode: "invalid_client" });
    expect(classifyXeroOAuthError(response(400, { error: "invalid_scope" }))).toBeInstanceOf(ForbiddenError);
  });

  it("a 500 on a keyed write is retried with the same Idempotency-Key", async () => {
    h = await setup();
    h.fake.failNext({ status: 500, path: "/Contacts", method: "PUT" });
    await h.client.contacts.create(contactBody());
    const puts = h.fake.requests.filter((r) => r.method === "PUT");
    expect(puts.map((r) => r.status)).toEqual([500, 200]);
    expect(new Set(puts.map((r) => r.idempotencyKey)).size).toBe(1);
  });
});

describe("limiter options from the host's policy", () => {
  it("a host quota and concurrency override the minute window's numbers", () => {
    const made: Array<Record<string, unknown>> = [];
    const limiter = xeroTenantLimiter("t", {}, (_id, options) => {
      made.push({ ...options });
      return { schedule: (fn) => fn(), stop: async () => undefined };
    });
    limiter.create!("connect:xero", { ...limiter, quota: 30, maxConcurrent: 2 });
    expect(made[0]).toEqual({ quota: 30, quotaIntervalMs: 60_000, maxConcurrent: 2 });
  });
});

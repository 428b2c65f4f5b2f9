import { createMemoryDeadLetterSink, ForbiddenError, RateLimitedError, ServerError, ValidationError } from "@connect/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiRequests, customerBody, setup, type Harness } from "./helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

describe("throttling", () => {
  it("a 429 waits the configured pause (Intuit: 60 s, no Retry-After) and the keyed create is retried with the same requestid", async () => {
    h.fake.failNext({ status: 429, path: "/customer" });
    const customer = await h.client.customers.create(customerBody());
    const posts = apiRequests(h.server);
    expect(posts).toHaveLength(2);
    expect(posts[0]!.query.get("requestid")).toBe(posts[1]!.query.get("requestid"));
    expect(h.fake.rows("Customer").map((c) => c.Id)).toEqual([customer.Id]);
  });

  it("without Retry-After the RateLimitedError carries Intuit's 60 s by default; a longer wait than maxRetryAfterMs fails at once", async () => {
    const client = h.makeClient({ rateLimitWaitMs: undefined, policy: { retry: { attempts: 3, minDelayMs: 1, jitter: false, maxRetryAfterMs: 1000 }, limiter: false, breaker: false } });
    h.fake.failNext({ status: 429, path: "/companyinfo" });
    const error = await client.companyInfo.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(60_000);
    expect((error as RateLimitedError).attempts).toBe(1);
    expect(apiRequests(h.server)).toHaveLength(1);
  });

  it("the default policy holds Intuit's numbers: ≤ 8 at once, ≤ 7/s sustained, 60 s after a 429", async () => {
    const { QUICKBOOKS_POLICY_DEFAULTS } = await import("@connect/quickbooks");
    expect(QUICKBOOKS_POLICY_DEFAULTS.limiter).toEqual({ perSecond: 7, burst: 8, maxConcurrent: 8 });
    expect((QUICKBOOKS_POLICY_DEFAULTS.retry as { maxRetryAfterMs: number }).maxRetryAfterMs).toBeGreaterThanOrEqual(60_000);
  });
});

describe("server faults", () => {
  it("503, 503, then success: attempts 3, one entity", async () => {
    h.fake.failNext({ status: 503, times: 2, path: "/customer" });
    await h.client.customers.create(customerBody());
    expect(apiRequests(h.server)).toHaveLength(3);
    expect(h.fake.rows("Customer")).toHaveLength(1);
  });

  it("endless SystemFaults end in ServerError with the attempt count, and in the dead-letter sink", async () => {
    const deadLetters = createMemoryDeadLetterSink();
    const client = h.makeClient({ deadLetters });
    h.fake.failNext({ status: 500, times: 10, path: "/customer" });
    const error = await client.customers.create(customerBody()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).attempts).toBe(3);
    expect((error as ServerError).vendorCode).toBe("10000");
    const letters = await deadLetters.list();
    expect(letters.map((l) => [l.operation, l.attempts, l.kind])).toEqual([["customers.create", 3, "call"]]);
    expect(letters[0]!.payload).toEqual(customerBody());
  });

  it("a Fault inside an HTTP 200 is still an error", async () => {
    h.fake.failNext({ status: 200, path: "/customer", body: { Fault: { Error: [{ Message: "Invalid Reference Id", Detail: "Invalid Reference Id : Names element id 58 not found", code: "2500", element: "CustomerRef" }], type: "ValidationFault" }, time: "2026-01-05T04:00:00.000-08:00" } });
    const error = await h.client.customers.create(customerBody()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).vendorCode).toBe("2500");
    expect((error as ValidationError).issues).toEqual([{ path: "CustomerRef", message: "Invalid Reference Id : Names element id 58 not found", code: "2500" }]);
    expect(apiRequests(h.server)).toHaveLength(1);
  });

  it("an AuthorizationFault is ForbiddenError (no refresh, no retry); a lapsed subscription says so", async () => {
    h.fake.failNext({ status: 403, path: "/customer" });
    const forbidden = await h.client.customers.create(customerBody()).catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(ForbiddenError);
    expect((forbidden as ForbiddenError).vendorCode).toBe("3201");
    h.fake.failNext({ status: 400, path: "/customer", errors: [{ Message: "Invalid Company Status", Detail: "The subscription has expired", code: "6190" }] });
    const lapsed = await h.client.customers.create(customerBody()).catch((e: unknown) => e);
    expect(lapsed).toBeInstanceOf(ForbiddenError);
    expect((lapsed as ForbiddenError).message).toMatch(/subscription has lapsed/);
    expect(h.fake.tokenRequests).toHaveLength(0);
  });

  it("a token for another company is refused with 403 AuthorizationFault", async () => {
    const other = h.makeClient({ realmId: "123456789" });
    await h.tokens.set("quickbooks:123456789", (await h.tokens.get(`quickbooks:${h.fake.realmId}`))!);
    const error = await other.companyInfo.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenError);
  });
});

describe("minorversion", () => {
  it("is sent on every read and write; a value below 75 is refused at construction", async () => {
    const client = h.makeClient({ minorVersion: 78 });
    const customer = await client.customers.create(customerBody());
    await client.customers.get({ id: customer.Id });
    await client.query.run("SELECT * FROM Item");
    expect(apiRequests(h.server).map((c) => c.query.get("minorversion"))).toEqual(["78", "78", "78"]);
    expect(() => h.makeClient({ minorVersion: 70 })).toThrow(/minorVersion must be an integer ≥ 75/);
  });
});

describe("health", () => {
  it("reads CompanyInfo", async () => {
    const health = await h.client.healthCheck();
    expect(health.status).toBe("healthy");
    expect(apiRequests(h.server)[0]!.path).toBe(`/v3/company/${h.fake.realmId}/companyinfo/${h.fake.realmId}`);
  });
});

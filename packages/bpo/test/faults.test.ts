import { AuthError, CircuitOpenError, createMemoryDeadLetterSink, RateLimitedError, ServerError, type Logger } from "@connect/core";
import { classifyBpoError, createBpoClient } from "@connect/bpo";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, FAST_POLICY, requestLines, setup, type Harness } from "./helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

const project = { external_id: "prj_7", address: "7 Cedar Ct", status: "LEAD" };

describe("server errors", () => {
  it("retries a read on 503, 503 and succeeds on the third attempt", async () => {
    h.fake.failNext({ status: 503, times: 2, path: "/api/v1/projects" });
    const page = await h.client.projects.list({});
    expect(page.data).toEqual([]);
    expect(h.server.requests).toHaveLength(3);
  });

  it("ends endless 5xx in ServerError with the attempt count and BPO's code", async () => {
    h.fake.failNext({ status: 502, times: 10, message: "upstream connect error" });
    const error = await h.client.projects.list({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ attempts: 3, status: 502, vendorCode: "UNAVAILABLE", vendorMessage: "upstream connect error", operation: "projects.list" });
    expect(h.server.requests).toHaveLength(3);
  });

  it("retries an upsert after a 503 (an upsert on external_id is idempotent) and stores one project", async () => {
    h.fake.failNext({ status: 503, method: "POST" });
    const result = await h.client.projects.upsert(project);

    expect(requestLines(h.server)).toEqual(["POST /api/v1/projects", "POST /api/v1/projects"]);
    expect(h.server.requests[0]!.text).toBe(h.server.requests[1]!.text);
    expect([...h.fake.projects.values()].map((p) => p.id)).toEqual([result.id]);
  });

  it("retries a failed page with the same offset, then carries on paging", async () => {
    h.fake.seedProjects({ count: 250 });
    h.fake.failNext({ status: 503, offset: 100 });
    const rows = await collect(h.client.projects.listAll({}));
    expect(rows).toHaveLength(250);
    expect(h.server.requests.map((r) => new URL(r.url, "http://x").searchParams.get("offset"))).toEqual(["0", "100", "100", "200"]);
  });
});

describe("rate limits", () => {
  it("reads Retry-After into RateLimitedError.retryAfterMs", () => {
    const error = classifyBpoError({ status: 429, headers: { "retry-after": "2" }, body: { error: { code: "RESOURCE_EXHAUSTED", message: "Quota exceeded" } }, requestId: "req-1" });
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 2000, retryable: true, mayHaveReachedVendor: false, vendorCode: "RESOURCE_EXHAUSTED", vendorMessage: "Quota exceeded", requestId: "req-1" });
  });

  it("waits out a short Retry-After and succeeds", async () => {
    h.fake.failNext({ status: 429, headers: { "retry-after": "0.02" } });
    const page = await h.client.projects.list({});
    expect(page.pagination.total).toBe(0);
    expect(h.server.requests).toHaveLength(2);
  });

  it("fails at once when Retry-After is longer than maxRetryAfterMs", async () => {
    const client = createBpoClient({ baseUrl: h.server.url, apiKey: h.fake.apiKey, policy: { ...FAST_POLICY, retry: { ...FAST_POLICY.retry, maxRetryAfterMs: 1000 } } });
    h.fake.failNext({ status: 429, headers: { "retry-after": "120" } });
    const error = await client.projects.list({}).catch((e: unknown) => e);
    await client.close();
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 120_000, attempts: 1 });
    expect(h.server.requests).toHaveLength(1);
  });
});

describe("error bodies", () => {
  it.each([
    ["Firebase-style", { error: { code: "INVALID_ARGUMENT", message: "Invalid project", details: [{ field: "zip", message: "must be a ZIP code" }] } }, "INVALID_ARGUMENT", "Invalid project", [{ path: "zip", message: "must be a ZIP code" }]],
    ["a bare error string", { error: "zip is invalid" }, undefined, "zip is invalid", []],
    ["errors[]", { errors: [{ field: "status", message: "unknown" }] }, undefined, "status: unknown", [{ path: "status", message: "unknown" }]],
  ])("reads %s bodies into ValidationError", (_name, body, vendorCode, vendorMessage, issues) => {
    const error = classifyBpoError({ status: 400, headers: {}, body, requestId: undefined }, { operation: "projects.upsert" });
    expect(error.constructor.name).toBe("ValidationError");
    expect(error).toMatchObject({ vendorCode, vendorMessage, operation: "projects.upsert", status: 400, retryable: false });
    expect((error as unknown as { issues: unknown }).issues).toEqual(issues);
  });

  it("keeps a short non-JSON body as the vendor message", () => {
    const error = classifyBpoError({ status: 500, headers: {}, body: undefined, rawText: "Internal Server Error\n", requestId: undefined });
    expect(error).toBeInstanceOf(ServerError);
    expect(error.vendorMessage).toBe("Internal Server Error");
  });
});

describe("auth", () => {
  it("maps a rejected static key to AuthError (nothing to refresh, so one request)", async () => {
    const client = createBpoClient({ baseUrl: h.server.url, apiKey: "bpo_wrong_key_123", policy: FAST_POLICY });
    const error = await client.projects.list({}).catch((e: unknown) => e);
    await client.close();
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 401, vendorCode: "UNAUTHENTICATED", vendorMessage: "Missing or invalid API key", retryable: false });
    expect(h.server.requests).toHaveLength(1);
  });

  it("asks the SecretProvider for a fresh key after a 401 (rotation) and succeeds", async () => {
    const asked: Array<[string, boolean]> = [];
    const secrets = {
      async get(name: string, options?: { forceRefresh?: boolean }) {
        asked.push([name, options?.forceRefresh === true]);
        return options?.forceRefresh ? h.fake.apiKey : "bpo_rotated_out_key";
      },
    };
    const client = createBpoClient({ baseUrl: h.server.url, apiKey: secrets, policy: FAST_POLICY });
    const page = await client.projects.list({});
    await client.close();
    expect(page.data).toEqual([]);
    expect(asked).toEqual([
      ["BPO_API_KEY", false],
      ["BPO_API_KEY", true],
    ]);
    expect(h.server.requests.map((r) => r.headers.authorization)).toEqual(["Bearer bpo_rotated_out_key", `Bearer ${h.fake.apiKey}`]);
  });
});

describe("circuit breaker", () => {
  it("opens after repeated failures and then fails fast with CircuitOpenError, sending nothing", async () => {
    const client = createBpoClient({
      baseUrl: h.server.url,
      apiKey: h.fake.apiKey,
      policy: { retry: false, limiter: false, breaker: { failureThreshold: 2, successThreshold: 1, resetTimeoutMs: 60_000, errorThresholdPercentage: 1 } },
    });
    h.fake.failNext({ status: 503, times: 5 });
    await client.projects.list({}).catch(() => undefined);
    await client.projects.list({}).catch(() => undefined);
    const sent = h.server.requests.length;
    const error = await client.projects.list({}).catch((e: unknown) => e);
    await client.close();
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(h.server.requests).toHaveLength(sent);
  });
});

describe("abort", () => {
  it("stops iterating at once when the caller aborts, without fetching the next page", async () => {
    h.fake.seedProjects({ count: 300 });
    const controller = new AbortController();
    const seen: string[] = [];
    const error = await (async () => {
      for await (const row of h.client.projects.listAll({}, { signal: controller.signal })) {
        seen.push(row.id);
        if (seen.length === 150) controller.abort(new Error("shutting down"));
      }
    })().catch((e: unknown) => e);
    expect(seen).toHaveLength(150);
    expect(error).toMatchObject({ vendorCode: "ABORTED", operation: "projects.list", retryable: false });
    expect((error as Error).message).toBe("bpo projects.list: iteration aborted by the caller: shutting down");
    expect(h.server.requests).toHaveLength(2);
  });
});

describe("secrets", () => {
  it("never puts the API key in errors, logs or dead letters, even when BPO echoes it back", async () => {
    const apiKey = "bpo_live_7f3c9a1e5d2b8046aa";
    await h.close();
    h = await setup({ fake: { apiKey } });
    const lines: unknown[] = [];
    const logger: Logger = { debug: (o, m) => lines.push([o, m]), info: (o, m) => lines.push([o, m]), warn: (o, m) => lines.push([o, m]), error: (o, m) => lines.push([o, m]) };
    const deadLetters = createMemoryDeadLetterSink();
    const client = createBpoClient({ baseUrl: h.server.url, apiKey, policy: FAST_POLICY, telemetry: { logger }, deadLetters });
    h.fake.failNext({ status: 503, times: 3, message: `backend refused Authorization: Bearer ${apiKey}` });
    const error = (await client.projects.upsert(project).catch((e: unknown) => e)) as ServerError;
    await client.close();

    expect(error).toBeInstanceOf(ServerError);
    const letters = await deadLetters.list();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ adapterId: "bpo", operation: "projects.upsert", attempts: 3, payload: { external_id: "prj_7", address: "7 Cedar Ct", status: "LEAD" } });
    const everything = JSON.stringify([error.message, error.vendorMessage, error.toJSON(), lines, letters]);
    expect(everything).not.toContain(apiKey);
    expect(everything).toContain("[REDACTED]");
  });
});

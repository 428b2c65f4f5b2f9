import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  AuthError,
  CircuitOpenError,
  createMemoryIdempotencyStore,
  createRuntime,
  defineOperation,
  fallback,
  IntegrationError,
  NetworkError,
  RateLimitedError,
  ServerError,
  TimeoutError,
  UnknownOutcomeError,
  ValidationError,
  createMemoryDeadLetterSink,
} from "../src/index.js";
import { always, rateLimited, scripted, serveHandlers, stalledBody, type ServedHandlers } from "../src/testing/index.js";
import { acme, createWidget, getWidget, sendWidget } from "./helpers.js";

let server: ServedHandlers;
beforeAll(async () => {
  server = await serveHandlers([
    http.get("*/widgets/:id", ({ params }) => HttpResponse.json({ id: params.id, name: "bolt", size: 3 })),
    http.post("*/widgets", () => HttpResponse.json({ id: "w-new", name: "nut", size: 2 }, { status: 201 })),
    http.post("*/widgets/send", () => HttpResponse.json({ id: "sent-1" })),
  ]);
});
afterEach(() => {
  server.resetHandlers();
  server.requests.length = 0;
});
afterAll(() => server.close());

const newWidget = { name: "nut", size: 2, email: "a@b.co" };

describe("retry", () => {
  it("503, 503, 200 succeeds on attempt 3 with the same idempotency key on every attempt", async () => {
    const fault = scripted("post", "*/widgets", [503, 503]);
    server.use(fault.handler);
    const rt = acme(server.url);
    await expect(rt.run(createWidget, newWidget)).resolves.toEqual({ id: "w-new", name: "nut", size: 2 });
    const keys = server.requests.map((r) => r.headers["idempotency-key"]);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^ck_[0-9a-f]{16,}$/);
    await rt.close();
  });

  it("ends in ServerError with the attempt count when the vendor keeps failing", async () => {
    server.use(always("get", "*/widgets/:id", 502).handler);
    const rt = acme(server.url);
    const error = await rt.run(getWidget, { id: "w" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 502, attempts: 3, retryable: true, vendor: "acme", operation: "widgets.get" });
    expect(server.requests).toHaveLength(3);
    await rt.close();
  });

  it("waits at least the Retry-After of a 429 before the next attempt", async () => {
    server.use(scripted("get", "*/widgets/:id", [() => rateLimited("0.3")]).handler);
    const rt = acme(server.url);
    const started = performance.now();
    await expect(rt.run(getWidget, { id: "w" })).resolves.toMatchObject({ id: "w" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
    expect(server.requests).toHaveLength(2);
    await rt.close();
  });

  it("fails at once when Retry-After is longer than the client will wait", async () => {
    server.use(always("get", "*/widgets/:id", () => rateLimited(3600)).handler);
    const rt = acme(server.url);
    const error = await rt.run(getWidget, { id: "w" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 3_600_000, attempts: 1 });
    expect(server.requests).toHaveLength(1);
    await rt.close();
  });

  it("does not retry a 400", async () => {
    server.use(always("get", "*/widgets/:id", 400).handler);
    const rt = acme(server.url);
    const error = await rt.run(getWidget, { id: "w" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ attempts: 1, retryable: false });
    expect(server.requests).toHaveLength(1);
    await rt.close();
  });

  it("stops during backoff as soon as the caller aborts", async () => {
    server.use(always("get", "*/widgets/:id", 503).handler);
    const rt = acme(server.url, { policy: { retry: { attempts: 5, minDelayMs: 5_000, jitter: false } } });
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 100);
    const error = await rt.run(getWidget, { id: "w" }, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toMatchObject({ vendorCode: "ABORTED", retryable: false });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(server.requests).toHaveLength(1);
    await rt.close();
  });

  it("a total deadline aborts a hung server", async () => {
    server.use(always("get", "*/widgets/:id", () => stalledBody(10_000)).handler);
    const rt = acme(server.url, { policy: { timeout: { attemptMs: 5_000, totalMs: 250 } } });
    const started = performance.now();
    const error = await rt.run(getWidget, { id: "w" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ phase: "deadline", timeoutMs: 250, retryable: false, vendor: "acme", operation: "widgets.get" });
    expect(performance.now() - started).toBeLessThan(2_000);
    await rt.close();
  });

  it("an attempt timeout is retried and the next attempt succeeds", async () => {
    server.use(scripted("get", "*/widgets/:id", [() => stalledBody(5_000)]).handler);
    const rt = acme(server.url, { policy: { timeout: { attemptMs: 150, totalMs: 5_000 } } });
    await expect(rt.run(getWidget, { id: "w" })).resolves.toMatchObject({ id: "w" });
    expect(server.requests).toHaveLength(2);
    await rt.close();
  });
});

describe("retry safety", () => {
  it("an unsafe write that got a 503 ends in UnknownOutcomeError and is sent once", async () => {
    server.use(always("post", "*/widgets/send", 503).handler);
    const rt = acme(server.url);
    const error = await rt.run(sendWidget, { name: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ status: 503, attempts: 1, retryable: false, mayHaveReachedVendor: true, vendor: "acme", operation: "widgets.send" });
    expect((error as Error).cause).toBeInstanceOf(ServerError);
    expect(server.requests).toHaveLength(1);
    await rt.close();
  });

  it("an unsafe write is retried after a 429 (rejected before it was acted on)", async () => {
    server.use(scripted("post", "*/widgets/send", [() => rateLimited("0")]).handler);
    const rt = acme(server.url);
    await expect(rt.run(sendWidget, { name: "x" })).resolves.toEqual({ id: "sent-1" });
    expect(server.requests).toHaveLength(2);
    await rt.close();
  });

  it("an unsafe write is retried when the connection was refused", async () => {
    const gone = await serveHandlers([]);
    const url = gone.url;
    await gone.close();
    const rt = acme(url);
    const error = await rt.run(sendWidget, { name: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: "ECONNREFUSED", attempts: 3, mayHaveReachedVendor: false });
    await rt.close();
  });

  it("a checkable write checks before re-sending and returns what the vendor already has", async () => {
    const checks: Array<{ key: string; attempt: number }> = [];
    const createChecked = defineOperation({
      id: "widgets.createChecked",
      input: z.object({ name: z.string() }),
      output: z.object({ id: z.string() }),
      safety: "checkable",
      request: (input, ctx) => ({ method: "POST", path: "/widgets/send", headers: { "x-txn": ctx.idempotencyKey }, body: { json: input } }),
      check: async (_input, ctx) => {
        checks.push({ key: ctx.idempotencyKey, attempt: ctx.attempt });
        return { id: `found-${ctx.idempotencyKey}` };
      },
    });
    server.use(scripted("post", "*/widgets/send", [504]).handler);
    const rt = acme(server.url);
    await expect(rt.run(createChecked, { name: "x" }, { idempotencyKey: "txn-7" })).resolves.toEqual({ id: "found-txn-7" });
    expect(checks).toEqual([{ key: "txn-7", attempt: 2 }]);
    expect(server.requests).toHaveLength(1);
    await rt.close();
  });
});

describe("idempotency store", () => {
  it("20 concurrent identical unsafe writes make one vendor call and get 20 identical results; a repeat gets the stored one", async () => {
    let sent = 0;
    server.use(
      http.post("*/widgets/send", async () => {
        sent += 1;
        await new Promise((r) => setTimeout(r, 30));
        return HttpResponse.json({ id: `sent-${sent}` });
      }),
    );
    const rt = acme(server.url, { idempotencyStore: createMemoryIdempotencyStore() });
    const results = await Promise.all(Array.from({ length: 20 }, () => rt.run(sendWidget, { name: "same" })));
    expect(sent).toBe(1);
    expect(results).toEqual(Array.from({ length: 20 }, () => ({ id: "sent-1" })));
    await expect(rt.run(sendWidget, { name: "same" })).resolves.toEqual({ id: "sent-1" });
    await expect(rt.run(sendWidget, { name: "other" })).resolves.toEqual({ id: "sent-2" });
    expect(sent).toBe(2);
    await rt.close();
  });

  it("a failed write releases its key so the host can try again", async () => {
    server.use(scripted("post", "*/widgets/send", [400]).handler);
    const rt = acme(server.url, { idempotencyStore: createMemoryIdempotencyStore() });
    await expect(rt.run(sendWidget, { name: "x" }, { idempotencyKey: "k1" })).rejects.toBeInstanceOf(ValidationError);
    await expect(rt.run(sendWidget, { name: "x" }, { idempotencyKey: "k1" })).resolves.toEqual({ id: "sent-1" });
    expect(server.requests).toHaveLength(2);
    await rt.close();
  });
});

describe("circuit breaker", () => {
  it("opens after its threshold, rejects without I/O, half-opens after the reset, closes after the success threshold", async () => {
    const states: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (obj: Record<string, unknown>) => obj.state && states.push(String(obj.state)) };
    const rt = acme(server.url, {
      telemetry: { logger },
      policy: { retry: false, breaker: { failureThreshold: 3, successThreshold: 2, resetTimeoutMs: 150 } },
    });
    const failing = always("get", "*/widgets/:id", 500);
    server.use(failing.handler);
    for (let i = 0; i < 3; i += 1) await expect(rt.run(getWidget, { id: "w" })).rejects.toBeInstanceOf(ServerError);
    expect(rt.breakerState()).toBe("open");
    const rejected = await rt.run(getWidget, { id: "w" }).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(CircuitOpenError);
    expect(rejected).toMatchObject({ vendor: "acme", operation: "widgets.get", retryable: false, mayHaveReachedVendor: false });
    expect(server.requests).toHaveLength(3);

    server.resetHandlers();
    await new Promise((r) => setTimeout(r, 200));
    expect(rt.breakerState()).toBe("half-open");
    await expect(rt.run(getWidget, { id: "w" })).resolves.toMatchObject({ id: "w" });
    expect(rt.breakerState()).toBe("half-open");
    await expect(rt.run(getWidget, { id: "w" })).resolves.toMatchObject({ id: "w" });
    expect(rt.breakerState()).toBe("closed");
    expect(states).toEqual(["open", "half-open", "half-open", "closed"]);
    await rt.close();
  });

  it("4xx answers never open it", async () => {
    server.use(always("get", "*/widgets/:id", 404).handler);
    const rt = acme(server.url, { policy: { retry: false, breaker: { failureThreshold: 2, successThreshold: 1, resetTimeoutMs: 10_000 } } });
    for (let i = 0; i < 5; i += 1) await rt.run(getWidget, { id: "w" }).catch(() => undefined);
    expect(rt.breakerState()).toBe("closed");
    expect(server.requests).toHaveLength(5);
    await rt.close();
  });

  it("an open breaker is not retried by the retry layer", async () => {
    server.use(always("get", "*/widgets/:id", 500).handler);
    const rt = acme(server.url, { policy: { retry: { attempts: 10, minDelayMs: 1, jitter: false }, breaker: { failureThreshold: 2, successThreshold: 1, resetTimeoutMs: 60_000 } } });
    const error = await rt.run(getWidget, { id: "w" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({ attempts: 3 });
    expect(server.requests).toHaveLength(2);
    await rt.close();
  });
});

describe("retry budget", () => {
  it("stops retrying once the budget is spent and earns tokens back on success", async () => {
    server.use(always("get", "*/widgets/:id", 503).handler);
    const rt = acme(server.url, { policy: { retry: { attempts: 5, minDelayMs: 1, maxDelayMs: 1, jitter: false }, retryBudget: { capacity: 10, retryCost: 5 } } });
    await rt.run(getWidget, { id: "a" }).catch(() => undefined);
    expect(server.requests).toHaveLength(3); // first try + 2 retries spend the 10 tokens
    server.requests.length = 0;
    const error = await rt.run(getWidget, { id: "b" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ServerError", attempts: 1 });
    expect(server.requests).toHaveLength(1);
    await rt.close();
  });
});

describe("rate limiter", () => {
  it("never exceeds its rate under 10x oversubscription", async () => {
    const rt = acme(server.url, { policy: { limiter: { perSecond: 50, burst: 5 } } });
    const stamps: number[] = [];
    server.use(
      http.get("*/widgets/:id", ({ params }) => {
        stamps.push(performance.now());
        return HttpResponse.json({ id: params.id, name: "n", size: 1 });
      }),
    );
    const started = performance.now();
    await Promise.all(Array.from({ length: 50 }, (_, i) => rt.run(getWidget, { id: String(i) })));
    const elapsed = performance.now() - started;
    expect(stamps).toHaveLength(50);
    // 5 at once, then one every 20 ms: 45 more need at least ~900 ms.
    expect(elapsed).toBeGreaterThanOrEqual(850);
    for (const t of stamps) {
      const inWindow = stamps.filter((s) => s >= t && s < t + 200).length;
      expect(inWindow).toBeLessThanOrEqual(5 + 10 + 1);
    }
    await rt.close();
  });
});

describe("dead letters", () => {
  it("a call that exhausts its retries lands in the sink with error, attempts and times", async () => {
    server.use(always("post", "*/widgets", 503).handler);
    const sink = createMemoryDeadLetterSink();
    const rt = acme(server.url, { deadLetters: sink });
    await rt.run(createWidget, newWidget, { correlationId: "c-9", tenantId: "t1" }).catch(() => undefined);
    const letters = await sink.list();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      kind: "call",
      adapterId: "acme",
      operation: "widgets.create",
      correlationId: "c-9",
      tenantId: "t1",
      attempts: 3,
      payload: newWidget,
      error: { name: "ServerError", status: 503, attempts: 3 },
    });
    const letter = letters[0]!;
    expect(Date.parse(letter.lastAttemptAt)).toBeGreaterThanOrEqual(Date.parse(letter.firstAttemptAt));
    await rt.close();
  });

  it("a validation error is the caller's to fix and is not dead-lettered", async () => {
    const sink = createMemoryDeadLetterSink();
    const rt = acme(server.url, { deadLetters: sink });
    await rt.run(createWidget, { ...newWidget, email: "x" }).catch(() => undefined);
    expect(await sink.list()).toHaveLength(0);
    await rt.close();
  });
});

describe("fallback", () => {
  it("serves from the second provider when the first one's breaker is open, and reports it", async () => {
    server.use(always("get", "*/widgets/:id", 500).handler);
    const primary = acme(server.url, { policy: { retry: false, breaker: { failureThreshold: 1, successThreshold: 1, resetTimeoutMs: 60_000 } } });
    await primary.run(getWidget, { id: "w" }).catch(() => undefined);
    const result = await fallback([
      { name: "primary", run: () => primary.run(getWidget, { id: "w" }) },
      { name: "secondary", run: async () => ({ id: "w", name: "from-b", size: 1 }) },
    ]);
    expect(result.servedBy).toBe("secondary");
    expect(result.value).toEqual({ id: "w", name: "from-b", size: 1 });
    expect(result.failures.map((f) => (f.error as Error).name)).toEqual(["CircuitOpenError"]);
    await primary.close();
  });

  it("does not fall back after an unknown outcome (the write may have happened)", async () => {
    const unknown = new UnknownOutcomeError("maybe sent");
    let secondCalled = false;
    const error = await fallback([
      { name: "a", run: async () => Promise.reject(unknown) },
      { name: "b", run: async () => { secondCalled = true; return 1; } },
    ]).catch((e: unknown) => e);
    expect(error).toBe(unknown);
    expect(secondCalled).toBe(false);
  });
});

describe("fallback default rule", () => {
  it("moves on only when the failed provider provably did nothing", async () => {
    const { defaultShouldFallback } = await import("../src/resilience/fallback.js");
    const cases: Array<[string, unknown, boolean]> = [
      ["open breaker", new CircuitOpenError("open"), true],
      ["refused connection", new NetworkError("refused", { code: "ECONNREFUSED", mayHaveReachedVendor: false }), true],
      ["429", new RateLimitedError("slow down", { status: 429, mayHaveReachedVendor: false }), true],
      ["bad credentials", new AuthError("401", { status: 401 }), true],
      ["503 after a write may have happened", new ServerError("503", { status: 503 }), false],
      ["connection reset mid-response", new NetworkError("reset", { code: "ECONNRESET" }), false],
      ["unknown outcome", new UnknownOutcomeError("maybe"), false],
      ["validation", new ValidationError("bad", { issues: [] }), false],
      ["not one of ours", new Error("boom"), false],
    ];
    expect(cases.map(([name, error]) => [name, defaultShouldFallback(error)])).toEqual(cases.map(([name, , expected]) => [name, expected]));
  });

  it("a 5xx from the first provider is not re-done by the second unless shouldFallback says so", async () => {
    const failure = new ServerError("503 on create", { status: 503 });
    let secondCalls = 0;
    const providers = [
      { name: "a", run: async () => Promise.reject(failure) },
      { name: "b", run: async () => (secondCalls += 1) },
    ];
    await expect(fallback(providers)).rejects.toBe(failure);
    expect(secondCalls).toBe(0);
    await expect(fallback(providers, { shouldFallback: (e) => IntegrationError.is(e) && e.retryable })).resolves.toMatchObject({ servedBy: "b", value: 1 });
  });
});

describe("errors across copies of core", () => {
  it("IntegrationError.is and instanceof recognise an error from another copy by its brand", () => {
    class ForeignServerError extends Error {}
    const foreign = Object.assign(new ForeignServerError("x"), { retryable: true });
    Object.defineProperty(foreign, Symbol.for("@connect/core.IntegrationError"), { value: true });
    Object.defineProperty(ForeignServerError, "name", { value: "ServerError" });
    expect(IntegrationError.is(foreign)).toBe(true);
    expect(foreign instanceof IntegrationError).toBe(true);
    expect(foreign instanceof ServerError).toBe(true);
    expect(foreign instanceof TimeoutError).toBe(false);
    expect(new Error("plain") instanceof IntegrationError).toBe(false);
  });
});

describe("runtime without a base URL", () => {
  it("runs execute-based operations (SDK clients) through the same policy", async () => {
    let calls = 0;
    const op = defineOperation({
      id: "sdk.call",
      input: z.object({}),
      output: z.object({ ok: z.boolean() }),
      idempotent: true,
      execute: async () => {
        calls += 1;
        if (calls < 2) throw Object.assign(new Error("Throttling"), { name: "ThrottlingException" });
        return { ok: true };
      },
    });
    const rt = createRuntime({
      adapter: { id: "sdk", version: "1.0.0" },
      policy: { retry: { attempts: 3, minDelayMs: 1, jitter: false } },
      mapError: (error) => ((error as Error).name === "ThrottlingException" ? new RateLimitedError("throttled") : undefined),
    });
    await expect(rt.run(op, {})).resolves.toEqual({ ok: true });
    expect(calls).toBe(2);
    await rt.close();
  });
});

import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkHealth, createMemoryDeadLetterSink, ServerError } from "../src/index.js";
import { always, serveHandlers, type ServedHandlers } from "../src/testing/index.js";
import { acme, getWidget } from "./helpers.js";

let server: ServedHandlers;
beforeAll(async () => {
  server = await serveHandlers([http.get("*/widgets/:id", ({ params }) => HttpResponse.json({ id: params.id, name: "n", size: 1 }))]);
});
afterAll(() => server.close());

const breaker = { failureThreshold: 2, successThreshold: 1, resetTimeoutMs: 60_000 };

describe("checkHealth", () => {
  it("reports each adapter with latency, breaker state and version, rolled up to one status", async () => {
    const up = acme(server.url, { healthCheck: (rt) => rt.run(getWidget, { id: "health" }), policy: { retry: false, breaker } });
    const down = acme("http://127.0.0.1:1", { adapter: { id: "down", version: "2.0.0" }, healthCheck: (rt) => rt.run(getWidget, { id: "h" }), policy: { retry: false } });
    const report = await checkHealth([
      { id: "acme", version: "1.2.3", healthCheck: () => up.healthCheck() },
      { id: "down", version: "2.0.0", healthCheck: () => down.healthCheck() },
    ]);
    expect(report.status).toBe("degraded");
    expect(report.adapters.acme).toMatchObject({ status: "healthy", breaker: "closed", version: "1.2.3" });
    expect(report.adapters.acme!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(report.adapters.down).toMatchObject({ status: "unhealthy", version: "2.0.0" });
    expect(report.adapters.down!.error).toMatch(/ECONNREFUSED/);
    await up.close();
    await down.close();
  });

  it("an open breaker makes the adapter unhealthy, and a check that hangs is cut off", async () => {
    const rt = acme(server.url, { healthCheck: (r) => r.run(getWidget, { id: "health" }), policy: { retry: false, breaker } });
    server.use(always("get", "*/widgets/:id", 500).handler);
    for (let i = 0; i < 2; i += 1) await expect(rt.run(getWidget, { id: "x" })).rejects.toBeInstanceOf(ServerError);
    server.resetHandlers();
    const report = await checkHealth([
      { id: "acme", version: "1.2.3", healthCheck: () => rt.healthCheck() },
      { id: "slow", version: "0.1.0", healthCheck: () => new Promise(() => undefined) },
    ], { timeoutMs: 100 });
    expect(report.status).toBe("unhealthy");
    expect(report.adapters.acme).toMatchObject({ status: "unhealthy", breaker: "open" });
    expect(report.adapters.slow).toMatchObject({ status: "unhealthy", error: "health check timed out after 100 ms" });
    await rt.close();
  });
});

describe("health probes and dead letters", () => {
  it("a failed health check is reported unhealthy but never dead-lettered, while the same failed call is", async () => {
    const deadLetters = createMemoryDeadLetterSink();
    const rt = acme(server.url, { deadLetters, healthCheck: (r) => r.run(getWidget, { id: "health" }), policy: { retry: false } });
    server.use(always("get", "*/widgets/:id", 503).handler);
    expect(await rt.healthCheck()).toMatchObject({ status: "unhealthy" });
    expect(await deadLetters.list()).toEqual([]);
    await expect(rt.run(getWidget, { id: "real-work" })).rejects.toBeInstanceOf(ServerError);
    expect((await deadLetters.list()).map((l) => [l.operation, l.payload])).toEqual([["widgets.get", { id: "real-work" }]]);
    server.resetHandlers();
    await rt.close();
  });
});

describe("per-tenant policy", () => {
  it("a perTenant breaker opened by one tenant does not stop another", async () => {
    const rt = acme(server.url, { policy: { retry: false, breaker: { ...breaker, perTenant: true } } });
    server.use(always("get", "*/widgets/:id", 503).handler);
    for (let i = 0; i < 2; i += 1) await rt.run(getWidget, { id: "x" }, { tenantId: "t1" }).catch(() => undefined);
    server.resetHandlers();
    expect(rt.breakerState("t1")).toBe("open");
    await expect(rt.run(getWidget, { id: "x" }, { tenantId: "t1" })).rejects.toMatchObject({ name: "CircuitOpenError" });
    await expect(rt.run(getWidget, { id: "x" }, { tenantId: "t2" })).resolves.toMatchObject({ id: "x" });
    expect(rt.breakerState("t2")).toBe("closed");
    await rt.close();
  });

  it("a tenant override replaces the client's retry policy for that tenant only", async () => {
    const rt = acme(server.url, { policy: { retry: { attempts: 3, minDelayMs: 1, jitter: false }, tenants: { vip: { retry: { attempts: 5 } } } } });
    server.use(always("get", "*/widgets/:id", 503).handler);
    const other = await rt.run(getWidget, { id: "x" }, { tenantId: "t1" }).catch((e: unknown) => e);
    const vip = await rt.run(getWidget, { id: "x" }, { tenantId: "vip" }).catch((e: unknown) => e);
    server.resetHandlers();
    expect(other).toMatchObject({ name: "ServerError", attempts: 3 });
    expect(vip).toMatchObject({ name: "ServerError", attempts: 5 });
    await rt.close();
  });
});

/**
 * Distributed mode against a real redis-server (REDIS_URL; `.ci/run` starts one): several
 * worker processes on the built package share one quota, one idempotency store and one token.
 */
import { http, HttpResponse, delay } from "msw";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { serveHandlers, type ServedHandlers } from "../../src/testing/index.js";
import { createStoredTokenManager } from "../../src/index.js";
import { connectRedis, createRedisTokenStore, type RedisClient } from "../../src/redis/index.js";
import { freshPrefix, REDIS_URL, startWorker, type Worker } from "./helpers.js";

const servers: ServedHandlers[] = [];
const workers: Worker[] = [];
afterEach(async () => {
  for (const worker of workers.splice(0)) worker.child.kill("SIGKILL");
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(...handlers: Parameters<typeof serveHandlers>[0]): Promise<ServedHandlers> {
  const server = await serveHandlers(handlers);
  servers.push(server);
  return server;
}

function spawnAll(n: number, config: (worker: number) => Record<string, unknown>): Worker[] {
  const started = Array.from({ length: n }, (_, worker) => startWorker({ worker, ...config(worker) }));
  workers.push(...started);
  return started;
}

/** Give every worker time to connect, then start them together. */
async function goAll(started: Worker[]): Promise<Array<Record<string, unknown>>> {
  await new Promise((resolve) => setTimeout(resolve, 600));
  for (const worker of started) worker.go();
  return Promise.all(started.map((w) => w.result));
}

describe.runIf(REDIS_URL)("distributed mode (Redis at REDIS_URL)", () => {
  let redis: RedisClient;
  beforeAll(async () => {
    redis = await connectRedis(REDIS_URL!);
    return () => redis.quit().then(() => undefined);
  });

  it("4 processes sharing a 10 req/s limiter send 100 calls and no 1-second window at the vendor holds more than 10", async () => {
    const arrivals: number[] = [];
    const server = await serve(
      http.get("*/ping", () => {
        arrivals.push(performance.timeOrigin + performance.now());
        return HttpResponse.json({ ok: true });
      }),
    );
    const prefix = freshPrefix();
    // Arrivals are stamped in this test process, which shares two cores with the rest of the
    // suite: a stall of its event loop stamps the requests that queued meanwhile together. With
    // headroom 0.5 (starts 200 ms apart, 5/s) a window exceeds 10 only if stamps bunch by more
    // than a second; a limiter that did not share its schedule across the four processes would
    // still show 20/s at once. (0.1 and 0.2 both failed on a loaded CI machine: 111 and 250 ms.)
    const results = await goAll(spawnAll(4, () => ({ scenario: "limiter", url: server.url, prefix, vendor: "acme", perSecond: 10, headroom: 0.5, calls: 25 })));

    expect(results.map((r) => r.ok)).toEqual([25, 25, 25, 25]);
    expect(arrivals).toHaveLength(100);
    arrivals.sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0, j = 0; i < arrivals.length; i += 1) {
      while (arrivals[j]! <= arrivals[i]! - 1000) j += 1;
      busiest = Math.max(busiest, i - j + 1);
    }
    expect(busiest).toBeLessThanOrEqual(10);
    // The four workers shared one schedule at 5/s (about 20 s); unshared they would finish in 5 s.
    const servedFor = (arrivals.at(-1)! - arrivals[0]!) / 1000;
    expect(servedFor).toBeGreaterThan(15);
    // Every worker's calls reached the vendor, interleaved.
    const byWorker = new Set(server.requests.map((r) => new URL(r.url, server.url).searchParams.get("worker")));
    expect([...byWorker].sort()).toEqual(["0", "1", "2", "3"]);
  }, 90_000);

  it("20 concurrent identical writes from 4 processes make exactly one vendor call and get 20 identical results", async () => {
    let created = 0;
    const server = await serve(
      http.post("*/charges", async ({ request }) => {
        created += 1;
        const body = (await request.json()) as { amount: number };
        await delay(400); // long enough that every worker's calls arrive while the first is in flight
        return HttpResponse.json({ id: `ch_${created}`, amount: body.amount });
      }),
    );
    const prefix = freshPrefix();
    const results = await goAll(spawnAll(4, () => ({ scenario: "idempotency", url: server.url, prefix, key: "draw-77-fee", calls: 5 })));

    expect(results.map((r) => r.error)).toEqual([undefined, undefined, undefined, undefined]);
    const all = results.flatMap((r) => r.results as unknown[]);
    expect(all).toHaveLength(20);
    expect(new Set(all.map((r) => JSON.stringify(r)))).toEqual(new Set([JSON.stringify({ id: "ch_1", amount: 125 })]));
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  }, 60_000);

  it("10 processes that need a token refresh cause exactly one refresh call, and all use its token", async () => {
    let refreshes = 0;
    const server = await serve(
      http.post("*/oauth/token", async ({ request }) => {
        refreshes += 1;
        const presented = await request.text();
        await delay(200);
        // The vendor rotates the refresh token: the old one must be presented exactly once.
        if (presented !== "refresh-1") return HttpResponse.json({ error: "invalid_grant" }, { status: 400 });
        return HttpResponse.json({ access_token: `access-${refreshes + 1}`, refresh_token: `refresh-${refreshes + 1}`, expires_in: 3600 });
      }),
      http.get("*/me", ({ request }) =>
        request.headers.get("authorization") === "Bearer access-2" ? HttpResponse.json({ user: "ops@lender.example" }) : new HttpResponse(null, { status: 401 }),
      ),
    );
    const prefix = freshPrefix();
    // What the host stored after the first authorisation: an access token that has expired.
    const store = createRedisTokenStore({ redis, prefix });
    await store.set("acme:realm-1", { accessToken: "access-1", refreshToken: "refresh-1", expiresAt: Date.now() - 1000 });
    await store.close();

    const results = await goAll(spawnAll(10, () => ({ scenario: "tokens", url: server.url, prefix, key: "acme:realm-1" })));

    expect(results.map((r) => r.error)).toEqual(Array(10).fill(undefined));
    expect(refreshes).toBe(1);
    expect(results.map((r) => r.token)).toEqual(Array(10).fill("access-2"));
    expect(results.map((r) => r.user)).toEqual(Array(10).fill("ops@lender.example"));
    expect(results.reduce((sum, r) => sum + (r.refreshes as number), 0)).toBe(1);
  }, 60_000);

  it("a refresh lock whose owner was killed expires, and another worker refreshes", async () => {
    let refreshes = 0;
    let ownerArrived: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => (ownerArrived = resolve));
    const server = await serve(
      http.post("*/oauth/token", async () => {
        refreshes += 1;
        if (refreshes === 1) {
          ownerArrived();
          await delay("infinite"); // the owner dies while its refresh hangs
        }
        return HttpResponse.json({ access_token: "access-after-crash", refresh_token: "refresh-2", expires_in: 3600 });
      }),
      http.get("*/me", () => HttpResponse.json({ user: "ops@lender.example" })),
    );
    const prefix = freshPrefix();
    const key = "acme:realm-2";
    const seed = createRedisTokenStore({ redis, prefix });
    await seed.set(key, { accessToken: "stale", refreshToken: "refresh-1", expiresAt: 0 });
    await seed.close();

    const [owner] = spawnAll(1, () => ({ scenario: "tokens", url: server.url, prefix, key, lockTtlMs: 800 }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    owner!.go();
    await arrived;
    owner!.child.kill("SIGKILL");
    expect(await redis.exists(`${prefix}token-lock:${key}`)).toBe(1);

    const store = createRedisTokenStore({ redis, prefix, lockTtlMs: 800 });
    const tokens = createStoredTokenManager({
      store,
      key,
      refresh: async (current) => {
        const response = await fetch(`${server.url}/oauth/token`, { method: "POST", body: current?.refreshToken ?? "" });
        const body = (await response.json()) as { access_token: string; refresh_token: string; expires_in: number };
        return { accessToken: body.access_token, refreshToken: body.refresh_token, expiresAt: Date.now() + body.expires_in * 1000 };
      },
    });
    expect(await tokens.getToken()).toBe("access-after-crash");
    expect(refreshes).toBe(2);
    expect(await store.get(key)).toMatchObject({ accessToken: "access-after-crash", refreshToken: "refresh-2" });
    expect(await redis.exists(`${prefix}token-lock:${key}`)).toBe(0);
    await store.close();
  }, 60_000);
});

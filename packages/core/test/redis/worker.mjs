// A worker process for the distributed-mode tests. It uses the BUILT @connect/core (as a host
// would) and Redis at REDIS_URL, waits for "go" on stdin so all workers start together, runs
// one scenario and prints its result as one JSON line.
import { createInterface } from "node:readline";
import { z } from "zod";
import { createRuntime, createStoredTokenManager, defineOperation, tokenAuth } from "@connect/core";
import { connectRedis, createRedisIdempotencyStore, createRedisTokenStore, redisLimiter } from "@connect/core/redis";

const config = JSON.parse(process.argv[2]);
const redis = await connectRedis(process.env.REDIS_URL);

const ping = defineOperation({
  id: "ping.get",
  input: z.object({ n: z.number() }),
  output: z.object({ ok: z.boolean() }),
  idempotent: true,
  request: ({ n }) => ({ method: "GET", path: `/ping?n=${n}&worker=${config.worker}` }),
});
const charge = defineOperation({
  id: "charges.create",
  input: z.object({ amount: z.number() }),
  output: z.object({ id: z.string(), amount: z.number() }),
  safety: "unsafe",
  request: (input) => ({ method: "POST", path: "/charges", body: { json: input } }),
});
const me = defineOperation({
  id: "me.get",
  input: z.object({}),
  output: z.object({ user: z.string() }),
  idempotent: true,
  request: () => ({ method: "GET", path: "/me" }),
});

const policy = { retry: { attempts: 1 }, breaker: false, timeout: { attemptMs: 30_000, totalMs: 60_000 } };

async function refreshGrant(current) {
  const response = await fetch(`${config.url}/oauth/token`, { method: "POST", body: current?.refreshToken ?? "" });
  if (!response.ok) throw new Error(`refresh failed: ${response.status}`);
  const body = await response.json();
  return { accessToken: body.access_token, refreshToken: body.refresh_token, expiresAt: Date.now() + body.expires_in * 1000 };
}

const scenarios = {
  async limiter() {
    const runtime = createRuntime({
      adapter: { id: config.vendor, version: "0.0.0" },
      baseUrl: config.url,
      policy: { ...policy, limiter: { perSecond: config.perSecond, create: redisLimiter({ redis, prefix: config.prefix, headroom: config.headroom }) } },
    });
    const results = await Promise.all(Array.from({ length: config.calls }, (_, n) => runtime.run(ping, { n })));
    await runtime.close();
    return { ok: results.filter((r) => r.ok).length };
  },
  async idempotency() {
    const store = createRedisIdempotencyStore({ redis, prefix: config.prefix });
    const runtime = createRuntime({ adapter: { id: "acme", version: "0.0.0" }, baseUrl: config.url, policy, idempotencyStore: store });
    const results = await Promise.all(
      Array.from({ length: config.calls }, () => runtime.run(charge, { amount: 125 }, { idempotencyKey: config.key })),
    );
    await runtime.close();
    await store.close();
    return { results };
  },
  async tokens() {
    const store = createRedisTokenStore({ redis, prefix: config.prefix, lockTtlMs: config.lockTtlMs ?? 15_000 });
    const tokens = createStoredTokenManager({ store, key: config.key, refresh: refreshGrant });
    const runtime = createRuntime({ adapter: { id: "acme", version: "0.0.0" }, baseUrl: config.url, policy, auth: tokenAuth(tokens) });
    const result = await runtime.run(me, {});
    const token = await tokens.getToken();
    await runtime.close();
    await store.close();
    return { user: result.user, token, refreshes: tokens.fetches };
  },
};

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() !== "go") continue;
  try {
    const result = await scenarios[config.scenario]();
    process.stdout.write(`${JSON.stringify({ worker: config.worker, ...result })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ worker: config.worker, error: { name: error.name, message: error.message } })}\n`);
  }
  break;
}
lines.close();
await redis.quit();

// Distributed limiter accuracy (needs REDIS_URL; skipped without it): two worker processes share
// one vendor quota through `redisLimiter` from @connect/core/redis, each offering 5× the quota at
// once (10× together) against a loopback server in this process, which stamps each request as it
// arrives — what the vendor would count. Reports the achieved combined rate against the configured
// one and the most requests that arrived in any one-second window.
//   REDIS_URL=redis://127.0.0.1:6379 npx node bench/limiter-distributed.mjs [--smoke]
import { fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath, pathToFileURL } from "node:url";
import { maxInWindow, parseArgs, startArrivalServer } from "./lib.mjs";

const WORKERS = 2;

async function worker(url, prefix, perSecond, calls) {
  const [{ createRuntime, defineOperation }, { connectRedis, redisLimiter }, { z }] = await Promise.all([import("@connect/core"), import("@connect/core/redis"), import("zod")]);
  const redis = await connectRedis(process.env.REDIS_URL);
  const op = defineOperation({ id: "limit.get", input: z.object({}), output: z.object({ ok: z.boolean() }), idempotent: true, request: () => ({ method: "GET", path: "/" }) });
  const runtime = createRuntime({ adapter: { id: "bench-limit", version: "0.0.0" }, baseUrl: url, policy: { limiter: { perSecond, create: redisLimiter({ redis, prefix }) } } });
  // Start together: the parent says go once both workers are connected.
  process.send({ ready: true });
  await new Promise((resolve) => process.once("message", resolve));
  await Promise.all(Array.from({ length: calls }, () => runtime.run(op, {})));
  await runtime.close();
  redis.disconnect();
  process.send({ done: calls });
}

/** Run it; undefined when REDIS_URL is not set. */
export async function benchDistributedLimiter({ smoke = false } = {}) {
  if (!process.env.REDIS_URL) return undefined;
  const perSecond = smoke ? 40 : 20;
  const perWorker = perSecond * (smoke ? 1 : 5);
  const { url, arrivals, stop } = await startArrivalServer();
  const prefix = `bench:${randomUUID()}:`;
  const children = Array.from({ length: WORKERS }, () =>
    fork(fileURLToPath(import.meta.url), ["--worker", url, prefix, String(perSecond), String(perWorker)], { stdio: ["ignore", "inherit", "inherit", "ipc"] }),
  );
  try {
    const next = (child) =>
      new Promise((resolve, reject) => {
        child.once("message", resolve);
        child.once("exit", (code) => code !== 0 && reject(new Error(`limiter worker exited ${code}`)));
      });
    await Promise.all(children.map(next));
    const started = performance.now();
    const done = children.map(next);
    for (const child of children) child.send({ go: true });
    await Promise.all(done);
    if (arrivals.length !== WORKERS * perWorker) throw new Error(`${arrivals.length} requests arrived, expected ${WORKERS * perWorker}`);
    const elapsedSec = (Math.max(...arrivals) - started) / 1000;
    return { workers: WORKERS, configured: perSecond, calls: arrivals.length, achieved: arrivals.length / elapsedSec, maxInWindow: maxInWindow(arrivals) };
  } finally {
    for (const child of children) child.kill();
    stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf("--worker");
  if (at > 0) {
    const [url, prefix, perSecond, calls] = process.argv.slice(at + 1);
    await worker(url, prefix, Number(perSecond), Number(calls));
  } else {
    const { smoke } = parseArgs();
    console.log(JSON.stringify((await benchDistributedLimiter({ smoke })) ?? { skipped: "REDIS_URL is not set" }, null, 2));
  }
}

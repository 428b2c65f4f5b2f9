// BullMQ job throughput (needs REDIS_URL; skipped without it): N jobs enqueued in bulk, then
// processed at concurrency 16 with a trivial handler, by
//   (a) bare BullMQ — Queue.addBulk (each job with its own id) + a Worker with a processor, and
//   (b) @connect/jobs on createBullMqBackend — queue.enqueueMany + queue.work({ concurrency: 16 }),
// on the same Redis, interleaved round after round (a, b, a, b, …); figures are medians of the rounds.
// The ratio (b)/(a) is the share of bare BullMQ's jobs/s that our layer keeps (goal ≥ 0.8): it pays
// for payload validation, the job record, leases, events and spans, on top of BullMQ's own work.
//   REDIS_URL=redis://127.0.0.1:6379 npx node bench/jobs-bullmq.mjs [--smoke]
// Imports the built packages: run `npm run build` (or `npx tsup` in packages/jobs) first.
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { median, parseArgs } from "./lib.mjs";

const CONCURRENCY = 16;

async function loadModules() {
  const dist = new URL("../packages/jobs/dist/", import.meta.url);
  const [jobs, bullmqBackend, bullmq, ioredis, zod] = await Promise.all([
    import(new URL("index.js", dist).href),
    import(new URL("bullmq.js", dist).href),
    import("bullmq"),
    import("ioredis"),
    import("zod"),
  ]);
  return { jobs, bullmqBackend, bullmq, Redis: ioredis.Redis, z: zod.z };
}

/** Delete every key under `prefix`. */
async function dropKeys(redis, prefix) {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
}

/** `tick()` on every completion; `done` resolves with the time of the n-th. */
function doneAfter(n) {
  let seen = 0;
  let resolve;
  const done = new Promise((r) => (resolve = r));
  return { tick: () => (seen += 1) === n && resolve(performance.now()), done };
}

async function bareRound(m, url, n) {
  const prefix = `bench-bare-${randomUUID().slice(0, 8)}`;
  const name = "bench";
  const redis = new m.Redis(url);
  const workerRedis = new m.Redis(url, { maxRetriesPerRequest: null });
  const queue = new m.bullmq.Queue(name, { connection: redis, prefix });
  try {
    await queue.waitUntilReady();
    // The same settings our backend gives its jobs: an id per job, completed ids kept a day, one attempt.
    const jobs = Array.from({ length: n }, (_, i) => ({ name: "bench.noop", data: { i }, opts: { jobId: `b-${i}`, attempts: 1, removeOnComplete: { age: 86_400 }, removeOnFail: { count: 0 } } }));
    const enqueueStart = performance.now();
    for (let i = 0; i < jobs.length; i += 5_000) await queue.addBulk(jobs.slice(i, i + 5_000));
    const enqueueMs = performance.now() - enqueueStart;
    const finished = doneAfter(n);
    const worker = new m.bullmq.Worker(name, async () => undefined, { connection: workerRedis, prefix, concurrency: CONCURRENCY, autorun: false, removeOnComplete: { age: 86_400 }, removeOnFail: { count: 0 } });
    worker.on("completed", finished.tick);
    worker.on("error", () => undefined);
    await worker.waitUntilReady();
    const processStart = performance.now();
    void worker.run();
    const processEnd = await finished.done;
    await worker.close();
    return { enqueueMs, processMs: processEnd - processStart };
  } finally {
    await queue.close();
    await dropKeys(redis, prefix);
    redis.disconnect();
    workerRedis.disconnect();
  }
}

async function connectRound(m, url, n) {
  const prefix = `bench-connect-${randomUUID().slice(0, 8)}`;
  const admin = new m.Redis(url);
  const finished = doneAfter(n);
  const noop = m.jobs.defineJob({ name: "bench.noop", payload: m.z.object({ i: m.z.number() }), handler: () => undefined });
  const backend = m.bullmqBackend.createBullMqBackend({ connection: url, prefix });
  const queue = m.jobs.createJobQueue({ name: "bench", backend, jobs: [noop], onEvent: (event) => event.type === "completed" && finished.tick() });
  try {
    const items = Array.from({ length: n }, (_, i) => ({ job: noop, payload: { i } }));
    const enqueueStart = performance.now();
    for (let i = 0; i < items.length; i += 5_000) await queue.enqueueMany(items.slice(i, i + 5_000));
    const enqueueMs = performance.now() - enqueueStart;
    const processStart = performance.now();
    const worker = queue.work({ concurrency: CONCURRENCY });
    const processEnd = await finished.done;
    await worker.stop();
    return { enqueueMs, processMs: processEnd - processStart };
  } finally {
    await backend.close();
    await dropKeys(admin, prefix);
    admin.disconnect();
  }
}

/** Run it; undefined when REDIS_URL is not set. */
export async function benchJobsBullMq({ smoke = false } = {}) {
  const url = process.env.REDIS_URL;
  if (!url) return undefined;
  const m = await loadModules();
  const n = smoke ? 300 : 20_000;
  const rounds = smoke ? 1 : 7;
  // Warm both paths up (JIT, script loading) before anything is measured.
  await bareRound(m, url, Math.min(n, 2_000));
  await connectRound(m, url, Math.min(n, 2_000));
  const bare = [];
  const connect = [];
  // Pairs run back to back, in alternating order, so both sides of a pair see the same machine load;
  // the ratios are medians of the pairs' ratios (on a shared machine these move less than the rates).
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) {
      bare.push(await bareRound(m, url, n));
      connect.push(await connectRound(m, url, n));
    } else {
      connect.push(await connectRound(m, url, n));
      bare.push(await bareRound(m, url, n));
    }
  }
  const perSec = (ms) => (n / ms) * 1000;
  const phases = { jobsPerSec: (r) => perSec(r.enqueueMs + r.processMs), enqueuePerSec: (r) => perSec(r.enqueueMs), processPerSec: (r) => perSec(r.processMs) };
  const summary = (runs) => Object.fromEntries(Object.entries(phases).map(([key, rate]) => [key, Math.round(median(runs.map(rate)))]));
  const ratio = Object.fromEntries(Object.entries(phases).map(([key, rate]) => [key.replace("PerSec", ""), Number(median(bare.map((b, i) => rate(connect[i]) / rate(b))).toFixed(3))]));
  return { bench: "jobs-bullmq", jobs: n, concurrency: CONCURRENCY, rounds, bare: summary(bare), connect: summary(connect), ratio, goal: 0.8, node: process.version };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { smoke } = parseArgs();
  const result = (await benchJobsBullMq({ smoke })) ?? { bench: "jobs-bullmq", skipped: "REDIS_URL is not set" };
  console.log(JSON.stringify(result));
  process.exit(0);
}

// Per-call overhead: a full @connect/core call (validation, limiter with a high limit,
// breaker, retry, span, metrics, response validation) against a loopback node:http server
// returning a canned vendor response, versus a raw undici request() to the same server.
// Also: limiter accuracy under 10x oversubscription.
import { fork } from "node:child_process";
import { request, Agent } from "undici";
import { z } from "zod";
import { createRuntime, defineOperation } from "@connect/core";
import { benchDistributedLimiter } from "./limiter-distributed.mjs";
import { profile } from "./profile.mjs";
import { maxInWindow, median, parseArgs, startArrivalServer } from "./lib.mjs";

const CANNED = JSON.stringify({ sid: "SM0123456789abcdef0123456789abcdef", status: "queued", to: "+15551234567", body: "Reply CONFIRM to acknowledge", num_segments: "1" });

/** Start the canned server in a child process; resolves with its URL and a stop function. */
export async function startCannedServer(body) {
  const child = fork(new URL("./canned-server.mjs", import.meta.url).pathname, [], { env: { ...process.env, CANNED_BODY: body } });
  const { port } = await new Promise((resolve) => child.once("message", resolve));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

const Message = z.object({ sid: z.string(), status: z.string(), to: z.string(), body: z.string(), num_segments: z.coerce.number() });
const getMessage = defineOperation({
  id: "messages.get",
  input: z.object({ sid: z.string().regex(/^SM[0-9a-f]{32}$/) }),
  output: Message,
  idempotent: true,
  request: ({ sid }) => ({ method: "GET", path: `/Messages/${sid}.json` }),
});

async function throughput(fn, { concurrency, durationMs }) {
  let done = 0;
  const deadline = performance.now() + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await fn();
        done += 1;
      }
    }),
  );
  return (done / durationMs) * 1000;
}

export async function benchOverhead({ smoke }) {
  const { url, stop } = await startCannedServer(CANNED);
  const durationMs = smoke ? 150 : 2_000;
  const rounds = smoke ? 1 : 5;
  const runtime = createRuntime({
    adapter: { id: "bench", version: "0.0.0" },
    baseUrl: url,
    policy: {
      retry: { attempts: 3 },
      breaker: { failureThreshold: 5, successThreshold: 2, resetTimeoutMs: 30_000 },
      limiter: { perSecond: 1_000_000, burst: 1_000_000 },
    },
  });
  const agent = new Agent({ keepAliveTimeout: 4_000, connections: 32 });
  const sid = "SM0123456789abcdef0123456789abcdef";
  const raw = async () => {
    const res = await request(`${url}/Messages/${sid}.json`, { dispatcher: agent, headers: { accept: "application/json" } });
    await res.body.json();
  };
  // What any client that can cancel a request pays in undici: an AbortController per request, a
  // timeout armed on it, and the signal passed to request(). Not the goal's floor (that stays raw
  // undici); it shows how much of the gap is undici's signal path rather than our code.
  const rawSignal = async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 30_000);
    try {
      const res = await request(`${url}/Messages/${sid}.json`, { dispatcher: agent, headers: { accept: "application/json" }, signal: controller.signal });
      await res.body.json();
    } finally {
      clearTimeout(timer);
    }
  };
  const sdk = () => runtime.run(getMessage, { sid });
  // warm up every path
  for (let i = 0; i < 200; i += 1) {
    await raw();
    await rawSignal();
    await sdk();
  }
  const rows = [];
  for (const concurrency of [1, 16]) {
    const rawRuns = [];
    const signalRuns = [];
    const sdkRuns = [];
    for (let r = 0; r < rounds; r += 1) {
      rawRuns.push(await throughput(raw, { concurrency, durationMs }));
      signalRuns.push(await throughput(rawSignal, { concurrency, durationMs }));
      sdkRuns.push(await throughput(sdk, { concurrency, durationMs }));
    }
    const rawRate = median(rawRuns);
    const signalRate = median(signalRuns);
    const sdkRate = median(sdkRuns);
    rows.push({
      concurrency,
      rawRate,
      signalRate,
      sdkRate,
      ratio: sdkRate / rawRate,
      signalRatio: signalRate / rawRate,
      addedUs: (1e6 / sdkRate - 1e6 / rawRate) * concurrency,
      signalAddedUs: (1e6 / signalRate - 1e6 / rawRate) * concurrency,
    });
  }
  // Where a full call's time goes when the goal is missed (in-process CPU profile at concurrency 16).
  const c16 = rows.find((r) => r.concurrency === 16);
  let profiled;
  if (c16.ratio < 0.85) {
    // Both paths, so the added time per call can be put on the modules it is spent in.
    const profileMs = smoke ? 100 : 1500;
    const perCall = async (fn) => {
      let callsPerSecond = 0;
      const data = await profile(async () => {
        callsPerSecond = await throughput(fn, { concurrency: 16, durationMs: profileMs });
      });
      return { ...data, calls: (callsPerSecond * profileMs) / 1000 };
    };
    profiled = { raw: await perCall(raw), sdk: await perCall(sdk) };
  }
  await runtime.close();
  await agent.close();
  const ownCpu = await ownCodeCpu({ smoke });

  // Limiter accuracy: 10 req/s configured, 10× oversubscribed (ten seconds of calls offered at once);
  // a loopback server in this process stamps each request as it arrives, as the vendor would count it.
  const limitRate = smoke ? 20 : 10;
  const arrival = await startArrivalServer();
  const limited = createRuntime({
    adapter: { id: "bench-limit", version: "0.0.0" },
    baseUrl: arrival.url,
    policy: { limiter: { perSecond: limitRate, burst: limitRate } },
  });
  const ok = defineOperation({ id: "limit.get", input: z.object({}), output: z.object({ ok: z.boolean() }), idempotent: true, request: () => ({ method: "GET", path: "/" }) });
  const limitCalls = smoke ? 30 : 100;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: limitCalls }, () => limited.run(ok, {})));
  const elapsed = (Math.max(...arrival.arrivals) - t0) / 1000;
  const maxWindow = maxInWindow(arrival.arrivals);
  await limited.close();
  arrival.stop();
  stop();
  const distributed = await benchDistributedLimiter({ smoke });
  return {
    rows,
    limiter: { configured: limitRate, burst: limitRate, calls: limitCalls, achieved: limitCalls / elapsed, maxInWindow: maxWindow },
    distributed,
    profile: profiled,
    ownCpu,
  };
}

/**
 * CPU µs per call of the same client call with the network taken out: an `execute` operation that
 * returns the canned body at once, 16 calls in flight, same policy. What our own code costs,
 * without the cache and scheduling effects of real socket I/O around it.
 */
async function ownCodeCpu({ smoke }) {
  const body = JSON.parse(CANNED);
  const local = defineOperation({ ...getMessage, request: undefined, execute: async () => ({ ...body }) });
  const runtime = createRuntime({
    adapter: { id: "bench-cpu", version: "0.0.0" },
    policy: {
      retry: { attempts: 3 },
      breaker: { failureThreshold: 5, successThreshold: 2, resetTimeoutMs: 30_000 },
      limiter: { perSecond: 1_000_000_000, burst: 1_000_000_000 },
    },
  });
  const calls = smoke ? 2_000 : 50_000;
  const burst = async () => {
    let left = calls;
    const started = process.cpuUsage();
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (left-- > 0) await runtime.run(local, { sid: body.sid });
    }));
    const used = process.cpuUsage(started);
    return (used.user + used.system) / calls;
  };
  await burst();
  const runs = [];
  for (let r = 0; r < (smoke ? 1 : 7); r += 1) runs.push(await burst());
  await runtime.close();
  return median(runs);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { smoke } = parseArgs();
  console.log(JSON.stringify(await benchOverhead({ smoke }), null, 2));
}

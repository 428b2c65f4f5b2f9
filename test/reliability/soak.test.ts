/**
 * Issue 15 — soak: a bounded run, on loopback only, of mixed vendor calls (every write of every
 * vendor, on long-lived clients with breakers and limiters on) and signed webhooks over real HTTP
 * at a steady rate, with 5 % injected faults (a 503 on a call's route; a handler failing an
 * event's first delivery, redelivered as the vendor would). At the end: no lost work (each call
 * succeeded with exactly one effect in the fake, or is in the dead-letter sink; each webhook
 * event was handled exactly once), no growth in heap or open sockets across the run, every
 * breaker closed and every limiter still serving. `SOAK_SECONDS` sets the length: 6 s in
 * `npm test`, 60 s with `npm run soak`.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import v8 from "node:v8";
import vm from "node:vm";
import { createMemoryDeadLetterSink, IntegrationError, type HealthResult } from "@connect/core";
import { scripted } from "@connect/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAST_POLICY, FAST_TRANSPORT, formatTable } from "./harness.js";
import { KITS } from "./kits/index.js";
import type { Kit, KitClient, WriteOp } from "./kits/types.js";
import { webhookKits, type EventLedger, type WebhookKit } from "./webhook-kits.js";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 6);
const WINDOW_MS = SECONDS >= 30 ? 5_000 : 2_000;
const CALLS_PER_SECOND = 24;
const WEBHOOKS_PER_SECOND = 24;
const FAULT_RATE = 0.05;

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

/** Heap in use after a full collection. */
function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Open TCP sockets of this process (client pools, servers' accepted connections). */
const openSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap" || r === "TCPWRAP").length;

/** A deterministic pseudo-random sequence (the run is reproducible). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

interface CallRecord {
  vendor: string;
  op: string;
  outcome: "ok" | "dead-lettered" | "lost";
  detail?: string;
}

const rand = random(15);
const calls: CallRecord[] = [];
const ledger: EventLedger = { handled: new Map(), failOnce: new Set(), invocations: 0 };
const webhooksSent: string[] = [];
const webhookProblems: string[] = [];
const samples: Array<{ window: number; heapMb: number; sockets: number }> = [];
const kits = new Map<string, Kit>();
const clients = new Map<string, KitClient & { healthCheck?: () => Promise<HealthResult> }>();
const deadLetters = createMemoryDeadLetterSink();
let hooks: WebhookKit[] = [];
let host: Server;
let origin: string;

beforeAll(async () => {
  for (const [vendor, start] of Object.entries(KITS)) {
    const kit = await start();
    kits.set(vendor, kit);
    // Long-lived clients, as a host runs them: breaker and limiter on, quick retries.
    clients.set(
      vendor,
      kit.client({
        policy: { ...FAST_POLICY, breaker: { failureThreshold: 10, successThreshold: 2, resetTimeoutMs: 2_000 }, limiter: { perSecond: 100, burst: 50 } },
        transport: FAST_TRANSPORT,
        deadLetters,
      }),
    );
  }
  host = createServer((req, res) => {
    const hook = hooks.find((h) => req.url?.startsWith(h.path));
    if (!hook) return void res.writeHead(404).end();
    void hook.receiver.node(req, res);
  });
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  hooks = await webhookKits(origin, ledger, deadLetters);
});

afterAll(async () => {
  await Promise.all([...clients.values()].map((c) => c.close()));
  await Promise.all([...kits.values()].map((k) => k.close()));
  await new Promise<void>((resolve) => host?.close(() => resolve()));
});

/** One call: prepare, maybe a transient 503 on its route, run, and account for it. */
async function oneCall(vendor: string, op: WriteOp, n: number): Promise<void> {
  const kit = kits.get(vendor)!;
  const client = clients.get(vendor)!;
  const key = `soak-${vendor}-${op.label ?? op.id}-${n}`;
  let prepared: unknown;
  try {
    prepared = op.prepare ? await op.prepare(client) : undefined;
  } catch (error) {
    calls.push({ vendor, op: op.label ?? op.id, outcome: "lost", detail: `prepare failed: ${(error as Error).message}` });
    return;
  }
  if (rand() < FAULT_RATE) kit.server.use(scripted(op.route.method, op.route.path, [503]).handler);
  try {
    await op.call(client, prepared, { idempotencyKey: key, correlationId: key });
    const effects = op.effects(prepared);
    calls.push({ vendor, op: op.label ?? op.id, outcome: effects === 1 ? "ok" : "lost", detail: effects === 1 ? undefined : `${effects} effects after success` });
  } catch (error) {
    const letters = await deadLetters.list({ correlationId: key });
    const typed = IntegrationError.is(error);
    calls.push({
      vendor,
      op: op.label ?? op.id,
      outcome: typed && letters.length === 1 ? "dead-lettered" : "lost",
      detail: `${typed ? error.name : "untyped"}: ${(error as Error).message}${letters.length === 1 ? "" : " (no dead letter)"}`,
    });
  }
}

/** One webhook delivery over HTTP, redelivered on a non-2xx answer as a vendor would (at most 5 times). */
async function oneWebhook(hook: WebhookKit, n: number): Promise<void> {
  const delivery = await hook.next(n);
  webhooksSent.push(delivery.eventId);
  if (rand() < FAULT_RATE) ledger.failOnce.add(delivery.eventId);
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    const sent = attempt === 1 ? delivery : (delivery.redelivery?.() ?? delivery);
    const res = await fetch(`${origin}${sent.path}`, { method: "POST", headers: sent.headers, body: new Uint8Array(sent.body) });
    await res.arrayBuffer();
    if (res.status === 200) return;
    if (res.status !== 500) {
      webhookProblems.push(`${hook.vendor} ${delivery.eventId}: answered ${res.status}`);
      return;
    }
  }
  webhookProblems.push(`${hook.vendor} ${delivery.eventId}: still failing after 5 deliveries`);
}

describe("soak", () => {
  it(`${SECONDS} s of mixed calls and webhooks with ${FAULT_RATE * 100} % faults: nothing lost, nothing leaked, state sane`, { timeout: (SECONDS + 60) * 1_000 }, async () => {
    const writes = [...kits.entries()].flatMap(([vendor, kit]) => kit.writes.map((op) => ({ vendor, op })));
    let n = 0;
    let windows = 0;
    for (let elapsed = 0; elapsed < SECONDS * 1_000; elapsed += WINDOW_MS) {
      const inFlight: Array<Promise<void>> = [];
      const started = performance.now();
      // A steady rate: one tick every 1000 / rate ms, launched without waiting for the previous.
      const callTimer = setInterval(() => {
        const pick = writes[Math.floor(rand() * writes.length)]!;
        inFlight.push(oneCall(pick.vendor, pick.op, (n += 1)));
      }, 1_000 / CALLS_PER_SECOND);
      const hookTimer = setInterval(() => {
        inFlight.push(oneWebhook(hooks[Math.floor(rand() * hooks.length)]!, (n += 1)));
      }, 1_000 / WEBHOOKS_PER_SECOND);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, WINDOW_MS - (performance.now() - started))));
      clearInterval(callTimer);
      clearInterval(hookTimer);
      await Promise.all(inFlight);
      await Promise.all(hooks.map((h) => h.idle()));
      // The fakes forget their state between windows (so their growth is not measured; issued
      // tokens go too, and the long-lived clients refresh them). Clients and receivers live on.
      for (const kit of kits.values()) await (kit.forget ? kit.forget() : kit.reset());
      windows += 1;
      samples.push({ window: windows, heapMb: Math.round(heapAfterGc() / 1e5) / 10, sockets: openSockets() });
    }

    const lost = calls.filter((c) => c.outcome === "lost");
    const health = await Promise.all([...clients.entries()].map(async ([vendor, client]) => [vendor, await client.healthCheck!()] as const));
    const byVendor = [...kits.keys()].map((vendor) => {
      const mine = calls.filter((c) => c.vendor === vendor);
      const h = health.find(([v]) => v === vendor)![1];
      return [vendor, String(mine.length), String(mine.filter((c) => c.outcome === "ok").length), String(mine.filter((c) => c.outcome === "dead-lettered").length), String(mine.filter((c) => c.outcome === "lost").length), h.status, String(h.breaker)];
    });
    console.log(
      `\nSoak (issue 15): ${SECONDS} s, ${calls.length} calls, ${webhooksSent.length} webhook events, ${ledger.invocations} handler runs\n` +
        `${formatTable(["vendor", "calls", "ok", "dead-lettered", "lost", "health", "breaker"], byVendor)}\n` +
        `${formatTable(["window", "heap MB (after GC)", "open sockets"], samples.map((s) => [String(s.window), String(s.heapMb), String(s.sockets)]))}\n`,
    );

    // Every call was accounted for: done once, or in the dead-letter sink with a typed error.
    expect(calls.length).toBeGreaterThan(CALLS_PER_SECOND * SECONDS * 0.5);
    expect(lost.map((c) => `${c.vendor} ${c.op}: ${c.detail}`)).toEqual([]);
    // Every webhook event was handled exactly once, whatever the failed and repeated deliveries.
    expect(webhookProblems).toEqual([]);
    expect(webhooksSent.filter((id) => ledger.handled.get(id) !== 1)).toEqual([]);
    expect(ledger.failOnce.size).toBe(0);
    // Breakers closed, limiters serving (the health check itself went through each limiter).
    expect(health.filter(([, h]) => h.status !== "healthy" || h.breaker !== "closed").map(([v, h]) => `${v}: ${h.status}/${h.breaker} ${h.error ?? ""}`)).toEqual([]);
    // No growth: after the first window (warm-up), open sockets stay at the pools' level, and the
    // heap only grows by the bounded state the receivers keep on purpose (dedupe ids for 72 h,
    // LRU-capped): under 12 MB in all, and flattening (under 1 MB per window in the second half).
    const settled = samples.slice(1);
    const baseline = settled[0]!;
    for (const s of settled) {
      expect(s.heapMb - baseline.heapMb).toBeLessThan(12);
      expect(s.sockets - baseline.sockets).toBeLessThanOrEqual(6);
    }
    const secondHalf = settled.slice(Math.floor(settled.length / 2));
    if (secondHalf.length >= 2) expect((secondHalf.at(-1)!.heapMb - secondHalf[0]!.heapMb) / (secondHalf.length - 1)).toBeLessThan(1);
  });
});

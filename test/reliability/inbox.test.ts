/**
 * The webhook inbox behind every vendor's receiver (issue 20): a verified event is on durable
 * storage before the 2xx, its handler runs from the queue (not in the request), a redelivery is
 * a duplicate, a failing handler is retried by the queue, and when the inbox cannot store the
 * event the vendor is answered 503 so it redelivers. One table row per vendor.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryDeadLetterSink } from "@connect/core";
import { createSqliteBackend, createWebhookInbox, type DurableWebhookInbox, type JobWorker, type SqliteBackend } from "@connect/jobs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookKits, type Delivery, type EventLedger, type WebhookKit } from "./webhook-kits.js";

let host: Server;
let origin: string;
let kits: WebhookKit[];
let backend: SqliteBackend;
let inbox: DurableWebhookInbox;
let dir: string;
const ledger: EventLedger = { handled: new Map(), failOnce: new Set(), invocations: 0 };
const deadLetters = createMemoryDeadLetterSink();

async function post(delivery: Delivery): Promise<{ status: number; body: string }> {
  const res = await fetch(`${origin}${delivery.path}`, { method: "POST", headers: delivery.headers, body: new Uint8Array(delivery.body) });
  return { status: res.status, body: await res.text() };
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "connect-inbox-"));
  backend = createSqliteBackend({ path: join(dir, "inbox.db"), pollMs: 20 });
  inbox = createWebhookInbox({ backend, retry: { minDelayMs: 20, maxDelayMs: 40, jitter: false } });
  host = createServer((req, res) => {
    const kit = kits.find((k) => req.url?.startsWith(k.path));
    if (!kit) return void res.writeHead(404).end();
    void kit.receiver.node(req, res);
  });
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  kits = await webhookKits(origin, ledger, deadLetters, { inbox });
});

afterAll(async () => {
  await inbox.queue.close();
  await backend.close();
  await new Promise<void>((resolve) => host.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe("webhook inbox behind every receiver", () => {
  const rows: Array<Record<string, string | number>> = [];
  afterAll(() => console.table(rows));

  it("stores the verified event before answering, runs the handler from the queue once, and drops the redelivery", async () => {
    let n = 1_000;
    for (const kit of kits) {
      const delivery = await kit.next((n += 1));
      const first = await post(delivery);
      expect(first.status, kit.vendor).toBe(200);
      // Nothing has run yet: the event is only in the inbox.
      expect(ledger.handled.get(delivery.eventId), kit.vendor).toBeUndefined();
      const stored = await inbox.queue.stats();
      expect(stored.waiting, kit.vendor).toBe(1);
      const worker: JobWorker = inbox.queue.work({ concurrency: 2 });
      await until(() => ledger.handled.get(delivery.eventId) === 1, `${kit.vendor} handler`);
      await until(() => worker.running === 0, "idle worker");
      const again = await post(delivery.redelivery?.() ?? delivery);
      expect(again.status, kit.vendor).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await worker.stop();
      expect(ledger.handled.get(delivery.eventId), kit.vendor).toBe(1);
      rows.push({ vendor: kit.vendor, "first answer": first.status, "ran before answer": "no", "redelivery answer": again.status, "handler runs": ledger.handled.get(delivery.eventId)! });
    }
  });

  it("retries a failing handler from the queue, not through the vendor", async () => {
    let n = 2_000;
    const worker = inbox.queue.work({ concurrency: 4 });
    for (const kit of kits) {
      const delivery = await kit.next((n += 1));
      ledger.failOnce.add(delivery.eventId);
      expect((await post(delivery)).status, kit.vendor).toBe(200);
      await until(() => ledger.handled.get(delivery.eventId) === 1, `${kit.vendor} retried handler`);
    }
    await worker.stop();
    expect(await inbox.queue.deadLetters.list()).toEqual([]);
  });

  it("answers 503 when the inbox cannot store the event, and runs no handler", async () => {
    const broken = createSqliteBackend({ path: join(dir, "broken.db") });
    const brokenInbox = createWebhookInbox({ backend: broken });
    await broken.close(); // every write now fails: the storage is gone
    const brokenLedger: EventLedger = { handled: new Map(), failOnce: new Set(), invocations: 0 };
    const brokenKits = await webhookKits(origin, brokenLedger, deadLetters, { inbox: brokenInbox });
    let n = 3_000;
    for (const kit of brokenKits) {
      const delivery = await kit.next((n += 1));
      const res = await kit.receiver.handle({
        method: "POST",
        url: `${origin}${delivery.path}`,
        headers: Object.fromEntries(Object.entries(delivery.headers).map(([k, v]) => [k.toLowerCase(), v])),
        rawBody: delivery.body,
      });
      expect([kit.vendor, res.status, JSON.parse(res.body || "{}")]).toEqual([kit.vendor, 503, { error: "inbox_unavailable" }]);
    }
    expect(brokenLedger.invocations).toBe(0);
  });
});

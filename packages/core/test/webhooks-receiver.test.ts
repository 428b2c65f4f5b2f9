import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryDeadLetterSink } from "../src/dlq.js";
import { ValidationError } from "../src/errors.js";
import { registerSecret } from "../src/redact.js";
import { createMemoryDedupeStore } from "../src/idempotency/index.js";
import { createWebhookReceiver, fromFetchRequest, fromNodeRequest, hmacVerifier, type WebhookReceiverOptions, type WebhookRequest } from "../src/webhooks/index.js";

const SECRET = "acme_webhook_secret_3f9a1c";
const T0 = Date.parse("2026-01-02T03:04:05.000Z");

interface AcmeEvent {
  id?: string;
  type: string;
  amount?: number;
}

function signature(body: string): string {
  return createHmac("sha256", SECRET).update(body).digest("hex");
}

function signed(events: unknown, url = "https://hooks.example.com/acme"): WebhookRequest {
  const body = `${JSON.stringify(events)}\n`;
  return { method: "POST", url, headers: { "content-type": "application/json", "x-acme-signature": signature(body) }, rawBody: Buffer.from(body) };
}

function recordingLogger() {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string | undefined }> = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg?: string) => lines.push({ level, obj, msg });
  return { lines, logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } };
}

function setup(overrides: Partial<WebhookReceiverOptions<AcmeEvent>> = {}) {
  const calls: Array<{ type: string; id: string | undefined; delivery: number }> = [];
  const failing = new Set<string>();
  let clock = T0;
  const deadLetters = createMemoryDeadLetterSink();
  const { lines, logger } = recordingLogger();
  const handler = async (event: AcmeEvent, ctx: { eventId: string | undefined; delivery: number }) => {
    calls.push({ type: event.type, id: ctx.eventId, delivery: ctx.delivery });
    if (failing.has(event.id ?? event.type)) throw new Error(`boom on ${event.id ?? event.type}`);
  };
  let parses = 0;
  const receiver = createWebhookReceiver<AcmeEvent>({
    vendor: "acme",
    verifier: hmacVerifier({ vendor: "acme", header: "x-acme-signature", algorithm: "sha256", encoding: "hex", secrets: [SECRET] }),
    parse: (req) => {
      parses += 1;
      let value: unknown;
      try {
        value = JSON.parse(req.rawBody.toString("utf8"));
      } catch {
        throw new ValidationError("acme webhook payload is not JSON");
      }
      return value as AcmeEvent[];
    },
    eventId: (event) => event.id,
    eventType: (event) => event.type,
    handlers: { "invoice.paid": handler, "invoice.voided": handler },
    deadLetters,
    maxAttempts: 3,
    logger,
    now: () => clock,
    ...overrides,
  });
  return {
    receiver,
    calls,
    failing,
    deadLetters,
    lines,
    parses: () => parses,
    tick: (ms: number) => {
      clock += ms;
    },
  };
}

describe("createWebhookReceiver.handle", () => {
  it("answers 401 to a request that fails verification and calls neither parse nor any handler", async () => {
    const { receiver, calls, parses, lines } = setup();
    const req = signed([{ id: "evt_1", type: "invoice.paid" }]);
    req.rawBody = Buffer.from(req.rawBody.toString("utf8").replace("evt_1", "evt_2"));
    const res = await receiver.handle(req);
    expect(res).toEqual({ status: 401, headers: { "content-type": "application/json; charset=utf-8" }, body: '{"error":"verification_failed"}' });
    expect(calls).toEqual([]);
    expect(parses()).toBe(0);
    expect(lines).toEqual([
      {
        level: "warn",
        obj: { vendor: "acme", reason: "bad_signature", error: "acme webhook: the signature does not match (1 secret tried)", url: "https://hooks.example.com/acme" },
        msg: "webhook verification failed",
      },
    ]);
  });

  it("answers 401 to a parsed object passed as the body", async () => {
    const { receiver, calls, lines } = setup();
    const req = signed([{ id: "evt_1", type: "invoice.paid" }]);
    const res = await receiver.handle({ ...req, rawBody: [{ id: "evt_1", type: "invoice.paid" }] as unknown as Buffer });
    expect(res.status).toBe(401);
    expect(calls).toEqual([]);
    expect(lines[0]?.obj.reason).toBe("body_parsed");
  });

  it("answers 500 when the verifier itself breaks (e.g. the secret store is down) and calls no handler", async () => {
    const { receiver, calls } = setup({
      verifier: {
        verify: () => {
          throw new Error("secret store unavailable");
        },
      },
    });
    const res = await receiver.handle(signed([{ id: "evt_1", type: "invoice.paid" }]));
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toEqual({ error: "verifier_error" });
    expect(calls).toEqual([]);
  });

  it("answers 400 to a verified payload that does not parse", async () => {
    const { receiver, calls } = setup();
    const body = "not json";
    const res = await receiver.handle({ method: "POST", url: "https://x/", headers: { "x-acme-signature": signature(body) }, rawBody: Buffer.from(body) });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ error: "invalid_payload" });
    expect(calls).toEqual([]);
  });

  it("dispatches each event to its type's handler and acknowledges with a summary", async () => {
    const { receiver, calls } = setup();
    const res = await receiver.handle(signed([{ id: "evt_1", type: "invoice.paid" }, { id: "evt_2", type: "invoice.voided" }, { id: "evt_3", type: "customer.created" }]));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ received: 3, handled: 2, duplicates: 0, ignored: 1, failed: 0, deadLettered: 0 });
    expect(calls).toEqual([
      { type: "invoice.paid", id: "evt_1", delivery: 1 },
      { type: "invoice.voided", id: "evt_2", delivery: 1 },
    ]);
  });

  it("calls the handler once for an event delivered twice", async () => {
    const { receiver, calls } = setup();
    const first = await receiver.handle(signed([{ id: "evt_1", type: "invoice.paid" }]));
    const second = await receiver.handle(signed([{ id: "evt_1", type: "invoice.paid" }]));
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(JSON.parse(second.body)).toEqual({ received: 1, handled: 0, duplicates: 1, ignored: 0, failed: 0, deadLettered: 0 });
    expect(calls).toEqual([{ type: "invoice.paid", id: "evt_1", delivery: 1 }]);
  });

  it("runs concurrent deliveries of the same event once and answers both from that run", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    const { receiver } = setup({
      handlers: {
        "invoice.paid": async () => {
          runs += 1;
          await gate;
        },
      },
    });
    const first = receiver.handle(signed([{ id: "evt_c1", type: "invoice.paid" }]));
    const second = receiver.handle(signed([{ id: "evt_c1", type: "invoice.paid" }]));
    await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(runs).toBe(1);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(JSON.parse(a.body)).toMatchObject({ handled: 1, duplicates: 0 });
    expect(JSON.parse(b.body)).toMatchObject({ handled: 0, duplicates: 1 });
  });

  it("answers 500 to a concurrent duplicate when the shared run fails", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { receiver } = setup({
      handlers: {
        "invoice.paid": async () => {
          await gate;
          throw new Error("db down");
        },
      },
    });
    const first = receiver.handle(signed([{ id: "evt_c2", type: "invoice.paid" }]));
    const second = receiver.handle(signed([{ id: "evt_c2", type: "invoice.paid" }]));
    await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    expect((await Promise.all([first, second])).map((r) => r.status)).toEqual([500, 500]);
  });

  it("marks an event processed only after its handler succeeded (a crash mid-handler never loses it)", async () => {
    const dedupe = createMemoryDedupeStore();
    const markedDuringHandler: boolean[] = [];
    const { receiver } = setup({
      dedupe,
      handlers: {
        "invoice.paid": async () => {
          markedDuringHandler.push(await dedupe.has("acme:evt_m"));
        },
      },
    });
    await receiver.handle(signed([{ id: "evt_m", type: "invoice.paid" }]));
    expect(markedDuringHandler).toEqual([false]);
    expect(await dedupe.has("acme:evt_m")).toBe(true);
    expect(await dedupe.has("acme:evt_unhandled")).toBe(false);
  });

  it("dedupes with a shared store across receivers (two workers) and handles again after the TTL", async () => {
    let now = T0;
    const dedupe = createMemoryDedupeStore({ now: () => now });
    const a = setup({ dedupe, dedupeTtlMs: 60_000 });
    const b = setup({ dedupe, dedupeTtlMs: 60_000 });
    await a.receiver.handle(signed([{ id: "evt_9", type: "invoice.paid" }]));
    await b.receiver.handle(signed([{ id: "evt_9", type: "invoice.paid" }]));
    expect(a.calls).toHaveLength(1);
    expect(b.calls).toHaveLength(0);
    now += 60_001;
    await b.receiver.handle(signed([{ id: "evt_9", type: "invoice.paid" }]));
    expect(b.calls).toHaveLength(1);
  });

  it("with dedupe disabled, handles a redelivered event again", async () => {
    const { receiver, calls } = setup({ dedupe: false });
    await receiver.handle(signed([{ id: "evt_1", type: "invoice.paid" }]));
    await receiver.handle(signed([{ id: "evt_1", type: "invoice.paid" }]));
    expect(calls).toHaveLength(2);
  });

  it("keeps dispatching a batch when one handler throws, answers 500, and dead-letters the event after maxAttempts", async () => {
    const { receiver, calls, failing, deadLetters, tick, lines } = setup();
    failing.add("evt_b");
    const batch = [
      { id: "evt_a", type: "invoice.paid", amount: 1 },
      { id: "evt_b", type: "invoice.paid", amount: 2 },
      { id: "evt_c", type: "invoice.voided", amount: 3 },
    ];

    const first = await receiver.handle(signed(batch));
    expect(first.status).toBe(500);
    expect(JSON.parse(first.body)).toEqual({ error: "handler_failed", received: 3, handled: 2, duplicates: 0, ignored: 0, failed: 1, deadLettered: 0 });
    expect(calls.map((c) => c.id)).toEqual(["evt_a", "evt_b", "evt_c"]);

    // The vendor redelivers the whole batch: a and c are duplicates, b is tried again.
    tick(10_000);
    const second = await receiver.handle(signed(batch));
    expect(second.status).toBe(500);
    expect(JSON.parse(second.body)).toEqual({ error: "handler_failed", received: 3, handled: 0, duplicates: 2, ignored: 0, failed: 1, deadLettered: 0 });
    expect(await deadLetters.list()).toEqual([]);

    tick(20_000);
    const third = await receiver.handle(signed(batch));
    expect(third.status).toBe(200);
    expect(JSON.parse(third.body)).toEqual({ received: 3, handled: 0, duplicates: 2, ignored: 0, failed: 0, deadLettered: 1 });
    expect(calls.filter((c) => c.id === "evt_b").map((c) => c.delivery)).toEqual([1, 2, 3]);

    const letters = await deadLetters.list();
    expect(letters).toHaveLength(1);
    const letter = letters[0]!;
    expect(letter).toMatchObject({
      id: "acme:webhook:id:evt_b",
      kind: "webhook",
      adapterId: "acme",
      operation: "invoice.paid",
      payload: { id: "evt_b", type: "invoice.paid", amount: 2 },
      attempts: 3,
      firstAttemptAt: "2026-01-02T03:04:05.000Z",
      lastAttemptAt: "2026-01-02T03:04:35.000Z",
    });
    expect(letter.error).toMatchObject({ name: "IntegrationError", message: "acme webhook handler for invoice.paid failed: boom on evt_b", vendor: "acme", operation: "invoice.paid", attempts: 3 });
    expect(letter.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(letter.error.correlationId).toBe(letter.correlationId);
    expect(lines.filter((l) => l.level === "error").map((l) => l.msg)).toEqual([
      "webhook handler failed; asking the vendor to redeliver",
      "webhook handler failed; asking the vendor to redeliver",
      "webhook event dead-lettered after repeated handler failures",
    ]);

    // A redelivery after dead-lettering is acknowledged without calling the handler.
    const fourth = await receiver.handle(signed(batch));
    expect(fourth.status).toBe(200);
    expect(calls.filter((c) => c.id === "evt_b")).toHaveLength(3);
  });

  it("handles an event again after a failure once its handler recovers", async () => {
    const { receiver, calls, failing } = setup();
    failing.add("evt_1");
    expect((await receiver.handle(signed([{ id: "evt_1", type: "invoice.paid" }]))).status).toBe(500);
    failing.clear();
    expect((await receiver.handle(signed([{ id: "evt_1", type: "invoice.paid" }]))).status).toBe(200);
    expect((await receiver.handle(signed([{ id: "evt_1", type: "invoice.paid" }]))).status).toBe(200);
    expect(calls.map((c) => c.delivery)).toEqual([1, 2]);
  });

  it("without a dead-letter sink keeps answering 500 after maxAttempts (nothing is dropped silently)", async () => {
    const { receiver, failing, calls } = setup({ deadLetters: undefined, maxAttempts: 2 });
    failing.add("evt_1");
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await receiver.handle(signed([{ id: "evt_1", type: "invoice.paid" }]))).status);
    expect(statuses).toEqual([500, 500, 500]);
    expect(calls).toHaveLength(3);
  });

  it("counts deliveries of events without an id by content", async () => {
    const { receiver, failing, deadLetters } = setup({ maxAttempts: 2 });
    failing.add("invoice.voided");
    expect((await receiver.handle(signed([{ type: "invoice.voided", amount: 5 }]))).status).toBe(500);
    expect((await receiver.handle(signed([{ type: "invoice.voided", amount: 5 }]))).status).toBe(200);
    const [letter] = await deadLetters.list();
    expect(letter?.id).toMatch(/^acme:webhook:sha256:[0-9a-f]{64}$/);
    expect(letter?.payload).toEqual({ type: "invoice.voided", amount: 5 });
  });

  it("routes types without their own handler to onEvent", async () => {
    const seen: string[] = [];
    const { receiver } = setup({ onEvent: (event) => void seen.push(event.type) });
    await receiver.handle(signed([{ id: "e1", type: "customer.created" }, { id: "e2", type: "invoice.paid" }]));
    expect(seen).toEqual(["customer.created"]);
  });

  it("never writes a secret a handler leaked into its error to the dead letter or the log", async () => {
    registerSecret("tok_live_abcdef123456");
    const { receiver, deadLetters, lines } = setup({
      maxAttempts: 1,
      handlers: {
        "invoice.paid": () => {
          throw new Error("upstream said: invalid token tok_live_abcdef123456");
        },
      },
    });
    await receiver.handle(signed([{ id: "evt_s", type: "invoice.paid", password: "hunter2-hunter2" }]));
    const stored = JSON.stringify(await deadLetters.list());
    expect(stored).not.toContain("tok_live_abcdef123456");
    expect(stored).not.toContain("hunter2-hunter2");
    expect(stored).toContain("upstream said: invalid token [REDACTED]");
    expect(JSON.stringify(lines)).not.toContain("tok_live_abcdef123456");
  });

  it("uses a custom acknowledgement (e.g. TwiML) on success", async () => {
    const { receiver } = setup({ ack: () => ({ headers: { "content-type": "text/xml" }, body: "<Response/>" }) });
    const res = await receiver.handle(signed([{ id: "evt_1", type: "invoice.paid" }]));
    expect(res).toEqual({ status: 200, headers: { "content-type": "text/xml" }, body: "<Response/>" });
  });
});

describe("createWebhookReceiver.fetch and fromFetchRequest", () => {
  it("reads a Fetch Request and answers a Response", async () => {
    const { receiver, calls } = setup();
    const req = signed([{ id: "evt_f", type: "invoice.paid" }], "https://hooks.example.com/acme?tenant=t1");
    const response = await receiver.fetch(new Request(req.url, { method: "POST", headers: req.headers, body: new Uint8Array(req.rawBody) }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await response.json()).toEqual({ received: 1, handled: 1, duplicates: 0, ignored: 0, failed: 0, deadLettered: 0 });
    expect(calls).toEqual([{ type: "invoice.paid", id: "evt_f", delivery: 1 }]);
  });

  it("produces lower-case headers, the full URL and the exact bytes", async () => {
    const bytes = Buffer.from([0x7b, 0x7d, 0x0d, 0x0a]);
    const req = await fromFetchRequest(new Request("https://h.example.com/p?q=1", { method: "post", headers: { "X-Sig": "abc" }, body: new Uint8Array(bytes) }));
    expect(req.method).toBe("POST");
    expect(req.url).toBe("https://h.example.com/p?q=1");
    expect(req.headers["x-sig"]).toBe("abc");
    expect(req.rawBody.equals(bytes)).toBe(true);
  });

  it("refuses a Request whose body was already read", async () => {
    const request = new Request("https://h.example.com/", { method: "POST", body: "{}" });
    await request.json();
    await expect(fromFetchRequest(request)).rejects.toMatchObject({ name: "WebhookVerificationError", reason: "body_parsed" });
    const { receiver } = setup();
    const again = new Request("https://h.example.com/", { method: "POST", body: "{}" });
    await again.text();
    expect((await receiver.fetch(again)).status).toBe(401);
  });

  it("answers 413 to a body over the cap", async () => {
    const { receiver, calls } = setup({ maxBodyBytes: 64 });
    const req = signed([{ id: "evt_big", type: "invoice.paid", amount: 1 }, { id: "evt_big2", type: "invoice.paid", amount: 2 }]);
    const response = await receiver.fetch(new Request(req.url, { method: "POST", headers: req.headers, body: new Uint8Array(req.rawBody) }));
    expect(response.status).toBe(413);
    expect(calls).toEqual([]);
  });
});

describe("createWebhookReceiver.node through a real node:http server", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function listen(handler: (req: IncomingMessage, res: import("node:http").ServerResponse) => void): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  }

  it("verifies, dispatches and answers over a socket; the handler sees the full URL and lower-case headers", async () => {
    const seen: WebhookRequest[] = [];
    const { receiver } = setup({ onEvent: (_e, ctx) => void seen.push(ctx.request), handlers: {} });
    const base = await listen((req, res) => void receiver.node(req, res));
    const req = signed([{ id: "evt_n", type: "invoice.paid" }]);
    const response = await fetch(`${base}/hooks/acme?tenant=t1`, { method: "POST", headers: { "Content-Type": "application/json", "X-Acme-Signature": req.headers["x-acme-signature"]! }, body: new Uint8Array(req.rawBody) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 1, handled: 1, duplicates: 0, ignored: 0, failed: 0, deadLettered: 0 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe(`${base}/hooks/acme?tenant=t1`);
    expect(seen[0]!.method).toBe("POST");
    expect(seen[0]!.headers["x-acme-signature"]).toBe(req.headers["x-acme-signature"]);
    expect(seen[0]!.rawBody.equals(req.rawBody)).toBe(true);
  });

  it("answers 401 over a socket to a tampered body and calls no handler", async () => {
    const { receiver, calls } = setup();
    const base = await listen((req, res) => void receiver.node(req, res));
    const req = signed([{ id: "evt_n", type: "invoice.paid" }]);
    const response = await fetch(`${base}/hooks`, { method: "POST", headers: req.headers, body: req.rawBody.toString().replace("evt_n", "evt_m") });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "verification_failed" });
    expect(calls).toEqual([]);
  });

  it("explains a body a JSON parser consumed before the receiver ran", async () => {
    const { receiver, calls, lines } = setup();
    const base = await listen((req, res) => {
      // What express.json() does: read the stream, then put the parsed object on req.body.
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        (req as IncomingMessage & { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        void receiver.node(req, res);
      });
    });
    const req = signed([{ id: "evt_p", type: "invoice.paid" }]);
    const response = await fetch(`${base}/hooks`, { method: "POST", headers: req.headers, body: new Uint8Array(req.rawBody) });
    expect(response.status).toBe(401);
    expect(calls).toEqual([]);
    expect(lines[0]?.obj.reason).toBe("body_parsed");
    expect(String(lines[0]?.obj.error)).toContain("body was parsed before verification");
  });

  it("fromNodeRequest uses a raw body a framework kept, and the public base URL behind a proxy", async () => {
    let captured: WebhookRequest | undefined;
    const base = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        (req as IncomingMessage & { body?: unknown }).body = Buffer.concat(chunks); // express.raw()
        void fromNodeRequest(req, { baseUrl: "https://public.example.com/" }).then((r) => {
          captured = r;
          res.end("ok");
        });
      });
    });
    await (await fetch(`${base}/in?x=1`, { method: "POST", body: "raw-bytes\r\n" })).text();
    expect(captured?.url).toBe("https://public.example.com/in?x=1");
    expect(captured?.rawBody.toString("utf8")).toBe("raw-bytes\r\n");
  });

  it("answers 413 over a socket to a body over the cap", async () => {
    const { receiver, calls } = setup({ maxBodyBytes: 16 });
    const base = await listen((req, res) => void receiver.node(req, res));
    const req = signed([{ id: "evt_large", type: "invoice.paid" }]);
    const response = await fetch(`${base}/hooks`, { method: "POST", headers: req.headers, body: new Uint8Array(req.rawBody) });
    expect(response.status).toBe(413);
    expect(calls).toEqual([]);
  });
});

import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryDeadLetterSink, WebhookVerificationError, type WebhookRequest } from "@connect/core";
import {
  createSendGridWebhookHandler,
  customArgsOf,
  derToP1363,
  parseSendGridEvents,
  sendGridEventVerifier,
  verifySendGridSignature,
  verifySendGridSignatureWebCrypto,
  type SendGridEvent,
  type SendGridEventOf,
  type UnknownSendGridEvent,
} from "@connect/sendgrid";
import { createEventWebhookSigner, serializeEventBatch } from "@connect/sendgrid/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { drawApproved, setup, type Harness } from "./helpers.js";

// Known-good vector from sendgrid-nodejs packages/eventwebhook/src/eventwebhook.spec.js (MIT), shared/vendors/sendgrid.md §6.
const VECTOR = {
  publicKey: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==",
  timestamp: "1600112502",
  signature: "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=",
  body:
    JSON.stringify([
      {
        email: "hello@world.com",
        event: "dropped",
        reason: "Bounced Address",
        sg_event_id: "ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA",
        sg_message_id: "LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0",
        "smtp-id": "<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>",
        timestamp: 1600112492,
      },
    ]) + "\r\n",
};
const VECTOR_NOW = 1600112502 * 1000 + 2_000;

function vectorRequest(overrides: { body?: string | Buffer; headers?: Record<string, string | undefined> } = {}): WebhookRequest {
  const headers: Record<string, string> = {};
  const all = { "x-twilio-email-event-webhook-signature": VECTOR.signature, "x-twilio-email-event-webhook-timestamp": VECTOR.timestamp, "content-type": "application/json", ...overrides.headers };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) headers[k] = v;
  const body = overrides.body ?? VECTOR.body;
  return { method: "POST", url: "https://host.test/sendgrid/events", headers, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8") };
}

const otherKey = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({ format: "der", type: "spki" }).toString("base64");

async function reasonOf(promise: Promise<unknown> | unknown): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return (error as WebhookVerificationError).reason;
  }
  throw new Error("expected verification to fail");
}

describe("signature primitives", () => {
  it("the known vector is exactly 327 bytes and verifies with node:crypto and WebCrypto", async () => {
    expect(Buffer.byteLength(VECTOR.body)).toBe(327);
    const input = { publicKey: VECTOR.publicKey, timestamp: VECTOR.timestamp, signature: VECTOR.signature, payload: VECTOR.body };
    expect(verifySendGridSignature(input)).toBe(true);
    expect(await verifySendGridSignatureWebCrypto(input)).toBe(true);
  });

  it("WebCrypto rejects the DER signature as is; converted to P1363 (64 bytes) it verifies", async () => {
    const der = Buffer.from(VECTOR.signature, "base64");
    const raw = derToP1363(der);
    expect(raw).toHaveLength(64);
    // r had a leading sign byte in DER (0x00 0xC8...): stripped and left as 32 bytes.
    expect(Buffer.from(raw.subarray(32, 33)).toString("hex")).toBe("c8");
    const key = await crypto.subtle.importKey("spki", new Uint8Array(Buffer.from(VECTOR.publicKey, "base64")), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    const data = new Uint8Array(Buffer.from(VECTOR.timestamp + VECTOR.body));
    expect(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, new Uint8Array(der), data)).toBe(false);
    expect(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, new Uint8Array(raw), data)).toBe(true);
  });

  it("derToP1363 refuses bytes that are not a DER sequence", () => {
    expect(() => derToP1363(Buffer.from("hello"))).toThrow(TypeError);
    expect(() => derToP1363(Buffer.from([0x30, 0x03, 0x02, 0x01]))).toThrow(TypeError);
  });

  it("a signature over the re-serialised body (no trailing CRLF) does not verify", () => {
    expect(verifySendGridSignature({ publicKey: VECTOR.publicKey, timestamp: VECTOR.timestamp, signature: VECTOR.signature, payload: VECTOR.body.trimEnd() })).toBe(false);
  });
});

describe.each(["node", "webcrypto"] as const)("sendGridEventVerifier (%s engine)", (engine) => {
  const verifier = (options: { publicKey?: string | string[]; now?: number; toleranceSeconds?: number } = {}) =>
    sendGridEventVerifier({ publicKey: options.publicKey ?? VECTOR.publicKey, now: () => options.now ?? VECTOR_NOW, toleranceSeconds: options.toleranceSeconds, engine });

  it("accepts the known vector", async () => {
    await expect(Promise.resolve(verifier().verify(vectorRequest()))).resolves.toBeUndefined();
  });

  it("accepts a PEM key and a rotated key list", async () => {
    const pem = `-----BEGIN PUBLIC KEY-----\n${VECTOR.publicKey.match(/.{1,64}/g)!.join("\n")}\n-----END PUBLIC KEY-----\n`;
    await expect(Promise.resolve(verifier({ publicKey: pem }).verify(vectorRequest()))).resolves.toBeUndefined();
    await expect(Promise.resolve(verifier({ publicKey: [otherKey, VECTOR.publicKey] }).verify(vectorRequest()))).resolves.toBeUndefined();
  });

  it("fails a tampered body (one byte) with bad_signature", async () => {
    const tampered = VECTOR.body.replace("Bounced Address", "Bounced Addresz");
    expect(await reasonOf(verifier().verify(vectorRequest({ body: tampered })))).toBe("bad_signature");
  });

  it("fails a re-serialised body with bad_signature and says the body was probably parsed", async () => {
    const reserialised = JSON.stringify(JSON.parse(VECTOR.body));
    try {
      await verifier().verify(vectorRequest({ body: reserialised }));
      throw new Error("expected failure");
    } catch (error) {
      expect((error as WebhookVerificationError).reason).toBe("bad_signature");
      expect((error as Error).message).toMatch(/re-serialised/);
    }
  });

  it("fails the wrong key with bad_signature", async () => {
    expect(await reasonOf(verifier({ publicKey: otherKey }).verify(vectorRequest()))).toBe("bad_signature");
  });

  it("fails a stale timestamp (default tolerance 600 s) but accepts one inside the window", async () => {
    const ts = Number(VECTOR.timestamp) * 1000;
    expect(await reasonOf(verifier({ now: ts + 601_000 }).verify(vectorRequest()))).toBe("stale_timestamp");
    expect(await reasonOf(verifier({ now: ts - 601_000 }).verify(vectorRequest()))).toBe("stale_timestamp");
    expect(await reasonOf(verifier({ now: ts + 61_000, toleranceSeconds: 60 }).verify(vectorRequest()))).toBe("stale_timestamp");
    await expect(Promise.resolve(verifier({ now: ts + 599_000 }).verify(vectorRequest()))).resolves.toBeUndefined();
  });

  it("fails missing headers with missing_header", async () => {
    expect(await reasonOf(verifier().verify(vectorRequest({ headers: { "x-twilio-email-event-webhook-signature": undefined } })))).toBe("missing_header");
    expect(await reasonOf(verifier().verify(vectorRequest({ headers: { "x-twilio-email-event-webhook-timestamp": undefined } })))).toBe("missing_header");
  });

  it("fails a garbage signature with malformed_signature, and a non-numeric timestamp with malformed_timestamp", async () => {
    expect(await reasonOf(verifier().verify(vectorRequest({ headers: { "x-twilio-email-event-webhook-signature": "%%%not-base64%%%" } })))).toBe("malformed_signature");
    expect(await reasonOf(verifier().verify(vectorRequest({ headers: { "x-twilio-email-event-webhook-signature": Buffer.from("hello world").toString("base64") } })))).toBe(
      "malformed_signature",
    );
    expect(await reasonOf(verifier().verify(vectorRequest({ headers: { "x-twilio-email-event-webhook-timestamp": "yesterday" } })))).toBe("malformed_timestamp");
  });

  it("fails a body that was parsed before verification with body_parsed", async () => {
    const parsed = { ...vectorRequest(), rawBody: JSON.parse(VECTOR.body) as Buffer };
    expect(await reasonOf(verifier().verify(parsed))).toBe("body_parsed");
  });
});

describe("parseSendGridEvents", () => {
  it("types known events, passes unknown types through, and reports a bad event without losing the others", () => {
    const body = serializeEventBatch([
      { email: "a@example.com", timestamp: 1700000000, event: "delivered", sg_event_id: "e1", sg_message_id: "m1.f", response: "250 OK", category: "draw-approved", x_tenant_id: "t_1" },
      { email: "b@example.com", timestamp: "not-a-number", event: "open", sg_event_id: "e2" },
      { email: "c@example.com", timestamp: 1700000001, event: "bounce", sg_event_id: "e3", reason: "550 5.1.1", status: "5.1.1", type: "blocked", category: ["a", "b"] },
      { email: "d@example.com", timestamp: 1700000002, event: "account_status_change", sg_event_id: "e4", type: "compliance_suspend" },
    ]);
    const parsed = parseSendGridEvents(body);

    expect(parsed.all.map((e) => e.sg_event_id)).toEqual(["e1", "e3", "e4"]);
    expect(parsed.events.map((e) => e.event)).toEqual(["delivered", "bounce"]);
    expect(parsed.unknown.map((e) => e.event)).toEqual(["account_status_change"]);
    expect(parsed.invalid).toEqual([
      { index: 1, eventId: "e2", issues: [{ path: "1.timestamp", message: expect.stringContaining("number"), code: "invalid_type" }], raw: expect.objectContaining({ sg_event_id: "e2" }) },
    ]);
    expect(customArgsOf(parsed.events[0]!)).toEqual({ x_tenant_id: "t_1" });
  });

  it("throws ValidationError for a body that is not a JSON array", () => {
    expect(() => parseSendGridEvents('{"event":"delivered"}')).toThrow(/not a JSON array/);
    expect(() => parseSendGridEvents("nope")).toThrow(/not JSON/);
  });
});

describe("createSendGridWebhookHandler with the fake posting signed batches", () => {
  let h: Harness;
  let receiver: Server;
  let url: string;
  let seen: Array<SendGridEvent | UnknownSendGridEvent>;
  let handler: ReturnType<typeof createSendGridWebhookHandler>;
  let failOnce: Set<string>;
  const deadLetters = createMemoryDeadLetterSink();
  const invalid: number[] = [];

  beforeEach(async () => {
    h = await setup();
    seen = [];
    failOnce = new Set();
    invalid.length = 0;
    const record = (event: SendGridEvent | UnknownSendGridEvent) => {
      if (failOnce.delete(event.sg_event_id)) throw new Error("database unavailable");
      seen.push(event);
    };
    handler = createSendGridWebhookHandler({
      publicKey: h.fake.signer.publicKey,
      handlers: {
        delivered: (e: SendGridEventOf<"delivered">) => record(e),
        bounce: (e: SendGridEventOf<"bounce">) => record(e),
        processed: (e) => record(e),
      },
      onEvent: (e) => record(e),
      onInvalidEvent: (bad) => {
        invalid.push(bad.index);
      },
      deadLetters,
    });
    receiver = createServer((req, res) => void handler.node(req, res));
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/sendgrid/events`;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await h.close();
  });

  it("dispatches delivered and bounce events, typed, with custom args flattened, and dedupes a redelivery by sg_event_id", async () => {
    const sent = await h.client.mail.send(drawApproved());
    const events = h.fake.eventsFor(sent.messageId!, ["processed", "delivered", { event: "bounce", email: "ana@example.com" }]);
    const response = await h.fake.postEvents(url, events);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 3, handled: 3, duplicates: 0, ignored: 0, failed: 0, deadLettered: 0 });
    expect(seen.map((e) => e.event)).toEqual(["processed", "delivered", "bounce"]);
    const bounce = seen[2] as SendGridEventOf<"bounce">;
    expect(bounce).toMatchObject({ email: "ana@example.com", status: "5.1.1", type: "bounce", x_tenant_id: "t_123", x_draw_id: "draw_3", category: ["draw-approved"] });
    expect(bounce.sg_message_id!.startsWith(sent.messageId!)).toBe(true);
    expect(h.fake.suppressions.bounces.map((b) => b.email)).toEqual(["ana@example.com"]);

    const again = await h.fake.postEvents(url, events);
    expect(await again.json()).toMatchObject({ received: 3, handled: 0, duplicates: 3 });
    expect(seen).toHaveLength(3);
  });

  it("a batch signed with another key reaches no handler (401)", async () => {
    const sent = await h.client.mail.send(drawApproved());
    const events = h.fake.eventsFor(sent.messageId!, ["delivered"]);
    const body = serializeEventBatch(events);
    const impostor = createEventWebhookSigner();
    const response = await h.fake.postEvents(url, body, { headers: impostor.sign(body) });

    expect(response.status).toBe(401);
    expect(seen).toEqual([]);
  });

  it("a stale batch (replayed 11 minutes later) reaches no handler (401)", async () => {
    const sent = await h.client.mail.send(drawApproved());
    const response = await h.fake.postEvents(url, h.fake.eventsFor(sent.messageId!, ["delivered"]), { timestamp: Math.floor(Date.now() / 1000) - 660 });
    expect(response.status).toBe(401);
    expect(seen).toEqual([]);
  });

  it("one invalid event is dead-lettered and reported; the others are processed and the batch is acknowledged", async () => {
    const sent = await h.client.mail.send(drawApproved());
    const [delivered, bounce] = h.fake.eventsFor(sent.messageId!, ["delivered", "bounce"]);
    const broken = { email: "x@example.com", event: "delivered", timestamp: 1700000000 }; // no sg_event_id
    const response = await h.fake.postEvents(url, [delivered!, broken, bounce!]);

    expect(response.status).toBe(200);
    expect(seen.map((e) => e.sg_event_id)).toEqual([delivered!.sg_event_id, bounce!.sg_event_id]);
    expect(invalid).toEqual([1]);
    const letters = await deadLetters.list({ operation: "invalid_event" });
    expect(letters.at(-1)!.payload).toEqual(broken);
  });

  it("a handler failure answers 500 so SendGrid redelivers; the redelivery handles only the failed event", async () => {
    const sent = await h.client.mail.send(drawApproved());
    const events = h.fake.eventsFor(sent.messageId!, ["processed", "delivered", "bounce"]);
    failOnce.add(events[1]!.sg_event_id as string);

    const first = await h.fake.postEvents(url, events);
    expect(first.status).toBe(500);
    expect(seen.map((e) => e.event)).toEqual(["processed", "bounce"]);

    const second = await h.fake.postEvents(url, events);
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ handled: 1, duplicates: 2 });
    expect(seen.map((e) => e.event)).toEqual(["processed", "bounce", "delivered"]);
  });

  it("passes unknown event types through to onEvent and dedupes a repeated id inside one batch", async () => {
    const sent = await h.client.mail.send(drawApproved());
    const [open] = h.fake.eventsFor(sent.messageId!, ["open"]);
    const account = { email: "ops@acme.test", timestamp: 1700000000, event: "account_status_change", sg_event_id: "acct-1", type: "compliance_suspend" };
    const response = await h.fake.postEvents(url, [open!, account, open!]);

    expect(await response.json()).toMatchObject({ received: 3, handled: 2, duplicates: 1 });
    expect(seen.map((e) => e.event)).toEqual(["open", "account_status_change"]);
    expect((seen[0] as SendGridEventOf<"open">).sg_machine_open).toBe(false);
  });

  it("works through the Fetch adapter too", async () => {
    const sent = await h.client.mail.send(drawApproved());
    const body = serializeEventBatch(h.fake.eventsFor(sent.messageId!, ["delivered"]));
    const response = await handler.fetch(new Request(url, { method: "POST", headers: { "content-type": "application/json", ...h.fake.signer.sign(body) }, body: new Uint8Array(body) }));

    expect(response.status).toBe(200);
    expect(seen.map((e) => e.event)).toEqual(["delivered"]);
  });

  it("verifies with the WebCrypto engine end to end", async () => {
    const webcrypto = createSendGridWebhookHandler({ publicKey: h.fake.signer.publicKey, engine: "webcrypto", onEvent: (e) => void seen.push(e) });
    const sent = await h.client.mail.send(drawApproved());
    const body = serializeEventBatch(h.fake.eventsFor(sent.messageId!, ["delivered", "open"]));
    const ok = await webcrypto.handle({ method: "POST", url, headers: h.fake.signer.sign(body), rawBody: body });
    const tampered = Buffer.from(body);
    tampered[10] = tampered[10]! ^ 1;
    const bad = await webcrypto.handle({ method: "POST", url, headers: h.fake.signer.sign(body), rawBody: tampered });

    expect(ok.status).toBe(200);
    expect(bad.status).toBe(401);
    expect(seen.map((e) => e.event)).toEqual(["delivered", "open"]);
  });

  it("answers 400 to a signed body that is not an event array", async () => {
    const body = Buffer.from('{"event":"delivered"}\r\n');
    const response = await h.fake.postEvents(url, body);
    expect(response.status).toBe(400);
    expect(seen).toEqual([]);
  });
});

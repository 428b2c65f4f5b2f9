import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryDeadLetterSink, WebhookVerificationError, type WebhookRequest } from "@connect/core";
import { createXeroWebhookHandler, parseXeroWebhook, xeroWebhookVerifier, type XeroWebhookEvent } from "@connect/xero";
import { createXeroFake, intentToReceivePayload, signXeroPayload } from "@connect/xero/testing";
import { afterEach, describe, expect, it } from "vitest";

// The vector from shared/vendors/xero.md §8 (node:crypto and Python agree).
const VECTOR_KEY = "xero-test-webhook-key-0001";
const VECTOR_BODY = '{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"S0m3r4Nd0mt3xt"}';
const VECTOR_SIGNATURE = "we5ATuexR4Ugv6tlYApa++pQe2woIO8PVzDXDNAwyhU=";

const request = (body: string | Buffer, signature: string | undefined): WebhookRequest => ({
  method: "POST",
  url: "https://lender.test/xero/webhooks",
  headers: { "content-type": "application/json", ...(signature !== undefined ? { "x-xero-signature": signature } : {}) },
  rawBody: Buffer.from(body),
});

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(handler: ReturnType<typeof createXeroWebhookHandler>): Promise<string> {
  server = createServer((req, res) => void handler.node(req, res));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/xero/webhooks`;
}

describe("signature", () => {
  it("matches the contract's vector, and the verifier accepts it", async () => {
    expect(signXeroPayload(VECTOR_BODY, VECTOR_KEY)).toBe(VECTOR_SIGNATURE);
    await expect(Promise.resolve(xeroWebhookVerifier({ webhookKey: VECTOR_KEY }).verify(request(VECTOR_BODY, VECTOR_SIGNATURE)))).resolves.toBeUndefined();
  });

  it("one changed byte, a wrong key, a missing header and a re-serialised body all fail verification", async () => {
    const verifier = xeroWebhookVerifier({ webhookKey: VECTOR_KEY });
    const fails = async (req: WebhookRequest): Promise<unknown> => {
      try {
        await verifier.verify(req);
        return undefined;
      } catch (error) {
        return error;
      }
    };
    expect(await fails(request(VECTOR_BODY.replace("S0m3", "S0m4"), VECTOR_SIGNATURE))).toBeInstanceOf(WebhookVerificationError);
    expect(await fails(request(VECTOR_BODY, signXeroPayload(VECTOR_BODY, "another-key")))).toBeInstanceOf(WebhookVerificationError);
    expect(await fails(request(VECTOR_BODY, undefined))).toBeInstanceOf(WebhookVerificationError);
    expect(await fails(request(JSON.stringify(JSON.parse(VECTOR_BODY), null, 2), VECTOR_SIGNATURE))).toBeInstanceOf(WebhookVerificationError);
  });

  it("accepts either key during a rotation", async () => {
    const verifier = xeroWebhookVerifier({ webhookKey: ["new-key", VECTOR_KEY] });
    await expect(Promise.resolve(verifier.verify(request(VECTOR_BODY, VECTOR_SIGNATURE)))).resolves.toBeUndefined();
  });
});

describe("intent to receive", () => {
  it("answers the fake's probes: 200 with an empty body (no cookie) when signed right, 401 when not, well within 5 s", async () => {
    const fake = createXeroFake();
    const seen: XeroWebhookEvent[] = [];
    const url = await listen(createXeroWebhookHandler({ webhookKey: fake.webhookKey, onEvent: (e) => void seen.push(e) }));
    const result = await fake.intentToReceive(url, { rounds: 4 });
    expect(result.probes.map((p) => [p.signature, p.status, p.body, p.setCookie])).toEqual([
      ["valid", 200, "", false],
      ["invalid", 401, "", false],
      ["valid", 200, "", false],
      ["invalid", 401, "", false],
    ]);
    expect(result.passed).toBe(true);
    expect(seen).toEqual([]);
  });

  it("fails the handshake for a receiver holding the wrong key", async () => {
    const fake = createXeroFake();
    const url = await listen(createXeroWebhookHandler({ webhookKey: "not-the-app-key", onEvent: () => undefined }));
    const result = await fake.intentToReceive(url, { rounds: 2 });
    expect(result.passed).toBe(false);
    expect(result.probes.map((p) => [p.signature, p.status, p.ok])).toEqual([
      ["valid", 401, false],
      ["invalid", 401, true],
    ]);
  });

  it("handle() answers a valid empty payload 200 with no body and a bad one 401", async () => {
    const handler = createXeroWebhookHandler({ webhookKey: VECTOR_KEY, onEvent: () => undefined });
    expect(await handler.handle(request(VECTOR_BODY, VECTOR_SIGNATURE))).toEqual({ status: 200, headers: {}, body: "" });
    expect(await handler.handle(request(intentToReceivePayload(), VECTOR_SIGNATURE))).toEqual({ status: 401, headers: {}, body: "" });
  });
});

describe("events", () => {
  it("delivers the fake's signed CONTACT and INVOICE events to handlers by category, once each", async () => {
    const fake = createXeroFake();
    const tenantId = fake.tenants[0]!.tenantId;
    const books = fake.books(tenantId);
    const contact = books.contacts.create({ Name: "Ana" });
    books.contacts.update(String(contact.ContactID), { EmailAddress: "ana@example.com" });
    const invoice = books.invoices.create({ Type: "ACCREC", Contact: { ContactID: contact.ContactID }, LineItems: [{ Description: "Draw", UnitAmount: 10 }] });
    const contacts: XeroWebhookEvent[] = [];
    const invoices: XeroWebhookEvent[] = [];
    const handler = createXeroWebhookHandler({ webhookKey: fake.webhookKey, handlers: { CONTACT: (e) => void contacts.push(e), INVOICE: (e) => void invoices.push(e) } });
    const url = await listen(handler);
    const response = await fake.postWebhook(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
    expect(contacts.map((e) => [e.eventType, e.resourceId, e.tenantId])).toEqual([
      ["CREATE", contact.ContactID, tenantId],
      ["UPDATE", contact.ContactID, tenantId],
    ]);
    expect(invoices.map((e) => [e.eventType, e.resourceId])).toEqual([["CREATE", invoice.InvoiceID]]);
    expect(contacts[0]!.occurredAt).toMatch(/Z$/);
    expect(contacts[0]!.eventDateUtc).not.toMatch(/Z$/);
    // Xero retries the same body: acknowledged, not handled twice.
    const again = await fake.postWebhook(url, { changes: fake.changes });
    expect(again.status).toBe(200);
    expect(contacts).toHaveLength(2);
    expect(invoices).toHaveLength(1);
  });

  it("the fake redelivers until the receiver answers 200, and the receiver handles the event once it succeeds", async () => {
    const fake = createXeroFake();
    fake.books(fake.tenants[0]!.tenantId).contacts.create({ Name: "Ana" });
    let calls = 0;
    const url = await listen(
      createXeroWebhookHandler({
        webhookKey: fake.webhookKey,
        onEvent: () => {
          calls += 1;
          if (calls === 1) throw new Error("db down");
        },
      }),
    );
    const response = await fake.postWebhook(url, { retries: 3 });
    expect(response.status).toBe(200);
    expect(calls).toBe(2);
  });

  it("a badly signed delivery reaches no handler", async () => {
    const fake = createXeroFake();
    fake.books(fake.tenants[0]!.tenantId).contacts.create({ Name: "Ana" });
    const seen: XeroWebhookEvent[] = [];
    const url = await listen(createXeroWebhookHandler({ webhookKey: fake.webhookKey, onEvent: (e) => void seen.push(e) }));
    const response = await fake.postWebhook(url, { headers: { "x-xero-signature": signXeroPayload("other", fake.webhookKey) } });
    expect(response.status).toBe(401);
    expect(seen).toEqual([]);
  });

  it("one malformed entry is dead-lettered; the others are handled", async () => {
    const deadLetters = createMemoryDeadLetterSink();
    const seen: string[] = [];
    const handler = createXeroWebhookHandler({ webhookKey: VECTOR_KEY, deadLetters, onEvent: (e) => void seen.push(e.resourceId) });
    const good = { resourceId: "717f2bfc-0000-4000-8000-000000000001", eventDateUtc: "2024-06-21T01:15:39.902", eventType: "UPDATE", eventCategory: "CONTACT", tenantId: "c2cc9b6e-0000-4000-8000-000000000000", tenantType: "ORGANISATION" };
    const body = JSON.stringify({ events: [good, { eventCategory: "INVOICE" }], firstEventSequence: 1, lastEventSequence: 2, entropy: "x" });
    const answer = await handler.handle(request(body, signXeroPayload(body, VECTOR_KEY)));
    expect(answer.status).toBe(200);
    expect(seen).toEqual([good.resourceId]);
    expect((await deadLetters.list()).map((d) => d.operation)).toEqual(["invalid_event"]);
  });

  it("a handler failure answers 500 so Xero redelivers", async () => {
    const handler = createXeroWebhookHandler({ webhookKey: VECTOR_KEY, onEvent: () => Promise.reject(new Error("db down")) });
    const body = JSON.stringify({ events: [{ resourceId: "r1", eventDateUtc: "2024-06-21T01:15:39.902", eventType: "CREATE", eventCategory: "INVOICE", tenantId: "t1" }], firstEventSequence: 1, lastEventSequence: 1, entropy: "x" });
    expect((await handler.handle(request(body, signXeroPayload(body, VECTOR_KEY)))).status).toBe(500);
  });

  it("parseXeroWebhook reports an intent-to-receive payload and refuses a body without events", () => {
    expect(parseXeroWebhook(VECTOR_BODY)).toMatchObject({ intentToReceive: true, events: [], firstEventSequence: 0, lastEventSequence: 0 });
    expect(() => parseXeroWebhook('{"foo":1}')).toThrow(/no events array/);
  });

  it("refuses to start without a webhook key", () => {
    expect(() => createXeroWebhookHandler({ onEvent: () => undefined })).toThrow(/webhookKey/);
  });
});

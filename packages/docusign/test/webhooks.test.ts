import { createMemoryDeadLetterSink, ValidationError, WebhookVerificationError, type SignatureEvent, type WebhookRequest } from "@connect/core";
import {
  createDocuSignWebhookHandler,
  docuSignConnectVerifier,
  parseConnectMessage,
  parseJsonConnectMessage,
  parseXmlConnectMessage,
  type DocuSignConnectEvent,
} from "@connect/docusign";
import { signConnectMessage } from "@connect/docusign/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listen, loanEnvelope, rejection, setup, type Harness } from "./helpers.js";

const KEY = "connect-key-2026-current-0123456789";
const OLD_KEY = "connect-key-2025-previous-abcdefghij";
const T0 = Date.UTC(2026, 4, 1, 18, 22, 5, 123);

let h: Harness;
let t = T0;
beforeEach(async () => {
  t = T0;
  h = await setup({ fake: { hmacKeys: [KEY], now: () => t }, client: { now: () => t } });
});
afterEach(async () => {
  await h.close();
});

/** A verified request as the receiver sees it. */
function request(message: { body: Buffer; headers: Record<string, string> }): WebhookRequest {
  return { method: "POST", url: "https://hooks.acme.test/webhooks/docusign", headers: message.headers, rawBody: message.body };
}

/** An envelope with a borrower, a guarantor and a carbon copy, and a loanId custom field. */
async function envelope(): Promise<string> {
  const { envelopeId } = await h.client.envelopes.create(
    loanEnvelope({
      customFields: { loanId: "L-1001" },
      recipients: {
        signers: [
          { name: "Ann Lee", email: "ann@example.com", routingOrder: 1 },
          { name: "Gus Grant", email: "gus@example.com", routingOrder: 2 },
        ],
        carbonCopies: [{ name: "Closing desk", email: "closing@acme-lending.test", routingOrder: 3 }],
      },
    }),
  );
  return envelopeId;
}

const withoutMeta = ({ meta: _meta, ...event }: DocuSignConnectEvent) => event;

describe("JSON and XML normalise to the same typed event", () => {
  it("envelope-completed", async () => {
    const id = await envelope();
    t += 60_000;
    await h.fake.sign(id, "ann@example.com");
    t += 60_000;
    await h.fake.sign(id, "gus@example.com");
    const json = parseConnectMessage(request(h.fake.connect.message(id, "envelope-completed", { format: "json" })));
    const xml = parseConnectMessage(request(h.fake.connect.message(id, "envelope-completed", { format: "xml" })));
    const env = h.fake.envelope(id)!;

    expect(withoutMeta(xml)).toEqual(withoutMeta(json));
    expect(json).toEqual({
      eventId: expect.stringMatching(new RegExp(`^${id}:envelope-completed::${new Date(T0 + 120_000).toISOString()}:[0-9a-f]{12}$`)),
      event: "envelope-completed",
      envelopeId: id,
      status: "completed",
      occurredAt: new Date(T0 + 120_000).toISOString(),
      emailSubject: "Loan L-1001: please sign",
      recipients: [
        { type: "signer", email: "ann@example.com", name: "Ann Lee", routingOrder: 1, status: "completed", recipientIdGuid: env.recipients[0]!.recipientIdGuid, sentAt: new Date(T0).toISOString(), deliveredAt: new Date(T0 + 60_000).toISOString(), signedAt: new Date(T0 + 60_000).toISOString() },
        { type: "signer", email: "gus@example.com", name: "Gus Grant", routingOrder: 2, status: "completed", recipientIdGuid: env.recipients[1]!.recipientIdGuid, sentAt: new Date(T0 + 60_000).toISOString(), deliveredAt: new Date(T0 + 120_000).toISOString(), signedAt: new Date(T0 + 120_000).toISOString() },
        { type: "carbonCopy", email: "closing@acme-lending.test", name: "Closing desk", routingOrder: 3, status: "completed", recipientIdGuid: env.recipients[2]!.recipientIdGuid, sentAt: new Date(T0 + 120_000).toISOString() },
      ],
      customFields: { loanId: "L-1001" },
      documents: [],
      meta: { format: "json", generatedAt: new Date(T0 + 120_000).toISOString(), retryCount: 0, configurationId: "10510", accountId: h.fake.accountId, summaryIncluded: true },
    });
    expect(xml.meta).toEqual({ format: "xml", generatedAt: new Date(T0 + 120_000).toISOString(), summaryIncluded: true });
  });

  it("envelope-declined carries the decliner and the reason", async () => {
    const id = await envelope();
    t += 30_000;
    await h.fake.decline(id, "ann@example.com", "The rate is not what we agreed");
    const json = parseConnectMessage(request(h.fake.connect.message(id, "envelope-declined", { format: "json" })));
    const xml = parseConnectMessage(request(h.fake.connect.message(id, "envelope-declined", { format: "xml" })));

    expect(withoutMeta(xml)).toEqual(withoutMeta(json));
    expect(json.status).toBe("declined");
    expect(json.occurredAt).toBe(new Date(T0 + 30_000).toISOString());
    expect(json.declinedReason).toBe("The rate is not what we agreed");
    expect(json.recipient).toMatchObject({ email: "ann@example.com", name: "Ann Lee", routingOrder: 1, status: "declined", declinedReason: "The rate is not what we agreed" });
    expect(json.recipients.map((r) => r.status)).toEqual(["declined", "created", "created"]);
  });

  it("envelope-voided carries the void reason", async () => {
    const id = await envelope();
    t += 45_000;
    await h.client.envelopes.void({ envelopeId: id, reason: "Loan withdrawn" });
    const json = parseConnectMessage(request(h.fake.connect.message(id, "envelope-voided", { format: "json" })));
    const xml = parseConnectMessage(request(h.fake.connect.message(id, "envelope-voided", { format: "xml" })));

    expect(withoutMeta(xml)).toEqual(withoutMeta(json));
    expect(json).toMatchObject({ event: "envelope-voided", status: "voided", voidedReason: "Loan withdrawn", occurredAt: new Date(T0 + 45_000).toISOString() });
    expect(json.recipient).toBeUndefined();
  });

  it("two XML messages with the same envelope status and time but a new signature get different event ids (no false dedupe)", async () => {
    const id = await envelope();
    await h.fake.deliver(id, "ann@example.com");
    const before = parseConnectMessage(request(h.fake.connect.message(id, "envelope-delivered", { format: "xml" })));
    t += 1_000;
    await h.fake.sign(id, "ann@example.com");
    const after = parseConnectMessage(request(h.fake.connect.message(id, "envelope-delivered", { format: "xml" })));
    const again = parseConnectMessage(request(h.fake.connect.message(id, "envelope-delivered", { format: "xml" })));
    expect([before.event, after.event]).toEqual(["envelope-delivered", "envelope-delivered"]);
    expect(after.occurredAt).toBe(before.occurredAt);
    expect(after.eventId).not.toBe(before.eventId);
    expect(again.eventId).toBe(after.eventId);
  });

  it("XML times without a zone are read in TimeZoneOffset hours, or the configured default", () => {
    const xml = `<?xml version="1.0"?><DocuSignEnvelopeInformation xmlns="http://www.docusign.net/API/3.0"><EnvelopeStatus><RecipientStatuses/><TimeGenerated>2020-12-21T08:30:37.96</TimeGenerated><EnvelopeID>c5c0aa00-0000-4000-8000-000000000001</EnvelopeID><Subject>Loan &amp; note</Subject><Status>Completed</Status><Completed>2020-12-21T08:30:10.133</Completed></EnvelopeStatus></DocuSignEnvelopeInformation>`;
    expect(parseXmlConnectMessage(xml).occurredAt).toBe("2020-12-21T08:30:10.133Z");
    expect(parseXmlConnectMessage(xml, { defaultTimeZoneOffsetHours: -8 }).occurredAt).toBe("2020-12-21T16:30:10.133Z");
    expect(parseXmlConnectMessage(xml.replace("</EnvelopeStatus>", "</EnvelopeStatus><TimeZone>Tokyo</TimeZone><TimeZoneOffset>9</TimeZoneOffset>"), { defaultTimeZoneOffsetHours: -8 }).occurredAt).toBe("2020-12-20T23:30:10.133Z");
    expect(parseXmlConnectMessage(xml).emailSubject).toBe("Loan & note");
  });

  it("a JSON message without envelopeSummary says so and takes the status from the event name", () => {
    const event = parseJsonConnectMessage(JSON.stringify({ event: "envelope-completed", retryCount: "2", generatedDateTime: "2024-05-01T18:22:05.1230000Z", data: { accountId: "acct", envelopeId: "env-1" } }));
    expect(event).toEqual({
      eventId: expect.stringMatching(/^env-1:envelope-completed::2024-05-01T18:22:05\.123Z:[0-9a-f]{12}$/),
      event: "envelope-completed",
      envelopeId: "env-1",
      status: "completed",
      occurredAt: "2024-05-01T18:22:05.123Z",
      recipients: [],
      customFields: {},
      documents: [],
      meta: { format: "json", generatedAt: "2024-05-01T18:22:05.123Z", retryCount: 2, accountId: "acct", summaryIncluded: false },
    });
  });

  it("recipient-completed names the recipient (JSON data.recipientId)", async () => {
    const id = await envelope();
    t += 10_000;
    await h.fake.sign(id, "ann@example.com");
    const event = parseConnectMessage(request(h.fake.connect.message(id, "recipient-completed", { format: "json", recipientId: "1" })));
    expect(event.eventId).toMatch(new RegExp(`^${id}:recipient-completed:1:${new Date(T0 + 10_000).toISOString()}:[0-9a-f]{12}$`));
    expect(event.recipient).toMatchObject({ recipientId: "1", email: "ann@example.com", routingOrder: 1, status: "completed", signedAt: new Date(T0 + 10_000).toISOString() });
    expect(event.status).toBe("delivered");
  });
});

describe("signature verification", () => {
  it("a message signed with the second of two configured keys is accepted (rotation)", async () => {
    const id = await envelope();
    const message = h.fake.connect.message(id, "envelope-sent");
    await expect(docuSignConnectVerifier({ secrets: [OLD_KEY, KEY] }).verify(request(message))).resolves.toBeUndefined();
  });

  it("with two signature headers, a match on the second header is accepted", async () => {
    const id = await envelope();
    const { body } = h.fake.connect.message(id, "envelope-sent");
    const headers = { "content-type": "application/json", ...signConnectMessage(body, ["some-other-account-key", KEY]) };
    expect(Object.keys(headers)).toEqual(["content-type", "x-docusign-signature-1", "x-docusign-signature-2"]);
    await expect(docuSignConnectVerifier({ secrets: [KEY] }).verify(request({ body, headers }))).resolves.toBeUndefined();
  });

  it.each([
    ["a tampered body", (m: { body: Buffer; headers: Record<string, string> }) => ({ ...m, body: Buffer.from(m.body.toString().replace("Loan L-1001", "Loan L-1002")) }), "bad_signature"],
    ["a wrong key", (m: { body: Buffer; headers: Record<string, string> }) => ({ ...m, headers: { ...m.headers, ...signConnectMessage(m.body, ["not-the-key"]) } }), "bad_signature"],
    ["no signature header", (m: { body: Buffer; headers: Record<string, string> }) => ({ ...m, headers: { "content-type": "application/json" } }), "missing_header"],
    ["a signature that is not base64 of 32 bytes", (m: { body: Buffer; headers: Record<string, string> }) => ({ ...m, headers: { ...m.headers, "x-docusign-signature-1": "abc" } }), "malformed_signature"],
  ])("%s is refused", async (_name, change, reason) => {
    const id = await envelope();
    const error = await rejection(Promise.resolve(docuSignConnectVerifier({ secrets: [KEY] }).verify(request(change(h.fake.connect.message(id, "envelope-sent"))))));
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).reason).toBe(reason);
  });

  it("a body parsed before verification is refused with the explanation", async () => {
    const error = await rejection(Promise.resolve(docuSignConnectVerifier({ secrets: [KEY] }).verify({ method: "POST", url: "https://x/", headers: { "x-docusign-signature-1": "a" }, rawBody: { event: "x" } as never })));
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).reason).toBe("body_parsed");
  });
});

describe("the Connect listener", () => {
  it("receives every change of a signing over HTTP, verified and typed, in order", async () => {
    const seen: Array<[string, string | undefined]> = [];
    const receiver = createDocuSignWebhookHandler({ secrets: [OLD_KEY, KEY], onEvent: (e) => void seen.push([e.event, e.recipient?.email]) });
    const listener = await listen(receiver);
    h.fake.connect.configure({ url: listener.url });
    try {
      const id = await envelope();
      await h.fake.completeAll(id);
      await h.fake.connect.settled();
      expect(seen).toEqual([
        ["envelope-sent", undefined],
        ["recipient-sent", "ann@example.com"],
        ["recipient-delivered", "ann@example.com"],
        ["envelope-delivered", undefined],
        ["recipient-completed", "ann@example.com"],
        ["recipient-sent", "gus@example.com"],
        ["recipient-delivered", "gus@example.com"],
        ["recipient-completed", "gus@example.com"],
        ["envelope-completed", undefined],
      ]);
      expect(h.fake.connect.deliveries.every((d) => d.acknowledged && d.status === 200)).toBe(true);
    } finally {
      await listener.close();
    }
  });

  it("legacy XML deliveries reach the same handlers (envelope status messages)", async () => {
    const completed: DocuSignConnectEvent[] = [];
    const receiver = createDocuSignWebhookHandler({ secrets: [KEY], handlers: { "envelope-completed": (e) => void completed.push(e) } });
    const listener = await listen(receiver);
    h.fake.connect.configure({ url: listener.url, format: "xml" });
    try {
      const id = await envelope();
      await h.fake.completeAll(id);
      await h.fake.connect.settled();
      expect(h.fake.connect.deliveries.map((d) => [d.format, d.event, d.status])).toEqual([
        ["xml", "envelope-sent", 200],
        ["xml", "envelope-delivered", 200],
        ["xml", "envelope-completed", 200],
      ]);
      expect(h.fake.connect.deliveries[0]!.headers["content-type"]).toBe("text/xml; charset=utf-8");
      expect(completed).toHaveLength(1);
      expect(completed[0]).toMatchObject({ envelopeId: id, status: "completed", customFields: { loanId: "L-1001" }, meta: { format: "xml" } });
    } finally {
      await listener.close();
    }
  });

  it("a tampered, wrongly signed or unsigned delivery gets 401 and reaches no handler", async () => {
    let calls = 0;
    const receiver = createDocuSignWebhookHandler({ secrets: [KEY], onEvent: () => void calls++ });
    const id = await envelope();
    const message = h.fake.connect.message(id, "envelope-sent");
    const tampered = await receiver.handle(request({ ...message, body: Buffer.concat([message.body, Buffer.from(" ")]) }));
    const wrongKey = await receiver.handle(request({ body: message.body, headers: { ...signConnectMessage(message.body, ["wrong"]), "content-type": "application/json" } }));
    const unsigned = await receiver.handle(request({ body: message.body, headers: { "content-type": "application/json" } }));
    expect([tampered.status, wrongKey.status, unsigned.status]).toEqual([401, 401, 401]);
    expect(calls).toBe(0);
  });

  it.each([
    ["billion laughs", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><DocuSignEnvelopeInformation><EnvelopeStatus><EnvelopeID>x</EnvelopeID><Subject>&lol3;</Subject><Status>Completed</Status></EnvelopeStatus></DocuSignEnvelopeInformation>`],
    ["external entity", `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><DocuSignEnvelopeInformation><EnvelopeStatus><EnvelopeID>x</EnvelopeID><Subject>&xxe;</Subject><Status>Completed</Status></EnvelopeStatus></DocuSignEnvelopeInformation>`],
  ])("a correctly signed XML %s payload is refused with 400, reaches no handler, and the listener keeps working", async (_name, xml) => {
    let calls = 0;
    const receiver = createDocuSignWebhookHandler({ secrets: [KEY], onEvent: () => void calls++ });
    const listener = await listen(receiver);
    try {
      const response = await h.fake.connect.post(listener.url, { body: xml });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: "invalid_payload" });
      const id = await envelope();
      const ok = await h.fake.connect.post(listener.url, h.fake.connect.message(id, "envelope-sent", { format: "xml" }));
      expect(ok.status).toBe(200);
      expect(calls).toBe(1);
    } finally {
      await listener.close();
    }
    expect(() => parseXmlConnectMessage(xml)).toThrow(ValidationError);
    expect(() => parseXmlConnectMessage(xml)).toThrow("the XML carries a DTD (<!DOCTYPE>/<!ENTITY>), which DocuSign never sends; refused to prevent entity expansion");
  });

  it("malformed XML and non-Connect JSON are 400 invalid_payload", async () => {
    const receiver = createDocuSignWebhookHandler({ secrets: [KEY], onEvent: () => undefined });
    const sign = (body: string, type: string) => request({ body: Buffer.from(body), headers: { "content-type": type, ...signConnectMessage(body, [KEY]) } });
    expect((await receiver.handle(sign("<DocuSignEnvelopeInformation><EnvelopeStatus>", "text/xml"))).status).toBe(400);
    expect((await receiver.handle(sign('{"hello":"world"}', "application/json"))).status).toBe(400);
    expect((await receiver.handle(sign("{not json", "application/json"))).status).toBe(400);
  });

  it("dedupes a redelivered message (retryCount 1, same change): the handler runs once", async () => {
    const handled: string[] = [];
    const receiver = createDocuSignWebhookHandler({ secrets: [KEY], handlers: { "envelope-sent": (e) => void handled.push(e.eventId) } });
    const id = await envelope();
    const first = await receiver.handle(request(h.fake.connect.message(id, "envelope-sent", { retryCount: 0 })));
    const again = await receiver.handle(request(h.fake.connect.message(id, "envelope-sent", { retryCount: 1 })));
    expect(JSON.parse(first.body)).toMatchObject({ handled: 1, duplicates: 0 });
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toMatchObject({ handled: 0, duplicates: 1 });
    expect(handled).toHaveLength(1);
  });

  it("a handler that throws answers 500; DocuSign's retry (retryCount + 1) is handled and acknowledged", async () => {
    let failures = 1;
    const handled: number[] = [];
    const receiver = createDocuSignWebhookHandler({
      secrets: [KEY],
      handlers: {
        "envelope-completed": (e, ctx) => {
          if (failures-- > 0) throw new Error("database down");
          handled.push(ctx.delivery, e.meta.retryCount ?? -1);
        },
      },
    });
    const listener = await listen(receiver);
    h.fake.connect.configure({ url: listener.url, events: ["envelope-completed"] });
    try {
      const id = await envelope();
      await h.fake.completeAll(id);
      expect(h.fake.connect.deliveries.map((d) => d.status)).toEqual([500]);
      expect(h.fake.connect.pending).toBe(1);
      const retried = await h.fake.connect.retryFailed();
      expect(retried.map((d) => [d.status, d.retryCount, d.acknowledged])).toEqual([[200, 1, true]]);
      expect(handled).toEqual([2, 1]);
      expect(h.fake.connect.pending).toBe(0);
    } finally {
      await listener.close();
    }
  });

  it("a poison event is dead-lettered after maxAttempts and then acknowledged", async () => {
    const deadLetters = createMemoryDeadLetterSink();
    const receiver = createDocuSignWebhookHandler({ secrets: [KEY], maxAttempts: 2, deadLetters, handlers: { "envelope-sent": () => { throw new Error("bug"); } } });
    const id = await envelope();
    const message = h.fake.connect.message(id, "envelope-sent");
    expect((await receiver.handle(request(message))).status).toBe(500);
    expect((await receiver.handle(request(message))).status).toBe(200);
    const letters = await deadLetters.list();
    expect(letters.map((l) => [l.kind, l.operation, l.attempts])).toEqual([["webhook", "envelope-sent", 2]]);
  });

  it("onSignatureEvent receives core's SignatureEvent for events that map, alongside typed handlers", async () => {
    const neutral: SignatureEvent[] = [];
    const typed: string[] = [];
    const receiver = createDocuSignWebhookHandler({ secrets: [KEY], handlers: { "envelope-completed": (e) => void typed.push(e.event) }, onSignatureEvent: (e) => void neutral.push(e) });
    const listener = await listen(receiver);
    h.fake.connect.configure({ url: listener.url });
    try {
      const id = await envelope();
      t += 5_000;
      await h.fake.completeAll(id);
      await h.fake.connect.settled();
      expect(typed).toEqual(["envelope-completed"]);
      expect(neutral.map((e) => [e.type, e.recipient?.email, e.recipient?.order])).toEqual([
        ["sent", undefined, undefined],
        ["delivered", undefined, undefined],
        ["signed-by-recipient", "ann@example.com", 1],
        ["signed-by-recipient", "gus@example.com", 2],
        ["completed", undefined, undefined],
      ]);
      expect(neutral.at(-1)).toEqual({ provider: "docusign", eventId: expect.stringMatching(new RegExp(`^${id}:envelope-completed::`)), type: "completed", signatureId: id, occurredAt: new Date(T0 + 5_000).toISOString(), externalRef: "L-1001" });
      const summaries = h.fake.connect.deliveries.map((d) => d.event);
      expect(summaries).toContain("recipient-sent");
    } finally {
      await listener.close();
    }
  });

  it("events nobody handles are acknowledged as ignored", async () => {
    const receiver = createDocuSignWebhookHandler({ secrets: [KEY], handlers: { "envelope-completed": () => undefined } });
    const id = await envelope();
    const response = await receiver.handle(request(h.fake.connect.message(id, "envelope-sent")));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ received: 1, handled: 0, duplicates: 0, ignored: 1, failed: 0, deadLettered: 0 });
  });

  it("needs secrets unless told otherwise", () => {
    expect(() => createDocuSignWebhookHandler({})).toThrow("createDocuSignWebhookHandler needs secrets");
  });
});

describe("hostile JSON Connect bodies (issue 15)", () => {
  it("an event field that makes zod's length check throw is a ValidationError, not a TypeError", async () => {
    const { parseConnectMessage } = await import("../src/index.js");
    const { ValidationError } = await import("@connect/core");
    const body = Buffer.from('{"event":{"length":[[{"toString":""}]]}}');
    expect(() => parseConnectMessage({ headers: {}, rawBody: body })).toThrow(ValidationError);
  });
});

/**
 * Issue 15 — hostile input, property-based (fast-check), against every webhook verifier and
 * parser: Twilio (form and JSON), DocuSign Connect (XML and JSON), SendGrid (signed batch),
 * QuickBooks (CloudEvents and legacy), Textract (SNS), Authentisign callbacks, SES events (SNS,
 * subscription confirmations), Mailgun (signed token, replayed tokens) and Xero (x-xero-signature,
 * intent to receive). Random and
 * adversarial bodies — invalid UTF-8, deep nesting, prototype-pollution keys, every field of the
 * wrong type, XML entity expansion and external entities, header injection — get a typed answer
 * (401 unsigned, 400 unreadable, 200 read) or a typed error from the parser: never a crash, a
 * hang, a handler reached without a valid signature, or a polluted prototype. Every receiver
 * enforces a body size limit. (The BPO CSV importer is in bpo-import-hostile.test.ts.)
 */
import { createHash, createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { callbackToken, callbackUrlFor, createAuthentisignCallbackHandler, type Signing } from "@connect/authentisign";
import { signCallback } from "@connect/authentisign/testing";
import type { WebhookReceiver, WebhookRequest } from "@connect/core";
import { createSnsVerifier as createCoreSnsVerifier } from "@connect/core/aws";
import { signSnsEnvelope as signCoreSnsEnvelope, SNS_TEST_SIGNING_CERT_PEM, SNS_TEST_SIGNING_CERT_URL } from "@connect/core/testing";
import { createDocuSignWebhookHandler, parseConnectMessage } from "@connect/docusign";
import { signConnectMessage } from "@connect/docusign/testing";
import { createMailgunWebhookHandler, parseMailgunWebhook } from "@connect/mailgun";
import { signMailgunWebhook } from "@connect/mailgun/testing";
import { createQuickBooksWebhookHandler, parseQuickBooksWebhook } from "@connect/quickbooks";
import { signQuickBooksPayload } from "@connect/quickbooks/testing";
import { createSendGridWebhookHandler, parseSendGridEvents } from "@connect/sendgrid";
import { createEventWebhookSigner } from "@connect/sendgrid/testing";
import { createSesEventReceiver, parseSesDelivery } from "@connect/ses";
import { createSnsVerifier, createTextractNotificationReceiver, parseTextractNotification } from "@connect/textract";
import { signSnsEnvelope, TEST_SIGNING_CERT_PEM, TEST_SIGNING_CERT_URL } from "@connect/textract/testing";
import { bodySha256, computeTwilioSignature, createTwilioWebhookHandler, parseFormParams, parseTwilioWebhook } from "@connect/twilio";
import { createXeroWebhookHandler, parseXeroWebhook } from "@connect/xero";
import { intentToReceivePayload, signXeroPayload } from "@connect/xero/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The callback body parser is internal to the package; it is tested directly from its source.
import { parseCallback } from "../../packages/authentisign/src/callbacks/receiver.js";
import {
  answer,
  assertNoPollution,
  assertPlainData,
  deepJson,
  deepXml,
  hostileKey,
  injectedHeader,
  invalidUtf8,
  isTyped,
  jsonText,
  prototypeSnapshot,
  randomBytes,
  request,
  shapedObject,
  stringOr,
  within,
  xmlAttack,
  xmlText,
} from "./hostile.js";

const RUNS = { numRuns: Number(process.env.HOSTILE_RUNS ?? 60) } as const;
const DEEP = { numRuns: 6 } as const;
const before = prototypeSnapshot();

afterAll(() => {
  // Nothing any payload did may have added to (or replaced) a built-in prototype.
  expect(prototypeSnapshot()).toBe(before);
  assertNoPollution();
});

/** Bodies a receiver must survive unsigned: random bytes, invalid UTF-8, JSON, XML, deep nesting. */
const anyBody = fc.oneof(randomBytes, invalidUtf8, jsonText.map((t) => Buffer.from(t)), xmlText.map((t) => Buffer.from(t)), xmlAttack.map((t) => Buffer.from(t)));

/** A parser result is plain data, or the parser threw a typed error. */
function parsedOrTyped(parse: () => unknown): void {
  let result: unknown;
  try {
    result = parse();
  } catch (error) {
    if (!isTyped(error)) throw new Error(`the parser crashed with an untyped ${(error as Error)?.name}: ${(error as Error)?.message}`);
    return;
  }
  assertPlainData(result);
  assertNoPollution();
}

/** Serve a receiver's `node()` on loopback (for the body-size tests through a real socket). */
async function serveNode(receiver: WebhookReceiver): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => void receiver.node(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A streamed body (no content-length) of `size` bytes. */
function streamOf(size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x7b);
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) return controller.close();
      const n = Math.min(chunk.length, size - sent);
      sent += n;
      controller.enqueue(chunk.subarray(0, n));
    },
  });
}

/**
 * The size limit holds through `fetch()` (declared length and streamed) and `node()` (a real
 * socket): one byte over is 413 and reaches no handler; at the limit it is read.
 */
async function checkSizeLimit(receiver: WebhookReceiver, limit: number, calls: () => number): Promise<void> {
  const handledBefore = calls();
  const declared = await within(receiver.fetch(new Request("https://hooks.test/hook", { method: "POST", body: new Uint8Array(limit + 1) })));
  expect(declared.status).toBe(413);
  const streamed = await within(receiver.fetch(new Request("https://hooks.test/hook", { method: "POST", body: streamOf(limit + 1), duplex: "half" } as RequestInit)));
  expect(streamed.status).toBe(413);
  const served = await serveNode(receiver);
  try {
    const overNode = await within(globalThis.fetch(served.url, { method: "POST", body: streamOf(limit + 1), duplex: "half" } as RequestInit).catch((e: unknown) => e));
    // The receiver answers 413 (or closes the socket mid-upload); either way nothing is handled.
    if (overNode instanceof Response) expect(overNode.status).toBe(413);
    const atLimit = await within(globalThis.fetch(served.url, { method: "POST", body: new Uint8Array(limit).fill(0x20) }));
    // Within the limit the body is read: it fails verification (401), not the size check.
    expect(atLimit.status).toBe(401);
  } finally {
    await served.close();
  }
  expect(calls()).toBe(handledBefore);
}

describe("Twilio webhooks (form and JSON with bodySHA256)", () => {
  const TOKEN = "twilio-hostile-auth-token-0001";
  const URL_ = "https://hooks.test/twilio?tenant=t1";
  let handled = 0;
  const receiver = createTwilioWebhookHandler({
    authToken: TOKEN,
    onStatus: (event) => {
      assertPlainData(event);
      handled += 1;
    },
    onInbound: (event) => {
      assertPlainData(event);
      handled += 1;
      return "ok";
    },
    maxBodyBytes: 64 * 1024,
  });
  const formPair = fc.tuple(
    fc.oneof({ weight: 3, arbitrary: fc.constantFrom("MessageSid", "MessageStatus", "SmsSid", "From", "To", "Body", "NumMedia", "MediaUrl0", "MediaContentType0", "ErrorCode", "OptOutType", "AccountSid") }, { weight: 2, arbitrary: hostileKey }),
    fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("SM" + "a".repeat(32), "delivered", "99999999999", "-1", "1e9", "%ZZ", "%E0%A4%A", "STOP", "\r\n<Response>")),
  );
  const formBody = fc.array(formPair, { maxLength: 12 }).map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&"));
  const rawForm = fc.oneof(formBody, fc.constantFrom(
    "MessageSid=MM00&From=%2B14155550100&To=%2B14155552345&Body=x&NumMedia=99999999999",
    "MessageSid=SM00&MessageStatus=failed&ErrorCode=99999999999999999999999","a=%", "%=%", "&&&=&=", "MessageSid=%ED%A0%80", "__proto__[x]=1&__proto__=2&__proto__=3", "constructor=1&constructor=2&hasOwnProperty=x&hasOwnProperty=y"));

  it("unsigned or wrongly signed bodies answer 401 and reach no handler", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyBody, rawForm.map((f) => Buffer.from(f))), fc.option(fc.oneof(fc.base64String({ maxLength: 40 }), injectedHeader)), async (body, signature) => {
        const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
        if (signature !== null) headers["x-twilio-signature"] = signature;
        await answer(receiver, request(URL_, body, headers), [401]);
      }),
      RUNS,
    );
    expect(handled).toBe(0);
  });

  it("correctly signed hostile forms are read (200) or refused (400), never a crash", async () => {
    await fc.assert(
      fc.asyncProperty(rawForm, async (form) => {
        const signature = computeTwilioSignature(TOKEN, URL_, parseFormParams(form));
        await answer(receiver, request(URL_, form, { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature }), [200, 400]);
      }),
      RUNS,
    );
  });

  it("correctly signed hostile JSON bodies (bodySHA256) are read or refused, never a crash", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(jsonText, deepJson, deepJson.map((d) => `{"MessageSid":"SM00","MessageStatus":"sent","Extra":${d}}`)), async (json) => {
        const url = `${URL_}&bodySHA256=${bodySha256(json)}`;
        await answer(receiver, request(url, json, { "content-type": "application/json", "x-twilio-signature": computeTwilioSignature(TOKEN, url) }), [200, 400]);
      }),
      RUNS,
    );
  });

  it("the form parser and event parser give plain data or a typed error", () => {
    fc.assert(
      fc.property(fc.oneof(rawForm, fc.string()), (form) => {
        parsedOrTyped(() => parseFormParams(form));
        parsedOrTyped(() => parseTwilioWebhook(request(URL_, form, { "content-type": "application/x-www-form-urlencoded" })));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.oneof(jsonText, deepJson.map((d) => `{"MessageSid":"SM00","Extra":${d}}`)), (json) => parsedOrTyped(() => parseTwilioWebhook(request(`${URL_}&bodySHA256=x`, json, { "content-type": "application/json" })))),
      { numRuns: 100 },
    );
  });

  it("enforces its body size limit (1 MiB by default; 64 KiB here)", async () => {
    await checkSizeLimit(receiver, 64 * 1024, () => handled);
  });
});

describe("SendGrid Event Webhook (signed batch)", () => {
  const signer = createEventWebhookSigner();
  let handled = 0;
  const receiver = createSendGridWebhookHandler({
    publicKey: signer.publicKey,
    onEvent: (event) => {
      assertPlainData(event);
      handled += 1;
    },
  });
  const event = shapedObject({
    event: stringOr("delivered", "bounce", "open", "click", "processed", "dropped", "__proto__"),
    email: stringOr("ana@example.com", ""),
    timestamp: fc.oneof(fc.integer().map(String), jsonText),
    sg_event_id: stringOr("ev-1", "ev-2", "__proto__"),
    sg_message_id: stringOr("msg.1", ""),
    type: stringOr("bounce", "blocked"),
    category: jsonText,
  });
  const batch = fc.oneof(fc.array(event, { maxLength: 8 }).map((events) => `[${events.join(",\r\n")}]\r\n`), jsonText, deepJson);
  /** A valid event (with or without an id) carrying a deeply nested custom field. */
  const deepInside = fc.tuple(deepJson, fc.boolean()).map(([deep, withId]) => `[{"event":"delivered","email":"ana@example.com","timestamp":1767614400${withId ? ',"sg_event_id":"deep-1"' : ""},"x_custom":${deep}}]`);

  it("unsigned, stale or wrongly signed batches answer 401 and reach no handler", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyBody, batch.map((b) => Buffer.from(b))), fc.option(injectedHeader), fc.integer({ min: -1e6, max: -700 }), async (body, injected, skew) => {
        const headers = injected === null ? signer.sign(body, Math.floor(Date.now() / 1000) + skew) : { "x-twilio-email-event-webhook-signature": injected, "x-twilio-email-event-webhook-timestamp": injected };
        await answer(receiver, request("https://hooks.test/sendgrid", body, headers), [401]);
      }),
      RUNS,
    );
    expect(handled).toBe(0);
  });

  it("correctly signed hostile batches are read (200) or refused (400), never a crash", async () => {
    await fc.assert(fc.asyncProperty(batch, async (body) => void (await answer(receiver, request("https://hooks.test/sendgrid", body, signer.sign(body)), [200, 400]))), RUNS);
    await fc.assert(fc.asyncProperty(fc.oneof(deepJson, deepInside), async (body) => void (await answer(receiver, request("https://hooks.test/sendgrid", body, signer.sign(body)), [200, 400]))), DEEP);
  });

  it("one hostile event (any shape, deep nesting) never drops the valid event next to it", async () => {
    let n = 0;
    const seen = new Set<string>();
    const own = createSendGridWebhookHandler({ publicKey: signer.publicKey, onEvent: (e) => void seen.add(String(e.sg_event_id)) });
    await fc.assert(
      fc.asyncProperty(fc.oneof(event, jsonText, deepJson.map((d) => `{"event":"open","email":"a@b.co","timestamp":1,"x":${d}}`)), async (bad) => {
        const id = `valid-${(n += 1)}`;
        const body = `[${bad},\r\n{"event":"delivered","email":"bo@example.com","timestamp":1767614400,"sg_event_id":"${id}","sg_message_id":"m.1"}]\r\n`;
        await answer(own, request("https://hooks.test/sendgrid", body, signer.sign(body)), [200]);
        if (!seen.has(id)) throw new Error(`the valid event ${id} was dropped`);
      }),
      RUNS,
    );
  });

  it("the batch parser gives plain data or a typed error", () => {
    fc.assert(
      fc.property(fc.oneof(batch.map((b) => Buffer.from(b)), invalidUtf8, randomBytes), (body) => parsedOrTyped(() => parseSendGridEvents(body))),
      { numRuns: 300 },
    );
  });

  it("enforces a body size limit (core's 25 MiB default)", async () => {
    await checkSizeLimit(receiver, 25 * 1024 * 1024, () => handled);
  });
});

describe("DocuSign Connect (XML and JSON)", () => {
  const KEY = "docusign-hostile-connect-key-0001";
  let handled = 0;
  const receiver = createDocuSignWebhookHandler({
    secrets: [KEY],
    onEvent: (event) => {
      assertPlainData({ ...event, documents: [] });
      handled += 1;
    },
    maxBodyBytes: 256 * 1024,
  });
  const jsonMessage = shapedObject({
    event: stringOr("envelope-completed", "recipient-completed", "envelope-sent", "__proto__"),
    apiVersion: stringOr("v2.1"),
    retryCount: fc.oneof(fc.integer().map(String), jsonText),
    generatedDateTime: stringOr("2026-01-05T12:00:00.0000000Z", "not a date", "9999-99-99"),
    data: shapedObject({
      accountId: stringOr("9c1f4e2a-5b6d-4c3e-8f7a-1b2c3d4e5f60"),
      envelopeId: stringOr("b5a1e2c3-0000-4000-8000-000000000001", "", "../../etc"),
      recipientId: stringOr("1", "__proto__"),
      envelopeSummary: shapedObject({
        status: stringOr("completed", "sent", "voided", "constructor"),
        statusChangedDateTime: stringOr("2026-01-05T12:00:00.0000000Z", "x"),
        recipients: shapedObject({ signers: fc.oneof(fc.array(shapedObject({ email: stringOr("a@b.co"), routingOrder: stringOr("1", "-1", "1e9"), status: stringOr("completed", "declined"), recipientId: stringOr("1") }), { maxLength: 3 }).map((a) => `[${a.join(",")}]`), jsonText) }),
        customFields: jsonText,
        envelopeDocuments: fc.oneof(fc.array(shapedObject({ documentId: stringOr("1"), name: stringOr("a.pdf"), PDFBytes: stringOr("JVBERi0=", "!!!notbase64") }), { maxLength: 2 }).map((a) => `[${a.join(",")}]`), jsonText),
      }),
    }),
  });
  const xmlMessage = fc
    .tuple(fc.constantFrom("Completed", "Sent", "Declined", "__proto__"), xmlText, fc.constantFrom("2026-01-05T12:00:00.123", "garbage", ""))
    .map(([status, inner, time]) => `<?xml version="1.0" encoding="utf-8"?><DocuSignEnvelopeInformation xmlns="http://www.docusign.net/API/3.0"><EnvelopeStatus><EnvelopeID>e-1</EnvelopeID><Status>${status}</Status><Completed>${time}</Completed>${inner}</EnvelopeStatus><TimeZoneOffset>${inner.length % 30}</TimeZoneOffset></DocuSignEnvelopeInformation>`);
  const signed = (body: string | Buffer, contentType: string): WebhookRequest => request("https://hooks.test/docusign", body, { "content-type": contentType, ...signConnectMessage(typeof body === "string" ? Buffer.from(body) : body, [KEY]) });

  it("unsigned or wrongly signed messages answer 401 and reach no handler", async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, fc.option(fc.oneof(fc.base64String({ maxLength: 44 }), injectedHeader)), async (body, signature) => {
        const headers: Record<string, string> = { "content-type": "text/xml" };
        if (signature !== null) headers["x-docusign-signature-1"] = signature;
        await answer(receiver, request("https://hooks.test/docusign", body, headers), [401]);
      }),
      RUNS,
    );
    expect(handled).toBe(0);
  });

  it("signed entity-expansion and external-entity XML is refused (400) at once, nothing expanded or fetched", async () => {
    const heap = process.memoryUsage().heapUsed;
    await fc.assert(fc.asyncProperty(xmlAttack, async (xml) => void (await answer(receiver, signed(xml, "text/xml; charset=utf-8"), [400]))), { numRuns: 30 });
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 1024 * 1024);
    expect(handled).toBe(0);
  });

  it("correctly signed hostile XML and JSON is read (200) or refused (400), never a crash", async () => {
    await fc.assert(fc.asyncProperty(xmlMessage, async (xml) => void (await answer(receiver, signed(xml, "text/xml"), [200, 400]))), RUNS);
    await fc.assert(fc.asyncProperty(fc.oneof(jsonMessage, jsonText), async (json) => void (await answer(receiver, signed(json, "application/json"), [200, 400]))), RUNS);
    const deepInside = deepJson.map((deep) => `{"event":"envelope-completed","data":{"envelopeId":"e-1","envelopeSummary":{"status":"completed","customFields":${deep}}}}`);
    await fc.assert(fc.asyncProperty(fc.oneof(deepJson, deepXml, deepInside), async (body) => void (await answer(receiver, signed(body, body.startsWith("<") ? "text/xml" : "application/json"), [200, 400]))), DEEP);
  });

  it("the message parser gives plain data or a typed error", () => {
    fc.assert(
      fc.property(fc.oneof(xmlMessage, jsonMessage, xmlAttack, xmlText, jsonText), fc.constantFrom("text/xml", "application/json", "application/octet-stream"), (body, contentType) => {
        parsedOrTyped(() => {
          const event = parseConnectMessage({ headers: { "content-type": contentType }, rawBody: Buffer.from(body) });
          return { ...event, documents: [] };
        });
      }),
      { numRuns: 300 },
    );
  });

  it("enforces its body size limit (25 MiB by default; 256 KiB here)", async () => {
    await checkSizeLimit(receiver, 256 * 1024, () => handled);
  });
});

describe("QuickBooks webhooks (CloudEvents and legacy)", () => {
  const TOKEN = "qbo-hostile-verifier-token-0001";
  let handled = 0;
  const receiver = createQuickBooksWebhookHandler({
    verifierToken: TOKEN,
    onChange: (change) => {
      assertPlainData(change);
      handled += 1;
    },
  });
  const cloudEvent = shapedObject({
    specversion: stringOr("1.0"),
    id: stringOr("ce-1", "__proto__", ""),
    source: stringOr("intuit.abc"),
    type: stringOr("qbo.invoice.updated.v1", "qbo.__proto__.created.v1", "qbo..v1", "x"),
    time: stringOr("2026-01-05T12:00:00Z", "never"),
    intuitentityid: stringOr("58", ""),
    intuitaccountid: stringOr("9341453", "constructor"),
    data: jsonText,
  });
  const legacy = shapedObject({
    eventNotifications: fc.oneof(
      fc.array(shapedObject({ realmId: stringOr("9341453"), dataChangeEvent: shapedObject({ entities: fc.oneof(fc.array(shapedObject({ name: stringOr("Invoice", "__proto__"), id: stringOr("1"), operation: stringOr("Create", "Void", "Explode"), lastUpdated: stringOr("2026-01-05T12:00:00Z", "x"), deletedId: jsonText }), { maxLength: 3 }).map((a) => `[${a.join(",")}]`), jsonText) }) }), { maxLength: 3 }).map((a) => `[${a.join(",")}]`),
      jsonText,
    ),
  });
  const payload = fc.oneof(fc.array(cloudEvent, { maxLength: 6 }).map((a) => `[${a.join(",")}]`), legacy, jsonText);

  it("unsigned or wrongly signed payloads answer 401 and reach no handler", async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, fc.option(fc.oneof(fc.base64String({ maxLength: 44 }), injectedHeader)), async (body, signature) => {
        await answer(receiver, request("https://hooks.test/qbo", body, signature === null ? {} : { "intuit-signature": signature }), [401]);
      }),
      RUNS,
    );
    await receiver.idle();
    expect(handled).toBe(0);
  });

  it("correctly signed hostile payloads are read (200) or refused (400), never a crash", async () => {
    const deepInside = deepJson.map((deep) => `[{"specversion":"1.0","type":"qbo.invoice.updated.v1","source":"intuit.x","time":"2026-01-05T12:00:00Z","intuitentityid":"1","intuitaccountid":"9341453","data":${deep}}]`);
    await fc.assert(fc.asyncProperty(fc.oneof(payload, deepJson, deepInside), async (body) => void (await answer(receiver, request("https://hooks.test/qbo", body, { "intuit-signature": signQuickBooksPayload(body, TOKEN) }), [200, 400]))), RUNS);
    await receiver.idle();
  });

  it("one hostile entry (any shape, deep nesting) never drops the valid change next to it", async () => {
    let n = 0;
    const seen = new Set<string>();
    const own = createQuickBooksWebhookHandler({ verifierToken: TOKEN, onChange: (c) => void seen.add(c.id) });
    await fc.assert(
      fc.asyncProperty(fc.oneof(cloudEvent, jsonText, deepJson.map((d) => `{"specversion":"1.0","id":"x","type":${d}}`)), async (bad) => {
        const id = `ce-valid-${(n += 1)}`;
        const body = `[${bad},{"specversion":"1.0","id":"${id}","type":"qbo.invoice.updated.v1","source":"intuit.x","time":"2026-01-05T12:00:00Z","intuitentityid":"130","intuitaccountid":"9341453","data":{}}]`;
        await answer(own, request("https://hooks.test/qbo", body, { "intuit-signature": signQuickBooksPayload(body, TOKEN) }), [200]);
        await own.idle();
        if (!seen.has(id)) throw new Error(`the valid change ${id} was dropped`);
      }),
      RUNS,
    );
  });

  it("the payload parser gives plain data or a typed error", () => {
    fc.assert(fc.property(fc.oneof(payload.map((p) => Buffer.from(p)), invalidUtf8, randomBytes), (body) => parsedOrTyped(() => parseQuickBooksWebhook(body))), { numRuns: 300 });
  });

  it("enforces a body size limit (1 MiB default)", async () => {
    await checkSizeLimit(receiver, 1024 * 1024, () => handled);
  });
});

describe("Textract completion notifications (SNS)", () => {
  const TOPIC = "arn:aws:sns:us-east-1:111122223333:textract";
  let handled = 0;
  const receiver = createTextractNotificationReceiver({
    verifier: createSnsVerifier({ topicArns: [TOPIC], trustedCertificates: { [TEST_SIGNING_CERT_URL]: TEST_SIGNING_CERT_PEM }, fetchCertificate: async (url) => Promise.reject(new Error(`no network in tests (${url})`)) }),
    onNotification: (event) => {
      assertPlainData(event);
      handled += 1;
    },
  });
  const message = shapedObject({
    JobId: stringOr("job-1", "", "__proto__"),
    Status: stringOr("SUCCEEDED", "FAILED", "constructor"),
    API: stringOr("StartDocumentAnalysis"),
    JobTag: stringOr("tenant-t1", ""),
    Timestamp: fc.oneof(fc.integer().map(String), jsonText),
    DocumentLocation: shapedObject({ S3ObjectName: stringOr("a.pdf"), S3Bucket: stringOr("b") }),
  });

  it("unsigned, forged or off-host envelopes answer 401 and reach no handler", async () => {
    const forged = fc.tuple(message, fc.constantFrom(TEST_SIGNING_CERT_URL, "https://evil.test/cert.pem", "http://sns.us-east-1.amazonaws.com/x.pem", "https://sns.us-east-1.amazonaws.com.evil.test/x.pem", "not a url"), fc.base64String({ maxLength: 60 })).map(([msg, certUrl, sig]) =>
      JSON.stringify({ Type: "Notification", MessageId: "m-1", TopicArn: TOPIC, Message: msg, Timestamp: new Date().toISOString(), SignatureVersion: "2", Signature: sig, SigningCertURL: certUrl }),
    );
    await fc.assert(fc.asyncProperty(fc.oneof(anyBody, forged.map((f) => Buffer.from(f))), async (body) => void (await answer(receiver, request("https://hooks.test/sns", body, { "x-amz-sns-message-type": "Notification" }), [401]))), RUNS);
    expect(handled).toBe(0);
  });

  it("correctly signed envelopes with hostile messages are read (200) or refused (400), never a crash", async () => {
    await fc.assert(
      // (SNS never sends an empty Message; the verifier requires one.)
      fc.asyncProperty(fc.oneof(message, jsonText, fc.string({ minLength: 1, maxLength: 200 })), fc.constantFrom("1", "2") as fc.Arbitrary<"1" | "2">, async (msg, version) => {
        const envelope = signSnsEnvelope({ message: msg, topicArn: TOPIC, signatureVersion: version });
        await answer(receiver, request("https://hooks.test/sns", JSON.stringify(envelope), { "x-amz-sns-message-type": "Notification" }), [200, 400]);
      }),
      RUNS,
    );
  });

  it("the notification parser gives plain data or a typed error", () => {
    fc.assert(
      fc.property(fc.oneof(message.map((m) => JSON.stringify({ Type: "Notification", Message: m })), message, jsonText, fc.string()), (body) => parsedOrTyped(() => parseTextractNotification(body))),
      { numRuns: 300 },
    );
  });

  it("enforces a body size limit (1 MiB default)", async () => {
    await checkSizeLimit(receiver, 1024 * 1024, () => handled);
  });
});

describe("Authentisign callbacks (per-signing token, optional HMAC)", () => {
  const SECRET = "authentisign-hostile-callback-secret-0001";
  const SIGNING = "5f0c8a4e-2b1d-4c3e-9a7f-0123456789ab";
  let handled = 0;
  let reads = 0;
  const reader = {
    signings: {
      get: async ({ signingId }: { signingId: string }): Promise<Signing> => {
        reads += 1;
        return { id: signingId, name: "Loan", status: "completed", isOrdered: false, createdAt: new Date().toISOString(), participants: [] } as unknown as Signing;
      },
    },
  };
  const receiver = createAuthentisignCallbackHandler({
    client: reader,
    token: { secrets: [SECRET] },
    hmac: { secrets: [SECRET] },
    onEvent: (event) => {
      handled += 1;
      expect(typeof event.type).toBe("string");
    },
  });
  const body = (signingId: string) =>
    shapedObject({
      id: stringOr("evt_1", "__proto__", ""),
      type: stringOr("signing.completed", "participant.signed", "__proto__", "constructor"),
      createdAt: stringOr("2026-01-05T12:00:00Z", "x"),
      data: shapedObject({ signingId: stringOr(signingId), status: stringOr("completed", "sent", "toString"), participant: shapedObject({ email: stringOr("ana@example.com", "x"), status: stringOr("signed"), reason: jsonText }) }),
    });
  const tokenUrl = async (): Promise<string> => callbackUrlFor("https://hooks.test/authentisign", SIGNING, [SECRET]);

  it("callbacks without a valid token and HMAC answer 401, reach no handler and make no API read", async () => {
    const url = await tokenUrl();
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyBody, body(SIGNING).map((b) => Buffer.from(b))), fc.constantFrom("none", "token-only", "wrong-token", "stale-hmac", "injected"), async (raw, variant) => {
        const headers = variant === "stale-hmac" ? signCallback(SECRET, raw, Math.floor(Date.now() / 1000) - 3_600) : variant === "injected" ? { "x-authentisign-signature": "v1=00\r\nX: 1", "x-authentisign-timestamp": "1\r\n" } : {};
        const target = variant === "none" ? "https://hooks.test/authentisign" : variant === "wrong-token" ? url.replace(/as_token=[^&]+/, `as_token=${callbackToken("other-secret", SIGNING)}`) : url;
        await answer(receiver, request(target, raw, headers), [401]);
      }),
      RUNS,
    );
    expect(handled).toBe(0);
    expect(reads).toBe(0);
  });

  it("correctly verified hostile callbacks are read (200), refused (400) or redelivered (500 when the API disagrees), never a crash", async () => {
    const url = await tokenUrl();
    await fc.assert(
      fc.asyncProperty(fc.oneof(body(SIGNING), jsonText, deepJson, deepJson.map((deep) => `{"type":"signing.completed","data":{"signingId":"${SIGNING}","status":"completed","participant":{"email":"ana@example.com","reason":${deep}}}}`)), async (raw) => {
        await answer(receiver, request(url, raw, signCallback(SECRET, raw, Math.floor(Date.now() / 1000))), [200, 400, 401, 500]);
      }),
      RUNS,
    );
  });

  it("the callback parser gives plain data or a typed error", () => {
    fc.assert(fc.property(fc.oneof(body(SIGNING).map((b) => Buffer.from(b)), invalidUtf8, randomBytes, jsonText.map((t) => Buffer.from(t))), (raw) => parsedOrTyped(() => parseCallback(raw))), { numRuns: 300 });
  });

  it("enforces a body size limit (core's 25 MiB default)", async () => {
    await checkSizeLimit(receiver, 25 * 1024 * 1024, () => handled);
  });
});

describe("SES events through SNS (signed envelopes, subscription confirmations)", () => {
  const TOPIC = "arn:aws:sns:us-east-1:111122223333:ses-events";
  let handled = 0;
  const confirmed: string[] = [];
  const receiver = createSesEventReceiver({
    topicArns: [TOPIC],
    verifier: createCoreSnsVerifier({ vendor: "ses", topicArns: [TOPIC], trustedCertificates: { [SNS_TEST_SIGNING_CERT_URL]: SNS_TEST_SIGNING_CERT_PEM }, fetchCertificate: async (url) => Promise.reject(new Error(`no network in tests (${url})`)) }),
    onEvent: (event) => {
      assertPlainData(event);
      handled += 1;
    },
    confirmSubscription: async (url) => void confirmed.push(url),
  });
  const recipients = fc.oneof(fc.array(stringOr("ana@example.com", "", "__proto__"), { maxLength: 3 }).map((a) => `[${a.join(",")}]`), jsonText);
  const sesEvent = shapedObject({
    eventType: stringOr("Delivery", "Bounce", "Complaint", "Open", "Click", "Rendering Failure", "__proto__", "constructor"),
    notificationType: stringOr("Bounce", "toString"),
    mail: shapedObject({
      timestamp: stringOr("2026-03-02T10:00:00.000Z", "never"),
      messageId: stringOr("0100018f-abc", "", "__proto__"),
      source: stringOr("draws@acme.test"),
      destination: recipients,
      tags: fc.oneof(shapedObject({ tenant_id: fc.oneof(fc.constant('["t_1"]'), jsonText), __proto__: jsonText }), jsonText),
      headers: fc.oneof(fc.array(shapedObject({ name: stringOr("From", "__proto__"), value: stringOr("x", "\r\nX: 1") }), { maxLength: 2 }).map((a) => `[${a.join(",")}]`), jsonText),
    }),
    bounce: shapedObject({ bounceType: stringOr("Permanent", "Transient", "valueOf"), bouncedRecipients: fc.oneof(fc.array(shapedObject({ emailAddress: stringOr("ana@example.com") }), { maxLength: 2 }).map((a) => `[${a.join(",")}]`), jsonText), timestamp: stringOr("2026-03-02T10:00:00.000Z") }),
    complaint: shapedObject({ complainedRecipients: jsonText, timestamp: stringOr("2026-03-02T10:00:00.000Z"), complaintSubType: jsonText }),
    delivery: shapedObject({ timestamp: stringOr("2026-03-02T10:00:00.000Z"), recipients, processingTimeMillis: fc.oneof(fc.integer().map(String), jsonText) }),
    click: shapedObject({ timestamp: stringOr("x"), link: stringOr("https://acme.test", "javascript:alert(1)"), linkTags: jsonText }),
  });
  const envelope = (message: string, extra: Record<string, unknown> = {}) => JSON.stringify({ ...signCoreSnsEnvelope({ message, topicArn: TOPIC }), ...extra });

  it("unsigned, forged, tampered or off-topic envelopes answer 401 and reach no handler (and confirm nothing)", async () => {
    const forged = fc.tuple(sesEvent, fc.constantFrom(SNS_TEST_SIGNING_CERT_URL, "https://evil.test/cert.pem", "http://sns.us-east-1.amazonaws.com/x.pem", "https://sns.us-east-1.amazonaws.com.evil.test/x.pem", "not a url"), fc.base64String({ maxLength: 60 }), fc.constantFrom("Notification", "SubscriptionConfirmation")).map(([msg, certUrl, sig, type]) =>
      JSON.stringify({ Type: type, MessageId: "m-1", TopicArn: TOPIC, Message: msg, Timestamp: new Date().toISOString(), SignatureVersion: "2", Signature: sig, SigningCertURL: certUrl, SubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription", Token: "t" }),
    );
    // A correctly signed envelope whose Message (or topic) was changed afterwards, and one signed for another topic.
    const tampered = fc.tuple(sesEvent, fc.boolean()).map(([msg, swapTopic]) =>
      swapTopic ? JSON.stringify(signCoreSnsEnvelope({ message: msg, topicArn: "arn:aws:sns:us-east-1:111122223333:someone-else" })) : envelope('{"eventType":"Delivery"}', { Message: msg }),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyBody, forged.map((f) => Buffer.from(f)), tampered.map((t) => Buffer.from(t))), fc.option(injectedHeader), async (body, header) => {
        await answer(receiver, request("https://hooks.test/ses", body, { "x-amz-sns-message-type": header ?? "Notification" }), [401]);
      }),
      RUNS,
    );
    expect(handled).toBe(0);
    expect(confirmed).toEqual([]);
  });

  it("correctly signed envelopes with hostile SES events are read (200) or refused (400), never a crash", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(sesEvent, jsonText, fc.string({ minLength: 1, maxLength: 200 })), fc.constantFrom("1", "2") as fc.Arbitrary<"1" | "2">, async (msg, version) => {
        const signed = signCoreSnsEnvelope({ message: msg, topicArn: TOPIC, signatureVersion: version });
        await answer(receiver, request("https://hooks.test/ses", JSON.stringify(signed), { "x-amz-sns-message-type": "Notification" }), [200, 400]);
      }),
      RUNS,
    );
    const deepInside = deepJson.map((deep) => `{"eventType":"Delivery","mail":{"timestamp":"2026-03-02T10:00:00.000Z","messageId":"m-deep","source":"a@acme.test","destination":["b@example.com"],"x":${deep}}}`);
    await fc.assert(fc.asyncProperty(fc.oneof(deepJson, deepInside), async (msg) => void (await answer(receiver, request("https://hooks.test/ses", envelope(msg), { "x-amz-sns-message-type": "Notification" }), [200, 400]))), DEEP);
  });

  it("signed subscription confirmations are confirmed only at an SNS host over https", async () => {
    const subscribeUrl = fc.constantFrom("https://evil.test/confirm", "http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription", "https://sns.us-east-1.amazonaws.com.evil.test/", "javascript:alert(1)", "not a url", "", "https://127.0.0.1/");
    await fc.assert(
      fc.asyncProperty(subscribeUrl, async (url) => {
        const signed = signCoreSnsEnvelope({ message: "You have chosen to subscribe", topicArn: TOPIC, type: "SubscriptionConfirmation", subscribeUrl: url });
        await answer(receiver, request("https://hooks.test/ses", JSON.stringify(signed), { "x-amz-sns-message-type": "SubscriptionConfirmation" }), [200, 400, 500]);
      }),
      { numRuns: 20 },
    );
    expect(confirmed).toEqual([]);
  });

  it("the delivery parser gives plain data or a typed error", () => {
    fc.assert(
      fc.property(fc.oneof(sesEvent.map((m) => JSON.stringify({ Type: "Notification", Message: m })), sesEvent, jsonText, fc.string()), (body) => parsedOrTyped(() => parseSesDelivery(body))),
      { numRuns: 300 },
    );
  });

  it("enforces a body size limit (1 MiB default)", async () => {
    await checkSizeLimit(receiver, 1024 * 1024, () => handled);
  });
});

describe("Mailgun webhooks (signed token and timestamp; the body itself unsigned)", () => {
  const KEY = "mailgun-hostile-webhook-signing-key-0001";
  let handled = 0;
  const receiver = createMailgunWebhookHandler({
    signingKey: KEY,
    onEvent: (event) => {
      assertPlainData(event);
      handled += 1;
    },
  });
  const eventData = shapedObject({
    id: stringOr("ev-1", "", "__proto__"),
    event: stringOr("delivered", "failed", "opened", "complained", "__proto__", "constructor"),
    timestamp: fc.oneof(fc.integer().map(String), fc.constantFrom("1772445600.123", "1e308", "-1"), jsonText),
    recipient: stringOr("ana@example.com", ""),
    severity: stringOr("permanent", "temporary"),
    tags: fc.oneof(fc.array(stringOr("draw", "__proto__"), { maxLength: 3 }).map((a) => `[${a.join(",")}]`), jsonText),
    "user-variables": fc.oneof(shapedObject({ tenant_id: stringOr("t_1"), __proto__: jsonText }), jsonText),
    message: shapedObject({ headers: shapedObject({ "message-id": stringOr("20260302.1@mg.acme.test", "") }) }),
    "delivery-status": shapedObject({ code: fc.oneof(fc.integer().map(String), jsonText), message: jsonText }),
  });
  const signed = (data: string, extra: fc.Arbitrary<string> = fc.constant("")) => extra.map((more) => `{"signature":${JSON.stringify(signMailgunWebhook(KEY))}${more ? `,${more}` : ""},"event-data":${data}}`);

  it("unsigned, wrongly signed, stale or malformed signatures answer 401 and reach no handler", async () => {
    const now = Math.floor(Date.now() / 1000);
    const badSignature = fc.oneof(
      fc.record({ timestamp: fc.constant(String(now)), token: fc.string({ minLength: 1, maxLength: 60 }), signature: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("hex")) }),
      // Correct HMAC but outside the 600 s window.
      fc.integer({ min: 602, max: 1e7 }).map((skew) => signMailgunWebhook(KEY, { timestamp: now - skew })),
      // Signed with another key (the API key, say).
      fc.constant(null).map(() => signMailgunWebhook("key-the-api-key-not-the-signing-key")),
      fc.record({ timestamp: fc.oneof(injectedHeader, fc.constant("1e9"), fc.constant("")), token: fc.oneof(injectedHeader, fc.constant("")), signature: fc.oneof(injectedHeader, fc.constant("zz")) }),
      jsonText,
    );
    const body = fc.oneof(
      anyBody,
      fc.tuple(badSignature, fc.oneof(eventData, jsonText)).map(([sig, data]) => Buffer.from(`{"signature":${typeof sig === "string" ? sig : JSON.stringify(sig)},"event-data":${data}}`)),
      // A form-encoded (legacy) body carrying a valid signature is not taken.
      fc.constant(null).map(() => {
        const s = signMailgunWebhook(KEY);
        return Buffer.from(`timestamp=${s.timestamp}&token=${s.token}&signature=${s.signature}&event=delivered`);
      }),
    );
    await fc.assert(fc.asyncProperty(body, fc.constantFrom("application/json", "application/x-www-form-urlencoded", "text/plain"), async (raw, type) => void (await answer(receiver, request("https://hooks.test/mailgun", raw, { "content-type": type }), [401]))), RUNS);
    expect(handled).toBe(0);
  });

  it("a captured signature is accepted once: the same token on any other body is a replay (401) and reaches no handler", async () => {
    const before = handled;
    await fc.assert(
      fc.asyncProperty(fc.oneof(eventData, jsonText), async (data) => {
        const signature = JSON.stringify(signMailgunWebhook(KEY));
        const first = `{"signature":${signature},"event-data":{"id":"ev-${Math.random()}","event":"delivered","timestamp":1772445600}}`;
        await answer(receiver, request("https://hooks.test/mailgun", first, { "content-type": "application/json" }), [200]);
        await answer(receiver, request("https://hooks.test/mailgun", `{"signature":${signature},"event-data":${data}}`, { "content-type": "application/json" }), [401]);
      }),
      { numRuns: 30 },
    );
    expect(handled - before).toBe(30);
  });

  it("correctly signed hostile event data is read (200) or refused (400), never a crash", async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(eventData, jsonText).chain((d) => signed(d, fc.oneof(fc.constant(""), fc.tuple(hostileKey, jsonText).map(([k, v]) => `${JSON.stringify(k)}:${v}`)))), async (body) => void (await answer(receiver, request("https://hooks.test/mailgun", body, { "content-type": "application/json" }), [200, 400]))), RUNS);
    const deep = fc.oneof(deepJson, deepJson.map((d) => `{"id":"ev-deep","event":"delivered","timestamp":1,"user-variables":{"x":${d}}}`)).chain((d) => signed(d));
    await fc.assert(fc.asyncProperty(deep, async (body) => void (await answer(receiver, request("https://hooks.test/mailgun", body, { "content-type": "application/json" }), [200, 400]))), DEEP);
  });

  it("the webhook parser gives plain data or a typed error", () => {
    fc.assert(
      fc.property(fc.oneof(eventData.map((d) => Buffer.from(`{"signature":{},"event-data":${d}}`)), invalidUtf8, randomBytes, jsonText.map((t) => Buffer.from(t))), (body) => parsedOrTyped(() => parseMailgunWebhook(body))),
      { numRuns: 300 },
    );
  });

  it("enforces a body size limit (core's 25 MiB default)", async () => {
    await checkSizeLimit(receiver, 25 * 1024 * 1024, () => handled);
  });
});

describe("Xero webhooks (x-xero-signature, intent to receive)", () => {
  const KEY = "xero-hostile-webhook-key-000000000000000000000000000000000000000000000000000000000001";
  const TENANT = "7e3b6c8a-2f41-4d7e-9c1a-5b0f3e2d1a01";
  let handled = 0;
  const receiver = createXeroWebhookHandler({
    webhookKey: KEY,
    onEvent: (event) => {
      assertPlainData(event);
      handled += 1;
    },
  });
  const entry = shapedObject({
    resourceUrl: stringOr("https://api.xero.com/api.xro/2.0/Invoices/1", "javascript:x"),
    resourceId: stringOr("0f8b6e0c-1111-4a2b-9c3d-000000000001", "", "__proto__"),
    eventDateUtc: stringOr("2026-03-02T10:00:00.000", "never", "9999-99-99T99:99:99"),
    eventType: stringOr("CREATE", "UPDATE", "constructor"),
    eventCategory: stringOr("INVOICE", "CONTACT", "__proto__", "toString"),
    tenantId: stringOr(TENANT, ""),
    tenantType: stringOr("ORGANISATION"),
    eventData: jsonText,
  });
  const payload = fc.oneof(
    shapedObject({
      events: fc.oneof(fc.array(entry, { maxLength: 5 }).map((a) => `[${a.join(",")}]`), jsonText),
      firstEventSequence: fc.oneof(fc.integer().map(String), jsonText),
      lastEventSequence: fc.oneof(fc.integer().map(String), jsonText),
      entropy: stringOr("ABCDEFGHIJ", ""),
    }),
    jsonText,
  );
  const signedReq = (body: string | Buffer) => request("https://hooks.test/xero", body, { "content-type": "application/json", "x-xero-signature": signXeroPayload(body, KEY) });

  it("unsigned or wrongly signed payloads (and intent-to-receive probes) answer 401 with an empty body and reach no handler", async () => {
    // Random, injected, the right key over other bytes, or another key over these bytes.
    const wrong = fc.oneof(fc.base64String({ maxLength: 44 }), injectedHeader, fc.constantFrom("other-bytes", "other-key"));
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyBody, payload.map((p) => Buffer.from(p)), fc.constant(null).map(() => Buffer.from(intentToReceivePayload()))), fc.option(wrong), async (body, kind) => {
        const signature = kind === "other-bytes" ? signXeroPayload(Buffer.concat([body, Buffer.from(" ")]), KEY) : kind === "other-key" ? signXeroPayload(body, "another-key") : kind;
        const res = await answer(receiver, request("https://hooks.test/xero", body, signature === null ? { "content-type": "application/json" } : { "content-type": "application/json", "x-xero-signature": signature }), [401]);
        if (res.body !== "") throw new Error(`a 401 to Xero carries a body: ${res.body.slice(0, 80)}`);
      }),
      RUNS,
    );
    expect(handled).toBe(0);
  });

  it("a correctly signed intent-to-receive probe answers 200 with no body and no cookie", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), async (entropy) => {
        const res = await answer(receiver, signedReq(intentToReceivePayload(entropy)), [200]);
        if (res.body !== "" || Object.keys(res.headers).some((h) => h.toLowerCase() === "set-cookie")) throw new Error(`intent to receive answered with a body or a cookie: ${JSON.stringify(res)}`);
      }),
      { numRuns: 20 },
    );
    expect(handled).toBe(0);
  });

  it("correctly signed hostile payloads are read (200) or refused (400), never a crash", async () => {
    await fc.assert(fc.asyncProperty(payload, async (body) => void (await answer(receiver, signedReq(body), [200, 400]))), RUNS);
    const deepInside = deepJson.map((deep) => `{"events":[{"resourceId":"r-1","eventDateUtc":"2026-03-02T10:00:00","eventType":"UPDATE","eventCategory":"INVOICE","tenantId":"${TENANT}","eventData":${deep}}],"firstEventSequence":1,"lastEventSequence":1,"entropy":"X"}`);
    await fc.assert(fc.asyncProperty(fc.oneof(deepJson, deepInside), async (body) => void (await answer(receiver, signedReq(body), [200, 400]))), DEEP);
  });

  it("one hostile entry (any shape, deep nesting) never drops the valid event next to it", async () => {
    let n = 0;
    const seen = new Set<string>();
    const own = createXeroWebhookHandler({ webhookKey: KEY, onEvent: (e) => void seen.add(e.resourceId) });
    await fc.assert(
      fc.asyncProperty(fc.oneof(entry, jsonText, deepJson.map((d) => `{"resourceId":"x","eventCategory":${d}}`)), async (bad) => {
        const id = `0f8b6e0c-2222-4a2b-9c3d-${String((n += 1)).padStart(12, "0")}`;
        const body = `{"events":[${bad},{"resourceUrl":"https://api.xero.com/api.xro/2.0/Invoices/${id}","resourceId":"${id}","eventDateUtc":"2026-03-02T10:00:00.000","eventType":"UPDATE","eventCategory":"INVOICE","tenantId":"${TENANT}","tenantType":"ORGANISATION"}],"firstEventSequence":${n},"lastEventSequence":${n + 1},"entropy":"ABC"}`;
        await answer(own, signedReq(body), [200]);
        if (!seen.has(id)) throw new Error(`the valid event ${id} was dropped`);
      }),
      RUNS,
    );
  });

  it("the payload parser gives plain data or a typed error", () => {
    fc.assert(fc.property(fc.oneof(payload.map((p) => Buffer.from(p)), invalidUtf8, randomBytes), (body) => parsedOrTyped(() => { const parsed = parseXeroWebhook(body); return { ...parsed, invalid: parsed.invalid.map((i) => ({ ...i, raw: undefined })) }; })), { numRuns: 300 });
  });

  it("enforces a body size limit (1 MiB default)", async () => {
    await checkSizeLimit(receiver, 1024 * 1024, () => handled);
  });
});

describe("digest helpers stay deterministic under hostile keys", () => {
  beforeAll(() => assertNoPollution());
  it("JSON.parse of literal __proto__ keys never reaches Object.prototype (sanity of the generators)", () => {
    fc.assert(
      fc.property(jsonText, (text) => {
        JSON.parse(text);
        assertNoPollution();
        expect(createHash("sha256").update(text).digest("hex")).toHaveLength(64);
        expect(createHmac("sha256", "k").update(text).digest("base64")).toHaveLength(44);
      }),
      { numRuns: 200 },
    );
  });
});

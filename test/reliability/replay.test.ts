/**
 * Issue 15 — replay protection. Where a vendor's signature covers a timestamp (SendGrid's ECDSA
 * header, Authentisign's HMAC header, SNS's signed Timestamp for Textract and SES, Mailgun's
 * signed timestamp and token), a correctly signed request outside the tolerance window is refused
 * (401, no handler) and one inside is accepted — checked over random clock skews; a Mailgun token
 * is accepted once. Everywhere else (Twilio, DocuSign Connect, QuickBooks, Xero, Authentisign's
 * per-signing token) a replay of an accepted request is deduplicated: the handler runs once.
 */
import { callbackUrlFor, createAuthentisignCallbackHandler, type Signing } from "@connect/authentisign";
import { callbackPayload, signCallback } from "@connect/authentisign/testing";
import { createMemoryDedupeStore, timestampedHmacVerifier, WebhookVerificationError } from "@connect/core";
import { createSnsVerifier as createCoreSnsVerifier, DEFAULT_SNS_TOLERANCE_SECONDS as CORE_SNS_TOLERANCE_SECONDS } from "@connect/core/aws";
import { signSnsEnvelope as signCoreSnsEnvelope, SNS_TEST_SIGNING_CERT_PEM, SNS_TEST_SIGNING_CERT_URL } from "@connect/core/testing";
import { createDocuSignWebhookHandler } from "@connect/docusign";
import { signConnectMessage } from "@connect/docusign/testing";
import { createMailgunWebhookHandler, DEFAULT_TOLERANCE_SECONDS as MAILGUN_TOLERANCE_SECONDS } from "@connect/mailgun";
import { mailgunWebhookBody } from "@connect/mailgun/testing";
import { createQuickBooksWebhookHandler } from "@connect/quickbooks";
import { signQuickBooksPayload } from "@connect/quickbooks/testing";
import { createSendGridWebhookHandler, DEFAULT_TOLERANCE_SECONDS } from "@connect/sendgrid";
import { createEventWebhookSigner, serializeEventBatch } from "@connect/sendgrid/testing";
import { createSesEventReceiver } from "@connect/ses";
import { createSnsVerifier, createTextractNotificationReceiver, DEFAULT_SNS_TOLERANCE_SECONDS } from "@connect/textract";
import { signSnsEnvelope, TEST_SIGNING_CERT_PEM, TEST_SIGNING_CERT_URL } from "@connect/textract/testing";
import { createTwilioWebhookHandler } from "@connect/twilio";
import { signTwilioRequest } from "@connect/twilio/testing";
import { createXeroWebhookHandler } from "@connect/xero";
import { signXeroPayload, xeroWebhookPayload } from "@connect/xero/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { request } from "./hostile.js";

const NOW = Date.parse("2026-03-02T10:00:00.000Z");
const SECOND = 1_000;

/** Skews well inside and well outside a window of `tolerance` seconds (a 2 s margin for rounding). */
const skews = (tolerance: number) => ({
  inside: fc.integer({ min: -(tolerance - 2), max: tolerance - 2 }),
  outside: fc.oneof(fc.integer({ min: tolerance + 2, max: tolerance * 1_000 }), fc.integer({ min: -tolerance * 1_000, max: -(tolerance + 2) })),
});

describe("timestamped schemes: outside the tolerance window is refused", () => {
  it(`SendGrid (${DEFAULT_TOLERANCE_SECONDS} s): a batch signed too long ago or ahead is 401; inside the window it is handled; a replay inside is deduped`, async () => {
    const signer = createEventWebhookSigner();
    const handled: string[] = [];
    const webhook = createSendGridWebhookHandler({ publicKey: signer.publicKey, now: () => NOW, onEvent: (e) => void handled.push(String(e.sg_event_id)) });
    let n = 0;
    const batch = () => serializeEventBatch([{ event: "delivered", email: "ana@example.com", timestamp: NOW / 1000, sg_event_id: `ev-${(n += 1)}`, sg_message_id: "m.1" }]);
    const { inside, outside } = skews(DEFAULT_TOLERANCE_SECONDS);
    await fc.assert(
      fc.asyncProperty(outside, async (skew) => {
        const body = batch();
        expect((await webhook.handle(request("https://hooks.test/sendgrid", body, signer.sign(body, Math.floor(NOW / 1000) - skew)))).status).toBe(401);
      }),
      { numRuns: 40 },
    );
    expect(handled).toEqual([]);
    await fc.assert(
      fc.asyncProperty(inside, async (skew) => {
        const body = batch();
        const signed = request("https://hooks.test/sendgrid", body, signer.sign(body, Math.floor(NOW / 1000) - skew));
        expect((await webhook.handle(signed)).status).toBe(200);
        const replay = await webhook.handle({ ...signed });
        expect(replay.status).toBe(200);
        expect(JSON.parse(replay.body)).toMatchObject({ duplicates: 1, handled: 0 });
      }),
      { numRuns: 40 },
    );
    expect(handled).toHaveLength(40);
    expect(new Set(handled).size).toBe(40);
  });

  it("Authentisign HMAC (300 s): stale or future signatures are 401 with no API read; inside the window a replay is deduped", async () => {
    const secret = "replay-authentisign-secret-0001";
    const signingId = "5f0c8a4e-2b1d-4c3e-9a7f-0123456789ab";
    let reads = 0;
    const handled: string[] = [];
    const reader = { signings: { get: async (): Promise<Signing> => ((reads += 1), { id: signingId, name: "Loan", status: "completed", participants: [] } as unknown as Signing) } };
    const webhook = createAuthentisignCallbackHandler({ client: reader, token: { secrets: [secret] }, hmac: { secrets: [secret], now: () => NOW }, now: () => NOW, onEvent: (e) => void handled.push(e.id) });
    const url = await callbackUrlFor("https://hooks.test/authentisign", signingId, [secret]);
    let n = 0;
    const body = () => JSON.stringify(callbackPayload({ id: signingId, status: "completed" }, "signing.completed", { at: new Date(NOW).toISOString(), id: `evt_${(n += 1)}` }));
    const { inside, outside } = skews(300);
    await fc.assert(
      fc.asyncProperty(outside, async (skew) => {
        const raw = body();
        expect((await webhook.handle(request(url, raw, signCallback(secret, raw, Math.floor(NOW / 1000) - skew)))).status).toBe(401);
      }),
      { numRuns: 40 },
    );
    expect([reads, handled.length]).toEqual([0, 0]);
    await fc.assert(
      fc.asyncProperty(inside, async (skew) => {
        const raw = body();
        const signed = request(url, raw, signCallback(secret, raw, Math.floor(NOW / 1000) - skew));
        expect((await webhook.handle(signed)).status).toBe(200);
        expect((await webhook.handle({ ...signed })).status).toBe(200);
      }),
      { numRuns: 30 },
    );
    expect(handled).toHaveLength(30);
    expect(new Set(handled).size).toBe(30);
  });

  it(`Textract SNS (${DEFAULT_SNS_TOLERANCE_SECONDS} s): a notification signed outside the window is 401; inside, a replay is deduped by MessageId`, async () => {
    const topic = "arn:aws:sns:us-east-1:111122223333:textract";
    const handled: string[] = [];
    const receiver = createTextractNotificationReceiver({
      verifier: createSnsVerifier({ topicArns: [topic], trustedCertificates: { [TEST_SIGNING_CERT_URL]: TEST_SIGNING_CERT_PEM }, now: () => NOW }),
      onNotification: (e) => void handled.push(e.messageId),
    });
    let n = 0;
    const delivery = (skew: number) => {
      const message = JSON.stringify({ JobId: `job-${(n += 1)}`, Status: "SUCCEEDED", API: "StartDocumentAnalysis", Timestamp: NOW, DocumentLocation: { S3ObjectName: "a.pdf", S3Bucket: "b" } });
      return request("https://hooks.test/sns", JSON.stringify(signSnsEnvelope({ message, topicArn: topic, timestamp: new Date(NOW - skew * SECOND).toISOString() })), { "x-amz-sns-message-type": "Notification" });
    };
    const { inside, outside } = skews(DEFAULT_SNS_TOLERANCE_SECONDS);
    await fc.assert(
      fc.asyncProperty(outside, async (skew) => {
        expect((await receiver.handle(delivery(skew))).status).toBe(401);
      }),
      { numRuns: 25 },
    );
    expect(handled).toEqual([]);
    await fc.assert(
      fc.asyncProperty(inside, async (skew) => {
        const signed = delivery(skew);
        expect((await receiver.handle(signed)).status).toBe(200);
        expect(JSON.parse((await receiver.handle({ ...signed })).body)).toMatchObject({ duplicates: 1, handled: 0 });
      }),
      { numRuns: 25 },
    );
    expect(new Set(handled).size).toBe(25);
  });

  it(`SES through SNS (${CORE_SNS_TOLERANCE_SECONDS} s): an event signed outside the window is 401; inside, a replay is deduped by MessageId`, async () => {
    const topic = "arn:aws:sns:us-east-1:111122223333:ses-events";
    const handled: string[] = [];
    const receiver = createSesEventReceiver({
      topicArns: [topic],
      verifier: createCoreSnsVerifier({ vendor: "ses", topicArns: [topic], trustedCertificates: { [SNS_TEST_SIGNING_CERT_URL]: SNS_TEST_SIGNING_CERT_PEM }, fetchCertificate: () => Promise.reject(new Error("no network in tests")), now: () => NOW }),
      onEvent: (e) => void handled.push(String(e.snsMessageId)),
    });
    let n = 0;
    const delivery = (skew: number) => {
      const at = new Date(NOW).toISOString();
      const message = JSON.stringify({ eventType: "Delivery", mail: { timestamp: at, messageId: `ses-msg-${(n += 1)}`, source: "draws@acme.test", destination: ["ana@example.com"] }, delivery: { timestamp: at, recipients: ["ana@example.com"] } });
      return request("https://hooks.test/ses", JSON.stringify(signCoreSnsEnvelope({ message, topicArn: topic, messageId: `sns-ses-${n}`, timestamp: new Date(NOW - skew * SECOND).toISOString() })), { "x-amz-sns-message-type": "Notification" });
    };
    const { inside, outside } = skews(CORE_SNS_TOLERANCE_SECONDS);
    await fc.assert(
      fc.asyncProperty(outside, async (skew) => {
        expect((await receiver.handle(delivery(skew))).status).toBe(401);
      }),
      { numRuns: 25 },
    );
    expect(handled).toEqual([]);
    await fc.assert(
      fc.asyncProperty(inside, async (skew) => {
        const signed = delivery(skew);
        expect((await receiver.handle(signed)).status).toBe(200);
        expect(JSON.parse((await receiver.handle({ ...signed })).body)).toMatchObject({ duplicates: 1, handled: 0 });
      }),
      { numRuns: 25 },
    );
    expect(handled).toHaveLength(25);
    expect(new Set(handled).size).toBe(25);
  });

  it(`Mailgun (${MAILGUN_TOLERANCE_SECONDS} s, token once): a stale or future signature is 401; inside, the same token again is 401 and a freshly signed redelivery is deduped by event id`, async () => {
    const key = "replay-mailgun-webhook-signing-key";
    const handled: string[] = [];
    const webhook = createMailgunWebhookHandler({ signingKey: key, now: () => NOW, onEvent: (e) => void handled.push(e.id) });
    let n = 0;
    const body = (id: string, skew: number) => JSON.stringify(mailgunWebhookBody(key, { id, event: "delivered", timestamp: NOW / 1000, recipient: "ana@example.com" }, { timestamp: Math.floor(NOW / 1000) - skew }));
    const { inside, outside } = skews(MAILGUN_TOLERANCE_SECONDS);
    await fc.assert(
      fc.asyncProperty(outside, async (skew) => {
        expect((await webhook.handle(request("https://hooks.test/mailgun", body(`mg-stale-${(n += 1)}`, skew), { "content-type": "application/json" }))).status).toBe(401);
      }),
      { numRuns: 40 },
    );
    expect(handled).toEqual([]);
    await fc.assert(
      fc.asyncProperty(inside, async (skew) => {
        const id = `mg-${(n += 1)}`;
        const signed = request("https://hooks.test/mailgun", body(id, skew), { "content-type": "application/json" });
        expect((await webhook.handle(signed)).status).toBe(200);
        // The captured delivery, sent again: its token was used.
        expect((await webhook.handle({ ...signed })).status).toBe(401);
        // Mailgun's own redelivery of the event carries a new token: acknowledged, not handled again.
        const again = await webhook.handle(request("https://hooks.test/mailgun", body(id, skew), { "content-type": "application/json" }));
        expect(again.status).toBe(200);
        expect(JSON.parse(again.body)).toMatchObject({ duplicates: 1, handled: 0 });
      }),
      { numRuns: 40 },
    );
    expect(handled).toHaveLength(40);
    expect(new Set(handled).size).toBe(40);
  });

  it("core's timestamped HMAC verifier with a replay store refuses the same signature twice inside the window", async () => {
    const verifier = timestampedHmacVerifier({ header: "x-sig", prefix: "v1=", timestampHeader: "x-ts", algorithm: "sha256", encoding: "hex", secrets: ["core-replay-secret"], now: () => NOW, replay: createMemoryDedupeStore({ now: () => NOW }) });
    const { createHmac } = await import("node:crypto");
    const ts = String(Math.floor(NOW / 1000));
    const body = '{"id":1}';
    const sig = createHmac("sha256", "core-replay-secret").update(`${ts}.${body}`).digest("hex");
    const signed = request("https://hooks.test/x", body, { "x-sig": `v1=${sig}`, "x-ts": ts });
    await expect(Promise.resolve(verifier.verify(signed))).resolves.toBeUndefined();
    const replay = await Promise.resolve(verifier.verify({ ...signed })).catch((e: unknown) => e);
    expect(replay).toBeInstanceOf(WebhookVerificationError);
    expect((replay as WebhookVerificationError).reason).toBe("replayed");
  });
});

describe("schemes without a timestamp: a replay is deduplicated", () => {
  it("Twilio: the same signed status callback and inbound message, delivered again, run their handlers once (the reply is repeated)", async () => {
    const token = "replay-twilio-auth-token-000001";
    const statuses: string[] = [];
    const inbound: string[] = [];
    const webhook = createTwilioWebhookHandler({ authToken: token, onStatus: (e) => void statuses.push(`${e.messageSid}:${e.status}`), onInbound: (e) => ((inbound.push(e.messageSid)), "Thanks") });
    const signed = (params: Record<string, string>) => {
      const r = signTwilioRequest({ authToken: token, url: "https://hooks.test/twilio", params });
      return request(r.url, r.body, Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v])));
    };
    const status = signed({ MessageSid: `SM${"1".repeat(32)}`, MessageStatus: "delivered", From: "+14155552345", To: "+14155550100" });
    const reply = signed({ MessageSid: `SM${"2".repeat(32)}`, From: "+14155550100", To: "+14155552345", Body: "CONFIRM" });
    const answers: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      expect((await webhook.handle({ ...status })).status).toBe(200);
      const res = await webhook.handle({ ...reply });
      expect(res.status).toBe(200);
      answers.push(res.body);
    }
    expect(statuses).toEqual([`SM${"1".repeat(32)}:delivered`]);
    expect(inbound).toEqual([`SM${"2".repeat(32)}`]);
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toContain("<Message>Thanks</Message>");
  });

  it("DocuSign Connect: the same signed message three times runs the handler once", async () => {
    const key = "replay-docusign-connect-key-0001";
    const handled: string[] = [];
    const webhook = createDocuSignWebhookHandler({ secrets: [key], onEvent: (e) => void handled.push(e.eventId) });
    const body = Buffer.from(JSON.stringify({ event: "envelope-completed", apiVersion: "v2.1", retryCount: 0, generatedDateTime: "2026-03-02T10:00:00.0000000Z", data: { accountId: "a-1", envelopeId: "e-1", envelopeSummary: { status: "completed", statusChangedDateTime: "2026-03-02T10:00:00.0000000Z", completedDateTime: "2026-03-02T10:00:00.0000000Z" } } }));
    const signed = request("https://hooks.test/docusign", body, { "content-type": "application/json", ...signConnectMessage(body, [key]) });
    const outcomes = [];
    for (let i = 0; i < 3; i += 1) outcomes.push(JSON.parse((await webhook.handle({ ...signed })).body) as { handled: number; duplicates: number });
    expect(outcomes.map((o) => [o.handled, o.duplicates])).toEqual([[1, 0], [0, 1], [0, 1]]);
    expect(handled).toHaveLength(1);
  });

  it("QuickBooks: a CloudEvents payload and a legacy payload, each replayed, queue each change once", async () => {
    const token = "replay-qbo-verifier-token";
    const handled: string[] = [];
    const webhook = createQuickBooksWebhookHandler({ verifierToken: token, onChange: (c) => void handled.push(`${c.format}:${c.entity}:${c.entityId}`) });
    const cloud = JSON.stringify([{ specversion: "1.0", id: "ce-replay-1", type: "qbo.invoice.updated.v1", source: "intuit.x", time: "2026-03-02T10:00:00Z", intuitentityid: "130", intuitaccountid: "9341453", datacontenttype: "application/json", data: {} }]);
    const legacy = JSON.stringify({ eventNotifications: [{ realmId: "9341453", dataChangeEvent: { entities: [{ name: "Payment", id: "77", operation: "Create", lastUpdated: "2026-03-02T10:00:00.000Z" }] } }] });
    for (let i = 0; i < 3; i += 1) {
      for (const body of [cloud, legacy]) expect((await webhook.handle(request("https://hooks.test/qbo", body, { "intuit-signature": signQuickBooksPayload(body, token) }))).status).toBe(200);
    }
    await webhook.idle();
    expect(handled.sort()).toEqual(["cloudevents:Invoice:130", "legacy:Payment:77"]);
  });

  it("Xero (no timestamp; the signature covers the body): the same signed payload three times runs the handler once per event, each answer an empty 200", async () => {
    const key = "replay-xero-webhook-key-000000000000000000000000000000000000000000000000000000000000";
    const tenantId = "7e3b6c8a-2f41-4d7e-9c1a-5b0f3e2d1a01";
    const handled: string[] = [];
    const webhook = createXeroWebhookHandler({ webhookKey: key, onEvent: (e) => void handled.push(`${e.eventCategory}:${e.resourceId}`) });
    const body = JSON.stringify(
      xeroWebhookPayload([
        { tenantId, eventCategory: "INVOICE", eventType: "UPDATE", resourceId: "0f8b6e0c-3333-4a2b-9c3d-000000000001", eventDateUtc: "2026-03-02T10:00:00.000" },
        { tenantId, eventCategory: "CONTACT", eventType: "CREATE", resourceId: "0f8b6e0c-3333-4a2b-9c3d-000000000002", eventDateUtc: "2026-03-02T10:00:01.000" },
      ]),
    );
    const signed = request("https://hooks.test/xero", body, { "content-type": "application/json", "x-xero-signature": signXeroPayload(body, key) });
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await webhook.handle({ ...signed }));
    expect(answers.map((a) => [a.status, a.body])).toEqual([[200, ""], [200, ""], [200, ""]]);
    expect(handled.sort()).toEqual(["CONTACT:0f8b6e0c-3333-4a2b-9c3d-000000000002", "INVOICE:0f8b6e0c-3333-4a2b-9c3d-000000000001"]);
  });

  it("Authentisign per-signing token (no timestamp): a replayed callback is deduped by its id", async () => {
    const secret = "replay-authentisign-token-secret";
    const signingId = "6a1d9b5f-3c2e-4d4f-8b80-123456789abc";
    const handled: string[] = [];
    const reader = { signings: { get: async (): Promise<Signing> => ({ id: signingId, name: "Loan", status: "completed", participants: [] }) as unknown as Signing } };
    const webhook = createAuthentisignCallbackHandler({ client: reader, token: { secrets: [secret] }, onEvent: (e) => void handled.push(e.id) });
    const url = await callbackUrlFor("https://hooks.test/authentisign", signingId, [secret]);
    const body = JSON.stringify(callbackPayload({ id: signingId, status: "completed" }, "signing.completed", { at: new Date(NOW).toISOString(), id: "evt_replayed" }));
    for (let i = 0; i < 3; i += 1) expect((await webhook.handle(request(url, body))).status).toBe(200);
    expect(handled).toEqual(["evt_replayed"]);
  });
});

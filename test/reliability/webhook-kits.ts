/**
 * One receiver per vendor with a handler that records each event once (and can be told to fail
 * an event's first delivery), and a factory of correctly signed deliveries with unique event ids
 * — the webhook half of the soak.
 */
import { callbackUrlFor, createAuthentisignCallbackHandler, type Signing } from "@connect/authentisign";
import { callbackPayload } from "@connect/authentisign/testing";
import type { DeadLetterSink, WebhookInbox, WebhookReceiver } from "@connect/core";
import { createSnsVerifier as createCoreSnsVerifier } from "@connect/core/aws";
import { signSnsEnvelope as signCoreSnsEnvelope, SNS_TEST_SIGNING_CERT_PEM, SNS_TEST_SIGNING_CERT_URL } from "@connect/core/testing";
import { createDocuSignWebhookHandler } from "@connect/docusign";
import { signConnectMessage } from "@connect/docusign/testing";
import { createMailgunWebhookHandler } from "@connect/mailgun";
import { mailgunWebhookBody } from "@connect/mailgun/testing";
import { createQuickBooksWebhookHandler, type QuickBooksWebhookHandler } from "@connect/quickbooks";
import { signQuickBooksPayload } from "@connect/quickbooks/testing";
import { createSendGridWebhookHandler } from "@connect/sendgrid";
import { createEventWebhookSigner, serializeEventBatch } from "@connect/sendgrid/testing";
import { createSesEventReceiver } from "@connect/ses";
import { createSnsVerifier, createTextractNotificationReceiver } from "@connect/textract";
import { signSnsEnvelope, TEST_SIGNING_CERT_PEM, TEST_SIGNING_CERT_URL } from "@connect/textract/testing";
import { createTwilioWebhookHandler } from "@connect/twilio";
import { signTwilioRequest } from "@connect/twilio/testing";
import { createXeroWebhookHandler } from "@connect/xero";
import { signXeroPayload, xeroWebhookPayload } from "@connect/xero/testing";

/** A signed delivery: where to POST it, its headers and body, and the event id it carries. */
export interface Delivery {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  eventId: string;
  /**
   * The same event as the vendor delivers it again, where that differs from re-posting these
   * bytes (Mailgun signs every delivery afresh: a re-posted token is a replay and refused).
   */
  redelivery?: (() => Delivery) | undefined;
}

/** A vendor's receiver and its delivery factory. */
export interface WebhookKit {
  vendor: string;
  /** Path on the shared host server. */
  path: string;
  receiver: WebhookReceiver;
  /** A signed delivery of a new event (its id unique). */
  next(n: number): Promise<Delivery> | Delivery;
  /** Resolves when asynchronous handling (QuickBooks' queue) is done. */
  idle(): Promise<void>;
}

/** What every handler does: record the event once; fail the first delivery of ids in `failOnce`. */
export interface EventLedger {
  handled: Map<string, number>;
  failOnce: Set<string>;
  invocations: number;
}

function handlerFor(ledger: EventLedger, idOf: (event: unknown) => string): (event: unknown) => Promise<void> {
  return async (event) => {
    ledger.invocations += 1;
    const id = idOf(event);
    if (ledger.failOnce.delete(id)) throw new Error(`injected handler failure for ${id}`);
    ledger.handled.set(id, (ledger.handled.get(id) ?? 0) + 1);
  };
}

/** Build every vendor's receiver on `origin` (the host server's URL) with one shared ledger; with `inbox`, every receiver persists to it. */
export async function webhookKits(origin: string, ledger: EventLedger, deadLetters: DeadLetterSink, extra: { inbox?: WebhookInbox } = {}): Promise<WebhookKit[]> {
  const kits: WebhookKit[] = [];
  const inbox = extra.inbox;

  const twilioToken = "soak-twilio-auth-token-00000001";
  kits.push({
    vendor: "twilio",
    path: "/twilio",
    receiver: createTwilioWebhookHandler({ authToken: twilioToken, deadLetters, inbox, onStatus: handlerFor(ledger, (e) => (e as { messageSid: string }).messageSid) }),
    next: (n) => {
      const sid = `SM${n.toString(16).padStart(32, "0")}`;
      const r = signTwilioRequest({ authToken: twilioToken, url: `${origin}/twilio`, params: { MessageSid: sid, MessageStatus: "delivered", From: "+14155552345", To: "+14155550100" } });
      return { path: "/twilio", headers: r.headers, body: Buffer.from(r.body), eventId: sid };
    },
    idle: async () => undefined,
  });

  const signer = createEventWebhookSigner();
  kits.push({
    vendor: "sendgrid",
    path: "/sendgrid",
    receiver: createSendGridWebhookHandler({ publicKey: signer.publicKey, deadLetters, inbox, onEvent: handlerFor(ledger, (e) => String((e as { sg_event_id: string }).sg_event_id)) }),
    next: (n) => {
      const id = `sg-soak-${n}`;
      const body = serializeEventBatch([{ event: "delivered", email: `owner-${n}@example.com`, timestamp: Math.floor(Date.now() / 1000), sg_event_id: id, sg_message_id: `m.${n}` }]);
      return { path: "/sendgrid", headers: { "content-type": "application/json", ...signer.sign(body) }, body, eventId: id };
    },
    idle: async () => undefined,
  });

  const connectKey = "soak-docusign-connect-key-00001";
  kits.push({
    vendor: "docusign",
    path: "/docusign",
    receiver: createDocuSignWebhookHandler({ secrets: [connectKey], deadLetters, inbox, onEvent: handlerFor(ledger, (e) => `ds-${(e as { envelopeId: string }).envelopeId}`) }),
    next: (n) => {
      const envelopeId = `e-soak-${n}`;
      const body = Buffer.from(JSON.stringify({ event: "envelope-completed", apiVersion: "v2.1", data: { accountId: "a-1", envelopeId, envelopeSummary: { status: "completed", statusChangedDateTime: "2026-03-02T10:00:00.0000000Z" } } }));
      return { path: "/docusign", headers: { "content-type": "application/json", ...signConnectMessage(body, [connectKey]) }, body, eventId: `ds-${envelopeId}` };
    },
    idle: async () => undefined,
  });

  const verifierToken = "soak-qbo-verifier-token";
  const qbo: QuickBooksWebhookHandler = createQuickBooksWebhookHandler({ verifierToken, deadLetters, inbox, retryDelayMs: 1, onChange: handlerFor(ledger, (c) => (c as { id: string }).id) });
  kits.push({
    vendor: "quickbooks",
    path: "/quickbooks",
    receiver: qbo,
    next: (n) => {
      const id = `ce-soak-${n}`;
      const body = JSON.stringify([{ specversion: "1.0", id, type: "qbo.invoice.updated.v1", source: "intuit.x", time: new Date().toISOString(), intuitentityid: String(n), intuitaccountid: "9341453", datacontenttype: "application/json", data: {} }]);
      return { path: "/quickbooks", headers: { "content-type": "application/json", "intuit-signature": signQuickBooksPayload(body, verifierToken) }, body: Buffer.from(body), eventId: id };
    },
    idle: () => qbo.idle(),
  });

  const topic = "arn:aws:sns:us-east-1:111122223333:textract";
  kits.push({
    vendor: "textract",
    path: "/textract",
    receiver: createTextractNotificationReceiver({
      verifier: createSnsVerifier({ topicArns: [topic], trustedCertificates: { [TEST_SIGNING_CERT_URL]: TEST_SIGNING_CERT_PEM }, fetchCertificate: (url) => Promise.reject(new Error(`no network in tests (${url})`)) }),
      deadLetters,
      inbox,
      onNotification: handlerFor(ledger, (e) => (e as { messageId: string }).messageId) as never,
    }),
    next: (n) => {
      const id = `sns-soak-${n}`;
      const message = JSON.stringify({ JobId: `job-${n}`, Status: "SUCCEEDED", API: "StartDocumentAnalysis", Timestamp: Date.now(), DocumentLocation: { S3ObjectName: "a.pdf", S3Bucket: "b" } });
      return { path: "/textract", headers: { "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification" }, body: Buffer.from(JSON.stringify(signSnsEnvelope({ message, topicArn: topic, messageId: id }))), eventId: id };
    },
    idle: async () => undefined,
  });

  const callbackSecret = "soak-authentisign-callback-secret";
  const reader = { signings: { get: async ({ signingId }: { signingId: string }): Promise<Signing> => ({ id: signingId, name: "Loan", status: "completed", participants: [] }) as unknown as Signing } };
  kits.push({
    vendor: "authentisign",
    path: "/authentisign",
    receiver: createAuthentisignCallbackHandler({ client: reader, token: { secrets: [callbackSecret] }, deadLetters, inbox, onEvent: handlerFor(ledger, (e) => (e as { id: string }).id) }),
    next: async (n) => {
      const signingId = `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
      const url = new URL(await callbackUrlFor(`${origin}/authentisign`, signingId, [callbackSecret]));
      const id = `evt_soak_${n}`;
      const body = JSON.stringify(callbackPayload({ id: signingId, status: "completed" }, "signing.completed", { at: new Date().toISOString(), id }));
      return { path: `/authentisign${url.search}`, headers: { "content-type": "application/json" }, body: Buffer.from(body), eventId: id };
    },
    idle: async () => undefined,
  });

  const sesTopic = "arn:aws:sns:us-east-1:111122223333:ses-events";
  kits.push({
    vendor: "ses",
    path: "/ses",
    receiver: createSesEventReceiver({
      topicArns: [sesTopic],
      verifier: createCoreSnsVerifier({ vendor: "ses", topicArns: [sesTopic], trustedCertificates: { [SNS_TEST_SIGNING_CERT_URL]: SNS_TEST_SIGNING_CERT_PEM }, fetchCertificate: (url) => Promise.reject(new Error(`no network in tests (${url})`)) }),
      confirmSubscriptions: false,
      deadLetters,
      inbox,
      onEvent: handlerFor(ledger, (e) => String((e as { snsMessageId: string }).snsMessageId)) as never,
    }),
    next: (n) => {
      const id = `ses-soak-${n}`;
      const at = new Date().toISOString();
      const message = JSON.stringify({
        eventType: "Delivery",
        mail: { timestamp: at, messageId: `0100018f-ses-${n}`, source: "draws@acme.test", destination: [`owner-${n}@example.com`], tags: { kind: ["draw-approved"] } },
        delivery: { timestamp: at, recipients: [`owner-${n}@example.com`], smtpResponse: "250 2.0.0 OK", processingTimeMillis: 812 },
      });
      return { path: "/ses", headers: { "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification" }, body: Buffer.from(JSON.stringify(signCoreSnsEnvelope({ message, topicArn: sesTopic, messageId: id }))), eventId: id };
    },
    idle: async () => undefined,
  });

  const mailgunSigningKey = "soak-mailgun-webhook-signing-key";
  kits.push({
    vendor: "mailgun",
    path: "/mailgun",
    receiver: createMailgunWebhookHandler({ signingKey: mailgunSigningKey, deadLetters, inbox, onEvent: handlerFor(ledger, (e) => (e as { id: string }).id) }),
    next: (n) => {
      const id = `mg-soak-${n}`;
      const delivery = (): Delivery => {
        const body = mailgunWebhookBody(mailgunSigningKey, { id, event: "delivered", timestamp: Date.now() / 1000, recipient: `owner-${n}@example.com`, message: { headers: { "message-id": `20260302.${n}@mg.acme.test` } } });
        return { path: "/mailgun", headers: { "content-type": "application/json" }, body: Buffer.from(JSON.stringify(body)), eventId: id, redelivery: delivery };
      };
      return delivery();
    },
    idle: async () => undefined,
  });

  const xeroKey = "soak-xero-webhook-key-0000000000000000000000000000";
  const xeroTenant = "7e3b6c8a-2f41-4d7e-9c1a-5b0f3e2d1a01";
  kits.push({
    vendor: "xero",
    path: "/xero",
    receiver: createXeroWebhookHandler({ webhookKey: xeroKey, deadLetters, inbox, onEvent: handlerFor(ledger, (e) => (e as { resourceId: string }).resourceId) }),
    next: (n) => {
      const resourceId = `00000000-0000-4000-9000-${n.toString(16).padStart(12, "0")}`;
      const body = JSON.stringify(xeroWebhookPayload([{ tenantId: xeroTenant, eventCategory: "INVOICE", eventType: "UPDATE", resourceId, eventDateUtc: new Date().toISOString().slice(0, 23) }], { firstSequence: n }));
      return { path: "/xero", headers: { "content-type": "application/json", "x-xero-signature": signXeroPayload(body, xeroKey) }, body: Buffer.from(body), eventId: resourceId };
    },
    idle: async () => undefined,
  });

  return kits;
}

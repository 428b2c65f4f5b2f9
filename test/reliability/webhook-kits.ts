/**
 * One receiver per vendor with a handler that records each event once (and can be told to fail
 * an event's first delivery), and a factory of correctly signed deliveries with unique event ids
 * — the webhook half of the soak.
 */
import { callbackUrlFor, createAuthentisignCallbackHandler, type Signing } from "@connect/authentisign";
import { callbackPayload } from "@connect/authentisign/testing";
import type { DeadLetterSink, WebhookInbox, WebhookReceiver } from "@connect/core";
import { createDocuSignWebhookHandler } from "@connect/docusign";
import { signConnectMessage } from "@connect/docusign/testing";
import { createQuickBooksWebhookHandler, type QuickBooksWebhookHandler } from "@connect/quickbooks";
import { signQuickBooksPayload } from "@connect/quickbooks/testing";
import { createSendGridWebhookHandler } from "@connect/sendgrid";
import { createEventWebhookSigner, serializeEventBatch } from "@connect/sendgrid/testing";
import { createSnsVerifier, createTextractNotificationReceiver } from "@connect/textract";
import { signSnsEnvelope, TEST_SIGNING_CERT_PEM, TEST_SIGNING_CERT_URL } from "@connect/textract/testing";
import { createTwilioWebhookHandler } from "@connect/twilio";
import { signTwilioRequest } from "@connect/twilio/testing";

/** A signed delivery: where to POST it, its headers and body, and the event id it carries. */
export interface Delivery {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  eventId: string;
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

  return kits;
}

// The webhook benchmark's cases: for each vendor scheme, a batch of distinct, correctly signed
// requests (new event ids, so dedupe never short-circuits), the package's real public webhook
// handler, the package's verifier alone, and the floor: node:crypto checking the same signature
// on the same signed bytes and nothing else.
import { createHmac, createPublicKey, timingSafeEqual, verify as cryptoVerify } from "node:crypto";
import { createDocuSignWebhookHandler, docuSignConnectVerifier } from "@connect/docusign";
import { jsonConnectMessage, signConnectMessage, xmlConnectMessage } from "@connect/docusign/testing";
import { createQuickBooksWebhookHandler, quickBooksWebhookVerifier } from "@connect/quickbooks";
import { cloudEventsPayload, signQuickBooksPayload } from "@connect/quickbooks/testing";
import { createSendGridWebhookHandler, sendGridEventVerifier } from "@connect/sendgrid";
import { createEventWebhookSigner, serializeEventBatch } from "@connect/sendgrid/testing";
import { XMLParser } from "fast-xml-parser";
import { createTwilioWebhookHandler, twilioSignatureVerifier } from "@connect/twilio";
import { signTwilioRequest } from "@connect/twilio/testing";
import sendgridEventWebhook from "@sendgrid/eventwebhook";
import twilio from "twilio";

const hex = (n, width) => n.toString(16).padStart(width, "0");
const guid = (n) => `${hex(n, 8)}-4b1d-4c2e-9f3a-${hex(n * 7919, 12).slice(-12)}`;

/** HMAC floor: decode the header, one digest over the signed bytes, one constant-time compare. */
function hmacFloor(algorithm, secret) {
  return ({ signed, header }) => {
    const signature = Buffer.from(header, "base64");
    const digest = createHmac(algorithm, secret).update(signed).digest();
    return signature.length === digest.length && timingSafeEqual(digest, signature);
  };
}

/** The least a receiver must do to read the body: the platform's own parser, nothing else. */
const jsonParse = Object.assign((rawBody) => JSON.parse(rawBody.toString("utf8")), { note: "JSON.parse" });
const formParse = Object.assign((rawBody) => Object.fromEntries(new URLSearchParams(rawBody.toString("utf8"))), { note: "URLSearchParams" });
let xmlParser;
const xmlParse = Object.assign((rawBody) => (xmlParser ??= new XMLParser()).parse(rawBody.toString("utf8")), { note: "fast-xml-parser with its defaults" });

function twilioCase(count) {
  const authToken = "bench-twilio-auth-token-0123456789";
  const url = "https://hooks.acme-lending.example/twilio/status";
  const requests = [];
  for (let i = 0; i < count; i += 1) {
    const sid = `SM${hex(i, 32)}`;
    const params = {
      SmsSid: sid,
      SmsStatus: "delivered",
      MessageStatus: "delivered",
      To: "+15558675310",
      MessagingServiceSid: `MG${hex(7, 32)}`,
      MessageSid: sid,
      AccountSid: `AC${hex(42, 32)}`,
      From: "+15017250604",
      ApiVersion: "2010-04-01",
      RawDlrDoneDate: "2406031512",
    };
    const signedReq = signTwilioRequest({ authToken, url, params });
    const headers = Object.fromEntries(Object.entries(signedReq.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const signedText = Object.keys(params).sort().reduce((acc, name) => acc + name + params[name], url);
    requests.push({
      req: { method: "POST", url, headers, rawBody: Buffer.from(signedReq.body, "utf8") },
      signed: Buffer.from(signedText, "utf8"),
      header: headers["x-twilio-signature"],
      params,
    });
  }
  return {
    id: "twilio",
    // twilio-node's validateRequest takes the parameters already parsed (express's body parser
    // does it before the middleware runs), so its figure leaves the form parsing out.
    official: { name: "twilio.validateRequest (params parsed beforehand)", verify: (r) => twilio.validateRequest(authToken, r.header, url, r.params) },
    // A forged signature: what a receiver under a flood of bad requests pays per rejection.
    forged: (r) => ({ ...r.req, headers: { ...r.req.headers, "x-twilio-signature": "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" } }),
    title: "Twilio status callback (form, HMAC-SHA1)",
    hmac: true,
    eventsPerRequest: 1,
    requests,
    handler: (onEvent) => createTwilioWebhookHandler({ authToken, onStatus: onEvent }),
    verifier: twilioSignatureVerifier({ authToken }),
    floor: hmacFloor("sha1", authToken),
    parse: formParse,
    floorNote: "HMAC-SHA1 over the URL + sorted parameters (built beforehand), compare",
  };
}

function docusignEnvelope(i, now) {
  const envelopeId = guid(i);
  return {
    envelopeId,
    status: "completed",
    emailSubject: `Loan L-${100_000 + i}: construction loan agreement and draw schedule`,
    createdAt: now - 86_400_000,
    sentAt: now - 86_000_000,
    deliveredAt: now - 80_000_000,
    completedAt: now - 1_000,
    statusChangedAt: now - 1_000,
    lastModifiedAt: now - 1_000,
    documents: [
      { documentId: "1", name: "Loan agreement.pdf", fileExtension: "pdf", order: 1 },
      { documentId: "2", name: "Draw schedule.pdf", fileExtension: "pdf", order: 2 },
    ],
    recipients: [
      { recipientId: "1", recipientIdGuid: guid(i + 1_000_000), type: "signer", name: "Jordan Reyes", email: "jordan.reyes@borrower.example", routingOrder: 1, status: "completed", sentAt: now - 86_000_000, deliveredAt: now - 80_000_000, signedAt: now - 50_000 },
      { recipientId: "2", recipientIdGuid: guid(i + 2_000_000), type: "signer", name: "Sam Okafor", email: "sam.okafor@borrower.example", routingOrder: 2, status: "completed", sentAt: now - 50_000, deliveredAt: now - 40_000, signedAt: now - 1_000 },
      { recipientId: "3", recipientIdGuid: guid(i + 3_000_000), type: "carbonCopy", name: "Loan Servicing", email: "servicing@lender.example", routingOrder: 3, status: "completed", sentAt: now - 1_000 },
    ],
    customFields: { loanId: `L-${100_000 + i}`, externalRef: `loan-${i}` },
    definition: {},
  };
}

function docusignCase(count, format, { documentBytes } = {}) {
  const key = "bench-docusign-connect-hmac-key-0123456789abcdef";
  const now = Date.parse("2024-06-03T15:12:00Z");
  const options = { accountId: "0e4c9f5a-1b2c-4d5e-8f90-a1b2c3d4e5f6", userId: "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d", configurationId: "12345", retryCount: 0, includeDocuments: documentBytes !== undefined, timeZoneOffsetHours: -7, timeZoneName: "Pacific Standard Time", documentBytes: (_env, id) => (id === "1" ? documentBytes : undefined), now };
  const requests = [];
  for (let i = 0; i < count; i += 1) {
    const env = docusignEnvelope(i, now);
    const body = format === "json" ? jsonConnectMessage(env, { event: "envelope-completed", envelopeId: env.envelopeId }, options) : xmlConnectMessage(env, options);
    const headers = { "content-type": format === "json" ? "application/json" : "text/xml; charset=utf-8", ...signConnectMessage(body, [key]) };
    requests.push({
      req: { method: "POST", url: "https://hooks.acme-lending.example/docusign/connect", headers, rawBody: body },
      signed: body,
      header: headers["x-docusign-signature-1"],
    });
  }
  return {
    id: `docusign-${format}${documentBytes ? "-document" : ""}`,
    title: `DocuSign Connect ${format === "json" ? "JSON SIM" : "legacy XML"}${documentBytes ? `, ${documentBytes.length / 2 ** 20} MiB PDF included` : ""} (HMAC-SHA256)`,
    hmac: true,
    eventsPerRequest: 1,
    requests,
    handler: (onEvent) => createDocuSignWebhookHandler({ secrets: [key], onEvent }),
    verifier: docuSignConnectVerifier({ secrets: [key] }),
    floor: hmacFloor("sha256", key),
    parse: format === "json" ? jsonParse : xmlParse,
    floorNote: "HMAC-SHA256 over the raw body, compare",
  };
}

function quickbooksCase(count) {
  const verifierToken = "bench-quickbooks-verifier-token-0123456789";
  const requests = [];
  for (let i = 0; i < count; i += 1) {
    const change = { realmId: "9130348651845276", entity: "Payment", entityId: String(1000 + i), operation: "Create", lastUpdated: "2024-06-03T15:12:00.000Z" };
    const body = Buffer.from(JSON.stringify(cloudEventsPayload([change])), "utf8");
    const signature = signQuickBooksPayload(body, verifierToken);
    requests.push({
      req: { method: "POST", url: "https://hooks.acme-lending.example/quickbooks", headers: { "content-type": "application/json", "intuit-signature": signature }, rawBody: body },
      signed: body,
      header: signature,
    });
  }
  return {
    id: "quickbooks",
    title: "QuickBooks CloudEvents, 1 change (HMAC-SHA256)",
    hmac: true,
    eventsPerRequest: 1,
    requests,
    // Acknowledge-first: the change is queued and the handler runs after the 200; the bench waits for the queue too.
    handler: (onEvent) => createQuickBooksWebhookHandler({ verifierToken, onChange: onEvent }),
    verifier: quickBooksWebhookVerifier({ verifierToken }),
    floor: hmacFloor("sha256", verifierToken),
    parse: jsonParse,
    floorNote: "HMAC-SHA256 over the raw body, compare",
  };
}

const SENDGRID_TYPES = ["processed", "delivered", "open", "click", "deferred", "bounce", "dropped", "delivered", "open", "processed"];

function sendgridCase(count, batch = 50) {
  const signer = createEventWebhookSigner();
  const key = createPublicKey({ key: Buffer.from(signer.publicKey, "base64"), format: "der", type: "spki" });
  const timestamp = Math.floor(Date.now() / 1000);
  const requests = [];
  let n = 0;
  for (let i = 0; i < count; i += 1) {
    const events = [];
    for (let j = 0; j < batch; j += 1) {
      n += 1;
      const event = SENDGRID_TYPES[j % SENDGRID_TYPES.length];
      const base = {
        email: `borrower${n % 997}@example.com`,
        timestamp: timestamp - 60,
        "smtp-id": `<msg${i}@ismtpd0001p1.sendgrid.net>`,
        event,
        category: ["draw-approved"],
        sg_event_id: `ZXZ0LSR${hex(n, 24)}`,
        sg_message_id: `msg${hex(i, 12)}.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0`,
        loan_id: `L-${100_000 + i}`,
      };
      const extra = {
        delivered: { response: "250 2.0.0 OK", ip: "149.72.0.1", tls: 1 },
        open: { useragent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)", ip: "203.0.113.7", sg_machine_open: false },
        click: { url: "https://portal.acme-lending.example/draws/123", url_offset: { index: 0, type: "html" }, useragent: "Mozilla/5.0", ip: "203.0.113.7" },
        deferred: { response: "421 4.7.0 try again later", attempt: "1", ip: "149.72.0.1" },
        bounce: { reason: "550 5.1.1 The email account that you tried to reach does not exist.", status: "5.1.1", type: "bounce", ip: "149.72.0.1" },
        dropped: { reason: "Bounced Address", status: "5.0.0" },
      }[event];
      events.push({ ...base, ...extra });
    }
    const body = serializeEventBatch(events);
    const headers = signer.sign(body, timestamp);
    requests.push({
      req: { method: "POST", url: "https://hooks.acme-lending.example/sendgrid/events", headers: { "content-type": "application/json", ...headers }, rawBody: body },
      signed: Buffer.concat([Buffer.from(String(timestamp), "utf8"), body]),
      header: headers["x-twilio-email-event-webhook-signature"],
    });
  }
  const { EventWebhook } = sendgridEventWebhook;
  const official = new EventWebhook();
  const officialKey = official.convertPublicKeyToECDSA(signer.publicKey);
  return {
    id: "sendgrid",
    official: { name: "@sendgrid/eventwebhook verifySignature", verify: (r) => official.verifySignature(officialKey, r.req.rawBody, r.header, r.req.headers["x-twilio-email-event-webhook-timestamp"]) },
    title: `SendGrid event batch, ${batch} events (ECDSA P-256)`,
    hmac: false,
    eventsPerRequest: batch,
    requests,
    handler: (onEvent) => createSendGridWebhookHandler({ publicKey: signer.publicKey, onEvent }),
    verifier: sendGridEventVerifier({ publicKey: signer.publicKey }),
    floor: ({ signed, header }) => cryptoVerify("sha256", signed, { key, dsaEncoding: "der" }, Buffer.from(header, "base64")),
    parse: jsonParse,
    floorNote: "crypto.verify (ECDSA P-256, SHA-256) over timestamp + raw body, parsed key",
  };
}

/** Every case, each with `count` distinct requests. */
export function webhookCases(count) {
  // A 1 MiB document: a "include documents" Connect configuration sends the signed PDF in the message.
  const pdf = Buffer.alloc(2 ** 20);
  for (let i = 0; i < pdf.length; i += 4) pdf.writeUInt32LE(((Math.imul(i, 2654435761) >>> 0) ^ (i >>> 3)) >>> 0, i);
  return [
    twilioCase(count),
    docusignCase(count, "json"),
    docusignCase(count, "xml"),
    docusignCase(Math.max(2, Math.ceil(count / 100)), "json", { documentBytes: pdf }),
    sendgridCase(Math.max(4, Math.ceil(count / 10))),
    quickbooksCase(count),
  ];
}

// The three email providers behind core's shared `Mailer`, each against its embedded fake on
// 127.0.0.1, with its delivery-event webhook (SendGrid's ECDSA-signed Event Webhook, SES events
// in SNS-signed envelopes, Mailgun's HMAC-signed webhooks) verified by the package's own
// receiver on a local `node:http` server. The receiver hands over the provider's events; the
// Mailer turns them into core's MailEvent vocabulary.
import { createServer } from "node:http";
import { createMemoryIdempotencyStore } from "@connect/core";
import { createSnsVerifier } from "@connect/core/aws";
import { serveHandlers, SNS_TEST_SIGNING_CERT_PEM, SNS_TEST_SIGNING_CERT_URL } from "@connect/core/testing";
import { createMailgunClient, createMailgunMailer, createMailgunWebhookHandler } from "@connect/mailgun";
import { createMailgunFake } from "@connect/mailgun/testing";
import { createSendGridClient, createSendGridMailer, createSendGridWebhookHandler } from "@connect/sendgrid";
import { createSendGridFake } from "@connect/sendgrid/testing";
import { createSesClient, createSesEventReceiver, createSesMailer } from "@connect/ses";
import { createSesFake } from "@connect/ses/testing";

/** The providers this example knows, in the order `EMAIL_PROVIDER` lists them. */
export const PROVIDERS = ["sendgrid", "ses", "mailgun"];

/** Quick retries and a breaker that opens after a few failures, so the demo and the test stay fast. */
export const DEMO_POLICY = {
  retry: { attempts: 2, minDelayMs: 5, maxDelayMs: 20, jitter: false },
  limiter: false,
  breaker: { failureThreshold: 4, successThreshold: 1, resetTimeoutMs: 60_000 },
};

const SES_TOPIC = "arn:aws:sns:us-east-1:111122223333:ses-events";
const SES_CREDENTIALS = { accessKeyId: "AKIDEXAMPLEFAKE", secretAccessKey: "example-fake-secret-access-key-0001" };

/** A `node:http` server on 127.0.0.1 running a receiver's node handler. */
async function listen(receiver, path) {
  const server = createServer((req, res) => void receiver.node(req, res));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}${path}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function startSendGrid({ policy }) {
  const fake = createSendGridFake({ verifiedSenders: ["@acme-lending.test"] });
  const api = await serveHandlers(fake.handlers);
  const client = createSendGridClient({ apiKey: fake.apiKey, baseUrl: api.url, policy });
  const received = [];
  const receiver = await listen(createSendGridWebhookHandler({ publicKey: fake.signer.publicKey, onEvent: (event) => void received.push(event) }), "/webhooks/sendgrid");
  const SPEC = { delivered: { event: "delivered" }, bounced: { event: "bounce", type: "bounce" } };
  return {
    name: "sendgrid",
    from: { email: "draws@acme-lending.test", name: "Acme Lending Draws" },
    mailer: createSendGridMailer(client),
    received,
    /** Make SendGrid post one signed event about a recipient of a send; returns what the receiver passed on. */
    async report(kind, messageId, email) {
      const before = received.length;
      const response = await fake.postEvents(receiver.url, fake.eventsFor(messageId, [{ ...SPEC[kind], email }]));
      return { status: response.status, events: received.slice(before) };
    },
    /** Messages the fake accepted. */
    accepted: () => fake.sends.length,
    /** Send requests that reached the fake (accepted or not). */
    sendRequests: () => api.requests.filter((r) => r.url.split("?")[0] === "/v3/mail/send").length,
    outage() {
      fake.failNext({ status: 503, times: 10_000 });
    },
    failNextSend() {
      fake.failNext({ status: 503, path: "/v3/mail/send" });
    },
    async close() {
      await receiver.close();
      await client.close();
      await api.close();
    },
  };
}

async function startSes({ policy }) {
  const fake = createSesFake({ credentials: SES_CREDENTIALS, region: "us-east-1", identities: ["acme-lending.test"], topicArn: SES_TOPIC });
  const api = await serveHandlers(fake.handlers);
  // SES has no idempotency key of its own: the store makes a repeated logical send answer the first receipt.
  const client = createSesClient({ region: "us-east-1", endpoint: api.url, credentials: SES_CREDENTIALS, policy, idempotencyStore: createMemoryIdempotencyStore() });
  const received = [];
  const receiver = await listen(
    createSesEventReceiver({
      topicArns: [SES_TOPIC],
      // The fake signs with core's SNS test certificate; in production the default verifier fetches AWS's.
      verifier: createSnsVerifier({ vendor: "ses", topicArns: [SES_TOPIC], trustedCertificates: { [SNS_TEST_SIGNING_CERT_URL]: SNS_TEST_SIGNING_CERT_PEM }, fetchCertificate: () => Promise.reject(new Error("offline example: no certificate downloads")) }),
      onEvent: (notification) => void received.push(notification),
    }),
    "/webhooks/ses",
  );
  const SPEC = { delivered: { type: "Delivery" }, bounced: { type: "Bounce", bounceType: "Permanent" } };
  return {
    name: "ses",
    from: { email: "draws@acme-lending.test", name: "Acme Lending Draws" },
    mailer: createSesMailer(client),
    received,
    async report(kind, messageId, email) {
      const before = received.length;
      const response = await fake.publish(receiver.url, messageId, { ...SPEC[kind], recipient: email });
      return { status: response.status, events: received.slice(before) };
    },
    accepted: () => fake.sent.length,
    sendRequests: () => fake.calls.filter((c) => c.operation === "SendEmail").length,
    outage() {
      for (let i = 0; i < 1_000; i += 1) {
        fake.failNext("GetAccount", { code: "ServiceUnavailable", status: 503 });
        fake.failNext("SendEmail", { code: "ServiceUnavailable", status: 503 });
      }
    },
    failNextSend() {
      fake.failNext("SendEmail", { code: "ServiceUnavailable", status: 503 });
    },
    async close() {
      await receiver.close();
      await client.close();
      await api.close();
    },
  };
}

async function startMailgun({ policy }) {
  const fake = createMailgunFake({ domains: ["mg.acme-lending.test"] });
  const api = await serveHandlers(fake.handlers);
  const client = createMailgunClient({ apiKey: fake.apiKey, domain: fake.domainName, region: "us", baseUrl: api.url, policy });
  const received = [];
  const receiver = await listen(createMailgunWebhookHandler({ signingKey: fake.signingKey, onEvent: (event) => void received.push(event) }), "/webhooks/mailgun");
  return {
    name: "mailgun",
    from: { email: "draws@mg.acme-lending.test", name: "Acme Lending Draws" },
    mailer: createMailgunMailer(client),
    received,
    async report(kind, messageId, email) {
      const event = kind === "delivered" ? fake.eventsFor(messageId).find((e) => e.event === "delivered" && e.recipient === email) : fake.fail(messageId, "hard", { recipient: email });
      if (!event) throw new Error(`the Mailgun fake has no ${kind} event for ${email}`);
      const before = received.length;
      const response = await fake.deliverWebhook(receiver.url, event);
      return { status: response.status, events: received.slice(before) };
    },
    accepted: () => fake.messages.length,
    sendRequests: () => api.requests.filter((r) => r.method === "POST" && r.url.split("?")[0].endsWith("/messages")).length,
    outage() {
      fake.failNext({ status: 503, times: 10_000 });
    },
    failNextSend() {
      fake.failNext({ status: 503, path: `/v3/${fake.domainName}/messages` });
    },
    async close() {
      await receiver.close();
      await client.close();
      await api.close();
    },
  };
}

/** Start one provider against its fake, with its verified webhook receiver. */
export function startProvider(name, { policy = DEMO_POLICY } = {}) {
  if (name === "sendgrid") return startSendGrid({ policy });
  if (name === "ses") return startSes({ policy });
  if (name === "mailgun") return startMailgun({ policy });
  throw new TypeError(`unknown email provider "${name}" (expected ${PROVIDERS.join(", ")})`);
}

// Every vendor, assembled the way a host application does it: one client per vendor from its
// package, all sharing the host's telemetry and dead-letter sink, plus each vendor's webhook
// endpoint mounted on the host's server. Here every client points at its package's embedded
// fake on 127.0.0.1 (`@connect/<vendor>/testing`); README.md shows the options that point
// them at the real APIs instead.
import { randomBytes } from "node:crypto";
import { createMemoryIdempotencyStore, createMemoryTokenStore } from "@connect/core";
import { serveHandlers, SNS_TEST_SIGNING_CERT_PEM, SNS_TEST_SIGNING_CERT_URL } from "@connect/core/testing";
import { createAuthentisignClient, createAuthentisignSignatureProvider } from "@connect/authentisign";
import { createAuthentisignFake } from "@connect/authentisign/testing";
import { createBpoClient } from "@connect/bpo";
import { createBpoFake } from "@connect/bpo/testing";
import { createDocuSignClient, createDocuSignSignatureProvider, createDocuSignWebhookHandler } from "@connect/docusign";
import { createDocuSignFake } from "@connect/docusign/testing";
import { createSnsVerifier as createCoreSnsVerifier } from "@connect/core/aws";
import { createMailgunClient, createMailgunMailer, createMailgunWebhookHandler } from "@connect/mailgun";
import { createMailgunFake } from "@connect/mailgun/testing";
import { createQuickBooksClient, createQuickBooksLedger, createQuickBooksOAuth, createQuickBooksWebhookHandler } from "@connect/quickbooks";
import { createQuickBooksFake } from "@connect/quickbooks/testing";
import { createSendGridClient, createSendGridMailer, createSendGridWebhookHandler } from "@connect/sendgrid";
import { createSendGridFake } from "@connect/sendgrid/testing";
import { createSesClient, createSesEventReceiver, createSesMailer } from "@connect/ses";
import { createSesFake } from "@connect/ses/testing";
import { createSnsVerifier, createTextractClient, createTextractNotificationReceiver } from "@connect/textract";
import { createTextractFake, TEST_SIGNING_CERT_PEM, TEST_SIGNING_CERT_URL } from "@connect/textract/testing";
import { createMemoryOptOutStore, createTwilioClient } from "@connect/twilio";
import { createTwilioFake } from "@connect/twilio/testing";
import { createXeroClient, createXeroLedger, createXeroOAuth, createXeroWebhookHandler } from "@connect/xero";
import { createXeroFake } from "@connect/xero/testing";

export const LENDER_NUMBER = "+14155552345";
export const TEXTRACT_TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:textract-completions";
export const TEXTRACT_ROLE_ARN = "arn:aws:iam::111122223333:role/TextractSNSPublish";
export const SES_TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:ses-events";
const QUICKBOOKS_REDIRECT_URI = "https://lender.example/quickbooks/callback";
const XERO_REDIRECT_URI = "https://lender.example/xero/callback";

/** The email providers, in the order of the summary; each falls back to the next one named here. */
export const EMAIL_PROVIDERS = ["sendgrid", "ses", "mailgun"];
/** The accounting ledgers. */
export const LEDGERS = ["quickbooks", "xero"];
/** Where the email goes when the chosen provider provably sent nothing: SendGrid → SES, the others → SendGrid. */
export const EMAIL_FALLBACK = { sendgrid: "ses", ses: "sendgrid", mailgun: "sendgrid" };

/**
 * Short backoff so the demo (and chaos mode) finishes in seconds; each vendor keeps its own
 * attempt counts, limits and breaker from its package defaults. Production keeps the defaults.
 */
export const DEMO_RETRY = { minDelayMs: 10, maxDelayMs: 100, jitter: false, maxRetryAfterMs: 5_000 };
/** E-signature: two attempts, and a breaker that opens after four failures (two failed health probes). */
export const ESIGN_POLICY = { retry: { ...DEMO_RETRY, attempts: 2 }, breaker: { failureThreshold: 4, successThreshold: 1, resetTimeoutMs: 60_000 } };
/** Email providers the same way: two failed health probes open the breaker, so a send then provably sends nothing. */
export const EMAIL_POLICY = ESIGN_POLICY;

/** `ana@example.com` from `"Ana Borrower" <ana@example.com>` or from the bare address. */
const bareAddress = (value) => (/<([^<>]+)>\s*$/.exec(value)?.[1] ?? value).trim().toLowerCase();

/**
 * Start every fake and build every client. `hooks` is the host's webhook server; `on` holds the
 * platform's reactions to each vendor's verified webhooks (`on.textract`, `on.esign` …).
 */
export async function startVendors({ telemetry, deadLetters, hooks, on, email = "sendgrid", ledger: ledgerName = "quickbooks" }) {
  const servers = [];
  const serve = async (fake) => {
    const api = await serveHandlers(fake.handlers);
    servers.push(api);
    return api;
  };
  const common = { telemetry: telemetry.options, deadLetters };

  // BPO: the legacy lead system (REST for the sync back; its nightly export is a file).
  const bpoFake = createBpoFake({ seed: 11 });
  const bpoApi = await serve(bpoFake);
  const bpo = createBpoClient({ baseUrl: bpoApi.url, apiKey: bpoFake.apiKey, policy: { retry: DEMO_RETRY }, ...common });

  // Textract: the survey analysis; completions arrive as signed SNS notifications.
  const snsVerifier = createSnsVerifier({ topicArns: [TEXTRACT_TOPIC_ARN], trustedCertificates: { [TEST_SIGNING_CERT_URL]: TEST_SIGNING_CERT_PEM } });
  const snsUrl = hooks.mount("textract", "/hooks/textract/sns", createTextractNotificationReceiver({ verifier: snsVerifier, onNotification: on.textract, deadLetters }));
  const textractFake = createTextractFake({ snsEndpoint: snsUrl, signatureVersion: "2", completeAfterMs: 20 });
  const textractApi = await serve(textractFake);
  const textract = createTextractClient({
    region: "us-east-1",
    endpoint: textractApi.url,
    credentials: { accessKeyId: "AKIDEXAMPLEFAKE", secretAccessKey: "fake-secret-for-the-demo" },
    policy: { retry: DEMO_RETRY },
    ...common,
  });

  // DocuSign: envelopes; Connect messages signed with the account's HMAC keys.
  const docusignFake = createDocuSignFake();
  const docusignApi = await serve(docusignFake);
  const docusignClient = createDocuSignClient({ ...docusignFake.clientOptions(docusignApi.url), policy: ESIGN_POLICY, ...common });
  const docusignUrl = hooks.mount(
    "docusign",
    "/hooks/esign/docusign",
    createDocuSignWebhookHandler({ secrets: docusignFake.hmacKeys, onSignatureEvent: on.esign, deadLetters }),
  );
  docusignFake.connect.configure({ url: docusignUrl });

  // Authentisign: signings; each signing's callback URL carries a token bound to it.
  const authentisignFake = createAuthentisignFake();
  const authentisignApi = await serve(authentisignFake);
  const authentisignClient = createAuthentisignClient({
    clientId: authentisignFake.clientId,
    clientSecret: authentisignFake.clientSecret,
    baseUrl: `${authentisignApi.url}/authentisign`,
    tokenUrl: `${authentisignApi.url}/oauth/token`,
    policy: ESIGN_POLICY,
    ...common,
  });
  const authentisignPath = "/hooks/esign/authentisign";
  const authentisign = createAuthentisignSignatureProvider(authentisignClient, {
    callbacks: { url: `${hooks.url}${authentisignPath}`, secrets: randomBytes(32).toString("base64url"), onEvent: on.esign, deadLetters },
  });
  hooks.mount("authentisign", authentisignPath, authentisign.callbacks);

  // The ledger: QuickBooks (default) or Xero, each behind core's provider-neutral `Ledger`.
  const ledger = ledgerName === "xero" ? await startXero() : await startQuickBooks();

  // Email: the chosen provider and the one it falls back to, each behind core's `Mailer`.
  const mail = {};
  for (const name of [email, EMAIL_FALLBACK[email]]) mail[name] = await startMailer(name);

  // Twilio: SMS; status callbacks and inbound replies signed with the Auth Token.
  const twilioFake = createTwilioFake({ senders: [LENDER_NUMBER] });
  const twilioApi = await serve(twilioFake);
  const optOuts = createMemoryOptOutStore();
  const twilio = createTwilioClient({ accountSid: twilioFake.accountSid, auth: { authToken: twilioFake.authToken }, baseUrl: twilioApi.url, optOuts, policy: { retry: DEMO_RETRY }, ...common });
  const twilioUrl = hooks.mount("twilio", "/hooks/twilio", twilio.createWebhookHandler({ optOuts, deadLetters, ...on.twilio }));

  const esign = {
    docusign: { provider: createDocuSignSignatureProvider(docusignClient), fake: docusignFake, client: docusignClient },
    authentisign: { provider: authentisign, fake: authentisignFake, client: authentisignClient },
  };

  const clients = [bpo, textract, docusignClient, authentisignClient, ledger.client, ...Object.values(mail).map((m) => m.client), twilio];
  return {
    bpo: { client: bpo, fake: bpoFake },
    textract: { client: textract, fake: textractFake },
    esign,
    ledger,
    mail,
    twilio: { client: twilio, fake: twilioFake, webhookUrl: twilioUrl },
    /** Every adapter, for core's checkHealth (id, version, healthCheck). */
    adapters: clients,
    /** HTTP requests each fake received (attempts, not logical calls). */
    requests: () => ({
      bpo: bpoApi.requests.length,
      textract: textractApi.requests.length,
      docusign: docusignApi.requests.length,
      authentisign: authentisignApi.requests.length,
      [ledger.provider]: ledger.api.requests.length,
      ...Object.fromEntries(Object.values(mail).map((m) => [m.provider, m.api.requests.length])),
      twilio: twilioApi.requests.length,
    }),
    async close() {
      await Promise.all([textractFake.settled(), docusignFake.connect.settled(), authentisignFake.flush(), ledger.idle()]);
      await Promise.all(clients.map((client) => client.close()));
      await ledger.oauth.close();
      await Promise.all(servers.map((server) => server.close()));
    },
  };

  // QuickBooks: the lender's company was connected once through OAuth; tokens live in a TokenStore.
  async function startQuickBooks() {
    const fake = createQuickBooksFake();
    const api = await serve(fake);
    const { baseUrl, oauthEndpoints } = fake.endpoints(api.url);
    const tokens = createMemoryTokenStore();
    const oauth = createQuickBooksOAuth({ clientId: fake.clientId, clientSecret: fake.clientSecret, redirectUri: QUICKBOOKS_REDIRECT_URI, tokens, endpoints: oauthEndpoints });
    const { url: consentUrl, state } = oauth.authorizationUrl();
    const consent = await fetch(consentUrl, { redirect: "manual" });
    const { realmId } = await oauth.connect({ url: consent.headers.get("location"), expectedState: state });
    const client = createQuickBooksClient({
      realmId,
      tokens,
      oauth,
      environment: "sandbox",
      baseUrl,
      oauthEndpoints,
      rateLimitWaitMs: 200,
      policy: { retry: DEMO_RETRY },
      ...common,
    });
    // The draw's invoice is numbered D-<draw id>, as the servicing helpers number it.
    const ledger = createQuickBooksLedger(client, { invoiceNumber: (ref) => `D-${ref}` });
    const webhook = createQuickBooksWebhookHandler({ verifierToken: fake.verifierToken, realmIds: [realmId], deadLetters, onChange: (change) => on.ledger(ledger, change) });
    const webhookUrl = hooks.mount("quickbooks", "/hooks/quickbooks", webhook);
    return { provider: "quickbooks", ledger, client, fake, api, oauth, tenantId: realmId, webhookUrl, postWebhook: () => fake.postWebhook(webhookUrl), idle: () => webhook.idle() };
  }

  // Xero: the lender's organisation was connected once through OAuth (a grant, then its tenant id on every call).
  async function startXero() {
    const fake = createXeroFake();
    const api = await serve(fake);
    const { baseUrl, oauthEndpoints } = fake.endpoints(api.url);
    const tokens = createMemoryTokenStore();
    const oauth = createXeroOAuth({ clientId: fake.clientId, clientSecret: fake.clientSecret, redirectUri: XERO_REDIRECT_URI, tokens, endpoints: oauthEndpoints });
    const state = randomBytes(12).toString("base64url");
    await oauth.connect({ url: fake.authorize({ redirectUri: XERO_REDIRECT_URI, state }), expectedState: state, grantId: "lender-admin" });
    const tenantId = fake.tenants[0].tenantId;
    const client = createXeroClient({ tenantId, grantId: "lender-admin", oauth, baseUrl, oauthEndpoints, policy: { retry: DEMO_RETRY }, ...common });
    const ledger = createXeroLedger(client, { salesAccountCode: "200" });
    // Xero signs each delivery with the app's webhook key (x-xero-signature); the handler verifies it first.
    const webhook = createXeroWebhookHandler({ webhookKey: fake.webhookKey, tenantIds: [tenantId], deadLetters, onEvent: (event) => on.ledger(ledger, event) });
    const webhookUrl = hooks.mount("xero", "/hooks/xero", webhook);
    return { provider: "xero", ledger, client, fake, api, oauth, tenantId, webhookUrl, postWebhook: () => fake.postWebhook(webhookUrl), idle: async () => undefined };
  }

  // Email providers. Each one's delivery events come back through its own verified endpoint.
  async function startMailer(name) {
    if (name === "sendgrid") {
      // SendGrid: mail send; the Event Webhook is signed with ECDSA.
      const fake = createSendGridFake({ verifiedSenders: ["@acme-lending.test"] });
      const api = await serve(fake);
      const client = createSendGridClient({ apiKey: fake.apiKey, baseUrl: api.url, policy: EMAIL_POLICY, ...common });
      const mailer = createSendGridMailer(client);
      const webhookUrl = hooks.mount("sendgrid", "/hooks/sendgrid", createSendGridWebhookHandler({ publicKey: fake.signer.publicKey, onEvent: (event) => on.mail(mailer, event), deadLetters }));
      return {
        provider: name,
        client,
        mailer,
        fake,
        api,
        webhookUrl,
        template: "d-5b1e9c3a7f2d4e6a8b0c1d2e3f4a5b6c",
        accepted: (to) => fake.sends.filter((s) => s.body.personalizations.some((p) => p.to.some((a) => a.email === to))).length,
        deliver: async (messageId) => (await fake.postEvents(webhookUrl, fake.eventsFor(messageId, [{ event: "processed" }, { event: "delivered" }]))).status,
      };
    }
    if (name === "ses") {
      // AWS SES: SigV4 against the fake; events published through SNS, signed, verified by the receiver.
      const credentials = { accessKeyId: "AKIDSESDEMOFAKE", secretAccessKey: "ses-demo-fake-secret-access-key" };
      const fake = createSesFake({
        credentials,
        region: "us-east-1",
        identities: ["acme-lending.test"],
        topicArn: SES_TOPIC_ARN,
        templates: { "draw-disbursed": { subject: "Draw {{drawNumber}} of {{amount}} disbursed", text: "Hi {{firstName}}, draw {{drawNumber}} of {{amount}} for {{property}} has been disbursed." } },
      });
      const api = await serve(fake);
      const client = createSesClient({ region: "us-east-1", endpoint: api.url, credentials, policy: EMAIL_POLICY, idempotencyStore: createMemoryIdempotencyStore(), ...common });
      const mailer = createSesMailer(client);
      const verifier = createCoreSnsVerifier({ vendor: "ses", topicArns: [SES_TOPIC_ARN], trustedCertificates: { [SNS_TEST_SIGNING_CERT_URL]: SNS_TEST_SIGNING_CERT_PEM }, fetchCertificate: () => Promise.reject(new Error("the demo fetches no certificates")) });
      const webhookUrl = hooks.mount("ses", "/hooks/ses/sns", createSesEventReceiver({ topicArns: [SES_TOPIC_ARN], verifier, onEvent: (notification) => on.mail(mailer, notification), deadLetters }));
      return {
        provider: name,
        client,
        mailer,
        fake,
        api,
        webhookUrl,
        template: "draw-disbursed",
        accepted: (to) => fake.sent.filter((m) => m.to.some((value) => bareAddress(value) === to)).length,
        deliver: async (messageId, to) => {
          for (const type of ["Send", "Delivery"]) {
            const response = await fake.publish(webhookUrl, messageId, { type, recipient: to });
            await response.arrayBuffer();
            if (response.status !== 200) return response.status;
          }
          return 200;
        },
      };
    }
    // Mailgun: messages on the lender's sending domain; webhooks signed with the webhook signing key.
    const fake = createMailgunFake({ domains: ["acme-lending.test"], templates: ["draw-disbursed"] });
    const api = await serve(fake);
    const client = createMailgunClient({ apiKey: fake.apiKey, domain: fake.domainName, region: "us", baseUrl: api.url, policy: EMAIL_POLICY, ...common });
    const mailer = createMailgunMailer(client);
    const webhookUrl = hooks.mount("mailgun", "/hooks/mailgun", createMailgunWebhookHandler({ signingKey: fake.signingKey, onEvent: (event) => on.mail(mailer, event), deadLetters }));
    return {
      provider: name,
      client,
      mailer,
      fake,
      api,
      webhookUrl,
      template: "draw-disbursed",
      accepted: (to) => fake.messages.filter((m) => (m.fields.to ?? []).some((value) => bareAddress(value) === to)).length,
      deliver: async (messageId) => {
        for (const event of fake.eventsFor(messageId)) {
          const response = await fake.deliverWebhook(webhookUrl, event);
          await response.arrayBuffer();
          if (response.status !== 200) return response.status;
        }
        return 200;
      },
    };
  }
}

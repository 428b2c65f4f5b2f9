// Every vendor, assembled the way a host application does it: one client per vendor from its
// package, all sharing the host's telemetry and dead-letter sink, plus each vendor's webhook
// endpoint mounted on the host's server. Here every client points at its package's embedded
// fake on 127.0.0.1 (`@connect/<vendor>/testing`); README.md shows the options that point
// them at the real APIs instead.
import { randomBytes } from "node:crypto";
import { createMemoryTokenStore } from "@connect/core";
import { serveHandlers } from "@connect/core/testing";
import { createAuthentisignClient, createAuthentisignSignatureProvider } from "@connect/authentisign";
import { createAuthentisignFake } from "@connect/authentisign/testing";
import { createBpoClient } from "@connect/bpo";
import { createBpoFake } from "@connect/bpo/testing";
import { createDocuSignClient, createDocuSignSignatureProvider, createDocuSignWebhookHandler } from "@connect/docusign";
import { createDocuSignFake } from "@connect/docusign/testing";
import { createQuickBooksClient, createQuickBooksOAuth, createQuickBooksWebhookHandler } from "@connect/quickbooks";
import { createQuickBooksFake } from "@connect/quickbooks/testing";
import { createSendGridClient, createSendGridWebhookHandler } from "@connect/sendgrid";
import { createSendGridFake } from "@connect/sendgrid/testing";
import { createSnsVerifier, createTextractClient, createTextractNotificationReceiver } from "@connect/textract";
import { createTextractFake, TEST_SIGNING_CERT_PEM, TEST_SIGNING_CERT_URL } from "@connect/textract/testing";
import { createMemoryOptOutStore, createTwilioClient } from "@connect/twilio";
import { createTwilioFake } from "@connect/twilio/testing";

export const LENDER_NUMBER = "+14155552345";
export const TEXTRACT_TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:textract-completions";
export const TEXTRACT_ROLE_ARN = "arn:aws:iam::111122223333:role/TextractSNSPublish";
const QUICKBOOKS_REDIRECT_URI = "https://lender.example/quickbooks/callback";

/**
 * Short backoff so the demo (and chaos mode) finishes in seconds; each vendor keeps its own
 * attempt counts, limits and breaker from its package defaults. Production keeps the defaults.
 */
export const DEMO_RETRY = { minDelayMs: 10, maxDelayMs: 100, jitter: false, maxRetryAfterMs: 5_000 };
/** E-signature: two attempts, and a breaker that opens after four failures (two failed health probes). */
export const ESIGN_POLICY = { retry: { ...DEMO_RETRY, attempts: 2 }, breaker: { failureThreshold: 4, successThreshold: 1, resetTimeoutMs: 60_000 } };

/**
 * Start every fake and build every client. `hooks` is the host's webhook server; `on` holds the
 * platform's reactions to each vendor's verified webhooks (`on.textract`, `on.esign` …).
 */
export async function startVendors({ telemetry, deadLetters, hooks, on }) {
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

  // QuickBooks: the lender's company was connected once through OAuth; tokens live in a TokenStore.
  const quickbooksFake = createQuickBooksFake();
  const quickbooksApi = await serve(quickbooksFake);
  const { baseUrl, oauthEndpoints } = quickbooksFake.endpoints(quickbooksApi.url);
  const tokens = createMemoryTokenStore();
  const oauth = createQuickBooksOAuth({ clientId: quickbooksFake.clientId, clientSecret: quickbooksFake.clientSecret, redirectUri: QUICKBOOKS_REDIRECT_URI, tokens, endpoints: oauthEndpoints });
  const { url: consentUrl, state } = oauth.authorizationUrl();
  const consent = await fetch(consentUrl, { redirect: "manual" });
  const { realmId } = await oauth.connect({ url: consent.headers.get("location"), expectedState: state });
  const quickbooks = createQuickBooksClient({
    realmId,
    tokens,
    oauth,
    environment: "sandbox",
    baseUrl,
    oauthEndpoints,
    servicing: { accounts: { receivable: "1", payoffClearing: "45" } },
    rateLimitWaitMs: 200,
    policy: { retry: DEMO_RETRY },
    ...common,
  });
  const quickbooksWebhook = createQuickBooksWebhookHandler({ verifierToken: quickbooksFake.verifierToken, realmIds: [realmId], deadLetters, onChange: on.quickbooks });
  const quickbooksUrl = hooks.mount("quickbooks", "/hooks/quickbooks", quickbooksWebhook);

  // SendGrid: mail send; the Event Webhook is signed with ECDSA.
  const sendgridFake = createSendGridFake({ verifiedSenders: ["@acme-lending.test"] });
  const sendgridApi = await serve(sendgridFake);
  const sendgrid = createSendGridClient({ apiKey: sendgridFake.apiKey, baseUrl: sendgridApi.url, policy: { retry: DEMO_RETRY }, ...common });
  const sendgridUrl = hooks.mount("sendgrid", "/hooks/sendgrid", createSendGridWebhookHandler({ publicKey: sendgridFake.signer.publicKey, handlers: on.sendgrid, deadLetters }));

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

  return {
    bpo: { client: bpo, fake: bpoFake },
    textract: { client: textract, fake: textractFake },
    esign,
    quickbooks: { client: quickbooks, fake: quickbooksFake, oauth, realmId, webhook: quickbooksWebhook, webhookUrl: quickbooksUrl },
    sendgrid: { client: sendgrid, fake: sendgridFake, webhookUrl: sendgridUrl },
    twilio: { client: twilio, fake: twilioFake, webhookUrl: twilioUrl },
    /** Every adapter, for core's checkHealth (id, version, healthCheck). */
    adapters: [bpo, textract, docusignClient, authentisignClient, quickbooks, sendgrid, twilio],
    /** HTTP requests each fake received (attempts, not logical calls). */
    requests: () => ({
      bpo: bpoApi.requests.length,
      textract: textractApi.requests.length,
      docusign: docusignApi.requests.length,
      authentisign: authentisignApi.requests.length,
      quickbooks: quickbooksApi.requests.length,
      sendgrid: sendgridApi.requests.length,
      twilio: twilioApi.requests.length,
    }),
    async close() {
      await Promise.all([textractFake.settled(), docusignFake.connect.settled(), authentisignFake.flush(), quickbooksWebhook.idle()]);
      await Promise.all([bpo, textract, docusignClient, authentisignClient, quickbooks, sendgrid, twilio].map((client) => client.close()));
      await oauth.close();
      await Promise.all(servers.map((server) => server.close()));
    },
  };
}

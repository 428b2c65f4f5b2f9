// Both ledgers behind core's shared `Ledger`, each against its embedded fake on 127.0.0.1:
// connected through the vendor's OAuth flow (tokens in a core TokenStore), with the vendor's
// signed webhook verified by the package's own receiver on a local `node:http` server.
import { createServer } from "node:http";
import { createMemoryTokenStore } from "@connect/core";
import { serveHandlers } from "@connect/core/testing";
import { createQuickBooksClient, createQuickBooksLedger, createQuickBooksOAuth, createQuickBooksWebhookHandler } from "@connect/quickbooks";
import { createQuickBooksFake } from "@connect/quickbooks/testing";
import { createXeroClient, createXeroLedger, createXeroOAuth, createXeroWebhookHandler } from "@connect/xero";
import { createXeroFake } from "@connect/xero/testing";

/** The ledgers this example knows. */
export const LEDGERS = ["xero", "quickbooks"];

/** A `node:http` server on 127.0.0.1 running a receiver's node handler. */
export async function listen(receiver, path) {
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

/**
 * Xero: consent at the fake's login page, the code exchanged for tokens (stored before use), the
 * tenant read from GET /connections.
 */
export async function connectXero({ fake, apiUrl, grantId = "lender-ops" }) {
  const { baseUrl, oauthEndpoints } = fake.endpoints(apiUrl);
  const tokens = createMemoryTokenStore();
  const oauth = createXeroOAuth({ clientId: fake.clientId, clientSecret: fake.clientSecret, redirectUri: "https://lender.example/xero/callback", tokens, endpoints: oauthEndpoints });
  const { url, state } = oauth.authorizationUrl();
  const consent = await fetch(url, { redirect: "manual" });
  const grant = await oauth.connect({ url: consent.headers.get("location"), expectedState: state, grantId });
  const connections = await oauth.connections(grantId);
  return { oauth, tokens, grant, connections, baseUrl, oauthEndpoints };
}

async function startXero() {
  const fake = createXeroFake();
  const api = await serveHandlers(fake.handlers);
  const { oauth, connections, baseUrl } = await connectXero({ fake, apiUrl: api.url });
  const tenantId = connections[0].tenantId;
  const client = createXeroClient({ tenantId, grantId: "lender-ops", oauth, baseUrl });
  const received = [];
  const receiver = await listen(createXeroWebhookHandler({ webhookKey: fake.webhookKey, tenantIds: [tenantId], onEvent: (event) => void received.push(event) }), "/webhooks/xero");
  return {
    name: "xero",
    tenantId,
    ledger: createXeroLedger(client, { salesAccountCode: "200", paymentAccountCode: "090" }),
    /** Let the vendor post its signed change notifications; returns the verified, provider-shaped changes. */
    async notify() {
      const before = received.length;
      const response = await fake.postWebhook(receiver.url);
      return { status: response.status, changes: received.slice(before) };
    },
    /** Records in the fake's books. */
    counts: () => ({ customers: fake.books(tenantId).contacts.all().length, invoices: fake.books(tenantId).invoices.all(false).length, payments: fake.books(tenantId).payments.all().length }),
    async close() {
      await receiver.close();
      await client.close();
      await oauth.close();
      await api.close();
    },
  };
}

async function startQuickBooks() {
  const fake = createQuickBooksFake();
  const api = await serveHandlers(fake.handlers);
  const { baseUrl, oauthEndpoints } = fake.endpoints(api.url);
  const tokens = createMemoryTokenStore();
  const oauth = createQuickBooksOAuth({ clientId: fake.clientId, clientSecret: fake.clientSecret, redirectUri: "https://lender.example/quickbooks/callback", tokens, endpoints: oauthEndpoints });
  const { url, state } = oauth.authorizationUrl();
  const consent = await fetch(url, { redirect: "manual" });
  const { realmId } = await oauth.connect({ url: consent.headers.get("location"), expectedState: state });
  const client = createQuickBooksClient({ realmId, tokens, oauth, environment: "sandbox", baseUrl, oauthEndpoints });
  const received = [];
  const receiver = await listen(createQuickBooksWebhookHandler({ verifierToken: fake.verifierToken, realmIds: [realmId], queue: { enqueue: async (change) => void received.push(change) } }), "/webhooks/quickbooks");
  return {
    name: "quickbooks",
    tenantId: realmId,
    ledger: createQuickBooksLedger(client, { depositAccountId: "35" }),
    async notify() {
      const before = received.length;
      const response = await fake.postWebhook(receiver.url);
      return { status: response.status, changes: received.slice(before) };
    },
    counts: () => ({ customers: fake.rows("Customer").length, invoices: fake.rows("Invoice").length, payments: fake.rows("Payment").length }),
    async close() {
      await receiver.close();
      await client.close();
      await api.close();
    },
  };
}

/** Start one ledger against its fake, connected, with its verified webhook receiver. */
export function startLedger(name) {
  if (name === "xero") return startXero();
  if (name === "quickbooks") return startQuickBooks();
  throw new TypeError(`unknown ledger "${name}" (expected ${LEDGERS.join(" or ")})`);
}

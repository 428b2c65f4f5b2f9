/** Shared fixtures: the fake on a loopback socket, a connected realm, a client with small policy numbers and a controllable clock. */
import { createMemoryTokenStore, type TokenStore } from "@connect/core";
import { FAST_TEST_POLICY, serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { createQuickBooksClient, createQuickBooksOAuth, type QuickBooksClient, type QuickBooksClientOptions } from "@connect/quickbooks";
import { createQuickBooksFake, type QuickBooksFake, type QuickBooksFakeOptions } from "@connect/quickbooks/testing";

/** Fast, deterministic policy (core's test policy): no jitter, 1–5 ms backoff, no limiter, no breaker. */
export const FAST_POLICY = FAST_TEST_POLICY;

export const REDIRECT_URI = "https://lender.test/quickbooks/callback";
export const START = Date.UTC(2026, 0, 5, 12, 0, 0);

export interface Harness {
  fake: QuickBooksFake;
  server: ServedHandlers;
  tokens: TokenStore;
  client: QuickBooksClient;
  clock: { now: number };
  /** Build another client on the same fake and store. */
  makeClient(overrides?: Partial<QuickBooksClientOptions>): QuickBooksClient;
  close(): Promise<void>;
}

/** Connect the fake's realm into `tokens` through the real authorization-code flow. */
export async function connectRealm(fake: QuickBooksFake, server: ServedHandlers, tokens: TokenStore, now: () => number): Promise<void> {
  const oauth = createQuickBooksOAuth({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    redirectUri: REDIRECT_URI,
    tokens,
    endpoints: fake.endpoints(server.url).oauthEndpoints,
    now,
  });
  await oauth.connect({ url: fake.authorize({ redirectUri: REDIRECT_URI, state: "st" }), expectedState: "st" });
  await oauth.close();
}

export async function setup(options: { fake?: QuickBooksFakeOptions; client?: Partial<QuickBooksClientOptions>; connect?: boolean } = {}): Promise<Harness> {
  const clock = { now: START };
  const now = (): number => clock.now;
  const fake = createQuickBooksFake({ now, ...options.fake });
  const server = await serveHandlers(fake.handlers);
  const tokens = createMemoryTokenStore();
  if (options.connect ?? true) await connectRealm(fake, server, tokens, now);
  server.requests.length = 0;
  fake.tokenRequests.length = 0;
  const { baseUrl, oauthEndpoints } = fake.endpoints(server.url);
  const clients: QuickBooksClient[] = [];
  const makeClient = (overrides: Partial<QuickBooksClientOptions> = {}): QuickBooksClient => {
    const client = createQuickBooksClient({
      realmId: fake.realmId,
      tokens,
      environment: "sandbox",
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      baseUrl,
      oauthEndpoints,
      policy: FAST_POLICY,
      rateLimitWaitMs: 5,
      now,
      ...options.client,
      ...overrides,
    });
    clients.push(client);
    return client;
  };
  const client = makeClient();
  return {
    fake,
    server,
    tokens,
    client,
    clock,
    makeClient,
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await server.close();
    },
  };
}

/** Requests to the accounting API (path without the query), in order. */
export function apiRequests(server: ServedHandlers): Array<{ method: string; path: string; query: URLSearchParams; body: unknown; authorization: string | undefined }> {
  return server.requests
    .filter((r) => r.url.includes("/v3/company/"))
    .map((r) => {
      const url = new URL(r.url, "http://x");
      return { method: r.method, path: url.pathname, query: url.searchParams, body: r.text ? (JSON.parse(r.text) as unknown) : undefined, authorization: r.headers.authorization };
    });
}

/** Requests to the token endpoint. */
export function tokenRequests(server: ServedHandlers) {
  return server.requests.filter((r) => r.url.startsWith("/oauth2/v1/tokens/bearer")).map((r) => Object.fromEntries(new URLSearchParams(r.text)));
}

/** The realm's key in the token store. */
export const tokenKey = (fake: QuickBooksFake): string => `quickbooks:${fake.realmId}`;

/** A valid customer body. */
export const customerBody = (name = "Ana Builder (Loan L-1001)") => ({ DisplayName: name, PrimaryEmailAddr: { Address: "ana@example.com" } });

/** A valid draw invoice body for `customerId`. */
export const invoiceBody = (customerId: string, overrides: Record<string, unknown> = {}) => ({
  CustomerRef: { value: customerId },
  DueDate: "2026-02-05",
  DocNumber: "D-1",
  Line: [{ DetailType: "SalesItemLineDetail" as const, Amount: 12500.5, Description: "Draw 1", SalesItemLineDetail: { ItemRef: { value: "2" }, Qty: 1, UnitPrice: 12500.5 } }],
  ...overrides,
});

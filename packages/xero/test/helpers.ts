/** Shared fixtures: the fake on a loopback socket, a connected grant, clients with fast policy numbers and a controllable clock. */
import { createMemoryTokenStore, type Logger, type TokenStore } from "@connect/core";
import { FAST_TEST_POLICY, serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { createXeroClient, createXeroOAuth, type XeroClient, type XeroClientOptions, type XeroGrant, type XeroOAuth, type XeroOAuthOptions } from "@connect/xero";
import { createXeroFake, type XeroFake, type XeroFakeOptions } from "@connect/xero/testing";

export const REDIRECT_URI = "https://lender.test/xero/callback";
export const START = Date.UTC(2026, 2, 2, 12, 0, 0);
export const GRANT = "user-1";

export interface Harness {
  fake: XeroFake;
  server: ServedHandlers;
  tokens: TokenStore;
  clock: { now: number };
  grant: XeroGrant;
  tenantId: string;
  client: XeroClient;
  makeOAuth(overrides?: Partial<XeroOAuthOptions>): XeroOAuth;
  makeClient(overrides?: Partial<XeroClientOptions>): XeroClient;
  close(): Promise<void>;
}

export async function setup(options: { fake?: XeroFakeOptions; client?: Partial<XeroClientOptions> } = {}): Promise<Harness> {
  const clock = { now: START };
  const now = (): number => clock.now;
  const fake = createXeroFake({ now, ...options.fake });
  const server = await serveHandlers(fake.handlers);
  const tokens = createMemoryTokenStore();
  const { baseUrl, oauthEndpoints } = fake.endpoints(server.url);
  const closers: Array<{ close(): Promise<void> }> = [];
  const makeOAuth = (overrides: Partial<XeroOAuthOptions> = {}): XeroOAuth => {
    const oauth = createXeroOAuth({ clientId: fake.clientId, clientSecret: fake.clientSecret, redirectUri: REDIRECT_URI, tokens, endpoints: oauthEndpoints, now, ...overrides });
    closers.push(oauth);
    return oauth;
  };
  const connector = makeOAuth();
  const grant = await connector.connect({ url: fake.authorize({ redirectUri: REDIRECT_URI, state: "st" }), expectedState: "st", grantId: GRANT });
  server.requests.length = 0;
  fake.tokenRequests.length = 0;
  fake.requests.length = 0;
  const tenantId = fake.tenants[0]!.tenantId;
  const makeClient = (overrides: Partial<XeroClientOptions> = {}): XeroClient => {
    const client = createXeroClient({
      tenantId,
      grantId: GRANT,
      tokens,
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      baseUrl,
      oauthEndpoints,
      policy: FAST_TEST_POLICY,
      limits: false,
      now,
      ...options.client,
      ...overrides,
    });
    closers.push(client);
    return client;
  };
  const client = makeClient();
  return {
    fake,
    server,
    tokens,
    clock,
    grant,
    tenantId,
    client,
    makeOAuth,
    makeClient,
    async close() {
      const all = closers.splice(0);
      if (all.length === 0) return;
      await Promise.all(all.map((c) => c.close()));
      await server.close();
    },
  };
}

/** Accounting API requests as the socket saw them. */
export function apiRequests(server: ServedHandlers) {
  return server.requests
    .filter((r) => r.url.startsWith("/api.xro/2.0/"))
    .map((r) => {
      const url = new URL(r.url, "http://x");
      return { method: r.method, path: url.pathname, query: url.searchParams, headers: r.headers, body: r.text ? (JSON.parse(r.text) as unknown) : undefined };
    });
}

/** A logger that keeps every line as text. */
export function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (obj: Record<string, unknown>, msg?: string): void => {
    lines.push(`${msg ?? ""} ${JSON.stringify(obj)}`);
  };
  return { lines, debug: push, info: push, warn: push, error: push };
}

export const contactBody = (name = "Ana Builder", ref = "L-1001") => ({ Name: name, ContactNumber: ref, EmailAddress: "ana@example.com" });

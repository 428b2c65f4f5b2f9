import { AuthError, createMemoryDeadLetterSink, createMemoryTokenStore, type StoredToken, type TokenStore } from "@connect/core";
import { createQuickBooksOAuth, QUICKBOOKS_SCOPES, type ReconnectNotice } from "@connect/quickbooks";
import { FAKE_TOKEN_LIFETIMES } from "@connect/quickbooks/testing";
import { afterEach, describe, expect, it } from "vitest";
import { apiRequests, customerBody, REDIRECT_URI, setup, START, tokenKey, tokenRequests, type Harness } from "./helpers.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

function oauthFor(harness: Harness, extra: Partial<Parameters<typeof createQuickBooksOAuth>[0]> = {}) {
  return createQuickBooksOAuth({
    clientId: harness.fake.clientId,
    clientSecret: harness.fake.clientSecret,
    redirectUri: REDIRECT_URI,
    tokens: harness.tokens,
    endpoints: harness.fake.endpoints(harness.server.url).oauthEndpoints,
    now: () => harness.clock.now,
    ...extra,
  });
}

describe("authorization URL and connect", () => {
  it("builds the Intuit authorization URL with client id, scopes, redirect URI and a fresh random state", async () => {
    h = await setup({ connect: false });
    const oauth = oauthFor(h, { scopes: [QUICKBOOKS_SCOPES.accounting, QUICKBOOKS_SCOPES.openid] });
    const first = oauth.authorizationUrl();
    const second = oauth.authorizationUrl();
    const url = new URL(first.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${h.server.url}/connect/oauth2`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: h.fake.clientId,
      response_type: "code",
      scope: "com.intuit.quickbooks.accounting openid",
      redirect_uri: REDIRECT_URI,
      state: first.state,
    });
    expect(first.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.state).not.toBe(first.state);
    await oauth.close();
  });

  it("follows the consent redirect, checks state, exchanges the code and stores the tokens (with the hard expiry) under the realm", async () => {
    h = await setup({ connect: false });
    const oauth = oauthFor(h, { scopes: [QUICKBOOKS_SCOPES.accounting, QUICKBOOKS_SCOPES.openid] });
    const { url, state } = oauth.authorizationUrl();
    const consent = await fetch(url, { redirect: "manual" });
    expect(consent.status).toBe(302);
    const callback = consent.headers.get("location")!;
    expect(new URL(callback).searchParams.get("realmId")).toBe(h.fake.realmId);

    const connection = await oauth.connect({ url: callback, expectedState: state });
    const stored = (await h.tokens.get(tokenKey(h.fake)))!;
    expect(connection).toEqual({
      realmId: h.fake.realmId,
      accessTokenExpiresAt: START + 3600_000,
      refreshTokenExpiresAt: START + FAKE_TOKEN_LIFETIMES.refreshToken * 1000,
      refreshTokenHardExpiresAt: START + FAKE_TOKEN_LIFETIMES.refreshTokenHard * 1000,
      idToken: expect.stringMatching(/^eyJ/),
    });
    expect(stored.refreshToken).toBe(h.fake.liveRefreshTokens()[0]);
    expect(stored.extra).toEqual({ realmId: h.fake.realmId, tokenType: "bearer", refreshTokenHardExpiresAt: String(START + FAKE_TOKEN_LIFETIMES.refreshTokenHard * 1000) });
    expect(h.fake.tokenRequests).toEqual([{ grantType: "authorization_code", includeHardExpiry: true, status: 200 }]);
    const sent = h.server.requests.find((r) => r.url.startsWith("/oauth2"))!;
    expect(sent.headers.authorization).toBe(`Basic ${Buffer.from(`${h.fake.clientId}:${h.fake.clientSecret}`).toString("base64")}`);
    expect(sent.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(sent.text))).toEqual({ grant_type: "authorization_code", code: new URL(callback).searchParams.get("code"), redirect_uri: REDIRECT_URI });
    await oauth.close();
  });

  it("refuses a callback whose state does not match (CSRF) without calling Intuit or storing anything", async () => {
    h = await setup({ connect: false });
    const oauth = oauthFor(h);
    const callback = h.fake.authorize({ redirectUri: REDIRECT_URI, state: "attacker-state" });
    const error = await oauth.connect({ url: callback, expectedState: "the-state-we-issued" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).vendorCode).toBe("state_mismatch");
    expect(h.server.requests).toHaveLength(0);
    expect(await h.tokens.get(tokenKey(h.fake))).toBeUndefined();
    await oauth.close();
  });

  it("reports a declined consent as AuthError access_denied", async () => {
    h = await setup({ connect: false });
    const oauth = oauthFor(h);
    h.fake.denyNextAuthorization();
    const error = await oauth.connect({ url: h.fake.authorize({ redirectUri: REDIRECT_URI, state: "s" }), expectedState: "s" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).vendorCode).toBe("access_denied");
    expect(h.server.requests).toHaveLength(0);
    await oauth.close();
  });

  it("a reused code is invalid_grant, not retried (a code is single-use)", async () => {
    h = await setup({ connect: false });
    const oauth = oauthFor(h);
    const callback = h.fake.authorize({ redirectUri: REDIRECT_URI, state: "s" });
    await oauth.connect({ url: callback, expectedState: "s" });
    const error = await oauth.connect({ url: callback, expectedState: "s" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).vendorCode).toBe("invalid_grant");
    expect((error as AuthError).message).toMatch(/authorization code is invalid, expired or already used/);
    expect(h.fake.tokenRequests.map((r) => r.status)).toEqual([200, 400]);
    await oauth.close();
  });

  it("a wrong client secret is AuthError invalid_client", async () => {
    h = await setup({ connect: false });
    const oauth = oauthFor(h, { clientSecret: "wrong-secret-123456" });
    const error = await oauth.connect({ url: h.fake.authorize({ redirectUri: REDIRECT_URI, state: "s" }), expectedState: "s" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).vendorCode).toBe("invalid_client");
    await oauth.close();
  });
});

describe("refresh", () => {
  it("a 401 refreshes once, retries the call with the new token, and persists the rotated refresh token", async () => {
    h = await setup();
    const created = await h.client.customers.create(customerBody());
    const before = (await h.tokens.get(tokenKey(h.fake)))!;
    h.fake.expireAccessTokens();
    h.server.requests.length = 0;

    const read = await h.client.customers.get({ id: created.Id });
    const after = (await h.tokens.get(tokenKey(h.fake)))!;
    expect(read.DisplayName).toBe("Ana Builder (Loan L-1001)");
    const calls = apiRequests(h.server);
    expect(calls.map((c) => c.authorization)).toEqual([`Bearer ${before.accessToken}`, `Bearer ${after.accessToken}`]);
    expect(tokenRequests(h.server)).toEqual([{ grant_type: "refresh_token", refresh_token: before.refreshToken }]);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(h.fake.liveRefreshTokens()).toEqual([after.refreshToken]);
    expect(h.client.oauth.refreshes).toBe(1);
  });

  it("refreshes ahead of expiry (inside the skew) without a 401", async () => {
    h = await setup();
    const before = (await h.tokens.get(tokenKey(h.fake)))!;
    h.clock.now = before.expiresAt - 60_000;
    await h.client.companyInfo.get();
    const after = (await h.tokens.get(tokenKey(h.fake)))!;
    expect(tokenRequests(h.server)).toHaveLength(1);
    expect(apiRequests(h.server).map((c) => c.authorization)).toEqual([`Bearer ${after.accessToken}`]);
    expect(after.expiresAt).toBe(h.clock.now + 3600_000);
  });

  it("stores the refreshed pair before the new access token is used", async () => {
    h = await setup();
    const timeline: string[] = [];
    const inner = h.tokens;
    const recording: TokenStore = {
      get: (key) => inner.get(key),
      delete: (key) => inner.delete(key),
      withLock: (key, fn, opts) => inner.withLock(key, fn, opts),
      async set(key, token) {
        timeline.push(`set ${token.accessToken}`);
        await inner.set(key, token);
      },
    };
    const client = h.makeClient({ tokens: recording });
    h.fake.expireAccessTokens();
    h.server.requests.length = 0;
    await client.companyInfo.get();
    const stored = (await inner.get(tokenKey(h.fake)))!;
    const used = apiRequests(h.server).at(-1)!.authorization;
    expect(used).toBe(`Bearer ${stored.accessToken}`);
    expect(timeline).toEqual([`set ${stored.accessToken}`]);
    // The set happened while the request carrying that token had not been sent yet: the store saw it first.
    expect(h.server.requests.filter((r) => r.headers.authorization === `Bearer ${stored.accessToken}`)).toHaveLength(1);
  });

  it("when persisting the refreshed pair fails, the new access token is never used", async () => {
    h = await setup();
    const inner = h.tokens;
    const failing: TokenStore = { ...inner, get: (k) => inner.get(k), delete: (k) => inner.delete(k), withLock: (k, fn, o) => inner.withLock(k, fn, o), set: async () => Promise.reject(new Error("store down")) };
    const client = h.makeClient({ tokens: failing });
    const before = (await inner.get(tokenKey(h.fake)))!;
    h.fake.expireAccessTokens();
    h.server.requests.length = 0;
    const error = await client.companyInfo.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(tokenRequests(h.server)).toHaveLength(1);
    expect(apiRequests(h.server).map((c) => c.authorization)).toEqual([`Bearer ${before.accessToken}`]);
  });

  it("20 concurrent calls with an expired token share one refresh", async () => {
    h = await setup();
    h.fake.expireAccessTokens();
    h.server.requests.length = 0;
    const results = await Promise.all(Array.from({ length: 20 }, () => h.client.companyInfo.get()));
    expect(results.every((r) => r.CompanyName === "Acme Construction Lending")).toBe(true);
    expect(tokenRequests(h.server)).toHaveLength(1);
  });

  it("two clients (two workers) on one TokenStore refresh once: the second re-reads the store under the lock", async () => {
    h = await setup();
    const other = h.makeClient();
    h.fake.expireAccessTokens();
    h.server.requests.length = 0;
    await Promise.all([h.client.companyInfo.get(), other.companyInfo.get(), h.client.companyInfo.get(), other.companyInfo.get()]);
    expect(tokenRequests(h.server)).toHaveLength(1);
    expect(h.client.oauth.refreshes + other.oauth.refreshes).toBe(1);
  });

  it("a fresh token is served from memory: ten calls read the TokenStore once (a Redis store would pay a round trip per call)", async () => {
    h = await setup();
    let reads = 0;
    const counting: TokenStore = { ...h.tokens, get: (key) => ((reads += 1), h.tokens.get(key)) };
    const client = h.makeClient({ tokens: counting });
    for (let i = 0; i < 10; i += 1) await client.companyInfo.get();
    expect(reads).toBe(1);
    expect(apiRequests(h.server)).toHaveLength(10);
    expect(tokenRequests(h.server)).toHaveLength(0);
  });

  it("a revoked grant is an AuthError telling the host to reconnect; nothing is retried", async () => {
    h = await setup();
    h.fake.revokeGrant();
    const error = await h.client.companyInfo.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).vendorCode).toBe("invalid_grant");
    expect((error as AuthError).message).toMatch(/reconnect: send the user through the authorization URL again/);
    expect((error as AuthError).retryable).toBe(false);
    expect(apiRequests(h.server)).toHaveLength(1);
    expect(tokenRequests(h.server)).toHaveLength(1);
  });

  it("an expired refresh token is the same reconnect AuthError", async () => {
    h = await setup();
    h.fake.expireAccessTokens();
    h.fake.expireRefreshTokens();
    const error = await h.client.companyInfo.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).vendorCode).toBe("invalid_grant");
  });

  it("a realm that was never connected fails with AuthError before any request", async () => {
    h = await setup({ connect: false });
    const error = await h.client.customers.get({ id: "1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).vendorCode).toBe("not_connected");
    expect(h.server.requests).toHaveLength(0);
  });

  it("warns once ahead of the refresh token's hard expiry and reports it in tokenStatus", async () => {
    const notices: ReconnectNotice[] = [];
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (_o: Record<string, unknown>, msg?: string) => void warnings.push(msg ?? ""), error() {} };
    h = await setup({ client: { onReconnectDue: (n) => notices.push(n), telemetry: { logger } } });
    const hard = START + FAKE_TOKEN_LIFETIMES.refreshTokenHard * 1000;
    // Keep the grant alive as a busy host would (a refresh at least every 90 days) until 10 days before the hard limit.
    let refreshes = 0;
    while (h.clock.now < hard - 10 * 86_400_000) {
      h.clock.now = Math.min(h.clock.now + 90 * 86_400_000, hard - 10 * 86_400_000);
      await h.client.companyInfo.get();
      refreshes += 1;
    }
    h.fake.expireAccessTokens();
    await h.client.companyInfo.get();
    expect(h.client.oauth.refreshes).toBe(refreshes + 1);
    // Raised at the first refresh inside the 30-day window (25 days before, with 90-day hops), and only then.
    expect(notices).toEqual([{ realmId: h.fake.realmId, reason: "hard_expiry", expiresAt: hard, remainingMs: 25 * 86_400_000 }]);
    expect(warnings.filter((w) => w.includes("hard maximum lifetime"))).toHaveLength(1);
    const status = (await h.client.tokenStatus())!;
    expect(status.reconnectBy).toBe(hard);
    expect(status.reconnectDue).toBe(true);
  });

  it("past the hard expiry, no refresh is attempted: reconnect", async () => {
    h = await setup();
    h.clock.now = START + FAKE_TOKEN_LIFETIMES.refreshTokenHard * 1000 + 1;
    const error = await h.client.companyInfo.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toMatch(/hard maximum lifetime/);
    expect(h.server.requests).toHaveLength(0);
  });
});

describe("revoke", () => {
  it("revokes the refresh token with a JSON body and Basic auth, then forgets the tokens", async () => {
    h = await setup();
    const stored = (await h.tokens.get(tokenKey(h.fake)))!;
    await h.client.oauth.revoke(h.fake.realmId);
    const sent = h.server.requests.find((r) => r.url === "/v2/oauth2/tokens/revoke")!;
    expect(JSON.parse(sent.text)).toEqual({ token: stored.refreshToken });
    expect(sent.headers["content-type"]).toBe("application/json");
    expect(sent.headers.authorization).toMatch(/^Basic /);
    expect(await h.tokens.get(tokenKey(h.fake))).toBeUndefined();
    expect(h.fake.liveRefreshTokens()).toEqual([]);
    h.server.requests.length = 0;
    const error = await h.client.companyInfo.get().catch((e: unknown) => e);
    expect((error as AuthError).vendorCode).toBe("not_connected");
    expect(h.server.requests).toHaveLength(0);
  });
});

describe("secrets", () => {
  it("client secret, access and refresh tokens never reach errors, logs or dead letters", async () => {
    const lines: unknown[] = [];
    const log = (obj: Record<string, unknown>, msg?: string) => void lines.push({ obj, msg });
    const deadLetters = createMemoryDeadLetterSink();
    h = await setup({ client: { telemetry: { logger: { debug: log, info: log, warn: log, error: log } }, deadLetters } });
    const stored = (await h.tokens.get(tokenKey(h.fake)))! as StoredToken;
    // A 503 whose body echoes the access token, on every attempt.
    h.fake.failNext({ status: 503, times: 5, body: { Fault: { Error: [{ Message: `echo ${stored.accessToken} ${h.fake.clientSecret}`, code: "10000" }], type: "SystemFault" } } });
    const error = await h.client.customers.create(customerBody()).catch((e: unknown) => e);
    const letters = await deadLetters.list();
    expect(letters).toHaveLength(1);
    expect(lines.length).toBeGreaterThan(0);
    for (const text of [JSON.stringify((error as AuthError).toJSON()), (error as Error).message, JSON.stringify(lines), JSON.stringify(letters)]) {
      expect(text).not.toContain(stored.accessToken);
      expect(text).not.toContain(stored.refreshToken);
      expect(text).not.toContain(h.fake.clientSecret);
    }
    expect(JSON.stringify((error as AuthError).toJSON())).toContain("[REDACTED]");
  });

  it("a store that is not the memory one works the same (interface only)", async () => {
    h = await setup({ connect: false });
    const store = createMemoryTokenStore();
    const oauth = oauthFor(h, { tokens: store });
    await oauth.connect({ url: h.fake.authorize({ redirectUri: REDIRECT_URI, state: "s" }), expectedState: "s" });
    expect((await store.get(tokenKey(h.fake)))?.extra?.realmId).toBe(h.fake.realmId);
    expect(await h.tokens.get(tokenKey(h.fake))).toBeUndefined();
    await oauth.close();
  });
});

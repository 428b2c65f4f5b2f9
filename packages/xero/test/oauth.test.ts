import { AuthError, type StoredToken } from "@connect/core";
import { afterEach, describe, expect, it } from "vitest";
import { captureLogger, contactBody, GRANT, REDIRECT_URI, setup, START, type Harness } from "./helpers.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const stored = async (): Promise<StoredToken> => (await h.tokens.get(`xero:${GRANT}`))!;

describe("authorization and connect", () => {
  it("builds the authorization URL with client id, redirect URI, scopes and a random state", async () => {
    h = await setup();
    const oauth = h.makeOAuth({ scopes: ["offline_access", "accounting.contacts"] });
    const { url, state } = oauth.authorizationUrl();
    const parsed = new URL(url);
    expect(`${parsed.origin}${parsed.pathname}`).toBe(`${h.server.url}/identity/connect/authorize`);
    expect(Object.fromEntries(parsed.searchParams)).toEqual({ response_type: "code", client_id: h.fake.clientId, redirect_uri: REDIRECT_URI, scope: "offline_access accounting.contacts", state });
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("exchanges the code, stores the tokens under the grant and lists the grant's tenants", async () => {
    h = await setup();
    expect(h.grant.grantId).toBe(GRANT);
    expect(h.grant.tenants.map((t) => t.tenantId)).toEqual(h.fake.tenants.map((t) => t.tenantId));
    expect(h.grant.newTenants).toHaveLength(2);
    expect(h.grant.authEventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.grant.accessTokenExpiresAt).toBe(START + 1800_000);
    const token = await stored();
    expect(token.refreshToken).toMatch(/^[0-9a-f]{64}$/);
    expect(token.extra).toMatchObject({ grantId: GRANT });
  });

  it("refuses a callback whose state does not match, before any token request", async () => {
    h = await setup();
    const oauth = h.makeOAuth();
    const callback = h.fake.authorize({ redirectUri: REDIRECT_URI, state: "issued" });
    const error = await oauth.connect({ url: callback, expectedState: "other", grantId: "g2" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).vendorCode).toBe("state_mismatch");
    expect(h.fake.tokenRequests).toEqual([]);
    expect(await h.tokens.get("xero:g2")).toBeUndefined();
  });

  it("reports a denied consent as AuthError access_denied", async () => {
    h = await setup();
    h.fake.denyNextAuthorization();
    const error = await h.makeOAuth().connect({ url: h.fake.authorize({ redirectUri: REDIRECT_URI, state: "s" }), expectedState: "s", grantId: "g3" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).vendorCode).toBe("access_denied");
  });
});

describe("rotating refresh tokens shared through one TokenStore", () => {
  it("two clients with their own OAuth helpers refresh once; both then use the new token, and the old refresh token dies after the grace period", async () => {
    h = await setup();
    const before = await stored();
    const a = h.client;
    const b = h.makeClient();
    h.clock.now += 31 * 60_000; // past the 30-minute access token
    const [pa, pb] = await Promise.all([a.contacts.list({ page: 1 }), b.contacts.list({ page: 1 })]);
    expect(pa.items).toEqual([]);
    expect(pb.items).toEqual([]);
    expect(h.fake.tokenRequests).toEqual([{ grantType: "refresh_token", status: 200 }]);
    const after = await stored();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.accessToken).not.toBe(before.accessToken);
    const auths = h.server.requests.filter((r) => r.url.startsWith("/api.xro/2.0/")).map((r) => r.headers.authorization);
    expect(auths).toEqual([`Bearer ${after.accessToken}`, `Bearer ${after.accessToken}`]);
    // The previous refresh token still works inside Xero's 30-minute grace, then not.
    expect(h.fake.usableRefreshTokens()).toContain(before.refreshToken);
    h.clock.now += 31 * 60_000;
    expect(h.fake.usableRefreshTokens()).not.toContain(before.refreshToken);
    expect(h.fake.usableRefreshTokens()).toContain(after.refreshToken);
  });

  it("a 401 for a token Xero dropped refreshes once and re-sends", async () => {
    h = await setup();
    h.fake.expireAccessTokens();
    const page = await h.client.contacts.list({ page: 1 });
    expect(page.items).toEqual([]);
    expect(h.fake.tokenRequests).toEqual([{ grantType: "refresh_token", status: 200 }]);
    expect(h.fake.requests.map((r) => r.status)).toEqual([401, 200]);
  });

  it("invalid_grant is an AuthError asking for re-consent; it is not retried and later calls fail without another token request", async () => {
    h = await setup();
    h.fake.expireRefreshTokens();
    h.clock.now += 31 * 60_000;
    const error = await h.client.contacts.list({ page: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).vendorCode).toBe("invalid_grant");
    expect((error as AuthError).retryable).toBe(false);
    expect((error as AuthError).message).toMatch(/re-consent/);
    expect(h.fake.tokenRequests).toEqual([{ grantType: "refresh_token", status: 400 }]);
    const again = await h.client.contacts.list({ page: 1 }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(AuthError);
    expect((again as AuthError).vendorCode).toBe("invalid_grant");
    expect(h.fake.tokenRequests).toHaveLength(1);
    expect(h.fake.requests).toEqual([]);
  });

  it("a fresh consent under the same grant id replaces a refused grant", async () => {
    h = await setup();
    h.fake.expireRefreshTokens();
    h.clock.now += 31 * 60_000;
    await expect(h.client.contacts.list({ page: 1 })).rejects.toBeInstanceOf(AuthError);
    await h.makeOAuth().connect({ url: h.fake.authorize({ redirectUri: REDIRECT_URI, state: "s" }), expectedState: "s", grantId: GRANT });
    await expect(h.client.contacts.list({ page: 1 })).resolves.toMatchObject({ items: [] });
  });
});

describe("grants without tokens", () => {
  it("a grant with nothing stored is AuthError not_connected, before any request", async () => {
    h = await setup();
    const stranger = h.makeClient({ grantId: "nobody" });
    const error = await stranger.contacts.list({ page: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ vendorCode: "not_connected", retryable: false, message: expect.stringContaining("re-consent") });
    expect(h.server.requests).toEqual([]);
  });

  it("a consent covering one tenant lists only that tenant as new", async () => {
    h = await setup();
    const only = h.fake.tenants[1]!.tenantId;
    const grant = await h.makeOAuth().connect({ url: h.fake.authorize({ redirectUri: REDIRECT_URI, state: "s", tenantIds: [only] }), expectedState: "s", grantId: "user-2" });
    expect(grant.newTenants.map((t) => t.tenantId)).toEqual([only]);
    expect(grant.tenants.map((t) => t.tenantId)).toEqual([only]);
  });
});

describe("connections and revocation", () => {
  it("lists the grant's tenants and disconnects one", async () => {
    h = await setup();
    const list = await h.client.connections.list();
    expect(list.map((c) => c.tenantId)).toEqual(h.fake.tenants.map((t) => t.tenantId));
    expect(list[0]).toMatchObject({ tenantType: "ORGANISATION", tenantName: h.fake.tenants[0]!.tenantName });
    await h.client.connections.disconnect(list[1]!.id);
    expect((await h.client.connections.list()).map((c) => c.tenantId)).toEqual([h.fake.tenants[0]!.tenantId]);
  });

  it("revoke drops the grant at Xero and forgets the tokens", async () => {
    h = await setup();
    await h.client.oauth.revoke(GRANT);
    expect(await h.tokens.get(`xero:${GRANT}`)).toBeUndefined();
    expect(h.fake.usableRefreshTokens()).toEqual([]);
    await expect(h.client.contacts.list({ page: 1 })).rejects.toBeInstanceOf(AuthError);
  });
});

describe("secrets", () => {
  it("the client secret and tokens appear in no error, log line or dead letter", async () => {
    const logger = captureLogger();
    h = await setup({ client: { telemetry: { logger } } });
    const tokens = await stored();
    await h.client.contacts.create(contactBody());
    h.fake.failNext({ status: 400, body: { ErrorNumber: 10, Type: "ValidationException", Message: "x", Elements: [{ ValidationErrors: [{ Message: `echo ${h.fake.clientSecret} ${tokens.accessToken}` }] }] } });
    const echoed = (await h.client.contacts.create(contactBody("Other", "L-2")).catch((e: unknown) => e)) as AuthError;
    expect(echoed.name).toBe("ValidationError");
    h.fake.expireRefreshTokens();
    h.clock.now += 31 * 60_000;
    const error = (await h.client.contacts.list({ page: 1 }).catch((e: unknown) => e)) as AuthError;
    expect(error.vendorCode).toBe("invalid_grant");
    const text = [error.message, JSON.stringify(error.toJSON()), echoed.message, JSON.stringify(echoed.toJSON()), ...logger.lines].join("\n");
    expect(echoed.message).toContain("echo");
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const secret of [h.fake.clientSecret, tokens.accessToken, tokens.refreshToken!, Buffer.from(`${h.fake.clientId}:${h.fake.clientSecret}`).toString("base64")]) {
      expect(text).not.toContain(secret);
    }
  });
});

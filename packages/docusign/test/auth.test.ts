import { createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { AuthError, createMemoryTokenStore, ServerError, ValidationError } from "@connect/core";
import { ConsentRequiredError, createDocuSignClient, createJwtAssertion, consentUrl } from "@connect/docusign";
import { afterEach, describe, expect, it } from "vitest";
import { FAST_POLICY, rejection, requestsTo, setup, type Harness } from "./helpers.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const T0 = Date.UTC(2026, 0, 15, 10, 0, 0);

/** A clock shared by the fake and the client, moved by the test. */
function clock(start = T0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function decode(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, "base64url").toString("utf8")) as Record<string, unknown>;
}

describe("JWT assertion", () => {
  it("is RS256 with iss, sub, aud = bare OAuth host, iat, exp = iat + 3600 and the scopes, signed with the private key", async () => {
    h = await setup();
    await h!.client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    const [tokenRequest] = requestsTo(h!.server, "/oauth/token");
    const form = new URLSearchParams(tokenRequest!.text);
    expect(tokenRequest!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(form.get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
    const [header, payload, signature] = form.get("assertion")!.split(".") as [string, string, string];
    expect(decode(header)).toEqual({ alg: "RS256", typ: "JWT" });
    const claims = decode(payload);
    expect(claims).toEqual({ iss: h!.fake.integrationKey, sub: h!.fake.userId, aud: "account-d.docusign.com", iat: expect.any(Number), exp: (claims.iat as number) + 3600, scope: "signature impersonation" });
    expect(verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), createPublicKey(h!.fake.publicKeyPem), Buffer.from(signature, "base64url"))).toBe(true);
  });

  it("createJwtAssertion uses the given clock and scopes", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwt = createJwtAssertion({ integrationKey: "ik", userId: "user", oauthHost: "account.docusign.com", privateKey, scopes: ["signature", "impersonation", "extended"], nowMs: T0 + 999 });
    expect(decode(jwt.split(".")[1]!)).toEqual({ iss: "ik", sub: "user", aud: "account.docusign.com", iat: T0 / 1000, exp: T0 / 1000 + 3600, scope: "signature impersonation extended" });
  });
});

describe("token cache", () => {
  it("reuses one token for many calls", async () => {
    h = await setup();
    for (let i = 0; i < 5; i++) await h!.client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    expect(h!.fake.tokenRequests).toBe(1);
    expect(h!.client.tokenMints).toBe(1);
    const tokens = new Set(requestsTo(h!.server, "/envelopes").map((r) => r.headers.authorization));
    expect(tokens.size).toBe(1);
  });

  it("mints a new token once the cached one is within the refresh skew of expiry, not before", async () => {
    const c = clock();
    h = await setup({ fake: { now: c.now }, client: { now: c.now, refreshSkewMs: 300_000 } });
    await h!.client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    c.advance(3600_000 - 300_000 - 1_000); // 1 s before the skew window
    await h!.client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    expect(h!.fake.tokenRequests).toBe(1);
    c.advance(2_000); // inside the window: the token still works at the fake, but is renewed
    await h!.client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    expect(h!.fake.tokenRequests).toBe(2);
    const [first, second, third] = requestsTo(h!.server, "/envelopes").map((r) => r.headers.authorization);
    expect(second).toBe(first);
    expect(third).not.toBe(first);
    expect(requestsTo(h!.server, "/envelopes")).toHaveLength(3);
  });

  it("20 concurrent calls on a cold client share one token request", async () => {
    h = await setup();
    const results = await Promise.all(Array.from({ length: 20 }, () => h!.client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" })));
    expect(results).toHaveLength(20);
    expect(h!.fake.tokenRequests).toBe(1);
    expect(requestsTo(h!.server, "/envelopes")).toHaveLength(20);
  });

  it("20 concurrent calls that all get 401 (revoked token) share one refresh and all succeed", async () => {
    h = await setup();
    await h!.client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    h!.fake.revokeTokens();
    const results = await Promise.all(Array.from({ length: 20 }, () => h!.client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" })));
    expect(results.every((r) => r.totalSetSize === 0)).toBe(true);
    expect(h!.fake.tokenRequests).toBe(2);
  });
});

describe("401 handling", () => {
  it("401 → one refresh → success, in one attempt", async () => {
    h = await setup();
    await h!.client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    h!.fake.revokeTokens();
    const page = await h!.client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    expect(page.totalSetSize).toBe(0);
    expect(h!.fake.tokenRequests).toBe(2);
    const calls = requestsTo(h!.server, "/envelopes");
    expect(calls).toHaveLength(3);
    expect(calls[1]!.headers.authorization).toBe(calls[0]!.headers.authorization);
    expect(calls[2]!.headers.authorization).not.toBe(calls[1]!.headers.authorization);
  });

  it("401 twice → AuthError after exactly one refresh, not retried", async () => {
    h = await setup();
    h!.fake.failNext({ status: 401, errorCode: "AUTHORIZATION_INVALID_TOKEN", message: "The access token provided is expired, revoked or malformed.", path: "/envelopes", times: 5 });
    const error = (await rejection(h!.client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" }))) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.status).toBe(401);
    expect(error.vendorCode).toBe("AUTHORIZATION_INVALID_TOKEN");
    expect(error.operation).toBe("envelopes.listStatusChanges");
    expect(error.attempts).toBe(1);
    expect(h!.fake.tokenRequests).toBe(2);
    expect(requestsTo(h!.server, "/envelopes")).toHaveLength(2);
  });
});

describe("grant errors", () => {
  it("consent_required is a ConsentRequiredError carrying the consent URL; nothing is retried and no REST call is made", async () => {
    h = await setup({ fake: { consentGranted: false } });
    const client = h!.newClient({ auth: { ...h!.fake.clientOptions(h!.server.url).auth, consentRedirectUri: "https://app.acme.test/docusign/consent" } });
    const error = (await rejection(client.envelopes.get({ envelopeId: "b3a1c2d4-0000-4000-8000-000000000001" }))) as ConsentRequiredError;
    const expectedUrl = `https://account-d.docusign.com/oauth/auth?response_type=code&scope=signature%20impersonation&client_id=${h!.fake.integrationKey}&redirect_uri=https%3A%2F%2Fapp.acme.test%2Fdocusign%2Fconsent`;
    expect(error).toBeInstanceOf(ConsentRequiredError);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.consentUrl).toBe(expectedUrl);
    expect(error.message).toContain(expectedUrl);
    expect(error.vendorCode).toBe("consent_required");
    expect(error.retryable).toBe(false);
    expect(h!.fake.tokenRequests).toBe(1);
    expect(h!.server.requests.filter((r) => r.url.includes("/restapi/"))).toHaveLength(0);
  });

  it("consentUrl() builds the one-time consent link", () => {
    expect(consentUrl({ oauthHost: "account.docusign.com", integrationKey: "abc" })).toBe("https://account.docusign.com/oauth/auth?response_type=code&scope=signature%20impersonation&client_id=abc");
  });

  it("an assertion for the wrong environment (aud) is an AuthError that says to check the environment", async () => {
    h = await setup();
    const client = h!.newClient({ oauthHost: "account.docusign.com" });
    const error = (await rejection(client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" }))) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.vendorMessage).toBe("issuer_not_found");
    expect(error.message).toContain("is the environment (demo / production) right?");
  });

  it("a key that does not match is an AuthError naming no_valid_keys_or_signatures", async () => {
    h = await setup();
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const client = h!.newClient({ auth: { ...h!.fake.clientOptions(h!.server.url).auth, privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString() } });
    const error = (await rejection(client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" }))) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.vendorCode).toBe("invalid_grant");
    expect(error.vendorMessage).toBe("no_valid_keys_or_signatures");
    expect(h!.fake.tokenRequests).toBe(1);
  });

  it("a token endpoint 503 is retried by the OAuth call, and the REST call does not retry it again", async () => {
    h = await setup();
    h!.fake.failNext({ status: 503, path: "/oauth/token", times: 10 });
    const error = (await rejection(h!.client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" }))) as ServerError;
    expect(error).toBeInstanceOf(ServerError);
    expect(error.operation).toBe("oauth.token");
    expect(h!.fake.tokenRequests).toBe(0);
    expect(requestsTo(h!.server, "/oauth/token")).toHaveLength(3);
    expect(h!.server.requests.filter((r) => r.url.includes("/restapi/"))).toHaveLength(0);
  });

  it("a token endpoint 503 once is absorbed by the OAuth retry", async () => {
    h = await setup();
    h!.fake.failNext({ status: 503, path: "/oauth/token" });
    await h!.client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    expect(requestsTo(h!.server, "/oauth/token")).toHaveLength(2);
    expect(h!.fake.tokensIssued).toBe(1);
  });
});

describe("configuration is checked before any I/O", () => {
  it("a private key that is not PEM is a ValidationError at construction and never echoes the key", async () => {
    h = await setup();
    let caught: unknown;
    try {
      createDocuSignClient({ ...h!.fake.clientOptions(h!.server.url), auth: { ...h!.fake.clientOptions(h!.server.url).auth, privateKey: "not-a-key-SECRETVALUE" } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).issues).toEqual([{ path: "auth.privateKey", message: "is a string that is not a PEM private key (-----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)" }]);
    expect(JSON.stringify((caught as ValidationError).toJSON())).not.toContain("SECRETVALUE");
    expect(h!.server.requests).toHaveLength(0);
  });

  it("an integration key or user id that is not a GUID is refused with every issue", async () => {
    h = await setup();
    let caught: unknown;
    try {
      createDocuSignClient({ ...h!.fake.clientOptions(h!.server.url), auth: { integrationKey: "my-app", userId: "ann@example.com", privateKey: h!.fake.privateKeyPem } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).issues.map((i) => i.path)).toEqual(["auth.integrationKey", "auth.userId"]);
    expect(h!.server.requests).toHaveLength(0);
  });

  it("a private key read from a function is read at each mint (rotation)", async () => {
    h = await setup();
    let reads = 0;
    const client = h!.newClient({ auth: { ...h!.fake.clientOptions(h!.server.url).auth, privateKey: async () => (reads++, h!.fake.privateKeyPem) } });
    await client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    h!.fake.revokeTokens();
    await client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    expect(reads).toBe(2);
  });

  it("a literal \\n in an env-style key is accepted", async () => {
    h = await setup();
    const client = h!.newClient({ auth: { ...h!.fake.clientOptions(h!.server.url).auth, privateKey: h!.fake.privateKeyPem.replace(/\n/g, "\\n") } });
    const page = await client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    expect(page.totalSetSize).toBe(0);
  });
});

describe("shared token store", () => {
  it("two clients (workers) with one TokenStore mint once", async () => {
    h = await setup();
    const tokenStore = createMemoryTokenStore();
    const a = h!.newClient({ tokenStore });
    const b = h!.newClient({ tokenStore });
    await Promise.all([a.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" }), b.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" })]);
    expect(h!.fake.tokenRequests).toBe(1);
  });

  it("after a 401 the rejected stored token is not reused: a new one is minted and stored", async () => {
    h = await setup();
    const tokenStore = createMemoryTokenStore();
    const a = h!.newClient({ tokenStore });
    await a.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    const before = (await tokenStore.get(`docusign:account-d.docusign.com:${h!.fake.integrationKey}:${h!.fake.userId}:`))!.accessToken;
    h!.fake.revokeTokens();
    await a.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    const after = (await tokenStore.get(`docusign:account-d.docusign.com:${h!.fake.integrationKey}:${h!.fake.userId}:`))!.accessToken;
    expect(after).not.toBe(before);
    expect(h!.fake.tokenRequests).toBe(2);
  });
});

describe("static access token", () => {
  it("sends the given token; a 401 is an AuthError (nothing to refresh)", async () => {
    h = await setup();
    const client = h!.newClient({ auth: { accessToken: "static-token-value" } });
    const error = (await rejection(client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" }))) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(requestsTo(h!.server, "/envelopes")[0]!.headers.authorization).toBe("Bearer static-token-value");
    expect(JSON.stringify(error.toJSON())).not.toContain("static-token-value");
  });

  it("an empty token is refused at construction", () => {
    expect(() => createDocuSignClient({ accountId: "a", basePath: "https://demo.docusign.net", auth: { accessToken: " " }, policy: FAST_POLICY })).toThrow(ValidationError);
  });
});

/**
 * The JWT grant (shared/vendors/docusign.md §1): an RS256 assertion signed with the app's RSA
 * key (node:crypto), exchanged at `https://{oauthHost}/oauth/token` for an hour-long access
 * token. There is no refresh token: core's token manager keeps the token until shortly
 * before expiry, mints a new one then, shares one mint between concurrent callers, and the
 * runtime re-mints once after a 401. Consent problems surface as `ConsentRequiredError`.
 */
import { createPrivateKey, sign, type KeyObject } from "node:crypto";
import { registerSecret, ValidationError, type Resolvable } from "@connect/core";

/** OAuth hosts by environment; also the JWT `aud` (a bare host name, no scheme). @public */
export const DOCUSIGN_OAUTH_HOSTS = { demo: "account-d.docusign.com", production: "account.docusign.com" } as const;
/** A DocuSign environment. @public */
export type DocuSignEnvironment = keyof typeof DOCUSIGN_OAUTH_HOSTS;

/** The scopes the JWT grant needs at least. @public */
export const DEFAULT_SCOPES: readonly string[] = ["signature", "impersonation"];

/** JWT grant settings. @public */
export interface JwtAuthOptions {
  /** The integration key (client id GUID): the assertion's `iss`. */
  integrationKey: string;
  /** The user id GUID the app acts as: the assertion's `sub`. */
  userId: string;
  /** The app's RSA private key (PEM, PKCS#1 or PKCS#8), a KeyObject, or a function reading it from a secret store. */
  privateKey: string | KeyObject | (() => string | Promise<string>);
  /** Scopes; default `signature impersonation`. */
  scopes?: readonly string[] | undefined;
  /** Assertion lifetime in seconds. Default 3600 (longer buys nothing). */
  assertionLifetimeSec?: number | undefined;
  /** Redirect URI registered for the integration key, for the consent URL in `ConsentRequiredError`. */
  consentRedirectUri?: string | undefined;
}

/** A ready access token (you mint it elsewhere). @public */
export interface AccessTokenAuthOptions {
  /** The token, or a function returning a current one (called before every request). */
  accessToken: Resolvable;
}

/** How the client authenticates. @public */
export type DocuSignAuthOptions = JwtAuthOptions | AccessTokenAuthOptions;

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString("base64url");
}

/** Parse the private key once, with an error that says what is wrong (and never echoes the key). @internal */
export function toPrivateKey(key: string | KeyObject): KeyObject {
  if (typeof key !== "string") {
    if (key.type !== "private" || key.asymmetricKeyType !== "rsa") throw invalidKey("a KeyObject that is not an RSA private key");
    return key;
  }
  registerSecret(key);
  // A key pasted from an env variable often has literal "\n" instead of line breaks.
  const pem = key.includes("\\n") && !key.includes("\n") ? key.replace(/\\n/g, "\n") : key;
  registerSecret(pem);
  let parsed: KeyObject;
  try {
    parsed = createPrivateKey(pem);
  } catch {
    throw invalidKey("a string that is not a PEM private key (-----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)");
  }
  if (parsed.asymmetricKeyType !== "rsa") throw invalidKey(`a ${parsed.asymmetricKeyType ?? "non-RSA"} key; DocuSign signs RS256 with an RSA key`);
  return parsed;
}

function invalidKey(what: string): ValidationError {
  return new ValidationError(`docusign auth: privateKey is ${what}`, { vendor: "docusign", issues: [{ path: "auth.privateKey", message: `is ${what}` }] });
}

/** Claims of a DocuSign JWT assertion. @public */
export interface JwtAssertionClaims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  scope: string;
}

/**
 * Build and sign the JWT assertion (`{"alg":"RS256","typ":"JWT"}`; iss, sub, aud = OAuth
 * host, iat, exp, scope).
 * @public
 */
export function createJwtAssertion(options: { integrationKey: string; userId: string; oauthHost: string; privateKey: KeyObject; scopes?: readonly string[] | undefined; nowMs: number; lifetimeSec?: number | undefined }): string {
  const iat = Math.floor(options.nowMs / 1000);
  const claims: JwtAssertionClaims = {
    iss: options.integrationKey,
    sub: options.userId,
    aud: options.oauthHost,
    iat,
    exp: iat + (options.lifetimeSec ?? 3600),
    scope: (options.scopes ?? DEFAULT_SCOPES).join(" "),
  };
  const signingInput = `${base64url(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign("RSA-SHA256", Buffer.from(signingInput), options.privateKey);
  const assertion = `${signingInput}.${base64url(signature)}`;
  registerSecret(assertion);
  return assertion;
}

/**
 * The consent URL for an integration key: one browser visit by the user (or an admin) grants
 * `signature impersonation`; the JWT grant fails with consent_required until then.
 * @public
 */
export function consentUrl(options: { oauthHost: string; integrationKey: string; redirectUri?: string | undefined; scopes?: readonly string[] | undefined }): string {
  const params = new URLSearchParams({ response_type: "code", scope: (options.scopes ?? DEFAULT_SCOPES).join(" "), client_id: options.integrationKey });
  if (options.redirectUri) params.set("redirect_uri", options.redirectUri);
  return `https://${options.oauthHost}/oauth/auth?${params.toString().replace(/\+/g, "%20")}`;
}

/** Check the JWT options before any I/O. @internal */
export function assertJwtOptions(auth: JwtAuthOptions): void {
  const issues: Array<{ path: string; message: string }> = [];
  const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (typeof auth.integrationKey !== "string" || !guid.test(auth.integrationKey)) issues.push({ path: "auth.integrationKey", message: "must be the integration key GUID" });
  if (typeof auth.userId !== "string" || !guid.test(auth.userId)) issues.push({ path: "auth.userId", message: "must be the user id GUID (not the email address)" });
  if (auth.privateKey === undefined || auth.privateKey === null || auth.privateKey === "") issues.push({ path: "auth.privateKey", message: "is required" });
  if (auth.scopes && !auth.scopes.includes("signature")) issues.push({ path: "auth.scopes", message: "must include signature" });
  if (issues.length > 0) {
    throw new ValidationError(`docusign auth: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`, { vendor: "docusign", issues });
  }
}

/** True when the auth options are a JWT grant. @internal */
export function isJwtAuth(auth: DocuSignAuthOptions): auth is JwtAuthOptions {
  return "integrationKey" in auth;
}

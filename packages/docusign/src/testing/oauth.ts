/**
 * The fake's OAuth host: checks a JWT-grant assertion the way DocuSign does (RS256 signature
 * against the app's public key, iss, sub, aud = OAuth host, exp, scope, consent) and issues
 * opaque hour-long access tokens; answers OAuth-style errors (shared/vendors/docusign.md §1).
 */
import { createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from "node:crypto";

/** An OAuth error as the token endpoint answers it. @internal */
export interface OAuthRefusal {
  error: string;
  error_description?: string;
}

/** The app's RSA key pair, as the DocuSign admin page shows it. @public */
export interface FakeKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** Generate an RSA key pair for the fake's integration key. @internal */
export function generateRsaKeyPair(): FakeKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** What the assertion check needs. @internal */
export interface AssertionCheck {
  integrationKey: string;
  userId: string;
  oauthHost: string;
  publicKey: KeyObject;
  consented: boolean;
  nowSeconds: number;
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Check an assertion; the refusal DocuSign would answer, or undefined when it is good. @internal */
export function checkAssertion(assertion: string, check: AssertionCheck): OAuthRefusal | undefined {
  const parts = assertion.split(".");
  if (parts.length !== 3) return { error: "invalid_grant", error_description: "invalid_request" };
  const [h, p, s] = parts as [string, string, string];
  const header = decodeSegment(h);
  const claims = decodeSegment(p);
  if (!header || !claims || header.alg !== "RS256") return { error: "invalid_grant", error_description: "invalid_request" };
  if (claims.aud !== check.oauthHost) return { error: "invalid_grant", error_description: "issuer_not_found" };
  if (claims.iss !== check.integrationKey) return { error: "invalid_grant", error_description: "issuer_not_found" };
  const signatureOk = verify("RSA-SHA256", Buffer.from(`${h}.${p}`), check.publicKey, Buffer.from(s, "base64url"));
  if (!signatureOk) return { error: "invalid_grant", error_description: "no_valid_keys_or_signatures" };
  if (claims.sub !== check.userId) return { error: "invalid_grant", error_description: "user_not_found" };
  const exp = Number(claims.exp);
  const iat = Number(claims.iat);
  if (!Number.isFinite(exp) || exp <= check.nowSeconds) return { error: "invalid_grant", error_description: "expired" };
  if (!Number.isFinite(iat) || iat > check.nowSeconds + 60) return { error: "invalid_grant", error_description: "invalid_iat" };
  const scopes = String(claims.scope ?? "").split(" ");
  if (!scopes.includes("signature")) return { error: "invalid_scope" };
  if (!check.consented || !scopes.includes("impersonation")) return { error: "consent_required" };
  return undefined;
}

/** An opaque access token. @internal */
export function newAccessToken(): string {
  return `eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0.fake.${randomBytes(24).toString("base64url")}`;
}

/** Parse a PEM public key. @internal */
export function publicKeyOf(pem: string): KeyObject {
  return createPublicKey(pem);
}

/**
 * Callback verification. Lone Wolf publishes nothing about signing callbacks
 * (shared/vendors/authentisign.md §3–4), so verification is pluggable:
 *
 * 1. default, always available: the SDK puts the signing id and an unguessable token bound to
 *    it — HMAC-SHA256(secret, "authentisign-callback:v1:<signingId>"), base64url — in the
 *    signing's `CallbackUrl` query; a callback passes when its URL carries a token that matches
 *    (constant-time) and its body is about that same signing. Stateless: no token store.
 * 2. if Lone Wolf turns out to sign callbacks: the timestamped HMAC scheme of assumptions.ts,
 *    verified by core's `timestampedHmacVerifier`.
 *
 * Either way a callback is only a hint: the receiver re-reads the signing before emitting.
 */
import { createHmac } from "node:crypto";
import {
  registerSecret,
  timestampedHmacVerifier,
  timingSafeEqualStrings,
  WebhookVerificationError,
  type DedupeStore,
  type SecretSource,
  type WebhookRequest,
  type WebhookVerifier,
} from "@connect/core";
import { AUTHENTISIGN, CALLBACK_HMAC, CALLBACK_QUERY } from "../assumptions.js";

function fail(reason: string, message: string): WebhookVerificationError {
  return new WebhookVerificationError(`${AUTHENTISIGN} callback: ${message}`, { reason, vendor: AUTHENTISIGN });
}

async function secretsOf(source: SecretSource): Promise<string[]> {
  const value = typeof source === "function" ? await source() : source;
  const list = typeof value === "string" ? [value] : [...value];
  const secrets = list.filter((s): s is string => typeof s === "string" && s !== "");
  for (const secret of secrets) registerSecret(secret);
  return secrets;
}

/** The token for one signing under one secret. @public */
export function callbackToken(secret: string, signingId: string): string {
  registerSecret(secret);
  const token = createHmac("sha256", secret).update(`authentisign-callback:v1:${signingId}`, "utf8").digest("base64url");
  registerSecret(token);
  return token;
}

/**
 * The `CallbackUrl` to give a signing: `baseUrl` plus the signing id and its token (made with
 * the first of the secrets, so during rotation put the new secret first).
 * @example
 * await client.signings.setCallbackUrl({ signingId, callbackUrl: await callbackUrlFor("https://hooks.example.com/authentisign", signingId, secret) });
 * @public
 */
export async function callbackUrlFor(baseUrl: string, signingId: string, secrets: SecretSource): Promise<string> {
  const [secret] = await secretsOf(secrets);
  if (!secret) throw new TypeError("callbackUrlFor: no callback secret configured");
  const url = new URL(baseUrl);
  url.searchParams.set(CALLBACK_QUERY.signingId, signingId);
  url.searchParams.set(CALLBACK_QUERY.token, callbackToken(secret, signingId));
  return url.toString();
}

/** Options of {@link callbackTokenVerifier}. @public */
export interface CallbackTokenVerifierOptions {
  /** Active secrets; any may match (rotation). */
  secrets: SecretSource;
}

function bodySigningId(rawBody: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(rawBody.toString("utf8")) as { data?: { signingId?: unknown } };
    return typeof parsed?.data?.signingId === "string" ? parsed.data.signingId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verify the per-signing token in the callback URL (constant time, every secret tried), and that
 * the body is about the signing the token was made for: a token leaked for one signing cannot
 * vouch for another.
 * @public
 */
export function callbackTokenVerifier(options: CallbackTokenVerifierOptions): WebhookVerifier {
  return {
    async verify(req: WebhookRequest) {
      let url: URL;
      try {
        url = new URL(req.url);
      } catch {
        throw fail("missing_token", `the request URL ${JSON.stringify(String(req.url).slice(0, 80))} is not absolute; pass the full URL Authentisign called`);
      }
      const signingId = url.searchParams.get(CALLBACK_QUERY.signingId);
      const token = url.searchParams.get(CALLBACK_QUERY.token);
      if (!signingId || !token) {
        throw fail(
          "missing_token",
          `the callback URL has no ${CALLBACK_QUERY.signingId}/${CALLBACK_QUERY.token} query parameters; set the signing's CallbackUrl with callbackUrlFor(), and check that a proxy keeps the query string`,
        );
      }
      const secrets = await secretsOf(options.secrets);
      if (secrets.length === 0) throw fail("no_secret", "no callback secret is configured");
      let ok = false;
      // No early exit: the time taken does not depend on which secret matched.
      for (const secret of secrets) ok = timingSafeEqualStrings(token, callbackToken(secret, signingId)) || ok;
      if (!ok) {
        const trimmed = secrets.some((s) => s !== s.trim() && timingSafeEqualStrings(token, callbackToken(s.trim(), signingId)));
        throw fail("bad_token", `the callback token does not match signing ${signingId}${trimmed ? "; a configured secret has surrounding whitespace and matches without it: trim it" : ""}`);
      }
      const body: unknown = req.rawBody;
      const rawBody = Buffer.isBuffer(body) ? body : typeof body === "string" ? Buffer.from(body, "utf8") : undefined;
      if (!rawBody) {
        throw fail("body_parsed", "the request has no raw body Buffer (was it parsed before verification?); pass the bytes as received");
      }
      const about = bodySigningId(rawBody);
      if (about !== signingId) {
        throw fail("signing_mismatch", `the token is for signing ${signingId} but the body is about ${about === undefined ? "no signing" : `signing ${about}`}`);
      }
    },
  };
}

/** Options of {@link callbackHmacVerifier}. @public */
export interface CallbackHmacVerifierOptions {
  /** Active secrets; any may match (rotation). */
  secrets: SecretSource;
  /** Replay window in seconds. Default 300. */
  toleranceSec?: number | undefined;
  /** Refuse a signature already accepted within the window. */
  replay?: DedupeStore | undefined;
  /** Clock (epoch ms), for tests. */
  now?: (() => number) | undefined;
}

/** Verify `X-Authentisign-Signature: v1=<hex>` over `"<X-Authentisign-Timestamp>.<raw body>"`. @public */
export function callbackHmacVerifier(options: CallbackHmacVerifierOptions): WebhookVerifier {
  return timestampedHmacVerifier({
    vendor: AUTHENTISIGN,
    header: CALLBACK_HMAC.signatureHeader,
    timestampHeader: CALLBACK_HMAC.timestampHeader,
    prefix: CALLBACK_HMAC.prefix,
    algorithm: CALLBACK_HMAC.algorithm,
    encoding: CALLBACK_HMAC.encoding,
    secrets: options.secrets,
    toleranceSec: options.toleranceSec ?? CALLBACK_HMAC.toleranceSec,
    replay: options.replay,
    now: options.now,
  });
}

/** A verifier that passes only when every one of `verifiers` passes (token and HMAC). @public */
export function allOf(...verifiers: WebhookVerifier[]): WebhookVerifier {
  if (verifiers.length === 0) throw new TypeError("allOf: at least one verifier");
  return {
    async verify(req) {
      for (const verifier of verifiers) await verifier.verify(req);
    },
  };
}

/**
 * Mailgun webhook signatures (shared/vendors/mailgun.md §7): the JSON body carries
 * `signature: { timestamp, token, signature }`, where `signature` is
 * hex(HMAC-SHA256(webhook signing key, timestamp + token)). The body itself is not signed, so
 * the defence against a captured delivery being sent again is the timestamp window plus a
 * store of tokens already accepted.
 */
import { createHmac } from "node:crypto";
import {
  createMemoryDedupeStore,
  registerSecret,
  timingSafeEqualBuffers,
  WebhookVerificationError,
  type DedupeStore,
  type SecretSource,
  type WebhookRequest,
  type WebhookVerifier,
} from "@connect/core";

/**
 * Default accepted distance between `signature.timestamp` and now (10 min): Mailgun's own
 * delivery can lag, and its docs suggest a few minutes to 15 (shared/vendors/mailgun.md §7).
 * @public
 */
export const DEFAULT_TOLERANCE_SECONDS = 600;

/** Tokens the default in-memory replay store remembers at most (the oldest go first). @public */
export const DEFAULT_MAX_TOKENS = 50_000;

/** The `signature` object of a webhook body. @public */
export interface MailgunSignature {
  /** Epoch seconds, as a string. */
  timestamp: string;
  /** A random 50-character token, unique per delivery. */
  token: string;
  /** 64 hex characters. */
  signature: string;
}

/** hex(HMAC-SHA256(signingKey, timestamp + token)). @public */
export function computeMailgunSignature(signingKey: string, timestamp: string, token: string): string {
  return createHmac("sha256", signingKey).update(`${timestamp}${token}`, "utf8").digest("hex");
}

/**
 * Check one signature against one or more signing keys (rotation), constant-time; true when
 * any key matches. Does not check freshness or replay: {@link mailgunWebhookVerifier} does.
 * @public
 */
export function verifyMailgunSignature(input: MailgunSignature & { signingKey: string | readonly string[] }): boolean {
  const keys = typeof input.signingKey === "string" ? [input.signingKey] : input.signingKey;
  if (!/^[0-9a-fA-F]{64}$/.test(input.signature)) return false;
  const given = Buffer.from(input.signature, "hex");
  let ok = false;
  // Every key is tried, so the time taken does not say which one matched.
  for (const key of keys) {
    if (!key) continue;
    const expected = Buffer.from(computeMailgunSignature(key, input.timestamp, input.token), "hex");
    if (timingSafeEqualBuffers(expected, given)) ok = true;
  }
  return ok;
}

/** Options of {@link mailgunWebhookVerifier}. @public */
export interface MailgunVerifierOptions {
  /** The HTTP webhook signing key (not the API key), several during rotation, or a function reading them. */
  signingKey: SecretSource;
  /** Accepted distance between the signed timestamp and now, in seconds. Default 600. */
  toleranceSeconds?: number | undefined;
  /** Tokens already accepted (kept for twice the tolerance); default an in-memory LRU of 50 000. Share a Redis store across workers; `false` disables the replay check. */
  tokenStore?: DedupeStore | false | undefined;
  /** Clock (epoch ms), for tests. */
  now?: (() => number) | undefined;
}

function fail(reason: string, message: string): WebhookVerificationError {
  return new WebhookVerificationError(`mailgun webhook: ${message}`, { reason, vendor: "mailgun" });
}

/** Read `signature` from a JSON webhook body, explaining what is wrong when it is missing. @internal */
export function readSignature(req: WebhookRequest): MailgunSignature {
  const raw: unknown = (req as { rawBody?: unknown }).rawBody;
  if (raw === undefined || raw === null) throw fail("missing_body", "the request has no body; pass the body as received");
  let text: string;
  if (Buffer.isBuffer(raw) || raw instanceof Uint8Array) text = Buffer.from(raw).toString("utf8");
  else if (typeof raw === "string") text = raw;
  else if (typeof raw === "object") {
    // A parsed body works for Mailgun (the body is not what is signed), but keep one contract.
    throw fail("body_parsed", "body was parsed before verification; pass the raw body (a Buffer or string), e.g. express.raw({ type: \"*/*\" })");
  } else throw fail("missing_body", `the body is a ${typeof raw}, not a Buffer or string`);
  const type = (req.headers?.["content-type"] ?? "").toLowerCase();
  if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
    throw fail("malformed_signature", "a form-encoded body is a legacy Mailgun webhook, which this receiver does not take; create the webhook again (current webhooks post JSON)");
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw fail("malformed_signature", "the body is not JSON; Mailgun webhooks post {\"signature\": {...}, \"event-data\": {...}}");
  }
  const signature = body && typeof body === "object" ? (body as { signature?: unknown }).signature : undefined;
  if (!signature || typeof signature !== "object") throw fail("missing_header", "the body has no `signature` object");
  const { timestamp, token, signature: value } = signature as Record<string, unknown>;
  const ts = typeof timestamp === "number" ? String(timestamp) : timestamp;
  if (typeof ts !== "string" || !/^\d+$/.test(ts)) throw fail("malformed_timestamp", "signature.timestamp is not epoch seconds");
  if (typeof token !== "string" || token === "") throw fail("malformed_signature", "signature.token is missing");
  if (typeof value !== "string" || !/^[0-9a-fA-F]{64}$/.test(value)) throw fail("malformed_signature", "signature.signature is not 64 hex characters");
  return { timestamp: ts, token, signature: value };
}

/**
 * A verifier for core's webhook receiver: signature with any active key, timestamp within the
 * window, and a token accepted at most once. A failure reaches no handler.
 * @example
 * const verifier = mailgunWebhookVerifier({ signingKey: process.env.MAILGUN_WEBHOOK_SIGNING_KEY! });
 * @public
 */
export function mailgunWebhookVerifier(options: MailgunVerifierOptions): WebhookVerifier {
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!(tolerance > 0)) throw new TypeError("mailgunWebhookVerifier: toleranceSeconds must be positive");
  const now = options.now ?? Date.now;
  const tokens = options.tokenStore === false ? undefined : (options.tokenStore ?? createMemoryDedupeStore({ maxEntries: DEFAULT_MAX_TOKENS, now }));
  return {
    async verify(req) {
      const signature = readSignature(req);
      const source = options.signingKey;
      const value = typeof source === "function" ? await source() : source;
      const keys = (typeof value === "string" ? [value] : [...value]).filter((key) => typeof key === "string" && key !== "");
      if (keys.length === 0) throw fail("no_secret", "no signing key configured");
      for (const key of keys) registerSecret(key);
      if (!verifyMailgunSignature({ ...signature, signingKey: keys })) {
        const trimmed = keys.some((key) => key !== key.trim() && verifyMailgunSignature({ ...signature, signingKey: key.trim() }));
        const hint = trimmed
          ? "; the signing key has surrounding whitespace and the signature matches without it: trim it"
          : "; check that the key is the HTTP webhook signing key of this account (not the API key)";
        throw fail("bad_signature", `the signature does not match${hint}`);
      }
      const age = Math.abs(now() / 1000 - Number(signature.timestamp));
      if (age > tolerance) throw fail("stale_timestamp", `the signed timestamp is ${Math.round(age)} s away from now (tolerance ${tolerance} s)`);
      if (tokens && (await tokens.seen(`mailgun:webhook-token:${signature.token}`, tolerance * 2000))) {
        throw fail("replayed", "this token was already accepted (a replayed delivery)");
      }
    },
  };
}

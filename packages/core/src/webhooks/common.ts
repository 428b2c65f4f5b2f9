/**
 * Pieces every verifier shares: reading the raw body (and explaining a parsed one), reading
 * headers, decoding signatures without throwing, resolving secrets, checking timestamps.
 * @internal
 */
import { WebhookVerificationError } from "../errors.js";
import { registerSecret } from "../redact.js";
import type { SecretSource, SignedPayload, WebhookRequest } from "./types.js";

/** Reason codes of `WebhookVerificationError` raised by core's verifiers and adapters. @public */
export type WebhookFailureReason =
  | "missing_header"
  | "malformed_signature"
  | "malformed_timestamp"
  | "bad_signature"
  | "stale_timestamp"
  | "replayed"
  | "no_secret"
  | "invalid_key"
  | "body_parsed"
  | "missing_body";

/** Build a verification error. @internal */
export function verificationError(reason: WebhookFailureReason, message: string, vendor?: string): WebhookVerificationError {
  return new WebhookVerificationError(`${vendor ? `${vendor} webhook: ` : "webhook: "}${message}`, { reason, vendor });
}

/**
 * The raw body as a Buffer. A string is taken as UTF-8; a parsed object (a framework's JSON
 * body parser ran first) is refused with an explanation, because its re-serialisation does not
 * reproduce the signed bytes.
 * @internal
 */
export function rawBodyOf(req: WebhookRequest, vendor?: string): Buffer {
  const body: unknown = (req as { rawBody?: unknown } | undefined)?.rawBody;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (body === undefined || body === null) {
    throw verificationError("missing_body", "the request has no raw body; pass the body bytes exactly as received", vendor);
  }
  const kind = Array.isArray(body) ? "an array" : typeof body === "object" ? "an object" : `a ${typeof body}`;
  throw verificationError(
    "body_parsed",
    `body was parsed before verification (got ${kind}, not a Buffer or string). Pass the raw request body, e.g. express.raw({ type: "*/*" }) ` +
      "or request.arrayBuffer(), and parse after verifying: a re-serialised object does not reproduce the bytes the vendor signed",
    vendor,
  );
}

/** A header value by (case-insensitive) name; repeated values joined with ", ". @internal */
export function headerOf(req: WebhookRequest, name: string): string | undefined {
  const headers = (req as { headers?: unknown }).headers;
  if (!headers || typeof headers !== "object") return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, unknown>;
  const wanted = name.toLowerCase();
  let value = record[wanted];
  if (value === undefined) {
    for (const [key, inner] of Object.entries(record)) {
      if (key.toLowerCase() === wanted) {
        value = inner;
        break;
      }
    }
  }
  if (Array.isArray(value)) return value.map(String).join(", ");
  return typeof value === "string" ? value : value === undefined || value === null ? undefined : String(value);
}

/** Names of the headers in `req` that match `pattern`. @internal */
export function headerNamesMatching(req: WebhookRequest, pattern: RegExp): string[] {
  const headers = (req as { headers?: unknown }).headers;
  if (!headers || typeof headers !== "object") return [];
  const names = typeof (headers as Headers).keys === "function" && typeof (headers as Headers).get === "function"
    ? [...(headers as Headers).keys()]
    : Object.keys(headers as Record<string, unknown>);
  return names.filter((name) => pattern.test(name)).sort();
}

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decode a hex or base64 (or base64url) signature; undefined when it is not well formed. @internal */
export function decodeSignature(value: string, encoding: "hex" | "base64"): Buffer | undefined {
  if (encoding === "hex") return HEX.test(value) && value.length % 2 === 0 ? Buffer.from(value, "hex") : undefined;
  // Base64 as vendors send it (no URL-safe characters): one test, no copies.
  if (BASE64.test(value)) {
    let end = value.length;
    while (end > 0 && value.charCodeAt(end - 1) === 0x3d) end -= 1;
    return end % 4 === 1 ? undefined : Buffer.from(value, "base64");
  }
  const normalised = value.replace(/-/g, "+").replace(/_/g, "/");
  if (!BASE64.test(normalised)) return undefined;
  const unpadded = normalised.replace(/=+$/, "");
  if (unpadded.length % 4 === 1) return undefined;
  return Buffer.from(unpadded, "base64");
}

/** Split a signature header into its tokens (values may be comma or space separated). @internal */
export function signatureTokens(value: string): string[] {
  // Most headers carry one token: no split.
  if (!SEPARATOR.test(value)) return value === "" ? [] : [value];
  return value.split(/[\s,]+/).filter((token) => token !== "");
}

const SEPARATOR = /[\s,]/;

/** The configured secrets, non-empty ones only; each registered for redaction. @internal */
export async function resolveSecrets(source: SecretSource | undefined): Promise<string[]> {
  const secrets = secretList(typeof source === "function" ? await source() : source);
  for (const secret of secrets) registerSecret(secret);
  return secrets;
}

/** The non-empty secrets of a value source. */
function secretList(value: string | readonly string[] | undefined | null): string[] {
  const list = value === undefined || value === null ? [] : typeof value === "string" ? [value] : [...value];
  return list.filter((secret): secret is string => typeof secret === "string" && secret !== "");
}

/** The payload candidates a builder returned, as Buffers (a Buffer is used as is, not copied: bodies can be megabytes). @internal */
export function payloadCandidates(payload: SignedPayload): Buffer[] {
  return digestCandidates(payload).map((item) => (typeof item === "string" ? Buffer.from(item, "utf8") : item));
}

/**
 * The payload candidates as a digest takes them: strings stay strings (hashed as UTF-8, no
 * Buffer made for each), a Uint8Array that is no Buffer is wrapped without a copy.
 * @internal
 */
export function digestCandidates(payload: SignedPayload): ReadonlyArray<Buffer | string> {
  if (typeof payload === "string" || Buffer.isBuffer(payload)) return [payload];
  return (payload as ReadonlyArray<Buffer | string | Uint8Array>).map((item) => (typeof item === "string" || Buffer.isBuffer(item) ? item : Buffer.from(item.buffer, item.byteOffset, item.byteLength)));
}

/**
 * A secret source resolved once when it is a value (registered for redaction once), or on
 * every call when it is a function (rotation).
 * @internal
 */
export function secretsResolver(source: SecretSource | undefined): () => string[] | Promise<string[]> {
  if (typeof source === "function") return () => resolveSecrets(source);
  if (typeof source === "string" || source === undefined || source === null) {
    const resolved = secretList(source);
    for (const secret of resolved) registerSecret(secret);
    return () => resolved;
  }
  // An array is read on every call (a host may rotate by replacing its items); each secret is registered once.
  const registered = new Set<string>();
  return () => {
    const secrets = secretList(source);
    for (const secret of secrets) {
      if (registered.has(secret)) continue;
      registered.add(secret);
      registerSecret(secret);
    }
    return secrets;
  };
}

/** Hints appended to a bad-signature message: the common integration mistakes. @internal */
export function badSignatureHints(body: Buffer, secrets: readonly string[], trimmedSecretMatches: (secret: string) => boolean): string {
  const hints: string[] = [];
  secrets.forEach((secret, index) => {
    if (secret !== secret.trim()) {
      const matches = trimmedSecretMatches(secret.trim());
      hints.push(
        `secret #${index + 1} has surrounding whitespace${matches ? " and the signature matches without it: trim the configured secret" : " (a newline from an env file?)"}`,
      );
    }
  });
  if (looksReserialised(body)) {
    hints.push("the body looks like compact re-serialised JSON; if the body was parsed before verification, pass the raw bytes instead");
  }
  return hints.length > 0 ? `; ${hints.join("; ")}` : "";
}

function looksReserialised(body: Buffer): boolean {
  const text = body.toString("utf8");
  if (text === "" || (text[0] !== "{" && text[0] !== "[")) return false;
  try {
    return JSON.stringify(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

/** Options shared by the timestamped verifiers. @public */
export interface TimestampOptions {
  /** Largest accepted distance between the signed timestamp and now, in seconds (default 300). */
  toleranceSec?: number | undefined;
  /** Unit of the timestamp (default seconds). */
  timestampUnit?: "s" | "ms" | undefined;
  /** Clock in epoch ms, for tests (default `Date.now`). */
  now?: (() => number) | undefined;
}

/** Parse a timestamp header; throws `malformed_timestamp`. Returns epoch ms. @internal */
export function parseTimestamp(value: string, unit: "s" | "ms", vendor?: string): number {
  const trimmed = value.trim();
  if (!/^\d{1,16}(\.\d+)?$/.test(trimmed)) {
    throw verificationError("malformed_timestamp", `timestamp ${JSON.stringify(trimmed.slice(0, 40))} is not a number of ${unit === "s" ? "seconds" : "milliseconds"} since the epoch`, vendor);
  }
  const number = Number(trimmed);
  return unit === "s" ? number * 1000 : number;
}

/** Throw `stale_timestamp` when `timestampMs` is outside the tolerance window around now. @internal */
export function assertFresh(timestampMs: number, options: TimestampOptions, vendor?: string): void {
  const toleranceMs = (options.toleranceSec ?? 300) * 1000;
  const now = (options.now ?? Date.now)();
  const skewSec = Math.round((now - timestampMs) / 1000);
  if (Math.abs(now - timestampMs) > toleranceMs) {
    const direction = skewSec > 0 ? `${skewSec} s old` : `${-skewSec} s in the future`;
    throw verificationError(
      "stale_timestamp",
      `signed timestamp is ${direction}, outside the ${toleranceMs / 1000} s tolerance: a replayed request, or a server clock that is off (check NTP)`,
      vendor,
    );
  }
}

/**
 * Signed Event Webhook verification (shared/vendors/sendgrid.md §6): ECDSA P-256 with
 * SHA-256 — not HMAC — over the UTF-8 timestamp header followed directly by the raw body
 * bytes; the signature header is base64 of an ASN.1 DER `SEQUENCE{r,s}`. node:crypto
 * verifies DER as is; WebCrypto wants IEEE-P1363 `r||s`, so the DER is converted first.
 *
 * One code path: the one-shot helpers and both engines of the request verifier decode the
 * headers with the same strict rules (signature-encoding.ts) and apply the same checks in the
 * same order — format, signature, then freshness — so every public function gives the same
 * answer for the same input.
 */
import { createPublicKey, verify as nodeVerify, type KeyObject } from "node:crypto";
import { WebhookVerificationError, type WebhookFailureReason, type WebhookRequest, type WebhookVerifier } from "@connect/core";
import { decodeSendGridSignatureHeader, type DecodedSignature } from "./signature-encoding.js";

export { derToP1363 } from "./signature-encoding.js";

/** Header carrying the base64 DER signature. @public */
export const SIGNATURE_HEADER = "x-twilio-email-event-webhook-signature";
/** Header carrying the unix-seconds timestamp that was signed. @public */
export const TIMESTAMP_HEADER = "x-twilio-email-event-webhook-timestamp";
/** Default replay window: SendGrid documents none, so this is SDK policy (configurable). @public */
export const DEFAULT_TOLERANCE_SECONDS = 600;

const BASE64_KEY = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Read a public key as SendGrid shows it (base64 of DER SubjectPublicKeyInfo) or as PEM,
 * returning the DER bytes.
 * @public
 */
export function publicKeyToDer(key: string): Buffer {
  const trimmed = key.trim();
  if (trimmed.startsWith("-----BEGIN")) {
    return createPublicKey(trimmed).export({ format: "der", type: "spki" });
  }
  if (!BASE64_KEY.test(trimmed)) throw new TypeError("SendGrid public key must be base64 DER (starts MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE) or PEM");
  return Buffer.from(trimmed, "base64");
}

function fail(reason: WebhookFailureReason, message: string): never {
  throw new WebhookVerificationError(`sendgrid webhook: ${message}`, { vendor: "sendgrid", reason });
}

/** A configured key, parsed once: the node KeyObject and the SPKI bytes for WebCrypto. */
interface ParsedKey {
  node: KeyObject;
  spki: Uint8Array<ArrayBuffer>;
  webcrypto?: Promise<CryptoKey>;
}

function parseKey(text: string, index: number): ParsedKey {
  let node: KeyObject;
  let spki: Buffer;
  try {
    spki = publicKeyToDer(text);
    node = createPublicKey({ key: spki, format: "der", type: "spki" });
  } catch {
    return fail("invalid_key", `public key #${index + 1} is neither base64 DER SubjectPublicKeyInfo (as SendGrid shows it) nor PEM`);
  }
  if (node.asymmetricKeyType !== "ec" || node.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    return fail("invalid_key", `public key #${index + 1} is not an ECDSA P-256 (prime256v1) key; SendGrid event webhook keys are`);
  }
  return { node, spki: new Uint8Array(spki) };
}

function webCryptoKey(key: ParsedKey): Promise<CryptoKey> {
  key.webcrypto ??= globalThis.crypto.subtle.importKey("spki", key.spki, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  return key.webcrypto;
}

/** What is checked, once the headers and body are in hand. */
interface SignedParts {
  timestamp: string;
  signature: string;
  body: Buffer;
}

/** Freshness policy: none (the one-shot default, as SendGrid's own helper) or a window. */
interface Freshness {
  toleranceSec?: number | undefined;
  now?: (() => number) | undefined;
}

/** Step 1 — format: the same strict decoding for every entry point. */
function decode(parts: SignedParts): { signature: DecodedSignature; data: Buffer; timestampSec: number } {
  if (!/^\d{1,16}$/.test(parts.timestamp)) fail("malformed_timestamp", `timestamp ${JSON.stringify(parts.timestamp.slice(0, 40))} is not unix seconds`);
  const signature = decodeSendGridSignatureHeader(parts.signature);
  if (!signature) {
    fail("malformed_signature", "the signature is not canonical base64 of a DER ECDSA signature (no whitespace, no trailing characters, standard padding)");
  }
  return { signature, data: Buffer.concat([Buffer.from(parts.timestamp, "utf8"), parts.body]), timestampSec: Number(parts.timestamp) };
}

/** Step 3 — freshness, after the signature (a forged request learns nothing about the window). */
function assertFresh(timestampSec: number, freshness: Freshness): void {
  if (freshness.toleranceSec === undefined) return;
  const skew = (freshness.now ?? Date.now)() - timestampSec * 1000;
  if (Math.abs(skew) > freshness.toleranceSec * 1000) {
    fail(
      "stale_timestamp",
      `signed timestamp is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? "old" : "in the future"}, outside the ${freshness.toleranceSec} s tolerance: a replayed request, or a server clock that is off`,
    );
  }
}

function mismatch(keys: readonly ParsedKey[], body: Buffer): never {
  const hint = body.length > 0 && !body.subarray(-2).equals(Buffer.from("\r\n"))
    ? "; the body does not end in CRLF as SendGrid's do: if it was parsed and re-serialised before verification, pass the raw bytes instead"
    : "";
  return fail("bad_signature", `the signature does not match (${keys.length} key${keys.length === 1 ? "" : "s"} tried)${hint}`);
}

/** The whole check on node:crypto; throws `WebhookVerificationError`. */
function checkNode(keys: readonly ParsedKey[], parts: SignedParts, freshness: Freshness): void {
  const { signature, data, timestampSec } = decode(parts);
  if (!keys.some((key) => nodeVerify("sha256", data, { key: key.node, dsaEncoding: "der" }, signature.der))) mismatch(keys, parts.body);
  assertFresh(timestampSec, freshness);
}

/** The whole check on WebCrypto; throws `WebhookVerificationError`. */
async function checkWebCrypto(keys: readonly ParsedKey[], parts: SignedParts, freshness: Freshness): Promise<void> {
  const { signature, data, timestampSec } = decode(parts);
  const algorithm = { name: "ECDSA", hash: "SHA-256" };
  let ok = false;
  for (const key of keys) ok = (await globalThis.crypto.subtle.verify(algorithm, await webCryptoKey(key), new Uint8Array(signature.p1363), new Uint8Array(data))) || ok;
  if (!ok) mismatch(keys, parts.body);
  assertFresh(timestampSec, freshness);
}

/** Inputs of a single signature check. @public */
export interface SendGridSignatureInput {
  /** The account's verification key: base64 DER SPKI (as SendGrid shows it) or PEM. */
  publicKey: string;
  /** `X-Twilio-Email-Event-Webhook-Timestamp` as received. */
  timestamp: string;
  /** `X-Twilio-Email-Event-Webhook-Signature` as received (base64 DER). */
  signature: string;
  /** The raw request body bytes. */
  payload: Uint8Array | string;
  /** Also require the timestamp within this many seconds of now (off by default, as SendGrid's own helper). */
  toleranceSeconds?: number | undefined;
  /** Clock in epoch ms, for `toleranceSeconds`. */
  now?: (() => number) | undefined;
}

const partsOf = (input: SendGridSignatureInput): SignedParts => ({
  timestamp: input.timestamp,
  signature: input.signature,
  body: typeof input.payload === "string" ? Buffer.from(input.payload, "utf8") : Buffer.from(input.payload.buffer, input.payload.byteOffset, input.payload.byteLength),
});

const freshnessOf = (input: { toleranceSeconds?: number | undefined; now?: (() => number) | undefined }): Freshness => ({ toleranceSec: input.toleranceSeconds, now: input.now });

function asBoolean(check: () => void): boolean {
  try {
    check();
    return true;
  } catch (error) {
    if (error instanceof WebhookVerificationError && error.reason !== "invalid_key") return false;
    throw error;
  }
}

/**
 * Check a signature with node:crypto. False for a mismatch, a signature or timestamp that
 * does not decode strictly, or (with `toleranceSeconds`) a stale timestamp; a key that is
 * not P-256 throws `WebhookVerificationError` (`invalid_key`).
 * @public
 */
export function verifySendGridSignature(input: SendGridSignatureInput): boolean {
  const keys = [parseKey(input.publicKey, 0)];
  return asBoolean(() => checkNode(keys, partsOf(input), freshnessOf(input)));
}

/** Check a signature with WebCrypto (`crypto.subtle`), DER converted to P1363; the same answers as {@link verifySendGridSignature}. @public */
export async function verifySendGridSignatureWebCrypto(input: SendGridSignatureInput): Promise<boolean> {
  const keys = [parseKey(input.publicKey, 0)];
  try {
    await checkWebCrypto(keys, partsOf(input), freshnessOf(input));
    return true;
  } catch (error) {
    if (error instanceof WebhookVerificationError && error.reason !== "invalid_key") return false;
    throw error;
  }
}

/** Options of {@link sendGridEventVerifier}. @public */
export interface SendGridVerifierOptions {
  /** Verification key(s) as SendGrid shows them (base64 DER SPKI) or PEM; several during a rotation. */
  publicKey: string | readonly string[];
  /** Replay window in seconds, either side of now. Default 600 (SendGrid documents none). */
  toleranceSeconds?: number | undefined;
  /** Clock in epoch ms. */
  now?: (() => number) | undefined;
  /** `node` (node:crypto, default) or `webcrypto` (crypto.subtle, DER converted to P1363); the answers are the same. */
  engine?: "node" | "webcrypto" | undefined;
}

/** A header by lower-case name, from a plain record (the WebhookRequest shape) or a Fetch `Headers`. */
function headerOf(req: WebhookRequest, name: string): string | undefined {
  const headers: unknown = (req as { headers?: unknown }).headers;
  if (!headers || typeof headers !== "object") return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, unknown>;
  const key = name in record ? name : Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return typeof value === "string" ? value : Array.isArray(value) ? value.map(String).join(", ") : undefined;
}

function rawBodyOf(req: WebhookRequest): Buffer {
  const body: unknown = (req as { rawBody?: unknown }).rawBody;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (body === undefined || body === null) fail("missing_body", "the request has no raw body; pass the body bytes exactly as received");
  return fail("body_parsed", "body was parsed before verification; pass the raw request body (e.g. express.raw({ type: \"*/*\" }) or request.arrayBuffer()) and parse after verifying");
}

/**
 * A verifier for SendGrid's Signed Event Webhook: both headers present, ECDSA P-256
 * signature valid for one of the keys over timestamp + raw body, timestamp inside the
 * tolerance. Failures are `WebhookVerificationError` with core's reasons (`missing_header`,
 * `malformed_signature`, `malformed_timestamp`, `bad_signature`, `stale_timestamp`,
 * `body_parsed`, `missing_body`); a key that is not P-256 fails here with `invalid_key`.
 * @example
 * const verifier = sendGridEventVerifier({ publicKey: process.env.SENDGRID_WEBHOOK_PUBLIC_KEY! });
 * await verifier.verify({ method: "POST", url, headers, rawBody }); // throws WebhookVerificationError
 * @public
 */
export function sendGridEventVerifier(options: SendGridVerifierOptions): WebhookVerifier {
  const texts = (typeof options.publicKey === "string" ? [options.publicKey] : [...options.publicKey]).filter((k) => k.trim() !== "");
  if (texts.length === 0) throw new TypeError("sendGridEventVerifier needs at least one public key");
  // Parsed now, so a wrong key fails at start-up rather than on the first event.
  const keys = texts.map(parseKey);
  const freshness: Freshness = { toleranceSec: options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS, now: options.now };
  const webcrypto = options.engine === "webcrypto";
  return {
    async verify(request: WebhookRequest) {
      const body = rawBodyOf(request);
      // Not trimmed: HTTP parsers already strip surrounding whitespace, and the one-shot helpers take the value as is.
      const signature = headerOf(request, SIGNATURE_HEADER);
      const timestamp = headerOf(request, TIMESTAMP_HEADER);
      if (!signature) fail("missing_header", `no signature header (${SIGNATURE_HEADER}); is the signed event webhook enabled?`);
      if (!timestamp) fail("missing_header", `no timestamp header (${TIMESTAMP_HEADER})`);
      const parts = { signature, timestamp, body };
      if (webcrypto) await checkWebCrypto(keys, parts, freshness);
      else checkNode(keys, parts, freshness);
    },
  };
}

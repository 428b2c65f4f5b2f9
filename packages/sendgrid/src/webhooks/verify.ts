/**
 * Signed Event Webhook verification (shared/vendors/sendgrid.md §6): ECDSA P-256 with
 * SHA-256 — not HMAC — over the UTF-8 timestamp header followed directly by the raw body
 * bytes; the signature header is base64 of an ASN.1 DER `SEQUENCE{r,s}`. node:crypto
 * verifies DER as is; WebCrypto wants IEEE-P1363 `r||s`, so the DER is converted first.
 */
import { createPublicKey, verify as nodeVerify, type KeyObject } from "node:crypto";
import { WebhookVerificationError } from "@connect/core";

/** Header carrying the base64 DER signature. @public */
export const SIGNATURE_HEADER = "x-twilio-email-event-webhook-signature";
/** Header carrying the unix-seconds timestamp that was signed. @public */
export const TIMESTAMP_HEADER = "x-twilio-email-event-webhook-timestamp";
/** Default replay window: SendGrid documents none, so this is SDK policy (configurable). @public */
export const DEFAULT_TOLERANCE_SECONDS = 600;

/** An inbound webhook request with its exact raw body (same shape as core's). @public */
export interface WebhookRequest {
  method: string;
  /** Full URL as received. */
  url: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body bytes exactly as received — never re-serialised JSON. */
  rawBody: Buffer;
}

/** Verifies a webhook request; throws `WebhookVerificationError` when it fails. @public */
export interface WebhookVerifier {
  verify(request: WebhookRequest): void | Promise<void>;
}

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
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw new TypeError("SendGrid public key must be base64 DER (starts MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE) or PEM");
  return Buffer.from(trimmed, "base64");
}

function nodeKey(key: string): KeyObject {
  const object = createPublicKey({ key: publicKeyToDer(key), format: "der", type: "spki" });
  if (object.asymmetricKeyType !== "ec" || object.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new TypeError("SendGrid event webhook keys are ECDSA P-256 (prime256v1) public keys");
  }
  return object;
}

/**
 * Convert an ASN.1 DER ECDSA signature (`SEQUENCE{INTEGER r, INTEGER s}`) into IEEE-P1363
 * `r||s` (64 bytes for P-256), the form WebCrypto's `subtle.verify` requires.
 * Throws `TypeError` for bytes that are not such a sequence.
 * @public
 */
export function derToP1363(der: Uint8Array, size = 32): Uint8Array {
  let offset = 0;
  const fail = (why: string): never => {
    throw new TypeError(`not a DER ECDSA signature: ${why}`);
  };
  const readLength = (): number => {
    const first = der[offset++];
    if (first === undefined) return fail("truncated length");
    if (first < 0x80) return first;
    const bytes = first & 0x7f;
    if (bytes !== 1) return fail("unsupported length form");
    const value = der[offset++];
    return value === undefined ? fail("truncated length") : value;
  };
  if (der[offset++] !== 0x30) fail("expected SEQUENCE");
  const seqLength = readLength();
  if (offset + seqLength !== der.length) fail("SEQUENCE length does not match");
  const out = new Uint8Array(size * 2);
  for (const part of [0, 1]) {
    if (der[offset++] !== 0x02) fail("expected INTEGER");
    const length = readLength();
    if (length === 0 || offset + length > der.length) fail("bad INTEGER length");
    let value = der.subarray(offset, offset + length);
    offset += length;
    while (value.length > 1 && value[0] === 0) value = value.subarray(1);
    if (value.length > size) fail("INTEGER too large for the curve");
    out.set(value, part * size + (size - value.length));
  }
  if (offset !== der.length) fail("trailing bytes");
  return out;
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
}

function signedBytes(timestamp: string, payload: Uint8Array | string): Buffer {
  return Buffer.concat([Buffer.from(timestamp, "utf8"), typeof payload === "string" ? Buffer.from(payload, "utf8") : Buffer.from(payload)]);
}

/** Check a signature with node:crypto (DER accepted as is). False for a mismatch or an undecodable signature. @public */
export function verifySendGridSignature(input: SendGridSignatureInput): boolean {
  return verifyWithNodeKey(nodeKey(input.publicKey), input);
}

function verifyWithNodeKey(key: KeyObject, input: Omit<SendGridSignatureInput, "publicKey">): boolean {
  try {
    return nodeVerify("sha256", signedBytes(input.timestamp, input.payload), { key, dsaEncoding: "der" }, Buffer.from(input.signature, "base64"));
  } catch {
    return false;
  }
}

async function importWebCryptoKey(publicKey: string): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey("spki", new Uint8Array(publicKeyToDer(publicKey)), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
}

async function verifyWithWebCryptoKey(key: CryptoKey, input: Omit<SendGridSignatureInput, "publicKey">): Promise<boolean> {
  let raw: Uint8Array;
  try {
    raw = derToP1363(Buffer.from(input.signature, "base64"));
  } catch {
    return false;
  }
  return globalThis.crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, new Uint8Array(raw), new Uint8Array(signedBytes(input.timestamp, input.payload)));
}

/** Check a signature with WebCrypto (`crypto.subtle`), converting DER to P1363 first. @public */
export async function verifySendGridSignatureWebCrypto(input: SendGridSignatureInput): Promise<boolean> {
  return verifyWithWebCryptoKey(await importWebCryptoKey(input.publicKey), input);
}

/** Options of {@link sendGridEventVerifier}. @public */
export interface SendGridVerifierOptions {
  /** Verification key(s); several during a rotation (re-enabling signing issues a new key). */
  publicKey: string | string[];
  /** Replay window in seconds, either side of now. Default 600. */
  toleranceSeconds?: number | undefined;
  /** Clock in epoch ms. */
  now?: (() => number) | undefined;
  /** `node` (node:crypto, default) or `webcrypto` (crypto.subtle, for runtimes without node:crypto's verify). */
  engine?: "node" | "webcrypto" | undefined;
}

function fail(reason: string, message: string): never {
  throw new WebhookVerificationError(`sendgrid event webhook: ${message}`, { vendor: "sendgrid", reason, status: 401 });
}

/**
 * A verifier for SendGrid's Signed Event Webhook: headers present, timestamp inside the
 * tolerance, ECDSA signature valid for one of the keys over timestamp + raw body.
 * @example
 * const verifier = sendGridEventVerifier({ publicKey: process.env.SENDGRID_WEBHOOK_KEY! });
 * await verifier.verify({ method: "POST", url, headers, rawBody }); // throws WebhookVerificationError
 * @public
 */
export function sendGridEventVerifier(options: SendGridVerifierOptions): WebhookVerifier {
  const keys = (Array.isArray(options.publicKey) ? options.publicKey : [options.publicKey]).filter((k) => k.trim() !== "");
  if (keys.length === 0) throw new TypeError("sendGridEventVerifier needs at least one public key");
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = options.now ?? Date.now;
  const engine = options.engine ?? "node";
  // Parse keys once, up front, so a bad key is a configuration error and not a 401 per request.
  const nodeKeys = keys.map(nodeKey);
  let webKeys: Promise<CryptoKey[]> | undefined;

  return {
    async verify(request) {
      const signature = request.headers[SIGNATURE_HEADER];
      const timestamp = request.headers[TIMESTAMP_HEADER];
      if (!signature || !timestamp) {
        fail("missing_header", `missing ${!signature ? "X-Twilio-Email-Event-Webhook-Signature" : "X-Twilio-Email-Event-Webhook-Timestamp"} header; is signing enabled for this webhook, and does a proxy strip headers?`);
      }
      if (!((request.rawBody as unknown) instanceof Uint8Array)) {
        fail("body_not_raw", "the body is not raw bytes; it was parsed before verification — pass the exact bytes received");
      }
      if (!/^\d{1,12}$/.test(timestamp.trim())) fail("bad_timestamp", `timestamp header "${timestamp.slice(0, 20)}" is not unix seconds`);
      const ageSeconds = Math.abs(now() / 1000 - Number(timestamp.trim()));
      if (ageSeconds > tolerance) {
        fail("stale_timestamp", `timestamp is ${Math.round(ageSeconds)} s away from now (tolerance ${tolerance} s); a replay, or a clock out of sync`);
      }
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature.trim())) fail("malformed_signature", "signature header is not base64");
      const input = { timestamp, signature: signature.trim(), payload: request.rawBody };
      let valid = false;
      if (engine === "webcrypto") {
        webKeys ??= Promise.all(keys.map(importWebCryptoKey));
        for (const key of await webKeys) if (!valid) valid = await verifyWithWebCryptoKey(key, input);
      } else {
        valid = nodeKeys.some((key) => verifyWithNodeKey(key, input));
      }
      if (!valid) {
        const body = Buffer.from(request.rawBody);
        const hint = body.length > 0 && !body.subarray(-2).equals(Buffer.from("\r\n"))
          ? " The body does not end in CRLF as SendGrid's do: it was probably parsed and re-serialised before verification — pass the raw bytes."
          : " Check that the key is this webhook's current verification key and the body is the exact bytes received.";
        fail("bad_signature", `signature does not match.${hint}`);
      }
    },
  };
}

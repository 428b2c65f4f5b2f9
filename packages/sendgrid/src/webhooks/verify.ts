/**
 * Signed Event Webhook verification (shared/vendors/sendgrid.md §6): ECDSA P-256 with
 * SHA-256 — not HMAC — over the UTF-8 timestamp header followed directly by the raw body
 * bytes; the signature header is base64 of an ASN.1 DER `SEQUENCE{r,s}`. node:crypto
 * verifies DER as is; WebCrypto wants IEEE-P1363 `r||s`, so the DER is converted first.
 */
import { createPublicKey, verify as nodeVerify, type KeyObject } from "node:crypto";
import { ecdsaVerifier, WebhookVerificationError, type WebhookRequest, type WebhookVerifier } from "@connect/core";

/** Header carrying the base64 DER signature. @public */
export const SIGNATURE_HEADER = "x-twilio-email-event-webhook-signature";
/** Header carrying the unix-seconds timestamp that was signed. @public */
export const TIMESTAMP_HEADER = "x-twilio-email-event-webhook-timestamp";
/** Default replay window: SendGrid documents none, so this is SDK policy (configurable). @public */
export const DEFAULT_TOLERANCE_SECONDS = 600;

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
  /** Verification key(s) as SendGrid shows them (base64 DER SPKI) or PEM; several during a rotation. */
  publicKey: string | readonly string[];
  /** Replay window in seconds, either side of now. Default 600 (SendGrid documents none). */
  toleranceSeconds?: number | undefined;
  /** Clock in epoch ms. */
  now?: (() => number) | undefined;
  /** `node` (core's node:crypto ECDSA verifier, default) or `webcrypto` (crypto.subtle, DER converted to P1363). */
  engine?: "node" | "webcrypto" | undefined;
}

function fail(reason: string, message: string): never {
  throw new WebhookVerificationError(`sendgrid webhook: ${message}`, { vendor: "sendgrid", reason });
}

/**
 * A verifier for SendGrid's Signed Event Webhook: both headers present, ECDSA P-256
 * signature valid for one of the keys over timestamp + raw body, timestamp inside the
 * tolerance. Failures are `WebhookVerificationError` with core's reasons (`missing_header`,
 * `malformed_signature`, `malformed_timestamp`, `bad_signature`, `stale_timestamp`, `body_parsed`).
 * @example
 * const verifier = sendGridEventVerifier({ publicKey: process.env.SENDGRID_WEBHOOK_PUBLIC_KEY! });
 * await verifier.verify({ method: "POST", url, headers, rawBody }); // throws WebhookVerificationError
 * @public
 */
export function sendGridEventVerifier(options: SendGridVerifierOptions): WebhookVerifier {
  const keys = (typeof options.publicKey === "string" ? [options.publicKey] : [...options.publicKey]).filter((k) => k.trim() !== "");
  if (keys.length === 0) throw new TypeError("sendGridEventVerifier needs at least one public key");
  const toleranceSec = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if ((options.engine ?? "node") === "node") {
    return ecdsaVerifier({ vendor: "sendgrid", publicKeys: keys, signatureHeader: SIGNATURE_HEADER, timestampHeader: TIMESTAMP_HEADER, toleranceSec, now: options.now });
  }
  return webCryptoVerifier(keys, toleranceSec, options.now ?? Date.now);
}

/** The same checks on WebCrypto, for runtimes where only crypto.subtle is available. */
function webCryptoVerifier(keys: string[], toleranceSec: number, now: () => number): WebhookVerifier {
  // Fail at start-up on a key that is not P-256, like the node engine does.
  keys.forEach(nodeKey);
  let imported: Promise<CryptoKey[]> | undefined;
  return {
    async verify(request: WebhookRequest) {
      const body: unknown = (request as { rawBody?: unknown }).rawBody;
      if (typeof body === "string" || body === undefined || body === null) {
        if (body === undefined || body === null) fail("missing_body", "the request has no raw body; pass the body bytes exactly as received");
      } else if (!(body instanceof Uint8Array)) {
        fail("body_parsed", "body was parsed before verification; pass the raw request body and parse after verifying");
      }
      const raw = typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body as Uint8Array);
      const signature = request.headers[SIGNATURE_HEADER]?.trim();
      const timestamp = request.headers[TIMESTAMP_HEADER]?.trim();
      if (!signature) fail("missing_header", `no signature header (${SIGNATURE_HEADER}); is the signed event webhook enabled?`);
      if (!timestamp) fail("missing_header", `no timestamp header (${TIMESTAMP_HEADER})`);
      if (!/^\d{1,16}$/.test(timestamp)) fail("malformed_timestamp", `timestamp ${JSON.stringify(timestamp.slice(0, 40))} is not unix seconds`);
      let p1363: Uint8Array;
      try {
        if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) throw new TypeError("not base64");
        p1363 = derToP1363(Buffer.from(signature, "base64"));
      } catch {
        fail("malformed_signature", "the signature is not base64 of a DER ECDSA signature");
      }
      imported ??= Promise.all(keys.map(importWebCryptoKey));
      const data = new Uint8Array(signedBytes(timestamp, raw));
      let ok = false;
      for (const key of await imported) ok = (await globalThis.crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, new Uint8Array(p1363), data)) || ok;
      if (!ok) {
        const hint = raw.length > 0 && !raw.subarray(-2).equals(Buffer.from("\r\n"))
          ? "; the body does not end in CRLF as SendGrid's do: if it was parsed and re-serialised before verification, pass the raw bytes instead"
          : "";
        fail("bad_signature", `the signature does not match (${keys.length} key${keys.length === 1 ? "" : "s"} tried)${hint}`);
      }
      const skew = now() - Number(timestamp) * 1000;
      if (Math.abs(skew) > toleranceSec * 1000) {
        fail("stale_timestamp", `signed timestamp is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? "old" : "in the future"}, outside the ${toleranceSec} s tolerance: a replayed request, or a server clock that is off`);
      }
    },
  };
}

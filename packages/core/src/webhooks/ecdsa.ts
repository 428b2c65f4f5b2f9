/**
 * ECDSA P-256 / SHA-256 verifier over timestamp + raw body (SendGrid's Signed Event Webhook;
 * shared/vendors/sendgrid.md#6). Public keys as PEM or base64 DER SubjectPublicKeyInfo;
 * signatures as base64 DER (or raw r||s); several keys may be active during rotation.
 */
import { createPublicKey, verify as cryptoVerify, type KeyObject } from "node:crypto";
import type { DedupeStore } from "../idempotency/dedupe.js";
import { assertFresh, badSignatureHints, decodeSignature, headerOf, parseTimestamp, payloadCandidates, rawBodyOf, verificationError, type TimestampOptions } from "./common.js";
import type { SignedPayload, WebhookRequest, WebhookVerifier } from "./types.js";

/** Public keys: one, several (rotation), or a function returning them. @public */
export type PublicKeySource = string | readonly string[] | (() => string | readonly string[] | Promise<string | readonly string[]>);

/** Options of {@link ecdsaVerifier}. @public */
export interface EcdsaVerifierOptions extends TimestampOptions {
  /** Vendor id, for messages. */
  vendor?: string | undefined;
  /** P-256 public keys as PEM or base64 DER SPKI; any may match. */
  publicKeys: PublicKeySource;
  /** Header carrying the base64 signature. */
  signatureHeader: string;
  /** Header carrying the timestamp; `null` for a scheme that signs the body alone (then no replay window applies). */
  timestampHeader: string | null;
  /** The signed bytes (default: timestamp immediately followed by the raw body, no separator). */
  payload?: ((req: WebhookRequest, timestamp: string | undefined) => SignedPayload) | undefined;
  /** Reject a signature seen before within the window (opt-in). */
  replay?: DedupeStore | undefined;
}

/** Parse a P-256 public key from PEM or base64 DER SPKI; throws `invalid_key`. @internal */
export function parseP256PublicKey(text: string, vendor?: string): KeyObject {
  let key: KeyObject;
  try {
    const trimmed = text.trim();
    key = trimmed.startsWith("-----BEGIN")
      ? createPublicKey(trimmed)
      : createPublicKey({ key: Buffer.from(trimmed.replace(/\s+/g, ""), "base64"), format: "der", type: "spki" });
  } catch {
    throw verificationError("invalid_key", "a configured public key is neither PEM nor base64 DER SubjectPublicKeyInfo", vendor);
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw verificationError(
      "invalid_key",
      `a configured public key is ${key.asymmetricKeyType ?? "unknown"}${key.asymmetricKeyDetails?.namedCurve ? ` on ${key.asymmetricKeyDetails.namedCurve}` : ""}, expected EC P-256 (prime256v1)`,
      vendor,
    );
  }
  return key;
}

/** DER `SEQUENCE { r, s }` with a short-form length, as P-256 signatures always have. */
function isDerSequence(sig: Buffer): boolean {
  return sig.length >= 8 && sig.length <= 72 && sig[0] === 0x30 && sig[1] === sig.length - 2 && sig[2] === 0x02;
}

/**
 * Verify an ECDSA P-256 / SHA-256 signature over `timestamp + rawBody`, with a replay window.
 * @example
 * // SendGrid Signed Event Webhook
 * const verifier = ecdsaVerifier({ vendor: "sendgrid", publicKeys: [key],
 *   signatureHeader: "x-twilio-email-event-webhook-signature", timestampHeader: "x-twilio-email-event-webhook-timestamp" });
 * @public
 */
export function ecdsaVerifier(options: EcdsaVerifierOptions): WebhookVerifier {
  const cache = new Map<string, KeyObject>();
  const keyFor = (text: string): KeyObject => {
    let key = cache.get(text);
    if (!key) {
      key = parseP256PublicKey(text, options.vendor);
      if (cache.size > 32) cache.clear();
      cache.set(text, key);
    }
    return key;
  };
  const listKeys = async (): Promise<string[]> => {
    const source = typeof options.publicKeys === "function" ? await options.publicKeys() : options.publicKeys;
    const list = typeof source === "string" ? [source] : [...(source ?? [])];
    return list.filter((key): key is string => typeof key === "string" && key.trim() !== "");
  };
  // Static keys are parsed now, so a wrong key fails at start-up rather than on the first event.
  if (typeof options.publicKeys !== "function") {
    for (const text of typeof options.publicKeys === "string" ? [options.publicKeys] : options.publicKeys) if (text.trim() !== "") keyFor(text);
  }
  const unit = options.timestampUnit ?? "s";

  return {
    async verify(req) {
      const body = rawBodyOf(req, options.vendor);
      const header = headerOf(req, options.signatureHeader)?.trim();
      if (!header) throw verificationError("missing_header", `no signature header (${options.signatureHeader}); is the signed event webhook enabled?`, options.vendor);
      let timestamp: string | undefined;
      let timestampMs: number | undefined;
      if (options.timestampHeader !== null) {
        timestamp = headerOf(req, options.timestampHeader)?.trim();
        if (!timestamp) throw verificationError("missing_header", `no timestamp header (${options.timestampHeader})`, options.vendor);
        timestampMs = parseTimestamp(timestamp, unit, options.vendor);
      }
      const signature = decodeSignature(header, "base64");
      const encoding = signature && isDerSequence(signature) ? "der" : signature?.length === 64 ? "ieee-p1363" : undefined;
      if (!signature || !encoding) {
        throw verificationError("malformed_signature", "the signature is not base64 of a DER (or 64-byte r||s) ECDSA signature", options.vendor);
      }
      const keys = (await listKeys()).map(keyFor);
      if (keys.length === 0) throw verificationError("no_secret", "no public key is configured", options.vendor);
      const full = req.rawBody === body ? req : { ...req, rawBody: body };
      const payloads = payloadCandidates(
        options.payload ? options.payload(full, timestamp) : timestamp === undefined ? body : Buffer.concat([Buffer.from(timestamp, "utf8"), body]),
      );
      let ok = false;
      for (const key of keys) {
        for (const payload of payloads) {
          try {
            ok = cryptoVerify("sha256", payload, { key, dsaEncoding: encoding }, signature) || ok;
          } catch {
            throw verificationError("malformed_signature", "the signature is not a valid DER ECDSA signature", options.vendor);
          }
        }
      }
      if (!ok) {
        const hint = badSignatureHints(body, [], () => false);
        throw verificationError("bad_signature", `the signature does not match (${keys.length} key${keys.length === 1 ? "" : "s"} tried)${hint}`, options.vendor);
      }
      if (timestampMs !== undefined) assertFresh(timestampMs, options, options.vendor);
      if (options.replay) {
        const windowMs = (options.toleranceSec ?? 300) * 2000;
        if (await options.replay.seen(`ecdsa:${signature.toString("base64")}`, windowMs)) {
          throw verificationError("replayed", "this signature was already accepted within the tolerance window (a replayed request)", options.vendor);
        }
      }
    },
  };
}

/**
 * Strict decoding of the `X-Twilio-Email-Event-Webhook-Signature` header: canonical base64
 * of an ASN.1 DER `SEQUENCE{INTEGER r, INTEGER s}` (shared/vendors/sendgrid.md §6). Every
 * SendGrid verify function goes through here, so the one-shot helpers and the request
 * verifier give the same answer for the same header. Lenient decoders (`Buffer.from(s,
 * "base64")`) stop at the first character outside the alphabet, so "valid signature +
 * garbage" would decode to the valid signature; this one refuses it.
 */

const BASE64_CANONICAL = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decode canonical (RFC 4648 §4, padded) base64; `undefined` for anything else: whitespace,
 * the URL-safe alphabet, missing or extra padding, non-zero pad bits, characters after the end.
 * @internal
 */
export function decodeCanonicalBase64(text: string): Buffer | undefined {
  if (text.length === 0 || !BASE64_CANONICAL.test(text)) return undefined;
  const bytes = Buffer.from(text, "base64");
  // Re-encoding must give the same text: this rejects non-zero bits in the last character's padding.
  return bytes.toString("base64") === text ? bytes : undefined;
}

/** Read a DER length at `offset`; definite form only, and the shortest form (DER, X.690 §10.1). */
function readLength(der: Uint8Array, offset: number, fail: (why: string) => never): { length: number; next: number } {
  const first = der[offset];
  if (first === undefined) return fail("truncated length");
  if (first < 0x80) return { length: first, next: offset + 1 };
  if (first !== 0x81) return fail("unsupported length form");
  const value = der[offset + 1];
  if (value === undefined) return fail("truncated length");
  if (value < 0x80) return fail("length not in its shortest form");
  return { length: value, next: offset + 2 };
}

/**
 * Convert an ASN.1 DER ECDSA signature (`SEQUENCE{INTEGER r, INTEGER s}`) into IEEE-P1363
 * `r||s` (64 bytes for P-256), the form WebCrypto's `subtle.verify` requires. Strict DER:
 * throws `TypeError` for trailing bytes, a non-minimal or negative INTEGER, a zero value, a
 * long-form length where the short form fits, or a value too large for the curve — the same
 * encodings node:crypto (OpenSSL) refuses, so both engines agree.
 * @public
 */
export function derToP1363(der: Uint8Array, size = 32): Uint8Array {
  const fail = (why: string): never => {
    throw new TypeError(`not a DER ECDSA signature: ${why}`);
  };
  if (der[0] !== 0x30) fail("expected SEQUENCE");
  const sequence = readLength(der, 1, fail);
  if (sequence.next + sequence.length !== der.length) fail(sequence.next + sequence.length < der.length ? "trailing bytes" : "SEQUENCE length does not match");
  const out = new Uint8Array(size * 2);
  let offset = sequence.next;
  for (const part of [0, 1]) {
    if (der[offset] !== 0x02) fail("expected INTEGER");
    const integer = readLength(der, offset + 1, fail);
    const start = integer.next;
    const end = start + integer.length;
    if (integer.length === 0 || end > der.length) fail("bad INTEGER length");
    const lead = der[start]!;
    if (lead & 0x80) fail("negative INTEGER");
    if (lead === 0 && integer.length > 1 && !(der[start + 1]! & 0x80)) fail("INTEGER not in its shortest form");
    const value = lead === 0 && integer.length > 1 ? der.subarray(start + 1, end) : der.subarray(start, end);
    if (value.length > size) fail("INTEGER too large for the curve");
    if (value.every((byte) => byte === 0)) fail("INTEGER is zero");
    out.set(value, part * size + (size - value.length));
    offset = end;
  }
  if (offset !== der.length) fail("trailing bytes");
  return out;
}

/** A decoded signature header: the DER bytes (node:crypto) and their P1363 form (WebCrypto). @internal */
export interface DecodedSignature {
  der: Buffer;
  p1363: Uint8Array;
}

/** Decode a signature header strictly; `undefined` when it is not canonical base64 of strict DER. @internal */
export function decodeSendGridSignatureHeader(header: string): DecodedSignature | undefined {
  const der = decodeCanonicalBase64(header);
  if (!der) return undefined;
  try {
    return { der, p1363: derToP1363(der) };
  } catch {
    return undefined;
  }
}

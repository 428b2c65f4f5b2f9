/** Constant-time comparison that never throws on a length mismatch. */
import { timingSafeEqual } from "node:crypto";

/**
 * Compare two byte sequences in constant time (for equal lengths); different lengths are
 * unequal, after a dummy comparison of the same cost, and never throw.
 * @public
 */
export function timingSafeEqualBuffers(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/**
 * Compare two strings (as UTF-8) in constant time; for signatures, tokens and secrets in URLs.
 * @example
 * if (!timingSafeEqualStrings(url.searchParams.get("token") ?? "", expectedToken)) reject();
 * @public
 */
export function timingSafeEqualStrings(a: string, b: string): boolean {
  return timingSafeEqualBuffers(Buffer.from(String(a), "utf8"), Buffer.from(String(b), "utf8"));
}

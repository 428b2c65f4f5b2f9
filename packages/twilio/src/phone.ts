/**
 * Phone number validation and E.164 normalisation with libphonenumber-js (full metadata),
 * run inside the input schemas so a bad number is a `ValidationError` before any I/O.
 */
import { createRequire } from "node:module";
import type { CountryCode } from "libphonenumber-js/max";

type PhoneLibrary = typeof import("libphonenumber-js/max");
// libphonenumber-js's full metadata is loaded on the first number checked, not at import (it is
// ≈ 25–35 ms of a cold start): a process that only receives webhooks never loads it. A require()
// from this module's own URL (tsup provides import.meta.url in the CommonJS build too).
let phoneLibrary: PhoneLibrary | undefined;
function parsePhoneNumberFromString(text: string, defaultCountry: CountryCode): ReturnType<PhoneLibrary["parsePhoneNumberFromString"]> {
  phoneLibrary ??= createRequire(import.meta.url)("libphonenumber-js/max") as PhoneLibrary;
  return phoneLibrary.parsePhoneNumberFromString(text, defaultCountry);
}

/**
 * Channel prefixes whose address is a phone number (`whatsapp:+1…`, shared/vendors/twilio.md §2).
 * Other channels address recipients by ids the SDK cannot validate, so they are not accepted.
 * @public
 */
export const CHANNEL_PREFIXES = ["whatsapp"] as const;

/** Outcome of {@link normalizePhoneNumber}. @public */
export type PhoneNormalization = { ok: true; e164: string } | { ok: false; reason: string };

/**
 * Parse `value` as a phone number and return it in E.164 (`+14155550100`). Numbers without a
 * `+` are read in `defaultCountry` (US by default).
 * @example normalizePhoneNumber("(415) 555-0100") // { ok: true, e164: "+14155550100" }
 * @public
 */
export function normalizePhoneNumber(value: string, defaultCountry: CountryCode = "US"): PhoneNormalization {
  const trimmed = value.trim();
  if (trimmed === "") return { ok: false, reason: "is empty" };
  if (/[a-z]/i.test(trimmed)) return { ok: false, reason: `"${trimmed}" contains letters` };
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry);
  if (!parsed) return { ok: false, reason: `"${trimmed}" is not a phone number` };
  if (!parsed.isValid()) return { ok: false, reason: `"${trimmed}" is not a valid phone number (${parsed.number})` };
  return { ok: true, e164: parsed.number };
}

/** Split `whatsapp:+1…` into its channel and address; plain numbers have no channel. @internal */
export function splitChannel(value: string): { channel: string | undefined; address: string } {
  const match = /^([a-z]+):(.*)$/i.exec(value.trim());
  if (match && (CHANNEL_PREFIXES as readonly string[]).includes(match[1]!.toLowerCase())) {
    return { channel: match[1]!.toLowerCase(), address: match[2]! };
  }
  return { channel: undefined, address: value };
}

/**
 * Normalise a recipient (`To`): an E.164 number, or a channel address whose number part is
 * normalised (`whatsapp:(415) 555-0100` → `whatsapp:+14155550100`).
 * @public
 */
export function normalizeRecipient(value: string, defaultCountry: CountryCode = "US"): PhoneNormalization {
  const { channel, address } = splitChannel(value);
  const result = normalizePhoneNumber(address, defaultCountry);
  if (!result.ok || !channel) return result;
  return { ok: true, e164: `${channel}:${result.e164}` };
}

/** A US/CA short code (5–6 digits). @internal */
export const SHORT_CODE = /^\d{5,6}$/;
/** An alphanumeric sender ID: 1–11 letters, digits and spaces, at least one letter. @internal */
export const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;

/**
 * Normalise a sender (`From`): a short code or alphanumeric sender ID is kept as is; anything
 * else must be a phone number or channel address and is normalised to E.164.
 * @public
 */
export function normalizeSender(value: string, defaultCountry: CountryCode = "US"): PhoneNormalization {
  const trimmed = value.trim();
  if (SHORT_CODE.test(trimmed)) return { ok: true, e164: trimmed };
  if (!trimmed.includes(":") && ALPHANUMERIC_SENDER.test(trimmed)) return { ok: true, e164: trimmed };
  return normalizeRecipient(trimmed, defaultCountry);
}

/** ISO 3166-1 alpha-2 country code (libphonenumber-js), used to read numbers written without `+`. @public */
export type { CountryCode };

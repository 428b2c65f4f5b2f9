/**
 * What Twilio accepts and answers, as the fake applies it (shared/vendors/twilio.md §2–§4),
 * written independently of the SDK's schemas so contract tests catch the two drifting apart:
 * error texts and HTTP statuses by code, the test-credential magic numbers, address shapes,
 * segment counting, opt-out words, date formats.
 * @internal
 */
import { randomBytes } from "node:crypto";

export const MAGIC_SENDER = "+15005550006";
export const MAGIC_FROM: Record<string, number> = { "+15005550001": 21212, "+15005550007": 21606, "+15005550008": 21611 };
export const MAGIC_TO: Record<string, number> = { "+15005550001": 21211, "+15005550002": 21612, "+15005550003": 21408, "+15005550004": 21610, "+15005550009": 21614 };
export const E164 = /^\+[1-9]\d{6,14}$/;
export const STOP_WORDS = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"]);
export const START_WORDS = new Set(["START", "YES", "UNSTOP"]);
// Failures that never leave Twilio are `failed`; carrier-side ones are `undelivered` (shared/vendors/twilio.md §2).
export const FAILED_CODES = new Set([30001, 30002, 30032, 30034]);
export const ERROR_TEXT: Record<number, string> = {
  20001: "Invalid parameter",
  20003: "Authenticate",
  20404: "The requested resource was not found",
  20429: "Too Many Requests",
  20500: "An internal server error has occurred",
  21211: "The 'To' number is not a valid phone number.",
  21212: "The 'From' number is not a valid phone number, shortcode, or alphanumeric sender ID.",
  21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number.",
  21602: "Message body is required.",
  21606: "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination/account.",
  21608: "The number is unverified. Trial accounts may only send messages to verified numbers.",
  21609: "Invalid StatusCallback URL.",
  21610: "Attempt to send to unsubscribed recipient",
  21611: "This 'From' number has exceeded the maximum number of queued messages",
  21612: "The 'To' phone number is not currently reachable via SMS.",
  21614: "'To' number is not a valid mobile number",
  21617: "The concatenated message body exceeds the 1600 character limit.",
  30001: "Queue overflow",
  30409: "This message cannot be canceled",
  30003: "Unreachable destination handset",
  30005: "Unknown destination handset",
  30006: "Landline or unreachable carrier",
  30007: "Message filtered",
  30008: "Unknown error",
};
export const DEFAULT_STATUS: Record<number, number> = { 20003: 401, 20404: 404, 20429: 429, 20500: 500 };

export function hex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

export function rfc2822(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toUTCString().replace("GMT", "+0000");
}

// The fake's own segment count (GSM-7 160/153, else UCS-2 70/67), independent of the SDK's.
export const GSM = new Set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€\f");
export function segmentsOf(body: string): number {
  if (body === "") return 0;
  const gsm = [...body].every((c) => GSM.has(c));
  const units = gsm ? [...body].reduce((n, c) => n + ("^{}\\[~]|€\f".includes(c) ? 2 : 1), 0) : body.length;
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  return units <= single ? 1 : Math.ceil(units / multi);
}

export function isSender(value: string): boolean {
  return E164.test(value) || /^\d{5,6}$/.test(value) || /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/.test(value) || /^whatsapp:\+[1-9]\d{6,14}$/.test(value);
}

export function isRecipient(value: string): boolean {
  return E164.test(value) || /^whatsapp:\+[1-9]\d{6,14}$/.test(value);
}

export function validCallback(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "" && !url.hostname.includes("_");
  } catch {
    return false;
  }
}

export function formOf(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prior = out[k];
    out[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
  }
  return out;
}

export const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
export const many = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** `RawDlrDoneDate`: `YYMMDDhhmm` in UTC, no zone. */
export function dlrDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}`;
}

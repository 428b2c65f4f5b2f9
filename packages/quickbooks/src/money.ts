/**
 * Money without float arithmetic. The platform holds amounts as integer cents or decimal
 * strings; QuickBooks puts JSON numbers on the wire (shared/vendors/quickbooks.md §3). Every
 * conversion here goes through digit strings, so 0.1 + 0.2 never happens.
 */
import { ValidationError } from "@connect/core";

/** An amount as a decimal string (`"12500.50"`, at most 2 decimals) or integer cents (`{ cents: 1250050 }`). @public */
export type Money = string | { cents: number };

const DECIMAL = /^(-)?(\d{1,13})(?:\.(\d{1,2}))?$/;

/** True when `value` is a usable {@link Money}. @internal */
export function isMoney(value: unknown): value is Money {
  if (typeof value === "string") return DECIMAL.test(value.trim());
  return !!value && typeof value === "object" && Number.isSafeInteger((value as { cents?: unknown }).cents);
}

/**
 * Integer cents of a {@link Money}; throws `ValidationError` for anything else
 * (a float such as 12.345, an exponent, more than 2 decimals).
 * @public
 */
export function toCents(value: Money, field = "amount"): number {
  if (typeof value === "object" && value !== null) {
    if (Number.isSafeInteger(value.cents)) return value.cents;
  } else if (typeof value === "string") {
    const match = DECIMAL.exec(value.trim());
    if (match) {
      const cents = Number(match[2]) * 100 + Number((match[3] ?? "").padEnd(2, "0"));
      return match[1] ? -cents : cents;
    }
  }
  throw new ValidationError(`${field} must be a decimal string with at most 2 decimals ("12500.50") or { cents: <integer> }`, {
    vendor: "quickbooks",
    issues: [{ path: field, message: "not a money amount" }],
  });
}

/** Cents as a decimal string with 2 decimals (`1250050` → `"12500.50"`). @public */
export function centsToDecimal(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`centsToDecimal: ${cents} is not an integer number of cents`);
  const sign = cents < 0 ? "-" : "";
  const digits = String(Math.abs(cents)).padStart(3, "0");
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/**
 * The JSON number QuickBooks expects for `cents`. Built from the decimal string, so the number
 * is the exact shortest representation of the amount (1250050 → 12500.5).
 * @public
 */
export function centsToWire(cents: number): number {
  return Number(centsToDecimal(cents));
}

/**
 * Cents of a QuickBooks amount (a JSON number or numeric string), read from its digits
 * rather than multiplied, so 0.29 is 29 cents and not 28.999…; more than 2 decimals is refused.
 * @public
 */
export function wireToCents(value: number | string | undefined | null): number {
  if (value === undefined || value === null) return 0;
  const text = typeof value === "number" ? numberText(value) : value.trim();
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new RangeError(`wireToCents: ${JSON.stringify(value)} is not a decimal amount`);
  const fraction = (match[3] ?? "").replace(/0+$/, "");
  if (fraction.length > 2) throw new RangeError(`wireToCents: ${text} has more than 2 decimals`);
  const cents = Number(match[2]) * 100 + Number(fraction.padEnd(2, "0"));
  return match[1] ? -cents : cents;
}

function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`wireToCents: ${value} is not finite`);
  const text = String(value);
  // Tiny or huge numbers print with an exponent; amounts never should.
  if (/e/i.test(text)) throw new RangeError(`wireToCents: ${text} is not a plain decimal amount`);
  return text;
}

/**
 * Value normalisers for extracted text: Textract returns what is printed ("12,500 sq. ft.",
 * "$1,250.00", "Yes", "03/14/2024"), the platform needs numbers, booleans and ISO dates.
 * Each normaliser returns `undefined` when the text does not hold a value of its kind, so the
 * field is flagged for review instead of carrying a wrong value.
 */

/** A function from extracted text to a typed value (undefined = not recognisable). @public */
export type Normaliser<T> = (raw: string) => T | undefined;

const NUMBER_RE = /[-+]?(?:\d{1,3}(?:[,\s]\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+/;

/** The first number in the text, ignoring thousands separators and units ("12,500 sq ft" → 12500). @public */
export const toNumber: Normaliser<number> = (raw) => {
  const match = NUMBER_RE.exec(raw.replace(/\u00a0/g, " "));
  if (!match) return undefined;
  const value = Number(match[0].replace(/[,\s]/g, ""));
  return Number.isFinite(value) ? value : undefined;
};

/** A whole number ("42 trees" → 42); a fractional number is not an integer. @public */
export const toInteger: Normaliser<number> = (raw) => {
  const value = toNumber(raw);
  return value !== undefined && Number.isInteger(value) ? value : undefined;
};

/** An amount of money ("$1,250.00", "USD 1 250", "(300.00)" → -300), rounded to cents. @public */
export const toCurrency: Normaliser<number> = (raw) => {
  const negative = /^\s*\(.*\)\s*$/.test(raw) || /^\s*-/.test(raw.replace(/[$€£]|USD/g, "").trim());
  const value = toNumber(raw.replace(/^\s*\(|\)\s*$/g, "").replace(/-/g, ""));
  if (value === undefined) return undefined;
  const cents = Math.round(Number(`${value}e2`)) / 100;
  return negative ? -cents : cents;
};

/** A percentage 0–100 ("75%", "75 percent", "0.75" stays 0.75). @public */
export const toPercent: Normaliser<number> = (raw) => {
  const value = toNumber(raw);
  return value !== undefined && value >= 0 && value <= 100 ? value : undefined;
};

/** An area in square feet; acres are converted ("0.25 acres" → 10890, "12,500 sq ft" → 12500). @public */
export const toSquareFeet: Normaliser<number> = (raw) => {
  const value = toNumber(raw);
  if (value === undefined) return undefined;
  if (/\bac(?:res?|\.)?\b/i.test(raw)) return Math.round(value * 43_560 * 100) / 100;
  return value;
};

/** A distance in feet ("25 ft", "25'", "7.5 m" → 24.61). @public */
export const toFeet: Normaliser<number> = (raw) => {
  const value = toNumber(raw);
  if (value === undefined) return undefined;
  if (/\d\s*(?:m|meters?|metres?)\b/i.test(raw)) return Math.round(value * 3.28084 * 100) / 100;
  return value;
};

const YES = new Set(["yes", "y", "true", "x", "checked", "selected", "required", "pass", "passed", "approved"]);
const NO = new Set(["no", "n", "false", "none", "not required", "unchecked", "not selected", "fail", "failed", "n/a"]);

/** Yes/no ("Yes", "Y", "X", "Passed" → true; "No", "N/A", "Failed" → false). @public */
export const toBoolean: Normaliser<boolean> = (raw) => {
  const text = raw.trim().toLowerCase().replace(/[.!]+$/, "");
  if (YES.has(text)) return true;
  if (NO.has(text)) return false;
  return undefined;
};

/** A list split on `;` or `,` (and " and "), trimmed, empties dropped ("A; B, C" → ["A","B","C"]). @public */
export const toList: Normaliser<string[]> = (raw) => {
  const parts = raw
    .split(/;|,|\band\b/i)
    .map((p) => p.trim())
    .filter((p) => p !== "" && !/^(?:none|n\/a)$/i.test(p));
  return parts;
};

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

function iso(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) return undefined;
  return date.toISOString().slice(0, 10);
}

function fullYear(year: number): number {
  return year < 100 ? (year < 70 ? 2000 + year : 1900 + year) : year;
}

/**
 * An ISO date (YYYY-MM-DD) from "2024-03-14", "03/14/2024", "3-14-24", "March 14, 2024" or
 * "14 Mar 2024". Numeric dates are read US-style (month first), the platform's locale.
 * @public
 */
export const toDate: Normaliser<string> = (raw) => {
  const text = raw.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(text);
  if (m) return iso(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})/.exec(text);
  if (m) return iso(fullYear(Number(m[3])), Number(m[1]), Number(m[2]));
  m = /([A-Za-z]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})/.exec(text);
  if (m) {
    const month = MONTHS.indexOf(m[1]!.slice(0, 3).toLowerCase());
    if (month >= 0) return iso(Number(m[3]), month + 1, Number(m[2]));
  }
  m = /(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,})\.?,?\s+(\d{4})/.exec(text);
  if (m) {
    const month = MONTHS.indexOf(m[2]!.slice(0, 3).toLowerCase());
    if (month >= 0) return iso(Number(m[3]), month + 1, Number(m[1]));
  }
  return undefined;
};

/** Trimmed text with runs of whitespace collapsed; empty → undefined. @public */
export const toText: Normaliser<string> = (raw) => {
  const text = raw.replace(/\s+/g, " ").trim();
  return text === "" ? undefined : text;
};

/** An identifier (parcel/permit number): text with spaces around dashes removed ("123 - 456" → "123-456"). @public */
export const toIdentifier: Normaliser<string> = (raw) => {
  const text = toText(raw)?.replace(/\s*([-/.])\s*/g, "$1").replace(/^(?:no\.?|#)\s*/i, "");
  return text === "" ? undefined : text;
};

/** A FEMA flood zone code ("Zone AE" → "AE", "x (shaded)" → "X"). @public */
export const toFloodZone: Normaliser<string> = (raw) => {
  const m = /\b(?:zone\s+)?(A[EHO]?|A\d{1,2}|AR|A99|V[E]?|V\d{1,2}|X|B|C|D)\b/i.exec(raw.trim());
  return m ? m[1]!.toUpperCase() : undefined;
};

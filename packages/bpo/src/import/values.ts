/**
 * Cell parsers for export rows: legacy exports write money as `$1,250,000.00`, dates as
 * `6/3/2024`, Firestore timestamps as `{ _seconds, _nanoseconds }`, and lose the leading zero of
 * New England ZIP codes when they pass through a spreadsheet. Each parser returns a value, null
 * for an empty cell, or throws a {@link CellError} whose message becomes the row's reason.
 */

/** A cell that cannot be read; the message says why. @internal */
export class CellError extends Error {}

/** The cell as trimmed text, or null when empty (`""`, `NULL`, `N/A`, `-`). @internal */
export function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value !== "string") throw new CellError(`expected text, got ${Array.isArray(value) ? "a list" : typeof value}`);
  const trimmed = value.trim();
  return trimmed === "" || (trimmed.length <= 4 && /^(null|n\/a|-)$/i.test(trimmed)) ? null : trimmed;
}

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
const GROUPED_NUMBER = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/;

/** A non-negative amount: `1250000`, `1,250,000.00`, `$1,250,000`, `USD 950000`; empty → null. @internal */
export function money(value: unknown): number | null {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) throw new CellError(`${value} is not a non-negative amount`);
    return value;
  }
  const raw = text(value);
  if (raw === null) return null;
  // Most cells are plain digits: nothing to strip.
  if (PLAIN_NUMBER.test(raw)) {
    const amount = Number(raw);
    if (amount < 0) throw new CellError(`${JSON.stringify(raw)} is negative`);
    return amount;
  }
  const cleaned = raw.replace(/^(usd\s*|\$\s*)/i, "").replace(/\s*usd$/i, "");
  if (!PLAIN_NUMBER.test(cleaned) && !GROUPED_NUMBER.test(cleaned)) throw new CellError(`${JSON.stringify(raw)} is not a number`);
  const amount = Number(cleaned.replaceAll(",", ""));
  if (amount < 0) throw new CellError(`${JSON.stringify(raw)} is negative`);
  return amount;
}

const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]m)?)?$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

function fromParts(raw: string, year: number, month: number, day: number, hour = 0, minute = 0, second = 0): string {
  if (!isCalendarDate(year, month, day)) throw new CellError(`${JSON.stringify(raw)} is not a calendar date`);
  if (hour > 23 || minute > 59 || second > 59) throw new CellError(`${JSON.stringify(raw)} is not a time of day`);
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second)).toISOString();
}

/**
 * A point in time as ISO 8601 (UTC): ISO dates and date-times (without an offset read as UTC),
 * US `M/D/YYYY [h:mm[:ss] [AM|PM]]` (UTC), epoch seconds or milliseconds, and Firestore
 * timestamps (`{ _seconds, _nanoseconds }` or `{ seconds, nanoseconds }`); empty → null.
 * @internal
 */
export function timestamp(value: unknown): string | null {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new CellError("invalid date");
    return value.toISOString();
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const seconds = v._seconds ?? v.seconds;
    const nanos = v._nanoseconds ?? v.nanoseconds ?? 0;
    if (typeof seconds === "number" && typeof nanos === "number") return new Date(seconds * 1000 + Math.floor(nanos / 1e6)).toISOString();
    throw new CellError("expected a date or a Firestore timestamp");
  }
  if (typeof value === "number") return epoch(value, String(value));
  const raw = text(value);
  if (raw === null) return null;
  // Fast path: already canonical (what Firestore and JavaScript's toISOString write).
  if (CANONICAL.test(raw)) {
    if (!isCalendarDate(Number(raw.slice(0, 4)), Number(raw.slice(5, 7)), Number(raw.slice(8, 10)))) throw new CellError(`${JSON.stringify(raw)} is not a calendar date`);
    if (Number(raw.slice(11, 13)) > 23 || Number(raw.slice(14, 16)) > 59 || Number(raw.slice(17, 19)) > 59) throw new CellError(`${JSON.stringify(raw)} is not a time of day`);
    return raw;
  }
  if (/^\d{9,13}$/.test(raw)) return epoch(Number(raw), raw);
  if (ISO_DATE.test(raw)) {
    const [y, m, d] = raw.split("-").map(Number) as [number, number, number];
    return fromParts(raw, y, m, d);
  }
  if (ISO_DATE_TIME.test(raw)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(raw);
    const parsed = Date.parse(hasZone ? raw.replace(" ", "T") : `${raw.replace(" ", "T")}Z`);
    if (Number.isNaN(parsed)) throw new CellError(`${JSON.stringify(raw)} is not a date`);
    // Date.parse may roll 2024-02-30 over to March; check the calendar date itself.
    if (!isCalendarDate(Number(raw.slice(0, 4)), Number(raw.slice(5, 7)), Number(raw.slice(8, 10)))) throw new CellError(`${JSON.stringify(raw)} is not a calendar date`);
    return new Date(parsed).toISOString();
  }
  const us = US_DATE.exec(raw);
  if (us) {
    let hour = us[4] === undefined ? 0 : Number(us[4]);
    const meridiem = us[7]?.toLowerCase();
    if (meridiem) {
      if (hour < 1 || hour > 12) throw new CellError(`${JSON.stringify(raw)} has an invalid hour`);
      hour = (hour % 12) + (meridiem === "pm" ? 12 : 0);
    }
    return fromParts(raw, Number(us[3]), Number(us[1]), Number(us[2]), hour, us[5] === undefined ? 0 : Number(us[5]), us[6] === undefined ? 0 : Number(us[6]));
  }
  throw new CellError(`${JSON.stringify(raw)} is not a date`);
}

function epoch(value: number, raw: string): string {
  if (!Number.isFinite(value) || value < 0) throw new CellError(`${raw} is not a date`);
  // Ten digits or fewer are seconds (until 2286); more are milliseconds.
  return new Date(value < 1e11 ? value * 1000 : value).toISOString();
}

/** A US ZIP: `94110`, `94110-1234`, `941101234`; 3–4 digits are left-padded (a spreadsheet ate the zeros). @internal */
export function zip(value: unknown): string | null {
  const raw = text(value);
  if (raw === null) return null;
  if (/^\d{5}(-\d{4})?$/.test(raw)) return raw;
  if (/^\d{9}$/.test(raw)) return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  if (/^\d{3,4}$/.test(raw)) return raw.padStart(5, "0");
  throw new CellError(`${JSON.stringify(raw)} is not a ZIP code`);
}

/** A two-letter state code, upper-cased; longer names are kept as given (BPO accepts free text). @internal */
export function state(value: unknown): string | null {
  const raw = text(value);
  if (raw === null) return null;
  return /^[a-z]{2}$/i.test(raw) ? raw.toUpperCase() : raw;
}

/** A status mapping keyed case-insensitively (`New Lead`, `new lead` and `NEW LEAD` are one key). @internal */
export function statusLookup(mapping: Readonly<Record<string, string>> | undefined): ReadonlyMap<string, string> {
  return new Map(Object.entries(mapping ?? {}).map(([from, to]) => [from.trim().toLowerCase(), to]));
}

/** A status, canonicalised: `In Feasibility` → mapping, `lead` → `LEAD`, `Under contract` → `UNDER_CONTRACT`. @internal */
export function status(value: unknown, mapping: ReadonlyMap<string, string>): string | null {
  const raw = text(value);
  if (raw === null) return null;
  const mapped = mapping.size > 0 ? (mapping.get(raw.toLowerCase()) ?? raw) : raw;
  const canonical = mapped.trim().toUpperCase().replace(/[\s-]+/g, "_");
  if (!/^[A-Z][A-Z0-9_]*$/.test(canonical)) throw new CellError(`${JSON.stringify(raw)} is not a status`);
  return canonical;
}

const EMAIL = /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/;

/** An email address, lower-cased; empty → null. @internal */
export function email(value: unknown): string | null {
  const raw = text(value);
  if (raw === null) return null;
  if (!EMAIL.test(raw)) throw new CellError(`${JSON.stringify(raw)} is not an email address`);
  return raw.toLowerCase();
}

/** Free text with line breaks kept as `\n`; empty → null. @internal */
export function note(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") return text(value);
  const normalised = value.replace(/\r\n?/g, "\n").trim();
  return normalised === "" ? null : normalised;
}

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
  if (typeof value === "string") {
    const trimmed = value.trim();
    return trimmed === "" || (trimmed.length <= 4 && isNullWord(trimmed)) ? null : trimmed;
  }
  if (value === undefined || value === null) return null;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new CellError(`expected text, got ${Array.isArray(value) ? "a list" : typeof value}`);
}

/** `/^(null|n\/a|-)$/i` without a regex: `-`, `N/A`, `NULL` in any (ASCII) case. */
function isNullWord(t: string): boolean {
  switch (t.length) {
    case 1:
      return t === "-";
    case 3:
      return (t.charCodeAt(0) | 0x20) === 0x6e && t.charCodeAt(1) === 0x2f && (t.charCodeAt(2) | 0x20) === 0x61;
    case 4:
      return (t.charCodeAt(0) | 0x20) === 0x6e && (t.charCodeAt(1) | 0x20) === 0x75 && (t.charCodeAt(2) | 0x20) === 0x6c && (t.charCodeAt(3) | 0x20) === 0x6c;
    default:
      return false;
  }
}

/** An ASCII digit's value, or -1. */
function digit(s: string, at: number): number {
  const c = s.charCodeAt(at) - 0x30;
  return c >= 0 && c <= 9 ? c : -1;
}

/** `count` ASCII digits from `at`: their value, or -1. */
function digits(s: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = digit(s, i);
    if (d < 0) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * The value of a `PLAIN_NUMBER` (`-?\d+(\.\d+)?`) read without a regex, or NaN when the text is
 * not one. Whole numbers of up to 15 digits are summed exactly; anything else goes to Number().
 */
function plainNumber(s: string): number {
  const n = s.length;
  const negative = s.charCodeAt(0) === 0x2d;
  let i = negative ? 1 : 0;
  const start = i;
  let whole = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    whole = whole * 10 + d;
  }
  if (i === start) return Number.NaN;
  if (i === n) return i - start <= 15 ? (negative ? -whole : whole) : Number(s);
  if (s.charCodeAt(i) !== 0x2e) return Number.NaN;
  const fraction = ++i;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return Number.NaN;
  }
  return i > fraction ? Number(s) : Number.NaN;
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
  const plain = plainNumber(raw);
  if (!Number.isNaN(plain)) {
    if (plain < 0) throw new CellError(`${JSON.stringify(raw)} is negative`);
    return plain;
  }
  const cleaned = raw.replace(/^(usd\s*|\$\s*)/i, "").replace(/\s*usd$/i, "");
  if (!PLAIN_NUMBER.test(cleaned) && !GROUPED_NUMBER.test(cleaned)) throw new CellError(`${JSON.stringify(raw)} is not a number`);
  const amount = Number(cleaned.replaceAll(",", ""));
  if (amount < 0) throw new CellError(`${JSON.stringify(raw)} is negative`);
  return amount;
}

const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]m)?)?$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
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
  if (typeof value === "string") {
    const raw = text(value);
    if (raw === null) return null;
    // Fast path: already canonical (what Firestore and JavaScript's toISOString write).
    if (raw.length === 24 && isCanonical(raw)) {
      if (!isCalendarDate(two(raw, 0) * 100 + two(raw, 2), two(raw, 5), two(raw, 8))) throw new CellError(`${JSON.stringify(raw)} is not a calendar date`);
      if (two(raw, 11) > 23 || two(raw, 14) > 59 || two(raw, 17) > 59) throw new CellError(`${JSON.stringify(raw)} is not a time of day`);
      return raw;
    }
    return fromText(raw);
  }
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
  // A boolean (or nothing): never a date's text.
  const raw = text(value);
  return raw === null ? null : fromText(raw);
}

/** `YYYY-MM-DDTHH:mm:ss.sssZ`: 0 where a digit goes, else the character. */
const CANONICAL_SHAPE = Array.from("0000-00-00T00:00:00.000Z", (c) => (c === "0" ? 0 : c.charCodeAt(0)));

/** Whether a 24-character text is a canonical time (`/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/`, without a regex). */
function isCanonical(raw: string): boolean {
  for (let i = 0; i < 24; i++) {
    const c = raw.charCodeAt(i);
    const want = CANONICAL_SHAPE[i]!;
    if (want === 0 ? c < 0x30 || c > 0x39 : c !== want) return false;
  }
  return true;
}

/** Two digits at `at` of a text known to be a canonical time. */
function two(raw: string, at: number): number {
  return (raw.charCodeAt(at) - 0x30) * 10 + raw.charCodeAt(at + 1) - 0x30;
}

/** Every other text form of a time (not the canonical one). */
function fromText(raw: string): string {
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
  if ((raw.length === 5 && digits(raw, 0, 5) >= 0) || (raw.length === 10 && digits(raw, 0, 5) >= 0 && raw.charCodeAt(5) === 0x2d && digits(raw, 6, 4) >= 0)) return raw;
  if (/^\d{9}$/.test(raw)) return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  if (/^\d{3,4}$/.test(raw)) return raw.padStart(5, "0");
  throw new CellError(`${JSON.stringify(raw)} is not a ZIP code`);
}

/** A two-letter state code, upper-cased; longer names are kept as given (BPO accepts free text). @internal */
export function state(value: unknown): string | null {
  const raw = text(value);
  if (raw === null) return null;
  return raw.length === 2 && isAsciiLetter(raw.charCodeAt(0)) && isAsciiLetter(raw.charCodeAt(1)) ? raw.toUpperCase() : raw;
}

function isAsciiLetter(c: number): boolean {
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

/** A status mapping keyed case-insensitively (`New Lead`, `new lead` and `NEW LEAD` are one key). @internal */
export function statusLookup(mapping: Readonly<Record<string, string>> | undefined): ReadonlyMap<string, string> {
  return new Map(Object.entries(mapping ?? {}).map(([from, to]) => [from.trim().toLowerCase(), to]));
}

/** Canonical statuses (or why not) by cell text, per status mapping: an export holds a handful of distinct statuses. */
const statusCache = new WeakMap<ReadonlyMap<string, string>, Map<string, { canonical: string } | { error: string }>>();
const STATUS_CACHE_SIZE = 256;

/** A status, canonicalised: `In Feasibility` → mapping, `lead` → `LEAD`, `Under contract` → `UNDER_CONTRACT`. @internal */
export function status(value: unknown, mapping: ReadonlyMap<string, string>): string | null {
  const raw = text(value);
  if (raw === null) return null;
  let cache = statusCache.get(mapping);
  if (cache === undefined) statusCache.set(mapping, (cache = new Map()));
  let known = cache.get(raw);
  if (known === undefined) {
    const mapped = mapping.size > 0 ? (mapping.get(raw.toLowerCase()) ?? raw) : raw;
    const canonical = mapped.trim().toUpperCase().replace(/[\s-]+/g, "_");
    known = /^[A-Z][A-Z0-9_]*$/.test(canonical) ? { canonical } : { error: `${JSON.stringify(raw)} is not a status` };
    if (cache.size < STATUS_CACHE_SIZE) cache.set(raw, known);
  }
  if ("error" in known) throw new CellError(known.error);
  return known.canonical;
}

/** `\s` of a regular expression, as a UTF-16 code unit. */
function isSpace(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * `/^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/` without a regex: one `@` after at least
 * one character, then a domain with a `.` that is neither its first nor its last character, and
 * no space or `<>()",;` anywhere.
 * @internal
 */
export function isEmailAddress(s: string): boolean {
  const n = s.length;
  let at = -1;
  let dot = false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x40: // @
        if (at !== -1 || i === 0) return false;
        at = i;
        continue;
      case 0x2e: // .
        if (at !== -1 && i > at + 1 && i < n - 1) dot = true;
        continue;
      case 0x3c: // <
      case 0x3e: // >
      case 0x28: // (
      case 0x29: // )
      case 0x22: // "
      case 0x2c: // ,
      case 0x3b: // ;
        return false;
      default:
        if (isSpace(c)) return false;
    }
  }
  return dot;
}

/** An email address, lower-cased; empty → null. @internal */
export function email(value: unknown): string | null {
  const raw = text(value);
  if (raw === null) return null;
  if (!isEmailAddress(raw)) throw new CellError(`${JSON.stringify(raw)} is not an email address`);
  return raw.toLowerCase();
}

/** Free text with line breaks kept as `\n`; empty → null. @internal */
export function note(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") return text(value);
  const normalised = (value.includes("\r") ? value.replace(/\r\n?/g, "\n") : value).trim();
  return normalised === "" ? null : normalised;
}

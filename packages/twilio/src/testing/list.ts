/**
 * The fake's Messages list (shared/vendors/twilio.md §2 "list" and "List page"): the filters the
 * official SDK sends (`To`, `From`, `DateSent`, `DateSent<`, `DateSent>`, `PageSize`) and
 * paging by `PageToken`, with relative `next_page_uri` / `previous_page_uri` that carry the
 * filters, the page size, the next `Page` number and the token.
 * @internal
 */
import type { FakeMessage } from "./types.js";

/** A list answer: a page body, or a Twilio error code with its message. */
export type ListAnswer = { ok: true; body: Record<string, unknown> } | { ok: false; code: number; message: string };

const DAY = /^\d{4}-\d{2}-\d{2}$/;
// twilio-node serialises a Date filter as `YYYY-MM-DDTHH:mm:ssZ` (lib/base/serialize.js iso8601DateTime).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
const FILTERS = ["To", "From", "DateSent", "DateSent<", "DateSent>"] as const;

/** A `DateSent` value: a UTC day, or an instant; anything else is refused. */
type DateBound = { day: string; at: number | undefined };

function dateBound(value: string): DateBound | undefined {
  if (DAY.test(value) && !Number.isNaN(Date.parse(value))) return { day: value, at: undefined };
  if (DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))) return { day: value.slice(0, 10), at: Date.parse(value) };
  return undefined;
}

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Whether a message's send time passes the three `DateSent` filters. `DateSent` matches the
 * day (of an instant too); `DateSent<` / `DateSent>` are inclusive ("on or before/after"), at
 * day precision for a day and at second precision for an instant. The instant forms are not
 * described by the vendor contract beyond the SDK sending them: kept lenient, not invented.
 */
function sentWithin(sent: number | null, exact: DateBound | undefined, before: DateBound | undefined, after: DateBound | undefined): boolean {
  if (exact === undefined && before === undefined && after === undefined) return true;
  if (sent === null) return false;
  const day = dayOf(sent);
  if (exact !== undefined && day !== exact.day) return false;
  if (before !== undefined && (before.at === undefined ? day > before.day : sent > before.at)) return false;
  if (after !== undefined && (after.at === undefined ? day < after.day : sent < after.at)) return false;
  return true;
}

/**
 * One page of `messages` (creation order) for the query of `url`, newest first, rendered with
 * `wire`; `root` is `/2010-04-01/Accounts/{AccountSid}`.
 */
export function listMessages(messages: readonly FakeMessage[], url: URL, root: string, wire: (m: FakeMessage) => unknown): ListAnswer {
  const q = url.searchParams;
  // Default 50, at most 1000 (shared/vendors/twilio.md §2); an unreadable size falls back to the default.
  const pageSize = Math.min(1000, Math.max(1, Number(q.get("PageSize") ?? 50) || 50));
  const filters = Object.fromEntries(FILTERS.map((name) => [name, q.get(name)])) as Record<(typeof FILTERS)[number], string | null>;
  const bounds: Partial<Record<"DateSent" | "DateSent<" | "DateSent>", DateBound>> = {};
  for (const name of ["DateSent", "DateSent<", "DateSent>"] as const) {
    const value = filters[name];
    if (value === null) continue;
    const bound = dateBound(value);
    if (!bound) return { ok: false, code: 20001, message: `Invalid ${name} ${value}: expected YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ` };
    bounds[name] = bound;
  }
  const matching = [...messages].reverse().filter((m) => {
    if (filters.To !== null && m.to !== filters.To) return false;
    if (filters.From !== null && m.from !== filters.From) return false;
    return sentWithin(m.dateSent, bounds.DateSent, bounds["DateSent<"], bounds["DateSent>"]);
  });
  const page = Number(q.get("Page") ?? 0) || 0;
  const token = q.get("PageToken");
  let start = 0;
  if (token !== null) {
    // PA<sid>: the page after that message; PB<sid>: the page before it.
    const index = matching.findIndex((m) => m.sid === token.slice(2));
    if (!/^P[AB]/.test(token) || index < 0) return { ok: false, code: 20001, message: `Invalid PageToken ${token}` };
    start = token.startsWith("PA") ? index + 1 : Math.max(0, index - pageSize);
  }
  const slice = matching.slice(start, start + pageSize);
  const filterQuery = FILTERS.filter((name) => filters[name] !== null)
    .map((name) => `${encodeURIComponent(name)}=${encodeURIComponent(filters[name]!)}`)
    .join("&");
  const pageUri = (n: number, pageToken?: string) =>
    `${root}/Messages.json?${filterQuery ? `${filterQuery}&` : ""}PageSize=${pageSize}&Page=${n}${pageToken ? `&PageToken=${pageToken}` : ""}`;
  const hasNext = start + pageSize < matching.length;
  return {
    ok: true,
    body: {
      messages: slice.map(wire),
      page,
      page_size: pageSize,
      start,
      end: start + Math.max(0, slice.length - 1),
      uri: `${url.pathname}${url.search}`,
      first_page_uri: pageUri(0),
      next_page_uri: hasNext && slice.length > 0 ? pageUri(page + 1, `PA${slice.at(-1)!.sid}`) : null,
      previous_page_uri: start > 0 && slice.length > 0 ? pageUri(Math.max(0, page - 1), `PB${slice[0]!.sid}`) : null,
    },
  };
}

/**
 * Events the fake records for a send (shared/vendors/mailgun.md §4, §8): `accepted` per
 * recipient, then `delivered` (code 250; 650 in test mode) or `failed` — permanent for a
 * suppressed address (`suppress-bounce` / `-unsubscribe` / `-complaint`) or one matching the
 * bounce rule (which also lands in the bounces list), temporary for the defer rule — and the
 * Events API over them: window, direction, filters, opaque `paging` URLs on the fake's host.
 */
import { http, HttpResponse, type RequestHandler } from "msw";
import { notImplementedByFake } from "@connect/core/testing";
import { mailgunError, randomId, rfc2822, type FakeDomain, type FakeEvent, type StoredMessage } from "./state.js";

/** An address rule: a pattern or a predicate on the bare address. @public */
export type AddressRule = RegExp | ((address: string) => boolean);

/** @internal */
export function matches(rule: AddressRule | undefined, address: string): boolean {
  if (!rule) return false;
  return typeof rule === "function" ? rule(address) : new RegExp(rule.source, rule.flags.replace("g", "")).test(address);
}

function userVariables(message: StoredMessage): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  const header = message.fields["h:X-Mailgun-Variables"]?.[0];
  if (header) {
    try {
      Object.assign(vars, JSON.parse(header));
    } catch {
      // refused at send time
    }
  }
  for (const [name, values] of Object.entries(message.fields)) if (name.startsWith("v:")) vars[name.slice(2)] = values[0];
  return vars;
}

/** Build one event about `message` for `recipient`. @internal */
export function eventFor(domain: FakeDomain, message: StoredMessage, recipient: string, event: string, seconds: number, extra: Record<string, unknown> = {}): FakeEvent {
  const one = (name: string) => message.fields[name]?.[0];
  return {
    id: randomId(16),
    event,
    timestamp: seconds,
    "log-level": event === "failed" ? (extra.severity === "temporary" ? "warn" : "error") : "info",
    recipient,
    "recipient-domain": recipient.split("@")[1],
    message: {
      headers: { to: (message.fields.to ?? []).join(", "), from: one("from") ?? "", subject: one("subject") ?? "", "message-id": message.messageId },
      attachments: message.attachments.map((f) => ({ filename: f.filename, "content-type": f.contentType, size: f.size })),
      size: message.attachments.reduce((n, f) => n + f.size, 0) + Buffer.byteLength(one("text") ?? "") + Buffer.byteLength(one("html") ?? ""),
    },
    tags: message.fields["o:tag"] ?? [],
    "user-variables": userVariables(message),
    flags: { "is-test-mode": message.testMode, "is-authenticated": true, "is-routed": false, "is-system-test": false },
    envelope: { sender: one("from") ?? "", targets: recipient, transport: "smtp" },
    storage: { url: `https://storage.mailgun.net/v3/domains/${domain.name}/messages/${message.messageId}`, key: message.messageId, region: "us-east4" },
    ...extra,
  };
}

/** Options of the event rules. @internal */
export interface EventRules {
  bounceAddresses?: AddressRule | undefined;
  deferAddresses?: AddressRule | undefined;
}

/**
 * A `failed` event: `hard` (550, permanent; the address joins the bounces list), `soft` (permanent
 * after retrying a transient answer: 452 over quota, "Too old") or `temporary` (421, Mailgun retries).
 * @internal
 */
export function failedEvent(domain: FakeDomain, message: StoredMessage, recipient: string, kind: "hard" | "soft" | "temporary", nowMs: number): FakeEvent {
  const seconds = nowMs / 1000;
  if (kind === "temporary") {
    return eventFor(domain, message, recipient, "failed", seconds, {
      severity: "temporary",
      reason: "generic",
      "delivery-status": { code: 421, message: "4.7.0 Try again later", description: "", "attempt-no": 1, "retry-seconds": 600 },
    });
  }
  if (kind === "soft") {
    return eventFor(domain, message, recipient, "failed", seconds, {
      severity: "permanent",
      reason: "generic",
      "delivery-status": { code: 452, message: "4.2.2 The email account that you tried to reach is over quota.", description: "Too old", "attempt-no": 8, "enhanced-code": "4.2.2" },
    });
  }
  const error = "5.1.1 The email account that you tried to reach does not exist.";
  // A permanent failure feeds the bounces list (shared/vendors/mailgun.md §8).
  if (!domain.bounces.some((b) => b.address === recipient)) domain.bounces.push({ address: recipient, code: "550", error, created_at: rfc2822(nowMs) });
  return eventFor(domain, message, recipient, "failed", seconds, {
    severity: "permanent",
    reason: "generic",
    "delivery-status": { code: 550, message: error, description: "", "attempt-no": 1, "enhanced-code": "5.1.1", "bounce-code": "5.1.1" },
  });
}

/** Record what Mailgun would log for an accepted message. @internal */
export function recordSendEvents(domain: FakeDomain, message: StoredMessage, rules: EventRules, nowMs: number): void {
  const seconds = nowMs / 1000;
  const tags = message.fields["o:tag"] ?? [];
  for (const recipient of message.recipients) {
    domain.events.push(eventFor(domain, message, recipient, "accepted", seconds, { method: "HTTP" }));
    const bounced = domain.bounces.some((b) => b.address === recipient);
    const complained = domain.complaints.some((c) => c.address === recipient);
    const unsubscribed = domain.unsubscribes.some((u) => u.address === recipient && (u.tags.includes("*") || u.tags.some((t) => tags.includes(t))));
    const suppressed = bounced ? "suppress-bounce" : unsubscribed ? "suppress-unsubscribe" : complained ? "suppress-complaint" : undefined;
    if (suppressed) {
      domain.events.push(
        eventFor(domain, message, recipient, "failed", seconds, {
          severity: "permanent",
          reason: suppressed,
          "delivery-status": { code: 605, message: "", description: `Not delivering to previously ${suppressed === "suppress-bounce" ? "bounced" : suppressed === "suppress-unsubscribe" ? "unsubscribed" : "complained"} address`, "attempt-no": 1 },
        }),
      );
    } else if (message.testMode) {
      domain.events.push(eventFor(domain, message, recipient, "delivered", seconds, { "delivery-status": { code: 650, message: "Test mode", description: "", "attempt-no": 1 } }));
    } else if (matches(rules.bounceAddresses, recipient)) {
      domain.events.push(failedEvent(domain, message, recipient, "hard", nowMs));
    } else if (matches(rules.deferAddresses, recipient)) {
      domain.events.push(failedEvent(domain, message, recipient, "temporary", nowMs));
    } else {
      domain.events.push(eventFor(domain, message, recipient, "delivered", seconds, { "delivery-status": { code: 250, message: "OK", description: "", "attempt-no": 1, tls: true } }));
    }
  }
}

function timeParam(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? Number.NaN : ms / 1000;
}

interface EventQuery {
  begin?: number | undefined;
  end?: number | undefined;
  ascending: boolean;
  limit: number;
  event?: string[] | undefined;
  recipient?: string | undefined;
  messageId?: string | undefined;
  severity?: string | undefined;
  tags?: string | undefined;
}

interface Cursor {
  query: EventQuery;
  /** Index into domain.events after (next) or before (previous) which the page starts. */
  after?: number | undefined;
  before?: number | undefined;
}

const SUPPORTED = new Set(["begin", "end", "ascending", "limit", "event", "recipient", "message-id", "severity", "tags"]);

/** The Events API handlers (first page and paging tokens). @internal */
export function eventsEndpoints(domainOf: (name: string) => FakeDomain | undefined, fakeName: string): RequestHandler[] {
  const cursors = new Map<string, Cursor & { domain: string }>();

  const select = (domain: FakeDomain, cursor: Cursor): number[] => {
    const q = cursor.query;
    const indexes: number[] = [];
    domain.events.forEach((e, i) => {
      if (q.begin !== undefined && (q.ascending ? e.timestamp < q.begin : e.timestamp > q.begin)) return;
      if (q.end !== undefined && (q.ascending ? e.timestamp > q.end : e.timestamp < q.end)) return;
      if (q.event && !q.event.includes(e.event)) return;
      if (q.recipient && String(e.recipient).toLowerCase() !== q.recipient.toLowerCase()) return;
      if (q.messageId && (e.message as { headers?: Record<string, string> } | undefined)?.headers?.["message-id"] !== q.messageId) return;
      if (q.severity && e.severity !== q.severity) return;
      if (q.tags && !((e.tags as string[] | undefined) ?? []).includes(q.tags)) return;
      indexes.push(i);
    });
    // Ascending: oldest first; otherwise newest first (events are stored in the order they happened).
    return q.ascending ? indexes : indexes.reverse();
  };

  const answer = (request: Request, domain: FakeDomain, cursor: Cursor) => {
    const order = select(domain, cursor);
    let page: number[];
    if (cursor.before !== undefined) {
      const position = order.indexOf(cursor.before);
      const end = position === -1 ? 0 : position;
      page = order.slice(Math.max(0, end - cursor.query.limit), end);
    } else {
      const position = cursor.after === undefined ? -1 : order.indexOf(cursor.after);
      // A cursor past an event that no longer matches starts over after the last one seen by index order.
      const start = cursor.after === undefined ? 0 : position === -1 ? order.findIndex((i) => (cursor.query.ascending ? i > cursor.after! : i < cursor.after!)) : position + 1;
      page = start === -1 ? [] : order.slice(start, start + cursor.query.limit);
    }
    const origin = new URL(request.url).origin;
    const link = (c: Cursor) => {
      const token = randomId(24);
      cursors.set(token, { ...c, domain: domain.name });
      return `${origin}/v3/${domain.name}/events/${token}`;
    };
    const last = page.length > 0 ? page[page.length - 1] : (cursor.after ?? cursor.before);
    const first = page.length > 0 ? page[0] : (cursor.before ?? cursor.after);
    return HttpResponse.json({
      items: page.map((i) => domain.events[i]),
      paging: {
        // `next` is always present: an empty page is the end for now, and polling it later picks up newer events.
        next: link({ query: cursor.query, after: last }),
        previous: link({ query: cursor.query, before: first }),
        first: link({ query: cursor.query }),
        last: link({ query: { ...cursor.query, ascending: !cursor.query.ascending } }),
      },
    });
  };

  return [
    http.get("*/v3/:domain/events", ({ request, params }) => {
      const domain = domainOf(String(params.domain));
      if (!domain) return mailgunError(404, `Domain not found: ${String(params.domain)}`);
      const url = new URL(request.url);
      const unsupported = [...url.searchParams.keys()].filter((k) => !SUPPORTED.has(k));
      if (unsupported.length > 0) return notImplementedByFake(fakeName, request, { detail: `event filters ${unsupported.join(", ")}` });
      const limit = url.searchParams.has("limit") ? Number(url.searchParams.get("limit")) : 300;
      if (!Number.isInteger(limit) || limit < 1 || limit > 300) return mailgunError(400, "Limit exceeded: the limit is 300");
      const begin = timeParam(url.searchParams.get("begin"));
      const end = timeParam(url.searchParams.get("end"));
      if (Number.isNaN(begin) || Number.isNaN(end)) return mailgunError(400, "Invalid time format");
      const asc = url.searchParams.get("ascending");
      if (asc !== null && asc !== "yes" && asc !== "no") return mailgunError(400, "Invalid value for 'ascending'");
      // With a begin and an end the direction follows their order; otherwise newest first unless told.
      const ascending = asc !== null ? asc === "yes" : begin !== undefined && end !== undefined ? begin <= end : false;
      const event = url.searchParams.get("event");
      const query: EventQuery = {
        begin,
        end,
        ascending,
        limit,
        event: event ? event.split(/\s+OR\s+/i).map((e) => e.trim()) : undefined,
        recipient: url.searchParams.get("recipient") ?? undefined,
        messageId: url.searchParams.get("message-id")?.replace(/^<(.*)>$/, "$1") ?? undefined,
        severity: url.searchParams.get("severity") ?? undefined,
        tags: url.searchParams.get("tags") ?? undefined,
      };
      return answer(request, domain, { query });
    }),
    http.get("*/v3/:domain/events/:token", ({ request, params }) => {
      const domain = domainOf(String(params.domain));
      if (!domain) return mailgunError(404, `Domain not found: ${String(params.domain)}`);
      const cursor = cursors.get(String(params.token));
      if (!cursor || cursor.domain !== domain.name) return mailgunError(400, "Invalid page token");
      return answer(request, domain, cursor);
    }),
  ];
}

/**
 * The Events API, GET /v3/{domain}/events (shared/vendors/mailgun.md §4): a window
 * (`begin`/`end`, `ascending`), filters, pages of ≤ 300 followed by the `paging.next` URL
 * verbatim; the end is a page with no items.
 */
import { defineOperation } from "@connect/core";
import { EventsPage, ListEventsInput, PageUrlInput } from "../schemas.js";
import { accountHeaders, domainPath, stripMessageId } from "./messages.js";
import { pagePath } from "./suppressions.js";

function epochOrText(value: Date | number | string | undefined): string | number | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) return value.getTime() / 1000;
  return value;
}

/** `events.list`: the first page of events matching the query. @public */
export const listEvents = defineOperation({
  id: "events.list",
  input: ListEventsInput,
  output: EventsPage,
  idempotent: true,
  request: (q, ctx) => ({
    method: "GET",
    path: `${domainPath(ctx)}/events`,
    query: {
      begin: epochOrText(q.begin),
      end: epochOrText(q.end),
      // Mailgun needs a direction when there is no end; oldest first is what a poller wants.
      ascending: q.ascending === undefined ? (q.end === undefined && q.begin !== undefined ? "yes" : undefined) : q.ascending ? "yes" : "no",
      limit: q.limit,
      event: q.event,
      recipient: q.recipient,
      from: q.from,
      to: q.to,
      subject: q.subject,
      "message-id": q.messageId === undefined ? undefined : stripMessageId(q.messageId),
      tags: q.tags,
      severity: q.severity,
    },
    headers: accountHeaders(ctx),
  }),
});

/** `events.page`: the page a `paging.next` (or `previous`) URL points at. @public */
export const pageEvents = defineOperation({
  id: "events.page",
  input: PageUrlInput,
  output: EventsPage,
  idempotent: true,
  request: ({ url }, ctx) => ({ method: "GET", path: pagePath(url, `${domainPath(ctx)}/events`, "events.page"), headers: accountHeaders(ctx) }),
});

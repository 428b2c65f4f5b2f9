/**
 * Suppression lists per domain (shared/vendors/mailgun.md §5): bounces, complaints and
 * unsubscribes — a page (`limit`, `term`), the next page by the `paging.next` URL Mailgun
 * answered, one address, add (a JSON batch of ≤ 1000 records), delete one address.
 */
import { defineOperation, NotFoundError, ValidationError, type OperationContext } from "@connect/core";
import { z } from "zod";
import {
  AddBounceRecord,
  AddComplaintRecord,
  AddressInput,
  addSuppressionsInput,
  AddUnsubscribeRecord,
  Bounce,
  Complaint,
  ListSuppressionsInput,
  MessageAnswer,
  PageUrlInput,
  suppressionPage,
  Unsubscribe,
} from "../schemas.js";
import { accountHeaders, domainPath, rfc2822 } from "./messages.js";

/** The three lists, by their path segment. @public */
export type SuppressionType = "bounces" | "complaints" | "unsubscribes";

/**
 * The path and query of a paging URL, checked to point at `prefix` below the client's base: the
 * request goes to the client's own host (credentials never follow a URL to another host).
 * @internal
 */
export function pagePath(url: string, prefix: string, operation: string): string {
  const parsed = new URL(url);
  if (parsed.pathname !== prefix && !parsed.pathname.startsWith(`${prefix}/`)) {
    throw new ValidationError(`mailgun ${operation}: the paging URL does not point at ${prefix} (got ${parsed.pathname})`, {
      vendor: "mailgun",
      operation,
      issues: [{ path: "url", message: `expected a ${prefix} URL from a previous page's paging links` }],
    });
  }
  return `${parsed.pathname}${parsed.search}`;
}

function created(value: Date | string | undefined): string | undefined {
  return value === undefined ? undefined : rfc2822(value);
}

function operations<Row extends z.ZodType, Add extends z.ZodType>(type: SuppressionType, row: Row, add: Add, toWire: (record: z.output<Add>) => Record<string, unknown>) {
  const base = (ctx: OperationContext) => `${domainPath(ctx)}/${type}`;
  const page = suppressionPage(row);
  const addInput = addSuppressionsInput(add);
  return {
    list: defineOperation({
      id: `${type}.list`,
      input: ListSuppressionsInput,
      output: page,
      idempotent: true,
      request: (q, ctx) => ({ method: "GET", path: base(ctx), query: { limit: q.limit, term: q.term }, headers: accountHeaders(ctx) }),
    }),
    page: defineOperation({
      id: `${type}.page`,
      input: PageUrlInput,
      output: page,
      idempotent: true,
      request: ({ url }, ctx) => ({ method: "GET", path: pagePath(url, base(ctx), `${type}.page`), headers: accountHeaders(ctx) }),
    }),
    get: defineOperation({
      id: `${type}.get`,
      input: AddressInput,
      output: row,
      idempotent: true,
      request: ({ address }, ctx) => ({ method: "GET", path: `${base(ctx)}/${encodeURIComponent(address)}`, headers: accountHeaders(ctx) }),
    }),
    // Adding an address that is already listed replaces its record: safe to retry.
    add: defineOperation({
      id: `${type}.add`,
      input: addInput,
      output: MessageAnswer,
      idempotent: true,
      request: (records, ctx) => ({
        method: "POST",
        path: base(ctx),
        body: { json: (Array.isArray(records) ? records : [records]).map((r) => toWire(r as z.output<Add>)) },
        headers: accountHeaders(ctx),
      }),
    }),
    // Mailgun answers a repeat 404. After an attempt that may have reached Mailgun (a timeout, a
    // 5xx), the retry looks first: an address no longer listed means that attempt removed it.
    delete: defineOperation({
      id: `${type}.delete`,
      input: AddressInput,
      output: MessageAnswer,
      safety: "checkable",
      request: ({ address }, ctx) => ({ method: "DELETE", path: `${base(ctx)}/${encodeURIComponent(address)}`, headers: accountHeaders(ctx) }),
      check: async ({ address }, ctx) => {
        const found = await ctx.send({ method: "GET", path: `${base(ctx)}/${encodeURIComponent(address)}`, headers: accountHeaders(ctx) }).then(
          () => true,
          (error: unknown) => {
            if (error instanceof NotFoundError) return false;
            throw error;
          },
        );
        return found ? undefined : { message: `${address} is no longer on the ${type} list`, address };
      },
    }),
  };
}

/** `bounces.list` / `.page` / `.get` / `.add` / `.delete`. @public */
export const bounceOperations = operations("bounces", Bounce, AddBounceRecord, (r) => ({
  address: r.address,
  ...(r.code !== undefined ? { code: String(r.code) } : {}),
  ...(r.error !== undefined ? { error: r.error } : {}),
  ...(r.createdAt !== undefined ? { created_at: created(r.createdAt) } : {}),
}));

/** `complaints.list` / `.page` / `.get` / `.add` / `.delete`. @public */
export const complaintOperations = operations("complaints", Complaint, AddComplaintRecord, (r) => ({
  address: r.address,
  ...(r.createdAt !== undefined ? { created_at: created(r.createdAt) } : {}),
}));

/** `unsubscribes.list` / `.page` / `.get` / `.add` / `.delete`. @public */
export const unsubscribeOperations = operations("unsubscribes", Unsubscribe, AddUnsubscribeRecord, (r) => ({
  address: r.address,
  ...(r.tags !== undefined ? { tags: r.tags } : {}),
  ...(r.createdAt !== undefined ? { created_at: created(r.createdAt) } : {}),
}));

/** What every Accounting API operation shares: the path prefix, headers, the envelope, keys. */
import { createHash } from "node:crypto";
import { ContractDriftError, type HttpRequest, type OperationContext } from "@connect/core";
import { classifyXeroError } from "../errors.js";

/** The Accounting API's path below `https://api.xero.com`. @internal */
export const ACCOUNTING_PREFIX = "/api.xro/2.0";

/** Xero takes an `Idempotency-Key` of at most 128 characters (shared/vendors/xero.md §2). @internal */
export const MAX_IDEMPOTENCY_KEY = 128;

/**
 * The `Idempotency-Key` of a logical call: the call's idempotency key (the same on every attempt,
 * so a retry is answered from Xero's cache instead of writing twice), hashed down when it is too
 * long or not plain ASCII.
 * @internal
 */
export function idempotencyKeyOf(ctx: OperationContext): string {
  const key = ctx.idempotencyKey;
  if (key.length <= MAX_IDEMPOTENCY_KEY && /^[\x21-\x7e]+$/.test(key)) return key;
  return `xk_${createHash("sha256").update(key, "utf8").digest("hex")}`;
}

/** Headers of an Accounting API call: the tenant, JSON (XML is Xero's legacy default), the key on writes. @internal */
export function accountingRequest(
  ctx: OperationContext,
  request: { method: HttpRequest["method"]; path: string; query?: HttpRequest["query"]; body?: unknown; modifiedSince?: Date | string | undefined },
): HttpRequest {
  const write = request.method === "PUT" || request.method === "POST";
  const headers: Record<string, string> = { accept: "application/json", "xero-tenant-id": ctx.params.tenantId ?? "" };
  if (write) headers["idempotency-key"] = idempotencyKeyOf(ctx);
  if (request.modifiedSince !== undefined) headers["if-modified-since"] = new Date(request.modifiedSince).toISOString();
  return {
    method: request.method,
    path: `${ACCOUNTING_PREFIX}${request.path}`,
    ...(request.query ? { query: request.query } : {}),
    headers,
    ...(request.body !== undefined ? { body: { json: request.body } } : {}),
  };
}

/** The records of an envelope (`{"Contacts":[…]}`); a missing array is drift. @internal */
export function recordsOf(body: unknown, key: string, operation: string): unknown[] {
  const list = body && typeof body === "object" ? (body as Record<string, unknown>)[key] : undefined;
  if (!Array.isArray(list)) {
    throw new ContractDriftError(`xero ${operation}: the response has no ${key} array`, { vendor: "xero", operation, issues: [{ path: key, message: "expected an array" }] });
  }
  return list;
}

/** The single record of a one-element envelope. @internal */
export function firstOf(body: unknown, key: string, operation: string): unknown {
  const list = recordsOf(body, key, operation);
  if (list.length === 0) throw new ContractDriftError(`xero ${operation}: the response's ${key} array is empty`, { vendor: "xero", operation, issues: [{ path: key, message: "expected one record" }] });
  return list[0];
}

/** A page envelope → `{ items, page, pagination }`. @internal */
export function pageOf(body: unknown, key: string, operation: string, page: number | undefined): { items: unknown[]; page: number | undefined; pagination?: unknown } {
  const items = recordsOf(body, key, operation);
  const pagination = body && typeof body === "object" ? (body as Record<string, unknown>).pagination : undefined;
  return { items, page, ...(pagination !== undefined ? { pagination } : {}) };
}

/** The list query of `page`/`pageSize`/`where`/`order`/`IDs`. @internal */
export function listQuery(input: { page?: number | undefined; pageSize?: number | undefined; where?: string | undefined; order?: string | undefined; ids?: string[] | undefined }): Record<string, string | number | undefined> {
  return {
    page: input.page,
    pageSize: input.pageSize,
    where: input.where,
    order: input.order,
    IDs: input.ids && input.ids.length > 0 ? input.ids.join(",") : undefined,
  };
}

/** Every Accounting API operation's error mapping. @internal */
export const classify = (response: Parameters<typeof classifyXeroError>[0], ctx: OperationContext) => classifyXeroError(response, { operation: ctx.operation });

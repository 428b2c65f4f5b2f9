/**
 * What every QuickBooks operation shares: the company path, `minorversion` on every call,
 * `requestid` on every write, and reading the entity out of the response envelope (a Fault
 * can arrive inside an HTTP 200, so the body is checked, not just the status).
 */
import { createHash } from "node:crypto";
import { ContractDriftError, type HttpResponse, type OperationContext } from "@connect/core";
import { classifyQuickBooksError } from "../errors.js";

/** `/v3/company/{realmId}` of the client's realm. @internal */
export function companyPath(ctx: OperationContext, ...segments: string[]): string {
  return [`/v3/company/${encodeURIComponent(ctx.params.realmId ?? "")}`, ...segments.map(encodeURIComponent)].join("/");
}

/**
 * The `requestid` of a write: a UUID-shaped SHA-256 digest of the call's idempotency key, so
 * it is the same on every attempt and in every worker, fits Intuit's limits (≤ 50 characters,
 * ≤ 36 in batches; shared/vendors/quickbooks.md §2) whatever the key's length, and reveals nothing of it.
 * @example
 * requestIdFor("loan-funded:L-1001") // "3c9d…-…" (36 characters)
 * @public
 */
export function requestIdFor(idempotencyKey: string): string {
  const hex = createHash("sha256").update(`quickbooks:${idempotencyKey}`, "utf8").digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Query parameters of a read. @internal */
export function readQuery(ctx: OperationContext, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, minorversion: ctx.params.minorVersion ?? "75" };
}

/** Query parameters of a write: minorversion and the requestid derived from the idempotency key. @internal */
export function writeQuery(ctx: OperationContext, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, minorversion: ctx.params.minorVersion ?? "75", requestid: requestIdFor(ctx.idempotencyKey) };
}

/** Throw the Fault a 200 may carry; otherwise return the body. @internal */
export function checkedBody(response: HttpResponse, ctx: OperationContext): Record<string, unknown> {
  const error = classifyQuickBooksError(response, { operation: ctx.operation, rateLimitWaitMs: Number(ctx.params.rateLimitWaitMs) || undefined });
  if (error) throw error;
  return response.body && typeof response.body === "object" ? (response.body as Record<string, unknown>) : {};
}

/** The `<EntityName>` member of the envelope `{ "<EntityName>": {…}, "time": … }`. @internal */
export function unwrapEntity(response: HttpResponse, entity: string, ctx: OperationContext): unknown {
  const body = checkedBody(response, ctx);
  if (!(entity in body)) {
    throw new ContractDriftError(`${ctx.operation}: the response has no ${entity} member`, { vendor: "quickbooks", operation: ctx.operation, issues: [{ path: entity, message: "missing" }] });
  }
  return body[entity];
}

/**
 * DocuSign's rate headers (shared/vendors/docusign.md §4): `X-RateLimit-Limit/-Remaining/-Reset`
 * for the account's hourly quota (all apps share it; the window resets on the clock hour) and
 * `X-BurstLimit-Limit/-Remaining`. Every response updates the client's snapshot; once the hourly
 * quota is used up, the next call fails before any I/O with a RateLimitedError that waits for
 * the reset (retry handles it, or gives up when the reset is further than `maxRetryAfterMs`).
 */
import { RateLimitedError, type HttpResponse, type OperationContext } from "@connect/core";

/** The rate-limit headers of the latest response. @public */
export interface RateLimitSnapshot {
  /** Calls per hour for the account (`X-RateLimit-Limit`; 3000 by default). */
  limit?: number | undefined;
  /** Calls left in this hour (`X-RateLimit-Remaining`). */
  remaining?: number | undefined;
  /** When the hourly window resets, epoch ms (`X-RateLimit-Reset` is epoch seconds). */
  resetAt?: number | undefined;
  /** Calls per burst window (`X-BurstLimit-Limit`; 500/30 s production, 200 demo). */
  burstLimit?: number | undefined;
  /** Calls left in the burst window (`X-BurstLimit-Remaining`). */
  burstRemaining?: number | undefined;
  /** When the snapshot was taken, epoch ms. */
  observedAt: number;
}

/** Keeps the latest snapshot of one client. @internal */
export interface RateLimitTracker {
  readonly snapshot: RateLimitSnapshot | undefined;
  observe(headers: Record<string, string>): void;
  /** Throw when the hourly quota is known to be used up until a reset in the future. */
  assertAvailable(ctx: { operation?: string | undefined }): void;
}

function int(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value.trim());
}

/** Create a tracker. @internal */
export function createRateLimitTracker(now: () => number): RateLimitTracker {
  let snapshot: RateLimitSnapshot | undefined;
  return {
    get snapshot() {
      return snapshot ? { ...snapshot } : undefined;
    },
    observe(headers) {
      const limit = int(headers["x-ratelimit-limit"]);
      const remaining = int(headers["x-ratelimit-remaining"]);
      const reset = int(headers["x-ratelimit-reset"]);
      const burstLimit = int(headers["x-burstlimit-limit"]);
      const burstRemaining = int(headers["x-burstlimit-remaining"]);
      if ([limit, remaining, reset, burstLimit, burstRemaining].every((v) => v === undefined)) return;
      snapshot = { limit, remaining, resetAt: reset === undefined ? undefined : reset * 1000, burstLimit, burstRemaining, observedAt: now() };
    },
    assertAvailable(ctx) {
      if (!snapshot || snapshot.remaining !== 0 || snapshot.resetAt === undefined) return;
      const waitMs = snapshot.resetAt - now();
      if (waitMs <= 0) return;
      throw new RateLimitedError(
        `the account's hourly API quota is used up (X-RateLimit-Remaining: 0); it resets in ${Math.ceil(waitMs / 1000)} s — not sending`,
        { vendor: "docusign", operation: ctx.operation, vendorCode: "HOURLY_APIINVOCATION_LIMIT_EXCEEDED", retryAfterMs: waitMs, mayHaveReachedVendor: false },
      );
    },
  };
}

// One tracker per client, found from the operation context's `params` object, which the
// runtime hands unchanged to every call of that client (operations stay module-level data).
const trackers = new WeakMap<object, RateLimitTracker>();

/** Attach a tracker to a client's params object. @internal */
export function registerTracker(params: object, tracker: RateLimitTracker): void {
  trackers.set(params, tracker);
}

/** Record the rate headers of a response seen by an operation. @internal */
export function observeResponse(ctx: Pick<OperationContext, "params">, response: Pick<HttpResponse, "headers">): void {
  trackers.get(ctx.params)?.observe(response.headers);
}

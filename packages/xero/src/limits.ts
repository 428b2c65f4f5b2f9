/**
 * Xero's per-tenant limits (shared/vendors/xero.md §3): 5 calls in flight, 60 per minute (a fixed
 * window), 5,000 per day. Core's limiter takes one quota, so the minute and day quotas are two of
 * core's limiters stacked; `perTenant` limiter keys come from the call's `tenantId`, but a Xero
 * client is bound to one tenant, so the tenant is appended to the limiter id instead — a host
 * `create` (e.g. `redisLimiter` from `@connect/core/redis`) then shares one quota per tenant
 * across workers.
 */
import { createLimiter, type Limiter, type LimiterOptions } from "@connect/core";

/** Per-tenant limits. @public */
export interface XeroLimits {
  /** Calls per minute. Default 60. */
  perMinute?: number | undefined;
  /** Calls per day. Default 5,000 (Xero's Starter tier reportedly allows 1,000 [?]). */
  perDay?: number | false | undefined;
  /** Calls in flight. Default 5. */
  concurrent?: number | undefined;
}

/** Xero's documented per-tenant limits. @public */
export const XERO_LIMITS = { perMinute: 60, perDay: 5_000, concurrent: 5 } as const;

/**
 * The limiter options of one tenant: a minute window with the concurrency cap, inside a day window.
 * `create` builds each window (core's local limiter by default; pass `redisLimiter`-style factories
 * for one quota across workers); ids are `<id>:<tenantId>:minute` and `<id>:<tenantId>:day`.
 * @public
 */
export function xeroTenantLimiter(tenantId: string, limits: XeroLimits = {}, create: (id: string, options: LimiterOptions) => Limiter = (id, o) => createLimiter(o, id)): LimiterOptions {
  const perMinute = limits.perMinute ?? XERO_LIMITS.perMinute;
  const perDay = limits.perDay ?? XERO_LIMITS.perDay;
  const concurrent = limits.concurrent ?? XERO_LIMITS.concurrent;
  return {
    quota: perMinute,
    quotaIntervalMs: 60_000,
    maxConcurrent: concurrent,
    // `merged` is these options with a host's `policy.limiter` fields over them (e.g. `quota: 30`).
    create: (id, merged) => {
      const minute = create(`${id}:${tenantId}:minute`, { quota: merged.quota ?? perMinute, quotaIntervalMs: merged.quotaIntervalMs ?? 60_000, maxConcurrent: merged.maxConcurrent ?? concurrent });
      const day = perDay === false ? undefined : create(`${id}:${tenantId}:day`, { quota: perDay, quotaIntervalMs: 86_400_000 });
      return {
        schedule: (fn, options) => (day ? day.schedule(() => minute.schedule(fn, options), options) : minute.schedule(fn, options)),
        async stop() {
          await Promise.all([minute.stop(), day?.stop()]);
        },
      };
    },
  };
}

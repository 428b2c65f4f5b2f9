/**
 * A client's resilience policy: the vendor package's defaults, overridden by the host per
 * client and per tenant. Core composes the layers in one fixed order (see runtime.ts):
 * deadline → retry (+ budget) → breaker → limiter → attempt timeout → auth → transport.
 */
import type { RetryBudgetOptions } from "./budget.js";
import type { BreakerOptions } from "./breaker.js";
import type { LimiterOptions } from "./limiter.js";

/** Retry settings (p-retry underneath). @public */
export interface RetryOptions {
  /** Total attempts including the first. Default 3. */
  attempts?: number;
  /** First backoff delay (ms). Default 200. */
  minDelayMs?: number;
  /** Largest backoff delay (ms). Default 20 000. */
  maxDelayMs?: number;
  /** Backoff factor. Default 2. */
  factor?: number;
  /** Stop retrying once this much time has passed since the first attempt (ms). Default 60 000. */
  maxElapsedMs?: number;
  /** Multiply each delay by a random factor in [1, 2) (p-retry's `randomize`). Default true. */
  jitter?: boolean;
  /** Longest Retry-After the client will wait (ms); a longer one fails at once. Default 60 000. */
  maxRetryAfterMs?: number;
}

/** Timeouts. @public */
export interface TimeoutOptions {
  /** One attempt, from sending to the whole body (ms). Default 30 000. */
  attemptMs?: number;
  /** The whole logical call including retries and backoff (ms). Default 120 000. */
  totalMs?: number;
}

/** The resilience policy of a client. `false` turns a layer off. @public */
export interface PolicyOptions {
  retry?: RetryOptions | false;
  retryBudget?: RetryBudgetOptions | false;
  breaker?: BreakerOptions | false;
  limiter?: LimiterOptions | false;
  timeout?: TimeoutOptions;
  /** Per-tenant overrides, merged over the rest for calls with that `tenantId`. */
  tenants?: Record<string, Omit<PolicyOptions, "tenants">>;
}

/** The policy with every layer resolved. @public */
export interface ResolvedPolicy {
  retry: Required<RetryOptions> | false;
  retryBudget: RetryBudgetOptions | false;
  breaker: BreakerOptions | false;
  limiter: LimiterOptions | false;
  timeout: Required<TimeoutOptions>;
}

/** Core's defaults, used where neither the vendor package nor the host says otherwise. @public */
export const DEFAULT_RETRY: Required<RetryOptions> = {
  attempts: 3,
  minDelayMs: 200,
  maxDelayMs: 20_000,
  factor: 2,
  maxElapsedMs: 60_000,
  jitter: true,
  maxRetryAfterMs: 60_000,
};

/**
 * Platform defaults by vendor category (the platform's resilience tables): breakers as
 * failure/success thresholds and reset timeouts, limiters as rate and burst.
 * @public
 */
export const CATEGORY_DEFAULTS = {
  eSignature: {
    breaker: { failureThreshold: 5, successThreshold: 3, resetTimeoutMs: 5 * 60_000 },
    limiter: { perSecond: 2, burst: 20 },
  },
  sms: {
    breaker: { failureThreshold: 10, successThreshold: 3, resetTimeoutMs: 30_000 },
    limiter: { perSecond: 10, burst: 50 },
  },
  email: {
    breaker: { failureThreshold: 10, successThreshold: 3, resetTimeoutMs: 30_000 },
    limiter: { perSecond: 20, burst: 100 },
  },
  erp: {
    breaker: { failureThreshold: 3, successThreshold: 2, resetTimeoutMs: 2 * 60_000 },
    limiter: { perSecond: 5, burst: 50 },
  },
  sales: {
    breaker: { failureThreshold: 5, successThreshold: 2, resetTimeoutMs: 60_000 },
    limiter: { perSecond: 5, burst: 50 },
  },
} as const satisfies Record<string, PolicyOptions>;

function mergeLayer<T extends object>(base: T | false | undefined, over: T | false | undefined): T | false | undefined {
  if (over === false) return false;
  if (over === undefined) return base;
  if (base === false || base === undefined) return over;
  return { ...base, ...over };
}

/** Merge policies left to right (later wins; `false` turns a layer off). @public */
export function mergePolicies(...policies: Array<PolicyOptions | undefined>): PolicyOptions {
  let out: PolicyOptions = {};
  for (const policy of policies) {
    if (!policy) continue;
    out = {
      retry: mergeLayer(out.retry, policy.retry),
      retryBudget: mergeLayer(out.retryBudget, policy.retryBudget),
      breaker: mergeLayer(out.breaker, policy.breaker) as BreakerOptions | false | undefined,
      limiter: mergeLayer(out.limiter, policy.limiter),
      timeout: { ...out.timeout, ...policy.timeout },
      tenants: { ...out.tenants, ...policy.tenants },
    };
  }
  return out;
}

/** Resolve a policy for one tenant, filling core's defaults. @public */
export function resolvePolicy(policy: PolicyOptions, tenantId?: string): ResolvedPolicy {
  const merged = tenantId && policy.tenants?.[tenantId] ? mergePolicies(policy, policy.tenants[tenantId]) : policy;
  return {
    retry: merged.retry === false ? false : { ...DEFAULT_RETRY, ...merged.retry },
    retryBudget: merged.retryBudget === false ? false : (merged.retryBudget ?? {}),
    breaker: merged.breaker ?? false,
    limiter: merged.limiter ?? false,
    timeout: { attemptMs: 30_000, totalMs: 120_000, ...merged.timeout },
  };
}

/**
 * Circuit breaker on opossum, one per vendor (and per tenant when configured).
 *
 * The platform documents its breakers as failure threshold / success threshold / reset
 * timeout (e-signature 5/3/5 min, communication 10/3/30 s, ERP 3/2/2 min, sales 5/2/1 min).
 * Mapping onto opossum:
 * - failureThreshold → opossum `volumeThreshold` (no opening before that many calls in the
 *   rolling window) with `errorThresholdPercentage` (default 50): N failures in a row open it;
 * - resetTimeoutMs → opossum `resetTimeout` (open → half-open);
 * - successThreshold → opossum closes on its first half-open success; this wrapper then keeps
 *   the breaker "half-open" until successThreshold - 1 more calls succeed, and re-opens it on
 *   any failure before that;
 * - only retryable failures count (5xx, timeouts, network); 4xx and 429 never do (a 429 is
 *   retry's to handle); opossum's own timeout is off (core times attempts itself).
 */
import CircuitBreaker from "opossum";
import { CircuitOpenError, IntegrationError, RateLimitedError, StoreUnavailableError } from "../errors.js";

/** Breaker settings. @public */
export interface BreakerOptions {
  /** Failures (in the rolling window) before the breaker opens. */
  failureThreshold: number;
  /** Successes in half-open before it closes. */
  successThreshold: number;
  /** Time open before a trial call is let through (ms). */
  resetTimeoutMs: number;
  /** Share of failing calls in the window that opens it. Default 50. */
  errorThresholdPercentage?: number;
  /** Rolling statistics window (ms). Default 60 000. */
  rollingWindowMs?: number;
  /** One breaker per tenant instead of per vendor. */
  perTenant?: boolean;
}

/** Breaker state as reported. @public */
export type BreakerState = "closed" | "open" | "half-open";

/** A circuit breaker around attempts. @public */
export interface Breaker {
  /** Run `fn` unless the breaker is open (then throw CircuitOpenError without running it). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Current state. */
  readonly state: BreakerState;
  /** Stop timers. */
  shutdown(): void;
}

/** Whether an error counts as a breaker failure. @internal */
export function countsAsFailure(error: unknown): boolean {
  if (!IntegrationError.is(error)) return true;
  // A rate limit, an open breaker or an unreachable shared store says nothing about the vendor's health.
  if (error instanceof RateLimitedError || error instanceof CircuitOpenError || error instanceof StoreUnavailableError) return false;
  return error.retryable;
}

/** Create a breaker. `onStateChange` is called on every transition. @public */
export function createBreaker(
  options: BreakerOptions,
  meta: { name: string; vendor?: string; onStateChange?: (state: BreakerState) => void },
): Breaker {
  let recovering = 0;
  let wasHalfOpen = false;
  const circuit = new CircuitBreaker(async (fn: () => Promise<unknown>) => fn(), {
    name: meta.name,
    timeout: false,
    resetTimeout: options.resetTimeoutMs,
    volumeThreshold: options.failureThreshold,
    errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
    rollingCountTimeout: options.rollingWindowMs ?? 60_000,
    rollingCountBuckets: 10,
    rollingPercentilesEnabled: false,
    errorFilter: (error: unknown) => !countsAsFailure(error),
  });
  const report = (): void => meta.onStateChange?.(stateOf());
  const stateOf = (): BreakerState => (circuit.opened ? "open" : circuit.halfOpen || recovering > 0 ? "half-open" : "closed");
  circuit.on("open", () => {
    recovering = 0;
    wasHalfOpen = false;
    report();
  });
  circuit.on("halfOpen", () => {
    wasHalfOpen = true;
    report();
  });
  circuit.on("close", () => {
    // The half-open trial that closed opossum counts as the first success.
    if (wasHalfOpen) recovering = Math.max(0, options.successThreshold - 1) + 1;
    wasHalfOpen = false;
    report();
  });
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      try {
        const result = (await circuit.fire(fn)) as T;
        if (recovering > 0) {
          recovering -= 1;
          if (recovering === 0) report();
        }
        return result;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "EOPENBREAKER" || code === "ESEMLOCKED") {
          throw new CircuitOpenError(`${meta.vendor ?? meta.name}: circuit breaker is open; not calling the vendor (retry after ${options.resetTimeoutMs} ms)`, {
            vendor: meta.vendor,
            cause: error,
          });
        }
        if (recovering > 0 && countsAsFailure(error)) {
          recovering = 0;
          circuit.open();
        }
        throw error;
      }
    },
    get state() {
      return stateOf();
    },
    shutdown: () => circuit.shutdown(),
  };
}

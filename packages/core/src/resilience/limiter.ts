/**
 * Rate limiting on bottleneck, per vendor (and per tenant when configured). A rate with a
 * burst is a token bucket (bottleneck's reservoir increase); a quota per hour or minute is
 * a reservoir refreshed on an interval. Every attempt, retries included, spends quota.
 */
import Bottleneck from "bottleneck";

/** Limiter settings. @public */
export interface LimiterOptions {
  /** Sustained requests per second (token bucket refill rate). */
  perSecond?: number;
  /** Bucket size: requests that may go at once after a quiet period. Defaults to `perSecond`. */
  burst?: number;
  /** A fixed quota refreshed every `quotaIntervalMs` (per hour/minute limits). */
  quota?: number;
  /** Quota refresh interval (ms). */
  quotaIntervalMs?: number;
  /** Concurrent requests in flight. */
  maxConcurrent?: number;
  /** Minimum spacing between requests (ms). */
  minTimeMs?: number;
  /** One limiter per tenant instead of per vendor. */
  perTenant?: boolean;
  /** A bottleneck datastore configuration (Redis clustering, see @connect/core/redis). */
  bottleneck?: Bottleneck.ConstructorOptions;
}

/** A limiter. @public */
export interface Limiter {
  /** Run `fn` when the limit allows; higher `priority` (0–9, lower number first) jumps the queue. */
  schedule<T>(fn: () => Promise<T>, options?: { priority?: number; signal?: AbortSignal }): Promise<T>;
  /** Stop timers and drop queued work. */
  stop(): Promise<void>;
}

/** Translate limiter settings into bottleneck's options. @internal */
export function toBottleneckOptions(options: LimiterOptions, id: string): Bottleneck.ConstructorOptions {
  const out: { -readonly [K in keyof Bottleneck.ConstructorOptions]: Bottleneck.ConstructorOptions[K] } = { id, ...options.bottleneck };
  if (options.maxConcurrent !== undefined) out.maxConcurrent = options.maxConcurrent;
  if (options.minTimeMs !== undefined) out.minTime = options.minTimeMs;
  if (options.perSecond !== undefined) {
    const burst = options.burst ?? Math.max(1, Math.ceil(options.perSecond));
    // One token every 1000/perSecond ms, up to `burst` tokens.
    const interval = Math.max(1, Math.round(1000 / options.perSecond));
    out.reservoir = burst;
    out.reservoirIncreaseAmount = 1;
    out.reservoirIncreaseInterval = interval;
    out.reservoirIncreaseMaximum = burst;
    // Bottleneck adds at most one increment per heartbeat (250 ms by default), so beat at the refill rate.
    out.heartbeatInterval = Math.min(250, interval);
  } else if (options.quota !== undefined && options.quotaIntervalMs !== undefined) {
    out.reservoir = options.quota;
    out.reservoirRefreshAmount = options.quota;
    out.reservoirRefreshInterval = options.quotaIntervalMs;
  }
  return out;
}

/** Create a limiter. @public */
export function createLimiter(options: LimiterOptions, id = "connect"): Limiter {
  const bottleneck = new Bottleneck(toBottleneckOptions(options, id));
  return {
    schedule(fn, opts = {}) {
      if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
      return bottleneck.schedule({ priority: opts.priority ?? 5 }, fn);
    },
    async stop() {
      await bottleneck.stop({ dropWaitingJobs: true }).catch(() => undefined);
      await bottleneck.disconnect?.().catch?.(() => undefined);
    },
  };
}

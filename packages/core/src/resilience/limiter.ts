/**
 * Rate limiting per vendor (and per tenant when configured). A rate with a burst is a token
 * bucket; a quota per hour or minute is a fixed window that refills on an interval. Every
 * attempt, retries included, spends quota.
 *
 * In one process the limiter is core's own token bucket: bottleneck's local datastore
 * yields to a timer several times per job, which measured ~4.5 ms per call here (220
 * sequential calls/s with no limit set), far above the cost of the HTTP call it guards
 * (bench/overhead.mjs). Across processes the limiter is bottleneck with its Redis
 * datastore (see @connect/core/redis), where a network round trip per job is the price
 * of one shared quota anyway.
 */
import { IntegrationError } from "../errors.js";

/** Limiter settings. @public */
export interface LimiterOptions {
  /** Sustained requests per second (token bucket refill rate). */
  perSecond?: number;
  /** Bucket size: requests that may go at once after a quiet period. Defaults to `perSecond`. */
  burst?: number;
  /** A fixed quota refilled every `quotaIntervalMs` (per hour/minute limits). */
  quota?: number;
  /** Quota refill interval (ms). */
  quotaIntervalMs?: number;
  /** Concurrent requests in flight. */
  maxConcurrent?: number;
  /** Minimum spacing between request starts (ms). */
  minTimeMs?: number;
  /** One limiter per tenant instead of per vendor. */
  perTenant?: boolean;
  /** Build the limiter elsewhere (e.g. `redisLimiter` from @connect/core/redis for one quota across processes). */
  create?: (id: string, options: LimiterOptions) => Limiter;
}

/** A limiter. @public */
export interface Limiter {
  /** Run `fn` when the limit allows; a lower `priority` (0–9, default 5) goes first. */
  schedule<T>(fn: () => Promise<T>, options?: { priority?: number; signal?: AbortSignal }): Promise<T>;
  /** Stop timers and reject queued work. */
  stop(): Promise<void>;
}

interface Waiting {
  fn: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
  priority: number;
  seq: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Create a limiter (core's local token bucket, or `options.create`). @public */
export function createLimiter(options: LimiterOptions, id = "connect", now: () => number = () => performance.now()): Limiter {
  if (options.create) return options.create(id, options);
  const rate = options.perSecond;
  const capacity = rate !== undefined ? (options.burst ?? Math.max(1, Math.ceil(rate))) : options.quota;
  const maxConcurrent = options.maxConcurrent ?? Number.POSITIVE_INFINITY;
  const minTime = options.minTimeMs ?? 0;
  let tokens = capacity ?? Number.POSITIVE_INFINITY;
  let refilledAt = now();
  let lastStart = Number.NEGATIVE_INFINITY;
  let running = 0;
  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const queue: Waiting[] = [];

  const refill = (): void => {
    if (capacity === undefined) return;
    const t = now();
    if (rate !== undefined) {
      tokens = Math.min(capacity, tokens + ((t - refilledAt) / 1000) * rate);
      refilledAt = t;
    } else if (options.quotaIntervalMs !== undefined && t - refilledAt >= options.quotaIntervalMs) {
      tokens = capacity;
      refilledAt += Math.floor((t - refilledAt) / options.quotaIntervalMs) * options.quotaIntervalMs;
    }
  };

  const waitFor = (): number => {
    const spacing = lastStart + minTime - now();
    let tokenWait = 0;
    if (tokens < 1) {
      tokenWait = rate !== undefined ? ((1 - tokens) / rate) * 1000 : refilledAt + (options.quotaIntervalMs ?? 1000) - now();
    }
    return Math.max(spacing, tokenWait, 0);
  };

  const take = (): void => {
    tokens -= 1;
    running += 1;
    lastStart = now();
  };
  const release = (): void => {
    running -= 1;
    drain();
  };

  const start = (job: Waiting): void => {
    take();
    job.fn().then(job.resolve, job.reject).finally(release);
  };

  const drain = (): void => {
    if (stopped) return;
    while (queue.length > 0 && running < maxConcurrent) {
      refill();
      const wait = waitFor();
      if (wait > 0) {
        if (!timer) {
          timer = setTimeout(() => {
            timer = undefined;
            drain();
          }, Math.ceil(wait));
        }
        return;
      }
      const job = queue.shift()!;
      if (job.onAbort) job.signal?.removeEventListener("abort", job.onAbort);
      start(job);
    }
  };

  return {
    schedule<T>(fn: () => Promise<T>, opts: { priority?: number; signal?: AbortSignal } = {}): Promise<T> {
      if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
      if (stopped) return Promise.reject(new IntegrationError(`limiter ${id} is stopped`, { retryable: false }));
      // Nothing queued and the limit allows it now: run at once, as drain() would, but without a queue
      // entry, an abort listener that would be removed again straight away, or a promise around the call's.
      if (queue.length === 0 && running < maxConcurrent) {
        refill();
        if (waitFor() <= 0) {
          take();
          let result: Promise<T>;
          try {
            result = Promise.resolve(fn());
          } catch (error) {
            result = Promise.reject(error);
          }
          result.then(release, release);
          return result;
        }
      }
      return new Promise<T>((resolve, reject) => {
        const job: Waiting = {
          fn,
          resolve: resolve as (value: unknown) => void,
          reject,
          priority: opts.priority ?? 5,
          seq: (seq += 1),
          signal: opts.signal,
          onAbort: undefined,
        };
        if (opts.signal) {
          job.onAbort = () => {
            const index = queue.indexOf(job);
            if (index >= 0) queue.splice(index, 1);
            reject(opts.signal?.reason);
          };
          opts.signal.addEventListener("abort", job.onAbort, { once: true });
        }
        // Keep the queue ordered by priority, FIFO within a priority.
        let at = queue.length;
        while (at > 0 && queue[at - 1]!.priority > job.priority) at -= 1;
        queue.splice(at, 0, job);
        drain();
      });
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const job of queue.splice(0)) job.reject(new IntegrationError(`limiter ${id} stopped before this call could run`, { retryable: false }));
    },
  };
}

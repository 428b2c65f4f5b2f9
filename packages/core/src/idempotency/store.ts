/**
 * The idempotency store: remembers, per key, that a call is in flight or what it returned,
 * so a repeated call (a retry by the host, a redelivered job, a second worker) returns the
 * stored result instead of doing the work again. Small on purpose: a Redis store
 * (SET NX PX for `begin`, a keyspace notification or polling for `wait`) fits the same shape.
 */
import { ExpiringLru } from "./lru.js";

/** What {@link IdempotencyStore.begin} found. @public */
export type IdempotencyBegin =
  /** Nobody holds the key: the caller now does and must `complete` or `fail` it. */
  | { state: "new" }
  /** Another caller holds the key and has not finished. */
  | { state: "in-flight" }
  /** The work is done; here is its result. */
  | { state: "done"; result: unknown };

/** What {@link IdempotencyStore.wait} found once the holder finished (or the wait timed out). @public */
export type IdempotencyLookup = { state: "absent" } | { state: "in-flight" } | { state: "done"; result: unknown };

/** Options of {@link IdempotencyStore.wait}. @public */
export interface IdempotencyWaitOptions {
  /** Give up waiting after this long and report the state then (default: the store's in-flight TTL). */
  timeoutMs?: number | undefined;
  /** Stop waiting when aborted. */
  signal?: AbortSignal | undefined;
}

/** Per-key state of idempotent work. All methods are async so a shared (Redis) store fits. @public */
export interface IdempotencyStore {
  /** Claim `key` for `ttlMs` (the in-flight lease), or report who holds it / what it returned. */
  begin(key: string, ttlMs?: number): Promise<IdempotencyBegin>;
  /** Store the result of the work under `key` for `ttlMs` (default: the store's TTL) and wake waiters. */
  complete(key: string, result: unknown, ttlMs?: number): Promise<void>;
  /** Release `key` after the work failed, so a later attempt can run; wakes waiters. */
  fail(key: string): Promise<void>;
  /**
   * Release an unfinished claim whoever holds it — an earlier attempt of the same call whose worker
   * died (a stored result is kept). Stores without it fall back to `fail`, which may release only
   * this process's own claims; the take-over then waits for the claim to expire.
   */
  abandon?(key: string): Promise<void>;
  /** Wait until the holder of `key` completes or fails, then report the state. */
  wait(key: string, options?: IdempotencyWaitOptions): Promise<IdempotencyLookup>;
}

/** Options of {@link createMemoryIdempotencyStore}. @public */
export interface MemoryIdempotencyStoreOptions {
  /** Keys kept at most; the least recently used go first (default 10 000). */
  maxEntries?: number | undefined;
  /** How long a result is kept (default 24 h). */
  ttlMs?: number | undefined;
  /** How long an unfinished claim blocks other callers, e.g. after a crash (default 5 min). */
  inFlightTtlMs?: number | undefined;
  /** Clock, for tests (default `Date.now`). */
  now?: (() => number) | undefined;
}

type Entry = { state: "in-flight" } | { state: "done"; result: unknown };

/** Default result TTL of stores: 24 hours. @public */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * An {@link IdempotencyStore} in process memory: an LRU with TTL. Results are kept by
 * reference (not copied), so callers should treat them as read-only.
 * @example
 * const idempotencyStore = createMemoryIdempotencyStore({ maxEntries: 5_000, ttlMs: 60 * 60_000 });
 * @public
 */
export function createMemoryIdempotencyStore(options: MemoryIdempotencyStoreOptions = {}): IdempotencyStore {
  const ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  const inFlightTtlMs = options.inFlightTtlMs ?? 5 * 60 * 1000;
  const waiters = new Map<string, Set<(lookup: IdempotencyLookup) => void>>();
  const wake = (key: string, lookup: IdempotencyLookup): void => {
    const pending = waiters.get(key);
    if (!pending) return;
    waiters.delete(key);
    for (const resolve of pending) resolve(lookup);
  };
  const entries = new ExpiringLru<Entry>({
    maxEntries: options.maxEntries ?? 10_000,
    now: options.now,
    // An evicted or expired claim no longer blocks anyone; waiters may try to claim it.
    onEvict: (key, entry) => {
      if (entry.state === "in-flight") wake(key, { state: "absent" });
    },
  });
  const lookup = (key: string): IdempotencyLookup => {
    const entry = entries.get(key);
    if (!entry) return { state: "absent" };
    return entry.state === "done" ? { state: "done", result: entry.result } : { state: "in-flight" };
  };

  return {
    async begin(key, leaseMs = inFlightTtlMs) {
      const found = lookup(key);
      if (found.state !== "absent") return found;
      entries.set(key, { state: "in-flight" }, leaseMs);
      return { state: "new" };
    },
    async complete(key, result, resultTtlMs = ttlMs) {
      entries.set(key, { state: "done", result }, resultTtlMs);
      wake(key, { state: "done", result });
    },
    async fail(key) {
      if (entries.get(key)?.state === "in-flight") entries.delete(key);
      wake(key, { state: "absent" });
    },
    abandon(key) {
      return this.fail(key);
    },
    wait(key, waitOptions = {}) {
      const now = lookup(key);
      if (now.state !== "in-flight") return Promise.resolve(now);
      const signal = waitOptions.signal;
      return new Promise<IdempotencyLookup>((resolve, reject) => {
        let set = waiters.get(key);
        if (!set) waiters.set(key, (set = new Set()));
        const done = (result: IdempotencyLookup): void => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          resolve(result);
        };
        const onAbort = (): void => {
          set.delete(done);
          clearTimeout(timer);
          reject(signal?.reason ?? new Error("aborted"));
        };
        const timer = setTimeout(() => {
          set.delete(done);
          signal?.removeEventListener("abort", onAbort);
          resolve(lookup(key));
        }, waitOptions.timeoutMs ?? inFlightTtlMs);
        if (signal?.aborted) return onAbort();
        signal?.addEventListener("abort", onAbort, { once: true });
        set.add(done);
      });
    },
  };
}

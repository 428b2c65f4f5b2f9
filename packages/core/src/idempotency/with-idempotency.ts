/** Run work at most once per idempotency key, across concurrent and repeated calls. */
import { ConflictError } from "../errors.js";
import { singleFlight, type SingleFlight } from "./single-flight.js";
import type { IdempotencyStore } from "./store.js";

/** Options of {@link withIdempotency}. @public */
export interface WithIdempotencyOptions {
  /** How long the result is kept (default: the store's TTL). */
  ttlMs?: number | undefined;
  /** How long the claim blocks others while `fn` runs (default: the store's in-flight TTL). */
  leaseMs?: number | undefined;
  /** How long to wait for another worker holding the key (default: the store's default). */
  waitTimeoutMs?: number | undefined;
  /** Stops waiting for another worker. */
  signal?: AbortSignal | undefined;
  /**
   * The key may be held by an earlier attempt of this same call whose worker died: `take-over`
   * releases that claim and runs `fn`; a function returns the error to throw instead. Default: wait.
   */
  abandoned?: "wait" | "take-over" | (() => Error) | undefined;
}

// One single-flight group per store, so concurrent identical calls in this process share one
// promise without a store round trip; keyed weakly, so a dropped store frees its group.
const groups = new WeakMap<IdempotencyStore, SingleFlight>();

/**
 * Run `fn` once per `key`: concurrent identical calls share one run, later identical calls get
 * the stored result, and a call whose key another worker holds waits for that worker's result.
 * When `fn` throws, the key is released (so a later retry runs `fn` again) and the error is
 * rethrown to every caller that shared the run.
 * @example
 * const message = await withIdempotency(store, `twilio:messages.send:${key}`, () => sendSms(input));
 * @public
 */
export function withIdempotency<T>(store: IdempotencyStore, key: string, fn: () => Promise<T>, options: WithIdempotencyOptions = {}): Promise<T> {
  let group = groups.get(store);
  if (!group) groups.set(store, (group = singleFlight()));
  return group.run(key, async () => {
    // Bounded: each loop either returns, throws, or follows a holder that released the key.
    for (let round = 0; round < 5; round += 1) {
      const begun = await store.begin(key, options.leaseMs);
      if (begun.state === "done") return begun.result as T;
      if (begun.state === "new") {
        let result: T;
        try {
          result = await fn();
        } catch (error) {
          await store.fail(key).catch(() => undefined);
          throw error;
        }
        await store.complete(key, result, options.ttlMs);
        return result;
      }
      if (options.abandoned === "take-over") {
        await (store.abandon ? store.abandon(key) : store.fail(key));
        continue;
      }
      if (typeof options.abandoned === "function") throw options.abandoned();
      const waited = await store.wait(key, { timeoutMs: options.waitTimeoutMs, signal: options.signal });
      if (waited.state === "done") return waited.result as T;
      if (waited.state === "in-flight") break;
    }
    throw new ConflictError(
      `an identical call (idempotency key ${key}) is still in progress elsewhere; try again once it has finished`,
      { retryable: true, mayHaveReachedVendor: false },
    );
  });
}

/**
 * Webhook event dedupe: vendors deliver at least once, so the same event id can arrive twice.
 * Three small calls so a Redis store (`EXISTS`, `SET key 1 NX PX ttl`, `DEL`) fits it.
 */
import { ExpiringLru } from "./lru.js";

/** Remembers event ids for a while. @public */
export interface DedupeStore {
  /** True when `id` was already seen (and not forgotten) within its TTL; otherwise marks it seen for `ttlMs` and returns false. */
  seen(id: string, ttlMs: number): Promise<boolean>;
  /** True when `id` is marked, without marking it. */
  has(id: string): Promise<boolean>;
  /** Forget `id`, e.g. when handling it failed and the vendor will deliver it again. */
  forget(id: string): Promise<void>;
}

/** Options of {@link createMemoryDedupeStore}. @public */
export interface MemoryDedupeStoreOptions {
  /** Ids kept at most; the least recently seen go first (default 100 000). */
  maxEntries?: number | undefined;
  /** Clock, for tests (default `Date.now`). */
  now?: (() => number) | undefined;
}

/**
 * A {@link DedupeStore} in process memory (an LRU with TTL); one process only.
 * @example
 * const dedupe = createMemoryDedupeStore();
 * await dedupe.seen("sg_event_id:abc", 72 * 3600_000); // false, then true on redelivery
 * @public
 */
export function createMemoryDedupeStore(options: MemoryDedupeStoreOptions = {}): DedupeStore {
  const ids = new ExpiringLru<true>({ maxEntries: options.maxEntries ?? 100_000, now: options.now });
  return {
    async seen(id, ttlMs) {
      if (ids.get(id)) return true;
      ids.set(id, true, ttlMs);
      return false;
    },
    async has(id) {
      return ids.get(id) !== undefined;
    },
    async forget(id) {
      ids.delete(id);
    },
  };
}

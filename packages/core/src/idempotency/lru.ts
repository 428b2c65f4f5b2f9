/**
 * A small LRU map with per-entry expiry, shared by the memory idempotency store, the memory
 * dedupe store and the webhook receiver's delivery counter.
 */

interface Slot<V> {
  value: V;
  expiresAt: number;
}

/** LRU map with TTL; `now` is injectable so tests control expiry. @internal */
export class ExpiringLru<V> {
  readonly #slots = new Map<string, Slot<V>>();
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #onEvict: ((key: string, value: V) => void) | undefined;

  constructor(options: { maxEntries: number; now?: (() => number) | undefined; onEvict?: ((key: string, value: V) => void) | undefined }) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer (got ${String(options.maxEntries)})`);
    }
    this.#maxEntries = options.maxEntries;
    this.#now = options.now ?? Date.now;
    this.#onEvict = options.onEvict;
  }

  /** Entries currently held (expired ones may still count until touched). */
  get size(): number {
    return this.#slots.size;
  }

  /** The live value, refreshed as most recently used; undefined when absent or expired. */
  get(key: string): V | undefined {
    const slot = this.#slots.get(key);
    if (!slot) return undefined;
    if (slot.expiresAt <= this.#now()) {
      this.#drop(key, slot);
      return undefined;
    }
    this.#slots.delete(key);
    this.#slots.set(key, slot);
    return slot.value;
  }

  /** Store a value for `ttlMs`, evicting the least recently used entries beyond `maxEntries`. */
  set(key: string, value: V, ttlMs: number): void {
    this.#slots.delete(key);
    this.#slots.set(key, { value, expiresAt: this.#now() + ttlMs });
    if (this.#slots.size > this.#maxEntries) this.#evict();
  }

  /** Remove an entry; true when it was there (expired or not). */
  delete(key: string): boolean {
    return this.#slots.delete(key);
  }

  #drop(key: string, slot: Slot<V>): void {
    this.#slots.delete(key);
    this.#onEvict?.(key, slot.value);
  }

  #evict(): void {
    const now = this.#now();
    // Expired entries go first, then the least recently used ones.
    for (const [key, slot] of this.#slots) {
      if (slot.expiresAt <= now) this.#drop(key, slot);
    }
    for (const [key, slot] of this.#slots) {
      if (this.#slots.size <= this.#maxEntries) break;
      this.#drop(key, slot);
    }
  }
}

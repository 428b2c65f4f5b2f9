/**
 * OAuth tokens in Redis, for several workers: one JSON value per key, and a refresh lock
 * (`SET lock NX PX`, kept alive while its owner works, released by compare-and-delete) so one
 * worker refreshes and the others wait and read its result. QuickBooks rotates the refresh
 * token on every refresh, so two workers refreshing at once would break the connection.
 * Fail closed: without Redis no worker refreshes (a refresh nobody can store is a lost token).
 */
import { StoreUnavailableError, type StoredToken, type TokenStore } from "@connect/core";
import { createNotifier, EXTEND_IF_OWNER, guard, ownerId, prefixOf, RELEASE_IF_OWNER, type RedisStoreOptions } from "./connection.js";

/** Options of {@link createRedisTokenStore}. @public */
export interface RedisTokenStoreOptions extends RedisStoreOptions {
  /** Lifetime of the refresh lock; renewed every third of it while the holder works (default 15 s). */
  lockTtlMs?: number | undefined;
  /** Longest wait for the lock before giving up with `StoreUnavailableError` (default 30 s). */
  lockWaitMs?: number | undefined;
}

/** A Redis token store, with `close()` for its subscriber connection. @public */
export interface RedisTokenStore extends TokenStore {
  /** Close the pub/sub connection (the client you passed stays open). */
  close(): Promise<void>;
}

const COMPONENT = "tokens";

/**
 * A {@link TokenStore} shared by every worker through Redis.
 * @example
 * const tokens = createRedisTokenStore({ redis });
 * const quickbooks = createQuickBooksClient({ realmId, tokens, ... });
 * @public
 */
export function createRedisTokenStore(options: RedisTokenStoreOptions): RedisTokenStore {
  const { redis } = options;
  const prefix = `${prefixOf(options)}token:`;
  const lockPrefix = `${prefixOf(options)}token-lock:`;
  const lockTtlMs = options.lockTtlMs ?? 15_000;
  const lockWaitMs = options.lockWaitMs ?? 30_000;
  const notifier = createNotifier(redis, `${lockPrefix}released`);

  async function acquire(key: string, signal?: AbortSignal): Promise<string> {
    const owner = ownerId();
    const deadline = Date.now() + lockWaitMs;
    let pause = 20;
    for (;;) {
      signal?.throwIfAborted();
      const got = await guard(COMPONENT, redis, () => redis.set(lockPrefix + key, owner, "PX", lockTtlMs, "NX"));
      if (got === "OK") return owner;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new StoreUnavailableError(`the token refresh lock for ${key} was held by another worker for over ${lockWaitMs} ms`, { component: COMPONENT, retryable: true });
      }
      await notifier.waitFor(key, Math.min(pause, left), signal);
      pause = Math.min(pause * 2, 250);
    }
  }

  return {
    get: (key) =>
      guard(COMPONENT, redis, async () => {
        const raw = await redis.get(prefix + key);
        return raw === null ? undefined : (JSON.parse(raw) as StoredToken);
      }),
    set: (key, token) =>
      guard(COMPONENT, redis, async () => {
        await redis.set(prefix + key, JSON.stringify(token));
      }),
    delete: (key) =>
      guard(COMPONENT, redis, async () => {
        await redis.del(prefix + key);
      }),
    async withLock(key, fn, lockOptions) {
      const owner = await acquire(key, lockOptions?.signal);
      const keepAlive = setInterval(() => {
        redis.eval(EXTEND_IF_OWNER, 1, lockPrefix + key, owner, String(lockTtlMs)).catch(() => undefined);
      }, Math.max(10, Math.floor(lockTtlMs / 3)));
      try {
        return await fn();
      } finally {
        clearInterval(keepAlive);
        // A release that fails leaves the lock to expire by itself after lockTtlMs.
        await redis
          .eval(RELEASE_IF_OWNER, 1, lockPrefix + key, owner)
          .then(() => notifier.publish(key))
          .catch(() => undefined);
      }
    },
    close: () => notifier.close(),
  };
}

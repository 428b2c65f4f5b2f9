/**
 * Where OAuth tokens live between calls. QuickBooks rotates its refresh token on every
 * refresh, so the new pair must be stored before it is used, and only one caller (one
 * worker, in distributed mode) may refresh at a time: `withLock` gives that guarantee.
 * The memory store serves one process; `@connect/core/redis` serves many.
 */

/** A stored token set. @public */
export interface StoredToken {
  accessToken: string;
  /** Access token expiry, epoch ms. */
  expiresAt: number;
  /** Refresh token, for grants that have one. */
  refreshToken?: string | undefined;
  /** Refresh token expiry, epoch ms. */
  refreshTokenExpiresAt?: number | undefined;
  /** Anything else the vendor returns that must survive (scope, realm, token type). */
  extra?: Record<string, string> | undefined;
}

/** Persists tokens per key (a realm, an account, a user) and serialises refreshes. @public */
export interface TokenStore {
  /** The stored token set, or undefined. */
  get(key: string): Promise<StoredToken | undefined>;
  /** Store a token set (overwrites). */
  set(key: string, token: StoredToken): Promise<void>;
  /** Forget the token set (after a revoke, or when the grant is gone). */
  delete(key: string): Promise<void>;
  /**
   * Run `fn` while holding the refresh lock of `key`; concurrent callers wait for the holder,
   * then run in turn (they should re-read the store first: the holder may have refreshed).
   */
  withLock<T>(key: string, fn: () => Promise<T>, options?: { signal?: AbortSignal | undefined }): Promise<T>;
}

/** A {@link TokenStore} in process memory. @public */
export function createMemoryTokenStore(): TokenStore {
  const tokens = new Map<string, StoredToken>();
  const locks = new Map<string, Promise<unknown>>();
  return {
    async get(key) {
      const token = tokens.get(key);
      return token ? { ...token } : undefined;
    },
    async set(key, token) {
      tokens.set(key, { ...token });
    },
    async delete(key) {
      tokens.delete(key);
    },
    async withLock(key, fn, options) {
      const previous = locks.get(key) ?? Promise.resolve();
      const run = previous.then(
        () => {
          options?.signal?.throwIfAborted();
          return fn();
        },
        () => {
          options?.signal?.throwIfAborted();
          return fn();
        },
      );
      const tail = run.catch(() => undefined);
      locks.set(key, tail);
      try {
        return await run;
      } finally {
        if (locks.get(key) === tail) locks.delete(key);
      }
    },
  };
}

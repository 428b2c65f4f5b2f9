/**
 * Where OAuth tokens live between calls. QuickBooks rotates its refresh token on every
 * refresh, so the new pair must be stored before it is used, and only one caller (one
 * worker, in distributed mode) may refresh at a time: `withLock` gives that guarantee.
 * The memory store serves one process; `@connect/core/redis` serves many.
 */
import type { TokenManager } from "./auth.js";
import { registerSecret } from "./redact.js";

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

/** Options of {@link createStoredTokenManager}. @public */
export interface StoredTokenManagerOptions {
  /** Where the token set lives (memory, or Redis for several workers). */
  store: TokenStore;
  /** Key of this token set in the store (a realm id, an account id). */
  key: string;
  /**
   * Obtain a new token set. Receives what the store holds now (with the refresh token to
   * rotate); runs under the store's lock, so one caller (one worker) refreshes at a time.
   */
  refresh: (current: StoredToken | undefined, signal?: AbortSignal) => Promise<StoredToken>;
  /** Refresh this long before the access token expires (ms). Default 60 000. */
  refreshSkewMs?: number | undefined;
  /** Clock (epoch ms). */
  now?: (() => number) | undefined;
}

/**
 * A {@link TokenManager} over a {@link TokenStore}: the token is cached in memory until shortly
 * before expiry; on a miss the store is read; a refresh takes the store's lock, re-reads the
 * store (another worker may already have refreshed) and only then calls `refresh`, storing
 * the new set before anyone uses it. With a Redis store, N workers cause one refresh.
 * @example
 * const tokens = createStoredTokenManager({ store, key: `quickbooks:${realmId}`, refresh: (current) => refreshGrant(current!.refreshToken!) });
 * const auth = tokenAuth(tokens);
 * @public
 */
export function createStoredTokenManager(options: StoredTokenManagerOptions): TokenManager {
  const skew = options.refreshSkewMs ?? 60_000;
  const now = options.now ?? Date.now;
  const fresh = (token: StoredToken | undefined): token is StoredToken => token !== undefined && token.expiresAt - skew > now();
  let cached: StoredToken | undefined;
  let inflight: Promise<string> | undefined;
  let fetches = 0;

  const use = (token: StoredToken): string => {
    registerSecret(token.accessToken);
    if (token.refreshToken) registerSecret(token.refreshToken);
    cached = token;
    return token.accessToken;
  };

  const refresh = (signal?: AbortSignal, rejectedToken?: string): Promise<string> => {
    inflight ??= (async () => {
      try {
        return await options.store.withLock(
          options.key,
          async () => {
            const current = await options.store.get(options.key);
            // Someone refreshed while we waited for the lock: use theirs.
            if (fresh(current) && current.accessToken !== rejectedToken) {
              return use(current);
            }
            fetches += 1;
            const next = await options.refresh(current, signal);
            await options.store.set(options.key, next);
            return use(next);
          },
          { signal },
        );
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  };

  return {
    async getToken(signal) {
      if (fresh(cached)) return cached.accessToken;
      const stored = await options.store.get(options.key);
      if (fresh(stored)) return use(stored);
      return refresh(signal);
    },
    refresh,
    invalidate() {
      cached = undefined;
    },
    get fetches() {
      return fetches;
    },
  };
}

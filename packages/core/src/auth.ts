/**
 * Vendor authentication as a strategy the runtime applies to every request, plus a token
 * manager for OAuth-style tokens: cached until shortly before expiry, one refresh shared
 * by every concurrent caller.
 */
import type { OperationContext } from "./contract.js";
import type { HttpRequest } from "./http.js";
import { registerSecret } from "./redact.js";

/** How a client authenticates its requests. @public */
export interface AuthStrategy {
  /** Return the request with credentials added. */
  apply(request: HttpRequest, ctx: OperationContext): HttpRequest | Promise<HttpRequest>;
  /** Called once after a 401; the request is then re-sent once with fresh credentials. */
  refresh?(ctx: OperationContext): Promise<void>;
}

/** A value or a function producing it (e.g. from a SecretProvider). @public */
export type Resolvable = string | (() => string | Promise<string>);

async function resolve(value: Resolvable): Promise<string> {
  const out = typeof value === "function" ? await value() : value;
  registerSecret(out);
  return out;
}

function withHeader(request: HttpRequest, name: string, value: string): HttpRequest {
  return { ...request, headers: { ...request.headers, [name]: value } };
}

/** `Authorization: Bearer <token>`; `refresh` is called after a 401. @public */
export function bearerAuth(token: Resolvable, refresh?: () => Promise<void>): AuthStrategy {
  return {
    async apply(request) {
      return withHeader(request, "authorization", `Bearer ${await resolve(token)}`);
    },
    ...(refresh ? { refresh: () => refresh() } : {}),
  };
}

/**
 * `Authorization: Basic base64(user:password)`. The password and the encoded header are
 * secrets; the user name is not redacted (it is an account id that errors and logs should name).
 * @public
 */
export function basicAuth(user: Resolvable, password: Resolvable, refresh?: () => Promise<void>): AuthStrategy {
  return {
    async apply(request) {
      const name = typeof user === "function" ? await user() : user;
      const encoded = Buffer.from(`${name}:${await resolve(password)}`).toString("base64");
      registerSecret(encoded);
      return withHeader(request, "authorization", `Basic ${encoded}`);
    },
    ...(refresh ? { refresh: () => refresh() } : {}),
  };
}

/** A token as an OAuth endpoint returns it. @public */
export interface AccessToken {
  accessToken: string;
  /** Expiry as epoch milliseconds. */
  expiresAt: number;
}

/** Options of {@link createTokenManager}. @public */
export interface TokenManagerOptions {
  /** Fetch a new token (the grant). */
  fetchToken: (signal?: AbortSignal) => Promise<AccessToken>;
  /** Refresh this long before expiry (ms). Default 60 000. */
  refreshSkewMs?: number;
  /** Clock (epoch ms). */
  now?: () => number;
}

/** Caches a token and shares one refresh between concurrent callers. @public */
export interface TokenManager {
  /** A valid token: the cached one, or a fresh one when it is missing or about to expire. */
  getToken(signal?: AbortSignal): Promise<string>;
  /**
   * Force a new token (after a 401); concurrent callers share the same refresh. Pass the
   * token that was rejected: when the cache already holds a newer one, it is returned
   * without another fetch (20 callers with the same stale token cause one refresh).
   */
  refresh(signal?: AbortSignal, rejectedToken?: string): Promise<string>;
  /** Drop the cached token. */
  invalidate(): void;
  /** How many tokens were fetched (for tests and metrics). */
  readonly fetches: number;
}

/** Create a token manager. @public */
export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const skew = options.refreshSkewMs ?? 60_000;
  const now = options.now ?? Date.now;
  let cached: AccessToken | undefined;
  let inflight: Promise<string> | undefined;
  let fetches = 0;

  const refresh = (signal?: AbortSignal, rejectedToken?: string): Promise<string> => {
    if (!inflight && rejectedToken !== undefined && cached && cached.accessToken !== rejectedToken) {
      return Promise.resolve(cached.accessToken);
    }
    inflight ??= (async () => {
      try {
        fetches += 1;
        const token = await options.fetchToken(signal);
        registerSecret(token.accessToken);
        cached = token;
        return token.accessToken;
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  };

  return {
    getToken(signal) {
      if (cached && cached.expiresAt - skew > now()) return Promise.resolve(cached.accessToken);
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

/** Bearer auth backed by a token manager: a 401 forces one shared refresh. @public */
export function tokenAuth(tokens: TokenManager): AuthStrategy {
  const used = new WeakMap<OperationContext, string>();
  return {
    async apply(request, ctx) {
      const token = await tokens.getToken(ctx.signal);
      used.set(ctx, token);
      return withHeader(request, "authorization", `Bearer ${token}`);
    },
    async refresh(ctx) {
      await tokens.refresh(ctx.signal, used.get(ctx));
    },
  };
}

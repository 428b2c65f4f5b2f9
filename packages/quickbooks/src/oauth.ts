/**
 * Intuit OAuth 2.0 (shared/vendors/quickbooks.md §1): the authorization URL with a CSRF
 * `state`, the code exchange, refresh with rotating refresh tokens, revoke — and the token
 * lifecycle around a core `TokenStore`:
 *
 * - a refreshed pair is written to the store before the new access token is used, so a crash
 *   right after a refresh never loses the only valid refresh token;
 * - refreshes run under `tokens.withLock(key)` and re-read the store first, so concurrent
 *   callers (and workers sharing a Redis store) cause one refresh, not a race that ends in
 *   `invalid_grant`;
 * - an expired or revoked refresh token is an `AuthError` that tells the host to reconnect;
 * - the refresh token's hard maximum lifetime is requested and stored, and a warning is
 *   raised ahead of it.
 */
import { randomBytes } from "node:crypto";
import {
  AuthError,
  basicAuth,
  createRuntime,
  defineOperation,
  IntegrationError,
  registerSecret,
  timingSafeEqualStrings,
  type AuthStrategy,
  type IntegrationContext,
  type Logger,
  type OperationContext,
  type PolicyOptions,
  type Resolvable,
  type Runtime,
  type StoredToken,
  type TelemetryOptions,
  type TokenStore,
  type TransportOptions, lazySchema } from "@connect/core";
import { z } from "zod";
import pkg from "../package.json" with { type: "json" };
import { classifyOAuthError } from "./errors.js";
import { safeLogger } from "./logging.js";

/** Intuit's OAuth endpoints (the same for sandbox and production). @public */
export const QUICKBOOKS_OAUTH_ENDPOINTS = {
  authorize: "https://appcenter.intuit.com/connect/oauth2",
  token: "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
  revoke: "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
} as const;

/** OAuth endpoint URLs (tests point them at the fake). @public */
export interface QuickBooksOAuthEndpoints {
  authorize: string;
  token: string;
  revoke: string;
}

/** Scopes Intuit documents (shared/vendors/quickbooks.md §1). @public */
export const QUICKBOOKS_SCOPES = {
  accounting: "com.intuit.quickbooks.accounting",
  payment: "com.intuit.quickbooks.payment",
  openid: "openid",
  profile: "profile",
  email: "email",
  phone: "phone",
  address: "address",
} as const;

/** Default warning lead before the refresh token's hard expiry: 30 days. @public */
export const DEFAULT_RECONNECT_WARNING_MS = 30 * 24 * 3600_000;

/** The token endpoint's answer. @internal */
export const TokenResponse = lazySchema(() =>
  z.looseObject({
  token_type: z.string().optional(),
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  refresh_token: z.string().min(1).optional(),
  x_refresh_token_expires_in: z.number().positive().optional(),
  x_refresh_token_hard_expires_in: z.number().positive().optional(),
  id_token: z.string().optional(),
}),
);
type TokenResponse = z.infer<typeof TokenResponse>;

// Opt in to learning the refresh token's hard maximum lifetime (shared/vendors/quickbooks.md §1).
const HARD_EXPIRY_HEADER = { "x-include-refresh-token-hard-expires-in": "true", accept: "application/json" };

const pathOf = (ctx: OperationContext, name: "tokenPath" | "revokePath"): string => ctx.params[name] ?? "/";

/** `oauth.exchangeCode`: authorization code → tokens. Unsafe: a code is single-use, so it is never resent after it may have arrived. @internal */
export const exchangeCode = defineOperation({
  id: "oauth.exchangeCode",
  input: z.strictObject({ code: z.string().min(1), redirectUri: z.string().min(1) }),
  output: TokenResponse,
  safety: "unsafe",
  request: (input, ctx) => ({
    method: "POST",
    path: pathOf(ctx, "tokenPath"),
    headers: HARD_EXPIRY_HEADER,
    body: { form: { grant_type: "authorization_code", code: input.code, redirect_uri: input.redirectUri } },
  }),
  classifyError: (response, ctx) => classifyOAuthError(response, { operation: ctx.operation }),
});

/**
 * `oauth.refresh`: refresh token → a new pair. Retried like a read: Intuit keeps the previous
 * refresh token valid for 24 h after issuing a new one (shared/vendors/quickbooks.md §1), so a
 * retry after a lost response still succeeds.
 * @internal
 */
export const refreshTokens = defineOperation({
  id: "oauth.refresh",
  input: z.strictObject({ refreshToken: z.string().min(1) }),
  output: TokenResponse,
  safety: "idempotent",
  request: (input, ctx) => ({
    method: "POST",
    path: pathOf(ctx, "tokenPath"),
    headers: HARD_EXPIRY_HEADER,
    body: { form: { grant_type: "refresh_token", refresh_token: input.refreshToken } },
  }),
  classifyError: (response, ctx) => classifyOAuthError(response, { operation: ctx.operation }),
});

/** `oauth.revoke`: revoke a refresh (or access) token; a JSON body, unlike the token endpoint. @internal */
export const revokeToken = defineOperation({
  id: "oauth.revoke",
  input: z.strictObject({ token: z.string().min(1) }),
  output: z.unknown(),
  safety: "idempotent",
  request: (input, ctx) => ({ method: "POST", path: pathOf(ctx, "revokePath"), headers: { accept: "application/json" }, body: { json: { token: input.token } } }),
  response: () => null,
  classifyError: (response, ctx) => classifyOAuthError(response, { operation: ctx.operation }),
});

/** A connected company, as the code exchange returns it (no secrets). @public */
export interface QuickBooksConnection {
  /** The company id: it only arrives on the callback, and is the key the tokens are stored under. */
  realmId: string;
  /** Access token expiry, epoch ms. */
  accessTokenExpiresAt: number;
  /** Rolling refresh token expiry (≈100 days, extended by each refresh), epoch ms. */
  refreshTokenExpiresAt: number | undefined;
  /** Hard maximum lifetime of the grant (5 years), epoch ms, when Intuit reported it. */
  refreshTokenHardExpiresAt: number | undefined;
  /** The OpenID id token, when the `openid` scope was granted. */
  idToken?: string | undefined;
}

/** Where a realm's grant stands. @public */
export interface QuickBooksTokenStatus extends QuickBooksConnection {
  /** When the host must have reconnected at the latest (the earlier of the two refresh expiries). */
  reconnectBy: number | undefined;
  /** True once `reconnectBy` is within the warning lead. */
  reconnectDue: boolean;
}

/** Raised ahead of a refresh token's expiry. @public */
export interface ReconnectNotice {
  realmId: string;
  /** `hard_expiry`: the 5-year maximum; `rolling_expiry`: ~100 days without a refresh. */
  reason: "hard_expiry" | "rolling_expiry";
  expiresAt: number;
  remainingMs: number;
}

/** Options of {@link createQuickBooksOAuth}. @public */
export interface QuickBooksOAuthOptions {
  /** The app's client id. */
  clientId: string;
  /** The app's client secret (a string, or a function reading it from a SecretProvider). */
  clientSecret: Resolvable;
  /** Where Intuit sends the user back; must match the app's settings exactly. Needed for the authorization flow. */
  redirectUri?: string | undefined;
  /** Scopes to request. Default: accounting. */
  scopes?: readonly string[] | undefined;
  /** Where tokens live; share a Redis store across workers. */
  tokens: TokenStore;
  /** Token store key of a realm. Default `quickbooks:<realmId>`. */
  tokenKey?: ((realmId: string) => string) | undefined;
  /** Endpoint overrides (the fake). */
  endpoints?: Partial<QuickBooksOAuthEndpoints> | undefined;
  /** Refresh this long before the access token expires (ms). Default 5 min. */
  refreshSkewMs?: number | undefined;
  /** Warn this long before a refresh token expires (ms). Default 30 days. */
  reconnectWarningMs?: number | undefined;
  /** Called (once per realm and expiry) when a refresh token is about to expire. */
  onReconnectDue?: ((notice: ReconnectNotice) => void) | undefined;
  /** Host overrides of the token calls' resilience policy. */
  policy?: PolicyOptions | undefined;
  /** Tracer, meter, logger. */
  telemetry?: TelemetryOptions | undefined;
  /** Transport limits. */
  transport?: TransportOptions | undefined;
  /** Clock (epoch ms). */
  now?: (() => number) | undefined;
}

/** Intuit OAuth for one app: connect a company, keep its tokens fresh, disconnect it. @public */
export interface QuickBooksOAuth {
  /** The URL to send the user to, and the CSRF `state` to keep in their session. */
  authorizationUrl(options?: { state?: string; scopes?: readonly string[] }): { url: string; state: string };
  /**
   * Finish the flow from the callback: check `state` (constant time), exchange the code, persist
   * the tokens under the realm. Throws `AuthError` (state mismatch, declined, invalid code) before
   * or instead of storing anything.
   */
  connect(callback: { url: string | URL; expectedState: string }, ctx?: IntegrationContext): Promise<QuickBooksConnection>;
  /** A valid access token for the realm, refreshed first when it is about to expire. */
  accessToken(realmId: string, options?: { signal?: AbortSignal | undefined }): Promise<string>;
  /**
   * Refresh under the realm's lock. With `rejectedAccessToken` (after a 401), a token another
   * caller already replaced is returned without a second refresh.
   */
  refresh(realmId: string, options?: { rejectedAccessToken?: string | undefined; signal?: AbortSignal | undefined }): Promise<string>;
  /** Revoke the grant at Intuit and forget the tokens. */
  revoke(realmId: string, ctx?: IntegrationContext): Promise<void>;
  /** The realm's token lifetimes, or undefined when it is not connected. */
  status(realmId: string): Promise<QuickBooksTokenStatus | undefined>;
  /** Token refreshes made by this instance (for metrics and tests). */
  readonly refreshes: number;
  /** Close connections. */
  close(): Promise<void>;
}

function splitUrl(url: string): { origin: string; path: string } {
  const parsed = new URL(url);
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

function notConnected(realmId: string, why: string): AuthError {
  return new AuthError(`quickbooks: realm ${realmId} ${why}; reconnect: send the user through the authorization URL again`, {
    vendor: "quickbooks",
    vendorCode: "not_connected",
  });
}

/**
 * Create the OAuth helper of one Intuit app.
 * @example
 * const oauth = createQuickBooksOAuth({ clientId, clientSecret, redirectUri, tokens: createMemoryTokenStore() });
 * const { url, state } = oauth.authorizationUrl();          // redirect the user; keep `state` in the session
 * const { realmId } = await oauth.connect({ url: req.url, expectedState: session.state });
 * @public
 */
export function createQuickBooksOAuth(options: QuickBooksOAuthOptions): QuickBooksOAuth {
  if (!options.clientId) throw new TypeError("createQuickBooksOAuth: clientId is required");
  if (!options.tokens) throw new TypeError("createQuickBooksOAuth: tokens (a TokenStore) is required");
  const endpoints: QuickBooksOAuthEndpoints = { ...QUICKBOOKS_OAUTH_ENDPOINTS, ...options.endpoints };
  const now = options.now ?? Date.now;
  const skew = options.refreshSkewMs ?? 5 * 60_000;
  const warningMs = options.reconnectWarningMs ?? DEFAULT_RECONNECT_WARNING_MS;
  const keyOf = options.tokenKey ?? ((realmId: string) => `quickbooks:${realmId}`);
  const store = options.tokens;
  const logger: Logger = safeLogger(options.telemetry?.logger);
  registerSecret(typeof options.clientSecret === "string" ? options.clientSecret : undefined);
  const auth: AuthStrategy = basicAuth(options.clientId, options.clientSecret);
  const defaults: PolicyOptions = { retry: { attempts: 3, minDelayMs: 250, maxDelayMs: 5_000 }, breaker: false, limiter: false, timeout: { attemptMs: 30_000, totalMs: 60_000 } };
  const token = splitUrl(endpoints.token);
  const revoke = splitUrl(endpoints.revoke);
  const runtimeFor = (origin: string, params: Record<string, string>): Runtime =>
    createRuntime({
      adapter: { id: "quickbooks", version: pkg.version },
      baseUrl: origin,
      params,
      auth,
      defaults,
      policy: options.policy,
      telemetry: options.telemetry,
      transport: { requestIdHeaders: ["intuit_tid"], ...options.transport },
      drift: "strict",
    });
  const tokenRuntime = runtimeFor(token.origin, { tokenPath: token.path });
  const revokeRuntime = runtimeFor(revoke.origin, { revokePath: revoke.path });
  const warned = new Set<string>();
  let refreshes = 0;

  const fresh = (stored: StoredToken): boolean => stored.expiresAt - skew > now();
  const hardExpiry = (stored: StoredToken): number | undefined => {
    const value = Number(stored.extra?.refreshTokenHardExpiresAt);
    return Number.isFinite(value) && value > 0 ? value : undefined;
  };

  function toStored(response: TokenResponse, realmId: string, previous?: StoredToken): StoredToken {
    const at = now();
    registerSecret(response.access_token);
    registerSecret(response.refresh_token);
    const hard = response.x_refresh_token_hard_expires_in !== undefined ? at + response.x_refresh_token_hard_expires_in * 1000 : previous ? hardExpiry(previous) : undefined;
    const extra: Record<string, string> = { ...previous?.extra, realmId, tokenType: response.token_type ?? "bearer" };
    if (hard !== undefined) extra.refreshTokenHardExpiresAt = String(hard);
    return {
      accessToken: response.access_token,
      expiresAt: at + response.expires_in * 1000,
      // Intuit may or may not rotate; keep the newest refresh token it gave us.
      refreshToken: response.refresh_token ?? previous?.refreshToken,
      refreshTokenExpiresAt:
        response.x_refresh_token_expires_in !== undefined ? at + response.x_refresh_token_expires_in * 1000 : previous?.refreshTokenExpiresAt,
      extra,
    };
  }

  function statusOf(realmId: string, stored: StoredToken): QuickBooksTokenStatus {
    const hard = hardExpiry(stored);
    const candidates = [stored.refreshTokenExpiresAt, hard].filter((v): v is number => v !== undefined);
    const reconnectBy = candidates.length > 0 ? Math.min(...candidates) : undefined;
    return {
      realmId,
      accessTokenExpiresAt: stored.expiresAt,
      refreshTokenExpiresAt: stored.refreshTokenExpiresAt,
      refreshTokenHardExpiresAt: hard,
      reconnectBy,
      reconnectDue: reconnectBy !== undefined && reconnectBy - now() <= warningMs,
    };
  }

  function warnIfExpiring(realmId: string, stored: StoredToken): void {
    const hard = hardExpiry(stored);
    const checks: Array<[ReconnectNotice["reason"], number | undefined]> = [
      ["hard_expiry", hard],
      ["rolling_expiry", stored.refreshTokenExpiresAt],
    ];
    for (const [reason, expiresAt] of checks) {
      if (expiresAt === undefined) continue;
      const remainingMs = expiresAt - now();
      if (remainingMs > warningMs) continue;
      const once = `${realmId}:${reason}:${expiresAt}`;
      if (warned.has(once)) continue;
      warned.add(once);
      const notice: ReconnectNotice = { realmId, reason, expiresAt, remainingMs };
      logger.warn(
        { vendor: "quickbooks", realmId, reason, expiresAt: new Date(expiresAt).toISOString(), remainingDays: Math.floor(remainingMs / 86_400_000) },
        `quickbooks: the refresh token of realm ${realmId} expires ${reason === "hard_expiry" ? "for good (hard maximum lifetime)" : "unless it is used"} on ${new Date(expiresAt).toISOString()}; ask the user to reconnect before then`,
      );
      try {
        options.onReconnectDue?.(notice);
      } catch (error) {
        logger.error({ vendor: "quickbooks", error: String(error) }, "onReconnectDue threw");
      }
    }
  }

  // The last token set this process read or stored, per realm: a call with a fresh token makes no
  // store round trip (with a Redis store, one per call otherwise). The store stays the truth for
  // refreshes, which always re-read it under the lock.
  const cache = new Map<string, StoredToken>();

  async function refreshLocked(realmId: string, rejected: string | undefined, signal: AbortSignal | undefined): Promise<string> {
    const key = keyOf(realmId);
    return store.withLock(
      key,
      async () => {
        // Another caller (or worker) may have refreshed while we waited for the lock.
        const current = await store.get(key);
        if (!current) throw notConnected(realmId, "has no stored tokens");
        const replaced = rejected !== undefined && current.accessToken !== rejected;
        if ((replaced || rejected === undefined) && fresh(current)) {
          registerSecret(current.accessToken);
          cache.set(key, current);
          return current.accessToken;
        }
        cache.delete(key);
        if (!current.refreshToken) throw notConnected(realmId, "has no refresh token");
        registerSecret(current.refreshToken);
        const hard = hardExpiry(current);
        if (hard !== undefined && hard <= now()) throw notConnected(realmId, "has passed the refresh token's hard maximum lifetime");
        refreshes += 1;
        const response = await tokenRuntime.run(refreshTokens, { refreshToken: current.refreshToken }, { signal });
        const next = toStored(response, realmId, current);
        // Persist before use: if this write fails, nobody gets the new access token.
        await store.set(key, next);
        cache.set(key, next);
        warnIfExpiring(realmId, next);
        return next.accessToken;
      },
      { signal },
    );
  }

  return {
    authorizationUrl(opts = {}) {
      if (!options.redirectUri) throw new TypeError("quickbooks authorizationUrl: set redirectUri in createQuickBooksOAuth");
      const state = opts.state ?? randomBytes(32).toString("base64url");
      const url = new URL(endpoints.authorize);
      url.searchParams.set("client_id", options.clientId);
      url.searchParams.set("response_type", "code");
      url.searchParams.set("scope", [...(opts.scopes ?? options.scopes ?? [QUICKBOOKS_SCOPES.accounting])].join(" "));
      url.searchParams.set("redirect_uri", options.redirectUri);
      url.searchParams.set("state", state);
      return { url: url.toString(), state };
    },

    async connect(callback, ctx) {
      if (!options.redirectUri) throw new TypeError("quickbooks connect: set redirectUri in createQuickBooksOAuth");
      const params = new URL(String(callback.url), "http://callback.invalid").searchParams;
      const state = params.get("state") ?? "";
      if (!callback.expectedState || !timingSafeEqualStrings(state, callback.expectedState)) {
        throw new AuthError("quickbooks connect: the callback's state does not match the one issued (a forged or stale callback); start the authorization again", {
          vendor: "quickbooks",
          operation: "oauth.connect",
          vendorCode: "state_mismatch",
        });
      }
      const error = params.get("error");
      if (error) {
        throw new AuthError(`quickbooks connect: authorization was not granted (${error}); the user declined or the app is not allowed`, {
          vendor: "quickbooks",
          operation: "oauth.connect",
          vendorCode: error,
        });
      }
      const code = params.get("code");
      const realmId = params.get("realmId");
      if (!code || !realmId) {
        throw new AuthError("quickbooks connect: the callback has no code or realmId; pass the full callback URL", { vendor: "quickbooks", operation: "oauth.connect", vendorCode: "invalid_callback" });
      }
      registerSecret(code);
      const response = await tokenRuntime.run(exchangeCode, { code, redirectUri: options.redirectUri }, ctx);
      const stored = toStored(response, realmId);
      const key = keyOf(realmId);
      await store.withLock(key, () => store.set(key, stored), { signal: ctx?.signal });
      cache.set(key, stored);
      warnIfExpiring(realmId, stored);
      const status = statusOf(realmId, stored);
      return {
        realmId,
        accessTokenExpiresAt: status.accessTokenExpiresAt,
        refreshTokenExpiresAt: status.refreshTokenExpiresAt,
        refreshTokenHardExpiresAt: status.refreshTokenHardExpiresAt,
        ...(response.id_token ? { idToken: response.id_token } : {}),
      };
    },

    async accessToken(realmId, opts = {}) {
      const key = keyOf(realmId);
      const cached = cache.get(key);
      if (cached && fresh(cached)) return cached.accessToken;
      const stored = await store.get(key);
      if (!stored) throw notConnected(realmId, "has no stored tokens");
      if (fresh(stored)) {
        registerSecret(stored.accessToken);
        cache.set(key, stored);
        return stored.accessToken;
      }
      return refreshLocked(realmId, undefined, opts.signal);
    },

    refresh(realmId, opts = {}) {
      return refreshLocked(realmId, opts.rejectedAccessToken, opts.signal);
    },

    async revoke(realmId, ctx) {
      const key = keyOf(realmId);
      await store.withLock(
        key,
        async () => {
          const stored = await store.get(key);
          if (!stored) return;
          // Revoking the refresh token ends the whole grant (shared/vendors/quickbooks.md §1).
          const tokenToRevoke = stored.refreshToken ?? stored.accessToken;
          registerSecret(tokenToRevoke);
          await revokeRuntime.run(revokeToken, { token: tokenToRevoke }, ctx);
          await store.delete(key);
          cache.delete(key);
        },
        { signal: ctx?.signal },
      );
    },

    async status(realmId) {
      const stored = await store.get(keyOf(realmId));
      return stored ? statusOf(realmId, stored) : undefined;
    },

    get refreshes() {
      return refreshes;
    },

    async close() {
      await Promise.all([tokenRuntime.close(), revokeRuntime.close()]);
    },
  };
}

/** Bearer auth for one realm: a valid token from the OAuth helper; a 401 refreshes once under the lock. @internal */
export function quickBooksAuth(oauth: QuickBooksOAuth, realmId: string): AuthStrategy {
  const used = new WeakMap<OperationContext, string>();
  return {
    async apply(request, ctx) {
      const accessToken = await oauth.accessToken(realmId, { signal: ctx.signal });
      used.set(ctx, accessToken);
      return { ...request, headers: { ...request.headers, authorization: `Bearer ${accessToken}` } };
    },
    async refresh(ctx) {
      try {
        await oauth.refresh(realmId, { rejectedAccessToken: used.get(ctx), signal: ctx.signal });
      } catch (error) {
        if (IntegrationError.is(error)) throw error;
        throw new AuthError(`quickbooks: refreshing the access token failed: ${(error as Error)?.message ?? String(error)}`, { vendor: "quickbooks", cause: error });
      }
    },
  };
}

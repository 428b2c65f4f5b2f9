/**
 * Xero OAuth 2.0 (shared/vendors/xero.md §1): the authorization URL with a CSRF `state`, the
 * code exchange, refresh with ROTATING refresh tokens, revocation, and the grant's tenants
 * (`GET /connections`). Token lifecycle is core's: `createStoredTokenManager` over a
 * `TokenStore` refreshes under the store's lock after re-reading it, and stores the rotated pair
 * before anyone uses it — so several clients (and workers sharing a Redis store) cause one
 * refresh, and a crash after a refresh never loses the only valid refresh token.
 *
 * Tokens belong to a grant (one user's consent), which may cover several tenants; they are
 * stored under `xero:<grantId>`. An `invalid_grant` is remembered in the store, so later calls
 * fail with the same "re-consent" `AuthError` without another request.
 */
import { randomBytes, randomUUID } from "node:crypto";
import {
  AuthError,
  basicAuth,
  createRuntime,
  createStoredTokenManager,
  defineOperation,
  IntegrationError,
  registerSecret,
  timingSafeEqualStrings,
  type AuthStrategy,
  type IntegrationContext,
  type OperationContext,
  type PolicyOptions,
  type Resolvable,
  type Runtime,
  type StoredToken,
  type TelemetryOptions,
  type TokenManager,
  type TokenStore,
  type TransportOptions, lazySchema } from "@connect/core";
import { z } from "zod";
import pkg from "../package.json" with { type: "json" };
import { classifyXeroError, classifyXeroOAuthError } from "./errors.js";
import { XeroConnection } from "./schemas.js";

/** Xero's identity and connection endpoints. @public */
export const XERO_OAUTH_ENDPOINTS = {
  authorize: "https://login.xero.com/identity/connect/authorize",
  token: "https://identity.xero.com/connect/token",
  revoke: "https://identity.xero.com/connect/revocation",
  connections: "https://api.xero.com/connections",
} as const;

/** Endpoint URLs (tests point them at the fake). @public */
export interface XeroOAuthEndpoints {
  authorize: string;
  token: string;
  revoke: string;
  connections: string;
}

/**
 * Scopes (shared/vendors/xero.md §1). Apps created on or after 2 March 2026 must use the granular
 * `accounting.invoices` / `accounting.payments` instead of `accounting.transactions`: scopes are
 * configuration, never hard-wired.
 * @public
 */
export const XERO_SCOPES = {
  openid: "openid",
  profile: "profile",
  email: "email",
  offlineAccess: "offline_access",
  contacts: "accounting.contacts",
  contactsRead: "accounting.contacts.read",
  transactions: "accounting.transactions",
  transactionsRead: "accounting.transactions.read",
  invoices: "accounting.invoices",
  invoicesRead: "accounting.invoices.read",
  payments: "accounting.payments",
  paymentsRead: "accounting.payments.read",
  settings: "accounting.settings",
  settingsRead: "accounting.settings.read",
} as const;

/** Default scopes: a refresh token (`offline_access`), contacts and the granular invoices and payments. @public */
export const DEFAULT_XERO_SCOPES: readonly string[] = ["offline_access", "accounting.contacts", "accounting.invoices", "accounting.payments", "accounting.settings.read"];

/** The token endpoint's answer. @internal */
export const XeroTokenResponse = lazySchema(() =>
  z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string().optional(),
  refresh_token: z.string().min(1).optional(),
  id_token: z.string().optional(),
  scope: z.string().optional(),
}),
);
type XeroTokenResponse = z.infer<typeof XeroTokenResponse>;

const pathOf = (ctx: OperationContext, name: string): string => ctx.params[name] ?? "/";
const FORM_HEADERS = { accept: "application/json" };

/** `oauth.exchangeCode`: a code is single-use, so never resent once it may have arrived. @internal */
export const exchangeCode = defineOperation({
  id: "oauth.exchangeCode",
  input: z.strictObject({ code: z.string().min(1), redirectUri: z.string().min(1) }),
  output: XeroTokenResponse,
  safety: "unsafe",
  request: (input, ctx) => ({
    method: "POST",
    path: pathOf(ctx, "tokenPath"),
    headers: FORM_HEADERS,
    body: { form: { grant_type: "authorization_code", code: input.code, redirect_uri: input.redirectUri } },
  }),
  classifyError: (response, ctx) => classifyXeroOAuthError(response, { operation: ctx.operation }),
});

/**
 * `oauth.refresh`: retried like a read — Xero keeps the previous refresh token usable for 30
 * minutes after rotating it (shared/vendors/xero.md §1), so a retry after a lost response works.
 * @internal
 */
export const refreshTokens = defineOperation({
  id: "oauth.refresh",
  input: z.strictObject({ refreshToken: z.string().min(1) }),
  output: XeroTokenResponse,
  safety: "idempotent",
  request: (input, ctx) => ({
    method: "POST",
    path: pathOf(ctx, "tokenPath"),
    headers: FORM_HEADERS,
    body: { form: { grant_type: "refresh_token", refresh_token: input.refreshToken } },
  }),
  classifyError: (response, ctx) => classifyXeroOAuthError(response, { operation: ctx.operation }),
});

/** `oauth.revoke`: revoking the refresh token drops every connection of the grant. @internal */
export const revokeToken = defineOperation({
  id: "oauth.revoke",
  input: z.strictObject({ token: z.string().min(1) }),
  output: z.unknown(),
  safety: "idempotent",
  request: (input, ctx) => ({ method: "POST", path: pathOf(ctx, "revokePath"), headers: FORM_HEADERS, body: { form: { token: input.token } } }),
  response: () => null,
  classifyError: (response, ctx) => classifyXeroOAuthError(response, { operation: ctx.operation }),
});

/** `connections.list`: the tenants the grant may call (a bare JSON array). @internal */
export const listConnections = defineOperation({
  id: "connections.list",
  input: z.strictObject({ authEventId: z.string().min(1).optional() }),
  output: z.array(XeroConnection),
  idempotent: true,
  request: (input, ctx) => ({ method: "GET", path: pathOf(ctx, "connectionsPath"), query: { authEventId: input.authEventId }, headers: { accept: "application/json" } }),
  classifyError: (response, ctx) => classifyXeroError(response, { operation: ctx.operation }),
});

/** `connections.delete`: disconnect one tenant (204). @internal */
export const deleteConnection = defineOperation({
  id: "connections.delete",
  input: z.strictObject({ connectionId: z.string().regex(/^[0-9a-f-]{36}$/i, "must be a connection id (a UUID)") }),
  output: z.unknown(),
  idempotent: true,
  request: (input, ctx) => ({ method: "DELETE", path: `${pathOf(ctx, "connectionsPath")}/${input.connectionId}`, responseType: "text" }),
  response: () => null,
  classifyError: (response, ctx) => classifyXeroError(response, { operation: ctx.operation }),
});

/** A connected grant, as `connect` returns it (no secrets). @public */
export interface XeroGrant {
  /** The key the grant's tokens are stored under. */
  grantId: string;
  /** Every tenant the grant is connected to (`GET /connections`). */
  tenants: XeroConnection[];
  /** The consent's `authentication_event_id`, when the access token carries it (then `newTenants` are the ones it added). */
  authEventId: string | undefined;
  /** Tenants this consent added (all of them when `authEventId` is unknown). */
  newTenants: XeroConnection[];
  /** Access token expiry, epoch ms. */
  accessTokenExpiresAt: number;
  /** The OpenID id token, with the `openid` scope. */
  idToken?: string | undefined;
}

/** Options of {@link createXeroOAuth}. @public */
export interface XeroOAuthOptions {
  clientId: string;
  /** The client secret (a string, or a function reading it from a SecretProvider). */
  clientSecret: Resolvable;
  /** Where Xero sends the user back; needed for the authorization flow. */
  redirectUri?: string | undefined;
  /** Scopes to request. Default {@link DEFAULT_XERO_SCOPES}. */
  scopes?: readonly string[] | undefined;
  /** Where tokens live; share a Redis store (`@connect/core/redis`) across workers. */
  tokens: TokenStore;
  /** Store key of a grant. Default `xero:<grantId>`. */
  tokenKey?: ((grantId: string) => string) | undefined;
  endpoints?: Partial<XeroOAuthEndpoints> | undefined;
  /** Refresh this long before the access token expires (ms). Default 5 min (tokens live 30 min). */
  refreshSkewMs?: number | undefined;
  policy?: PolicyOptions | undefined;
  telemetry?: TelemetryOptions | undefined;
  transport?: TransportOptions | undefined;
  /** Clock (epoch ms). */
  now?: (() => number) | undefined;
}

/** Xero OAuth for one app. @public */
export interface XeroOAuth {
  /** The URL to send the user to, and the CSRF `state` to keep in their session. */
  authorizationUrl(options?: { state?: string; scopes?: readonly string[] }): { url: string; state: string };
  /**
   * Finish the flow from the callback: check `state` (constant time), exchange the code, store the
   * tokens under `grantId`, list the grant's tenants. Throws `AuthError` before storing anything
   * when the state does not match or consent was refused.
   */
  connect(callback: { url: string | URL; expectedState: string; grantId: string }, ctx?: IntegrationContext): Promise<XeroGrant>;
  /** Core's token manager of a grant (one per grant per helper; clients of one grant share it). */
  tokenManager(grantId: string): TokenManager;
  /** A valid access token of the grant (refreshed first when about to expire). */
  accessToken(grantId: string, options?: { signal?: AbortSignal | undefined }): Promise<string>;
  /** The grant's tenants (`GET /connections`). */
  connections(grantId: string, ctx?: IntegrationContext): Promise<XeroConnection[]>;
  /** Disconnect one tenant from the grant (`DELETE /connections/{id}`). */
  disconnect(grantId: string, connectionId: string, ctx?: IntegrationContext): Promise<void>;
  /** Revoke the grant at Xero (every tenant of it) and forget its tokens. */
  revoke(grantId: string, ctx?: IntegrationContext): Promise<void>;
  /** Token refreshes sent by this helper (metrics, tests). */
  readonly refreshes: number;
  close(): Promise<void>;
}

function splitUrl(url: string): { origin: string; path: string } {
  const parsed = new URL(url);
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

/** The `authentication_event_id` claim of a JWT access token, read without verifying it (the token came straight from Xero). */
function authEventIdOf(accessToken: string): string | undefined {
  const payload = accessToken.split(".")[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    return typeof claims.authentication_event_id === "string" ? claims.authentication_event_id : undefined;
  } catch {
    return undefined;
  }
}

const INVALID_GRANT_AT = "invalidGrantAt";

/** The "re-consent" error of a grant whose refresh token is gone. @internal */
export function reconsentRequired(grantId: string, why: string, vendorCode = "not_connected"): AuthError {
  return new AuthError(`xero: grant ${grantId} ${why}; the user must re-consent: send them through the authorization URL again`, {
    vendor: "xero",
    vendorCode,
    retryable: false,
  });
}

/**
 * Create the OAuth helper of one Xero app.
 * @example
 * const oauth = createXeroOAuth({ clientId, clientSecret, redirectUri, tokens: createRedisTokenStore({ redis }) });
 * const { url, state } = oauth.authorizationUrl();
 * const grant = await oauth.connect({ url: req.url, expectedState: session.state, grantId: user.id });
 * @public
 */
export function createXeroOAuth(options: XeroOAuthOptions): XeroOAuth {
  if (!options?.clientId) throw new TypeError("createXeroOAuth: clientId is required");
  if (!options.clientSecret) throw new TypeError("createXeroOAuth: clientSecret is required");
  if (!options.tokens) throw new TypeError("createXeroOAuth: tokens (a TokenStore) is required");
  const endpoints: XeroOAuthEndpoints = { ...XERO_OAUTH_ENDPOINTS, ...options.endpoints };
  const now = options.now ?? Date.now;
  const skew = options.refreshSkewMs ?? 5 * 60_000;
  const keyOf = options.tokenKey ?? ((grantId: string) => `xero:${grantId}`);
  const store = options.tokens;
  registerSecret(typeof options.clientSecret === "string" ? options.clientSecret : undefined);
  const defaults: PolicyOptions = { retry: { attempts: 3, minDelayMs: 250, maxDelayMs: 5_000 }, breaker: false, limiter: false, timeout: { attemptMs: 30_000, totalMs: 60_000 } };
  const runtimeFor = (url: string, params: Record<string, string>, auth: AuthStrategy): Runtime =>
    createRuntime({
      adapter: { id: "xero", version: pkg.version },
      baseUrl: url,
      params,
      auth,
      defaults,
      policy: options.policy,
      telemetry: options.telemetry,
      transport: { requestIdHeaders: ["xero-correlation-id"], ...options.transport },
    });
  const basic = basicAuth(options.clientId, options.clientSecret);
  const token = splitUrl(endpoints.token);
  const revoke = splitUrl(endpoints.revoke);
  const conn = splitUrl(endpoints.connections);
  const tokenRuntime = runtimeFor(token.origin, { tokenPath: token.path }, basic);
  const revokeRuntime = runtimeFor(revoke.origin, { revokePath: revoke.path }, basic);

  // The connections API authenticates with the grant's bearer token; which grant (or which
  // just-issued token) a call is for travels by correlation id, never in the input.
  const bearerFor = new Map<string, { grantId: string } | { accessToken: string }>();
  const connectionsAuth: AuthStrategy = {
    async apply(request, ctx) {
      const who = bearerFor.get(ctx.correlationId);
      if (!who) throw new IntegrationError("xero connections: no grant bound to this call", { vendor: "xero", retryable: false });
      const accessToken = "accessToken" in who ? who.accessToken : await tokenManager(who.grantId).getToken(ctx.signal);
      used.set(ctx, accessToken);
      return { ...request, headers: { ...request.headers, authorization: `Bearer ${accessToken}` } };
    },
    async refresh(ctx) {
      const who = bearerFor.get(ctx.correlationId);
      if (who && "grantId" in who) await tokenManager(who.grantId).refresh(ctx.signal, used.get(ctx));
    },
  };
  const used = new WeakMap<OperationContext, string>();
  const connectionsRuntime = runtimeFor(conn.origin, { connectionsPath: conn.path }, connectionsAuth);

  async function withBearer<T>(who: { grantId: string } | { accessToken: string }, ctx: IntegrationContext | undefined, fn: (ctx: IntegrationContext) => Promise<T>): Promise<T> {
    const wanted = ctx?.correlationId;
    const correlationId = wanted && !bearerFor.has(wanted) ? wanted : randomUUID();
    bearerFor.set(correlationId, who);
    try {
      return await fn({ ...ctx, correlationId });
    } finally {
      bearerFor.delete(correlationId);
    }
  }

  let refreshes = 0;
  const managers = new Map<string, TokenManager>();

  function toStored(response: XeroTokenResponse, grantId: string, previous?: StoredToken): StoredToken {
    registerSecret(response.access_token);
    registerSecret(response.refresh_token);
    registerSecret(response.id_token);
    const extra: Record<string, string> = { grantId, tokenType: response.token_type ?? "Bearer" };
    const scope = response.scope ?? previous?.extra?.scope;
    if (scope) extra.scope = scope;
    return {
      accessToken: response.access_token,
      expiresAt: now() + response.expires_in * 1000,
      // Xero rotates the refresh token on every refresh: keep the newest it gave us.
      refreshToken: response.refresh_token ?? previous?.refreshToken,
      extra,
    };
  }

  function tokenManager(grantId: string): TokenManager {
    let manager = managers.get(grantId);
    if (!manager) {
      const key = keyOf(grantId);
      manager = createStoredTokenManager({
        store,
        key,
        refreshSkewMs: skew,
        now,
        // Runs under the store's lock after a re-read; core stores what this returns before use.
        refresh: async (current, signal) => {
          if (!current) throw reconsentRequired(grantId, "has no stored tokens");
          if (current.extra?.[INVALID_GRANT_AT]) throw reconsentRequired(grantId, "was refused by Xero (invalid_grant) on an earlier refresh", "invalid_grant");
          if (!current.refreshToken) throw reconsentRequired(grantId, "has no refresh token (was offline_access granted?)");
          registerSecret(current.refreshToken);
          refreshes += 1;
          try {
            const response = await tokenRuntime.run(refreshTokens, { refreshToken: current.refreshToken }, { signal });
            return toStored(response, grantId, current);
          } catch (error) {
            if (error instanceof AuthError && error.vendorCode === "invalid_grant") {
              // Remember it: the next call fails the same way without asking Xero again.
              await store.set(key, { ...current, expiresAt: 0, extra: { ...current.extra, [INVALID_GRANT_AT]: String(now()) } }).catch(() => undefined);
            }
            throw error;
          }
        },
      });
      managers.set(grantId, manager);
    }
    return manager;
  }

  return {
    authorizationUrl(opts = {}) {
      if (!options.redirectUri) throw new TypeError("xero authorizationUrl: set redirectUri in createXeroOAuth");
      const state = opts.state ?? randomBytes(32).toString("base64url");
      const url = new URL(endpoints.authorize);
      url.searchParams.set("response_type", "code");
      url.searchParams.set("client_id", options.clientId);
      url.searchParams.set("redirect_uri", options.redirectUri);
      url.searchParams.set("scope", [...(opts.scopes ?? options.scopes ?? DEFAULT_XERO_SCOPES)].join(" "));
      url.searchParams.set("state", state);
      return { url: url.toString(), state };
    },

    async connect(callback, ctx) {
      if (!options.redirectUri) throw new TypeError("xero connect: set redirectUri in createXeroOAuth");
      if (!callback.grantId) throw new TypeError("xero connect: grantId (the key to store this consent's tokens under) is required");
      const params = new URL(String(callback.url), "http://callback.invalid").searchParams;
      const state = params.get("state") ?? "";
      if (!callback.expectedState || !timingSafeEqualStrings(state, callback.expectedState)) {
        throw new AuthError("xero connect: the callback's state does not match the one issued (a forged or stale callback); start the authorization again", {
          vendor: "xero",
          operation: "oauth.connect",
          vendorCode: "state_mismatch",
        });
      }
      const refused = params.get("error");
      if (refused) {
        throw new AuthError(`xero connect: consent was not given (${refused}); the user declined or the app may not ask for these scopes`, { vendor: "xero", operation: "oauth.connect", vendorCode: refused });
      }
      const code = params.get("code");
      if (!code) throw new AuthError("xero connect: the callback has no code; pass the full callback URL", { vendor: "xero", operation: "oauth.connect", vendorCode: "invalid_callback" });
      registerSecret(code);
      const response = await tokenRuntime.run(exchangeCode, { code, redirectUri: options.redirectUri }, ctx);
      const stored = toStored(response, callback.grantId);
      const key = keyOf(callback.grantId);
      await store.withLock(key, () => store.set(key, stored), { signal: ctx?.signal });
      tokenManager(callback.grantId).invalidate();
      const authEventId = authEventIdOf(response.access_token);
      const tenants = await withBearer({ accessToken: response.access_token }, ctx, (c) => connectionsRuntime.run(listConnections, {}, c));
      return {
        grantId: callback.grantId,
        tenants,
        authEventId,
        newTenants: authEventId ? tenants.filter((t) => t.authEventId === authEventId) : tenants,
        accessTokenExpiresAt: stored.expiresAt,
        ...(response.id_token ? { idToken: response.id_token } : {}),
      };
    },

    tokenManager,
    accessToken: (grantId, opts = {}) => tokenManager(grantId).getToken(opts.signal),
    connections: (grantId, ctx) => withBearer({ grantId }, ctx, (c) => connectionsRuntime.run(listConnections, {}, c)),
    async disconnect(grantId, connectionId, ctx) {
      await withBearer({ grantId }, ctx, (c) => connectionsRuntime.run(deleteConnection, { connectionId }, c));
    },
    async revoke(grantId, ctx) {
      const key = keyOf(grantId);
      await store.withLock(
        key,
        async () => {
          const stored = await store.get(key);
          if (!stored) return;
          const revoked = stored.refreshToken ?? stored.accessToken;
          registerSecret(revoked);
          await revokeRuntime.run(revokeToken, { token: revoked }, ctx);
          await store.delete(key);
        },
        { signal: ctx?.signal },
      );
      managers.get(grantId)?.invalidate();
    },
    get refreshes() {
      return refreshes;
    },
    async close() {
      await Promise.all([tokenRuntime.close(), revokeRuntime.close(), connectionsRuntime.close()]);
    },
  };
}

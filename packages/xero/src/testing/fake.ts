/**
 * A stateful Xero fake as msw handlers (serve it with core's `serveHandlers`): the identity server
 * (consent redirect, code exchange, rotating refresh tokens with the previous one valid for a grace
 * period, revocation), `GET/DELETE /connections`, and the Accounting API for Contacts, Invoices,
 * Payments and Organisation per tenant — `xero-tenant-id` and scopes enforced, Xero's envelope and
 * MS-JSON dates, `where` filters, `If-Modified-Since`, paging, `Idempotency-Key` replay, rate-limit
 * counters with the `X-*Limit-Remaining` headers and 429s — plus a signed webhook emitter and the
 * intent-to-receive probe. A Xero endpoint it lacks (XML, attachments, reports, other entities,
 * `where` method calls) answers core's 501 "not implemented by @connect/xero/testing fake".
 */
import { randomUUID } from "node:crypto";
import { notImplementedByFake } from "@connect/core/testing";
import { http, HttpResponse, type RequestHandler } from "msw";
import { createAccountingRoutes } from "./accounting.js";
import { createBooks, FakeNotFound, FakeValidation, type FakeAccount, type FakeBooks, type FakeXeroChange } from "./books.js";
import { createRateCounters } from "./rate-limits.js";
import { createFakeOAuthState, FAKE_XERO_TOKEN_LIFETIMES, type FakeConnection, type FakeIssuedTokens } from "./oauth-state.js";
import { intentToReceivePayload, signXeroPayload, xeroWebhookPayload, type IntentToReceiveProbe, type IntentToReceiveResult } from "./webhooks.js";
import { WhereNotInFakeError, WhereSyntaxError } from "./where.js";

const FAKE_NAME = "@connect/xero/testing";

/** A tenant of the fake. @public */
export interface FakeXeroTenant {
  tenantId: string;
  tenantName: string;
  tenantType?: "ORGANISATION" | "PRACTICE" | undefined;
}

/** Options of {@link createXeroFake}. @public */
export interface XeroFakeOptions {
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  webhookKey?: string | undefined;
  /** Tenants every consent connects. Default two organisations. */
  tenants?: readonly FakeXeroTenant[] | undefined;
  /** How long a rotated-out refresh token still works (ms). Default 30 min, as Xero. */
  refreshGraceMs?: number | undefined;
  /** Per-tenant calls per minute / day, and per app per minute. Default 60 / 5,000 / 10,000. */
  limits?: { perMinute?: number; perDay?: number; appPerMinute?: number } | undefined;
  /** How long an Idempotency-Key is remembered (ms). Default 6 min [? shared/vendors/xero.md §2]. */
  idempotencyWindowMs?: number | undefined;
  /** Clock (epoch ms). */
  now?: (() => number) | undefined;
}

/** URLs to point a client at the fake. @public */
export interface FakeXeroEndpoints {
  baseUrl: string;
  oauthEndpoints: { authorize: string; token: string; revoke: string; connections: string };
}

/** A scripted answer for the next matching API requests (after the auth checks). @public */
export interface FakeXeroFailure {
  status: number;
  body?: unknown;
  headers?: Record<string, string> | undefined;
  /** Path under `/api.xro/2.0` (e.g. `/Invoices`), `/connect/token`, or `/connections`; prefix match. */
  path?: string | undefined;
  method?: string | undefined;
  times?: number | undefined;
  /** Process the request first (the write happens and its answer is cached for its Idempotency-Key), then answer this: a response lost on the way back. */
  afterWrite?: boolean | undefined;
}

/** One Accounting API request the fake handled. @public */
export interface FakeXeroRequest {
  method: string;
  path: string;
  tenantId: string | undefined;
  idempotencyKey: string | undefined;
  ifModifiedSince: string | undefined;
  status: number;
  /** Answered from the Idempotency-Key cache. */
  replayed: boolean;
}

/** The fake. @public */
export interface XeroFake {
  handlers: RequestHandler[];
  readonly clientId: string;
  readonly clientSecret: string;
  readonly webhookKey: string;
  readonly tenants: readonly FakeXeroTenant[];
  endpoints(serverUrl: string): FakeXeroEndpoints;
  /** Consent as the user would: the callback URL for `redirectUri` (connects `tenantIds`, default all). */
  authorize(options: { redirectUri: string; state: string; scopes?: readonly string[]; tenantIds?: readonly string[] }): string;
  /** Make the next consent a denial (`error=access_denied`). */
  denyNextAuthorization(): void;
  /** A grant made directly (skipping the browser). */
  issueTokens(options?: { scopes?: readonly string[]; tenantIds?: readonly string[] }): FakeIssuedTokens;
  expireAccessTokens(): void;
  expireRefreshTokens(): void;
  /** The user disconnected the app everywhere. */
  revokeAll(): void;
  /** Refresh tokens that work right now (live or within the grace period). */
  usableRefreshTokens(): string[];
  /** Token endpoint requests (grant type and status), in order. */
  readonly tokenRequests: Array<{ grantType: string; status: number }>;
  /** Accounting API requests, in order. */
  readonly requests: FakeXeroRequest[];
  /** A tenant's books (throws for an unknown tenant). */
  books(tenantId: string): FakeBooks;
  /** Writes so far, as webhook changes. */
  readonly changes: readonly FakeXeroChange[];
  /** Answer the next matching requests with this. */
  failNext(failure: FakeXeroFailure): void;
  /** Answer the next matching API requests with a 429 for `problem` (`minute`, `day`, `appminute`). */
  throttleNext(options: { problem: string; retryAfterSeconds?: number | undefined; path?: string | undefined; times?: number | undefined }): void;
  sign(rawBody: Uint8Array | string): string;
  webhookBody(changes: readonly FakeXeroChange[]): Buffer;
  /**
   * POST signed events to a host URL as Xero does (default: the changes not posted yet). Xero
   * retries a delivery that is not answered 200: `retries` re-posts (at once) up to that many times.
   */
  postWebhook(url: string, options?: { changes?: readonly FakeXeroChange[]; body?: Buffer | string; headers?: Record<string, string>; retries?: number }): Promise<Response>;
  /** Run the intent-to-receive handshake against a host URL: correctly and wrongly signed probes. */
  intentToReceive(url: string, options?: { rounds?: number; timeLimitMs?: number }): Promise<IntentToReceiveResult>;
  /** Forget everything (tokens, books, counters, scripted failures). */
  reset(): void;
}

const DEFAULT_TENANTS: FakeXeroTenant[] = [
  { tenantId: "7e3b6c8a-2f41-4d7e-9c1a-5b0f3e2d1a01", tenantName: "Acme Construction Lending" },
  { tenantId: "1c9d2e7f-6a35-4b8c-8e0d-3f4a5b6c7d02", tenantName: "Acme Lending (Second Org)" },
];

const seedAccounts = (): FakeAccount[] => [
  { AccountID: randomUUID(), Code: "090", Name: "Business Bank Account", Type: "BANK", EnablePaymentsToAccount: false },
  { AccountID: randomUUID(), Code: "200", Name: "Sales", Type: "REVENUE", EnablePaymentsToAccount: false },
  { AccountID: randomUUID(), Code: "260", Name: "Other Revenue", Type: "REVENUE", EnablePaymentsToAccount: false },
  { AccountID: randomUUID(), Code: "400", Name: "Advertising", Type: "EXPENSE", EnablePaymentsToAccount: false },
  { AccountID: randomUUID(), Code: "855", Name: "Loan Clearing", Type: "CURRLIAB", EnablePaymentsToAccount: true },
];

const ENTITY_SCOPES: Record<string, { write: string[]; read: string[] }> = {
  Contacts: { write: ["accounting.contacts"], read: ["accounting.contacts", "accounting.contacts.read"] },
  Invoices: { write: ["accounting.transactions", "accounting.invoices"], read: ["accounting.transactions", "accounting.transactions.read", "accounting.invoices", "accounting.invoices.read"] },
  Payments: { write: ["accounting.transactions", "accounting.payments"], read: ["accounting.transactions", "accounting.transactions.read", "accounting.payments", "accounting.payments.read"] },
  Organisation: { write: ["accounting.settings"], read: ["accounting.settings", "accounting.settings.read"] },
};

const ALL_SCOPES = ["openid", "profile", "email", "offline_access", "accounting.contacts", "accounting.transactions", "accounting.settings"];

/**
 * Create a Xero fake.
 * @example
 * const fake = createXeroFake();
 * const server = await serveHandlers(fake.handlers);
 * const { baseUrl, oauthEndpoints } = fake.endpoints(server.url);
 * @public
 */
export function createXeroFake(options: XeroFakeOptions = {}): XeroFake {
  const now = options.now ?? Date.now;
  const clientId = options.clientId ?? "FAKEXEROCLIENTID00000000000000000";
  const clientSecret = options.clientSecret ?? "fake-xero-client-secret-000000000000000000000000";
  const webhookKey = options.webhookKey ?? "fake-xero-webhook-key-0000000000000000000000000000000000000000000000000000000000000";
  const tenants = [...(options.tenants ?? DEFAULT_TENANTS)];
  const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
  const limits = { perMinute: options.limits?.perMinute ?? 60, perDay: options.limits?.perDay ?? 5000, appPerMinute: options.limits?.appPerMinute ?? 10_000 };
  const idempotencyWindowMs = options.idempotencyWindowMs ?? 6 * 60_000;
  const oauth = createFakeOAuthState({ now, clientId, graceMs: options.refreshGraceMs ?? FAKE_XERO_TOKEN_LIFETIMES.rotationGraceMs, tenants });
  let changes: FakeXeroChange[] = [];
  let books = new Map<string, FakeBooks>();
  const booksOf = (tenantId: string): FakeBooks => {
    let found = books.get(tenantId);
    if (!found) {
      const tenant = tenants.find((t) => t.tenantId === tenantId);
      if (!tenant) throw new Error(`xero fake: no tenant ${tenantId}`);
      found = createBooks({ tenantId, now, accounts: seedAccounts(), organisationName: tenant.tenantName, changes });
      books.set(tenantId, found);
    }
    return found;
  };
  let replays = new Map<string, { fingerprint: string; status: number; body: unknown; at: number }>();
  const tokenRequests: Array<{ grantType: string; status: number }> = [];
  const requests: FakeXeroRequest[] = [];
  let failures: Array<FakeXeroFailure & { left: number }> = [];
  let denyNext = false;
  let posted = 0;

  const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
    HttpResponse.json(body as never, { status, headers: { "xero-correlation-id": randomUUID(), ...headers } });
  const text = (body: string, status: number, headers: Record<string, string> = {}): Response =>
    new HttpResponse(body, { status, headers: { "content-type": "text/plain; charset=utf-8", "xero-correlation-id": randomUUID(), ...headers } });
  const problem = (status: 401 | 403, detail: string): Response =>
    json({ Type: null, Title: status === 401 ? "Unauthorized" : "Forbidden", Status: status, Detail: detail, Instance: randomUUID(), Extensions: {} }, status, status === 401 ? { "www-authenticate": 'Bearer error="invalid_token"' } : {});
  const envelope = (key: string, records: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    Id: randomUUID(),
    Status: "OK",
    ProviderName: "Connect SDK (fake)",
    DateTimeUTC: `/Date(${now()})/`,
    ...extra,
    [key]: records,
  });

  function takeFailure(method: string, path: string): FakeXeroFailure | undefined {
    const failure = failures.find((f) => f.left > 0 && (!f.method || f.method === method) && (!f.path || path.startsWith(f.path)));
    if (failure) failure.left -= 1;
    return failure;
  }
  const failureResponse = (failure: FakeXeroFailure): Response =>
    failure.body === undefined ? text(failure.status >= 500 ? "An internal error occurred" : "error", failure.status, failure.headers) : typeof failure.body === "string" ? text(failure.body, failure.status, failure.headers) : json(failure.body, failure.status, failure.headers);

  // ── Identity ────────────────────────────────────────────────────────────────────────
  function consent(redirectUri: string, state: string, scopes: readonly string[], tenantIds?: readonly string[]): string {
    const callback = new URL(redirectUri);
    if (denyNext) {
      denyNext = false;
      callback.searchParams.set("error", "access_denied");
    } else {
      callback.searchParams.set("code", oauth.createCode(redirectUri, [...scopes], [...(tenantIds ?? tenants.map((t) => t.tenantId))]));
      callback.searchParams.set("scope", scopes.join(" "));
    }
    callback.searchParams.set("state", state);
    return callback.toString();
  }

  const authorizeHandler = http.get("*/identity/connect/authorize", ({ request }) => {
    const url = new URL(request.url);
    const redirectUri = url.searchParams.get("redirect_uri") ?? "";
    if (url.searchParams.get("client_id") !== clientId || url.searchParams.get("response_type") !== "code" || !redirectUri || !url.searchParams.get("scope")) {
      return text("invalid authorization request", 400);
    }
    return new HttpResponse(null, { status: 302, headers: { location: consent(redirectUri, url.searchParams.get("state") ?? "", (url.searchParams.get("scope") ?? "").split(" ")) } });
  });

  const tokenHandler = http.post("*/connect/token", async ({ request }) => {
    const form = new URLSearchParams(await request.text());
    const grantType = form.get("grant_type") ?? "";
    const answer = (body: unknown, status: number): Response => {
      tokenRequests.push({ grantType, status });
      return json(body, status);
    };
    const failure = takeFailure("POST", "/connect/token");
    if (failure) {
      tokenRequests.push({ grantType, status: failure.status });
      return failureResponse(failure);
    }
    if (request.headers.get("authorization") !== basic) return answer({ error: "invalid_client" }, 400);
    if (!(request.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded")) return answer({ error: "invalid_request" }, 400);
    const outcome =
      grantType === "authorization_code"
        ? oauth.exchange(form.get("code") ?? "", form.get("redirect_uri") ?? "")
        : grantType === "refresh_token"
          ? oauth.refresh(form.get("refresh_token") ?? "")
          : ({ ok: false, error: "unsupported_grant_type" } as const);
    return outcome.ok ? answer(outcome.tokens, 200) : answer({ error: outcome.error }, 400);
  });

  const revokeHandler = http.post("*/connect/revocation", async ({ request }) => {
    if (request.headers.get("authorization") !== basic) return json({ error: "invalid_client" }, 400);
    const token = new URLSearchParams(await request.text()).get("token");
    if (!token) return json({ error: "invalid_request" }, 400);
    oauth.revoke(token);
    return new HttpResponse(null, { status: 200 });
  });

  function bearer(request: Request): Response | { grantId: string; scopes: string[]; connections: FakeConnection[] } {
    const auth = request.headers.get("authorization") ?? "";
    const checked = auth.startsWith("Bearer ") ? oauth.check(auth.slice(7)) : ({ error: "invalid" } as const);
    if ("error" in checked) {
      return problem(401, checked.error === "expired" ? `TokenExpired: token expired at ${new Date(now()).toISOString().slice(0, 19).replace("T", " ")}` : "AuthenticationUnsuccessful");
    }
    return checked;
  }

  const connectionsHandler = http.get("*/connections", ({ request }) => {
    const who = bearer(request);
    if (who instanceof Response) return who;
    const failure = takeFailure("GET", "/connections");
    if (failure) return failureResponse(failure);
    const authEventId = new URL(request.url).searchParams.get("authEventId");
    return json(who.connections.filter((c) => !authEventId || c.authEventId === authEventId));
  });

  const deleteConnectionHandler = http.delete("*/connections/:id", ({ request, params }) => {
    const who = bearer(request);
    if (who instanceof Response) return who;
    return oauth.disconnect(who.grantId, String(params.id)) ? new HttpResponse(null, { status: 204 }) : text("The resource you're looking for cannot be found", 404);
  });

  const rates = createRateCounters({ now, limits });
  const spend = rates.spend;
  const { dispatch, validationResponse } = createAccountingRoutes({ fakeName: FAKE_NAME, json, envelope });

  const api = http.all("*/api.xro/2.0/*", async ({ request }) => {
    const url = new URL(request.url);
    const prefix = "/api.xro/2.0";
    const rest = url.pathname.slice(url.pathname.indexOf(prefix) + prefix.length);
    const method = request.method;
    const segments = rest.split("/").filter(Boolean).map(decodeURIComponent);
    const tenantId = request.headers.get("xero-tenant-id") ?? undefined;
    const idempotencyKey = request.headers.get("idempotency-key") ?? undefined;
    const log = (status: number, replayed = false): void => {
      requests.push({ method, path: rest, tenantId, idempotencyKey, ifModifiedSince: request.headers.get("if-modified-since") ?? undefined, status, replayed });
    };
    const finish = (response: Response, replayed = false): Response => {
      log(response.status, replayed);
      return response;
    };
    const who = bearer(request);
    if (who instanceof Response) return finish(who);
    if (!(request.headers.get("accept") ?? "").includes("application/json")) {
      // Xero answers XML without `Accept: application/json`; the fake speaks JSON only.
      return finish(notImplementedByFake(FAKE_NAME, request, { detail: "XML responses: send Accept: application/json" }));
    }
    const connection = tenantId ? who.connections.find((c) => c.tenantId.toLowerCase() === tenantId.toLowerCase()) : undefined;
    if (!connection) return finish(problem(403, "AuthenticationUnsuccessful"));
    const scopes = ENTITY_SCOPES[segments[0] ?? ""];
    if (scopes && !(method === "GET" ? scopes.read : scopes.write).some((s) => who.scopes.includes(s))) return finish(problem(403, "AuthorizationUnsuccessful"));
    const spent = spend(connection.tenantId);
    const limitHeaders = spent.headers;
    const failure = takeFailure(method, rest);
    if (failure && !failure.afterWrite) return finish(failureResponse({ ...failure, headers: { ...limitHeaders, ...failure.headers } }));
    if (spent.exceeded) {
      return finish(text("You have exceeded the rate limit", 429, { ...limitHeaders, "x-rate-limit-problem": spent.exceeded.problem, ...(spent.exceeded.retryAfter !== undefined ? { "retry-after": String(spent.exceeded.retryAfter) } : {}) }));
    }
    const write = method === "PUT" || method === "POST";
    let replayKey: string | undefined;
    let fingerprint = "";
    if (write && idempotencyKey !== undefined) {
      if (idempotencyKey.length > 128) return finish(json({ ErrorNumber: 10, Type: "ValidationException", Message: "The Idempotency-Key must be at most 128 characters", Elements: [] }, 400, limitHeaders));
      replayKey = `${connection.tenantId}:${idempotencyKey}`;
      fingerprint = `${method} ${url.pathname}${url.search} ${await request.clone().text()}`;
      const seen = replays.get(replayKey);
      if (seen && now() - seen.at <= idempotencyWindowMs) {
        if (seen.fingerprint !== fingerprint) {
          return finish(json({ ErrorNumber: 10, Type: "ValidationException", Message: "The Idempotency-Key was already used for a different request", Elements: [] }, 400, limitHeaders));
        }
        return finish(json(seen.body, seen.status, limitHeaders), true);
      }
    }
    let response: Response;
    try {
      response = await dispatch(request, url, segments, booksOf(connection.tenantId));
    } catch (error) {
      if (error instanceof FakeValidation) response = validationResponse(error);
      else if (error instanceof FakeNotFound) response = text("The resource you're looking for cannot be found", 404);
      else if (error instanceof WhereNotInFakeError) response = notImplementedByFake(FAKE_NAME, request, { detail: `where: ${error.message}` });
      else if (error instanceof WhereSyntaxError) response = json({ ErrorNumber: 16, Type: "QueryParseException", Message: `where/order could not be parsed: ${error.message}` }, 400);
      else throw error;
    }
    if (replayKey && response.status !== 501 && (response.headers.get("content-type") ?? "").includes("json")) {
      replays.set(replayKey, { fingerprint, status: response.status, body: await response.clone().json(), at: now() });
    }
    if (failure) return finish(failureResponse({ ...failure, headers: { ...limitHeaders, ...failure.headers } }));
    const headers = new Headers(response.headers);
    for (const [k, v] of Object.entries(limitHeaders)) headers.set(k, v);
    return finish(new Response(await response.arrayBuffer(), { status: response.status, headers }));
  });

  const fallback = http.all("*", ({ request }) => notImplementedByFake(FAKE_NAME, request));

  const webhookBody = (list: readonly FakeXeroChange[]): Buffer => Buffer.from(JSON.stringify(xeroWebhookPayload(list, { firstSequence: posted + 1 })), "utf8");

  return {
    handlers: [authorizeHandler, tokenHandler, revokeHandler, connectionsHandler, deleteConnectionHandler, api, fallback],
    clientId,
    clientSecret,
    webhookKey,
    tenants,
    endpoints: (serverUrl) => ({
      baseUrl: serverUrl,
      oauthEndpoints: {
        authorize: `${serverUrl}/identity/connect/authorize`,
        token: `${serverUrl}/connect/token`,
        revoke: `${serverUrl}/connect/revocation`,
        connections: `${serverUrl}/connections`,
      },
    }),
    authorize: (opts) => consent(opts.redirectUri, opts.state, opts.scopes ?? ALL_SCOPES, opts.tenantIds),
    denyNextAuthorization: () => {
      denyNext = true;
    },
    issueTokens: (opts = {}) => oauth.grant([...(opts.scopes ?? ALL_SCOPES)], opts.tenantIds ?? tenants.map((t) => t.tenantId)),
    expireAccessTokens: () => oauth.expireAccessTokens(),
    expireRefreshTokens: () => oauth.expireRefreshTokens(),
    revokeAll: () => oauth.revokeAll(),
    usableRefreshTokens: () => oauth.usableRefreshTokens(),
    tokenRequests,
    requests,
    books: booksOf,
    get changes() {
      return changes;
    },
    failNext(failure) {
      failures.push({ ...failure, left: failure.times ?? 1 });
    },
    throttleNext(opts) {
      failures.push({
        status: 429,
        body: "You have exceeded the rate limit",
        headers: { "x-rate-limit-problem": opts.problem, ...(opts.retryAfterSeconds !== undefined ? { "retry-after": String(opts.retryAfterSeconds) } : {}) },
        path: opts.path,
        left: opts.times ?? 1,
      });
    },
    sign: (rawBody) => signXeroPayload(rawBody, webhookKey),
    webhookBody,
    async postWebhook(url, opts = {}) {
      const list = opts.changes ?? changes.slice(posted);
      const body = opts.body !== undefined ? Buffer.from(opts.body) : webhookBody(list);
      if (!opts.changes && opts.body === undefined) posted = changes.length;
      const headers = { "content-type": "application/json; charset=utf-8", "x-xero-signature": signXeroPayload(body, webhookKey), "user-agent": "Xero-Webhooks (fake)", ...opts.headers };
      let response = await globalThis.fetch(url, { method: "POST", headers, body: new Uint8Array(body) });
      for (let retry = 0; retry < (opts.retries ?? 0) && response.status !== 200; retry += 1) {
        await response.arrayBuffer();
        response = await globalThis.fetch(url, { method: "POST", headers, body: new Uint8Array(body) });
      }
      return response;
    },
    async intentToReceive(url, opts = {}) {
      const rounds = opts.rounds ?? 4;
      const limit = opts.timeLimitMs ?? 5_000;
      const probes: IntentToReceiveProbe[] = [];
      for (let i = 0; i < rounds; i += 1) {
        const valid = i % 2 === 0;
        const body = intentToReceivePayload();
        const signature = valid ? signXeroPayload(body, webhookKey) : signXeroPayload(body, `${webhookKey}-wrong`);
        const started = performance.now();
        const response = await globalThis.fetch(url, { method: "POST", headers: { "content-type": "application/json; charset=utf-8", "x-xero-signature": signature }, body });
        const answer = await response.text();
        const elapsedMs = performance.now() - started;
        const setCookie = response.headers.has("set-cookie");
        const ok = elapsedMs <= limit && (valid ? response.status === 200 && answer === "" && !setCookie : response.status === 401);
        probes.push({ signature: valid ? "valid" : "invalid", status: response.status, body: answer, setCookie, elapsedMs, ok });
      }
      return { passed: probes.every((p) => p.ok), probes };
    },
    reset() {
      oauth.clear();
      changes = [];
      books = new Map();
      replays = new Map();
      rates.clear();
      tokenRequests.length = 0;
      requests.length = 0;
      failures = [];
      denyNext = false;
      posted = 0;
    },
  };
}

/**
 * A stateful QuickBooks Online fake as msw handlers (serve it with core's `serveHandlers`):
 * Intuit's OAuth endpoints (consent redirect, code exchange, rotating refresh, revoke), the
 * accounting API for Customer, Invoice, Payment, Bill, JournalEntry (+ Item, Account, Vendor,
 * CompanyInfo) with SyncToken checks and `requestid` replay, the query endpoint with paging,
 * batch and change data capture, and signed webhooks in both formats. It refuses what
 * QuickBooks refuses, with Fault bodies in Intuit's shapes (the lower-case one on 401s). It reads what node-quickbooks and
 * intuit-oauth send: lower-case entity paths and query entities, `?operation=update`, a
 * revoke body either form-encoded or JSON. A QuickBooks endpoint the fake does not implement
 * (reports, PDFs, entities it does not store) answers core's 501 "not implemented
 * by @connect/quickbooks/testing fake", after the same bearer-token check as the rest of the API.
 */
import { randomUUID } from "node:crypto";
import { notImplementedByFake } from "@connect/core/testing";
import { http, HttpResponse, type RequestHandler } from "msw";
import { FAKE_ENTITIES, FakeFault, FAULTS, WRITABLE, createLedger, type FakeChange, type FakeEntity, type FakeFaultEntry } from "./ledger.js";
import { createOAuthState, type IssuedTokens } from "./oauth-state.js";
import { matches, parseQuery, QueryEntityNotStoredError, QueryParseError, sortRows } from "./query-engine.js";
import { cloudEventsPayload, legacyPayload, signQuickBooksPayload } from "./webhooks.js";
import { NotInFakeError, runBatch, runCdc, type BatchCdcContext } from "./batch-cdc.js";

/** Options of {@link createQuickBooksFake}. @public */
export interface QuickBooksFakeOptions {
  /** The company id. Default `9130357766041236`. */
  realmId?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  /** The webhook verifier token the fake signs with. */
  verifierToken?: string | undefined;
  /** Redirect URIs registered for the app (the consent step refuses others). Default: any. */
  redirectUris?: readonly string[] | undefined;
  /** Issue a new refresh token on every refresh (Intuit may). Default true. */
  rotateRefreshTokens?: boolean | undefined;
  /** Seed accounts (1 A/R, 33 A/P, 35 Checking, 45 Loan Payoff Clearing, 7 Construction Costs, 79 Draw Income), items (1 Services, 2 Construction Draw) and vendor 46. Default true. */
  seed?: boolean | undefined;
  companyName?: string | undefined;
  /** Clock (epoch ms). */
  now?: (() => number) | undefined;
  /** Most items `POST /batch` takes (more is a ValidationFault). Default 30 [? Intuit's batch pages say 30, an older one 10]. */
  maxBatchItems?: number | undefined;
  /** How many days back `GET /cdc` may look (`changedSince`). Default 30. */
  cdcLookBackDays?: number | undefined;
}

/** A scripted failure for the next matching API requests. @public */
export interface FakeFailure {
  status: number;
  /** Fault entries (default one entry for the status). */
  errors?: FakeFaultEntry[] | undefined;
  /** Fault type (default by status). */
  type?: string | undefined;
  /** A body to send instead of a Fault. */
  body?: unknown;
  headers?: Record<string, string> | undefined;
  /** Path suffix after `/v3/company/{realmId}` (e.g. `/invoice`), or an OAuth path. */
  path?: string | undefined;
  method?: string | undefined;
  /** How many requests (default 1). */
  times?: number | undefined;
}

/** A held response: the request was processed, the answer waits for `release()`. @public */
export interface StalledResponse {
  /** Requests held so far. */
  readonly held: number;
  /** Let the held responses go. */
  release(): void;
}

/** URLs to point a client at the fake. @public */
export interface FakeEndpoints {
  baseUrl: string;
  oauthEndpoints: { authorize: string; token: string; revoke: string };
}

/** One token endpoint request the fake received. @public */
export interface FakeTokenRequest {
  grantType: string;
  /** Whether the client asked for the hard expiry. */
  includeHardExpiry: boolean;
  status: number;
}

/** The fake. @public */
export interface QuickBooksFake {
  /** msw handlers: serve with `serveHandlers(fake.handlers)`. */
  handlers: RequestHandler[];
  readonly realmId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly verifierToken: string;
  /** API base URL and OAuth endpoints on a served fake. */
  endpoints(serverUrl: string): FakeEndpoints;
  /** Consent as the user would: the callback URL (code, state, realmId) for `redirectUri`. */
  authorize(options: { redirectUri: string; state: string; scopes?: readonly string[] }): string;
  /** Make the next consent a denial (`error=access_denied`). */
  denyNextAuthorization(): void;
  /** A grant created directly (skipping the browser), as the token endpoint would return it. */
  issueTokens(options?: { scopes?: readonly string[] }): IssuedTokens;
  /** Every access token expires now (the next API call gets a 401). */
  expireAccessTokens(): void;
  /** Every refresh token expires now (the next refresh gets invalid_grant). */
  expireRefreshTokens(): void;
  /** The user disconnected the app: every token of the realm stops working. */
  revokeGrant(): void;
  /** Refresh tokens that still work and are not superseded. */
  liveRefreshTokens(): string[];
  /** Token endpoint requests, in order. */
  readonly tokenRequests: FakeTokenRequest[];
  /** Stored rows of an entity, derived fields included. */
  rows(entity: FakeEntity): Array<Record<string, unknown>>;
  /** One stored row (throws when missing). */
  get(entity: FakeEntity, id: string): Record<string, unknown>;
  /** Insert rows directly (no webhooks, no rules), e.g. 2,500 customers for paging. */
  insert(entity: FakeEntity, body: Record<string, unknown>): Record<string, unknown>;
  /** Writes so far, as webhook changes. */
  readonly changes: readonly FakeChange[];
  /** Fail the next matching API requests. */
  failNext(failure: FakeFailure): void;
  /** Process the next matching request, but hold its response until released (a timeout that reached QuickBooks). */
  stallNext(options: { path?: string; method?: string; times?: number }): StalledResponse;
  /** Sign a body with the verifier token. */
  sign(rawBody: Uint8Array | string): string;
  /** Build the webhook body for changes. */
  webhookBody(changes: readonly FakeChange[], format?: "cloudevents" | "legacy"): Buffer;
  /**
   * POST signed changes to a host URL as Intuit would (default: the changes not posted yet,
   * CloudEvents format). `body`/`headers` override for tampering tests.
   */
  postWebhook(url: string, options?: { changes?: readonly FakeChange[]; format?: "cloudevents" | "legacy"; body?: Buffer | string; headers?: Record<string, string> }): Promise<Response>;
  /** Forget entities (re-seeding), tokens, scripted failures and recorded requests. */
  reset(): void;
}

const now8601 = (now: () => number): string => new Date(now()).toISOString();

/** The name the fake gives in its "not implemented" answers. */
const FAKE_NAME = "@connect/quickbooks/testing";

function faultBody(type: string, errors: FakeFaultEntry[], now: () => number): Record<string, unknown> {
  return { Fault: { Error: errors.map((e) => ({ element: "", ...e })), type }, time: now8601(now) };
}

const DEFAULT_FAULTS: Record<number, { type: string; entry: FakeFaultEntry }> = {
  400: { type: "ValidationFault", entry: { Message: "A business validation error has occurred while processing your request", Detail: "Business Validation Error", code: "6000" } },
  403: { type: "AuthorizationFault", entry: { Message: "AuthorizationFailure", Detail: "Authorization Failure", code: "3201" } },
  429: { type: "SystemFault", entry: { Message: "message=ThrottleExceeded; errorCode=003001; statusCode=429", Detail: "The request limit was reached.", code: "3001" } },
  500: { type: "SystemFault", entry: { Message: "An application error has occurred while processing your request", Detail: "System Failure Error", code: "10000" } },
  503: { type: "SystemFault", entry: { Message: "Service Unavailable", Detail: "Service is temporarily unavailable", code: "10000" } },
};

/**
 * Create a QuickBooks fake.
 * @example
 * const fake = createQuickBooksFake();
 * const server = await serveHandlers(fake.handlers);
 * const { baseUrl, oauthEndpoints } = fake.endpoints(server.url);
 * @public
 */
export function createQuickBooksFake(options: QuickBooksFakeOptions = {}): QuickBooksFake {
  const now = options.now ?? Date.now;
  const realmId = options.realmId ?? "9130357766041236";
  const clientId = options.clientId ?? "ABfakeClientId0000000000000000000000000000000000";
  const clientSecret = options.clientSecret ?? "fake-client-secret-0000000000000000000000";
  const verifierToken = options.verifierToken ?? "fake-verifier-token-0000-0000-000000000000";
  const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
  const oauth = createOAuthState({ now, rotate: options.rotateRefreshTokens ?? true });
  const ledger = createLedger({ realmId, companyName: options.companyName ?? "Acme Construction Lending", now, seed: options.seed ?? true });
  const replays = new Map<string, { status: number; body: unknown }>();
  const batchCdc: BatchCdcContext = {
    ledger,
    runStatement: (statement) => runStatement(statement),
    now,
    maxBatchItems: options.maxBatchItems ?? 30,
    cdcLookBackDays: options.cdcLookBackDays ?? 30,
  };
  const tokenRequests: FakeTokenRequest[] = [];
  let failures: Array<FakeFailure & { left: number }> = [];
  let stalls: Array<{ path?: string | undefined; method?: string | undefined; left: number; gate: Promise<void>; release: () => void; held: number }> = [];
  let denyNext = false;
  let posted = 0;

  const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
    HttpResponse.json(body as never, { status, headers: { intuit_tid: `1-${randomUUID().slice(0, 8)}-fake`, ...headers } });
  const faultResponse = (f: FakeFault): Response => json(faultBody(f.type, f.errors, now), f.status);

  function takeFailure(method: string, path: string): FakeFailure | undefined {
    const failure = failures.find((f) => f.left > 0 && (!f.method || f.method === method) && (!f.path || path.endsWith(f.path) || path.includes(`${f.path}?`) || path.startsWith(f.path)));
    if (failure) failure.left -= 1;
    return failure;
  }
  function failureResponse(failure: FakeFailure): Response {
    if (failure.body !== undefined) return json(failure.body, failure.status, failure.headers);
    const known = DEFAULT_FAULTS[failure.status] ?? DEFAULT_FAULTS[500]!;
    return json(faultBody(failure.type ?? known.type, failure.errors ?? [known.entry], now), failure.status, failure.headers);
  }

  // ── OAuth ───────────────────────────────────────────────────────────────────────────
  const authorizeHandler = http.get("*/connect/oauth2", ({ request }) => {
    const url = new URL(request.url);
    const redirectUri = url.searchParams.get("redirect_uri") ?? "";
    const state = url.searchParams.get("state") ?? "";
    if (url.searchParams.get("client_id") !== clientId || url.searchParams.get("response_type") !== "code" || !redirectUri || !url.searchParams.get("scope")) {
      return new HttpResponse("invalid authorization request", { status: 400 });
    }
    if (options.redirectUris && !options.redirectUris.includes(redirectUri)) return new HttpResponse("redirect_uri is not registered for this app", { status: 400 });
    return new HttpResponse(null, { status: 302, headers: { location: consent(redirectUri, state, (url.searchParams.get("scope") ?? "").split(" ")) } });
  });

  function consent(redirectUri: string, state: string, scopes: readonly string[]): string {
    const callback = new URL(redirectUri);
    if (denyNext) {
      denyNext = false;
      callback.searchParams.set("error", "access_denied");
      callback.searchParams.set("state", state);
      return callback.toString();
    }
    callback.searchParams.set("code", oauth.createCode(realmId, redirectUri, [...scopes]));
    callback.searchParams.set("state", state);
    callback.searchParams.set("realmId", realmId);
    return callback.toString();
  }

  const tokenHandler = http.post("*/oauth2/v1/tokens/bearer", async ({ request }) => {
    const includeHard = request.headers.get("x-include-refresh-token-hard-expires-in") === "true";
    const form = new URLSearchParams(await request.text());
    const grantType = form.get("grant_type") ?? "";
    const answer = (body: unknown, status: number): Response => {
      tokenRequests.push({ grantType, includeHardExpiry: includeHard, status });
      return json(body, status);
    };
    const failure = takeFailure("POST", "/oauth2/v1/tokens/bearer");
    if (failure) {
      tokenRequests.push({ grantType, includeHardExpiry: includeHard, status: failure.status });
      return failureResponse(failure);
    }
    if (request.headers.get("authorization") !== basic) return answer({ error: "invalid_client" }, 401);
    if (!(request.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded")) return answer({ error: "invalid_request" }, 400);
    const outcome =
      grantType === "authorization_code"
        ? oauth.exchange(form.get("code") ?? "", form.get("redirect_uri") ?? "", includeHard)
        : grantType === "refresh_token"
          ? oauth.refresh(form.get("refresh_token") ?? "", includeHard)
          : ({ ok: false, error: "unsupported_grant_type" } as const);
    return outcome.ok ? answer(outcome.tokens, 200) : answer({ error: outcome.error }, 400);
  });

  // intuit-oauth 4.2.5 `revoke()` posts JSON `{"token":…}`; node-quickbooks 2.0.50 `revokeAccess()`
  // posts the form `token=…` (both with Basic auth): Intuit's endpoint takes either.
  const revokeHandler = http.post("*/v2/oauth2/tokens/revoke", async ({ request }) => {
    if (request.headers.get("authorization") !== basic) return json({ error: "invalid_client" }, 401);
    const text = await request.text();
    const contentType = request.headers.get("content-type") ?? "";
    let revoked: unknown;
    if (contentType.includes("application/x-www-form-urlencoded")) {
      revoked = new URLSearchParams(text).get("token") ?? undefined;
    } else {
      try {
        revoked = (JSON.parse(text) as { token?: unknown } | null)?.token;
      } catch {
        revoked = undefined;
      }
    }
    if (typeof revoked !== "string" || revoked === "") return json({ error: "invalid_request" }, 400);
    oauth.revoke(revoked);
    return new HttpResponse(null, { status: 200, headers: { intuit_tid: `1-${randomUUID().slice(0, 8)}-fake` } });
  });

  // ── Accounting API ──────────────────────────────────────────────────────────────────
  const unauthorized = (detail: string): Response =>
    HttpResponse.json(
      {
        warnings: null,
        intuitObject: null,
        fault: { error: [{ message: "message=AuthenticationFailed; errorCode=003200; statusCode=401", detail, code: "3200", element: null }], type: "AUTHENTICATION" },
        report: null,
        queryResponse: null,
        batchItemResponse: [],
        attachableResponse: [],
        syncErrorResponse: null,
        requestId: null,
        time: now(),
        status: null,
        cdcresponse: [],
      } as never,
      { status: 401, headers: { "www-authenticate": 'Bearer realm="Intuit", error="invalid_token"', intuit_tid: `1-${randomUUID().slice(0, 8)}-fake` } },
    );

  const entityByPath = new Map<string, FakeEntity>(FAKE_ENTITIES.map((e) => [e.toLowerCase(), e]));

  async function dispatch(request: Request, segments: string[]): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method;
    const [resource = "", id] = segments;
    const lower = resource.toLowerCase();
    if (lower === "query" && method === "GET") return queryResponse(request, url.searchParams.get("query") ?? "");
    try {
      if (lower === "batch" && method === "POST" && segments.length === 1) return json({ BatchItemResponse: runBatch(batchCdc, await readObject(request)), time: now8601(now) });
      if (lower === "cdc" && method === "GET" && segments.length === 1) return json({ ...runCdc(batchCdc, url), time: now8601(now) });
    } catch (error) {
      if (error instanceof NotInFakeError) return notImplementedByFake(FAKE_NAME, request, { detail: error.detail });
      throw error;
    }
    // Paths are lower-case as node-quickbooks sends them (`/journalentry`); QuickBooks matches any case.
    const entity = entityByPath.get(lower);
    // Reports, upload, entities the fake does not store, /pdf and /send: real
    // QuickBooks endpoints the fake lacks, so say so rather than answer like a vendor refusal.
    if (!entity || segments.length > 2) return notImplementedByFake(FAKE_NAME, request);
    if (method === "GET" && id) return json({ [entity]: ledger.get(entity, id), time: now8601(now) });
    if (method !== "POST" || id) throw FAULTS.unsupported(`${method} /${segments.join("/")}`);
    const body = await readObject(request);
    const flags = { allowDuplicateDocNumber: (url.searchParams.get("include") ?? "").split(",").includes("allowduplicatedocnum") };
    const operation = url.searchParams.get("operation");
    if (operation === "delete") return json({ [entity]: ledger.remove(entity, body), time: now8601(now) });
    if (operation === "void") return json({ [entity]: ledger.void(entity, body), time: now8601(now) });
    // Creating accounts or updating CompanyInfo is real QuickBooks, just not in this fake.
    if (!WRITABLE.has(entity) && (operation === null || operation === "update")) return notImplementedByFake(FAKE_NAME, request);
    // node-quickbooks 2.0.50 sends every update as `POST /{entity}?operation=update` (sparse unless
    // told otherwise); QuickBooks also takes an update as a plain POST carrying Id and SyncToken.
    if (operation === "update") return json({ [entity]: ledger.update(entity, body, flags), time: now8601(now) });
    if (operation) throw FAULTS.unsupported(`operation=${operation}`);
    const row = body.Id !== undefined ? ledger.update(entity, body, flags) : ledger.create(entity, body, flags);
    return json({ [entity]: row, time: now8601(now) });
  }

  /** The request's JSON object body, or Intuit's 400 Unsupported Operation. */
  async function readObject(request: Request): Promise<Record<string, unknown>> {
    try {
      const parsed: unknown = JSON.parse(await request.text());
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
      return parsed as Record<string, unknown>;
    } catch {
      throw FAULTS.unsupported("with a body that is not a JSON object");
    }
  }

  /** One statement's `QueryResponse`; throws a 4000 FakeFault or QueryEntityNotStoredError. */
  function runStatement(statement: string): Record<string, unknown> {
    let parsed;
    try {
      parsed = parseQuery(statement, FAKE_ENTITIES);
    } catch (error) {
      if (error instanceof QueryParseError) throw new FakeFault(400, "ValidationFault", [{ Message: "Error parsing query", Detail: error.message, code: "4000" }]);
      throw error;
    }
    // Name lists hide inactive rows unless the query asks about Active (Intuit's behaviour).
    const hidesInactive = ["Customer", "Item", "Account", "Vendor"].includes(parsed.entity) && !parsed.where.some((w) => w.property === "Active");
    const rows = sortRows(
      ledger.rows(parsed.entity).filter((row) => (!hidesInactive || row.Active !== false) && matches(row, parsed)),
      parsed,
    );
    if (parsed.count) return { totalCount: rows.length };
    const page = rows.slice(parsed.startPosition - 1, parsed.startPosition - 1 + parsed.maxResults);
    return page.length === 0 ? {} : { [parsed.entity]: page, startPosition: parsed.startPosition, maxResults: page.length };
  }

  function queryResponse(request: Request, statement: string): Response {
    try {
      return json({ QueryResponse: runStatement(statement), time: now8601(now) });
    } catch (error) {
      if (error instanceof QueryEntityNotStoredError) return notImplementedByFake(FAKE_NAME, request, { detail: `select from ${error.entity}`, fields: { entity: error.entity } });
      throw error;
    }
  }

  /** The bearer-token check every accounting call passes first; a 401 in Intuit's lower-case shape, or the token's realm. */
  function authenticate(request: Request): Response | { realmId: string } {
    const auth = request.headers.get("authorization") ?? "";
    const checked = auth.startsWith("Bearer ") ? oauth.check(auth.slice(7)) : { error: "unknown" as const };
    if ("error" in checked) return unauthorized(checked.error === "expired" ? "Token expired: the access token has expired" : "Token invalid: the access token is not valid");
    return checked;
  }

  const api = http.all("*/v3/company/:realm/*", async ({ request, params }) => {
    const url = new URL(request.url);
    const prefix = `/v3/company/${String(params.realm)}`;
    const rest = url.pathname.slice(url.pathname.indexOf(prefix) + prefix.length);
    const method = request.method;
    const checked = authenticate(request);
    if (checked instanceof Response) return checked;
    if (String(params.realm) !== realmId || checked.realmId !== realmId) {
      return json(faultBody("AuthorizationFault", [{ Message: "message=ApplicationAuthorizationFailed; errorCode=003201; statusCode=403", Detail: "the token is not authorised for this company", code: "3201" }], now), 403);
    }
    const failure = takeFailure(method, `${rest}${url.search}`);
    if (failure) return failureResponse(failure);
    const requestId = url.searchParams.get("requestid");
    const replayKey = requestId && method === "POST" ? `${realmId}:${requestId}` : undefined;
    const stall = stalls.find((s) => s.left > 0 && (!s.method || s.method === method) && (!s.path || rest.startsWith(s.path)));
    if (stall) stall.left -= 1;
    let response: Response;
    const replay = replayKey ? replays.get(replayKey) : undefined;
    if (replay) {
      // Same requestid: the original answer, nothing executed again (shared/vendors/quickbooks.md §2).
      response = json(replay.body, replay.status);
    } else {
      try {
        response = await dispatch(request, rest.split("/").filter(Boolean));
      } catch (error) {
        if (!(error instanceof FakeFault)) throw error;
        response = faultResponse(error);
      }
      if (replayKey && response.status < 500) replays.set(replayKey, { status: response.status, body: await response.clone().json() });
    }
    if (stall) {
      stall.held += 1;
      await stall.gate;
    }
    return response;
  });

  // Anything else under /v3: unauthenticated calls get Intuit's 401 first, as QuickBooks answers them.
  const fallback = http.all("*/v3/*", ({ request }) => {
    const checked = authenticate(request);
    return checked instanceof Response ? checked : notImplementedByFake(FAKE_NAME, request);
  });

  function webhookBody(changes: readonly FakeChange[], format: "cloudevents" | "legacy" = "cloudevents"): Buffer {
    return Buffer.from(JSON.stringify(format === "cloudevents" ? cloudEventsPayload(changes) : legacyPayload(changes)), "utf8");
  }

  return {
    handlers: [authorizeHandler, tokenHandler, revokeHandler, api, fallback],
    realmId,
    clientId,
    clientSecret,
    verifierToken,
    endpoints: (serverUrl) => ({
      baseUrl: serverUrl,
      oauthEndpoints: { authorize: `${serverUrl}/connect/oauth2`, token: `${serverUrl}/oauth2/v1/tokens/bearer`, revoke: `${serverUrl}/v2/oauth2/tokens/revoke` },
    }),
    authorize: (opts) => consent(opts.redirectUri, opts.state, opts.scopes ?? ["com.intuit.quickbooks.accounting"]),
    denyNextAuthorization: () => {
      denyNext = true;
    },
    issueTokens: (opts = {}) => oauth.grant(realmId, [...(opts.scopes ?? ["com.intuit.quickbooks.accounting"])]),
    expireAccessTokens: () => oauth.expireAccessTokens(),
    expireRefreshTokens: () => oauth.expireRefreshTokens(),
    revokeGrant: () => oauth.revokeRealm(realmId),
    liveRefreshTokens: () => oauth.liveRefreshTokens(),
    tokenRequests,
    rows: (entity) => ledger.rows(entity),
    get: (entity, id) => ledger.get(entity, id),
    insert: (entity, body) => ledger.view(entity, ledger.insert(entity, body)),
    get changes() {
      return ledger.changes;
    },
    failNext(failure) {
      failures.push({ ...failure, left: failure.times ?? 1 });
    },
    stallNext(opts) {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const stall = { path: opts.path, method: opts.method, left: opts.times ?? 1, gate, release, held: 0 };
      stalls.push(stall);
      return {
        get held() {
          return stall.held;
        },
        release,
      };
    },
    sign: (rawBody) => signQuickBooksPayload(rawBody, verifierToken),
    webhookBody,
    async postWebhook(url, opts = {}) {
      const changes = opts.changes ?? ledger.changes.slice(posted);
      if (!opts.changes) posted = ledger.changes.length;
      const body = opts.body !== undefined ? Buffer.from(opts.body) : webhookBody(changes, opts.format);
      const headers = { "content-type": "application/json", "intuit-signature": signQuickBooksPayload(body, verifierToken), "user-agent": "intuit-webhooks (fake)", ...opts.headers };
      return globalThis.fetch(url, { method: "POST", headers, body: new Uint8Array(body) });
    },
    reset() {
      ledger.clear();
      oauth.clear();
      replays.clear();
      tokenRequests.length = 0;
      failures = [];
      for (const stall of stalls) stall.release();
      stalls = [];
      denyNext = false;
      posted = 0;
    },
  };
}

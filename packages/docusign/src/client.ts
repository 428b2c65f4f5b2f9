/**
 * createDocuSignClient: envelopes, recipients, documents and status changes on @connect/core's
 * runtime, with the JWT grant, base-URI discovery through userinfo, DocuSign's error
 * vocabulary and its rate-limit headers. Two runtimes: one for the OAuth host (token,
 * userinfo) and one for the account's REST base, created once the base is known.
 */
import {
  type AuthStrategy,
  bearerAuth,
  CATEGORY_DEFAULTS,
  type ClientOptionsBase,
  createRuntime,
  type HealthResult,
  type IdempotencyStore,
  type IntegrationContext,
  IntegrationError,
  mergePolicies,
  type Operation,
  type PolicyOptions,
  type Runtime,
  tokenAuth,
  type TokenManager,
  type TokenStore,
  ValidationError,
} from "@connect/core";
import type { z } from "zod";
import pkg from "../package.json" with { type: "json" };
import { assertJwtOptions, consentUrl, DOCUSIGN_OAUTH_HOSTS, isJwtAuth, type DocuSignAuthOptions, type DocuSignEnvironment, type JwtAuthOptions } from "./auth.js";
import { DEFAULT_MAX_DOCUMENT_BYTES, materializeDocuments, type CreateEnvelopeInput } from "./envelope-input.js";
import { classifyDocuSignError } from "./errors.js";
import { buildLoanSigningEnvelope, type LoanSigningInput } from "./loan.js";
import { downloadDocument, listDocuments } from "./operations/documents.js";
import {
  createEnvelope,
  findEnvelopeByTransactionId,
  getEnvelope,
  listStatusChanges,
  sendEnvelope,
  STATUS_CHANGES_PAGE_SIZE,
  voidEnvelope,
} from "./operations/envelopes.js";
import { getUserInfo, requestToken } from "./operations/oauth.js";
import { listRecipients } from "./operations/recipients.js";
import { createEnvelopeFromTemplate } from "./operations/templates.js";
import { createRecipientView } from "./operations/views.js";
import { createRateLimitTracker, observeResponse, registerTracker, type RateLimitSnapshot } from "./rate-limit.js";
import type { Envelope, ListStatusChangesInput, UserInfo } from "./schemas.js";
import { createJwtTokenManager } from "./tokens.js";

/**
 * DocuSign's policy defaults (shared/vendors/docusign.md §4): 3000 calls per hour per account
 * shared by every app (0.8/s sustained with a burst of 50 stays under it and under the
 * 200-per-30-s demo burst limit), the e-signature breaker, and waits for `X-RateLimit-Reset`.
 * @public
 */
export const DOCUSIGN_POLICY_DEFAULTS: PolicyOptions = {
  retry: { attempts: 4, minDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 60_000 },
  breaker: CATEGORY_DEFAULTS.eSignature.breaker,
  limiter: { perSecond: 0.8, burst: 50 },
  timeout: { attemptMs: 60_000, totalMs: 180_000 },
};

/** Default: mint a new token this long before the old one expires. @public */
export const DEFAULT_REFRESH_SKEW_MS = 5 * 60_000;

/** Options of {@link createDocuSignClient}. @public */
export interface DocuSignClientOptions extends ClientOptionsBase {
  /** JWT grant (integration key, user id, RSA private key), or a ready access token. */
  auth: DocuSignAuthOptions;
  /** The API account id (GUID). Default: the user's default account from userinfo. */
  accountId?: string | undefined;
  /** REST base, e.g. `https://na3.docusign.net/restapi` (`/restapi` is appended when missing). Default: the account's `base_uri` from userinfo. */
  basePath?: string | undefined;
  /** `demo` (default) or `production`: picks the OAuth host (`account-d` / `account.docusign.com`). */
  environment?: DocuSignEnvironment | undefined;
  /** The OAuth host as the JWT `aud` names it; overrides `environment`. */
  oauthHost?: string | undefined;
  /** Where OAuth requests go (default `https://<oauthHost>`); tests point it at the fake. */
  oauthBaseUrl?: string | undefined;
  /** Share tokens between workers (one mint serves all); memory per client by default. */
  tokenStore?: TokenStore | undefined;
  /** Mint a new token this long before expiry (ms). Default 5 min. */
  refreshSkewMs?: number | undefined;
  /** Remembers completed envelope creations by idempotency key across calls (share a Redis store across workers). */
  idempotencyStore?: IdempotencyStore | undefined;
  /** Largest document `envelopes.create` reads from a stream or accepts (bytes). Default 25 MiB. */
  maxDocumentBytes?: number | undefined;
  /** Clock (epoch ms): token expiry, JWT iat, rate-limit resets. */
  now?: (() => number) | undefined;
}

/** A bound REST operation. */
type Call<TInput extends z.ZodType, TOutput extends z.ZodType> = (input: z.input<TInput>, ctx?: IntegrationContext) => Promise<z.output<TOutput>>;

/** A DocuSign client: every operation, discovery, rate-limit snapshot, health check and close(). @public */
export interface DocuSignClient {
  readonly id: "docusign";
  readonly version: string;
  /** Every operation the client runs, by id. */
  readonly operations: Readonly<Record<string, Operation>>;
  envelopes: {
    /** Create (and by default send) an envelope; retried safely by `transactionId`. */
    create: Call<typeof createEnvelope.input, typeof createEnvelope.output>;
    /** Create (and by default send) an envelope from a server template, its roles filled by `templateRoles`; retried safely by `transactionId`. */
    createFromTemplate: Call<typeof createEnvelopeFromTemplate.input, typeof createEnvelopeFromTemplate.output>;
    /** A one-time embedded signing URL for a recipient (created with a `clientUserId`). */
    createRecipientView: Call<typeof createRecipientView.input, typeof createRecipientView.output>;
    /** Build the loan-signing envelope (borrower first, guarantors after) and create it. */
    createLoanSigning(loan: LoanSigningInput, ctx?: IntegrationContext): Promise<z.output<typeof createEnvelope.output>>;
    /** One envelope. */
    get: Call<typeof getEnvelope.input, typeof getEnvelope.output>;
    /** Void a sent envelope (reason required). */
    void: Call<typeof voidEnvelope.input, typeof voidEnvelope.output>;
    /** Send a draft. */
    send: Call<typeof sendEnvelope.input, typeof sendEnvelope.output>;
    /** The envelope created with a transactionId, or undefined. */
    findByTransactionId: Call<typeof findEnvelopeByTransactionId.input, typeof findEnvelopeByTransactionId.output>;
    /** One page of envelopes changed since a date. */
    listStatusChanges: Call<typeof listStatusChanges.input, typeof listStatusChanges.output>;
    /** Every envelope changed since a date, page by page. */
    statusChanges(query: Omit<ListStatusChangesInput, "startPosition">, ctx?: IntegrationContext): AsyncGenerator<Envelope, void, undefined>;
  };
  recipients: {
    /** Signers and carbon copies with status and routing order. */
    list: Call<typeof listRecipients.input, typeof listRecipients.output>;
  };
  documents: {
    /** The documents of an envelope. */
    list: Call<typeof listDocuments.input, typeof listDocuments.output>;
    /** One document, `combined`, `archive` or `certificate`, as a stream. */
    download: Call<typeof downloadDocument.input, typeof downloadDocument.output>;
  };
  /** The authenticated user and their accounts (cached; `refresh: true` asks again). */
  userInfo(options?: { refresh?: boolean; signal?: AbortSignal }): Promise<UserInfo>;
  /** The account id and REST base in use (discovered on first use when not configured). */
  account(ctx?: IntegrationContext): Promise<{ accountId: string; basePath: string }>;
  /** The rate-limit headers of the latest response, or undefined before the first. */
  rateLimit(): RateLimitSnapshot | undefined;
  /** Tokens minted so far (JWT grant), for metrics and tests. */
  readonly tokenMints: number;
  /** A cheap authenticated call. */
  healthCheck(): Promise<HealthResult>;
  /** Close connections and timers. */
  close(): Promise<void>;
}

function restBase(basePath: string): string {
  const trimmed = basePath.replace(/\/+$/, "");
  return /\/restapi$/.test(trimmed) ? trimmed : `${trimmed}/restapi`;
}

/** The token call was already retried by the OAuth runtime; the REST attempt must not retry it again. */
function final(error: unknown): unknown {
  if (IntegrationError.is(error) && error.retryable) Object.defineProperty(error, "retryable", { value: false });
  return error;
}

function assertUrl(value: string, path: string): void {
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("scheme");
  } catch {
    throw new ValidationError(`docusign: ${path} "${value}" is not an absolute http(s) URL`, { vendor: "docusign", issues: [{ path, message: "not an absolute URL" }] });
  }
}

/**
 * Create a DocuSign client.
 * @example
 * const docusign = createDocuSignClient({
 *   environment: "production",
 *   auth: { integrationKey, userId, privateKey: await secrets.get("DOCUSIGN_PRIVATE_KEY") },
 * });
 * const { envelopeId } = await docusign.envelopes.create(envelope, { idempotencyKey: `loan-${loan.id}-v1` });
 * @public
 */
export function createDocuSignClient(options: DocuSignClientOptions): DocuSignClient {
  const now = options.now ?? Date.now;
  const oauthHost = options.oauthHost ?? DOCUSIGN_OAUTH_HOSTS[options.environment ?? "demo"];
  const oauthBaseUrl = options.oauthBaseUrl ?? `https://${oauthHost}`;
  assertUrl(oauthBaseUrl, "oauthBaseUrl");
  if (options.basePath !== undefined) assertUrl(options.basePath, "basePath");
  const maxDocumentBytes = options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  const tracker = createRateLimitTracker(now);
  const auth = options.auth;
  if (!auth || typeof auth !== "object") {
    throw new ValidationError("docusign: auth is required (a JWT grant { integrationKey, userId, privateKey } or { accessToken })", { vendor: "docusign", issues: [{ path: "auth", message: "is required" }] });
  }
  const jwt: JwtAuthOptions | undefined = isJwtAuth(auth) ? auth : undefined;
  if (jwt) assertJwtOptions(jwt);
  const consent = jwt ? consentUrl({ oauthHost, integrationKey: jwt.integrationKey, redirectUri: jwt.consentRedirectUri, scopes: jwt.scopes }) : undefined;
  const classify = (operation: string | undefined) => (response: Parameters<typeof classifyDocuSignError>[0]) =>
    classifyDocuSignError(response, { operation, now, consentUrl: consent, oauthHost });

  let tokens: TokenManager | undefined;
  const oauthParams = {};
  registerTracker(oauthParams, tracker);
  const oauthAuth: AuthStrategy = {
    async apply(request, ctx) {
      if (ctx.operation === requestToken.id) return request;
      return bearer.apply(request, ctx);
    },
    refresh: (ctx) => bearer.refresh?.(ctx) ?? Promise.resolve(),
  };
  const oauth = createRuntime({
    adapter: { id: "docusign", version: pkg.version },
    baseUrl: oauthBaseUrl,
    params: oauthParams,
    auth: oauthAuth,
    // Token minting and userinfo are safe to retry (§6); no breaker or limiter on the OAuth host.
    defaults: { retry: { attempts: 3, minDelayMs: 250, maxDelayMs: 5_000 }, breaker: false, limiter: false, timeout: { attemptMs: 30_000, totalMs: 60_000 } },
    policy: mergePolicies({ retry: options.policy?.retry, timeout: options.policy?.timeout }),
    telemetry: options.telemetry,
    drift: options.drift,
    transport: options.transport,
    classifyError: (response, ctx) => {
      observeResponse(ctx, response);
      return classify(ctx.operation)(response);
    },
  });

  let bearer: AuthStrategy;
  if (jwt) {
    tokens = createJwtTokenManager({
      jwt,
      oauthHost,
      now,
      refreshSkewMs: options.refreshSkewMs ?? DEFAULT_REFRESH_SKEW_MS,
      tokenStore: options.tokenStore,
      exchange: async (assertion, signal) => {
        try {
          return await oauth.run(requestToken, { assertion }, { signal });
        } catch (error) {
          throw final(error);
        }
      },
    });
    bearer = tokenAuth(tokens);
  } else {
    const token = (auth as { accessToken: unknown }).accessToken;
    if (typeof token !== "function" && (typeof token !== "string" || token.trim() === "")) {
      throw new ValidationError("docusign auth: accessToken is empty", { vendor: "docusign", issues: [{ path: "auth.accessToken", message: "is empty" }] });
    }
    // A function is asked again after a 401 (it may return a renewed token); a fixed string is not.
    bearer = typeof token === "function" ? bearerAuth(token as () => string | Promise<string>, async () => undefined) : bearerAuth(token as string);
  }

  // userinfo has hourly limits: ask once, keep the answer (§1).
  let userInfoCache: Promise<UserInfo> | undefined;
  const userInfo = (opts: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<UserInfo> => {
    if (!userInfoCache || opts.refresh) {
      const pending = oauth.run(getUserInfo, {}, { signal: opts.signal });
      userInfoCache = pending;
      pending.catch(() => {
        if (userInfoCache === pending) userInfoCache = undefined;
      });
    }
    return userInfoCache;
  };

  const restParams: Record<string, string> = { maxDocumentBytes: String(maxDocumentBytes) };
  registerTracker(restParams, tracker);
  const restAuth: AuthStrategy = {
    async apply(request, ctx) {
      tracker.assertAvailable(ctx);
      return bearer.apply(request, ctx);
    },
    refresh: (ctx) => bearer.refresh?.(ctx) ?? Promise.resolve(),
  };

  let rest: Promise<{ runtime: Runtime; accountId: string; basePath: string }> | undefined;
  const makeRest = (accountId: string, basePath: string) => {
    restParams.accountId = accountId;
    const runtime = createRuntime({
      adapter: { id: "docusign", version: pkg.version },
      baseUrl: basePath,
      params: restParams,
      auth: restAuth,
      defaults: DOCUSIGN_POLICY_DEFAULTS,
      policy: options.policy,
      telemetry: options.telemetry,
      drift: options.drift,
      deadLetters: options.deadLetters,
      idempotencyStore: options.idempotencyStore,
      transport: { requestIdHeaders: ["x-docusign-tracetoken", "x-request-id"], ...options.transport },
      classifyError: (response, ctx) => {
        observeResponse(ctx, response);
        return classify(ctx.operation)(response);
      },
      healthCheck: (rt) => rt.run(listStatusChanges, { fromDate: new Date(now() - 60_000).toISOString(), count: 1 }),
    });
    return { runtime, accountId, basePath };
  };
  if (options.basePath !== undefined && options.accountId !== undefined) {
    rest = Promise.resolve(makeRest(options.accountId, restBase(options.basePath)));
  }

  const getRest = (ctx?: IntegrationContext): Promise<{ runtime: Runtime; accountId: string; basePath: string }> => {
    if (rest) return rest;
    const pending = (async () => {
      const info = await userInfo({ signal: ctx?.signal });
      const account = options.accountId ? info.accounts.find((a) => a.account_id === options.accountId) : (info.accounts.find((a) => a.is_default) ?? info.accounts[0]);
      if (!account) {
        throw new ValidationError(`docusign: account ${options.accountId} is not among the user's accounts (${info.accounts.map((a) => a.account_id).join(", ")})`, {
          vendor: "docusign",
          issues: [{ path: "accountId", message: "not an account of the authenticated user" }],
        });
      }
      return makeRest(account.account_id, restBase(options.basePath ?? account.base_uri));
    })();
    rest = pending;
    pending.catch(() => {
      if (rest === pending) rest = undefined;
    });
    return pending;
  };

  const bind = <TInput extends z.ZodType, TOutput extends z.ZodType>(operation: Operation<TInput, TOutput>): Call<TInput, TOutput> => async (input, ctx) => {
    operation.validate(input, { vendor: "docusign" });
    const { runtime } = await getRest(ctx);
    return runtime.run(operation, input, ctx);
  };

  const create = async (input: CreateEnvelopeInput, ctx?: IntegrationContext) => {
    // Streams are read (and capped) before the call is keyed, so the key covers the bytes and every attempt resends them.
    const parsed = createEnvelope.validate(input, { vendor: "docusign" });
    const ready = await materializeDocuments(parsed, maxDocumentBytes);
    for (const [i, doc] of ready.documents.entries()) {
      const size = doc.content instanceof Uint8Array ? doc.content.byteLength : Math.floor(((doc.documentBase64?.length ?? 0) * 3) / 4);
      if (size > maxDocumentBytes) {
        throw new ValidationError(`docusign envelopes.create: document ${doc.documentId} is ${size} bytes, above maxDocumentBytes (${maxDocumentBytes})`, {
          vendor: "docusign",
          operation: "envelopes.create",
          issues: [{ path: `documents.${i}.content`, message: `larger than ${maxDocumentBytes} bytes` }],
        });
      }
    }
    const { runtime } = await getRest(ctx);
    return runtime.run(createEnvelope, { ...input, documents: input.documents.map((d, i) => (d.content === undefined ? d : { ...d, content: ready.documents[i]!.content })) }, ctx);
  };

  const list = bind(listStatusChanges);
  let closing: Promise<void> | undefined;
  const operations: Record<string, Operation> = Object.fromEntries(
    [createEnvelope, createEnvelopeFromTemplate, createRecipientView, getEnvelope, voidEnvelope, sendEnvelope, findEnvelopeByTransactionId, listStatusChanges, listRecipients, listDocuments, downloadDocument, requestToken, getUserInfo].map(
      (op) => [op.id, op as unknown as Operation],
    ),
  );

  return {
    id: "docusign",
    version: pkg.version,
    operations,
    envelopes: {
      create,
      createFromTemplate: bind(createEnvelopeFromTemplate),
      createRecipientView: bind(createRecipientView),
      createLoanSigning: async (loan, ctx) => create(buildLoanSigningEnvelope(loan), ctx),
      get: bind(getEnvelope),
      void: bind(voidEnvelope),
      send: bind(sendEnvelope),
      findByTransactionId: bind(findEnvelopeByTransactionId),
      listStatusChanges: list,
      async *statusChanges(query, ctx) {
        const count = query.count ?? STATUS_CHANGES_PAGE_SIZE;
        for (let startPosition = 0; ; ) {
          const page = await list({ ...query, count, startPosition }, ctx);
          yield* page.envelopes;
          // Page with start_position until endPosition + 1 reaches totalSetSize (§3); an empty page ends it too.
          if (page.envelopes.length === 0 || page.endPosition + 1 >= page.totalSetSize) return;
          startPosition = page.endPosition + 1;
        }
      },
    },
    recipients: { list: bind(listRecipients) },
    documents: { list: bind(listDocuments), download: bind(downloadDocument) },
    userInfo,
    async account(ctx) {
      const { accountId, basePath } = await getRest(ctx);
      return { accountId, basePath };
    },
    rateLimit: () => tracker.snapshot,
    get tokenMints() {
      return tokens?.fetches ?? 0;
    },
    async healthCheck() {
      const started = performance.now();
      try {
        const { runtime } = await getRest();
        return await runtime.healthCheck();
      } catch (error) {
        return { status: "unhealthy", latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
      }
    },
    close() {
      closing ??= (async () => {
        const current = rest ? await rest.catch(() => undefined) : undefined;
        await Promise.all([oauth.close(), current?.runtime.close()]);
      })();
      return closing;
    },
  };
}

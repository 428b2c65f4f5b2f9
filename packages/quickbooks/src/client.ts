/**
 * createQuickBooksClient: accounting entities (create/read/update with SyncToken, delete,
 * void), the query helper with paging, the loan-servicing helpers and nightly reconciliation —
 * operations run by @connect/core's runtime with Intuit's throttling numbers, `minorversion` on
 * every call, `requestid` on every write, Fault mapping and OAuth tokens from a TokenStore.
 */
import {
  type BoundOperation,
  CATEGORY_DEFAULTS,
  type ClientOptionsBase,
  ConflictError,
  createRuntime,
  type HealthResult,
  type IdempotencyStore,
  type IntegrationContext,
  type Operation,
  type PolicyOptions,
  type Resolvable,
  type Runtime,
  type TokenStore,
} from "@connect/core";
import type { z } from "zod";
import pkg from "../package.json" with { type: "json" };
import { classifyQuickBooksError, FAULT_CODES } from "./errors.js";
import { createLoanServicing, type LoanServicing, type LoanServicingOptions } from "./loan-servicing.js";
import { createQuickBooksOAuth, quickBooksAuth, type QuickBooksOAuth, type QuickBooksOAuthEndpoints, type QuickBooksTokenStatus, type ReconnectNotice } from "./oauth.js";
import { billOperations, customerOperations, getItem, invoiceOperations, journalEntryOperations, paymentOperations } from "./operations/entities.js";
import { getCompanyInfo, runQuery, type QueryResponse } from "./operations/query.js";
import { countStatement, MAX_PAGE_SIZE, selectStatement, type QueryOptions, type QueryWhere } from "./query.js";
import { reconcileBalances, type ReconcileInput, type ReconciliationReport } from "./reconciliation.js";
import type { GetEntityInput, Item } from "./schemas.js";

/** Accounting API hosts (shared/vendors/quickbooks.md §2). @public */
export const QUICKBOOKS_BASE_URLS = {
  production: "https://quickbooks.api.intuit.com",
  sandbox: "https://sandbox-quickbooks.api.intuit.com",
} as const;

/** The lowest minor version Intuit still honours (lower or absent values are served as 75 since Aug 2025). @public */
export const MIN_MINOR_VERSION = 75;

/**
 * QuickBooks policy defaults (shared/vendors/quickbooks.md §7): 500 requests/min and 10/s per
 * realm and app, so a token bucket of 7/s with a burst of 8 (≤ 428/min) and at most 8 in flight;
 * a 429 waits 60 s as Intuit asks; breaker from the platform's ERP row.
 * @public
 */
export const QUICKBOOKS_POLICY_DEFAULTS: PolicyOptions = {
  retry: { attempts: 4, minDelayMs: 500, maxDelayMs: 10_000, maxRetryAfterMs: 65_000, maxElapsedMs: 180_000 },
  breaker: CATEGORY_DEFAULTS.erp.breaker,
  limiter: { perSecond: 7, burst: 8, maxConcurrent: 8 },
  timeout: { attemptMs: 60_000, totalMs: 300_000 },
};

/** Options of {@link createQuickBooksClient}. @public */
export interface QuickBooksClientOptions extends ClientOptionsBase {
  /** The company (realm) id from the OAuth callback. */
  realmId: string;
  /** Where the realm's tokens live (core's `TokenStore`; memory or Redis). */
  tokens: TokenStore;
  /** `sandbox` or `production`: picks the API host (OAuth endpoints are the same for both). */
  environment: keyof typeof QUICKBOOKS_BASE_URLS;
  /** The app's client id (for refreshing tokens); not needed when `oauth` is given. */
  clientId?: string | undefined;
  /** The app's client secret, or a function reading it from a SecretProvider. */
  clientSecret?: Resolvable | undefined;
  /** A shared OAuth helper (then clientId/clientSecret are not needed). */
  oauth?: QuickBooksOAuth | undefined;
  /** `minorversion` sent on every call; at least 75. Default 75. */
  minorVersion?: number | undefined;
  /** API host override (tests point it at the fake). */
  baseUrl?: string | undefined;
  /** OAuth endpoint overrides (tests point them at the fake). */
  oauthEndpoints?: Partial<QuickBooksOAuthEndpoints> | undefined;
  /** Called when the refresh token is about to expire (hard 5-year limit or rolling expiry). */
  onReconnectDue?: ((notice: ReconnectNotice) => void) | undefined;
  /** Remembers completed writes by idempotency key as well (QuickBooks' requestid already dedupes at Intuit). */
  idempotencyStore?: IdempotencyStore | undefined;
  /** Wait after a 429 without Retry-After (ms). Default 60 000, as Intuit asks. */
  rateLimitWaitMs?: number | undefined;
  /** Item, accounts and naming used by the loan-servicing helpers. */
  servicing?: LoanServicingOptions | undefined;
  /** Clock (epoch ms). */
  now?: (() => number) | undefined;
}

/** Options of the paging iterators. @public */
export interface PagedQueryOptions extends QueryOptions {
  /** Rows per request (MAXRESULTS), 1–1000. Default 1000. */
  pageSize?: number | undefined;
}

/** One page of a query. @public */
export interface PageQueryOptions extends QueryOptions {
  /** 1-based STARTPOSITION. Default 1. */
  startPosition?: number | undefined;
  /** MAXRESULTS, 1–1000. Default 1000. */
  maxResults?: number | undefined;
}

/** Operations of one entity, plus its queries. @public */
export interface EntityClient<TCreate extends z.ZodType, TUpdate extends z.ZodType, TOutput extends z.ZodType> {
  /** Create (sends `requestid`: a retry never duplicates). */
  create: BoundOperation<TCreate, TOutput>;
  /** Read by id. */
  get: BoundOperation<typeof GetEntityInput, TOutput>;
  /** Update with the current SyncToken (sparse unless `sparse: false`); a stale token is `ConflictError`. */
  update: BoundOperation<TUpdate, TOutput>;
  /** Every row matching, fetched 1000 at a time (STARTPOSITION/MAXRESULTS). */
  query(options?: PagedQueryOptions, ctx?: IntegrationContext): AsyncGenerator<z.output<TOutput>, void, undefined>;
  /** One page of rows. */
  page(options?: PageQueryOptions, ctx?: IntegrationContext): Promise<Array<z.output<TOutput>>>;
  /** `SELECT COUNT(*)`. */
  count(options?: { where?: QueryWhere | undefined }, ctx?: IntegrationContext): Promise<number>;
  /**
   * Read, apply `change`, write with the SyncToken just read; on a stale SyncToken (another
   * writer won) read again and re-apply, up to `attempts` (default 3) times.
   */
  modify(
    id: string,
    change: (current: z.output<TOutput>) => Omit<z.input<TUpdate>, "Id" | "SyncToken"> | Promise<Omit<z.input<TUpdate>, "Id" | "SyncToken">>,
    options?: { attempts?: number | undefined },
    ctx?: IntegrationContext,
  ): Promise<z.output<TOutput>>;
}

/** The query helper. @public */
export interface QueryClient {
  /** Run one statement (build it with `selectStatement`/`qbql`); resolves to `QueryResponse`. */
  run(statement: string, ctx?: IntegrationContext): Promise<QueryResponse>;
  /** Every row of `entity` matching, page by page. */
  all(entity: string, options?: PagedQueryOptions, ctx?: IntegrationContext): AsyncGenerator<Record<string, unknown>, void, undefined>;
  /** One page of rows. */
  page(entity: string, options?: PageQueryOptions, ctx?: IntegrationContext): Promise<Array<Record<string, unknown>>>;
  /** `SELECT COUNT(*) FROM entity WHERE …`. */
  count(entity: string, options?: { where?: QueryWhere | undefined }, ctx?: IntegrationContext): Promise<number>;
}

type Ops<T> = T extends { create: Operation<infer C, infer O>; update: Operation<infer U, infer O2> } ? (O extends O2 ? [C, U, O] : never) : never;
type EntityOf<T> = Ops<T> extends [infer C extends z.ZodType, infer U extends z.ZodType, infer O extends z.ZodType] ? EntityClient<C, U, O> : never;

function validateOptions(options: QuickBooksClientOptions): number {
  if (!options || typeof options.realmId !== "string" || !/^\d{1,20}$/.test(options.realmId)) {
    throw new TypeError("createQuickBooksClient: realmId must be the company id (digits) from the OAuth callback");
  }
  if (!options.tokens) throw new TypeError("createQuickBooksClient: tokens (a TokenStore) is required");
  if (!options.baseUrl && !(options.environment in QUICKBOOKS_BASE_URLS)) throw new TypeError('createQuickBooksClient: environment must be "sandbox" or "production"');
  if (!options.oauth && (!options.clientId || !options.clientSecret)) throw new TypeError("createQuickBooksClient: pass clientId and clientSecret (or an oauth helper) to refresh tokens");
  const minor = options.minorVersion ?? MIN_MINOR_VERSION;
  if (!Number.isInteger(minor) || minor < MIN_MINOR_VERSION) {
    throw new TypeError(`createQuickBooksClient: minorVersion must be an integer ≥ ${MIN_MINOR_VERSION}; Intuit ignores lower values since 1 Aug 2025`);
  }
  return minor;
}

/** The entity clients and the query helper over one runtime. */
function buildAccounting(runtime: Runtime) {
  const queryRun = runtime.bind(runQuery);
  const rowsOf = (response: QueryResponse, entity: string): Array<Record<string, unknown>> => {
    const rows = response[entity];
    return Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [];
  };

  const query: QueryClient = {
    run: (statement, ctx) => queryRun({ statement }, ctx) as Promise<QueryResponse>,
    async page(entity, opts = {}, ctx) {
      const statement = selectStatement(entity, opts, { start: opts.startPosition ?? 1, max: opts.maxResults ?? MAX_PAGE_SIZE });
      return rowsOf((await queryRun({ statement }, ctx)) as QueryResponse, entity);
    },
    async *all(entity, opts = {}, ctx) {
      const max = opts.pageSize ?? MAX_PAGE_SIZE;
      // STARTPOSITION is 1-based; a page shorter than MAXRESULTS is the last one (shared/vendors/quickbooks.md §4).
      for (let start = 1; ; start += max) {
        const statement = selectStatement(entity, opts, { start, max });
        const rows = rowsOf((await queryRun({ statement }, ctx)) as QueryResponse, entity);
        yield* rows;
        if (rows.length < max) return;
      }
    },
    async count(entity, opts = {}, ctx) {
      const response = (await queryRun({ statement: countStatement(entity, opts) }, ctx)) as QueryResponse;
      return response.totalCount ?? 0;
    },
  };

  function entity<T extends { create: Operation; get: Operation; update: Operation }>(name: string, ops: T): EntityOf<T> {
    const create = runtime.bind(ops.create);
    const get = runtime.bind(ops.get);
    const update = runtime.bind(ops.update);
    const client = {
      create,
      get,
      update,
      query: (opts?: PagedQueryOptions, ctx?: IntegrationContext) => query.all(name, opts, ctx),
      page: (opts?: PageQueryOptions, ctx?: IntegrationContext) => query.page(name, opts, ctx),
      count: (opts?: { where?: QueryWhere | undefined }, ctx?: IntegrationContext) => query.count(name, opts, ctx),
      async modify(id: string, change: (current: unknown) => unknown, opts: { attempts?: number | undefined } = {}, ctx?: IntegrationContext) {
        const attempts = Math.max(1, opts.attempts ?? 3);
        for (let attempt = 1; ; attempt += 1) {
          const current = (await get({ id }, ctx)) as { Id: string; SyncToken: string };
          const fields = (await change(current)) as Record<string, unknown>;
          try {
            // One requestid per SyncToken: a re-applied change is a new write, not a replay of the stale one.
            const key = ctx?.idempotencyKey ? `${ctx.idempotencyKey}:${current.SyncToken}` : undefined;
            return await update({ ...fields, Id: current.Id, SyncToken: current.SyncToken }, { ...ctx, idempotencyKey: key });
          } catch (error) {
            if (error instanceof ConflictError && error.vendorCode === FAULT_CODES.staleObject && attempt < attempts) continue;
            throw error;
          }
        }
      },
    };
    return client as unknown as EntityOf<T>;
  }

  const customers = entity("Customer", customerOperations);
  const invoices = { ...entity("Invoice", invoiceOperations), delete: runtime.bind(invoiceOperations.delete), void: runtime.bind(invoiceOperations.void) };
  const payments = { ...entity("Payment", paymentOperations), delete: runtime.bind(paymentOperations.delete), void: runtime.bind(paymentOperations.void) };
  const bills = { ...entity("Bill", billOperations), delete: runtime.bind(billOperations.delete) };
  const journalEntries = { ...entity("JournalEntry", journalEntryOperations), delete: runtime.bind(journalEntryOperations.delete) };
  const items = {
    /** Read an item by id. */
    get: runtime.bind(getItem),
    /** Items matching, page by page. */
    query: (opts?: PagedQueryOptions, ctx?: IntegrationContext) => query.all("Item", opts, ctx) as AsyncGenerator<Item, void, undefined>,
  };

  return { customers, invoices, payments, bills, journalEntries, items, query };
}

/**
 * Create a QuickBooks Online client for one company.
 * @example
 * const qbo = createQuickBooksClient({ realmId, tokens, environment: "production", clientId, clientSecret });
 * const customer = await qbo.customers.create({ DisplayName: "Ana Builder (Loan L-1001)" }, { idempotencyKey: "loan-funded:L-1001" });
 * for await (const invoice of qbo.invoices.query({ where: { CustomerRef: customer.Id } })) console.log(invoice.DocNumber);
 * @public
 */
export function createQuickBooksClient(options: QuickBooksClientOptions) {
  const minorVersion = validateOptions(options);
  const ownsOAuth = !options.oauth;
  const oauth =
    options.oauth ??
    createQuickBooksOAuth({
      clientId: options.clientId!,
      clientSecret: options.clientSecret!,
      tokens: options.tokens,
      endpoints: options.oauthEndpoints,
      onReconnectDue: options.onReconnectDue,
      telemetry: options.telemetry,
      transport: options.transport,
      now: options.now,
    });
  const rateLimitWaitMs = options.rateLimitWaitMs ?? 60_000;
  const runtime = createRuntime({
    adapter: { id: "quickbooks", version: pkg.version },
    baseUrl: options.baseUrl ?? QUICKBOOKS_BASE_URLS[options.environment],
    params: { realmId: options.realmId, minorVersion: String(minorVersion), rateLimitWaitMs: String(rateLimitWaitMs) },
    auth: quickBooksAuth(oauth, options.realmId),
    defaults: QUICKBOOKS_POLICY_DEFAULTS,
    policy: options.policy,
    telemetry: options.telemetry,
    drift: options.drift,
    deadLetters: options.deadLetters,
    idempotencyStore: options.idempotencyStore,
    transport: { requestIdHeaders: ["intuit_tid"], ...options.transport },
    classifyError: (response, ctx) => classifyQuickBooksError(response, { operation: ctx.operation, rateLimitWaitMs, now: options.now }),
    healthCheck: (rt) => rt.run(getCompanyInfo, {}),
  });

  const accounting = buildAccounting(runtime);
  const companyInfo = { get: (ctx?: IntegrationContext) => runtime.run(getCompanyInfo, {}, ctx) };

  const operations: Record<string, Operation> = Object.fromEntries(
    [customerOperations, invoiceOperations, paymentOperations, billOperations, journalEntryOperations]
      .flatMap((group) => Object.values(group) as Operation[])
      .concat([getItem as unknown as Operation, runQuery as unknown as Operation, getCompanyInfo as unknown as Operation])
      .map((op) => [op.id, op]),
  );

  const servicing: LoanServicing = createLoanServicing(accounting, options.servicing);

  return {
    id: "quickbooks" as const,
    version: pkg.version,
    realmId: options.realmId,
    minorVersion,
    operations: operations as Readonly<Record<string, Operation>>,
    ...accounting,
    companyInfo,
    /** Loan-servicing helpers: loan funded, draw disbursed, payment received, loan paid off. */
    servicing,
    /** Compare host loan balances with QuickBooks customer balances. */
    reconcile: (input: ReconcileInput, ctx?: IntegrationContext): Promise<ReconciliationReport> =>
      reconcileBalances(accounting, servicing.loanIdOf, input, { ctx, now: options.now }),
    /** The realm's token lifetimes (reconnect deadline included). */
    tokenStatus: (): Promise<QuickBooksTokenStatus | undefined> => oauth.status(options.realmId),
    /** The OAuth helper the client refreshes through. */
    oauth,
    /** A cheap authenticated call (CompanyInfo). */
    healthCheck: (): Promise<HealthResult> => runtime.healthCheck(),
    /** Close connections and timers (and the OAuth helper's, when the client created it). */
    async close(): Promise<void> {
      await runtime.close();
      if (ownsOAuth) await oauth.close();
    },
  };
}

/** A QuickBooks client. @public */
export type QuickBooksClient = ReturnType<typeof createQuickBooksClient>;
/** The accounting part of the client the helpers build on. @public */
export type QuickBooksAccounting = ReturnType<typeof buildAccounting>;

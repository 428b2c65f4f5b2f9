/**
 * createXeroClient: the Accounting API for ONE tenant (every call carries its `xero-tenant-id`),
 * run by @connect/core's runtime with Xero's limits per tenant, `Idempotency-Key` on every write,
 * error mapping from Xero's bodies, and tokens from core's stored token manager.
 */
import {
  CATEGORY_DEFAULTS,
  createRuntime,
  mergePolicies,
  tokenAuth,
  type BoundOperation,
  type ClientOptionsBase,
  type HealthResult,
  type IntegrationContext,
  type Limiter,
  type LimiterOptions,
  type Operation,
  type PolicyOptions,
  type Resolvable,
  type TokenStore,
} from "@connect/core";
import type { z } from "zod";
import pkg from "../package.json" with { type: "json" };
import { xeroTenantLimiter, type XeroLimits } from "./limits.js";
import { createXeroOAuth, type XeroOAuth, type XeroOAuthEndpoints } from "./oauth.js";
import { contactOperations } from "./operations/contacts.js";
import { invoiceOperations } from "./operations/invoices.js";
import { getOrganisation, paymentOperations } from "./operations/payments.js";
import type { ListContactsInput, ListInvoicesInput, ListPaymentsInput, XeroConnection, XeroContact, XeroInvoice, XeroPage, XeroPayment } from "./schemas.js";

/** The API host. @public */
export const XERO_BASE_URL = "https://api.xero.com";

/**
 * Xero policy defaults (shared/vendors/xero.md §3, §7): retries honour Retry-After up to 65 s (a
 * minute window), the per-tenant limiter keeps under 60/min, 5/concurrent and 5,000/day, and the
 * breaker is the platform's ERP row.
 * @public
 */
export const XERO_POLICY_DEFAULTS: PolicyOptions = {
  retry: { attempts: 4, minDelayMs: 500, maxDelayMs: 10_000, maxRetryAfterMs: 65_000, maxElapsedMs: 180_000 },
  breaker: CATEGORY_DEFAULTS.erp.breaker,
  timeout: { attemptMs: 60_000, totalMs: 300_000 },
};

/** Options of {@link createXeroClient}. @public */
export interface XeroClientOptions extends ClientOptionsBase {
  /** The tenant (organisation) every call is for: a `tenantId` from `GET /connections`. */
  tenantId: string;
  /** The grant (consent) whose tokens the client uses; default the tenant id. */
  grantId?: string | undefined;
  /** Where the grant's tokens live (needed unless `oauth` is given). */
  tokens?: TokenStore | undefined;
  clientId?: string | undefined;
  clientSecret?: Resolvable | undefined;
  /** A shared OAuth helper: clients of one grant then share its token manager. */
  oauth?: XeroOAuth | undefined;
  /** API host override (the fake). */
  baseUrl?: string | undefined;
  /** Identity endpoint overrides (the fake). */
  oauthEndpoints?: Partial<XeroOAuthEndpoints> | undefined;
  /** Per-tenant limits; `false` turns the limiter off. Default 60/min, 5,000/day, 5 in flight. */
  limits?: XeroLimits | false | undefined;
  /** Builds each limit window (e.g. `(id, o) => redisLimiter(o, { redis, id })`) for one quota across workers. */
  limiterFactory?: ((id: string, options: LimiterOptions) => Limiter) | undefined;
  /** Clock (epoch ms). */
  now?: (() => number) | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type PageInput<T> = Omit<T, "page">;

async function* pages<TIn extends { page?: number | undefined; pageSize?: number | undefined }, TOut>(
  list: (input: TIn, ctx?: IntegrationContext) => Promise<XeroPage<TOut>>,
  input: PageInput<TIn>,
  ctx: IntegrationContext | undefined,
): AsyncGenerator<TOut, void, undefined> {
  const size = input.pageSize ?? 100;
  // Pages are 1-based; a page shorter than the page size is the last (shared/vendors/xero.md §2).
  for (let page = 1; ; page += 1) {
    const result = await list({ ...input, page } as TIn, ctx);
    yield* result.items;
    if (result.items.length < size) return;
  }
}

/**
 * Create a Xero client bound to one tenant.
 * @example
 * const xero = createXeroClient({ tenantId, grantId: user.id, tokens, clientId, clientSecret });
 * const contact = await xero.contacts.create({ Name: "Ana Builder", ContactNumber: "L-1001" });
 * for await (const invoice of xero.invoices.all({ statuses: ["AUTHORISED"] })) console.log(invoice.InvoiceNumber);
 * @public
 */
export function createXeroClient(options: XeroClientOptions) {
  if (!options || typeof options.tenantId !== "string" || !UUID.test(options.tenantId)) {
    throw new TypeError("createXeroClient: tenantId is required — the tenant's id (a UUID) from GET /connections; every Accounting API call needs it");
  }
  if (!options.oauth && (!options.tokens || !options.clientId || !options.clientSecret)) {
    throw new TypeError("createXeroClient: pass tokens, clientId and clientSecret (or a shared oauth helper)");
  }
  const tenantId = options.tenantId;
  const grantId = options.grantId ?? tenantId;
  const ownsOAuth = !options.oauth;
  const oauth =
    options.oauth ??
    createXeroOAuth({
      clientId: options.clientId!,
      clientSecret: options.clientSecret!,
      tokens: options.tokens!,
      endpoints: options.oauthEndpoints,
      telemetry: options.telemetry,
      transport: options.transport,
      now: options.now,
    });
  const limiter = options.limits === false ? false : xeroTenantLimiter(tenantId, options.limits ?? {}, options.limiterFactory);
  const runtime = createRuntime({
    adapter: { id: "xero", version: pkg.version },
    baseUrl: options.baseUrl ?? XERO_BASE_URL,
    params: { tenantId },
    auth: tokenAuth(oauth.tokenManager(grantId)),
    defaults: mergePolicies(XERO_POLICY_DEFAULTS, { limiter }),
    policy: options.policy,
    telemetry: options.telemetry,
    drift: options.drift,
    deadLetters: options.deadLetters,
    idempotencyStore: options.idempotencyStore,
    transport: { requestIdHeaders: ["xero-correlation-id"], ...options.transport },
    healthCheck: (rt) => rt.run(getOrganisation, {}),
  });
  const bind = <I extends z.ZodType, O extends z.ZodType>(op: Operation<I, O>): BoundOperation<I, O> => runtime.bind(op);

  const listContacts = bind(contactOperations.list);
  const listInvoices = bind(invoiceOperations.list);
  const listPayments = bind(paymentOperations.list);

  const contacts = {
    /** `PUT /Contacts`. */
    create: bind(contactOperations.create),
    /** `POST /Contacts/{ContactID}`. */
    update: bind(contactOperations.update),
    /** By ContactID or ContactNumber. */
    get: bind(contactOperations.get),
    /** One page. */
    list: listContacts,
    /** The contact with this ContactNumber (or AccountNumber), or undefined. */
    findByExternalRef: bind(contactOperations.find),
    /** Every contact matching, page by page. */
    all: (input: PageInput<ListContactsInput> = {}, ctx?: IntegrationContext): AsyncGenerator<XeroContact, void, undefined> =>
      pages(listContacts as (i: ListContactsInput, c?: IntegrationContext) => Promise<XeroPage<XeroContact>>, input, ctx),
  };
  const invoices = {
    /** `PUT /Invoices` (ACCREC). */
    create: bind(invoiceOperations.create),
    /** By InvoiceID or InvoiceNumber. */
    get: bind(invoiceOperations.get),
    /** One page. */
    list: listInvoices,
    /** Void an AUTHORISED invoice without payments. */
    void: bind(invoiceOperations.void),
    /** Every invoice matching, page by page. */
    all: (input: PageInput<ListInvoicesInput> = {}, ctx?: IntegrationContext): AsyncGenerator<XeroInvoice, void, undefined> =>
      pages(listInvoices as (i: ListInvoicesInput, c?: IntegrationContext) => Promise<XeroPage<XeroInvoice>>, input, ctx),
  };
  const payments = {
    /** `PUT /Payments`. */
    create: bind(paymentOperations.create),
    /** By PaymentID. */
    get: bind(paymentOperations.get),
    /** One page. */
    list: listPayments,
    /** The payment with this exact Reference, or undefined. */
    findByReference: bind(paymentOperations.find),
    /** Every payment matching, page by page. */
    all: (input: PageInput<ListPaymentsInput> = {}, ctx?: IntegrationContext): AsyncGenerator<XeroPayment, void, undefined> =>
      pages(listPayments as (i: ListPaymentsInput, c?: IntegrationContext) => Promise<XeroPage<XeroPayment>>, input, ctx),
  };

  const operations: Record<string, Operation> = Object.fromEntries(
    [...Object.values(contactOperations), ...Object.values(invoiceOperations), ...Object.values(paymentOperations), getOrganisation].map((op) => [op.id, op as unknown as Operation]),
  );

  return {
    id: "xero" as const,
    version: pkg.version,
    tenantId,
    grantId,
    operations: operations as Readonly<Record<string, Operation>>,
    contacts,
    invoices,
    payments,
    organisation: { get: (ctx?: IntegrationContext) => runtime.run(getOrganisation, {}, ctx) },
    connections: {
      /** The grant's tenants. */
      list: (ctx?: IntegrationContext): Promise<XeroConnection[]> => oauth.connections(grantId, ctx),
      /** Disconnect one tenant from the grant. */
      disconnect: (connectionId: string, ctx?: IntegrationContext): Promise<void> => oauth.disconnect(grantId, connectionId, ctx),
    },
    /** The OAuth helper the client refreshes through. */
    oauth,
    /** A cheap authenticated call (`GET /Organisation`). */
    healthCheck: (): Promise<HealthResult> => runtime.healthCheck(),
    /** Close connections and timers (and the OAuth helper's, when the client made it). */
    async close(): Promise<void> {
      await runtime.close();
      if (ownsOAuth) await oauth.close();
    },
  };
}

/** A Xero client. @public */
export type XeroClient = ReturnType<typeof createXeroClient>;

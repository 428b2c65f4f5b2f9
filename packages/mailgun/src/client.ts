/**
 * createMailgunClient: messages, suppressions (bounces, complaints, unsubscribes), events and a
 * health check — operations run by @connect/core's runtime with Mailgun's policy defaults and
 * error mapping, for one sending domain in one region.
 */
import {
  CATEGORY_DEFAULTS,
  type ClientOptionsBase,
  createRuntime,
  type HealthResult,
  type IdempotencyStore,
  type IntegrationContext,
  type Operation,
  type PolicyOptions,
  type Runtime,
  type SecretProvider,
} from "@connect/core";
import pkg from "../package.json" with { type: "json" };
import { mailgunAuth } from "./auth.js";
import { classifyMailgunError } from "./errors.js";
import { listEvents, pageEvents } from "./operations/events.js";
import { createSendMessageOperation } from "./operations/messages.js";
import { bounceOperations, complaintOperations, unsubscribeOperations } from "./operations/suppressions.js";
import {
  MAILGUN_LIMITS,
  type AddBounceRecord,
  type AddComplaintRecord,
  type AddUnsubscribeRecord,
  type Bounce,
  type Complaint,
  type ListEventsInput,
  type ListSuppressionsInput,
  type MailgunEvent,
  type MailgunSendLimits,
  type Paging,
  type Unsubscribe,
} from "./schemas.js";

/** Mailgun API hosts: a domain lives in one region and answers only there. @public */
export const MAILGUN_BASE_URLS = { us: "https://api.mailgun.net", eu: "https://api.eu.mailgun.net" } as const;

/**
 * Mailgun's policy defaults. Limits are per account and unpublished, so the limiter uses the
 * platform's email category numbers; 429s wait for the time Mailgun names (shared/vendors/mailgun.md §2).
 * @public
 */
export const MAILGUN_POLICY_DEFAULTS: PolicyOptions = {
  retry: { attempts: 3, minDelayMs: 250, maxDelayMs: 20_000 },
  breaker: CATEGORY_DEFAULTS.email.breaker,
  limiter: CATEGORY_DEFAULTS.email.limiter,
  timeout: { attemptMs: 60_000, totalMs: 180_000 },
};

/** Options of {@link createMailgunClient}. @public */
export interface MailgunClientOptions extends ClientOptionsBase {
  /** The API key (or a domain sending key, which only sends), or a SecretProvider that holds it. */
  apiKey: string | SecretProvider;
  /** Secret name read from a SecretProvider. Default `MAILGUN_API_KEY`. */
  apiKeySecretName?: string | undefined;
  /** The sending domain, e.g. `mg.acme.test`. */
  domain: string;
  /** The domain's region: `us` or `eu`. Required, because the other region answers 401/404; ignored when `baseUrl` is given. */
  region: keyof typeof MAILGUN_BASE_URLS;
  /** API base URL (tests point it at the fake). */
  baseUrl?: string | undefined;
  /** Act for a subaccount: sent as `X-Mailgun-On-Behalf-Of` on every request. */
  onBehalfOf?: string | undefined;
  /** Raise or lower the send limits checked before I/O (tags per message, message size, …). */
  limits?: Partial<MailgunSendLimits> | undefined;
  /**
   * Remembers completed sends by idempotency key (`ctx.idempotencyKey`, or one derived from the
   * input) so a repeated logical call returns the first result instead of sending again.
   */
  idempotencyStore?: IdempotencyStore | undefined;
  /**
   * Retry sends after a 5xx or a timeout too. Mailgun has no idempotency key, so this can
   * deliver an email twice; by default such a send ends in `UnknownOutcomeError`.
   */
  unsafeRetryAmbiguousFailures?: boolean | undefined;
  /** Clock (epoch ms) used to turn a 429's retry time into a wait. */
  now?: (() => number) | undefined;
}

/** A page of a list and the link to the next one. @public */
export interface MailgunPage<TItem> {
  items: TItem[];
  paging?: Paging | undefined;
}

/** One suppression list: a page, the next page, every row, one address, add, delete. @public */
export interface SuppressionList<TRow, TAdd> {
  /** One page (`limit` 1..1000, default 100; `term` prefix filter). */
  list(query?: ListSuppressionsInput, ctx?: IntegrationContext): Promise<MailgunPage<TRow>>;
  /** The page a `paging.next` URL of an earlier page points at. */
  page(input: { url: string }, ctx?: IntegrationContext): Promise<MailgunPage<TRow>>;
  /** Every row, page by page, until a page comes back empty. */
  listAll(query?: ListSuppressionsInput, ctx?: IntegrationContext): AsyncGenerator<TRow, void, undefined>;
  /** One address; `NotFoundError` when it is not on the list. */
  get(input: { address: string }, ctx?: IntegrationContext): Promise<TRow>;
  /** Add one record or up to 1000 (one JSON batch). */
  add(input: TAdd | TAdd[], ctx?: IntegrationContext): Promise<{ message: string }>;
  /** Remove one address. */
  delete(input: { address: string }, ctx?: IntegrationContext): Promise<{ message: string; address?: string | undefined }>;
}

/** Follow `paging.next` until an empty page (or a link that repeats). @internal */
export async function* followPages<T>(first: MailgunPage<T>, next: (url: string) => Promise<MailgunPage<T>>): AsyncGenerator<T, void, undefined> {
  let page = first;
  const visited = new Set<string>();
  for (;;) {
    if (page.items.length === 0) return;
    yield* page.items;
    const url = page.paging?.next;
    if (!url || visited.has(url)) return;
    visited.add(url);
    page = await next(url);
  }
}

type SuppressionOps = typeof bounceOperations | typeof complaintOperations | typeof unsubscribeOperations;

function suppressionList<TRow, TAdd>(runtime: Runtime, ops: SuppressionOps): SuppressionList<TRow, TAdd> {
  const list = runtime.bind(ops.list as Operation) as (q: unknown, ctx?: IntegrationContext) => Promise<MailgunPage<TRow>>;
  const page = runtime.bind(ops.page as Operation) as (q: unknown, ctx?: IntegrationContext) => Promise<MailgunPage<TRow>>;
  return {
    list: (query = {}, ctx) => list(query, ctx),
    page: (input, ctx) => page(input, ctx),
    async *listAll(query = {}, ctx) {
      yield* followPages(await list(query, ctx), (url) => page({ url }, ctx));
    },
    get: runtime.bind(ops.get as Operation) as never,
    add: runtime.bind(ops.add as Operation) as never,
    delete: runtime.bind(ops.delete as Operation) as never,
  };
}

function bindOperations(runtime: Runtime, send: ReturnType<typeof createSendMessageOperation>) {
  const list = runtime.bind(listEvents);
  const page = runtime.bind(pageEvents);
  return {
    messages: {
      /** Send one message (multipart); resolves to Mailgun's id. */
      send: runtime.bind(send),
    },
    /** Bounces: a page, the next page, every row, one address, add, delete. */
    bounces: suppressionList<Bounce, AddBounceRecord>(runtime, bounceOperations),
    /** Spam complaints. */
    complaints: suppressionList<Complaint, AddComplaintRecord>(runtime, complaintOperations),
    /** Unsubscribes. */
    unsubscribes: suppressionList<Unsubscribe, AddUnsubscribeRecord>(runtime, unsubscribeOperations),
    events: {
      /** The first page of events matching the query. */
      list: (query: ListEventsInput = {}, ctx?: IntegrationContext) => list(query, ctx),
      /** The page a `paging.next` URL points at. */
      page,
      /** Every event of the query, page by page, until an empty page. */
      async *listAll(query: ListEventsInput = {}, ctx?: IntegrationContext): AsyncGenerator<MailgunEvent, void, undefined> {
        yield* followPages(await list(query, ctx), (url) => page({ url }, ctx));
      },
    },
  };
}

/** A Mailgun client: every operation, a health check, and close(). @public */
export type MailgunClient = ReturnType<typeof bindOperations> & {
  readonly id: "mailgun";
  readonly version: string;
  /** The sending domain. */
  readonly domain: string;
  readonly operations: Readonly<Record<string, Operation>>;
  /** A cheap authenticated call (one bounce row of the domain). */
  healthCheck(): Promise<HealthResult>;
  /** Close connections and timers. */
  close(): Promise<void>;
};

/**
 * Create a Mailgun client for one sending domain.
 * @example
 * const mailgun = createMailgunClient({ apiKey: process.env.MAILGUN_API_KEY!, domain: "mg.acme.test", region: "eu" });
 * const { messageId } = await mailgun.messages.send({
 *   from: "Acme Lending <noreply@mg.acme.test>", to: "ana@example.com",
 *   template: "draw-approved", templateVariables: { firstName: "Ana" }, tags: ["draw-approved"],
 * });
 * @public
 */
export function createMailgunClient(options: MailgunClientOptions): MailgunClient {
  if (!options.domain || !/^[A-Za-z0-9.-]+$/.test(options.domain)) throw new TypeError("createMailgunClient: domain must be a domain name, e.g. mg.acme.test");
  if (!options.baseUrl && !Object.hasOwn(MAILGUN_BASE_URLS, String(options.region))) throw new TypeError('createMailgunClient: region must be "us" or "eu"');
  const now = options.now ?? Date.now;
  const limits: MailgunSendLimits = { ...MAILGUN_LIMITS, ...options.limits };
  const built = createSendMessageOperation(limits);
  const sendOperation: typeof built = options.unsafeRetryAmbiguousFailures ? { ...built, safety: "idempotent" } : built;
  const runtime = createRuntime({
    adapter: { id: "mailgun", version: pkg.version },
    baseUrl: options.baseUrl ?? MAILGUN_BASE_URLS[options.region],
    params: { domain: options.domain, ...(options.onBehalfOf ? { onBehalfOf: options.onBehalfOf } : {}) },
    auth: mailgunAuth(options.apiKey, options.apiKeySecretName),
    defaults: MAILGUN_POLICY_DEFAULTS,
    policy: options.policy,
    telemetry: options.telemetry,
    drift: options.drift,
    deadLetters: options.deadLetters,
    idempotencyStore: options.idempotencyStore,
    transport: { requestIdHeaders: ["x-mailgun-request-id", "x-request-id"], ...options.transport },
    classifyError: (response, ctx) => classifyMailgunError(response, { now, operation: ctx.operation, region: options.baseUrl ? undefined : options.region }),
    healthCheck: (rt) => rt.run(bounceOperations.list, { limit: 1 }),
  });
  const bound = bindOperations(runtime, sendOperation);
  const operations: Record<string, Operation> = Object.fromEntries(
    [sendOperation, listEvents, pageEvents, ...Object.values(bounceOperations), ...Object.values(complaintOperations), ...Object.values(unsubscribeOperations)].map((op) => [
      op.id,
      op as unknown as Operation,
    ]),
  );
  return {
    id: "mailgun",
    version: pkg.version,
    domain: options.domain,
    operations,
    healthCheck: () => runtime.healthCheck(),
    close: () => runtime.close(),
    ...bound,
  };
}

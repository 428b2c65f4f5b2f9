/**
 * createSendGridClient: mail send (single and batched), suppression lists, health check —
 * operations run by @connect/core's runtime with SendGrid's policy defaults and error mapping.
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
} from "@connect/core";
import type { z } from "zod";
import pkg from "../package.json" with { type: "json" };
import { sendGridAuth, type SecretProvider } from "./auth.js";
import { classifySendGridError } from "./errors.js";
import { createBatchId, getBatchId, validateBatchId, type BatchIdValidation, type ValidateBatchIdInput } from "./operations/batches.js";
import { getEventWebhookPublicKey, setEventWebhookSigning } from "./operations/event-webhook.js";
import { sendBatch, sendMail, type SendBatchResult } from "./operations/mail.js";
import {
  deleteBlocks,
  deleteBounces,
  deleteSpamReports,
  deleteUnsubscribe,
  listBlocks,
  listBounces,
  listSpamReports,
  listUnsubscribes,
  SUPPRESSION_PAGE_SIZE,
} from "./operations/suppressions.js";
import type { ListSuppressionsInput, SendBatchInput } from "./schemas.js";

/** SendGrid API hosts (EU-regional subusers use the EU host). @public */
export const SENDGRID_BASE_URLS = { global: "https://api.sendgrid.com", eu: "https://api.eu.sendgrid.com" } as const;

/**
 * SendGrid's policy defaults. Limits are per endpoint and unpublished, so the limiter uses the
 * platform's email category numbers and 429s wait for X-RateLimit-Reset (shared/vendors/sendgrid.md §1).
 * @public
 */
export const SENDGRID_POLICY_DEFAULTS: PolicyOptions = {
  retry: { attempts: 3, minDelayMs: 250, maxDelayMs: 20_000 },
  breaker: CATEGORY_DEFAULTS.email.breaker,
  limiter: CATEGORY_DEFAULTS.email.limiter,
  timeout: { attemptMs: 30_000, totalMs: 120_000 },
};

/** Options of {@link createSendGridClient}. @public */
export interface SendGridClientOptions extends ClientOptionsBase {
  /** The API key, or a SecretProvider that holds it (read as `apiKeySecretName`). */
  apiKey: string | SecretProvider;
  /** Secret name read from a SecretProvider. Default `SENDGRID_API_KEY`. */
  apiKeySecretName?: string | undefined;
  /** `global` (default) or `eu`; ignored when `baseUrl` is given. */
  region?: keyof typeof SENDGRID_BASE_URLS | undefined;
  /** API base URL (tests point it at the fake). */
  baseUrl?: string | undefined;
  /** Act for a subuser: sent as `on-behalf-of` on every request. */
  onBehalfOf?: string | undefined;
  /**
   * Remembers completed mail sends by idempotency key (`ctx.idempotencyKey`, or one derived
   * from the input) so a repeated logical call returns the first result instead of sending
   * again; share a Redis store across workers. Batch chunks are keyed `<key>:chunk-<i>`.
   */
  idempotencyStore?: IdempotencyStore | undefined;
  /**
   * Retry mail sends after a 5xx or a timeout too. SendGrid has no idempotency key, so this
   * can deliver an email twice; by default such a send ends in `UnknownOutcomeError`.
   */
  unsafeRetryAmbiguousFailures?: boolean | undefined;
  /** Clock (epoch ms) used to turn X-RateLimit-Reset into a wait. */
  now?: (() => number) | undefined;
}

/** One suppression list: a page, or every row (offset paging until a short page). @public */
export interface SuppressionList<TRow> {
  /** One page (`limit` 1..500, default 500; `offset`). */
  list(query?: ListSuppressionsInput, ctx?: IntegrationContext): Promise<TRow[]>;
  /** Every row in the time window, fetched page by page. */
  listAll(query?: Omit<ListSuppressionsInput, "offset">, ctx?: IntegrationContext): AsyncGenerator<TRow, void, undefined>;
}

function pagedList<TRow extends z.ZodType>(runtime: Runtime, operation: Operation<typeof ListSuppressionsInput, z.ZodArray<TRow>>): SuppressionList<z.output<TRow>> {
  const bound = runtime.bind(operation);
  return {
    list: (query = {}, ctx) => bound(query, ctx),
    async *listAll(query = {}, ctx) {
      const limit = query.limit ?? SUPPRESSION_PAGE_SIZE;
      for (let offset = 0; ; offset += limit) {
        const page = await bound({ ...query, limit, offset }, ctx);
        yield* page;
        if (page.length < limit) return;
      }
    },
  };
}

function bindOperations(runtime: Runtime, sendOperation: typeof sendMail) {
  const send = runtime.bind(sendOperation);
  return {
    mail: {
      /** Send one message (≤ 1000 personalizations); resolves to the X-Message-Id. */
      send,
      /** Send one message to any number of personalizations, in requests of ≤ 1000; reports per chunk. */
      sendBatch: (input: SendBatchInput, ctx?: IntegrationContext): Promise<SendBatchResult> => sendBatch(input, ctx, send, runtime.adapter.id),
      /** Create a batch id (POST /v3/mail/batch) to pass as `batch_id` on scheduled sends. */
      createBatchId: (input: Record<string, never> = {}, ctx?: IntegrationContext) => runtime.run(createBatchId, input, ctx),
      /** Check a batch id (GET /v3/mail/batch/{id}): `valid: false` when SendGrid did not issue it. */
      validateBatchId: (input: ValidateBatchIdInput, ctx?: IntegrationContext): Promise<BatchIdValidation> =>
        validateBatchId(() => runtime.run(getBatchId, input, ctx), input.batchId),
    },
    /** Bounces: list, page through, delete. */
    bounces: { ...pagedList(runtime, listBounces), delete: runtime.bind(deleteBounces) },
    /** Blocks: list, page through, delete. */
    blocks: { ...pagedList(runtime, listBlocks), delete: runtime.bind(deleteBlocks) },
    /** Spam reports: list, page through, delete. */
    spamReports: { ...pagedList(runtime, listSpamReports), delete: runtime.bind(deleteSpamReports) },
    /** Global unsubscribes: list, page through, delete one address. */
    unsubscribes: { ...pagedList(runtime, listUnsubscribes), delete: runtime.bind(deleteUnsubscribe) },
    /** Signed Event Webhook settings: the verification key, signing on/off. */
    eventWebhook: {
      getPublicKey: (input: { id?: string } = {}, ctx?: IntegrationContext) => runtime.run(getEventWebhookPublicKey, input, ctx),
      setSigning: runtime.bind(setEventWebhookSigning),
    },
  };
}

/** A SendGrid client: every operation, a health check, and close(). @public */
export type SendGridClient = ReturnType<typeof bindOperations> & {
  readonly id: "sendgrid";
  readonly version: string;
  readonly operations: Readonly<Record<string, Operation>>;
  /** A cheap authenticated call (one bounce row). */
  healthCheck(): Promise<HealthResult>;
  /** Close connections and timers. */
  close(): Promise<void>;
};

/**
 * Create a SendGrid client.
 * @example
 * const sendgrid = createSendGridClient({ apiKey: process.env.SENDGRID_API_KEY! });
 * const { messageId } = await sendgrid.mail.send({
 *   from: { email: "noreply@acme.test" }, template_id: "d-0123456789abcdef0123456789abcdef",
 *   personalizations: [{ to: [{ email: "ana@example.com" }], dynamic_template_data: { firstName: "Ana" } }],
 * });
 * @public
 */
export function createSendGridClient(options: SendGridClientOptions): SendGridClient {
  const now = options.now ?? Date.now;
  const sendOperation: typeof sendMail = options.unsafeRetryAmbiguousFailures ? { ...sendMail, safety: "idempotent" } : sendMail;
  const runtime = createRuntime({
    adapter: { id: "sendgrid", version: pkg.version },
    baseUrl: options.baseUrl ?? SENDGRID_BASE_URLS[options.region ?? "global"],
    params: options.onBehalfOf ? { onBehalfOf: options.onBehalfOf } : {},
    auth: sendGridAuth(options.apiKey, options.apiKeySecretName),
    defaults: SENDGRID_POLICY_DEFAULTS,
    policy: options.policy,
    telemetry: options.telemetry,
    drift: options.drift,
    deadLetters: options.deadLetters,
    idempotencyStore: options.idempotencyStore,
    transport: { requestIdHeaders: ["x-message-id", "x-request-id"], ...options.transport },
    classifyError: (response, ctx) => classifySendGridError(response, { now, operation: ctx.operation }),
    healthCheck: (rt) => rt.run(listBounces, { limit: 1 }),
  });
  const bound = bindOperations(runtime, sendOperation);
  const operations: Record<string, Operation> = Object.fromEntries(
    [
      sendOperation,
      createBatchId,
      getBatchId,
      listBounces,
      deleteBounces,
      listBlocks,
      deleteBlocks,
      listSpamReports,
      deleteSpamReports,
      listUnsubscribes,
      deleteUnsubscribe,
      getEventWebhookPublicKey,
      setEventWebhookSigning,
    ].map((op) => [op.id, op as unknown as Operation]),
  );
  return {
    id: "sendgrid",
    version: pkg.version,
    operations,
    healthCheck: () => runtime.healthCheck(),
    close: () => runtime.close(),
    ...bound,
  };
}

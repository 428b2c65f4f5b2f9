/**
 * createSesClient: simple, raw and templated sends, templated bulk sends with one result per
 * destination, the suppression list, the account's sending state and a health check — SESv2 SDK
 * commands run as core operations (validation, policy, error mapping, telemetry).
 */
import type { SESv2Client, SESv2ClientConfig } from "@aws-sdk/client-sesv2";
import {
  type ClientOptionsBase,
  createRuntime,
  type HealthResult,
  type IdempotencyStore,
  type IntegrationContext,
  IntegrationError,
  type Operation,
  type PolicyOptions,
  registerSecret,
  type SecretProvider,
} from "@connect/core";
import type { z } from "zod";
import pkg from "../package.json" with { type: "json" };
import { bulkEntryError, mapSesError } from "./errors.js";
import { createAccountOperations } from "./operations/account.js";
import { createEmailOperations, type SendDefaults } from "./operations/emails.js";
import { lazySesSdk } from "./sdk.js";
import {
  SES_LIMITS,
  type ListSuppressionsInput,
  type PutSuppressionInput,
  type SendBulkEmailInput,
  type SendEmailInput,
  type SendEmailOutput,
  type SesAccount,
  type SuppressedDestination,
  type SuppressionAddressInput,
  type SuppressionPage,
} from "./schemas.js";

const VENDOR = "ses";

/**
 * SES policy defaults. SES publishes no rate-limit headers and counts recipients, not calls,
 * against `MaxSendRate` (production accounts start at 14/s; the sandbox at 1/s), so the limiter
 * is a conservative default to set from `account.get()`'s `maxSendRate`. Throttles (429) are
 * retried with backoff from 500 ms, as the SDK does (shared/vendors/ses.md §2).
 * @public
 */
export const SES_POLICY_DEFAULTS: PolicyOptions = {
  retry: { attempts: 3, minDelayMs: 500, maxDelayMs: 20_000 },
  breaker: { failureThreshold: 5, successThreshold: 2, resetTimeoutMs: 30_000 },
  limiter: { perSecond: 10, burst: 10 },
  timeout: { attemptMs: 30_000, totalMs: 120_000 },
};

/** Static AWS keys (the secret and session token are registered for redaction). @public */
export interface SesStaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** AWS keys read from a core `SecretProvider` (env, static, AWS Secrets Manager …). @public */
export interface SesSecretCredentials {
  secrets: SecretProvider;
  /** Secret name of the access key id. Default `AWS_ACCESS_KEY_ID`. */
  accessKeyIdName?: string | undefined;
  /** Secret name of the secret access key. Default `AWS_SECRET_ACCESS_KEY`. */
  secretAccessKeyName?: string | undefined;
  /** Secret name of a session token, when the keys are temporary. */
  sessionTokenName?: string | undefined;
  /** How long the SDK keeps the keys before reading them again (rotation), ms. Default 300 000. */
  refreshMs?: number | undefined;
}

/** Options of {@link createSesClient}. @public */
export interface SesClientOptions extends Omit<ClientOptionsBase, "transport"> {
  /** AWS region of the identities, quotas and suppression list, e.g. `eu-west-1`. */
  region: string;
  /**
   * Static keys, keys held in a core SecretProvider, or an SDK credential provider; default
   * the SDK's default chain (environment, shared config, instance or task role).
   */
  credentials?: SesStaticCredentials | SesSecretCredentials | SESv2ClientConfig["credentials"] | undefined;
  /** Endpoint override (FIPS, VPC endpoint, or the fake on 127.0.0.1). */
  endpoint?: string | undefined;
  /** An SESv2 SDK client you own (then region/endpoint/credentials are ignored; set its maxAttempts to 1). */
  sdkClient?: SESv2Client | undefined;
  /** Configuration set of every send that names none (event publishing, tracking, IP pool). */
  configurationSetName?: string | undefined;
  /**
   * Remembers completed sends by idempotency key (`ctx.idempotencyKey`, or one derived from the
   * message) so a repeated logical call returns the first result instead of sending again; share
   * a Redis store across workers. Bulk requests are keyed `<key>:chunk-<i>`.
   */
  idempotencyStore?: IdempotencyStore | undefined;
  /**
   * Retry sends after a 5xx or a timeout too. SES has no idempotency key, so this can deliver
   * an email twice; by default such a send ends in `UnknownOutcomeError`.
   */
  unsafeRetryAmbiguousFailures?: boolean | undefined;
  /** Test hook: MIME boundary source and clock of built Raw messages. */
  mime?: SendDefaults["mime"];
}

/** One destination's outcome in a bulk send. @public */
export type SesBulkResult =
  | { index: number; ok: true; status: "SUCCESS"; messageId: string }
  | { index: number; ok: false; status: string; error: IntegrationError };

/** What `emails.sendBulk` returns: one result per entry, in entry order. @public */
export interface SesBulkSendResult {
  results: SesBulkResult[];
  sent: number;
  failed: number;
  /** SendBulkEmail requests made (≤ 50 entries each). */
  requests: number;
}

function isSecretCredentials(value: unknown): value is SesSecretCredentials {
  return typeof value === "object" && value !== null && "secrets" in value;
}

/** The SDK `credentials` option for what the host gave, registering secret values for redaction. */
function sdkCredentials(credentials: SesClientOptions["credentials"]): SESv2ClientConfig["credentials"] {
  if (credentials === undefined || typeof credentials === "function") return credentials;
  if (isSecretCredentials(credentials)) {
    const refreshMs = credentials.refreshMs ?? 300_000;
    return async () => {
      const [accessKeyId, secretAccessKey, sessionToken] = await Promise.all([
        credentials.secrets.get(credentials.accessKeyIdName ?? "AWS_ACCESS_KEY_ID"),
        credentials.secrets.get(credentials.secretAccessKeyName ?? "AWS_SECRET_ACCESS_KEY"),
        credentials.sessionTokenName ? credentials.secrets.get(credentials.sessionTokenName) : Promise.resolve(undefined),
      ]);
      registerSecret(secretAccessKey);
      if (sessionToken) registerSecret(sessionToken);
      // An expiration makes the SDK read the keys again after refreshMs (rotation).
      return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}), expiration: new Date(Date.now() + refreshMs) };
    };
  }
  const creds = credentials as { secretAccessKey?: unknown; sessionToken?: unknown };
  if (typeof creds.secretAccessKey === "string") registerSecret(creds.secretAccessKey);
  if (typeof creds.sessionToken === "string") registerSecret(creds.sessionToken);
  return credentials as SESv2ClientConfig["credentials"];
}

/**
 * Create an SES (v2 API) client.
 * @example
 * const ses = createSesClient({ region: "eu-west-1", configurationSetName: "transactional" });
 * const { messageId } = await ses.emails.send({
 *   from: "Acme Lending <noreply@acme.test>", to: ["ana@example.com"],
 *   subject: "Draw 3 approved", text: "Your draw request was approved.",
 * }, { idempotencyKey: "draw-3-approved" });
 * @public
 */
export function createSesClient(options: SesClientOptions) {
  const credentials = sdkCredentials(options.credentials);
  // The SDK loads on the first call (src/sdk.ts); the client is built then, with this config.
  const sdk = lazySesSdk(
    {
      region: options.region,
      // core's policy is the only retry layer (the SDK would otherwise retry throttling 3×)
      maxAttempts: 1,
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(credentials !== undefined ? { credentials } : {}),
    },
    options.sdkClient,
  );
  const defaults: SendDefaults = { configurationSetName: options.configurationSetName, mime: options.mime };
  const emails = createEmailOperations(sdk, defaults);
  const account = createAccountOperations(sdk);
  const sendEmail: typeof emails.sendEmail = options.unsafeRetryAmbiguousFailures ? { ...emails.sendEmail, safety: "idempotent" } : emails.sendEmail;
  const sendBulkChunk: typeof emails.sendBulkChunk = options.unsafeRetryAmbiguousFailures ? { ...emails.sendBulkChunk, safety: "idempotent" } : emails.sendBulkChunk;
  const runtime = createRuntime({
    adapter: { id: VENDOR, version: pkg.version },
    defaults: SES_POLICY_DEFAULTS,
    policy: options.policy,
    telemetry: options.telemetry,
    drift: options.drift,
    deadLetters: options.deadLetters,
    idempotencyStore: options.idempotencyStore,
    mapError: (error) => mapSesError(error),
    // Loading the SDK never counts against a call's timeout: the runtime waits for it first.
    ready: () => (sdk.loaded ? undefined : sdk.load()),
    // GetAccount: cheap, authenticated, and it says whether the account may send at all.
    healthCheck: async (rt) => {
      const state = await rt.run(account.getAccount, {}, { idempotencyKey: "health" });
      if (!state.sendingEnabled) throw new IntegrationError("ses: sending is disabled for this account (GetAccount SendingEnabled false)", { vendor: VENDOR, operation: "account.get", retryable: false });
    },
  });

  const send = runtime.bind(sendEmail) as (input: SendEmailInput, ctx?: IntegrationContext) => Promise<SendEmailOutput>;

  async function sendBulk(input: SendBulkEmailInput, ctx: IntegrationContext = {}): Promise<SesBulkSendResult> {
    // Every entry is checked before the first request: a bad entry sends nothing at all.
    const valid = sendBulkChunk.validate(input, { vendor: VENDOR });
    const size = SES_LIMITS.bulkEntriesPerRequest;
    const results: SesBulkResult[] = [];
    let requests = 0;
    for (let start = 0; start < valid.entries.length; start += size) {
      const chunk = { ...valid, entries: valid.entries.slice(start, start + size) };
      const chunkCtx: IntegrationContext = { ...ctx, ...(ctx.idempotencyKey !== undefined ? { idempotencyKey: `${ctx.idempotencyKey}:chunk-${start / size}` } : {}) };
      requests++;
      try {
        const out = await runtime.run(sendBulkChunk, chunk as unknown as z.input<typeof sendBulkChunk.input>, chunkCtx);
        chunk.entries.forEach((_entry, i) => {
          const r = out.results[i];
          const index = start + i;
          if (r?.status === "SUCCESS" && r.messageId !== undefined) results.push({ index, ok: true, status: "SUCCESS", messageId: r.messageId });
          else {
            const status = r?.status ?? "FAILED";
            results.push({ index, ok: false, status, error: bulkEntryError(status, r ? r.error : "SES returned no result for this entry", { operation: sendBulkChunk.id }) });
          }
        });
      } catch (error) {
        // One failed request (throttled to the end, unknown outcome) fails its entries only.
        const failure = IntegrationError.is(error) ? error : new IntegrationError(String(error), { vendor: VENDOR, operation: sendBulkChunk.id });
        chunk.entries.forEach((_entry, i) => results.push({ index: start + i, ok: false, status: "REQUEST_FAILED", error: failure }));
      }
    }
    const sent = results.filter((r) => r.ok).length;
    return { results, sent, failed: results.length - sent, requests };
  }

  const listSuppressions = runtime.bind(account.listSuppressions) as (input?: ListSuppressionsInput, ctx?: IntegrationContext) => Promise<SuppressionPage>;

  const operations: Record<string, Operation> = Object.fromEntries(
    [sendEmail, sendBulkChunk, account.getSuppression, account.putSuppression, account.deleteSuppression, account.listSuppressions, account.getAccount].map((op) => [op.id, op as unknown as Operation]),
  );

  return {
    id: VENDOR as typeof VENDOR,
    version: pkg.version,
    operations: operations as Readonly<Record<string, Operation>>,
    /** The region the client sends in. */
    region: options.region,
    emails: {
      /** SendEmail: simple, simple with attachments (Raw MIME built here), raw, or templated. Resolves to the MessageId. */
      send,
      /** SendBulkEmail with a template: requests of ≤ 50 entries, one result per entry; a failed entry or request never drops the others. */
      sendBulk,
    },
    suppressions: {
      /** GetSuppressedDestination; `NotFoundError` when the address is not suppressed. */
      get: runtime.bind(account.getSuppression) as (input: SuppressionAddressInput, ctx?: IntegrationContext) => Promise<SuppressedDestination>,
      /** PutSuppressedDestination (an upsert). */
      put: runtime.bind(account.putSuppression) as (input: PutSuppressionInput, ctx?: IntegrationContext) => Promise<Record<string, never>>,
      /** DeleteSuppressedDestination; `NotFoundError` when the address is not suppressed. */
      delete: runtime.bind(account.deleteSuppression) as (input: SuppressionAddressInput, ctx?: IntegrationContext) => Promise<Record<string, never>>,
      /** One page of ListSuppressedDestinations (filters by reason and date). */
      list: (input: ListSuppressionsInput = {}, ctx?: IntegrationContext): Promise<SuppressionPage> => listSuppressions(input, ctx),
      /** Every suppressed address matching the filters, page by page (NextToken). */
      async *listAll(input: Omit<ListSuppressionsInput, "nextToken"> = {}, ctx?: IntegrationContext): AsyncGenerator<SuppressionPage["items"][number], void, undefined> {
        let nextToken: string | undefined;
        do {
          const page = await listSuppressions({ ...input, ...(nextToken ? { nextToken } : {}) }, ctx);
          yield* page.items;
          nextToken = page.nextToken;
        } while (nextToken);
      },
    },
    account: {
      /** GetAccount: sending enabled, sandbox or production, enforcement status, quotas. */
      get: (ctx?: IntegrationContext): Promise<SesAccount> => runtime.run(account.getAccount, {}, ctx),
    },
    /** GetAccount; unhealthy when SES refuses the credentials or sending is disabled. */
    healthCheck: (): Promise<HealthResult> => runtime.healthCheck(),
    /** Close the runtime and the SDK client (when the client created it). */
    async close(): Promise<void> {
      await runtime.close();
      sdk.destroy();
    },
  };
}

/** An SES client. @public */
export type SesClient = ReturnType<typeof createSesClient>;

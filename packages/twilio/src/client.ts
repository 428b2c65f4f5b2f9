/**
 * createTwilioClient: messages (send, get, list pages and an async iterator over all of them,
 * redact, cancel, delete),
 * a health check, and the webhook endpoint pre-wired with the right secret — operations run by
 * @connect/core's runtime with Twilio's policy defaults and error-code mapping.
 */
import {
  CATEGORY_DEFAULTS,
  type ClientOptionsBase,
  createRuntime,
  IntegrationError,
  type HealthResult,
  type IdempotencyStore,
  type IntegrationContext,
  type Operation,
  type PolicyOptions,
  type SecretSource,
} from "@connect/core";
import pkg from "../package.json" with { type: "json" };
import { assertAccountSid, twilioAuth, type TwilioAuth } from "./auth.js";
import { classifyTwilioError, RecipientOptedOutError } from "./errors.js";
import { messageOperations } from "./operations/messages.js";
import type { CountryCode } from "./phone.js";
import type { ListMessagesInput, Message, MessagePage, SendMessageInput, SentMessage } from "./schemas.js";
import type { OptOutStore } from "./status.js";
import { createTwilioWebhookHandler, type TwilioWebhookHandler, type TwilioWebhookOptions } from "./webhooks/handler.js";

/** Twilio's REST host. @public */
export const TWILIO_BASE_URL = "https://api.twilio.com";

/**
 * The REST host for an edge and region (`api.sydney.au1.twilio.com`); an edge without a region
 * implies `us1` (shared/vendors/twilio.md §1).
 * @public
 */
export function twilioBaseUrl(options: { edge?: string | undefined; region?: string | undefined } = {}): string {
  const { edge, region } = options;
  for (const [name, value] of Object.entries({ edge, region })) {
    if (value !== undefined && !/^[a-z0-9-]+$/.test(value)) throw new TypeError(`createTwilioClient: ${name} "${value}" is not a Twilio ${name} name`);
  }
  if (!edge && !region) return TWILIO_BASE_URL;
  const parts = ["api", edge, region ?? "us1"].filter((p): p is string => Boolean(p));
  return `https://${parts.join(".")}.twilio.com`;
}

/**
 * Twilio's policy defaults. 429 (20429) backoff follows twilio-node: 100 ms × 2ⁿ with jitter,
 * capped at 3 s, 3 retries (shared/vendors/twilio.md §3); breaker and limiter are the
 * platform's SMS category numbers.
 * @public
 */
export const TWILIO_POLICY_DEFAULTS: PolicyOptions = {
  retry: { attempts: 4, minDelayMs: 100, maxDelayMs: 3_000, factor: 2 },
  breaker: CATEGORY_DEFAULTS.sms.breaker,
  limiter: CATEGORY_DEFAULTS.sms.limiter,
  timeout: { attemptMs: 15_000, totalMs: 60_000 },
};

/** Options of {@link createTwilioClient}. @public */
export interface TwilioClientOptions extends ClientOptionsBase {
  /** The Account SID (`AC…`); it is in every path, also with an API key. */
  accountSid: string;
  /** How REST calls authenticate: Auth Token, API key + secret, or either read from a SecretProvider. */
  auth: TwilioAuth;
  /**
   * The Auth Token that verifies webhook signatures, for `createWebhookHandler`. Defaults to the
   * REST Auth Token when `auth` uses one; with an API key it must be set (a key cannot verify webhooks).
   */
  webhookAuthToken?: SecretSource | undefined;
  /** Country used to read numbers written without `+` (`(415) 555-0100`). Default `US`. */
  defaultCountry?: CountryCode | undefined;
  /** API host (tests point it at the fake); default from `edge`/`region`, else api.twilio.com. */
  baseUrl?: string | undefined;
  /** Twilio edge location, e.g. `sydney`. */
  edge?: string | undefined;
  /** Twilio region, e.g. `au1`. */
  region?: string | undefined;
  /** Remembers completed sends by idempotency key so a repeated logical call returns the first message instead of texting again. */
  idempotencyStore?: IdempotencyStore | undefined;
  /** Mirrored opt-outs: sends to an opted-out recipient fail before any request; a 21610 adds the recipient. */
  optOuts?: OptOutStore | undefined;
  /**
   * Retry sends after a 5xx or a timeout too. Twilio has no idempotency key, so this can text
   * a borrower twice; by default such a send ends in `UnknownOutcomeError`.
   */
  unsafeRetryAmbiguousFailures?: boolean | undefined;
}

/** Webhook options accepted by `client.createWebhookHandler` (the Auth Token comes from the client). @public */
export type TwilioClientWebhookOptions = Omit<TwilioWebhookOptions, "authToken"> & { authToken?: SecretSource | undefined };

/** A Twilio client. @public */
export interface TwilioClient {
  /** Adapter id. */
  readonly id: "twilio";
  /** This package's semver version. */
  readonly version: string;
  /** The account every path is under. */
  readonly accountSid: string;
  /** The operations the client runs, by id. */
  readonly operations: Readonly<Record<string, Operation>>;
  /** Programmable Messaging. */
  readonly messages: {
    /** Send an SMS/MMS/WhatsApp message; resolves to the created Message (status `queued` or `accepted`) with a segment report. */
    send(input: SendMessageInput, ctx?: IntegrationContext): Promise<SentMessage>;
    /** Fetch one message by SID. */
    get(input: { sid: string }, ctx?: IntegrationContext): Promise<Message>;
    /** One page of messages (filters, or a `pageUri` Twilio returned). */
    listPage(query?: ListMessagesInput, ctx?: IntegrationContext): Promise<MessagePage>;
    /** Every message matching the filters, newest first, following Twilio's `next_page_uri` page by page. */
    list(query?: Omit<ListMessagesInput, "pageUri">, ctx?: IntegrationContext): AsyncGenerator<Message, void, undefined>;
    /** Redact a message's text (`Body=`); resolves to the Message with an empty body. */
    redact(input: { sid: string }, ctx?: IntegrationContext): Promise<Message>;
    /** Cancel a scheduled message (`Status=canceled`); one already canceled resolves as is, one past `scheduled` is refused (30409). */
    cancel(input: { sid: string }, ctx?: IntegrationContext): Promise<Message>;
    /** Delete a message (204); an unknown SID is a `NotFoundError` (20404). */
    delete(input: { sid: string }, ctx?: IntegrationContext): Promise<void>;
  };
  /** The webhook endpoint for status callbacks and inbound messages, verified with the account's Auth Token. */
  createWebhookHandler(options?: TwilioClientWebhookOptions): TwilioWebhookHandler;
  /** A cheap authenticated call (one message of the list). */
  healthCheck(): Promise<HealthResult>;
  /** Close connections and timers. */
  close(): Promise<void>;
}

/**
 * Create a Twilio client.
 * @example
 * const twilio = createTwilioClient({
 *   accountSid: process.env.TWILIO_ACCOUNT_SID!,
 *   auth: { apiKeySid: process.env.TWILIO_API_KEY_SID!, apiKeySecret: process.env.TWILIO_API_KEY_SECRET! },
 *   webhookAuthToken: process.env.TWILIO_AUTH_TOKEN!,
 * });
 * const sent = await twilio.messages.send({ to: "+14155550100", from: "+14155552345", body: "Reply CONFIRM to acknowledge" });
 * @public
 */
export function createTwilioClient(options: TwilioClientOptions): TwilioClient {
  assertAccountSid(options.accountSid);
  const auth = twilioAuth(options.accountSid, options.auth);
  const ops = messageOperations(options.defaultCountry ?? "US");
  const sendOperation: typeof ops.sendMessage = options.unsafeRetryAmbiguousFailures ? { ...ops.sendMessage, safety: "idempotent" } : ops.sendMessage;
  const runtime = createRuntime({
    adapter: { id: "twilio", version: pkg.version },
    baseUrl: options.baseUrl ?? twilioBaseUrl(options),
    params: { accountSid: options.accountSid },
    auth: auth.strategy,
    defaults: TWILIO_POLICY_DEFAULTS,
    policy: options.policy,
    telemetry: options.telemetry,
    drift: options.drift,
    deadLetters: options.deadLetters,
    idempotencyStore: options.idempotencyStore,
    transport: { requestIdHeaders: ["twilio-request-id", "x-request-id"], ...options.transport },
    classifyError: (response, ctx) => classifyTwilioError(response, { operation: ctx.operation }),
    healthCheck: (rt) => rt.run(ops.listMessagesPage, { pageSize: 1 }),
  });
  const send = runtime.bind(sendOperation);
  const get = runtime.bind(ops.getMessage);
  const cancel = runtime.bind(ops.cancelMessage);
  const listPage = runtime.bind(ops.listMessagesPage);
  const optOuts = options.optOuts;

  const messages: TwilioClient["messages"] = {
    async send(input, ctx) {
      if (!optOuts) return send(input, ctx);
      // Validate first (the same ValidationError the runtime would throw), so the store sees the E.164 form.
      const to = send.validate(input).to;
      if (await optOuts.isOptedOut(to)) {
        throw new RecipientOptedOutError(
          "twilio messages.send: the recipient texted STOP and has not opted back in; nothing was sent (they must text START first)",
          { vendor: "twilio", operation: "messages.send", vendorCode: "21610", recipient: to, correlationId: ctx?.correlationId, mayHaveReachedVendor: false },
        );
      }
      try {
        return await send(input, ctx);
      } catch (error) {
        if (error instanceof RecipientOptedOutError) {
          error.recipient ??= to;
          await optOuts.optOut(to);
        }
        throw error;
      }
    },
    get,
    redact: runtime.bind(ops.redactMessage),
    async cancel(input, ctx) {
      try {
        return await cancel(input, ctx);
      } catch (error) {
        // 30409 also answers a retry whose first attempt did cancel: a message already
        // `canceled` is the outcome asked for, so that case resolves instead of failing.
        if (!(IntegrationError.is(error) && error.vendorCode === "30409")) throw error;
        const message = await get(input, ctx);
        if (message.status === "canceled") return message;
        throw error;
      }
    },
    delete: runtime.bind(ops.deleteMessage),
    listPage: (query = {}, ctx) => listPage(query, ctx),
    async *list(query = {}, ctx) {
      let page = await listPage(query, ctx);
      for (;;) {
        yield* page.messages;
        if (!page.nextPageUri) return;
        page = await listPage({ pageUri: page.nextPageUri }, ctx);
      }
    },
  };

  const operations: Record<string, Operation> = Object.fromEntries(
    [sendOperation, ops.getMessage, ops.listMessagesPage, ops.redactMessage, ops.cancelMessage, ops.deleteMessage].map((op) => [op.id, op as unknown as Operation]),
  );

  return {
    id: "twilio",
    version: pkg.version,
    accountSid: options.accountSid,
    operations,
    messages,
    createWebhookHandler(webhookOptions = {}) {
      const authToken = webhookOptions.authToken ?? options.webhookAuthToken ?? auth.webhookToken;
      if (authToken === undefined && !webhookOptions.verifier && !webhookOptions.unsafeSkipSignatureCheck) {
        throw new TypeError(
          "twilio createWebhookHandler: REST calls use an API key, which cannot verify webhooks — Twilio signs them with the account's Auth Token; set webhookAuthToken on the client (or authToken here)",
        );
      }
      return createTwilioWebhookHandler({ optOuts, ...webhookOptions, authToken });
    },
    healthCheck: () => runtime.healthCheck(),
    close: () => runtime.close(),
  };
}

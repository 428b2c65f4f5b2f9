/**
 * The Connect listener: core's webhook receiver (raw body → HMAC verify → parse → dedupe →
 * dispatch) with DocuSign's verifier and both message formats.
 *
 * Acknowledgement (shared/vendors/docusign.md §5): DocuSign counts a delivery as done only on a
 * 2xx within 100 s. With `requireAcknowledgment`, a failed SIM delivery is retried about once
 * a day, up to 10 times, and later messages of the same configuration wait behind it — so a
 * handler should be quick (hand work to a queue) and a poison event should be dead-lettered
 * (after `maxAttempts`) rather than fail forever. Answers: 200 processed, duplicate or
 * ignored; 401 signature failed (no handler ran); 400 not a Connect message (incl. a DTD);
 * 500 a handler threw (DocuSign redelivers; already-handled events of it are deduped).
 */
import {
  createWebhookReceiver,
  type DeadLetterSink,
  type DedupeStore,
  type Logger,
  type SecretSource,
  type SignatureEvent,
  type WebhookEventContext,
  type WebhookReceiver,
  type WebhookVerifier,
  type WebhookInbox,
} from "@connect/core";
import type { ConnectEventName } from "../envelope-input.js";
import { DOCUSIGN_SIGNATURE_EVENT_TYPES, toSignatureEvent } from "../esign-events.js";
import type { DocuSignConnectEvent } from "./events.js";
import { parseConnectMessage } from "./parse.js";
import { docuSignConnectVerifier } from "./verify.js";

/** A handler for one event; throw to have DocuSign deliver the message again. @public */
export type DocuSignEventHandler = (event: DocuSignConnectEvent, ctx: WebhookEventContext) => void | Promise<void>;

/** Options of {@link createDocuSignWebhookHandler}. @public */
export interface DocuSignWebhookOptions {
  /** The account's Connect HMAC keys; any may match (keep the old one during rotation). */
  secrets?: SecretSource | undefined;
  /** Handlers by event name (`envelope-completed`, `recipient-completed` …). */
  handlers?: Partial<Record<ConnectEventName | (string & {}), DocuSignEventHandler>> | undefined;
  /** Every event without a handler of its own. */
  onEvent?: DocuSignEventHandler | undefined;
  /** Also (or instead) receive the provider-neutral `SignatureEvent` of events that map to one. */
  onSignatureEvent?: ((event: SignatureEvent, source: DocuSignConnectEvent, ctx: WebhookEventContext) => void | Promise<void>) | undefined;
  /** Custom field whose value becomes `SignatureEvent.externalRef`. Default `externalRef`, then `loanId`. */
  externalRefField?: string | undefined;
  /** Dedupe store by event id (in-memory by default; share one across workers); `false` disables. */
  dedupe?: DedupeStore | false | undefined;
  /** How long a processed event id is remembered (ms). Default 12 days: DocuSign retries daily, up to 10 times. */
  dedupeTtlMs?: number | undefined;
  /** Where an event goes after `maxAttempts` failed deliveries (then acknowledged). */
  deadLetters?: DeadLetterSink | undefined;
  /** Deliveries of a failing event before it is dead-lettered. Default 5. */
  maxAttempts?: number | undefined;
  /** Persist each verified event to this durable inbox (`@connect/jobs` `createWebhookInbox`) before answering 2xx, and run the handlers from its queue. */
  inbox?: WebhookInbox | undefined;
  /** Tenant of an event, recorded in its dead letter. */
  tenantId?: ((event: DocuSignConnectEvent) => string | undefined) | undefined;
  /** Hours from UTC of the account's zone, for XML messages without `TimeZoneOffset`. Default 0. */
  defaultTimeZoneOffsetHours?: number | undefined;
  /** Structured logger; lines are redacted. */
  logger?: Logger | undefined;
  /** Public origin for `node()` behind a proxy. */
  baseUrl?: string | undefined;
  /** Body size cap (bytes); raise it when messages include documents. Default 25 MiB. */
  maxBodyBytes?: number | undefined;
  /** A custom verifier instead of the HMAC one built from `secrets`. */
  verifier?: WebhookVerifier | undefined;
  /** Accept unsigned messages. Only for local development with HMAC off; never in production. */
  unsafeSkipSignatureCheck?: boolean | undefined;
  /** Clock, for tests. */
  now?: (() => number) | undefined;
}

/**
 * Create the Connect listener: `handle(req)`, `fetch(request)`, `node(req, res)`.
 * @example
 * const connect = createDocuSignWebhookHandler({
 *   secrets: [process.env.DOCUSIGN_CONNECT_KEY!],
 *   handlers: { "envelope-completed": (e) => queue.add("store-signed-pdf", { envelopeId: e.envelopeId }) },
 * });
 * http.createServer((req, res) => connect.node(req, res));
 * @public
 */
export function createDocuSignWebhookHandler(options: DocuSignWebhookOptions): WebhookReceiver {
  let verifier = options.verifier;
  if (!verifier) {
    if (options.unsafeSkipSignatureCheck) verifier = { verify: () => undefined };
    else if (options.secrets === undefined) throw new TypeError("createDocuSignWebhookHandler needs secrets (the Connect HMAC keys), a verifier, or unsafeSkipSignatureCheck: true");
    else verifier = docuSignConnectVerifier({ secrets: options.secrets });
  }
  const externalRefField = options.externalRefField;

  const compose = (typed: DocuSignEventHandler | undefined): DocuSignEventHandler | undefined => {
    const neutral = options.onSignatureEvent;
    if (!typed && !neutral) return undefined;
    return async (event, ctx) => {
      await typed?.(event, ctx);
      const mapped = neutral ? toSignatureEvent(event, { externalRefField }) : undefined;
      if (mapped && neutral) await neutral(mapped, event, ctx);
    };
  };
  const handlers: Record<string, DocuSignEventHandler> = {};
  for (const [name, own] of Object.entries(options.handlers ?? {})) {
    if (own) handlers[name] = compose(own)!;
  }
  // Without a handler of its own, an event that maps to a SignatureEvent still reaches onSignatureEvent.
  if (options.onSignatureEvent && !options.onEvent) {
    for (const name of Object.keys(DOCUSIGN_SIGNATURE_EVENT_TYPES)) handlers[name] ??= compose(undefined)!;
  }

  return createWebhookReceiver<DocuSignConnectEvent>({
    vendor: "docusign",
    verifier,
    parse: (req) => parseConnectMessage(req, { defaultTimeZoneOffsetHours: options.defaultTimeZoneOffsetHours }),
    eventId: (event) => event.eventId,
    eventType: (event) => event.event,
    handlers,
    onEvent: options.onEvent ? compose(options.onEvent) : undefined,
    dedupe: options.dedupe,
    dedupeTtlMs: options.dedupeTtlMs ?? 12 * 24 * 3600_000,
    deadLetters: options.deadLetters,
    maxAttempts: options.maxAttempts,
    inbox: options.inbox,
    tenantId: options.tenantId,
    logger: options.logger,
    baseUrl: options.baseUrl,
    maxBodyBytes: options.maxBodyBytes,
    now: options.now,
  });
}

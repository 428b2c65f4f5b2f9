/**
 * The webhook endpoint. Intuit wants a 200 within 3 s and holds every later event back until a
 * failed delivery is acknowledged (shared/vendors/quickbooks.md §8), so this endpoint
 * acknowledges first and processes after: verify the signature (core's receiver; nothing
 * unverified goes further) → parse both formats → dedupe → enqueue → 200. A processor then runs
 * the handlers from the queue with retries, and a change that keeps failing lands in the
 * dead-letter sink instead of blocking the realm's webhook stream.
 */
import { createHash, randomUUID } from "node:crypto";
import {
  canonicalJson,
  createWebhookReceiver,
  IntegrationError,
  type DeadLetterSink,
  type DedupeStore,
  type Logger,
  type SecretSource,
  type WebhookInbox,
  type WebhookReceiver,
  type WebhookVerifier,
} from "@connect/core";
import { safeLogger } from "../logging.js";
import { parseQuickBooksWebhook, type InvalidQuickBooksChange, type QuickBooksEntityChange } from "./events.js";
import { quickBooksWebhookVerifier } from "./verify.js";

/** Handles one change, after the webhook was acknowledged; throw to have it retried. @public */
export type QuickBooksChangeHandler = (change: QuickBooksEntityChange, ctx: { attempt: number; correlationId: string }) => void | Promise<void>;

/** Where verified changes wait for processing (an in-process queue by default; SQS, BullMQ … in production). @public */
export interface QuickBooksChangeQueue {
  /** Accept a change; resolve once it is safely queued (a rejection answers 500 so Intuit redelivers). */
  enqueue(change: QuickBooksEntityChange): Promise<void>;
}

/** Outcome of processing one change. @public */
export type ChangeOutcome = "handled" | "ignored" | "deadLettered" | "dropped";

/** Runs handlers for changes taken off a queue. @public */
export interface QuickBooksChangeProcessor {
  /** Run the change's handler with retries; after `maxAttempts` failures it is dead-lettered (or dropped and logged without a sink). */
  process(change: QuickBooksEntityChange): Promise<ChangeOutcome>;
}

/** Options of {@link createQuickBooksChangeProcessor}. @public */
export interface ChangeProcessorOptions {
  /** Handlers by entity name (`Invoice`, `Customer` …). */
  handlers?: Partial<Record<string, QuickBooksChangeHandler>> | undefined;
  /** Changes of entities without a handler. */
  onChange?: QuickBooksChangeHandler | undefined;
  /** Attempts per change. Default 5. */
  maxAttempts?: number | undefined;
  /** Delay before attempt n+1 (ms). Default 1 s doubling up to 60 s. */
  retryDelayMs?: number | ((attempt: number) => number) | undefined;
  /** Where changes that failed every attempt go. */
  deadLetters?: DeadLetterSink | undefined;
  /** Structured logger. */
  logger?: Logger | undefined;
  /** Clock (epoch ms). */
  now?: (() => number) | undefined;
}

/** The handler for an entity's changes: its own, else `onChange`. */
function changeHandlerFor(options: Pick<ChangeProcessorOptions, "handlers" | "onChange">, entity: string): QuickBooksChangeHandler | undefined {
  return (options.handlers && Object.prototype.hasOwnProperty.call(options.handlers, entity) ? options.handlers[entity] : undefined) ?? options.onChange;
}

const sleep = (ms: number): Promise<void> => (ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms)));

/** Create the processor that runs handlers for queued changes. @public */
export function createQuickBooksChangeProcessor(options: ChangeProcessorOptions): QuickBooksChangeProcessor {
  const logger = safeLogger(options.logger);
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const now = options.now ?? Date.now;
  const delay = (attempt: number): number =>
    typeof options.retryDelayMs === "function" ? options.retryDelayMs(attempt) : (options.retryDelayMs ?? Math.min(60_000, 1000 * 2 ** (attempt - 1)));
  return {
    async process(change) {
      const handler = changeHandlerFor(options, change.entity);
      if (!handler) return "ignored";
      const correlationId = randomUUID();
      const firstAttemptAt = new Date(now()).toISOString();
      let lastError: unknown;
      for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
        try {
          await handler(change, { attempt, correlationId });
          return "handled";
        } catch (error) {
          lastError = error;
          logger.warn({ vendor: "quickbooks", changeId: change.id, type: change.type, entityId: change.entityId, attempt, maxAttempts, error: String((error as Error)?.message ?? error) }, "quickbooks change handler failed");
          if (attempt < maxAttempts) await sleep(delay(attempt));
        }
      }
      const error = IntegrationError.is(lastError)
        ? lastError
        : new IntegrationError(`quickbooks change handler for ${change.type} failed: ${(lastError as Error)?.message ?? String(lastError)}`, { vendor: "quickbooks", operation: change.type, cause: lastError });
      if (!options.deadLetters) {
        logger.error({ vendor: "quickbooks", changeId: change.id, type: change.type, error: error.toJSON() }, "quickbooks change failed every attempt and there is no dead-letter sink: dropped");
        return "dropped";
      }
      await options.deadLetters.put({
        id: `quickbooks:webhook:${change.id}`,
        kind: "webhook",
        adapterId: "quickbooks",
        operation: change.type,
        correlationId,
        tenantId: change.realmId,
        payload: change,
        error: { ...error.toJSON(), attempts: maxAttempts },
        attempts: maxAttempts,
        firstAttemptAt,
        lastAttemptAt: new Date(now()).toISOString(),
      });
      logger.error({ vendor: "quickbooks", changeId: change.id, type: change.type }, "quickbooks change dead-lettered after repeated handler failures");
      return "deadLettered";
    },
  };
}

/** An in-process queue: processes changes one at a time, in arrival order, after the 200. @public */
export interface MemoryChangeQueue extends QuickBooksChangeQueue {
  /** Resolves when every queued change has been processed. */
  idle(): Promise<void>;
  /** Changes queued or running. */
  readonly pending: number;
  /** Outcomes so far, in order (for tests and metrics). */
  readonly outcomes: ReadonlyArray<{ changeId: string; outcome: ChangeOutcome }>;
}

/** Create an in-process queue over a processor (lost on restart: use a durable queue in production). @public */
export function createMemoryChangeQueue(processor: QuickBooksChangeProcessor, options: { logger?: Logger | undefined } = {}): MemoryChangeQueue {
  const logger = safeLogger(options.logger);
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  const outcomes: Array<{ changeId: string; outcome: ChangeOutcome }> = [];
  return {
    async enqueue(change) {
      pending += 1;
      tail = tail.then(async () => {
        try {
          outcomes.push({ changeId: change.id, outcome: await processor.process(change) });
        } catch (error) {
          // A failing dead-letter sink must not stop the queue.
          logger.error({ vendor: "quickbooks", changeId: change.id, error: String(error) }, "quickbooks change processing failed");
          outcomes.push({ changeId: change.id, outcome: "dropped" });
        } finally {
          pending -= 1;
        }
      });
    },
    idle: () => tail,
    get pending() {
      return pending;
    },
    get outcomes() {
      return outcomes;
    },
  };
}

/** Options of {@link createQuickBooksWebhookHandler}. @public */
export interface QuickBooksWebhookOptions extends Omit<ChangeProcessorOptions, "logger" | "now"> {
  /** The app's webhook Verifier Token (several during a rotation, or a function reading it). */
  verifierToken?: SecretSource | undefined;
  /**
   * Persist each verified change to this durable inbox (`@connect/jobs` `createWebhookInbox`) before
   * the 200, and run `handlers` from its queue with its retries and dead letters. Recommended: without
   * it (or `queue`) changes Intuit was told we received wait in process memory and a restart loses them.
   */
  inbox?: WebhookInbox | undefined;
  /** Where verified changes go instead of an inbox; default an in-process queue running `handlers` (lost on restart). */
  queue?: QuickBooksChangeQueue | undefined;
  /** Accept changes for these realms only (others are acknowledged and logged). */
  realmIds?: readonly string[] | undefined;
  /** Dedupe store keyed by change id (in-memory by default; share one across workers). `false` disables. */
  dedupe?: DedupeStore | false | undefined;
  /** How long a change id is remembered (ms). Default 72 h (Intuit retries for over a day). */
  dedupeTtlMs?: number | undefined;
  /** Entries that could not be read; the rest of the payload is still queued. */
  onInvalidChange?: ((invalid: InvalidQuickBooksChange) => void | Promise<void>) | undefined;
  /** Structured logger (redacted). */
  logger?: Logger | undefined;
  /** Public origin for `node()` behind a proxy. */
  baseUrl?: string | undefined;
  /** Largest body accepted (bytes); larger requests get 413 before verification. Default 1 MiB (Intuit batches change notices, no documents). */
  maxBodyBytes?: number | undefined;
  /** A custom verifier instead of the intuit-signature one. */
  verifier?: WebhookVerifier | undefined;
  /** Accept unsigned requests. Only for local development; never in production. */
  unsafeSkipSignatureCheck?: boolean | undefined;
  /** Clock (epoch ms). */
  now?: (() => number) | undefined;
}

/** The webhook endpoint and its queue. @public */
export interface QuickBooksWebhookHandler extends WebhookReceiver {
  /** The queue changes go to (the in-process one unless `queue` was given). */
  readonly queue: QuickBooksChangeQueue;
  /** Resolves when the in-process queue is empty (immediately with a custom queue). */
  idle(): Promise<void>;
}

/**
 * Create the QuickBooks webhook endpoint: `handle(req)`, `fetch(request)`, `node(req, res)`.
 * @example
 * const webhook = createQuickBooksWebhookHandler({
 *   verifierToken: process.env.QBO_VERIFIER_TOKEN!,
 *   handlers: { Payment: async (change) => syncPayment(change.realmId, change.entityId) },
 *   deadLetters,
 * });
 * http.createServer((req, res) => webhook.node(req, res));
 * @public
 */
export function createQuickBooksWebhookHandler(options: QuickBooksWebhookOptions): QuickBooksWebhookHandler {
  const logger = safeLogger(options.logger);
  let verifier = options.verifier;
  if (!verifier) {
    if (options.unsafeSkipSignatureCheck) verifier = { verify: () => undefined };
    else if (!options.verifierToken) throw new TypeError("createQuickBooksWebhookHandler needs verifierToken (or verifier, or unsafeSkipSignatureCheck: true)");
    else verifier = quickBooksWebhookVerifier({ verifierToken: options.verifierToken });
  }
  const inbox = options.inbox;
  if (!inbox && !options.queue) {
    logger.warn(
      { vendor: "quickbooks" },
      "quickbooks webhook: acknowledged changes wait in process memory and a restart loses them; pass `inbox` (a durable @connect/jobs inbox) in production",
    );
  }
  const memory = options.queue || inbox
    ? undefined
    : createMemoryChangeQueue(
        createQuickBooksChangeProcessor({ ...options, logger: options.logger, now: options.now }),
        { logger: options.logger },
      );
  // With an inbox, a change put on `queue` by hand goes to the inbox like a received one.
  const inboxQueue: QuickBooksChangeQueue | undefined = inbox && {
    enqueue: (change) =>
      inbox.accept([
        {
          vendor: "quickbooks",
          eventId: change.id,
          key: `quickbooks:${change.id}`,
          eventType: change.type,
          tenantId: change.realmId,
          correlationId: randomUUID(),
          receivedAt: new Date((options.now ?? Date.now)()).toISOString(),
          event: change,
          request: { method: "POST", url: "", headers: {} },
        },
      ]),
  };
  const queue: QuickBooksChangeQueue = options.queue ?? inboxQueue ?? memory!;
  const realms = options.realmIds ? new Set(options.realmIds) : undefined;

  async function reportInvalid(invalid: InvalidQuickBooksChange): Promise<void> {
    logger.warn({ vendor: "quickbooks", index: invalid.index, issues: invalid.issues }, "quickbooks webhook entry failed validation; the rest of the payload is processed");
    // canonicalJson, not JSON.stringify: a deeply nested entry must not overflow the stack and fail the whole payload.
    const digest = createHash("sha256").update(canonicalJson(invalid.raw)).digest("hex").slice(0, 32);
    const at = new Date((options.now ?? Date.now)()).toISOString();
    await options.deadLetters
      ?.put({
        id: `quickbooks:webhook:invalid:${digest}`,
        kind: "webhook",
        adapterId: "quickbooks",
        operation: "invalid_change",
        correlationId: digest,
        payload: invalid.raw,
        error: { name: "ValidationError", message: "webhook entry failed validation", issues: invalid.issues },
        attempts: 1,
        firstAttemptAt: at,
        lastAttemptAt: at,
      })
      .catch((error: unknown) => logger.error({ vendor: "quickbooks", error: String(error) }, "dead-letter sink failed"));
    await options.onInvalidChange?.(invalid);
  }

  const receiver = createWebhookReceiver<QuickBooksEntityChange>({
    vendor: "quickbooks",
    verifier,
    parse: async (req) => {
      const parsed = parseQuickBooksWebhook(req.rawBody);
      for (const invalid of parsed.invalid) await reportInvalid(invalid);
      if (!realms) return parsed.changes;
      const accepted = parsed.changes.filter((change) => realms.has(change.realmId));
      if (accepted.length < parsed.changes.length) {
        logger.warn({ vendor: "quickbooks", ignored: parsed.changes.length - accepted.length }, "quickbooks webhook changes for realms this endpoint does not serve were acknowledged and ignored");
      }
      return accepted;
    },
    eventId: (change) => change.id,
    eventType: (change) => change.type,
    // Acknowledge first: the only work before the 200 is putting the change on the queue (or,
    // with an inbox, persisting it there; the handler then runs from the inbox's queue).
    onEvent: inbox
      ? async (change, ctx) => {
          await changeHandlerFor(options, change.entity)?.(change, { attempt: ctx.delivery, correlationId: ctx.correlationId });
        }
      : (change) => queue.enqueue(change),
    inbox,
    dedupe: options.dedupe,
    dedupeTtlMs: options.dedupeTtlMs ?? 72 * 3600_000,
    // A failing enqueue answers 500 and Intuit redelivers; no dead letter at this stage.
    maxAttempts: Number.MAX_SAFE_INTEGER,
    tenantId: (change) => change.realmId,
    logger: options.logger,
    baseUrl: options.baseUrl,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    now: options.now,
  });

  return {
    ...receiver,
    queue,
    idle: () => memory?.idle() ?? Promise.resolve(),
  };
}

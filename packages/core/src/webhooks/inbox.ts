/**
 * The webhook inbox contract: persist a verified event, then acknowledge, then handle it from a
 * queue. Core's receiver speaks to it; `@connect/jobs` implements it on durable queues
 * (`createWebhookInbox`). Kept to types here so core carries no queue engine.
 */

/** The request a stored event arrived in: no body and no credential headers (the event is stored parsed). @public */
export interface StoredWebhookRequest {
  method: string;
  url: string;
  /** Header names in lower case; signatures, authorization and cookies are left out. */
  headers: Record<string, string>;
}

/** A verified webhook event as the inbox stores it (JSON). @public */
export interface StoredWebhookEvent {
  /** Vendor id of the receiver that verified it. */
  vendor: string;
  /** The vendor's event id, when the event has one. */
  eventId?: string | undefined;
  /** Dedupe key of the event: `<vendor>:<eventId>`, or `<vendor>:sha256:<digest of the event>`. */
  key: string;
  /** The event type, which selects the handler. */
  eventType: string;
  /** Tenant of the event, when the receiver knows it. */
  tenantId?: string | undefined;
  /** Correlation id of the delivery that brought it. */
  correlationId: string;
  /** ISO time the delivery was verified. */
  receivedAt: string;
  /** The parsed event, as JSON. */
  event: unknown;
  /** The request it arrived in. */
  request: StoredWebhookRequest;
}

/** How the inbox runs one stored event: the receiver's handler for its type (throws to have it retried). @public */
export type StoredWebhookRunner = (event: StoredWebhookEvent, attempt: { attempt: number; correlationId: string; resumed?: boolean | undefined }) => Promise<void>;

/**
 * Where a receiver puts verified events before it answers 2xx. `accept` resolves only once the
 * events are on durable storage; when it rejects the receiver answers 503 and the vendor
 * redelivers. The handlers then run from the inbox's queue, with its retries and dead letters.
 * @public
 */
export interface WebhookInbox {
  /** Called once by each receiver built on this inbox, with the function that runs its handlers. */
  attach(vendor: string, run: StoredWebhookRunner): void;
  /** Persist verified events (each once per key); resolve when durable. */
  accept(events: StoredWebhookEvent[]): Promise<void>;
}

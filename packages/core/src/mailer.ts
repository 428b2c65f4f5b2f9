/**
 * The shared email interface. SendGrid, AWS SES and Mailgun send the same message three ways;
 * a host that has not chosen a provider codes against `Mailer`, switches by configuration, and
 * can put two behind `fallback()` (a send that provably reached nobody moves to the next).
 * Types only, plus the event vocabulary every implementation shares, so the main entry stays
 * small.
 */
import type { IntegrationContext } from "./context.js";
import type { HealthResult } from "./contract.js";
import type { IntegrationError } from "./errors.js";

/** An address: `"ops@example.com"`, or with a display name. @public */
export type MailAddress = string | { email: string; name?: string | undefined };

/** A file sent with the message. @public */
export interface MailAttachment {
  /** File name shown to the recipient, e.g. `draw-3-approval.pdf`. */
  filename: string;
  /** The bytes (Uint8Array), or a string taken as UTF-8 text. */
  content: Uint8Array | string;
  /** Media type; `application/octet-stream` when omitted. */
  contentType?: string | undefined;
  /** `attachment` (default) or `inline` (then `contentId` names it for `cid:` references). */
  disposition?: "attachment" | "inline" | undefined;
  /** Content-ID of an inline attachment. */
  contentId?: string | undefined;
}

/** One message, provider-neutral. Either `template` or at least one of `text` / `html`. @public */
export interface MailMessage {
  from: MailAddress;
  /** One or more recipients. */
  to: MailAddress | MailAddress[];
  cc?: MailAddress | MailAddress[] | undefined;
  bcc?: MailAddress | MailAddress[] | undefined;
  replyTo?: MailAddress | undefined;
  /** Required unless the template supplies it. */
  subject?: string | undefined;
  text?: string | undefined;
  html?: string | undefined;
  /** A template stored at the provider and the data it is rendered with. */
  template?: { id: string; data?: Record<string, unknown> | undefined } | undefined;
  attachments?: MailAttachment[] | undefined;
  /** Labels for filtering events (SendGrid categories, SES / Mailgun tags). */
  tags?: string[] | undefined;
  /** Key-value pairs echoed back on every delivery event of this message (the host's ids). */
  customArgs?: Record<string, string> | undefined;
  /** Extra headers (`X-…`); providers refuse to let some standard ones be set. */
  headers?: Record<string, string> | undefined;
}

/** What a provider answered for an accepted message. @public */
export interface MailReceipt {
  /** `sendgrid`, `ses`, `mailgun`. */
  provider: string;
  /** The provider's message id (SendGrid `X-Message-Id`, SES `MessageId`, Mailgun `id`), when it gives one. */
  messageId?: string | undefined;
  /** The idempotency key the send ran under: a retry with the same key sends nothing again. */
  idempotencyKey?: string | undefined;
}

/** One message's outcome in a batch: the others are not affected by a failure. @public */
export type MailBatchItem =
  | { index: number; ok: true; receipt: MailReceipt }
  | { index: number; ok: false; error: IntegrationError };

/** What `sendBatch` returns: one item per message, in input order. @public */
export interface MailBatchResult {
  provider: string;
  items: MailBatchItem[];
  /** Count of items with `ok: true`. */
  sent: number;
  /** Count of items with `ok: false`. */
  failed: number;
}

/** Why an address is on a provider's suppression list, in one vocabulary. @public */
export type MailSuppressionReason = "bounce" | "complaint" | "unsubscribe" | "invalid" | "blocked" | "manual";

/** One suppression of an address. @public */
export interface MailSuppression {
  email: string;
  reason: MailSuppressionReason;
  /** ISO 8601 of when the provider added it, when known. */
  createdAt?: string | undefined;
  /** The provider's own words (a bounce's SMTP reply, the list name). */
  detail?: string | undefined;
}

/** The normalised kinds of delivery event, the same words for every provider. @public */
export type MailEventType = "processed" | "delivered" | "deferred" | "bounced" | "dropped" | "complaint" | "opened" | "clicked" | "unsubscribed";

/** Every {@link MailEventType}, in lifecycle order. @public */
export const MAIL_EVENT_TYPES: readonly MailEventType[] = Object.freeze(["processed", "deferred", "delivered", "bounced", "dropped", "complaint", "opened", "clicked", "unsubscribed"]);

/** One delivery event, normalised across providers; the provider's own event is kept in `raw`. @public */
export interface MailEvent {
  provider: string;
  /** Stable id for dedupe: the provider's event id, or one built from message id + type + time. */
  eventId: string;
  type: MailEventType;
  /** The recipient the event is about. */
  email: string;
  /** The provider's message id, when the event carries it. */
  messageId?: string | undefined;
  /** ISO 8601 time of the event. */
  occurredAt: string;
  /** `bounced` only: hard (the address does not exist) or soft (a full mailbox, a block). */
  bounce?: { kind: "hard" | "soft"; reason?: string | undefined } | undefined;
  /** `clicked` only: the link. */
  url?: string | undefined;
  /** `dropped`, `deferred`: the provider's reason. */
  reason?: string | undefined;
  tags?: string[] | undefined;
  /** The `customArgs` of the message, echoed back. */
  customArgs?: Record<string, string> | undefined;
  /** The provider's event as it arrived. */
  raw: unknown;
}

/** What every email provider offers, whoever the vendor. @public */
export interface Mailer {
  /** `sendgrid`, `ses`, `mailgun`. */
  readonly provider: string;
  /** Send one message. `ctx.idempotencyKey` makes a repeated call send nothing twice. */
  send(message: MailMessage, ctx?: IntegrationContext): Promise<MailReceipt>;
  /** Send many messages; each is its own item, so one bad message never drops the others. */
  sendBatch(messages: MailMessage[], ctx?: IntegrationContext): Promise<MailBatchResult>;
  /** The suppressions of one address (empty when it may be sent to). */
  suppressions(email: string, ctx?: IntegrationContext): Promise<MailSuppression[]>;
  /** Normalise a verified webhook payload (as the provider's receiver parsed it) into events. */
  toMailEvents(payload: unknown): MailEvent[];
  /** A cheap authenticated call. */
  healthCheck(): Promise<HealthResult>;
}

/**
 * True for a delivery outcome of one message to one recipient (delivered, bounced, dropped);
 * engagement events (opened, clicked, complaint, unsubscribed) may still follow a delivery.
 * @public
 */
export function isMailDeliveryOutcome(type: MailEventType): boolean {
  return type === "delivered" || type === "bounced" || type === "dropped";
}

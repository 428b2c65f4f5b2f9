/**
 * SES behind core's provider-neutral `Mailer`: a MailMessage becomes a simple send, a Raw MIME
 * send (when it has attachments) or a templated send; SES events become MailEvents.
 */
import {
  IntegrationError,
  NotFoundError,
  type HealthResult,
  type IntegrationContext,
  type MailBatchItem,
  type MailBatchResult,
  type Mailer,
  type MailEvent,
  type MailMessage,
  type MailReceipt,
  type MailSuppression,
} from "@connect/core";
import type { SesClient } from "./client.js";
import type { SendEmailInput } from "./schemas.js";
import { parseSesDelivery, toSesEvent, type SesEvent, type SesNotification } from "./webhooks/events.js";

/** Options of {@link createSesMailer}. @public */
export interface SesMailerOptions {
  /** Configuration set of every message (default: the client's). Needed for event publishing. */
  configurationSetName?: string | undefined;
  /**
   * How a `MailMessage.tags` label becomes an SES EmailTag: `{ Name: prefix + label, Value: "true" }`
   * (EmailTags are name/value pairs; `customArgs` become tags as they are). Default `tag_`.
   */
  labelTagPrefix?: string | undefined;
}

const PROVIDER = "ses";

/** The SES send of a provider-neutral message. @internal */
export function toSesSend(message: MailMessage, options: SesMailerOptions = {}): SendEmailInput {
  const prefix = options.labelTagPrefix ?? "tag_";
  const tags: Record<string, string> = { ...message.customArgs };
  for (const label of message.tags ?? []) tags[`${prefix}${label}`] = "true";
  const list = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
  return {
    from: message.from,
    to: list(message.to),
    ...(message.cc !== undefined ? { cc: list(message.cc) } : {}),
    ...(message.bcc !== undefined ? { bcc: list(message.bcc) } : {}),
    ...(message.replyTo !== undefined ? { replyTo: [message.replyTo] } : {}),
    // An SES template supplies the subject; SES cannot override it, so a subject given with a template is not sent.
    ...(message.template !== undefined
      ? { template: { name: message.template.id, ...(message.template.data ? { data: message.template.data } : {}) } }
      : { ...(message.subject !== undefined ? { subject: message.subject } : {}), ...(message.text !== undefined ? { text: message.text } : {}), ...(message.html !== undefined ? { html: message.html } : {}) }),
    ...(message.template !== undefined && (message.text !== undefined || message.html !== undefined) ? { text: message.text, html: message.html } : {}),
    ...(message.attachments?.length
      ? { attachments: message.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType, disposition: a.disposition, contentId: a.contentId })) }
      : {}),
    ...(message.headers && Object.keys(message.headers).length ? { headers: message.headers } : {}),
    ...(Object.keys(tags).length ? { tags } : {}),
    ...(options.configurationSetName !== undefined ? { configurationSetName: options.configurationSetName } : {}),
  };
}

interface Received {
  event: SesEvent;
  snsMessageId: string | undefined;
}

function isNotification(value: Record<string, unknown>): boolean {
  return typeof value.eventType === "string" && typeof value.event === "object" && value.event !== null && (value.source === "event-publishing" || value.source === "identity-notification");
}

function received(payload: unknown): Received[] {
  if (Array.isArray(payload)) return payload.flatMap(received);
  if (typeof payload === "string" || Buffer.isBuffer(payload)) {
    const parsed = parseSesDelivery(payload);
    return parsed.kind === "event" ? [{ event: parsed.notification.event, snsMessageId: parsed.notification.snsMessageId }] : [];
  }
  if (payload && typeof payload === "object") {
    const record = payload as Record<string, unknown>;
    if (isNotification(record)) {
      const n = record as unknown as SesNotification;
      return [{ event: toSesEvent(n.event), snsMessageId: n.snsMessageId }];
    }
    if (typeof record.Type === "string" || "mail" in record) {
      const parsed = parseSesDelivery(record);
      return parsed.kind === "event" ? [{ event: parsed.notification.event, snsMessageId: parsed.notification.snsMessageId }] : [];
    }
  }
  return [{ event: toSesEvent(payload), snsMessageId: undefined }];
}

/** `mail.tags` split back into labels (prefixed, value "true") and customArgs (the rest, `ses:*` left out). */
function splitTags(tags: Record<string, string[]> | undefined, prefix: string): { tags: string[] | undefined; customArgs: Record<string, string> | undefined } {
  const labels: string[] = [];
  const args: Record<string, string> = {};
  for (const [name, values] of Object.entries(tags ?? {})) {
    if (name.startsWith("ses:")) continue;
    if (name.startsWith(prefix) && values[0] === "true") labels.push(name.slice(prefix.length));
    else if (values[0] !== undefined) args[name] = values[0];
  }
  return { tags: labels.length ? labels : undefined, customArgs: Object.keys(args).length ? args : undefined };
}

/** The MailEvents of one SES event: one per recipient it concerns. @internal */
export function sesMailEvents(event: SesEvent, snsMessageId: string | undefined, labelTagPrefix = "tag_"): MailEvent[] {
  const type = (event.eventType ?? event.notificationType)!;
  const mail = event.mail;
  const { tags, customArgs } = splitTags(mail.tags, labelTagPrefix);
  const make = (kind: MailEvent["type"], email: string, occurredAt: string | undefined, extra: Partial<MailEvent> = {}): MailEvent => {
    const at = occurredAt ?? mail.timestamp;
    return {
      provider: PROVIDER,
      // The SNS MessageId is unique per published event; without it (raw delivery) the event is named by what it is about.
      eventId: snsMessageId !== undefined ? `${snsMessageId}:${email}` : `${mail.messageId}:${type}:${email}:${at}`,
      type: kind,
      email,
      messageId: mail.messageId,
      occurredAt: at,
      ...(tags ? { tags } : {}),
      ...(customArgs ? { customArgs } : {}),
      ...extra,
      raw: event,
    };
  };
  switch (type) {
    case "Send":
      return mail.destination.map((email) => make("processed", email, mail.timestamp));
    case "Delivery":
      return (event.delivery?.recipients ?? mail.destination).map((email) => make("delivered", email, event.delivery?.timestamp));
    case "Bounce": {
      const b = event.bounce;
      const kind = b?.bounceType === "Permanent" ? "hard" : "soft";
      return (b?.bouncedRecipients ?? []).map((r) => {
        const reason = [b?.bounceSubType, r.diagnosticCode ?? r.status].filter(Boolean).join(": ") || undefined;
        return make("bounced", r.emailAddress, b?.timestamp, { bounce: { kind, ...(reason ? { reason } : {}) } });
      });
    }
    case "Complaint":
      return (event.complaint?.complainedRecipients ?? []).map((r) => make("complaint", r.emailAddress, event.complaint?.timestamp));
    case "Reject":
      return mail.destination.map((email) => make("dropped", email, mail.timestamp, { reason: event.reject?.reason ?? "rejected" }));
    case "Rendering Failure":
      return mail.destination.map((email) => make("dropped", email, mail.timestamp, { reason: `rendering failure${event.failure?.errorMessage ? `: ${event.failure.errorMessage}` : ""}` }));
    case "DeliveryDelay": {
      const d = event.deliveryDelay;
      return (d?.delayedRecipients ?? []).map((r) => make("deferred", r.emailAddress, d?.timestamp, { reason: [d?.delayType, r.diagnosticCode ?? r.status].filter(Boolean).join(": ") || "delayed" }));
    }
    // SES does not say which recipient opened or clicked: the event names every destination of the message.
    case "Open":
      return mail.destination.map((email) => make("opened", email, event.open?.timestamp));
    case "Click":
      return mail.destination.map((email) => make("clicked", email, event.click?.timestamp, { ...(event.click?.link ? { url: event.click.link } : {}) }));
    case "Subscription": {
      const prefs = event.subscription?.newTopicPreferences;
      const optedOut = prefs?.unsubscribeAll === true || (prefs?.topicSubscriptionStatus ?? []).some((t) => t.subscriptionStatus === "OptOut");
      return optedOut ? mail.destination.map((email) => make("unsubscribed", email, event.subscription?.timestamp, { ...(event.subscription?.contactList ? { reason: event.subscription.contactList } : {}) })) : [];
    }
    default:
      return [];
  }
}

/**
 * An SES client as a provider-neutral `Mailer`.
 * @example
 * const mailer = createSesMailer(createSesClient({ region: "eu-west-1" }), { configurationSetName: "transactional" });
 * await mailer.send({ from: "noreply@acme.test", to: "ana@example.com", subject: "Hi", text: "Hello" }, { idempotencyKey: "welcome-ana" });
 * @public
 */
export function createSesMailer(client: SesClient, options: SesMailerOptions = {}): Mailer {
  const send = async (message: MailMessage, ctx?: IntegrationContext): Promise<MailReceipt> => {
    const { messageId } = await client.emails.send(toSesSend(message, options), ctx);
    return { provider: PROVIDER, messageId, ...(ctx?.idempotencyKey !== undefined ? { idempotencyKey: ctx.idempotencyKey } : {}) };
  };
  return {
    provider: PROVIDER,
    send,
    async sendBatch(messages: MailMessage[], ctx: IntegrationContext = {}): Promise<MailBatchResult> {
      const items: MailBatchItem[] = [];
      for (const [index, message] of messages.entries()) {
        // Each message is its own send under its own key: a bad or failed one never drops the others.
        const itemCtx: IntegrationContext = { ...ctx, ...(ctx.idempotencyKey !== undefined ? { idempotencyKey: `${ctx.idempotencyKey}:${index}` } : {}) };
        try {
          items.push({ index, ok: true, receipt: await send(message, itemCtx) });
        } catch (error) {
          items.push({ index, ok: false, error: IntegrationError.is(error) ? error : new IntegrationError(error instanceof Error ? error.message : String(error), { vendor: PROVIDER, operation: "emails.send" }) });
        }
      }
      const sent = items.filter((i) => i.ok).length;
      return { provider: PROVIDER, items, sent, failed: items.length - sent };
    },
    async suppressions(email: string, ctx?: IntegrationContext): Promise<MailSuppression[]> {
      try {
        const s = await client.suppressions.get({ email }, ctx);
        return [{ email: s.email, reason: s.reason === "BOUNCE" ? "bounce" : "complaint", createdAt: s.lastUpdateTime, ...(s.messageId ? { detail: `after message ${s.messageId}` } : {}) }];
      } catch (error) {
        if (error instanceof NotFoundError) return [];
        throw error;
      }
    },
    toMailEvents(payload: unknown): MailEvent[] {
      return received(payload).flatMap((r) => sesMailEvents(r.event, r.snsMessageId, options.labelTagPrefix));
    },
    healthCheck: (): Promise<HealthResult> => client.healthCheck(),
  };
}

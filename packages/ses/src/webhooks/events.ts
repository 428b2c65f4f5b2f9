/**
 * SES events as SNS delivers them (shared/vendors/ses.md §7): configuration-set event publishing
 * (`eventType`) and legacy identity notifications (`notificationType`), inside an SNS envelope
 * (HTTPS body, SQS body, Lambda record) or as a raw-delivery body.
 */
import { parseUntrusted, ValidationError, lazySchema, unlazy } from "@connect/core";
import { normaliseSnsEnvelope, type SnsEnvelope } from "@connect/core/aws";
import { z } from "zod";

/** SES event types as the payload spells them (`Rendering Failure` has a space). @public */
export const SES_EVENT_TYPES = ["Send", "Reject", "Bounce", "Complaint", "Delivery", "Open", "Click", "Rendering Failure", "DeliveryDelay", "Subscription"] as const;
/** An SES event type. @public */
export type SesEventType = (typeof SES_EVENT_TYPES)[number];

const Recipient = lazySchema(() =>
  z.looseObject({ emailAddress: z.string() }),
);

/** The `mail` object every SES event carries. @public */
export const SesMail = lazySchema(() =>
  z.looseObject({
  timestamp: z.string(),
  messageId: z.string().min(1),
  source: z.string(),
  sourceArn: z.string().optional(),
  sendingAccountId: z.string().optional(),
  destination: z.array(z.string()),
  headersTruncated: z.boolean().optional(),
  headers: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
  commonHeaders: z.looseObject({}).optional(),
  /** Configuration-set events: EmailTags and `ses:*` tags, name → values. */
  tags: z.record(z.string(), z.array(z.string())).optional(),
}),
);
/** The `mail` object every SES event carries. @public */
export type SesMail = z.infer<typeof SesMail>;

/** An SES event (`eventType` or `notificationType` plus its detail object). Unknown fields are kept. @public */
export const SesEvent = lazySchema(() =>
  z
  .looseObject({
    eventType: z.string().optional(),
    notificationType: z.string().optional(),
    mail: unlazy(SesMail),
    bounce: z
      .looseObject({
        bounceType: z.string(),
        bounceSubType: z.string().optional(),
        bouncedRecipients: z.array(unlazy(Recipient).extend({ action: z.string().optional(), status: z.string().optional(), diagnosticCode: z.string().optional() })),
        timestamp: z.string(),
        feedbackId: z.string().optional(),
        reportingMTA: z.string().optional(),
      })
      .optional(),
    complaint: z
      .looseObject({
        complainedRecipients: z.array(unlazy(Recipient)),
        timestamp: z.string(),
        feedbackId: z.string().optional(),
        complaintSubType: z.string().nullable().optional(),
        complaintFeedbackType: z.string().optional(),
      })
      .optional(),
    delivery: z.looseObject({ timestamp: z.string(), recipients: z.array(z.string()), smtpResponse: z.string().optional(), processingTimeMillis: z.number().optional(), reportingMTA: z.string().optional() }).optional(),
    send: z.looseObject({}).optional(),
    reject: z.looseObject({ reason: z.string().optional() }).optional(),
    open: z.looseObject({ timestamp: z.string(), ipAddress: z.string().optional(), userAgent: z.string().optional() }).optional(),
    click: z.looseObject({ timestamp: z.string(), link: z.string(), ipAddress: z.string().optional(), userAgent: z.string().optional(), linkTags: z.record(z.string(), z.array(z.string())).optional() }).optional(),
    failure: z.looseObject({ templateName: z.string().optional(), errorMessage: z.string().optional() }).optional(),
    deliveryDelay: z
      .looseObject({
        timestamp: z.string(),
        delayType: z.string().optional(),
        expirationTime: z.string().optional(),
        reportingMTA: z.string().optional(),
        delayedRecipients: z.array(unlazy(Recipient).extend({ status: z.string().optional(), diagnosticCode: z.string().optional() })),
      })
      .optional(),
    subscription: z
      .looseObject({
        contactList: z.string().optional(),
        timestamp: z.string(),
        source: z.string().optional(),
        newTopicPreferences: z.looseObject({ unsubscribeAll: z.boolean().optional(), topicSubscriptionStatus: z.array(z.looseObject({ topicName: z.string(), subscriptionStatus: z.string() })).optional() }).optional(),
        oldTopicPreferences: z.looseObject({}).optional(),
      })
      .optional(),
  })
  .refine((e) => typeof (e.eventType ?? e.notificationType) === "string", "eventType (or notificationType) is missing"),
);
/** An SES event. @public */
export type SesEvent = z.infer<typeof SesEvent>;

/** A verified SES event as the receiver dispatches it. @public */
export interface SesNotification {
  /** SNS MessageId (the dedupe key); undefined for a raw-delivery body. */
  snsMessageId: string | undefined;
  topicArn: string | undefined;
  /** `eventType ?? notificationType`, e.g. `Bounce`, `Rendering Failure`. */
  eventType: string;
  /** Configuration-set event publishing (`eventType`) or a legacy identity notification (`notificationType`). */
  source: "event-publishing" | "identity-notification";
  /** The SES event as published. */
  event: SesEvent;
}

/** What a body held: an SES event, or an SNS subscription message to act on. @public */
export type ParsedSesDelivery =
  | { kind: "event"; notification: SesNotification; envelope: SnsEnvelope | undefined }
  | { kind: "subscription"; type: "SubscriptionConfirmation" | "UnsubscribeConfirmation"; envelope: SnsEnvelope };

function invalid(message: string): ValidationError {
  return new ValidationError(`ses event: ${message}`, { vendor: "ses", operation: "events.parse", issues: [{ path: "(root)", message }] });
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(`${what} is not JSON`);
  }
}

/** Check and type an SES event object. Throws `ValidationError` listing what is wrong. @public */
export function toSesEvent(value: unknown): SesEvent {
  const parsed = parseUntrusted(SesEvent, value);
  if (!parsed.success) throw invalid(`not an SES event (${parsed.issues.map((i) => `${i.path}: ${i.message}`).join("; ")})`);
  return parsed.data;
}

function notification(event: SesEvent, envelope: SnsEnvelope | undefined): SesNotification {
  return {
    snsMessageId: envelope?.MessageId,
    topicArn: envelope?.TopicArn,
    eventType: (event.eventType ?? event.notificationType)!,
    source: event.eventType !== undefined ? "event-publishing" : "identity-notification",
    event,
  };
}

/**
 * Parse an SES delivery: an SNS HTTPS body, an SQS message body (the envelope as a JSON string),
 * a Lambda `Records[i].Sns` object, or a raw-delivery body (the SES event itself). Verify the
 * envelope's signature before trusting it (the receiver does). Throws `ValidationError` otherwise.
 * @public
 */
export function parseSesDelivery(input: string | Buffer | Record<string, unknown>): ParsedSesDelivery {
  const value = typeof input === "string" || Buffer.isBuffer(input) ? parseJson(input.toString("utf8"), "the body") : input;
  if (!value || typeof value !== "object" || Array.isArray(value)) throw invalid("the body is not an object");
  const record = value as Record<string, unknown>;
  if (typeof record.Type === "string" && typeof record.Message === "string") {
    const envelope = normaliseSnsEnvelope(record);
    if (envelope.Type === "SubscriptionConfirmation" || envelope.Type === "UnsubscribeConfirmation") return { kind: "subscription", type: envelope.Type, envelope };
    if (envelope.Type !== "Notification") throw invalid(`SNS message type ${envelope.Type} is not a Notification`);
    return { kind: "event", notification: notification(toSesEvent(parseJson(envelope.Message, "the SNS Message")), envelope), envelope };
  }
  if ("mail" in record) return { kind: "event", notification: notification(toSesEvent(record), undefined), envelope: undefined };
  throw invalid("neither an SNS envelope nor an SES event");
}

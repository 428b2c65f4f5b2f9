/**
 * Event Webhook payloads (shared/vendors/sendgrid.md §5): a JSON array of events, each
 * validated on its own so one malformed event never loses the others. Custom args arrive
 * flattened as top-level string keys, so every schema keeps unknown keys.
 */
import { parseUntrusted, ValidationError, type FieldIssue, lazySchema } from "@connect/core";
import { z } from "zod";

const Common = {
  email: z.string().min(1),
  timestamp: z.number().int().nonnegative(),
  sg_event_id: z.string().min(1).max(100),
  /** Absent on async/delayed bounces. */
  sg_message_id: z.string().min(1).optional(),
  "smtp-id": z.string().optional(),
  /** Mirrors what was sent: a string or an array. */
  category: z.union([z.string(), z.array(z.string())]).optional(),
};

const typed = <T extends string, S extends z.ZodRawShape>(event: T, shape: S) => z.looseObject({ ...Common, event: z.literal(event), ...shape });

/** `processed`: SendGrid accepted the message for delivery. @public */
export const ProcessedEvent = typed("processed", { pool: z.object({ name: z.string(), id: z.number() }).optional(), send_at: z.number().optional() });
/** `dropped`: SendGrid will not deliver (suppressed, invalid …). @public */
export const DroppedEvent = typed("dropped", { reason: z.string().optional(), status: z.string().optional() });
/** `delivered`: the receiving server accepted the message. @public */
export const DeliveredEvent = typed("delivered", { response: z.string().optional(), ip: z.string().optional(), tls: z.union([z.number(), z.boolean()]).optional() });
/** `deferred`: the receiving server asked to try later. @public */
export const DeferredEvent = typed("deferred", { response: z.string().optional(), attempt: z.string().optional(), ip: z.string().optional() });
/** `bounce`: `type` is `bounce` (hard) or `blocked`; `status` an enhanced code like `5.1.1`. @public */
export const BounceEvent = typed("bounce", {
  reason: z.string().optional(),
  status: z.string().optional(),
  type: z.union([z.literal("bounce"), z.literal("blocked"), z.string()]).optional(),
});
/** `open`: `sg_machine_open` marks Apple Mail Privacy Protection prefetches. @public */
export const OpenEvent = typed("open", { useragent: z.string().optional(), ip: z.string().optional(), sg_machine_open: z.boolean().optional() });
/** `click`: a tracked link was followed. @public */
export const ClickEvent = typed("click", {
  url: z.string(),
  url_offset: z.object({ index: z.number(), type: z.string() }).optional(),
  useragent: z.string().optional(),
  ip: z.string().optional(),
});
/** `spamreport`: the recipient marked the message as spam. @public */
export const SpamReportEvent = typed("spamreport", {});
/** `unsubscribe`: the recipient unsubscribed from everything. @public */
export const UnsubscribeEvent = typed("unsubscribe", {});
/** `group_unsubscribe`: the recipient left one unsubscribe group. @public */
export const GroupUnsubscribeEvent = typed("group_unsubscribe", { asm_group_id: z.number().int() });
/** `group_resubscribe`: the recipient rejoined one unsubscribe group. @public */
export const GroupResubscribeEvent = typed("group_resubscribe", { asm_group_id: z.number().int() });

const KNOWN = {
  processed: ProcessedEvent,
  dropped: DroppedEvent,
  delivered: DeliveredEvent,
  deferred: DeferredEvent,
  bounce: BounceEvent,
  open: OpenEvent,
  click: ClickEvent,
  spamreport: SpamReportEvent,
  unsubscribe: UnsubscribeEvent,
  group_unsubscribe: GroupUnsubscribeEvent,
  group_resubscribe: GroupResubscribeEvent,
} as const;

/** Event types the SDK types. @public */
export type SendGridEventType = keyof typeof KNOWN;
/** Every typed event type, for iteration. @public */
export const SENDGRID_EVENT_TYPES = Object.keys(KNOWN) as SendGridEventType[];

/** A typed event of one type. @public */
export type SendGridEventOf<T extends SendGridEventType> = z.infer<(typeof KNOWN)[T]>;
/** Any typed event; narrow on `event`. @public */
export type SendGridEvent = { [T in SendGridEventType]: SendGridEventOf<T> }[SendGridEventType];

/** An event whose type the SDK does not know (e.g. `account_status_change`), passed through with the common fields checked. @public */
export const UnknownSendGridEvent = lazySchema(() =>
  z.looseObject({ ...Common, event: z.string().min(1) }),
);
/** An event of a type the SDK does not type. @public */
export type UnknownSendGridEvent = z.infer<typeof UnknownSendGridEvent> & { known?: never };

/** An event that failed validation, kept so it can be logged or dead-lettered. @public */
export interface InvalidSendGridEvent {
  /** Position in the batch. */
  index: number;
  /** `sg_event_id`, when the event had a usable one. */
  eventId: string | undefined;
  /** What was wrong. */
  issues: FieldIssue[];
  /** The event as received. */
  raw: unknown;
}

/** Result of {@link parseSendGridEvents}. @public */
export interface ParsedSendGridEvents {
  /** Every valid event (typed and unknown), in batch order. */
  all: Array<SendGridEvent | UnknownSendGridEvent>;
  /** Valid events of known types, in batch order. */
  events: SendGridEvent[];
  /** Valid events of types the SDK does not know. */
  unknown: UnknownSendGridEvent[];
  /** Events that failed validation. */
  invalid: InvalidSendGridEvent[];
}

/** True when the event type is one the SDK types. @public */
export function isKnownEventType(type: string): type is SendGridEventType {
  return Object.hasOwn(KNOWN, type);
}

/**
 * Parse a verified Event Webhook body. A body that is not a JSON array throws
 * `ValidationError`; each event is validated on its own, so one bad event is reported
 * in `invalid` while the others are returned.
 * @public
 */
export function parseSendGridEvents(rawBody: Uint8Array | string): ParsedSendGridEvents {
  const text = typeof rawBody === "string" ? rawBody : Buffer.from(rawBody).toString("utf8");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`sendgrid event webhook: body is not JSON (${(error as Error).message})`, {
      vendor: "sendgrid",
      issues: [{ path: "(root)", message: "not JSON" }],
    });
  }
  if (!Array.isArray(data)) {
    throw new ValidationError("sendgrid event webhook: body is not a JSON array of events", { vendor: "sendgrid", issues: [{ path: "(root)", message: "expected an array" }] });
  }
  const out: ParsedSendGridEvents = { all: [], events: [], unknown: [], invalid: [] };
  data.forEach((raw: unknown, index) => {
    const type = raw && typeof raw === "object" ? (raw as { event?: unknown }).event : undefined;
    const schema = typeof type === "string" && isKnownEventType(type) ? KNOWN[type] : UnknownSendGridEvent;
    const parsed = parseUntrusted(schema, raw);
    if (parsed.success) {
      if (schema === UnknownSendGridEvent) out.unknown.push(parsed.data as UnknownSendGridEvent);
      else out.events.push(parsed.data as SendGridEvent);
      out.all.push(parsed.data as SendGridEvent | UnknownSendGridEvent);
      return;
    }
    const id = raw && typeof raw === "object" ? (raw as { sg_event_id?: unknown }).sg_event_id : undefined;
    out.invalid.push({
      index,
      eventId: typeof id === "string" && id.length > 0 && id.length <= 100 ? id : undefined,
      issues: parsed.issues.map((issue) => ({ ...issue, path: issue.path === "(root)" ? String(index) : `${index}.${issue.path}` })),
      raw,
    });
  });
  return out;
}

const RESERVED_FIELDS = new Set([
  "email", "timestamp", "event", "sg_event_id", "sg_message_id", "smtp-id", "category", "reason", "status", "type", "response", "attempt", "ip", "tls",
  "useragent", "url", "url_offset", "asm_group_id", "pool", "send_at", "sg_machine_open", "marketing_campaign_id", "marketing_campaign_name",
  "sg_template_id", "sg_template_name", "sg_content_type", "cert_err", "bounce_classification", "newsletter", "singlesend_id", "singlesend_name",
]);

/**
 * The custom args of an event: SendGrid flattens them into top-level string keys, and a
 * reserved name wins over a custom arg of the same name — so namespace them (`x_tenant_id`).
 * @public
 */
export function customArgsOf(event: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(event)) {
    if (!RESERVED_FIELDS.has(key) && typeof value === "string") out[key] = value;
  }
  return out;
}

/**
 * Mailgun behind core's provider-neutral `Mailer`: a MailMessage becomes Mailgun's send fields,
 * suppressions are read from the three lists, and Mailgun's events (webhook bodies or Events
 * API items) become MailEvents in the shared vocabulary.
 */
import {
  createMemoryIdempotencyStore,
  IntegrationError,
  NotFoundError,
  UnknownOutcomeError,
  ValidationError,
  withIdempotency,
  type HealthResult,
  type IdempotencyStore,
  type IntegrationContext,
  type MailAddress,
  type MailAttachment,
  type MailBatchItem,
  type MailBatchResult,
  type Mailer,
  type MailEvent,
  type MailEventType,
  type MailMessage,
  type MailReceipt,
  type MailSuppression,
} from "@connect/core";
import { formatMailgunAddress } from "./address.js";
import type { MailgunClient } from "./client.js";
import { stripMessageId } from "./operations/messages.js";
import { MailgunEvent, type Attachment, type SendMessageInput } from "./schemas.js";

/** Options of {@link createMailgunMailer}. @public */
export interface MailgunMailerOptions {
  /** Fields added to every send (e.g. `{ testMode: true }`, `{ tracking: false }`); the message's own fields win. */
  defaults?: Partial<SendMessageInput> | undefined;
  /**
   * Remembers sends by `ctx.idempotencyKey`, so a repeated call answers the first receipt and
   * sends nothing (in memory by default; share a Redis store across workers). A send that ended
   * in `UnknownOutcomeError` keeps its key: a repeat fails again without sending.
   */
  idempotencyStore?: IdempotencyStore | undefined;
}

function list(value: MailAddress | MailAddress[] | undefined): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = Array.isArray(value) ? value : [value];
  // A malformed entry stays as is, so the schema names it instead of a TypeError here.
  return items.map((item) => (item && typeof item === "object" && typeof item.email === "string" ? formatMailgunAddress(item) : (item as string)));
}

function attachment(file: MailAttachment): Attachment {
  return {
    // Mailgun names an inline part by its file name, and HTML refers to it as cid:<filename>.
    filename: file.disposition === "inline" && file.contentId ? file.contentId : file.filename,
    content: file.content,
    ...(file.contentType ? { contentType: file.contentType } : {}),
  };
}

/** Map a provider-neutral message to `messages.send` input. @public */
export function toMailgunMessage(message: MailMessage): SendMessageInput {
  if (!message || typeof message !== "object") {
    throw new ValidationError("mailgun mailer.send: the message is not an object", { vendor: "mailgun", operation: "mailer.send", issues: [{ path: "(root)", message: "expected a MailMessage" }] });
  }
  const files = Array.isArray(message.attachments) ? message.attachments : [];
  const attachments = files.filter((f) => f.disposition !== "inline").map(attachment);
  const inline = files.filter((f) => f.disposition === "inline").map(attachment);
  const headers = { ...message.headers, ...(message.replyTo ? { "Reply-To": formatMailgunAddress(message.replyTo) } : {}) };
  const out: SendMessageInput = {
    ...(message.from !== undefined && message.from !== null ? { from: formatMailgunAddress(message.from) } : {}),
    to: list(message.to)!,
    ...(message.cc !== undefined ? { cc: list(message.cc) } : {}),
    ...(message.bcc !== undefined ? { bcc: list(message.bcc) } : {}),
    ...(message.subject !== undefined ? { subject: message.subject } : {}),
    ...(message.text !== undefined ? { text: message.text } : {}),
    ...(message.html !== undefined ? { html: message.html } : {}),
    ...(message.template ? { template: message.template.id, ...(message.template.data ? { templateVariables: message.template.data } : {}) } : {}),
    ...(attachments.length > 0 ? { attachments } : {}),
    ...(inline.length > 0 ? { inline } : {}),
    ...(message.tags ? { tags: message.tags } : {}),
    ...(message.customArgs ? { variables: message.customArgs } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
  };
  return out;
}

/**
 * A permanent failure is soft when the receiving server's answer was transient (4xx, enhanced
 * code 4.x.x) — Mailgun gave up after retrying, e.g. a full mailbox ("Too old") — and hard when
 * the address was refused (5xx).
 */
function bounceKind(event: MailgunEvent): "hard" | "soft" {
  const status = event["delivery-status"] as (MailgunEvent["delivery-status"] & { "enhanced-code"?: unknown }) | undefined;
  const code = status?.code;
  const enhanced = typeof status?.["enhanced-code"] === "string" ? status["enhanced-code"] : "";
  if ((typeof code === "number" && code >= 400 && code < 500) || enhanced.startsWith("4.") || event.reason === "old" || /too old/i.test(`${status?.message ?? ""} ${status?.description ?? ""}`)) {
    return "soft";
  }
  return "hard";
}

function mailEventType(event: MailgunEvent): MailEventType | undefined {
  switch (event.event) {
    case "accepted":
      return "processed";
    case "delivered":
      return "delivered";
    case "failed":
      if (event.severity === "temporary") return "deferred";
      // A send to a suppressed address is dropped without an attempt (reason suppress-bounce / -unsubscribe / -complaint).
      if (event.reason?.startsWith("suppress-")) return "dropped";
      return "bounced";
    case "rejected":
      return "dropped";
    case "complained":
      return "complaint";
    case "opened":
      return "opened";
    case "clicked":
      return "clicked";
    case "unsubscribed":
      return "unsubscribed";
    default:
      return undefined;
  }
}

function reasonOf(event: MailgunEvent): string | undefined {
  const status = event["delivery-status"];
  const detail = status?.description || status?.message;
  // A `rejected` event says why in `reject.reason`.
  const reject = (event as { reject?: { reason?: unknown } }).reject;
  const parts = [event.reason ?? (typeof reject?.reason === "string" ? reject.reason : undefined), status?.code !== undefined ? String(status.code) : undefined, detail].filter((p): p is string => !!p);
  return parts.length > 0 ? parts.join(": ") : undefined;
}

function stringVars(vars: Record<string, unknown> | null | undefined): Record<string, string> | undefined {
  if (!vars) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(vars)) out[key] = typeof value === "string" ? value : JSON.stringify(value);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Normalise one Mailgun event; undefined for types outside the shared vocabulary (`stored`, list events). @public */
export function toMailEvent(event: MailgunEvent): MailEvent | undefined {
  const type = mailEventType(event);
  if (!type) return undefined;
  const messageId = event.message?.headers?.["message-id"];
  const out: MailEvent = {
    provider: "mailgun",
    eventId: event.id,
    type,
    email: event.recipient ?? "",
    ...(messageId ? { messageId: stripMessageId(messageId) } : {}),
    occurredAt: new Date(Math.round(event.timestamp * 1000)).toISOString(),
    raw: event,
  };
  if (type === "bounced") {
    // Mailgun keeps retrying temporary failures (those are `deferred`); a permanent one is a bounce.
    const reason = reasonOf(event);
    out.bounce = { kind: bounceKind(event), ...(reason ? { reason } : {}) };
  }
  if (type === "dropped" || type === "deferred") {
    const reason = reasonOf(event);
    if (reason) out.reason = reason;
  }
  if (type === "clicked" && event.url) out.url = event.url;
  if (event.tags && event.tags.length > 0) out.tags = event.tags;
  const customArgs = stringVars(event["user-variables"]);
  if (customArgs) out.customArgs = customArgs;
  return out;
}

type UnknownOutcomeRecord = { unknownOutcome: { message: string; status?: number | undefined; requestId?: string | undefined } };
const isUnknownOutcome = (value: unknown): value is UnknownOutcomeRecord => typeof value === "object" && value !== null && "unknownOutcome" in value;

/** The Mailgun events inside a payload: a webhook body, an `event-data`, an Events API page, or an array of those. */
function eventsIn(payload: unknown): unknown[] {
  if (Array.isArray(payload)) return payload.flatMap(eventsIn);
  if (!payload || typeof payload !== "object") return [];
  const p = payload as Record<string, unknown>;
  if (p["event-data"] !== undefined) return [p["event-data"]];
  if (Array.isArray(p.items)) return p.items;
  return [payload];
}

function suppressionDate(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

async function orNone<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/**
 * Create a `Mailer` over a Mailgun client.
 * @example
 * const mailer = createMailgunMailer(createMailgunClient({ apiKey, domain: "mg.acme.test", region: "us" }));
 * const receipt = await mailer.send({ from: "noreply@mg.acme.test", to: "ana@example.com", subject: "Draw 3 approved", text: "Approved." });
 * @public
 */
export function createMailgunMailer(client: MailgunClient, options: MailgunMailerOptions = {}): Mailer {
  const store = options.idempotencyStore ?? createMemoryIdempotencyStore();
  const sendOnce = async (input: SendMessageInput, ctx?: IntegrationContext): Promise<MailReceipt> => {
    const result = await client.messages.send(input, ctx);
    return { provider: "mailgun", ...(result.messageId ? { messageId: result.messageId } : {}), ...(ctx?.idempotencyKey ? { idempotencyKey: ctx.idempotencyKey } : {}) };
  };
  const send = async (message: MailMessage, ctx?: IntegrationContext): Promise<MailReceipt> => {
    const input = { ...options.defaults, ...toMailgunMessage(message) } as SendMessageInput;
    // Validate first, so a bad message fails the same way with or without a key, and never holds one.
    client.operations["messages.send"]!.validate(input, { vendor: "mailgun" });
    const key = ctx?.idempotencyKey;
    if (!key) return sendOnce(input, ctx);
    const result = await withIdempotency<MailReceipt | UnknownOutcomeRecord>(
      store,
      `mailgun:mailer.send:${client.domain}:${key}`,
      async () => {
        try {
          return await sendOnce(input, ctx);
        } catch (error) {
          // The email may have been queued: keep the key, so a repeat does not send it a second time.
          if (error instanceof UnknownOutcomeError) return { unknownOutcome: { message: error.message, status: error.status, requestId: error.requestId } };
          throw error;
        }
      },
      { signal: ctx?.signal },
    );
    if (isUnknownOutcome(result)) {
      throw new UnknownOutcomeError(
        `mailgun mailer.send: a call with idempotency key ${key} may have reached Mailgun (${result.unknownOutcome.message}); it is not sent again — check the Events API for the recipient, then retry under a new key if it did not go out`,
        { vendor: "mailgun", operation: "mailer.send", status: result.unknownOutcome.status, requestId: result.unknownOutcome.requestId, correlationId: ctx?.correlationId, attempts: 0 },
      );
    }
    return result;
  };
  return {
    provider: "mailgun",
    send,
    async sendBatch(messages, ctx) {
      if (!Array.isArray(messages)) {
        throw new ValidationError("mailgun mailer.sendBatch: expected an array of messages", { vendor: "mailgun", operation: "mailer.sendBatch", issues: [{ path: "(root)", message: "expected an array" }] });
      }
      const items: MailBatchItem[] = [];
      for (const [index, message] of messages.entries()) {
        // One logical call per message, with its own key: a repeated batch re-sends none of the accepted ones.
        const itemCtx: IntegrationContext = { ...ctx, idempotencyKey: ctx?.idempotencyKey ? `${ctx.idempotencyKey}:${index}` : undefined };
        try {
          items.push({ index, ok: true, receipt: await send(message, itemCtx) });
        } catch (error) {
          const typed = IntegrationError.is(error)
            ? error
            : new ValidationError(`mailgun sendBatch: message ${index} could not be sent: ${error instanceof Error ? error.message : String(error)}`, {
                vendor: "mailgun",
                operation: "messages.send",
                cause: error,
              });
          items.push({ index, ok: false, error: typed });
        }
      }
      const sent = items.filter((item) => item.ok).length;
      return { provider: "mailgun", items, sent, failed: items.length - sent } satisfies MailBatchResult;
    },
    async suppressions(email, ctx) {
      const [bounce, complaint, unsubscribe] = await Promise.all([
        orNone(client.bounces.get({ address: email }, ctx)),
        orNone(client.complaints.get({ address: email }, ctx)),
        orNone(client.unsubscribes.get({ address: email }, ctx)),
      ]);
      const out: MailSuppression[] = [];
      if (bounce) {
        const detail = [bounce.code, bounce.error].filter(Boolean).join(" ");
        out.push({ email: bounce.address, reason: "bounce", ...opt("createdAt", suppressionDate(bounce.created_at)), ...opt("detail", detail || undefined) });
      }
      if (complaint) out.push({ email: complaint.address, reason: "complaint", ...opt("createdAt", suppressionDate(complaint.created_at)) });
      if (unsubscribe) {
        const tags = unsubscribe.tags ?? (unsubscribe.tag ? [unsubscribe.tag] : []);
        out.push({ email: unsubscribe.address, reason: "unsubscribe", ...opt("createdAt", suppressionDate(unsubscribe.created_at)), ...opt("detail", tags.length > 0 ? `tags: ${tags.join(", ")}` : undefined) });
      }
      return out;
    },
    toMailEvents(payload) {
      const out: MailEvent[] = [];
      for (const candidate of eventsIn(payload)) {
        const parsed = MailgunEvent.safeParse(candidate);
        if (!parsed.success) continue;
        const event = toMailEvent(parsed.data);
        if (event) out.push(event);
      }
      return out;
    },
    healthCheck: (): Promise<HealthResult> => client.healthCheck(),
  };
}

function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

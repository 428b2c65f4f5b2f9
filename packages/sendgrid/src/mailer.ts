/**
 * SendGrid as core's provider-neutral `Mailer` (packages/core/src/mailer.ts): a message is one
 * v3 mail/send request with one personalization, tags are categories, customArgs are
 * custom_args, a suppression is a row on one of SendGrid's lists, and delivery events come from
 * the signed Event Webhook.
 */
import {
  createMemoryIdempotencyStore,
  IntegrationError,
  toFieldIssues,
  UnknownOutcomeError,
  ValidationError,
  withIdempotency,
  type HealthResult,
  type IdempotencyStore,
  type IntegrationContext,
  type MailAddress,
  type MailBatchItem,
  type MailBatchResult,
  type MailEvent,
  type MailEventType,
  type Mailer,
  type MailMessage,
  type MailReceipt,
  type MailSuppression,
  type MailSuppressionReason, lazySchema, unlazy } from "@connect/core";
import { z } from "zod";
import type { SendGridClient } from "./client.js";
import type { EmailAddress, SendMailInput } from "./schemas.js";
import { customArgsOf, parseSendGridEvents, type SendGridEvent, type UnknownSendGridEvent } from "./webhooks/events.js";

/** Options of {@link createSendGridMailer}. @public */
export interface SendGridMailerOptions {
  /**
   * Remembers sends by `ctx.idempotencyKey`, so a repeated call answers the first receipt and
   * sends nothing. In memory by default (one process); share a Redis store across workers.
   */
  idempotencyStore?: IdempotencyStore | undefined;
  /** Messages of a `sendBatch` in flight at once. Default 4. */
  batchConcurrency?: number | undefined;
  /**
   * `suppressions(email)` reads only rows created at or after this time (unix seconds), to bound
   * the scan of the lists. Default: every row.
   */
  suppressionsSince?: number | undefined;
  /** Sandbox mode on every send: SendGrid validates and sends nothing (for staging). */
  sandbox?: boolean | undefined;
}

const VENDOR = "sendgrid";

const Address = lazySchema(() =>
  z.union([
  z.email({ message: "not a valid email address" }),
  z.strictObject({ email: z.email({ message: "not a valid email address" }), name: z.string().optional() }),
]),
);
const Addresses = lazySchema(() =>
  z.union([unlazy(Address), z.array(unlazy(Address)).min(1)]),
);

/** core's MailMessage, checked before anything is sent. @internal */
export const MailMessageSchema = lazySchema(() =>
  z
  .strictObject({
    from: unlazy(Address),
    to: unlazy(Addresses),
    cc: unlazy(Addresses).optional(),
    bcc: unlazy(Addresses).optional(),
    replyTo: unlazy(Address).optional(),
    subject: z.string().min(1).optional(),
    text: z.string().min(1).optional(),
    html: z.string().min(1).optional(),
    template: z.strictObject({ id: z.string().min(1), data: z.record(z.string(), z.unknown()).optional() }).optional(),
    attachments: z
      .array(
        z.strictObject({
          filename: z.string().min(1),
          content: z.union([z.instanceof(Uint8Array), z.string()]),
          contentType: z.string().min(1).optional(),
          disposition: z.enum(["attachment", "inline"]).optional(),
          contentId: z.string().min(1).optional(),
        }),
      )
      .optional(),
    tags: z.array(z.string().min(1)).optional(),
    customArgs: z.record(z.string(), z.string()).optional(),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .superRefine((m, ctx) => {
    if (!m.template && m.text === undefined && m.html === undefined) {
      ctx.addIssue({ code: "custom", path: ["text"], message: "a message needs text, html or a template" });
    }
    if (!m.template && m.subject === undefined) ctx.addIssue({ code: "custom", path: ["subject"], message: "subject is required unless a template supplies it" });
    m.attachments?.forEach((a, i) => {
      if (a.disposition === "inline" && !a.contentId) ctx.addIssue({ code: "custom", path: ["attachments", i, "contentId"], message: "an inline attachment needs a contentId" });
    });
  }),
);

function invalid(operation: string, issues: Array<{ path: string; message: string }>): ValidationError {
  return new ValidationError(`${VENDOR} ${operation}: invalid input — ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, { vendor: VENDOR, operation, issues });
}

function validMessage(message: MailMessage, operation: string): MailMessage {
  const parsed = MailMessageSchema.safeParse(message);
  if (!parsed.success) throw invalid(operation, toFieldIssues(parsed.error));
  return message;
}

const address = (a: MailAddress): EmailAddress => (typeof a === "string" ? { email: a } : a.name ? { email: a.email, name: a.name } : { email: a.email });
const addresses = (a: MailAddress | MailAddress[] | undefined): EmailAddress[] | undefined => (a === undefined ? undefined : (Array.isArray(a) ? a : [a]).map(address));

/**
 * Turn a provider-neutral message into SendGrid's v3 mail/send body: one personalization with
 * every recipient, text before html, attachments in base64, tags as categories.
 * @internal
 */
export function toSendGridMail(message: MailMessage, options: { sandbox?: boolean | undefined } = {}): SendMailInput {
  const content = [
    ...(message.text !== undefined ? [{ type: "text/plain", value: message.text }] : []),
    ...(message.html !== undefined ? [{ type: "text/html", value: message.html }] : []),
  ];
  const cc = addresses(message.cc);
  const bcc = addresses(message.bcc);
  return {
    from: address(message.from),
    personalizations: [
      {
        to: addresses(message.to)!,
        ...(cc?.length ? { cc } : {}),
        ...(bcc?.length ? { bcc } : {}),
        ...(message.template?.data ? { dynamic_template_data: message.template.data } : {}),
      },
    ],
    ...(message.replyTo ? { reply_to: address(message.replyTo) } : {}),
    ...(message.subject !== undefined ? { subject: message.subject } : {}),
    ...(content.length > 0 ? { content } : {}),
    ...(message.template ? { template_id: message.template.id } : {}),
    ...(message.attachments?.length
      ? {
          attachments: message.attachments.map((a) => ({
            content: (typeof a.content === "string" ? Buffer.from(a.content, "utf8") : Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength)).toString("base64"),
            filename: a.filename,
            type: a.contentType ?? "application/octet-stream",
            ...(a.disposition ? { disposition: a.disposition } : {}),
            ...(a.contentId ? { content_id: a.contentId } : {}),
          })),
        }
      : {}),
    ...(message.tags?.length ? { categories: message.tags } : {}),
    ...(message.customArgs && Object.keys(message.customArgs).length > 0 ? { custom_args: message.customArgs } : {}),
    ...(message.headers && Object.keys(message.headers).length > 0 ? { headers: message.headers } : {}),
    ...(options.sandbox ? { mail_settings: { sandbox_mode: { enable: true } } } : {}),
  };
}

/** The X-Message-Id an event's `sg_message_id` starts with (`<id>.filterdrecv-…`). @internal */
export function messageIdOf(sgMessageId: string | undefined): string | undefined {
  if (!sgMessageId) return undefined;
  const dot = sgMessageId.indexOf(".");
  return dot === -1 ? sgMessageId : sgMessageId.slice(0, dot);
}

const EVENT_TYPES: Partial<Record<string, MailEventType>> = {
  processed: "processed",
  delivered: "delivered",
  deferred: "deferred",
  bounce: "bounced",
  dropped: "dropped",
  spamreport: "complaint",
  open: "opened",
  click: "clicked",
  unsubscribe: "unsubscribed",
  group_unsubscribe: "unsubscribed",
};

/**
 * One Event Webhook event as a normalised MailEvent; undefined for the types with no
 * equivalent (`group_resubscribe`, account events).
 * @internal
 */
export function toMailEvent(event: SendGridEvent | UnknownSendGridEvent): MailEvent | undefined {
  const type = EVENT_TYPES[event.event];
  if (!type) return undefined;
  const e = event as Record<string, unknown> & SendGridEvent;
  const text = (key: string): string | undefined => (typeof e[key] === "string" && e[key] !== "" ? (e[key] as string) : undefined);
  const tags = event.category === undefined ? undefined : Array.isArray(event.category) ? event.category : [event.category];
  const customArgs = customArgsOf(e);
  const out: MailEvent = {
    provider: VENDOR,
    eventId: event.sg_event_id,
    type,
    email: event.email,
    occurredAt: new Date(event.timestamp * 1000).toISOString(),
    raw: event,
  };
  const messageId = messageIdOf(event.sg_message_id);
  if (messageId) out.messageId = messageId;
  if (type === "bounced") {
    // `type: "blocked"` is a refusal by the receiving server (reputation, a policy), not a missing mailbox.
    out.bounce = { kind: text("type") === "blocked" ? "soft" : "hard", ...(text("reason") ? { reason: text("reason") } : {}) };
  }
  if (type === "clicked" && text("url")) out.url = text("url");
  if (type === "dropped" && text("reason")) out.reason = text("reason");
  if (type === "deferred" && (text("response") ?? text("reason"))) out.reason = text("response") ?? text("reason");
  if (tags?.length) out.tags = tags;
  if (Object.keys(customArgs).length > 0) out.customArgs = customArgs;
  return out;
}

/**
 * Events of a verified Event Webhook payload: the raw body (string or bytes), the array of
 * events, or one event as the webhook receiver dispatched it. Events that fail validation and
 * types with no normalised equivalent are left out.
 * @internal
 */
export function toSendGridMailEvents(payload: unknown): MailEvent[] {
  let body: string | Uint8Array;
  if (typeof payload === "string" || payload instanceof Uint8Array) body = payload;
  else if (Array.isArray(payload)) body = JSON.stringify(payload);
  else if (payload && typeof payload === "object") body = JSON.stringify([payload]);
  else throw new ValidationError("sendgrid toMailEvents: expected the Event Webhook body, an array of events or one event", { vendor: VENDOR, operation: "mailer.toMailEvents", issues: [{ path: "(root)", message: "not an event payload" }] });
  return parseSendGridEvents(body)
    .all.map(toMailEvent)
    .filter((e): e is MailEvent => e !== undefined);
}

const SUPPRESSION_LISTS = [
  ["bounces", "bounce"],
  ["blocks", "blocked"],
  ["spamReports", "complaint"],
  ["unsubscribes", "unsubscribe"],
] as const satisfies ReadonlyArray<readonly [keyof SendGridClient, MailSuppressionReason]>;

type UnknownOutcomeRecord = { unknownOutcome: { message: string; status?: number | undefined; requestId?: string | undefined } };
const isUnknownOutcome = (value: unknown): value is UnknownOutcomeRecord => typeof value === "object" && value !== null && "unknownOutcome" in value;

/**
 * SendGrid behind core's `Mailer`.
 * @example
 * const sendgrid = createSendGridClient({ apiKey: process.env.SENDGRID_API_KEY! });
 * const mailer: Mailer = createSendGridMailer(sendgrid, { idempotencyStore: redisStore });
 * await mailer.send({ from: "draws@acme-lending.com", to: "ana@example.com", subject: "Draw 3 approved", text: "…" }, { idempotencyKey: "draw-3" });
 * @public
 */
export function createSendGridMailer(client: SendGridClient, options: SendGridMailerOptions = {}): Mailer {
  const store = options.idempotencyStore ?? createMemoryIdempotencyStore();
  const concurrency = Math.max(1, Math.floor(options.batchConcurrency ?? 4));

  async function sendOnce(message: MailMessage, ctx: IntegrationContext | undefined): Promise<MailReceipt> {
    const result = await client.mail.send(toSendGridMail(message, options), ctx);
    return { provider: VENDOR, ...(result.messageId ? { messageId: result.messageId } : {}), ...(ctx?.idempotencyKey ? { idempotencyKey: ctx.idempotencyKey } : {}) };
  }

  async function send(message: MailMessage, ctx?: IntegrationContext): Promise<MailReceipt> {
    validMessage(message, "mailer.send");
    const key = ctx?.idempotencyKey;
    if (!key) return sendOnce(message, ctx);
    const result = await withIdempotency<MailReceipt | UnknownOutcomeRecord>(
      store,
      `${VENDOR}:mailer.send:${key}`,
      async () => {
        try {
          return await sendOnce(message, ctx);
        } catch (error) {
          // The email may have gone out: keep the key, so a repeat does not send it a second time.
          if (error instanceof UnknownOutcomeError) return { unknownOutcome: { message: error.message, status: error.status, requestId: error.requestId } };
          throw error;
        }
      },
      { signal: ctx?.signal },
    );
    if (isUnknownOutcome(result)) {
      throw new UnknownOutcomeError(
        `${VENDOR} mailer.send: a call with idempotency key ${key} may have reached SendGrid (${result.unknownOutcome.message}); it is not sent again — check the recipient's activity, then retry under a new key if it did not go out`,
        { vendor: VENDOR, operation: "mailer.send", status: result.unknownOutcome.status, requestId: result.unknownOutcome.requestId, correlationId: ctx?.correlationId, attempts: 0 },
      );
    }
    return result;
  }

  async function sendBatch(messages: MailMessage[], ctx?: IntegrationContext): Promise<MailBatchResult> {
    if (!Array.isArray(messages)) throw invalid("mailer.sendBatch", [{ path: "(root)", message: "expected an array of messages" }]);
    const items: MailBatchItem[] = new Array(messages.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let index = next++; index < messages.length; index = next++) {
        try {
          const receipt = await send(messages[index]!, { ...ctx, idempotencyKey: ctx?.idempotencyKey ? `${ctx.idempotencyKey}:${index}` : undefined });
          items[index] = { index, ok: true, receipt };
        } catch (error) {
          const failure = IntegrationError.is(error)
            ? error
            : new IntegrationError(`${VENDOR} mailer.sendBatch: message ${index} failed: ${error instanceof Error ? error.message : String(error)}`, { vendor: VENDOR, operation: "mailer.send", cause: error });
          items[index] = { index, ok: false, error: failure };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, messages.length) }, worker));
    const sent = items.filter((i) => i.ok).length;
    return { provider: VENDOR, items, sent, failed: items.length - sent };
  }

  async function suppressions(email: string, ctx?: IntegrationContext): Promise<MailSuppression[]> {
    const parsed = z.email().safeParse(email);
    if (!parsed.success) throw invalid("mailer.suppressions", [{ path: "email", message: "not a valid email address" }]);
    const wanted = email.toLowerCase();
    const query = options.suppressionsSince === undefined ? {} : { startTime: options.suppressionsSince };
    const found = await Promise.all(
      SUPPRESSION_LISTS.map(async ([list, reason]) => {
        const out: MailSuppression[] = [];
        for await (const row of client[list].listAll(query, ctx)) {
          if (row.email.toLowerCase() !== wanted) continue;
          const detail = "reason" in row && typeof row.reason === "string" && row.reason !== "" ? row.reason : undefined;
          out.push({ email: row.email, reason, createdAt: new Date(row.created * 1000).toISOString(), ...(detail ? { detail } : {}) });
        }
        return out;
      }),
    );
    return found.flat();
  }

  return {
    provider: VENDOR,
    send,
    sendBatch,
    suppressions,
    toMailEvents: toSendGridMailEvents,
    healthCheck: (): Promise<HealthResult> => client.healthCheck(),
  };
}

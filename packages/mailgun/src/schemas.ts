/**
 * Zod shapes: the `messages.send` input with Mailgun's limits checked before any I/O, the
 * suppression records, and Events API items (shared/vendors/mailgun.md §3–§5).
 */
import { lazySchema, unlazy } from "@connect/core";
import { z } from "zod";
import { isEmailAddress, parseMailgunAddress } from "./address.js";

/**
 * Mailgun's documented sending limits (shared/vendors/mailgun.md §3). `maxMessageBytes` and
 * `maxTags` can be lowered or raised per client (`createMailgunClient({ limits })`).
 * @public
 */
export const MAILGUN_LIMITS = Object.freeze({
  /** to + cc + bcc of one message. */
  maxRecipients: 1000,
  /** `o:tag` values per message (10 since 2025; older accounts documented 3). */
  maxTags: 10,
  /** Characters of one tag. */
  maxTagLength: 128,
  /** The whole message: text parts plus attachments as they travel in MIME (base64). */
  maxMessageBytes: 25 * 1024 * 1024,
  /** Every `o:` / `h:` / `v:` / `t:` parameter together (names and values). */
  maxOptionBytes: 16 * 1024,
  /** Rows of one suppression list page. */
  maxSuppressionPage: 1000,
  /** Records of one JSON suppression add. */
  maxSuppressionBatch: 1000,
  /** Items of one Events API page. */
  maxEventsPage: 300,
});

/** The limits `messages.send` checks; see {@link MAILGUN_LIMITS}. @public */
export interface MailgunSendLimits {
  maxRecipients: number;
  maxTags: number;
  maxTagLength: number;
  maxMessageBytes: number;
  maxOptionBytes: number;
}

const bytes = lazySchema(() =>
  z.custom<Uint8Array>((value) => value instanceof Uint8Array, { message: "expected a Uint8Array (or Buffer)" }),
);

/** A file part: `attachment` or `inline` (referenced from HTML as `cid:<filename>`). @public */
export const Attachment = lazySchema(() =>
  z.strictObject({
  /** File name; for an inline part, the name the HTML's `cid:` refers to. */
  filename: z.string().min(1).max(255).refine((name) => !/[\r\n"]/.test(name), "a file name may not contain quotes or line breaks"),
  /** The bytes, or a string taken as UTF-8 text. */
  content: z.union([unlazy(bytes), z.string()]),
  /** Media type; `application/octet-stream` when omitted. */
  contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/, "not a media type").optional(),
}),
);
/** A file part of a message. @public */
export type Attachment = z.infer<typeof Attachment>;

const address = lazySchema(() =>
  z
  .string()
  .refine((value) => parseMailgunAddress(value) !== undefined, { message: "not a valid email address (use `addr@example.com` or `Name <addr@example.com>`)" }),
);
const addresses = lazySchema(() =>
  z.union([unlazy(address), z.array(unlazy(address)).min(1)]),
);
const yesNo = lazySchema(() =>
  z.union([z.boolean(), z.enum(["yes", "no"])]),
);
const headerName = lazySchema(() =>
  z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "a header name is ASCII letters, digits and -_. (no spaces or colons)"),
);
const variableName = lazySchema(() =>
  z.string().min(1).regex(/^[^\s:]+$/, "a variable name has no spaces or colons"),
);
const jsonObject = lazySchema(() =>
  z.record(z.string(), z.unknown()).refine((value) => {
  try {
    return typeof JSON.stringify(value) === "string";
  } catch {
    return false;
  }
}, "must be JSON-serialisable"),
);
/** RFC 2822 date string, a Date, or epoch seconds. */
const when = lazySchema(() =>
  z.union([
  z.date().refine((d) => !Number.isNaN(d.getTime()), "an invalid Date"),
  z.number().nonnegative(),
  z.string().refine((s) => !Number.isNaN(Date.parse(s)), "not a date Mailgun can read (use RFC 2822: `Thu, 13 Oct 2011 18:02:00 +0000`)"),
]),
);

const SendMessageFields = lazySchema(() =>
  z.strictObject({
  /** Required unless the template's headers supply `From`. */
  from: unlazy(address).optional(),
  to: unlazy(addresses),
  cc: unlazy(addresses).optional(),
  bcc: unlazy(addresses).optional(),
  /** Required unless the template supplies it. */
  subject: z.string().optional(),
  text: z.string().optional(),
  html: z.string().optional(),
  ampHtml: z.string().optional(),
  /** A stored template's name (`html` and `template` are mutually exclusive). */
  template: z.string().min(1).regex(/^[A-Za-z0-9._~-]+$/, "a template name is letters, digits and .-_~").optional(),
  /** `t:version`: a version tag of the template. */
  templateVersion: z.string().min(1).optional(),
  /** `t:text=yes`: also render a text part from the template. */
  templateText: z.boolean().optional(),
  /** The template's variables, sent as JSON in `t:variables` (or `h:X-Mailgun-Variables`, see `templateVariablesAs`). */
  templateVariables: unlazy(jsonObject).optional(),
  /** Where `templateVariables` go: `t:variables` (default) or the `h:X-Mailgun-Variables` header as mailgun-go sends them. */
  templateVariablesAs: z.enum(["t:variables", "h:X-Mailgun-Variables"]).optional(),
  /** `o:tag` values. */
  tags: z.array(z.string().min(1)).optional(),
  /** Custom data (`v:<name>`), echoed in `user-variables` of every event; visible to recipients. */
  variables: z.record(unlazy(variableName), z.string()).optional(),
  /** Extra MIME headers (`h:<Name>`), e.g. `{ "Reply-To": "ops@acme.test" }`. */
  headers: z.record(unlazy(headerName), z.string()).optional(),
  /** `recipient-variables`: per-recipient data for batch sending; each `to` gets its own copy. */
  recipientVariables: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  attachments: z.array(unlazy(Attachment)).optional(),
  inline: z.array(unlazy(Attachment)).optional(),
  /** `o:tracking`. */
  tracking: unlazy(yesNo).optional(),
  /** `o:tracking-clicks`: yes, no or htmlonly. */
  trackingClicks: z.union([z.boolean(), z.enum(["yes", "no", "htmlonly"])]).optional(),
  /** `o:tracking-opens`. */
  trackingOpens: unlazy(yesNo).optional(),
  /** `o:deliverytime`: a Date, epoch seconds, or an RFC 2822 string (at most 3–7 days ahead, by plan). */
  deliveryTime: unlazy(when).optional(),
  /** `o:testmode=yes`: accepted, not delivered (still billed). */
  testMode: z.boolean().optional(),
  /** `o:require-tls`. */
  requireTls: z.boolean().optional(),
  /** `o:skip-verification`. */
  skipVerification: z.boolean().optional(),
  /** `o:dkim`. */
  dkim: z.boolean().optional(),
  /** Other `o:` options passed through as given, keyed without the prefix (`{ "sending-ip-pool": "..." }`). */
  options: z.record(z.string().regex(/^[a-z0-9-]+$/, "an option name is lower-case letters, digits and -"), z.string()).optional(),
}),
);

/** What `messages.send` takes, before the cross-field rules. @public */
export type SendMessageInput = z.input<typeof SendMessageFields>;
/** `messages.send` input after validation. @internal */
export type SendMessageParsed = z.output<typeof SendMessageFields>;

function listOf(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function byteLength(value: string | Uint8Array): number {
  return typeof value === "string" ? Buffer.byteLength(value, "utf8") : value.byteLength;
}

/** Size of a part in the MIME message: base64 with line breaks for files. @internal */
export function mimeBytes(content: string | Uint8Array): number {
  const raw = byteLength(content);
  const encoded = Math.ceil(raw / 3) * 4;
  return encoded + Math.ceil(encoded / 76) * 2;
}

/** The message's estimated size in MIME: text parts plus base64 attachments. @internal */
export function estimateMessageBytes(input: SendMessageParsed): number {
  let total = 0;
  for (const part of [input.text, input.html, input.ampHtml, input.subject]) if (part) total += byteLength(part);
  for (const file of [...(input.attachments ?? []), ...(input.inline ?? [])]) total += mimeBytes(file.content);
  return total;
}

/**
 * Build the `messages.send` schema for a set of limits: field shapes plus Mailgun's rules —
 * at least one body, `html` xor `template`, `from`/`subject` unless a template gives them,
 * ≤ 1000 recipients, tag count and length, 16 KB of options, the total message size.
 * @public
 */
export function sendMessageSchema(limits: MailgunSendLimits = MAILGUN_LIMITS) {
  return SendMessageFields.superRefine((input, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (!input.text && !input.html && !input.ampHtml && !input.template) issue("text", "need at least one of text, html, ampHtml or template");
    if (input.html !== undefined && input.template !== undefined) issue("html", "html and template are mutually exclusive");
    if (!input.template) {
      if (input.from === undefined) issue("from", "from is required unless a template supplies it");
      if (input.subject === undefined) issue("subject", "subject is required unless a template supplies it");
    }
    if (input.templateVersion !== undefined && !input.template) issue("templateVersion", "templateVersion needs template");
    if (input.templateVariables !== undefined && !input.template) issue("templateVariables", "templateVariables needs template");
    const recipients = listOf(input.to).length + listOf(input.cc).length + listOf(input.bcc).length;
    if (recipients > limits.maxRecipients) issue("to", `too many recipients: ${recipients} (to + cc + bcc), Mailgun takes at most ${limits.maxRecipients}`);
    for (const [index, key] of Object.keys(input.recipientVariables ?? {}).entries()) {
      if (!isEmailAddress(key)) ctx.addIssue({ code: "custom", path: ["recipientVariables", key], message: `key ${index + 1} is not an email address` });
    }
    const tags = input.tags ?? [];
    if (tags.length > limits.maxTags) issue("tags", `too many tags: ${tags.length}, Mailgun takes at most ${limits.maxTags} per message`);
    tags.forEach((tag, index) => {
      // eslint-disable-next-line no-control-regex
      if (!/^[\x20-\x7e]+$/.test(tag)) ctx.addIssue({ code: "custom", path: ["tags", index], message: "a tag is printable ASCII" });
      if (tag.length > limits.maxTagLength) ctx.addIssue({ code: "custom", path: ["tags", index], message: `a tag is at most ${limits.maxTagLength} characters` });
    });
    const optionBytes = optionParameterBytes(input);
    if (optionBytes > limits.maxOptionBytes) {
      issue("variables", `o:/h:/v:/t: parameters take ${optionBytes} bytes together; Mailgun takes at most ${limits.maxOptionBytes}`);
    }
    const size = estimateMessageBytes(input);
    if (size > limits.maxMessageBytes) {
      issue("attachments", `the message is about ${size} bytes in MIME (attachments base64-encoded); Mailgun takes at most ${limits.maxMessageBytes}`);
    }
  });
}

function optionParameterBytes(input: SendMessageParsed): number {
  let total = 0;
  const add = (name: string, value: string) => (total += Buffer.byteLength(name) + Buffer.byteLength(value));
  for (const [k, v] of Object.entries(input.variables ?? {})) add(`v:${k}`, v);
  for (const [k, v] of Object.entries(input.headers ?? {})) add(`h:${k}`, v);
  for (const [k, v] of Object.entries(input.options ?? {})) add(`o:${k}`, v);
  for (const tag of input.tags ?? []) add("o:tag", tag);
  if (input.templateVariables) add("t:variables", JSON.stringify(input.templateVariables));
  return total;
}

/** The `messages.send` schema with the default limits. @public */
export const SendMessageInput = lazySchema(() => sendMessageSchema());

/** Mailgun's answer to a send. @public */
export const SendMessageResult = lazySchema(() =>
  z.object({
  /** Mailgun's id as answered, with angle brackets: `<2026…@mg.acme.test>`. */
  id: z.string(),
  /** The same id without angle brackets, as events carry it in `message.headers.message-id`. */
  messageId: z.string(),
  /** `Queued. Thank you.` */
  message: z.string(),
}),
);
/** Mailgun's answer to a send. @public */
export type SendMessageResult = z.infer<typeof SendMessageResult>;

/** Paging links of a list answer: full URLs to follow as given. @public */
export const Paging = lazySchema(() =>
  z.looseObject({
  first: z.string().optional(),
  last: z.string().optional(),
  next: z.string().optional(),
  previous: z.string().optional(),
}),
);
/** Paging links. @public */
export type Paging = z.infer<typeof Paging>;

// `code` is "550" in the docs and 550 in mailgun.js tests: accept both (shared/vendors/mailgun.md §5).
/** A bounce record. @public */
export const Bounce = lazySchema(() =>
  z.looseObject({
  address: z.string(),
  code: z.union([z.string(), z.number()]).transform(String).optional(),
  error: z.string().optional(),
  created_at: z.string().optional(),
}),
);
/** A bounce record. @public */
export type Bounce = z.infer<typeof Bounce>;

/** A spam complaint record. @public */
export const Complaint = lazySchema(() =>
  z.looseObject({ address: z.string(), created_at: z.string().optional() }),
);
/** A spam complaint record. @public */
export type Complaint = z.infer<typeof Complaint>;

// Older docs show `tag` (a string, "*" = all); current ones `tags[]`: keep both.
/** An unsubscribe record. @public */
export const Unsubscribe = lazySchema(() =>
  z.looseObject({
  address: z.string(),
  tags: z.array(z.string()).optional(),
  tag: z.string().optional(),
  created_at: z.string().optional(),
}),
);
/** An unsubscribe record. @public */
export type Unsubscribe = z.infer<typeof Unsubscribe>;

/** One page of a suppression list. @public */
export function suppressionPage<T extends z.ZodType>(row: T) {
  return z.object({ items: z.array(row), paging: Paging.optional() });
}

/** Query of a suppression list page. @public */
export const ListSuppressionsInput = lazySchema(() =>
  z.strictObject({
  /** Rows per page, 1..1000 (Mailgun's default 100). */
  limit: z.number().int().min(1).max(MAILGUN_LIMITS.maxSuppressionPage).optional(),
  /** Only addresses starting with this. */
  term: z.string().min(1).optional(),
}),
);
/** Query of a suppression list page. @public */
export type ListSuppressionsInput = z.input<typeof ListSuppressionsInput>;

/** A paging URL Mailgun answered, to fetch the page it points at. @public */
export const PageUrlInput = lazySchema(() =>
  z.strictObject({ url: z.url() }),
);

/** One address. @public */
export const AddressInput = lazySchema(() =>
  z.strictObject({
  address: z.string().refine(isEmailAddress, "not a valid email address"),
}),
);

const createdAt = lazySchema(() =>
  z.union([z.date(), z.string().min(1)]).optional(),
);

/** A bounce to add (`code` default 550). @public */
export const AddBounceRecord = lazySchema(() =>
  z.strictObject({
  address: z.string().refine(isEmailAddress, "not a valid email address"),
  code: z.union([z.number().int().min(100).max(599), z.string().regex(/^\d{3}$/)]).optional(),
  error: z.string().optional(),
  createdAt: unlazy(createdAt),
}),
);
/** An unsubscribe to add (`tags` default all: `*`). @public */
export const AddUnsubscribeRecord = lazySchema(() =>
  z.strictObject({
  address: z.string().refine(isEmailAddress, "not a valid email address"),
  tags: z.array(z.string().min(1)).optional(),
  createdAt: unlazy(createdAt),
}),
);
/** A complaint to add. @public */
export const AddComplaintRecord = lazySchema(() =>
  z.strictObject({
  address: z.string().refine(isEmailAddress, "not a valid email address"),
  createdAt: unlazy(createdAt),
}),
);
/** A bounce to add. @public */
export type AddBounceRecord = z.input<typeof AddBounceRecord>;
/** An unsubscribe to add. @public */
export type AddUnsubscribeRecord = z.input<typeof AddUnsubscribeRecord>;
/** A complaint to add. @public */
export type AddComplaintRecord = z.input<typeof AddComplaintRecord>;

/** One record or up to 1000 (sent as one JSON batch). @public */
export function addSuppressionsInput<T extends z.ZodType>(record: T) {
  return z.union([record, z.array(record).min(1).max(MAILGUN_LIMITS.maxSuppressionBatch)]);
}

/** What Mailgun answers to adds and deletes. @public */
export const MessageAnswer = lazySchema(() =>
  z.looseObject({ message: z.string(), address: z.string().optional() }),
);
/** What Mailgun answers to adds and deletes. @public */
export type MessageAnswer = z.infer<typeof MessageAnswer>;

/** Query of the Events API (filters accept Mailgun's expressions: `a OR b`, `NOT x`). @public */
export const ListEventsInput = lazySchema(() =>
  z.strictObject({
  /** Start of the window: a Date, epoch seconds or an RFC 2822 string. */
  begin: unlazy(when).optional(),
  end: unlazy(when).optional(),
  /** Oldest first; Mailgun needs it when `end` is not given (default true then). */
  ascending: z.boolean().optional(),
  /** Items per page, 1..300. */
  limit: z.number().int().min(1).max(MAILGUN_LIMITS.maxEventsPage).optional(),
  event: z.string().min(1).optional(),
  recipient: z.string().min(1).optional(),
  from: z.string().min(1).optional(),
  to: z.string().min(1).optional(),
  subject: z.string().min(1).optional(),
  /** A message id, with or without angle brackets. */
  messageId: z.string().min(1).optional(),
  tags: z.string().min(1).optional(),
  severity: z.enum(["temporary", "permanent"]).optional(),
}),
);
/** Query of the Events API. @public */
export type ListEventsInput = z.input<typeof ListEventsInput>;

/** One Events API item (also the `event-data` of a webhook). Unknown fields are kept. @public */
export const MailgunEvent = lazySchema(() =>
  z.looseObject({
  id: z.string(),
  event: z.string(),
  timestamp: z.number(),
  recipient: z.string().optional(),
  severity: z.string().optional(),
  reason: z.string().optional(),
  "log-level": z.string().optional(),
  url: z.string().optional(),
  tags: z.array(z.string()).nullish(),
  "user-variables": z.record(z.string(), z.unknown()).nullish(),
  message: z.looseObject({ headers: z.looseObject({ "message-id": z.string().optional() }).optional() }).optional(),
  "delivery-status": z.looseObject({ code: z.number().optional(), message: z.string().optional(), description: z.string().optional() }).optional(),
}),
);
/** One Events API item. @public */
export type MailgunEvent = z.infer<typeof MailgunEvent>;

/** One page of events; the end is a page with no items. @public */
export const EventsPage = lazySchema(() =>
  z.object({ items: z.array(unlazy(MailgunEvent)), paging: unlazy(Paging) }),
);
/** One page of events. @public */
export type EventsPage = z.infer<typeof EventsPage>;

/**
 * Inputs and outputs of the SES operations, with SES's limits checked before any request
 * (shared/vendors/ses.md §3–§5): ≤ 50 recipients per message, ≤ 40 MB per message after MIME
 * encoding, ≤ 15 headers, tag names and values `[A-Za-z0-9_-]{1,256}`, TemplateData ≤ 262,144
 * characters, ≤ 50 bulk entries per request (larger bulk sends are split).
 */
import { lazySchema, unlazy } from "@connect/core";
import { z } from "zod";
import { parseAddress, type ParsedAddress, type SesAddress } from "./address.js";
import { base64LinesLength } from "./mime.js";

/** SES limits the package checks before sending. @public */
export const SES_LIMITS = Object.freeze({
  /** To + Cc + Bcc of one message (not adjustable). */
  recipientsPerMessage: 50,
  /** Whole message after MIME and base64 encoding (SES v2 API, not adjustable). */
  messageBytes: 40 * 1024 * 1024,
  /** Extra headers per message. */
  headers: 15,
  /** Entries of one SendBulkEmail request (the v1 limit; the v2 model states none). */
  bulkEntriesPerRequest: 50,
  /** TemplateData, as a JSON string. */
  templateDataChars: 262_144,
  /** Attachment file name length. */
  fileNameChars: 255,
});

const TAG = /^[A-Za-z0-9_-]{1,256}$/;
const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]{1,126}$/;

const Bytes = lazySchema(() =>
  z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: "expected a Uint8Array" }),
);

const AddressValue = lazySchema(() =>
  z.union([z.string(), z.object({ email: z.string(), name: z.string().optional() })]),
);

/** One address, checked and normalised (Punycode domain). @internal */
export const Address = lazySchema(() =>
  unlazy(AddressValue).transform((value, ctx): ParsedAddress => {
  const parsed = parseAddress(value as SesAddress);
  if ("error" in parsed) {
    ctx.addIssue({ code: "custom", message: parsed.error });
    return z.NEVER;
  }
  return parsed;
}),
);

/** One address or a list. @internal */
export const AddressList = lazySchema(() =>
  z.union([unlazy(AddressValue), z.array(unlazy(AddressValue))]).transform((value, ctx): ParsedAddress[] => {
  const list = (Array.isArray(value) ? value : [value]) as SesAddress[];
  const out: ParsedAddress[] = [];
  list.forEach((item, i) => {
    const parsed = parseAddress(item);
    if ("error" in parsed) ctx.addIssue({ code: "custom", message: parsed.error, path: Array.isArray(value) ? [i] : [] });
    else out.push(parsed);
  });
  return out;
}),
);

/** EmailTags as `{ name: value }`; both `[A-Za-z0-9_-]{1,256}`. @public */
export const EmailTags = lazySchema(() =>
  z.record(z.string(), z.string()).superRefine((tags, ctx) => {
  for (const [name, value] of Object.entries(tags)) {
    if (!TAG.test(name)) ctx.addIssue({ code: "custom", path: [name], message: `tag names are 1..256 of [A-Za-z0-9_-] (got ${JSON.stringify(name.slice(0, 40))})` });
    if (!TAG.test(value)) ctx.addIssue({ code: "custom", path: [name], message: "tag values are 1..256 of [A-Za-z0-9_-]" });
  }
}),
);

/** Extra headers: ≤ 15, names printable ASCII without `:` (1..126), values 1..995, name + value ≤ 996. @public */
export const MessageHeaders = lazySchema(() =>
  z.record(z.string(), z.string()).superRefine((headers, ctx) => {
  const entries = Object.entries(headers);
  if (entries.length > SES_LIMITS.headers) ctx.addIssue({ code: "custom", message: `at most ${SES_LIMITS.headers} headers (got ${entries.length})` });
  for (const [name, value] of entries) {
    if (!HEADER_NAME.test(name)) ctx.addIssue({ code: "custom", path: [name], message: "header names are 1..126 printable ASCII characters without ':'" });
    if (value.length < 1 || value.length > 995) ctx.addIssue({ code: "custom", path: [name], message: "header values are 1..995 characters" });
    else if (name.length + value.length > 996) ctx.addIssue({ code: "custom", path: [name], message: "header name + value must be ≤ 996 characters" });
    if (/[\r\n]/.test(value)) ctx.addIssue({ code: "custom", path: [name], message: "header values cannot contain line breaks" });
  }
}),
);

/** A file sent with a message. @public */
export const Attachment = lazySchema(() =>
  z.object({
  filename: z.string().min(1).max(SES_LIMITS.fileNameChars).refine((f) => !/[\r\n"\\/]/.test(f), "file names cannot contain line breaks, quotes, '\\' or '/'"),
  /** The bytes, or a string taken as UTF-8 text. */
  content: z.union([unlazy(Bytes), z.string()]),
  /** Media type, e.g. `application/pdf` (≤ 78 characters); `application/octet-stream` when omitted. */
  contentType: z
    .string()
    .max(78)
    .regex(/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/, "expected type/subtype")
    .optional(),
  disposition: z.enum(["attachment", "inline"]).optional(),
  /** Content-ID of an inline file (for `cid:` references), ≤ 78 characters. */
  contentId: z
    .string()
    .max(78)
    .regex(/^<?[\x21-\x3b\x3d\x3f-\x7e]+>?$/, "printable ASCII without spaces")
    .optional(),
}),
);
/** A file sent with a message. @public */
export type Attachment = z.input<typeof Attachment>;

const TemplateRef = lazySchema(() =>
  z.object({
  /** The template's name in SES. */
  name: z.string().min(1).max(256),
  /** Values for the template's `{{placeholders}}` (sent as the TemplateData JSON string). */
  data: z.record(z.string(), z.unknown()).optional(),
}),
);

const ListManagement = lazySchema(() =>
  z.object({ contactListName: z.string().min(1), topicName: z.string().min(1).optional() }),
);

const byteLength = (content: Uint8Array | string): number => (typeof content === "string" ? Buffer.byteLength(content, "utf8") : content.byteLength);

/** Upper bound of a message's encoded size, for the 40 MB check before sending. @internal */
export function estimateMessageBytes(input: { subject?: string | undefined; text?: string | undefined; html?: string | undefined; attachments?: { content: Uint8Array | string; filename: string }[] | undefined; raw?: Uint8Array | string | undefined; headers?: Record<string, string> | undefined }): number {
  if (input.raw !== undefined) return byteLength(input.raw);
  let total = 4096 + 3 * Buffer.byteLength(input.subject ?? "", "utf8");
  for (const [k, v] of Object.entries(input.headers ?? {})) total += 3 * Buffer.byteLength(k + v, "utf8") + 4;
  for (const t of [input.text, input.html]) if (t !== undefined) total += base64LinesLength(Buffer.byteLength(t, "utf8")) + 256;
  for (const a of input.attachments ?? []) total += base64LinesLength(byteLength(a.content)) + 512 + 6 * a.filename.length;
  return total;
}

function templateDataLength(data: Record<string, unknown> | undefined, ctx: z.RefinementCtx, path: (string | number)[]): void {
  if (data === undefined) return;
  let json: string;
  try {
    json = JSON.stringify(data);
  } catch {
    ctx.addIssue({ code: "custom", path, message: "template data must be JSON-serialisable" });
    return;
  }
  if (json.length > SES_LIMITS.templateDataChars) ctx.addIssue({ code: "custom", path, message: `template data is ${json.length} characters as JSON; SES takes at most ${SES_LIMITS.templateDataChars}` });
}

function recipients(input: { to?: unknown[] | undefined; cc?: unknown[] | undefined; bcc?: unknown[] | undefined }, ctx: z.RefinementCtx, path: (string | number)[], required: boolean): void {
  const count = (input.to?.length ?? 0) + (input.cc?.length ?? 0) + (input.bcc?.length ?? 0);
  if (count > SES_LIMITS.recipientsPerMessage) ctx.addIssue({ code: "custom", path, message: `${count} recipients (to + cc + bcc); SES takes at most ${SES_LIMITS.recipientsPerMessage} per message` });
  if (required && count === 0) ctx.addIssue({ code: "custom", path, message: "at least one recipient (to, cc or bcc) is required" });
}

/**
 * One message: simple (`subject` + `text` / `html`), simple with `attachments` (sent as a Raw MIME
 * message built here), `raw` (a whole MIME message you built), or `template` (an SES template by
 * name, optionally with `attachments` and `headers`).
 * @public
 */
export const SendEmailInput = lazySchema(() =>
  z
  .object({
    /** A verified identity; `"Acme <noreply@acme.test>"` or `{ email, name }`. */
    from: unlazy(Address),
    to: unlazy(AddressList).optional(),
    cc: unlazy(AddressList).optional(),
    bcc: unlazy(AddressList).optional(),
    replyTo: unlazy(AddressList).optional(),
    subject: z.string().min(1).max(998).optional(),
    text: z.string().optional(),
    html: z.string().optional(),
    /** An SES template and its data (the template supplies subject and bodies). */
    template: unlazy(TemplateRef).optional(),
    /** A complete MIME message (headers, blank line, body). Recipients default to its headers when `to`/`cc`/`bcc` are omitted. */
    raw: z.union([unlazy(Bytes), z.string()]).optional(),
    attachments: z.array(unlazy(Attachment)).optional(),
    headers: unlazy(MessageHeaders).optional(),
    /** EmailTags: echoed in every event of the message (`mail.tags`). */
    tags: unlazy(EmailTags).optional(),
    /** Overrides the client's default configuration set (event publishing, tracking, IP pool). */
    configurationSetName: z.string().min(1).max(64).optional(),
    /** Where bounce and complaint notices are forwarded. */
    feedbackForwardingAddress: unlazy(Address).optional(),
    /** SES list management (List-Unsubscribe handled by SES; `Subscription` events). */
    listManagement: unlazy(ListManagement).optional(),
  })
  .superRefine((input, ctx) => {
    const simple = input.subject !== undefined || input.text !== undefined || input.html !== undefined || (input.attachments !== undefined && input.template === undefined);
    const kinds = [simple ? "subject/text/html" : undefined, input.raw !== undefined ? "raw" : undefined, input.template !== undefined ? "template" : undefined].filter(Boolean);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: "custom", path: [], message: kinds.length ? `exactly one of subject/text/html, raw or template (got ${kinds.join(" and ")})` : "give subject with text and/or html, raw, or template" });
      return;
    }
    if (input.template === undefined && input.raw === undefined) {
      if (input.subject === undefined) ctx.addIssue({ code: "custom", path: ["subject"], message: "a subject is required (unless a template supplies it)" });
      if (input.text === undefined && input.html === undefined) ctx.addIssue({ code: "custom", path: ["text"], message: "text or html is required" });
    }
    if (input.raw !== undefined && input.headers !== undefined) ctx.addIssue({ code: "custom", path: ["headers"], message: "a raw message carries its own headers" });
    if (input.raw !== undefined && input.attachments !== undefined) ctx.addIssue({ code: "custom", path: ["attachments"], message: "a raw message carries its own attachments" });
    recipients(input, ctx, ["to"], input.raw === undefined);
    if (input.template) templateDataLength(input.template.data, ctx, ["template", "data"]);
    const size = estimateMessageBytes(input);
    if (size > SES_LIMITS.messageBytes) {
      ctx.addIssue({ code: "custom", path: input.raw !== undefined ? ["raw"] : ["attachments"], message: `the message is about ${size} bytes once MIME-encoded; SES takes at most ${SES_LIMITS.messageBytes}` });
    }
  }),
);
/** One message to send. @public */
export type SendEmailInput = z.input<typeof SendEmailInput>;

/** What SES answered for an accepted message (accepted is not delivered: watch the events). @public */
export const SendEmailOutput = lazySchema(() =>
  z.object({ messageId: z.string(), kind: z.enum(["simple", "raw", "template"]) }),
);
/** What SES answered for an accepted message. @public */
export type SendEmailOutput = z.infer<typeof SendEmailOutput>;

/** One destination of a bulk send. @public */
export const BulkEntry = lazySchema(() =>
  z
  .object({
    to: unlazy(AddressList).optional(),
    cc: unlazy(AddressList).optional(),
    bcc: unlazy(AddressList).optional(),
    /** This destination's template data (SES merges it over the default data). */
    data: z.record(z.string(), z.unknown()).optional(),
    /** ReplacementTags for this destination. */
    tags: unlazy(EmailTags).optional(),
    /** ReplacementHeaders (override same-named template headers). */
    headers: unlazy(MessageHeaders).optional(),
  })
  .superRefine((entry, ctx) => {
    recipients(entry, ctx, ["to"], true);
    templateDataLength(entry.data, ctx, ["data"]);
  }),
);

/** A templated bulk send: one template, many destinations, one result per destination. @public */
export const SendBulkEmailInput = lazySchema(() =>
  z
  .object({
    from: unlazy(Address),
    replyTo: unlazy(AddressList).optional(),
    template: unlazy(TemplateRef),
    entries: z.array(unlazy(BulkEntry)).min(1),
    /** DefaultEmailTags of every entry. */
    tags: unlazy(EmailTags).optional(),
    configurationSetName: z.string().min(1).max(64).optional(),
    feedbackForwardingAddress: unlazy(Address).optional(),
  })
  .superRefine((input, ctx) => templateDataLength(input.template.data, ctx, ["template", "data"])),
);
/** A templated bulk send. @public */
export type SendBulkEmailInput = z.input<typeof SendBulkEmailInput>;

/** SendBulkEmail entry statuses (the model's enum). @public */
export const BulkEmailStatus = lazySchema(() =>
  z.enum([
  "SUCCESS",
  "MESSAGE_REJECTED",
  "MAIL_FROM_DOMAIN_NOT_VERIFIED",
  "CONFIGURATION_SET_NOT_FOUND",
  "TEMPLATE_NOT_FOUND",
  "ACCOUNT_SUSPENDED",
  "ACCOUNT_THROTTLED",
  "ACCOUNT_DAILY_QUOTA_EXCEEDED",
  "INVALID_SENDING_POOL_NAME",
  "ACCOUNT_SENDING_PAUSED",
  "CONFIGURATION_SET_SENDING_PAUSED",
  "INVALID_PARAMETER",
  "TRANSIENT_FAILURE",
  "FAILED",
]),
);

/** One request's wire results, in entry order. @internal */
export const BulkChunkOutput = lazySchema(() =>
  z.object({
  results: z.array(z.object({ status: z.union([unlazy(BulkEmailStatus), z.string()]), messageId: z.string().optional(), error: z.string().optional() })),
}),
);

/** Suppression reasons (exactly these two in SES). @public */
export const SuppressionReason = lazySchema(() =>
  z.enum(["BOUNCE", "COMPLAINT"]),
);
/** Suppression reasons. @public */
export type SuppressionReason = z.infer<typeof SuppressionReason>;

const Email = lazySchema(() =>
  z.string().transform((value, ctx) => {
  const parsed = parseAddress(value);
  if ("error" in parsed) {
    ctx.addIssue({ code: "custom", message: parsed.error });
    return z.NEVER;
  }
  return parsed.email;
}),
);

/** An address on the suppression list. @public */
export const SuppressionAddressInput = lazySchema(() =>
  z.object({ email: unlazy(Email) }),
);
/** An address on the suppression list. @public */
export type SuppressionAddressInput = z.input<typeof SuppressionAddressInput>;

/** Put an address on the account's suppression list (an upsert). @public */
export const PutSuppressionInput = lazySchema(() =>
  z.object({ email: unlazy(Email), reason: unlazy(SuppressionReason) }),
);
/** Put an address on the account's suppression list. @public */
export type PutSuppressionInput = z.input<typeof PutSuppressionInput>;

/** One suppressed address. @public */
export const SuppressedDestination = lazySchema(() =>
  z.object({
  email: z.string(),
  reason: unlazy(SuppressionReason),
  /** ISO 8601. */
  lastUpdateTime: z.string(),
  /** The message whose bounce or complaint added it. */
  messageId: z.string().optional(),
  feedbackId: z.string().optional(),
}),
);
/** One suppressed address. @public */
export type SuppressedDestination = z.infer<typeof SuppressedDestination>;

/** A page query of the suppression list. @public */
export const ListSuppressionsInput = lazySchema(() =>
  z.object({
  reasons: z.array(unlazy(SuppressionReason)).min(1).optional(),
  /** Added at or after. */
  startDate: z.date().optional(),
  /** Added before. */
  endDate: z.date().optional(),
  /** 1..1000. */
  pageSize: z.number().int().min(1).max(1000).optional(),
  nextToken: z.string().min(1).optional(),
}),
);
/** A page query of the suppression list. @public */
export type ListSuppressionsInput = z.input<typeof ListSuppressionsInput>;

/** One page of the suppression list. @public */
export const SuppressionPage = lazySchema(() =>
  z.object({
  items: z.array(z.object({ email: z.string(), reason: unlazy(SuppressionReason), lastUpdateTime: z.string() })),
  nextToken: z.string().optional(),
}),
);
/** One page of the suppression list. @public */
export type SuppressionPage = z.infer<typeof SuppressionPage>;

/** The account's sending state (GetAccount). @public */
export const SesAccount = lazySchema(() =>
  z.object({
  sendingEnabled: z.boolean(),
  /** false = sandbox (verified recipients only, 200 a day, 1 a second). */
  productionAccessEnabled: z.boolean(),
  /** `HEALTHY`, `PROBATION` or `SHUTDOWN`. */
  enforcementStatus: z.string().optional(),
  sendQuota: z.object({
    /** -1 = unlimited. */
    max24HourSend: z.number(),
    /** Recipients per second. */
    maxSendRate: z.number(),
    sentLast24Hours: z.number(),
  }),
  suppressedReasons: z.array(z.string()),
}),
);
/** The account's sending state. @public */
export type SesAccount = z.infer<typeof SesAccount>;

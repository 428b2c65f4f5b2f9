/**
 * Zod schemas for SendGrid's v3 Mail Send body and suppression rows
 * (shared/vendors/sendgrid.md §3–§4). The input IS the wire body (snake_case), so a
 * field path SendGrid reports in `errors[].field` (`personalizations.0.to.0.email`)
 * points at the same place in the caller's own input. Input objects are strict: an unknown
 * key (a typo such as `dynamicTemplateData`) is a ValidationError rather than silently dropped.
 */
import { lazySchema, unlazy } from "@connect/core";
import { z } from "zod";

/** SendGrid's per-request caps (shared/vendors/sendgrid.md §3). @public */
export const MAIL_LIMITS = {
  /** Personalizations in one request. */
  maxPersonalizations: 1000,
  /** to + cc + bcc across all personalizations of one request. */
  maxRecipients: 1000,
  /** Total message size including attachments; measured here as the JSON body's UTF-8 bytes. */
  maxMessageBytes: 30 * 1024 * 1024,
  /** Categories per message. */
  maxCategories: 10,
  /** Bytes of all custom args (root + personalization) of one message. */
  maxCustomArgsBytes: 10_000,
  /** How far ahead `send_at` may schedule, in seconds (72 h). */
  maxScheduleAheadSeconds: 72 * 3600,
} as const;

/** Headers SendGrid refuses in `headers` (they are set by SendGrid itself). */
const RESERVED_HEADERS = new Set(
  ["x-sg-id", "x-sg-eid", "received", "dkim-signature", "content-type", "content-transfer-encoding", "to", "from", "subject", "reply-to", "cc", "bcc"].map((h) =>
    h.toLowerCase(),
  ),
);

// Dynamic templates are `d-` + 32 hex digits; legacy templates are UUIDs (shared/vendors/sendgrid.md §3).
const DYNAMIC_TEMPLATE_ID = /^d-[0-9a-f]{32}$/i;
const LEGACY_TEMPLATE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `{ email, name? }`; the name may not contain `;` or `,` (SendGrid rejects it). @public */
export const EmailAddress = lazySchema(() =>
  z.strictObject({
  email: z.email({ message: "Does not contain a valid address." }),
  name: z
    .string()
    .min(1)
    .refine((name) => !/[;,]/.test(name), { message: "name must not contain ';' or ','" })
    .optional(),
}),
);
/** An address with an optional display name. @public */
export type EmailAddress = z.infer<typeof EmailAddress>;

const StringMap = lazySchema(() =>
  z.record(z.string(), z.string()),
);
const Enable = lazySchema(() =>
  z.strictObject({ enable: z.boolean() }),
);

/** One personalization: its recipients and per-recipient template data. @public */
export const Personalization = lazySchema(() =>
  z.strictObject({
  to: z.array(unlazy(EmailAddress)).min(1, { message: "a personalization needs at least one `to` recipient" }),
  cc: z.array(unlazy(EmailAddress)).optional(),
  bcc: z.array(unlazy(EmailAddress)).optional(),
  from: unlazy(EmailAddress).optional(),
  subject: z.string().min(1).optional(),
  headers: unlazy(StringMap).optional(),
  substitutions: z.record(z.string(), z.string()).optional(),
  dynamic_template_data: z.record(z.string(), z.unknown()).optional(),
  custom_args: unlazy(StringMap).optional(),
  send_at: z.number().int().positive().optional(),
}),
);
/** One personalization. @public */
export type Personalization = z.infer<typeof Personalization>;

/** A file attached to the message, base64-encoded. @public */
export const Attachment = lazySchema(() =>
  z.strictObject({
  content: z
    .string()
    .min(1)
    .refine((value) => value.length % 4 === 0 && BASE64.test(value), { message: "The attachment content must be base64 encoded." }),
  filename: z.string().min(1),
  type: z.string().min(1).optional(),
  disposition: z.enum(["attachment", "inline"]).optional(),
  content_id: z.string().min(1).optional(),
}),
);
/** An attachment. @public */
export type Attachment = z.infer<typeof Attachment>;

/** One body part; `text/plain` must come before `text/html`. @public */
export const Content = lazySchema(() =>
  z.strictObject({ type: z.string().min(1), value: z.string().min(1) }),
);

/** Mail settings; `sandbox_mode.enable: true` validates without sending (answers 200, not 202). @public */
export const MailSettings = lazySchema(() =>
  z.strictObject({
  bypass_list_management: unlazy(Enable).optional(),
  bypass_spam_management: unlazy(Enable).optional(),
  bypass_bounce_management: unlazy(Enable).optional(),
  bypass_unsubscribe_management: unlazy(Enable).optional(),
  footer: z.strictObject({ enable: z.boolean(), text: z.string().optional(), html: z.string().optional() }).optional(),
  sandbox_mode: unlazy(Enable).optional(),
}),
);

/** Click/open/subscription/Google Analytics tracking. @public */
export const TrackingSettings = lazySchema(() =>
  z.strictObject({
  click_tracking: z.strictObject({ enable: z.boolean(), enable_text: z.boolean().optional() }).optional(),
  open_tracking: z.strictObject({ enable: z.boolean(), substitution_tag: z.string().optional() }).optional(),
  subscription_tracking: z
    .object({ enable: z.boolean(), text: z.string().optional(), html: z.string().optional(), substitution_tag: z.string().optional() })
    .optional(),
  ganalytics: z
    .object({
      enable: z.boolean(),
      utm_source: z.string().optional(),
      utm_medium: z.string().optional(),
      utm_term: z.string().optional(),
      utm_content: z.string().optional(),
      utm_campaign: z.string().optional(),
    })
    .optional(),
}),
);

/** Everything of a message except its personalizations (shared by single and batch sends). */
const MessageFields = lazySchema(() =>
  z.strictObject({
  from: unlazy(EmailAddress),
  reply_to: unlazy(EmailAddress).optional(),
  reply_to_list: z.array(unlazy(EmailAddress)).min(1).max(1000).optional(),
  subject: z.string().min(1).optional(),
  content: z.array(unlazy(Content)).min(1).optional(),
  attachments: z.array(unlazy(Attachment)).optional(),
  template_id: z
    .string()
    .refine((id) => DYNAMIC_TEMPLATE_ID.test(id) || LEGACY_TEMPLATE_ID.test(id), {
      message: "template_id must be a dynamic template id (d- followed by 32 hex digits) or a legacy template UUID",
    })
    .optional(),
  headers: unlazy(StringMap).optional(),
  categories: z.array(z.string().min(1).max(255)).max(MAIL_LIMITS.maxCategories).optional(),
  custom_args: unlazy(StringMap).optional(),
  send_at: z.number().int().positive().optional(),
  batch_id: z.string().min(1).optional(),
  asm: z.strictObject({ group_id: z.number().int(), groups_to_display: z.array(z.number().int()).max(25).optional() }).optional(),
  ip_pool_name: z.string().min(2).max(64).optional(),
  mail_settings: unlazy(MailSettings).optional(),
  tracking_settings: unlazy(TrackingSettings).optional(),
}),
);

type Issue = { path: Array<string | number>; message: string };

const domainOf = (email: string): string => email.slice(email.lastIndexOf("@") + 1).toLowerCase();

/** Rules that span fields; shared by single and batch sends. `perRequest` adds the per-request caps. */
function messageIssues(
  message: z.infer<typeof MessageFields> & { personalizations: Personalization[] },
  options: { perRequest: boolean; nowSeconds: number },
): Issue[] {
  const issues: Issue[] = [];
  const { personalizations } = message;
  if (options.perRequest) {
    if (personalizations.length > MAIL_LIMITS.maxPersonalizations) {
      issues.push({ path: ["personalizations"], message: `at most ${MAIL_LIMITS.maxPersonalizations} personalizations per request (got ${personalizations.length}); use mail.sendBatch` });
    }
    const recipients = personalizations.reduce((n, p) => n + p.to.length + (p.cc?.length ?? 0) + (p.bcc?.length ?? 0), 0);
    if (recipients > MAIL_LIMITS.maxRecipients) {
      issues.push({ path: ["personalizations"], message: `at most ${MAIL_LIMITS.maxRecipients} recipients (to + cc + bcc) per request (got ${recipients}); use mail.sendBatch` });
    }
  }
  const rootDomain = domainOf(message.from.email);
  const dynamic = message.template_id !== undefined && DYNAMIC_TEMPLATE_ID.test(message.template_id);
  const rootCustomBytes = Buffer.byteLength(JSON.stringify(message.custom_args ?? {}));
  personalizations.forEach((p, i) => {
    const seen = new Set<string>();
    for (const kind of ["to", "cc", "bcc"] as const) {
      (p[kind] ?? []).forEach((address, j) => {
        const key = address.email.toLowerCase();
        if (seen.has(key)) issues.push({ path: ["personalizations", i, kind, j, "email"], message: `${address.email} appears more than once in this personalization's to/cc/bcc` });
        seen.add(key);
      });
    }
    if (p.from && domainOf(p.from.email) !== rootDomain) {
      issues.push({ path: ["personalizations", i, "from", "email"], message: `the personalization's from domain must equal the message's from domain (${rootDomain})` });
    }
    if (p.dynamic_template_data && !dynamic) {
      issues.push({ path: ["personalizations", i, "dynamic_template_data"], message: "dynamic_template_data needs a dynamic template_id (d-…)" });
    }
    if (p.custom_args && rootCustomBytes + Buffer.byteLength(JSON.stringify(p.custom_args)) >= MAIL_LIMITS.maxCustomArgsBytes) {
      issues.push({ path: ["personalizations", i, "custom_args"], message: `custom_args (root + personalization) must total under ${MAIL_LIMITS.maxCustomArgsBytes} bytes` });
    }
    if (p.send_at !== undefined && p.send_at > options.nowSeconds + MAIL_LIMITS.maxScheduleAheadSeconds) {
      issues.push({ path: ["personalizations", i, "send_at"], message: "send_at may be at most 72 hours ahead" });
    }
  });
  if (rootCustomBytes >= MAIL_LIMITS.maxCustomArgsBytes) {
    issues.push({ path: ["custom_args"], message: `custom_args must total under ${MAIL_LIMITS.maxCustomArgsBytes} bytes` });
  }
  if (message.send_at !== undefined && message.send_at > options.nowSeconds + MAIL_LIMITS.maxScheduleAheadSeconds) {
    issues.push({ path: ["send_at"], message: "send_at may be at most 72 hours ahead" });
  }
  if (message.reply_to && message.reply_to_list) {
    issues.push({ path: ["reply_to_list"], message: "reply_to and reply_to_list are mutually exclusive" });
  }
  if (message.reply_to_list) {
    const emails = message.reply_to_list.map((a) => a.email.toLowerCase());
    if (new Set(emails).size !== emails.length) issues.push({ path: ["reply_to_list"], message: "reply_to_list addresses must be unique" });
  }
  if (!message.template_id) {
    const everySubject = message.subject !== undefined || personalizations.every((p) => p.subject !== undefined);
    if (!everySubject) issues.push({ path: ["subject"], message: "subject is required unless template_id supplies it" });
    if (!message.content) issues.push({ path: ["content"], message: "content is required unless template_id supplies it" });
  }
  if (message.content) {
    const types = message.content.map((c) => c.type.toLowerCase());
    if (new Set(types).size !== types.length) issues.push({ path: ["content"], message: "each content type may appear only once" });
    const plain = types.indexOf("text/plain");
    const html = types.indexOf("text/html");
    if (plain !== -1 && html !== -1 && plain > html) issues.push({ path: ["content"], message: "text/plain must come before text/html" });
  }
  if (message.categories && new Set(message.categories).size !== message.categories.length) {
    issues.push({ path: ["categories"], message: "categories must be unique" });
  }
  const reserved = [message.headers, ...personalizations.map((p) => p.headers)].flatMap((h) => Object.keys(h ?? {})).filter((h) => RESERVED_HEADERS.has(h.toLowerCase()));
  for (const name of new Set(reserved)) issues.push({ path: ["headers", name], message: `header ${name} is reserved and set by SendGrid` });
  return issues;
}

function addIssues(ctx: { addIssue(issue: { code: "custom"; path: Array<string | number>; message: string }): void }, issues: Issue[]): void {
  for (const issue of issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
}

/** Whole request size; SendGrid caps the message at 30 MB including attachments. */
export function messageBytes(message: unknown): number {
  return Buffer.byteLength(JSON.stringify(message));
}

/** Input of `mail.send`: the SendGrid v3 mail/send body, validated before any I/O. @public */
export const SendMailInput = lazySchema(() =>
  unlazy(MessageFields).extend({
  personalizations: z.array(unlazy(Personalization)).min(1),
}).superRefine((message, ctx) => {
  addIssues(ctx, messageIssues(message, { perRequest: true, nowSeconds: Math.floor(Date.now() / 1000) }));
  const size = messageBytes(message);
  if (size >= MAIL_LIMITS.maxMessageBytes) {
    ctx.addIssue({ code: "custom", path: ["attachments"], message: `the message is ${size} bytes; SendGrid accepts under 30 MB including attachments` });
  }
}),
);
/** Input of `mail.send`. @public */
export type SendMailInput = z.input<typeof SendMailInput>;

/** What `mail.send` returns. @public */
export const SendMailResult = lazySchema(() =>
  z.object({
  /** `X-Message-Id`: webhook events' `sg_message_id` starts with it. Absent when SendGrid sent none (sandbox mode may omit it). */
  messageId: z.string().min(1).optional(),
  /** True when sandbox mode answered (200): the message was validated, not sent. */
  sandbox: z.boolean(),
  /** 202 (accepted) or 200 (sandbox). */
  status: z.union([z.literal(200), z.literal(202)]),
}),
);
/** What `mail.send` returns. @public */
export type SendMailResult = z.infer<typeof SendMailResult>;

/** Input of `mail.sendBatch`: one message to any number of personalizations, split into requests of ≤ 1000. @public */
export const SendBatchInput = lazySchema(() =>
  unlazy(MessageFields).extend({
  personalizations: z.array(unlazy(Personalization)).min(1),
  /** Personalizations per request (1..1000, default 1000); recipients per request are capped at 1000 as well. */
  chunkSize: z.number().int().min(1).max(MAIL_LIMITS.maxPersonalizations).optional(),
  /** Send only these chunk indexes (0-based) — to re-send the failed chunks of an earlier result. */
  onlyChunks: z.array(z.number().int().min(0)).min(1).optional(),
}).superRefine((message, ctx) => {
  addIssues(ctx, messageIssues(message, { perRequest: false, nowSeconds: Math.floor(Date.now() / 1000) }));
  message.personalizations.forEach((p, i) => {
    const n = p.to.length + (p.cc?.length ?? 0) + (p.bcc?.length ?? 0);
    if (n > MAIL_LIMITS.maxRecipients) ctx.addIssue({ code: "custom", path: ["personalizations", i], message: `a personalization may have at most ${MAIL_LIMITS.maxRecipients} recipients` });
  });
  const { personalizations, chunkSize: _c, onlyChunks: _o, ...shared } = message;
  const sharedBytes = messageBytes(shared);
  const largest = personalizations.reduce((max, p) => Math.max(max, messageBytes(p)), 0);
  if (sharedBytes + largest >= MAIL_LIMITS.maxMessageBytes) {
    ctx.addIssue({ code: "custom", path: ["attachments"], message: `each request would be over 30 MB (${sharedBytes} bytes before personalizations); SendGrid accepts under 30 MB including attachments` });
  }
}),
);
/** Input of `mail.sendBatch`. @public */
export type SendBatchInput = z.input<typeof SendBatchInput>;

/** A bounce or block row. @public */
export const BounceRow = lazySchema(() =>
  z.object({ created: z.number(), email: z.string(), reason: z.string().optional(), status: z.string().optional() }),
);
/** A bounce or block row. @public */
export type BounceRow = z.infer<typeof BounceRow>;
/** A spam report row. @public */
export const SpamReportRow = lazySchema(() =>
  z.object({ created: z.number(), email: z.string(), ip: z.string().optional() }),
);
/** A spam report row. @public */
export type SpamReportRow = z.infer<typeof SpamReportRow>;
/** A global unsubscribe row. @public */
export const UnsubscribeRow = lazySchema(() =>
  z.object({ created: z.number(), email: z.string() }),
);
/** A global unsubscribe row. @public */
export type UnsubscribeRow = z.infer<typeof UnsubscribeRow>;

/** Query of every suppression list: a time window (unix seconds, inclusive) and an offset page. @public */
export const ListSuppressionsInput = lazySchema(() =>
  z
  .strictObject({
    startTime: z.number().int().nonnegative().optional(),
    endTime: z.number().int().nonnegative().optional(),
    /** Rows per page (1..500, default 500). */
    limit: z.number().int().min(1).max(500).optional(),
    offset: z.number().int().nonnegative().optional(),
  })
  .refine((q) => q.startTime === undefined || q.endTime === undefined || q.startTime <= q.endTime, { message: "startTime must not be after endTime", path: ["startTime"] }),
);
/** Query of every suppression list. @public */
export type ListSuppressionsInput = z.input<typeof ListSuppressionsInput>;

/** Remove some addresses (`emails`) or everything (`deleteAll: true`) from a suppression list. @public */
export const DeleteSuppressionsInput = lazySchema(() =>
  z
  .strictObject({ emails: z.array(z.email()).min(1).optional(), deleteAll: z.literal(true).optional() })
  .refine((d) => (d.emails === undefined) !== (d.deleteAll === undefined), { message: "give exactly one of emails or deleteAll: true", path: ["emails"] }),
);
/** Remove addresses from a suppression list. @public */
export type DeleteSuppressionsInput = z.input<typeof DeleteSuppressionsInput>;

/** One address. @public */
export const EmailInput = lazySchema(() =>
  z.strictObject({ email: z.email() }),
);

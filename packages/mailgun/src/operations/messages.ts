/**
 * POST /v3/{domain}/messages as multipart/form-data (shared/vendors/mailgun.md §3): repeated
 * `to`/`cc`/`bcc`/`o:tag` fields, `t:`/`o:`/`h:`/`v:` parameters, `attachment` and `inline`
 * file parts. Every rule Mailgun would answer 400 for that can be checked locally is checked
 * by the input schema, before the upload.
 */
import { createHash } from "node:crypto";
import { defineOperation, lazySchema, type OperationContext } from "@connect/core";
import { MAILGUN_LIMITS, SendMessageResult, sendMessageSchema, type Attachment, type MailgunSendLimits, type SendMessageParsed } from "../schemas.js";

/** Headers every request of a client carries (the subaccount it acts for). @internal */
export function accountHeaders(ctx: OperationContext): Record<string, string> {
  return ctx.params.onBehalfOf ? { "x-mailgun-on-behalf-of": ctx.params.onBehalfOf } : {};
}

/** `/v3/<domain>` of the client's domain. @internal */
export function domainPath(ctx: OperationContext): string {
  return `/v3/${encodeURIComponent(ctx.params.domain!)}`;
}

/** An RFC 2822 date with a numeric offset, as Mailgun wants it (`Thu, 13 Oct 2011 18:02:00 +0000`). @internal */
export function rfc2822(value: Date | number | string): string {
  if (typeof value === "string") return value;
  const date = typeof value === "number" ? new Date(value * 1000) : value;
  return date.toUTCString().replace(/GMT$/, "+0000");
}

function yesNo(value: boolean | string): string {
  return typeof value === "boolean" ? (value ? "yes" : "no") : value;
}

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function filePart(file: Attachment): Blob {
  const type = file.contentType ?? "application/octet-stream";
  // A copy into a plain ArrayBuffer: Blob takes no SharedArrayBuffer-backed views.
  return new Blob([typeof file.content === "string" ? file.content : new Uint8Array(file.content)], { type });
}

/** The multipart body of a send, fields in Mailgun's names. @internal */
export function messageForm(input: SendMessageParsed): FormData {
  const form = new FormData();
  const put = (name: string, value: string | undefined) => {
    if (value !== undefined) form.append(name, value);
  };
  put("from", input.from);
  for (const to of asList(input.to)) form.append("to", to);
  for (const cc of asList(input.cc)) form.append("cc", cc);
  for (const bcc of asList(input.bcc)) form.append("bcc", bcc);
  put("subject", input.subject);
  put("text", input.text);
  put("html", input.html);
  put("amp-html", input.ampHtml);
  put("template", input.template);
  put("t:version", input.templateVersion);
  if (input.templateText !== undefined) put("t:text", yesNo(input.templateText));
  if (input.templateVariables !== undefined) {
    put(input.templateVariablesAs === "h:X-Mailgun-Variables" ? "h:X-Mailgun-Variables" : "t:variables", JSON.stringify(input.templateVariables));
  }
  for (const tag of input.tags ?? []) form.append("o:tag", tag);
  if (input.tracking !== undefined) put("o:tracking", yesNo(input.tracking));
  if (input.trackingClicks !== undefined) put("o:tracking-clicks", yesNo(input.trackingClicks));
  if (input.trackingOpens !== undefined) put("o:tracking-opens", yesNo(input.trackingOpens));
  if (input.deliveryTime !== undefined) put("o:deliverytime", rfc2822(input.deliveryTime));
  if (input.testMode !== undefined) put("o:testmode", yesNo(input.testMode));
  if (input.requireTls !== undefined) put("o:require-tls", yesNo(input.requireTls));
  if (input.skipVerification !== undefined) put("o:skip-verification", yesNo(input.skipVerification));
  if (input.dkim !== undefined) put("o:dkim", yesNo(input.dkim));
  for (const [name, value] of Object.entries(input.options ?? {})) form.append(`o:${name}`, value);
  for (const [name, value] of Object.entries(input.headers ?? {})) form.append(`h:${name}`, value);
  for (const [name, value] of Object.entries(input.variables ?? {})) form.append(`v:${name}`, value);
  if (input.recipientVariables !== undefined) put("recipient-variables", JSON.stringify(input.recipientVariables));
  for (const file of input.attachments ?? []) form.append("attachment", filePart(file), file.filename);
  for (const file of input.inline ?? []) form.append("inline", filePart(file), file.filename);
  return form;
}

/** Mailgun's id without its angle brackets (how events carry it). @public */
export function stripMessageId(id: string): string {
  return id.trim().replace(/^<(.*)>$/, "$1");
}

const digest = (content: string | Uint8Array) => createHash("sha256").update(content).digest("hex");

/**
 * Build `messages.send` for a set of limits. Safety `unsafe`: Mailgun has no idempotency key,
 * so after a 5xx or a timeout the call ends in `UnknownOutcomeError` rather than risk a
 * second email; a 429 (rejected before sending) is retried after its wait.
 * @public
 */
export function createSendMessageOperation(limits: MailgunSendLimits = MAILGUN_LIMITS) {
  return defineOperation({
    id: "messages.send",
    input: sendMessageSchema(limits),
    output: SendMessageResult,
    safety: "unsafe",
    request: (input, ctx) => ({ method: "POST", path: `${domainPath(ctx)}/messages`, body: { multipart: messageForm(input) }, headers: accountHeaders(ctx) }),
    response: (response) => {
      const body = (response.body ?? {}) as { id?: unknown; message?: unknown };
      // An id that is not a string is passed on as it came, so the output schema reports the
      // drift instead of a send resolving to an empty id (events could never be matched to it).
      return { id: body.id, messageId: typeof body.id === "string" ? stripMessageId(body.id) : body.id, message: body.message };
    },
    // The derived idempotency key hashes file contents instead of serialising megabytes.
    keyFields: (input) => ({
      ...input,
      attachments: input.attachments?.map((file) => ({ ...file, content: digest(file.content) })),
      inline: input.inline?.map((file) => ({ ...file, content: digest(file.content) })),
    }),
  });
}

/** `messages.send` with the default limits. @public */
export const sendMessage = lazySchema(() => createSendMessageOperation());

/**
 * SendEmail and SendBulkEmail, run through core's `execute` hook with the SESv2 SDK client (loaded
 * on the first call; SigV4 is the SDK's job; its own retries are off so core's policy is the only
 * retry layer). SES has no
 * idempotency key, so both are `unsafe` writes: retried only when the request provably never
 * reached SES (a 429, a refused connection); after a timeout or a 5xx they end in
 * `UnknownOutcomeError` (shared/vendors/ses.md §2–§4).
 */
import { createHash } from "node:crypto";
import type { Attachment as SdkAttachment, SendBulkEmailCommandInput, SendEmailCommandInput } from "@aws-sdk/client-sesv2";
import { defineOperation, ValidationError, type OperationContext } from "@connect/core";
import type { z } from "zod";
import { formatAddress, type ParsedAddress } from "../address.js";
import { buildMime } from "../mime.js";
import { BulkChunkOutput, SendBulkEmailInput, SendEmailInput, SendEmailOutput, SES_LIMITS } from "../schemas.js";
import type { LazySesSdk } from "../sdk.js";

/** The SDK's send options carrying the call's abort signal. @internal */
export function signal(ctx: OperationContext): { abortSignal: AbortSignal } | undefined {
  return ctx.signal ? { abortSignal: ctx.signal } : undefined;
}

/** Client-level defaults applied to every send. @internal */
export interface SendDefaults {
  configurationSetName?: string | undefined;
  /** MIME boundary source and clock, for tests of the built Raw message. */
  mime?: { boundary?: () => string; now?: () => Date } | undefined;
}

type SendInput = z.output<typeof SendEmailInput>;
type Content = NonNullable<SendEmailCommandInput["Content"]>;

const list = (addresses: ParsedAddress[] | undefined): string[] | undefined => (addresses?.length ? addresses.map(formatAddress) : undefined);
const toBytes = (content: Uint8Array | string): Uint8Array => (typeof content === "string" ? Buffer.from(content, "utf8") : content);
const wireTags = (tags: Record<string, string> | undefined) => (tags ? Object.entries(tags).map(([Name, Value]) => ({ Name, Value })) : undefined);
const wireHeaders = (headers: Record<string, string> | undefined) => (headers && Object.keys(headers).length ? Object.entries(headers).map(([Name, Value]) => ({ Name, Value })) : undefined);

function sdkAttachments(input: SendInput): SdkAttachment[] | undefined {
  return input.attachments?.map((a) => ({
    RawContent: toBytes(a.content),
    FileName: a.filename,
    ...(a.contentType !== undefined ? { ContentType: a.contentType } : {}),
    ContentDisposition: a.disposition === "inline" ? "INLINE" : "ATTACHMENT",
    ...(a.contentId !== undefined ? { ContentId: a.contentId.replace(/^<|>$/g, "") } : {}),
    ContentTransferEncoding: "BASE64",
  }));
}

/** The kind of content a validated send carries. @internal */
export function contentKind(input: SendInput): SendEmailOutput["kind"] {
  if (input.template !== undefined) return "template";
  if (input.raw !== undefined || input.attachments?.length) return "raw";
  return "simple";
}

/**
 * The SendEmail request of a validated input. A simple message with attachments becomes a Raw
 * MIME message built here; its exact size is checked against the 40 MB limit before sending.
 * @internal
 */
export function sendEmailRequest(input: SendInput, defaults: SendDefaults, operation = "emails.send"): SendEmailCommandInput {
  const kind = contentKind(input);
  const headers = wireHeaders(input.headers);
  let content: Content;
  if (kind === "template") {
    content = {
      Template: {
        TemplateName: input.template!.name,
        TemplateData: JSON.stringify(input.template!.data ?? {}),
        ...(headers ? { Headers: headers } : {}),
        ...(input.attachments?.length ? { Attachments: sdkAttachments(input) } : {}),
      },
    };
  } else if (kind === "raw") {
    const data =
      input.raw !== undefined
        ? toBytes(input.raw)
        : buildMime({
            from: input.from,
            to: input.to ?? [],
            cc: input.cc ?? [],
            replyTo: input.replyTo ?? [],
            subject: input.subject!,
            text: input.text,
            html: input.html,
            headers: input.headers,
            attachments: input.attachments ?? [],
            date: defaults.mime?.now?.(),
            boundary: defaults.mime?.boundary,
          });
    if (data.byteLength > SES_LIMITS.messageBytes) {
      throw new ValidationError(`ses ${operation}: the MIME message is ${data.byteLength} bytes; SES takes at most ${SES_LIMITS.messageBytes}`, {
        vendor: "ses",
        operation,
        issues: [{ path: input.raw !== undefined ? "raw" : "attachments", message: `${data.byteLength} bytes > ${SES_LIMITS.messageBytes}`, code: "too_big" }],
      });
    }
    content = { Raw: { Data: data } };
  } else {
    content = {
      Simple: {
        Subject: { Data: input.subject!, Charset: "UTF-8" },
        Body: {
          ...(input.text !== undefined ? { Text: { Data: input.text, Charset: "UTF-8" } } : {}),
          ...(input.html !== undefined ? { Html: { Data: input.html, Charset: "UTF-8" } } : {}),
        },
        ...(headers ? { Headers: headers } : {}),
      },
    };
  }
  const to = list(input.to);
  const cc = list(input.cc);
  const bcc = list(input.bcc);
  const replyTo = list(input.replyTo);
  const tags = wireTags(input.tags);
  const configurationSetName = input.configurationSetName ?? defaults.configurationSetName;
  return {
    FromEmailAddress: formatAddress(input.from),
    ...(to || cc || bcc ? { Destination: { ...(to ? { ToAddresses: to } : {}), ...(cc ? { CcAddresses: cc } : {}), ...(bcc ? { BccAddresses: bcc } : {}) } } : {}),
    ...(replyTo ? { ReplyToAddresses: replyTo } : {}),
    ...(input.feedbackForwardingAddress ? { FeedbackForwardingEmailAddress: input.feedbackForwardingAddress.email } : {}),
    Content: content,
    ...(tags ? { EmailTags: tags } : {}),
    ...(configurationSetName !== undefined ? { ConfigurationSetName: configurationSetName } : {}),
    ...(input.listManagement
      ? { ListManagementOptions: { ContactListName: input.listManagement.contactListName, ...(input.listManagement.topicName ? { TopicName: input.listManagement.topicName } : {}) } }
      : {}),
  };
}

const digest = (content: Uint8Array | string): string => `sha256:${createHash("sha256").update(content).digest("hex")}`;

/** What the derived idempotency key covers: the whole message, with file and raw bytes as digests. @internal */
export function sendKeyFields(input: SendInput): unknown {
  return {
    ...input,
    ...(input.raw !== undefined ? { raw: digest(input.raw) } : {}),
    ...(input.attachments ? { attachments: input.attachments.map((a) => ({ ...a, content: digest(a.content) })) } : {}),
  };
}

type BulkInput = z.output<typeof SendBulkEmailInput>;

/** The SendBulkEmail request of ≤ 50 validated entries. @internal */
export function sendBulkRequest(input: BulkInput, defaults: SendDefaults): SendBulkEmailCommandInput {
  const configurationSetName = input.configurationSetName ?? defaults.configurationSetName;
  const replyTo = list(input.replyTo);
  const tags = wireTags(input.tags);
  return {
    FromEmailAddress: formatAddress(input.from),
    ...(replyTo ? { ReplyToAddresses: replyTo } : {}),
    ...(input.feedbackForwardingAddress ? { FeedbackForwardingEmailAddress: input.feedbackForwardingAddress.email } : {}),
    DefaultContent: { Template: { TemplateName: input.template.name, TemplateData: JSON.stringify(input.template.data ?? {}) } },
    ...(tags ? { DefaultEmailTags: tags } : {}),
    BulkEmailEntries: input.entries.map((entry) => {
      const [to, cc, bcc, entryTags, headers] = [list(entry.to), list(entry.cc), list(entry.bcc), wireTags(entry.tags), wireHeaders(entry.headers)];
      return {
        Destination: { ...(to ? { ToAddresses: to } : {}), ...(cc ? { CcAddresses: cc } : {}), ...(bcc ? { BccAddresses: bcc } : {}) },
        ...(entryTags ? { ReplacementTags: entryTags } : {}),
        ...(entry.data !== undefined ? { ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: JSON.stringify(entry.data) } } } : {}),
        ...(headers ? { ReplacementHeaders: headers } : {}),
      };
    }),
    ...(configurationSetName !== undefined ? { ConfigurationSetName: configurationSetName } : {}),
  };
}

/** Build the send operations around one SDK client. @internal */
export function createEmailOperations(sdk: LazySesSdk, defaults: SendDefaults) {
  const sendEmail = defineOperation({
    id: "emails.send",
    input: SendEmailInput,
    output: SendEmailOutput,
    // No idempotency key in SES: a send that may have reached SES is not sent again (UnknownOutcomeError).
    safety: "unsafe",
    keyFields: sendKeyFields,
    execute: async (input, ctx) => {
      const request = sendEmailRequest(input, defaults);
      const { client, aws } = await sdk.get();
      const out = await client.send(new aws.SendEmailCommand(request), signal(ctx));
      return { messageId: out.MessageId, kind: contentKind(input) };
    },
  });

  const sendBulkChunk = defineOperation({
    id: "emails.sendBulk",
    input: SendBulkEmailInput,
    output: BulkChunkOutput,
    safety: "unsafe",
    execute: async (input, ctx) => {
      if (input.entries.length > SES_LIMITS.bulkEntriesPerRequest) throw new RangeError(`emails.sendBulk: ${input.entries.length} entries in one request (the client splits into ${SES_LIMITS.bulkEntriesPerRequest})`);
      const { client, aws } = await sdk.get();
      const out = await client.send(new aws.SendBulkEmailCommand(sendBulkRequest(input, defaults)), signal(ctx));
      return {
        results: (out.BulkEmailEntryResults ?? []).map((r) => ({
          status: r.Status ?? "FAILED",
          ...(r.MessageId !== undefined ? { messageId: r.MessageId } : {}),
          ...(r.Error !== undefined ? { error: r.Error } : {}),
        })),
      };
    },
  });

  return { sendEmail, sendBulkChunk };
}

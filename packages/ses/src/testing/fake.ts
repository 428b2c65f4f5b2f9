/**
 * A stateful fake of SES (API v2, restJson1) as msw handlers: SendEmail (simple, raw, template),
 * SendBulkEmail (per-entry results), the suppression list, GetAccount. It validates as SES does
 * (one content kind, ≤ 50 recipients, 40 MB, header and tag patterns, ≤ 50 bulk entries, unknown
 * template or configuration set → 404), refuses unverified senders (and in the sandbox
 * recipients), paused and suspended accounts, keeps every accepted message (Raw MIME decoded),
 * and publishes SES events about them in SNS envelopes signed with core's test certificate.
 * With credentials configured, every request's SigV4 signature (signing name `ses`) is checked.
 * Requests it does not implement answer core's 501 "not implemented by the fake".
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { SnsEnvelope } from "@connect/core/aws";
import { notImplementedByFake, notImplementedHandler, postSnsEnvelope, signSnsEnvelope, verifySigV4, type FakeCredentials } from "@connect/core/testing";
import { http, HttpResponse, type RequestHandler } from "msw";
import { buildSesEvent, type FakeEventSpec } from "./events.js";
import { parseMime, type FakeMimeMessage } from "./mime-parse.js";

/** The fake's name in its "not implemented" answers. @public */
export const SES_FAKE_NAME = "@connect/ses/testing";

/** A stored SES template. @public */
export interface FakeTemplate {
  subject: string;
  text?: string | undefined;
  html?: string | undefined;
}

/** A file of an accepted message. @public */
export interface FakeAttachment {
  filename: string | undefined;
  contentType: string;
  disposition: string | undefined;
  contentId: string | undefined;
  content: Buffer;
}

/** A message the fake accepted. @public */
export interface FakeSentEmail {
  messageId: string;
  kind: "simple" | "raw" | "template";
  /** From the request, or the Raw message's From header. */
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string | undefined;
  text: string | undefined;
  html: string | undefined;
  headers: Record<string, string>;
  tags: Record<string, string>;
  configurationSetName: string | undefined;
  templateName: string | undefined;
  templateData: Record<string, unknown> | undefined;
  attachments: FakeAttachment[];
  /** Raw sends: the decoded bytes and the parsed message. */
  raw: Buffer | undefined;
  mime: FakeMimeMessage | undefined;
  /** Recipients on the suppression list (accepted; SES then bounces them `OnAccountSuppressionList`). */
  suppressed: string[];
  /** Templates: the `{{var}}` SES could not render (it then publishes `Rendering Failure`). */
  renderingFailure: string | undefined;
  /** Set by SendBulkEmail. */
  bulk: boolean;
  sentAt: Date;
}

/** A suppression list entry. @public */
export interface FakeSuppression {
  reason: "BOUNCE" | "COMPLAINT";
  lastUpdateTime: Date;
  messageId?: string | undefined;
  feedbackId?: string | undefined;
}

/** The account state GetAccount reports and sends obey. @public */
export interface FakeAccount {
  sendingEnabled: boolean;
  productionAccessEnabled: boolean;
  enforcementStatus: "HEALTHY" | "PROBATION" | "SHUTDOWN";
  max24HourSend: number;
  maxSendRate: number;
  sentLast24Hours: number;
  suppressedReasons: ("BOUNCE" | "COMPLAINT")[];
}

/** A request the fake received. @public */
export interface FakeCall {
  /** SES operation name, e.g. `SendEmail`. */
  operation: string;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: Record<string, unknown> | undefined;
}

/** Options of {@link createSesFake}. @public */
export interface SesFakeOptions {
  /**
   * Verified identities (addresses or domains). A From that matches none is refused
   * `MessageRejected` as in SES; omitted, every sender is accepted.
   */
  identities?: readonly string[] | undefined;
  /** Start in the sandbox: recipients must be verified identities or simulator addresses. */
  sandbox?: boolean | undefined;
  /** Templates by name. */
  templates?: Readonly<Record<string, FakeTemplate>> | undefined;
  /** Known configuration sets; a send naming another is refused 404. Omitted, any name is accepted. */
  configurationSets?: readonly string[] | undefined;
  /** Credentials whose SigV4 signatures are accepted; unset, any request is accepted. */
  credentials?: FakeCredentials | readonly FakeCredentials[] | undefined;
  /** Region the credential scope must name when `credentials` is set (default: any). */
  region?: string | undefined;
  /** SNS topic of published events (default `arn:aws:sns:us-east-1:111122223333:ses-events`). */
  topicArn?: string | undefined;
  /** SNS SignatureVersion of published events (default "2"). */
  signatureVersion?: "1" | "2" | undefined;
  /** Clock (epoch ms) for signatures and timestamps. */
  now?: (() => number) | undefined;
}

/** The fake and its controls. @public */
export interface SesFake {
  handlers: RequestHandler[];
  calls: FakeCall[];
  /** Accepted messages, in order. */
  sent: FakeSentEmail[];
  templates: Map<string, FakeTemplate>;
  suppressions: Map<string, FakeSuppression>;
  identities: Set<string>;
  account: FakeAccount;
  /** Verify an identity (address or domain). */
  verifyIdentity(identity: string): void;
  /** Fail the next call of `operation` (e.g. `SendEmail`) with an SES error. */
  failNext(operation: string, error: { code: string; status?: number; message?: string }): void;
  /** Answer the next bulk entries with these statuses (e.g. `TRANSIENT_FAILURE`) instead of sending them. */
  failNextEntries(...statuses: string[]): void;
  /** Pause account sending (SendingPausedException) or resume it. */
  setSendingEnabled(enabled: boolean): void;
  /** Suspend the account (AccountSuspendedException; enforcement SHUTDOWN). */
  suspend(): void;
  /** A message by MessageId. */
  message(messageId: string): FakeSentEmail | undefined;
  /** The SES event JSON of an event about an accepted message. */
  event(messageId: string, spec: FakeEventSpec): Record<string, unknown>;
  /** The SES event in a signed SNS Notification envelope. */
  envelope(messageId: string, spec: FakeEventSpec & { snsMessageId?: string; signatureVersion?: "1" | "2"; topicArn?: string }): SnsEnvelope;
  /** Sign and POST an event to a host's SNS endpoint. */
  publish(url: string, messageId: string, spec: FakeEventSpec & { snsMessageId?: string; signatureVersion?: "1" | "2"; topicArn?: string }): Promise<Response>;
  /** POST a signed SubscriptionConfirmation for the topic to a host's endpoint. */
  confirmSubscription(url: string, options?: { topicArn?: string; token?: string }): Promise<Response>;
}

const JSON_TYPE = "application/json";
const TAG = /^[A-Za-z0-9_-]{1,256}$/;
const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]{1,126}$/;
const SIMULATOR = /@simulator\.amazonses\.com$/i;
const MAX_BYTES = 40 * 1024 * 1024;

function awsError(code: string, message: string, status = 400): Response {
  return HttpResponse.json({ message }, { status, headers: { "content-type": JSON_TYPE, "x-amzn-errortype": code, "x-amzn-requestid": randomUUID() } });
}

function ok(body: unknown): Response {
  return HttpResponse.json(body as Record<string, unknown>, { headers: { "content-type": JSON_TYPE, "x-amzn-requestid": randomUUID() } });
}

/** The bare address of `"Name <a@b>"` (encoded-word names included). */
function bare(address: string): string {
  const m = /<([^<>]+)>\s*$/.exec(address);
  return (m ? m[1]! : address).trim();
}

function splitAddresses(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
    .map((a) => bare(a))
    .filter((a) => a !== "");
}

function render(template: string | undefined, data: Record<string, unknown>): { text: string | undefined; missing: string | undefined } {
  if (template === undefined) return { text: undefined, missing: undefined };
  let missing: string | undefined;
  const text = template.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (_m, name: string) => {
    const value = name.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), data);
    if (value === undefined) {
      missing ??= name;
      return "";
    }
    return String(value);
  });
  return { text, missing };
}

/** Create a fake SES. @public */
export function createSesFake(options: SesFakeOptions = {}): SesFake {
  const now = options.now ?? Date.now;
  const calls: FakeCall[] = [];
  const sent: FakeSentEmail[] = [];
  const templates = new Map(Object.entries(options.templates ?? {}));
  const suppressions = new Map<string, FakeSuppression>();
  const identities = new Set((options.identities ?? []).map((i) => i.toLowerCase()));
  const checkIdentities = options.identities !== undefined;
  const configurationSets = options.configurationSets ? new Set(options.configurationSets) : undefined;
  const failures = new Map<string, { code: string; status?: number; message?: string }[]>();
  const entryFailures: string[] = [];
  const topicArn = options.topicArn ?? "arn:aws:sns:us-east-1:111122223333:ses-events";
  const region = options.region ?? "us-east-1";
  const account: FakeAccount = {
    sendingEnabled: true,
    productionAccessEnabled: !options.sandbox,
    enforcementStatus: "HEALTHY",
    max24HourSend: options.sandbox ? 200 : 50_000,
    maxSendRate: options.sandbox ? 1 : 14,
    sentLast24Hours: 0,
    suppressedReasons: ["BOUNCE", "COMPLAINT"],
  };
  const credentials: readonly FakeCredentials[] | undefined =
    options.credentials === undefined ? undefined : Array.isArray(options.credentials) ? options.credentials : [options.credentials as FakeCredentials];

  const verified = (address: string): boolean => {
    const email = address.toLowerCase();
    return identities.has(email) || identities.has(email.split("@").pop() ?? "");
  };
  const messageId = (): string => `010201${randomBytes(5).toString("hex")}-${randomUUID()}-000000`;

  /** Errors SES answers before looking at the content: account state, sender, configuration set. */
  function gate(from: string, recipients: string[], configurationSetName: unknown): Response | undefined {
    if (account.enforcementStatus === "SHUTDOWN") return awsError("AccountSuspendedException", "Your account has been suspended; sending is permanently restricted.");
    if (!account.sendingEnabled) return awsError("SendingPausedException", "Sending is paused for this account.");
    if (configurationSetName !== undefined && configurationSets && !configurationSets.has(String(configurationSetName))) {
      return awsError("NotFoundException", `Configuration set <${String(configurationSetName)}> does not exist.`, 404);
    }
    const unverified = [
      ...(checkIdentities && !verified(from) ? [from] : []),
      ...(!account.productionAccessEnabled ? recipients.filter((r) => !verified(r) && !SIMULATOR.test(r)) : []),
    ];
    if (unverified.length) {
      return awsError("MessageRejected", `Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${unverified.join(", ")}`);
    }
    if (account.max24HourSend >= 0 && account.sentLast24Hours + recipients.length > account.max24HourSend) {
      return awsError("LimitExceededException", "Daily message quota exceeded.");
    }
    return undefined;
  }

  function checkTags(tags: unknown, where: string): Response | undefined {
    if (tags === undefined) return undefined;
    if (!Array.isArray(tags)) return awsError("BadRequestException", `${where} must be a list`);
    for (const t of tags as { Name?: unknown; Value?: unknown }[]) {
      if (typeof t?.Name !== "string" || !TAG.test(t.Name) || typeof t.Value !== "string" || !TAG.test(t.Value)) {
        return awsError("BadRequestException", `Invalid tag name or value in ${where}: tags may only contain ASCII letters, numbers, underscores and dashes (1-256 characters).`);
      }
    }
    return undefined;
  }

  function checkHeaders(headers: unknown): Response | undefined {
    if (headers === undefined) return undefined;
    if (!Array.isArray(headers) || headers.length > 15) return awsError("BadRequestException", "At most 15 headers may be set.");
    for (const h of headers as { Name?: unknown; Value?: unknown }[]) {
      if (typeof h?.Name !== "string" || !HEADER_NAME.test(h.Name)) return awsError("BadRequestException", "Header names are 1-126 printable ASCII characters without ':'.");
      if (typeof h.Value !== "string" || h.Value.length < 1 || h.Value.length > 995 || h.Name.length + h.Value.length > 996) return awsError("BadRequestException", `Invalid value of header ${h.Name}.`);
    }
    return undefined;
  }

  const tagsOf = (tags: unknown): Record<string, string> => Object.fromEntries(((tags as { Name: string; Value: string }[] | undefined) ?? []).map((t) => [t.Name, t.Value]));
  const headersOf = (headers: unknown): Record<string, string> => Object.fromEntries(((headers as { Name: string; Value: string }[] | undefined) ?? []).map((h) => [h.Name, h.Value]));
  const attachmentsOf = (list: unknown): FakeAttachment[] =>
    ((list as { FileName: string; RawContent: string; ContentType?: string; ContentDisposition?: string; ContentId?: string }[] | undefined) ?? []).map((a) => ({
      filename: a.FileName,
      contentType: a.ContentType ?? "application/octet-stream",
      disposition: a.ContentDisposition?.toLowerCase(),
      contentId: a.ContentId,
      content: Buffer.from(a.RawContent ?? "", "base64"),
    }));

  function destination(body: Record<string, unknown>): { to: string[]; cc: string[]; bcc: string[] } {
    const d = (body.Destination ?? {}) as { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
    return { to: (d.ToAddresses ?? []).map(bare), cc: (d.CcAddresses ?? []).map(bare), bcc: (d.BccAddresses ?? []).map(bare) };
  }

  function record(message: Omit<FakeSentEmail, "messageId" | "suppressed" | "sentAt">): FakeSentEmail {
    const recipients = [...message.to, ...message.cc, ...message.bcc];
    const stored: FakeSentEmail = { ...message, messageId: messageId(), suppressed: recipients.filter((r) => suppressions.has(r.toLowerCase())), sentAt: new Date(now()) };
    account.sentLast24Hours += recipients.length;
    sent.push(stored);
    return stored;
  }

  function sendEmail(body: Record<string, unknown>): Response {
    const content = (body.Content ?? {}) as { Simple?: Record<string, unknown>; Raw?: { Data?: string }; Template?: Record<string, unknown> };
    const kinds = (["Simple", "Raw", "Template"] as const).filter((k) => content[k] !== undefined);
    if (kinds.length !== 1) return awsError("BadRequestException", "Exactly one of Simple, Raw or Template content must be specified.");
    let { to, cc, bcc } = destination(body);
    let from = typeof body.FromEmailAddress === "string" ? bare(body.FromEmailAddress) : undefined;
    const tagError = checkTags(body.EmailTags, "EmailTags");
    if (tagError) return tagError;
    const common = {
      replyTo: ((body.ReplyToAddresses as string[] | undefined) ?? []).map(bare),
      tags: tagsOf(body.EmailTags),
      configurationSetName: typeof body.ConfigurationSetName === "string" ? body.ConfigurationSetName : undefined,
      bulk: false,
    };
    if (content.Simple) {
      const s = content.Simple as { Subject?: { Data?: string }; Body?: { Text?: { Data?: string }; Html?: { Data?: string } }; Headers?: unknown; Attachments?: unknown };
      if (!s.Subject?.Data || !s.Body || (s.Body.Text === undefined && s.Body.Html === undefined)) return awsError("BadRequestException", "Simple content requires a Subject and a Body with Text or Html.");
      const headerError = checkHeaders(s.Headers);
      if (headerError) return headerError;
      if (!from) return awsError("BadRequestException", "FromEmailAddress is required.");
      const recipients = [...to, ...cc, ...bcc];
      if (recipients.length === 0) return awsError("BadRequestException", "Destination must contain at least one recipient.");
      if (recipients.length > 50) return awsError("MessageRejected", "Recipient count exceeds 50.");
      const gated = gate(from, recipients, body.ConfigurationSetName);
      if (gated) return gated;
      const size = Buffer.byteLength(JSON.stringify(s), "utf8");
      if (size > MAX_BYTES) return awsError("MessageRejected", "Message length is more than 40 MB.");
      const stored = record({ kind: "simple", from, to, cc, bcc, ...common, subject: s.Subject.Data, text: s.Body.Text?.Data, html: s.Body.Html?.Data, headers: headersOf(s.Headers), templateName: undefined, templateData: undefined, attachments: attachmentsOf(s.Attachments), raw: undefined, mime: undefined, renderingFailure: undefined });
      return ok({ MessageId: stored.messageId });
    }
    if (content.Raw) {
      if (typeof content.Raw.Data !== "string") return awsError("BadRequestException", "Raw.Data is required.");
      const raw = Buffer.from(content.Raw.Data, "base64");
      if (raw.byteLength > MAX_BYTES) return awsError("MessageRejected", "Message length is more than 40 MB.");
      const text = raw.toString("latin1");
      if (!/\r?\n\r?\n/.test(text)) return awsError("MessageRejected", "The message has no header/body separator.");
      if (text.split(/\r?\n/).some((line) => line.length > 1000)) return awsError("MessageRejected", "Message contains a line longer than 1000 characters.");
      if (/[\x80-\xff]/.test(text)) return awsError("MessageRejected", "Message contains 8-bit data that is not transfer-encoded.");
      const mime = parseMime(raw);
      from ??= splitAddresses(mime.headers.from)[0];
      if (!from) return awsError("BadRequestException", "No From address in the request or the message.");
      if (to.length + cc.length + bcc.length === 0) {
        to = splitAddresses(mime.headers.to);
        cc = splitAddresses(mime.headers.cc);
        bcc = splitAddresses(mime.headers.bcc);
      }
      const recipients = [...to, ...cc, ...bcc];
      if (recipients.length === 0) return awsError("BadRequestException", "Destination must contain at least one recipient.");
      if (recipients.length > 50) return awsError("MessageRejected", "Recipient count exceeds 50.");
      const gated = gate(from, recipients, body.ConfigurationSetName);
      if (gated) return gated;
      const attachments = mime.attachments.map((p) => ({ filename: p.filename, contentType: p.contentType, disposition: p.disposition, contentId: p.contentId, content: p.content }));
      const extra = Object.fromEntries(Object.entries(mime.headers).filter(([k]) => k.startsWith("x-")));
      const stored = record({ kind: "raw", from, to, cc, bcc, ...common, subject: mime.headers.subject, text: mime.text, html: mime.html, headers: extra, templateName: undefined, templateData: undefined, attachments, raw, mime, renderingFailure: undefined });
      return ok({ MessageId: stored.messageId });
    }
    const t = content.Template as { TemplateName?: string; TemplateArn?: string; TemplateData?: string; Headers?: unknown; Attachments?: unknown; TemplateContent?: FakeTemplate };
    const headerError = checkHeaders(t.Headers);
    if (headerError) return headerError;
    if (!from) return awsError("BadRequestException", "FromEmailAddress is required.");
    const recipients = [...to, ...cc, ...bcc];
    if (recipients.length === 0) return awsError("BadRequestException", "Destination must contain at least one recipient.");
    if (recipients.length > 50) return awsError("MessageRejected", "Recipient count exceeds 50.");
    const result = templated(t, from, { to, cc, bcc }, common, false, body.ConfigurationSetName);
    return result instanceof Response ? result : ok({ MessageId: result.messageId });
  }

  function templated(
    t: { TemplateName?: string; TemplateData?: string; Headers?: unknown; Attachments?: unknown; TemplateContent?: FakeTemplate },
    from: string,
    dest: { to: string[]; cc: string[]; bcc: string[] },
    common: { replyTo: string[]; tags: Record<string, string>; configurationSetName: string | undefined; bulk: boolean },
    bulk: boolean,
    configurationSetName: unknown,
  ): FakeSentEmail | Response {
    const template = t.TemplateContent ?? (t.TemplateName ? templates.get(t.TemplateName) : undefined);
    if (!template) return awsError("NotFoundException", `Template ${t.TemplateName ?? "(none)"} does not exist.`, 404);
    if (t.TemplateData !== undefined && t.TemplateData.length > 262_144) return awsError("BadRequestException", "TemplateData exceeds 262144 characters.");
    let data: Record<string, unknown> = {};
    try {
      data = t.TemplateData === undefined ? {} : (JSON.parse(t.TemplateData) as Record<string, unknown>);
    } catch {
      return awsError("BadRequestException", "TemplateData is not valid JSON.");
    }
    const gated = gate(from, [...dest.to, ...dest.cc, ...dest.bcc], configurationSetName);
    if (gated) return gated;
    const subject = render(template.subject, data);
    const text = render(template.text, data);
    const html = render(template.html, data);
    const missing = subject.missing ?? text.missing ?? html.missing;
    return record({
      kind: "template",
      from,
      ...dest,
      ...common,
      bulk,
      subject: subject.text,
      text: text.text,
      html: html.text,
      headers: headersOf(t.Headers),
      templateName: t.TemplateName,
      templateData: data,
      attachments: attachmentsOf(t.Attachments),
      raw: undefined,
      mime: undefined,
      renderingFailure: missing === undefined ? undefined : `Attribute '${missing}' is not present in the rendering data.`,
    });
  }

  function sendBulk(body: Record<string, unknown>): Response {
    const entries = body.BulkEmailEntries as Record<string, unknown>[] | undefined;
    const defaultContent = (body.DefaultContent as { Template?: Record<string, unknown> } | undefined)?.Template;
    if (!defaultContent) return awsError("BadRequestException", "DefaultContent.Template is required.");
    if (!Array.isArray(entries) || entries.length === 0) return awsError("BadRequestException", "BulkEmailEntries is required.");
    if (entries.length > 50) return awsError("BadRequestException", "Number of BulkEmailEntries exceeds 50.");
    const from = typeof body.FromEmailAddress === "string" ? bare(body.FromEmailAddress) : undefined;
    if (!from) return awsError("BadRequestException", "FromEmailAddress is required.");
    const tagError = checkTags(body.DefaultEmailTags, "DefaultEmailTags");
    if (tagError) return tagError;
    const name = defaultContent.TemplateName as string | undefined;
    if (!name || !templates.has(name)) return awsError("NotFoundException", `Template ${name ?? "(none)"} does not exist.`, 404);
    if (body.ConfigurationSetName !== undefined && configurationSets && !configurationSets.has(String(body.ConfigurationSetName))) {
      return awsError("NotFoundException", `Configuration set <${String(body.ConfigurationSetName)}> does not exist.`, 404);
    }
    const defaultData = typeof defaultContent.TemplateData === "string" ? defaultContent.TemplateData : "{}";
    const results = entries.map((entry) => {
      const injected = entryFailures.shift();
      if (injected !== undefined) return { Status: injected, Error: `injected ${injected}` };
      const dest = destination(entry);
      const count = dest.to.length + dest.cc.length + dest.bcc.length;
      if (count === 0 || count > 50) return { Status: "INVALID_PARAMETER", Error: "Destination must contain 1 to 50 recipients." };
      if (checkTags(entry.ReplacementTags, "ReplacementTags")) return { Status: "INVALID_PARAMETER", Error: "Invalid ReplacementTags." };
      const replacement = (entry.ReplacementEmailContent as { ReplacementTemplate?: { ReplacementTemplateData?: string } } | undefined)?.ReplacementTemplate?.ReplacementTemplateData;
      let data = defaultData;
      if (replacement !== undefined) {
        try {
          data = JSON.stringify({ ...(JSON.parse(defaultData) as object), ...(JSON.parse(replacement) as object) });
        } catch {
          return { Status: "INVALID_PARAMETER", Error: "ReplacementTemplateData is not valid JSON." };
        }
      }
      const common = {
        replyTo: ((body.ReplyToAddresses as string[] | undefined) ?? []).map(bare),
        tags: { ...tagsOf(body.DefaultEmailTags), ...tagsOf(entry.ReplacementTags) },
        configurationSetName: typeof body.ConfigurationSetName === "string" ? body.ConfigurationSetName : undefined,
        bulk: true,
      };
      const headers = [...((defaultContent.Headers as unknown[]) ?? []), ...((entry.ReplacementHeaders as unknown[]) ?? [])];
      const result = templated({ TemplateName: name, TemplateData: data, Headers: headers.length ? headers : undefined }, from, dest, common, true, body.ConfigurationSetName);
      if (result instanceof Response) {
        const code = result.headers.get("x-amzn-errortype") ?? "";
        const status =
          code === "MessageRejected"
            ? "MESSAGE_REJECTED"
            : code === "SendingPausedException"
              ? "ACCOUNT_SENDING_PAUSED"
              : code === "AccountSuspendedException"
                ? "ACCOUNT_SUSPENDED"
                : code === "LimitExceededException"
                  ? "ACCOUNT_DAILY_QUOTA_EXCEEDED"
                  : "FAILED";
        return { Status: status, Error: code };
      }
      return { Status: "SUCCESS", MessageId: result.messageId };
    });
    return ok({ BulkEmailEntryResults: results });
  }

  function listSuppressions(query: URLSearchParams): Response {
    const reasons = query.getAll("Reason");
    const start = query.get("StartDate");
    const end = query.get("EndDate");
    const pageSize = Number(query.get("PageSize") ?? 100);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) return awsError("BadRequestException", "PageSize must be between 1 and 1000.");
    const token = query.get("NextToken");
    let offset = 0;
    if (token !== null) {
      const m = /^o(\d+)$/.exec(Buffer.from(token, "base64url").toString());
      if (!m) return awsError("InvalidNextTokenException", "The NextToken is invalid.");
      offset = Number(m[1]);
    }
    const items = [...suppressions.entries()]
      .filter(([, s]) => (reasons.length ? reasons.includes(s.reason) : true))
      .filter(([, s]) => (start ? s.lastUpdateTime.getTime() >= Date.parse(start) : true))
      .filter(([, s]) => (end ? s.lastUpdateTime.getTime() < Date.parse(end) : true))
      .sort(([a], [b]) => (a < b ? -1 : 1));
    const page = items.slice(offset, offset + pageSize);
    const next = offset + pageSize < items.length ? Buffer.from(`o${offset + pageSize}`).toString("base64url") : undefined;
    return ok({
      SuppressedDestinationSummaries: page.map(([email, s]) => ({ EmailAddress: email, Reason: s.reason, LastUpdateTime: s.lastUpdateTime.getTime() / 1000 })),
      ...(next ? { NextToken: next } : {}),
    });
  }

  const SUPPRESSION_PATH = "/v2/email/suppression/addresses/";
  const addressOf = (path: string): string => decodeURIComponent(path.slice(path.indexOf(SUPPRESSION_PATH) + SUPPRESSION_PATH.length)).toLowerCase();

  type Route = { method: string; match: (path: string) => boolean; operation: string; run: (call: FakeCall) => Response };
  const routes: Route[] = [
    { method: "POST", match: (p) => p.endsWith("/v2/email/outbound-emails"), operation: "SendEmail", run: (c) => sendEmail(c.body ?? {}) },
    { method: "POST", match: (p) => p.endsWith("/v2/email/outbound-bulk-emails"), operation: "SendBulkEmail", run: (c) => sendBulk(c.body ?? {}) },
    {
      method: "GET",
      match: (p) => p.endsWith("/v2/email/account"),
      operation: "GetAccount",
      run: () =>
        ok({
          SendingEnabled: account.sendingEnabled,
          ProductionAccessEnabled: account.productionAccessEnabled,
          EnforcementStatus: account.enforcementStatus,
          SendQuota: { Max24HourSend: account.max24HourSend, MaxSendRate: account.maxSendRate, SentLast24Hours: account.sentLast24Hours },
          SuppressionAttributes: { SuppressedReasons: account.suppressedReasons },
          DedicatedIpAutoWarmupEnabled: false,
          Details: { MailType: "TRANSACTIONAL", ReviewDetails: { Status: account.productionAccessEnabled ? "GRANTED" : "PENDING" } },
        }),
    },
    {
      method: "PUT",
      match: (p) => p.endsWith("/v2/email/suppression/addresses"),
      operation: "PutSuppressedDestination",
      run: (c) => {
        const email = c.body?.EmailAddress;
        const reason = c.body?.Reason;
        if (typeof email !== "string" || !email.includes("@")) return awsError("BadRequestException", "EmailAddress is invalid.");
        if (reason !== "BOUNCE" && reason !== "COMPLAINT") return awsError("BadRequestException", "Reason must be BOUNCE or COMPLAINT.");
        suppressions.set(email.toLowerCase(), { reason, lastUpdateTime: new Date(now()) });
        return ok({});
      },
    },
    { method: "GET", match: (p) => p.endsWith("/v2/email/suppression/addresses"), operation: "ListSuppressedDestinations", run: (c) => listSuppressions(c.query) },
    {
      method: "GET",
      match: (p) => p.includes(SUPPRESSION_PATH),
      operation: "GetSuppressedDestination",
      run: (c) => {
        const email = addressOf(c.path);
        const s = suppressions.get(email);
        if (!s) return awsError("NotFoundException", `Email address ${email} does not exist on your suppression list.`, 404);
        return ok({
          SuppressedDestination: {
            EmailAddress: email,
            Reason: s.reason,
            LastUpdateTime: s.lastUpdateTime.getTime() / 1000,
            ...(s.messageId || s.feedbackId ? { Attributes: { ...(s.messageId ? { MessageId: s.messageId } : {}), ...(s.feedbackId ? { FeedbackId: s.feedbackId } : {}) } } : {}),
          },
        });
      },
    },
    {
      method: "DELETE",
      match: (p) => p.includes(SUPPRESSION_PATH),
      operation: "DeleteSuppressedDestination",
      run: (c) => {
        const email = addressOf(c.path);
        if (!suppressions.delete(email)) return awsError("NotFoundException", `Email address ${email} does not exist on your suppression list.`, 404);
        return ok({});
      },
    },
  ];

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const route = routes.find((r) => r.method === request.method && r.match(url.pathname));
    // A gap in the fake must not read as an SES error in the caller's code.
    if (!route) return notImplementedByFake(SES_FAKE_NAME, request);
    const raw = new Uint8Array(await request.arrayBuffer());
    if (credentials) {
      const failure = verifySigV4({ method: request.method, url, headers: request.headers, body: raw, service: "ses", region: options.region, credentials, now: now() });
      // restJson1 services answer a refused signature 403 with the code in x-amzn-ErrorType.
      if (failure) return awsError(failure.code, failure.message, 403);
    }
    let body: Record<string, unknown> | undefined;
    if (raw.byteLength) {
      try {
        body = JSON.parse(new TextDecoder().decode(raw)) as Record<string, unknown>;
      } catch {
        return awsError("SerializationException", "The request body is not JSON.");
      }
    }
    const call: FakeCall = { operation: route.operation, method: request.method, path: url.pathname, query: url.searchParams, headers: request.headers, body };
    calls.push(call);
    const failure = failures.get(route.operation)?.shift();
    if (failure) return awsError(failure.code, failure.message ?? failure.code, failure.status ?? 400);
    return route.run(call);
  }

  const handlers: RequestHandler[] = [
    http.all("*/v2/email/*", ({ request }) => handle(request)),
    notImplementedHandler(SES_FAKE_NAME),
  ];

  function source(id: string) {
    const m = sent.find((s) => s.messageId === id);
    if (!m) throw new Error(`fake ses: no message ${id}`);
    return {
      messageId: m.messageId,
      from: m.from,
      recipients: [...m.to, ...m.cc, ...m.bcc],
      subject: m.subject,
      tags: m.tags,
      configurationSetName: m.configurationSetName,
      sentAt: m.sentAt,
      suppressed: m.suppressed,
      renderingFailure: m.renderingFailure,
      templateName: m.templateName,
    };
  }

  const event = (id: string, spec: FakeEventSpec): Record<string, unknown> => buildSesEvent(source(id), { at: new Date(now()), ...spec });
  const envelope = (id: string, spec: FakeEventSpec & { snsMessageId?: string; signatureVersion?: "1" | "2"; topicArn?: string }): SnsEnvelope =>
    signSnsEnvelope({
      message: JSON.stringify(event(id, spec)),
      topicArn: spec.topicArn ?? topicArn,
      signatureVersion: spec.signatureVersion ?? options.signatureVersion ?? "2",
      timestamp: new Date(now()).toISOString(),
      ...(spec.snsMessageId ? { messageId: spec.snsMessageId } : {}),
    });

  return {
    handlers,
    calls,
    sent,
    templates,
    suppressions,
    identities,
    account,
    verifyIdentity: (identity) => void identities.add(identity.toLowerCase()),
    failNext(operation, error) {
      const list = failures.get(operation) ?? [];
      list.push(error);
      failures.set(operation, list);
    },
    failNextEntries(...statuses) {
      entryFailures.push(...statuses);
    },
    setSendingEnabled(enabled) {
      account.sendingEnabled = enabled;
    },
    suspend() {
      account.enforcementStatus = "SHUTDOWN";
      account.sendingEnabled = false;
    },
    message: (id) => sent.find((s) => s.messageId === id),
    event,
    envelope,
    publish: (url, id, spec) => postSnsEnvelope(url, envelope(id, spec)),
    confirmSubscription: (url, opts = {}) =>
      postSnsEnvelope(
        url,
        signSnsEnvelope({
          type: "SubscriptionConfirmation",
          topicArn: opts.topicArn ?? topicArn,
          message: `You have chosen to subscribe to the topic ${opts.topicArn ?? topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
          timestamp: new Date(now()).toISOString(),
          signatureVersion: options.signatureVersion ?? "2",
          ...(opts.token ? { token: opts.token } : {}),
        }),
      ),
  };
}

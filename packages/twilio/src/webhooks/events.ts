/**
 * Typed webhook events (shared/vendors/twilio.md §4): status callbacks (`MessageStatus`) and
 * inbound messages (`Body`, `NumMedia`, `MediaUrl{N}` …). Parameters arrive form-urlencoded (or as
 * JSON with `bodySHA256`, or in the query of a GET); the set grows without notice, so every
 * parameter is kept in `params` and unknown ones are never an error.
 */
import { ValidationError, type WebhookRequest } from "@connect/core";
import { describeDeliveryError, type DeliveryErrorInfo } from "../errors.js";
import { createKeywordMatcher, normalizeKeyword, type KeywordMatch, type KeywordMatcher } from "../keywords.js";
import type { MessageStatus } from "../schemas.js";
import { isFinalStatus } from "../status.js";
import { bodyHashParam, formParamsOf, paramRecord } from "./signature.js";

/** What every Twilio messaging webhook carries. @public */
export interface TwilioWebhookBase {
  /** Every parameter as received (the first value of a repeated name). */
  params: Readonly<Record<string, string>>;
  messageSid: string;
  accountSid: string | undefined;
  messagingServiceSid: string | undefined;
  from: string | undefined;
  to: string | undefined;
  apiVersion: string | undefined;
  /** `I-Twilio-Idempotency-Token`: identical across Twilio's retries of one delivery. */
  idempotencyToken: string | undefined;
}

/** A status callback. @public */
export interface StatusCallbackEvent extends TwilioWebhookBase {
  type: "message.status";
  /** `MessageStatus` (a status the SDK does not know yet passes through as a string). */
  status: MessageStatus | (string & {});
  /** Whether the status is final (delivered, undelivered, failed, read, canceled, received). */
  final: boolean;
  /** `ErrorCode`, sent for failed and undelivered messages. */
  errorCode: number | undefined;
  /** What `errorCode` means. */
  error: DeliveryErrorInfo | undefined;
  /** `RawDlrDoneDate` (`YYMMDDhhmm`, no zone) on most delivered/undelivered callbacks. */
  rawDlrDoneDate: string | undefined;
  /** The status applied before this one, as the handler's status store knew it (set by the handler). */
  previousStatus?: MessageStatus | undefined;
}

/** One media item of an inbound MMS; fetching `url` needs Basic auth. @public */
export interface InboundMedia {
  url: string;
  contentType: string | undefined;
}

/** Where a number is, as Twilio geolocates it. @public */
export interface NumberLocation {
  city: string | undefined;
  state: string | undefined;
  zip: string | undefined;
  country: string | undefined;
}

/** An inbound message. @public */
export interface InboundMessageEvent extends TwilioWebhookBase {
  type: "message.inbound";
  from: string;
  to: string;
  body: string;
  numMedia: number;
  numSegments: number | undefined;
  media: InboundMedia[];
  /** `OptOutType` (Advanced Opt-Out): `STOP`, `START` or `HELP`. */
  optOutType: "STOP" | "START" | "HELP" | undefined;
  /** The keyword the body is (opt-out, opt-in, help, or a custom one), when it is one. */
  keyword: KeywordMatch | undefined;
  /** WhatsApp: the sender's profile name and WhatsApp id. */
  profileName: string | undefined;
  waId: string | undefined;
  fromLocation: NumberLocation;
  toLocation: NumberLocation;
}

/** Any messaging webhook. @public */
export type TwilioWebhookEvent = StatusCallbackEvent | InboundMessageEvent;

/** Which kind of webhook an endpoint receives; `auto` tells them apart by their parameters. @public */
export type TwilioWebhookKind = "auto" | "status" | "inbound";

function invalid(message: string, path: string): ValidationError {
  return new ValidationError(`twilio webhook: ${message}`, { vendor: "twilio", issues: [{ path, message }] });
}

/** Read a webhook's parameters from its query (GET), JSON body (`bodySHA256` / JSON content type) or form body. @public */
export function webhookParams(req: WebhookRequest): Record<string, string | string[]> {
  if (req.method === "GET" || req.method === "HEAD") {
    const out = paramRecord<string | string[]>();
    let search: URLSearchParams;
    try {
      search = new URL(req.url).searchParams;
    } catch {
      throw invalid("the request URL does not parse", "url");
    }
    for (const [name, value] of search) {
      const prior = out[name];
      out[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
    }
    return out;
  }
  const contentType = (req.headers["content-type"] ?? "").toLowerCase();
  if (bodyHashParam(req.url) !== undefined || contentType.includes("json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.rawBody.toString("utf8"));
    } catch {
      throw invalid("the JSON body does not parse", "body");
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw invalid("the JSON body is not an object", "body");
    const out = paramRecord<string | string[]>();
    const text = (v: unknown): string => {
      try {
        return typeof v === "string" ? v : JSON.stringify(v);
      } catch {
        // JSON.stringify overflows on a value nested thousands of levels deep: unreadable, not a crash.
        throw invalid("a value of the JSON body is nested too deeply", "body");
      }
    };
    for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (value === null || value === undefined) continue;
      out[name] = Array.isArray(value) ? value.map(text) : text(value);
    }
    return out;
  }
  // Parsed during verification already when the webhook handler shares it (same body).
  return formParamsOf(req);
}

function firstValues(params: Record<string, string | string[]>): Record<string, string> {
  // Usually no name repeats: then the record (fresh from the parser, held by nothing else) is the answer.
  let repeated = false;
  for (const name in params) {
    if (Array.isArray(params[name])) {
      repeated = true;
      break;
    }
  }
  if (!repeated) return params as Record<string, string>;
  const out = paramRecord<string>();
  for (const [name, value] of Object.entries(params)) out[name] = Array.isArray(value) ? (value[0] ?? "") : value;
  return out;
}

const opt = (value: string | undefined): string | undefined => (value === undefined || value === "" ? undefined : value);

function intOf(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^\d+$/.test(value)) throw invalid(`${name} is not a whole number (${JSON.stringify(value.slice(0, 20))})`, name);
  return Number(value);
}

function location(p: Record<string, string>, prefix: "From" | "To"): NumberLocation {
  return { city: opt(p[`${prefix}City`]), state: opt(p[`${prefix}State`]), zip: opt(p[`${prefix}Zip`]), country: opt(p[`${prefix}Country`]) };
}

const BUILT_IN_KEYWORDS = createKeywordMatcher();
const OPT_OUT_TYPES = { STOP: "opt-out", START: "opt-in", HELP: "help" } as const;

/** Twilio's own classification (`OptOutType`, from Advanced Opt-Out's configurable words) wins over local matching. */
function keywordOf(body: string, optOutType: "STOP" | "START" | "HELP" | undefined, keywords: KeywordMatcher | undefined): KeywordMatch | undefined {
  const local = (keywords ?? BUILT_IN_KEYWORDS).match(body);
  if (optOutType === undefined) return local;
  const type = OPT_OUT_TYPES[optOutType];
  return local?.type === type ? local : { type, keyword: optOutType, matched: normalizeKeyword(body) };
}

/** Options of {@link parseTwilioWebhook}. @public */
export interface ParseTwilioWebhookOptions {
  /** What the endpoint receives; `auto` by default. */
  kind?: TwilioWebhookKind | undefined;
  /** Matches keywords of inbound bodies (default: Twilio's built-in STOP / START / HELP words only). */
  keywords?: KeywordMatcher | undefined;
}

/**
 * Parse a verified webhook request into a typed event; throws `ValidationError` when it is
 * neither a status callback nor an inbound message.
 * @public
 */
export function parseTwilioWebhook(req: WebhookRequest, options: ParseTwilioWebhookOptions = {}): TwilioWebhookEvent {
  const p = firstValues(webhookParams(req));
  const messageSid = opt(p.MessageSid) ?? opt(p.SmsMessageSid) ?? opt(p.SmsSid);
  if (messageSid === undefined) throw invalid("no MessageSid: this is not a Twilio messaging webhook", "MessageSid");
  const base: TwilioWebhookBase = {
    params: p,
    messageSid,
    accountSid: opt(p.AccountSid),
    messagingServiceSid: opt(p.MessagingServiceSid),
    from: opt(p.From),
    to: opt(p.To),
    apiVersion: opt(p.ApiVersion),
    idempotencyToken: opt(req.headers["i-twilio-idempotency-token"]),
  };
  const status = opt(p.MessageStatus) ?? opt(p.SmsStatus);
  const kind = options.kind ?? "auto";
  const looksInbound = p.Body !== undefined || p.NumMedia !== undefined;
  const inbound = kind === "inbound" || (kind === "auto" && looksInbound && (status === undefined || status === "received"));
  if (!inbound) {
    if (status === undefined) throw invalid("a status callback without MessageStatus", "MessageStatus");
    const errorCode = intOf(p.ErrorCode, "ErrorCode");
    return {
      ...base,
      type: "message.status",
      status,
      final: isFinalStatus(status),
      errorCode,
      error: errorCode === undefined ? undefined : describeDeliveryError(errorCode),
      rawDlrDoneDate: opt(p.RawDlrDoneDate),
    };
  }
  if (base.from === undefined || base.to === undefined) throw invalid("an inbound message without From and To", base.from === undefined ? "From" : "To");
  const numMedia = intOf(p.NumMedia, "NumMedia") ?? 0;
  const media: InboundMedia[] = [];
  // There cannot be more media URLs than parameters: a huge NumMedia must not become a long loop.
  for (let i = 0; i < Math.min(numMedia, Object.keys(p).length); i += 1) {
    const url = opt(p[`MediaUrl${i}`]);
    if (url !== undefined) media.push({ url, contentType: opt(p[`MediaContentType${i}`]) });
  }
  const body = p.Body ?? "";
  const upper = p.OptOutType?.toUpperCase();
  const optOutType = upper === "STOP" || upper === "START" || upper === "HELP" ? upper : undefined;
  return {
    ...base,
    type: "message.inbound",
    from: base.from,
    to: base.to,
    body,
    numMedia,
    numSegments: intOf(p.NumSegments, "NumSegments"),
    media,
    optOutType,
    keyword: keywordOf(body, optOutType, options.keywords),
    profileName: opt(p.ProfileName),
    waId: opt(p.WaId),
    fromLocation: location(p, "From"),
    toLocation: location(p, "To"),
  };
}

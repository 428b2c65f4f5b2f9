/**
 * Zod schemas for Twilio Programmable Messaging (shared/vendors/twilio.md §2): the inputs of
 * `messages.send/get/list` (phone numbers validated and normalised to E.164 before any I/O) and
 * the typed domain shapes the wire's snake_case Message resource is turned into (numbers that
 * arrive as strings become numbers, RFC 2822 dates become ISO 8601).
 */
import { lazySchema, unlazy } from "@connect/core";
import { z } from "zod";
import { normalizeRecipient, normalizeSender, type CountryCode } from "./phone.js";
import { countSegments, MAX_BODY_LENGTH } from "./segments.js";

/** Account SID: `AC` + 32 hex digits. @public */
export const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
/** API key SID: `SK` + 32 hex digits. @public */
export const API_KEY_SID = /^SK[0-9a-fA-F]{32}$/;
/** Message SID: `SM` (SMS) or `MM` (MMS) + 32 hex digits. @public */
export const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;
/** Messaging Service SID: `MG` + 32 hex digits. @public */
export const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
/** Content template SID: `HX` + 32 hex digits. @public */
export const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;

/** Every Message status Twilio documents (shared/vendors/twilio.md §2 "Status lifecycle"). @public */
export const MESSAGE_STATUSES = [
  "scheduled",
  "accepted",
  "queued",
  "sending",
  "sent",
  "partially_delivered",
  "delivered",
  "undelivered",
  "failed",
  "read",
  "canceled",
  "receiving",
  "received",
] as const;
/** A Message status. @public */
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Message directions. @public */
export const MESSAGE_DIRECTIONS = ["inbound", "outbound-api", "outbound-call", "outbound-reply"] as const;
/** A Message direction. @public */
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];

/** Largest page Twilio serves (`PageSize`); the default is 50. @public */
export const MAX_PAGE_SIZE = 1000;
/** Largest number of `MediaUrl`s on one message. @public */
export const MAX_MEDIA_URLS = 10;

const phoneIssue = (field: string, reason: string): string => `${field} ${reason}; expected an E.164 number such as +14155550100`;

function recipient(field: string, country: CountryCode) {
  return z.string().transform((value, ctx) => {
    const result = normalizeRecipient(value, country);
    if (result.ok) return result.e164;
    ctx.addIssue({ code: "custom", message: phoneIssue(field, result.reason) });
    return z.NEVER;
  });
}

function sender(field: string, country: CountryCode) {
  return z.string().transform((value, ctx) => {
    const result = normalizeSender(value, country);
    if (result.ok) return result.e164;
    ctx.addIssue({ code: "custom", message: `${phoneIssue(field, result.reason)}, a short code or an alphanumeric sender ID` });
    return z.NEVER;
  });
}

// A StatusCallback needs a valid hostname without underscores (shared/vendors/twilio.md §2).
const CallbackUrl = lazySchema(() =>
  z.url({ protocol: /^https?$/, message: "must be an absolute http(s) URL" }).refine((value) => !new URL(value).hostname.includes("_"), {
  message: "Twilio refuses a StatusCallback whose hostname contains an underscore",
}),
);

const IsoDate = lazySchema(() =>
  z.union([z.date(), z.iso.datetime({ offset: true })]).transform((value) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString())),
);
const Day = lazySchema(() =>
  z
  .union([z.date(), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be YYYY-MM-DD" })])
  .transform((value) => (value instanceof Date ? value.toISOString().slice(0, 10) : value)),
);

/** Build the `messages.send` input schema for numbers written without `+` in `defaultCountry`. @internal */
export function sendMessageInputFor(defaultCountry: CountryCode) {
  return z
    .strictObject({
      /** Recipient: an E.164 number (national formats are read in the client's default country) or `whatsapp:+1…`. */
      to: recipient("to", defaultCountry),
      /** Sender: a number of this account, a short code, an alphanumeric sender ID, or `whatsapp:+1…`. */
      from: sender("from", defaultCountry).optional(),
      /** Send through a Messaging Service (Twilio picks the sender; `from` may still pin one). */
      messagingServiceSid: z.string().regex(MESSAGING_SERVICE_SID, { message: "must be MG followed by 32 hex digits" }).optional(),
      /** Text, at most 1600 characters. */
      body: z
        .string()
        .refine((value) => [...value].length <= MAX_BODY_LENGTH, { message: `must be at most ${MAX_BODY_LENGTH} characters (Twilio error 21617)` })
        .optional(),
      /** Public URLs of media to send as MMS (at most 10). */
      mediaUrl: z.array(z.url({ protocol: /^https?$/, message: "must be an absolute http(s) URL" })).max(MAX_MEDIA_URLS, { message: `at most ${MAX_MEDIA_URLS} media URLs` }).optional(),
      /** A Content template instead of a body. */
      contentSid: z.string().regex(CONTENT_SID, { message: "must be HX followed by 32 hex digits" }).optional(),
      /** Template variables, sent as the JSON string Twilio expects. */
      contentVariables: z.record(z.string(), z.string()).optional(),
      /** URL Twilio posts status callbacks to (overrides the Messaging Service's). */
      statusCallback: CallbackUrl.optional(),
      /** Seconds the message may wait in Twilio's queue (1–36000, default 36000). */
      validityPeriod: z.number().int().min(1).max(36_000).optional(),
      /** Schedule the message (needs `messagingServiceSid`); sent as `ScheduleType=fixed` + `SendAt`. */
      sendAt: IsoDate.optional(),
      /** Let Twilio replace look-alike Unicode characters with GSM ones. */
      smartEncoded: z.boolean().optional(),
      /** Let Twilio shorten links (needs a Messaging Service with link shortening). */
      shortenUrls: z.boolean().optional(),
      /** Send as MMS even without media. */
      sendAsMms: z.boolean().optional(),
      /** SDK-side cap: refuse a body that needs more segments than this before any request (cost control). */
      maxSegments: z.number().int().positive().optional(),
    })
    .superRefine((input, ctx) => {
      if (input.from === undefined && input.messagingServiceSid === undefined) {
        ctx.addIssue({ code: "custom", path: ["from"], message: "a sender is required: set from or messagingServiceSid" });
      }
      const hasBody = input.body !== undefined && input.body !== "";
      if (!hasBody && (input.mediaUrl?.length ?? 0) === 0 && input.contentSid === undefined) {
        ctx.addIssue({ code: "custom", path: ["body"], message: "a message needs body, mediaUrl or contentSid (Twilio error 21602)" });
      }
      if (input.contentVariables !== undefined && input.contentSid === undefined) {
        ctx.addIssue({ code: "custom", path: ["contentVariables"], message: "contentVariables need a contentSid" });
      }
      if (input.sendAt !== undefined && input.messagingServiceSid === undefined) {
        ctx.addIssue({ code: "custom", path: ["sendAt"], message: "scheduled messages need a messagingServiceSid" });
      }
      if (input.maxSegments !== undefined && input.body !== undefined) {
        const info = countSegments(input.body);
        if (info.segments > input.maxSegments) {
          const hint = info.encoding === "UCS-2" ? ` (UCS-2 because of ${info.nonGsmCharacters.slice(0, 5).map((c) => JSON.stringify(c)).join(", ")})` : "";
          ctx.addIssue({ code: "custom", path: ["body"], message: `needs ${info.segments} segments${hint}, more than maxSegments ${input.maxSegments}` });
        }
      }
    });
}

/** Input of `messages.send` (numbers without `+` read as US; the client uses its `defaultCountry`). @public */
export const SendMessageInput = lazySchema(() => sendMessageInputFor("US"));
/** What `messages.send` accepts. @public */
export type SendMessageInput = z.input<typeof SendMessageInput>;

/** Input of `messages.get`. @public */
export const GetMessageInput = lazySchema(() =>
  z.strictObject({
  sid: z.string().regex(MESSAGE_SID, { message: "must be SM or MM followed by 32 hex digits" }),
}),
);
/** What `messages.get` accepts. @public */
export type GetMessageInput = z.input<typeof GetMessageInput>;

/** Build the list filter schema for `defaultCountry`. @internal */
export function listMessagesInputFor(defaultCountry: CountryCode) {
  return z.strictObject({
    /** Only messages to this number. */
    to: recipient("to", defaultCountry).optional(),
    /** Only messages from this sender. */
    from: sender("from", defaultCountry).optional(),
    /** Only messages sent on this day (UTC, `YYYY-MM-DD` or a Date). */
    dateSent: Day.optional(),
    /** Twilio's `DateSent<`: sent on or before this day. */
    dateSentBefore: Day.optional(),
    /** Twilio's `DateSent>`: sent on or after this day. */
    dateSentAfter: Day.optional(),
    /** Messages per page, 1–1000 (Twilio's default 50). */
    pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
    /** A `next_page_uri` Twilio returned: fetch that page verbatim (the filters above are then ignored). */
    pageUri: z.string().min(1).optional(),
  });
}

/** Filters of `messages.list` / `messages.listPage`. @public */
export const ListMessagesInput = lazySchema(() => listMessagesInputFor("US"));
/** What `messages.list` accepts. @public */
export type ListMessagesInput = z.input<typeof ListMessagesInput>;

/** Segment report of a body (see `countSegments`). @public */
export const SegmentInfoSchema = lazySchema(() =>
  z.object({
  encoding: z.enum(["GSM-7", "UCS-2"]),
  characters: z.number().int(),
  units: z.number().int(),
  segments: z.number().int(),
  perSegment: z.number().int(),
  nonGsmCharacters: z.array(z.string()),
}),
);

/** A Message, typed (shared/vendors/twilio.md §2 "Message resource"). @public */
export const Message = lazySchema(() =>
  z.object({
  sid: z.string().regex(MESSAGE_SID),
  accountSid: z.string(),
  messagingServiceSid: z.string().nullable(),
  /** Null at create when a Messaging Service has not picked the sender yet. */
  from: z.string().nullable(),
  to: z.string(),
  body: z.string(),
  status: z.enum(MESSAGE_STATUSES),
  direction: z.enum(MESSAGE_DIRECTIONS),
  /** Segments Twilio counted ("0" at create via a Messaging Service). */
  numSegments: z.number().int(),
  numMedia: z.number().int(),
  /** Negative when set (a charge); null until priced. */
  price: z.number().nullable(),
  priceUnit: z.string().nullable(),
  /** A delivery error (30xxx) once the message failed or was undelivered. */
  errorCode: z.number().int().nullable(),
  errorMessage: z.string().nullable(),
  apiVersion: z.string(),
  /** ISO 8601 (Twilio sends RFC 2822). */
  dateCreated: z.iso.datetime().nullable(),
  dateSent: z.iso.datetime().nullable(),
  dateUpdated: z.iso.datetime().nullable(),
  /** Resource path below the API host. */
  uri: z.string(),
}),
);
/** A Message. @public */
export type Message = z.infer<typeof Message>;

/** What `messages.send` returns: the created Message plus the SDK's own segment report of the body. @public */
export const SentMessage = lazySchema(() =>
  unlazy(Message).extend({ segmentInfo: unlazy(SegmentInfoSchema) }),
);
/** The created message. @public */
export type SentMessage = z.infer<typeof SentMessage>;

/** One page of `messages.listPage`. @public */
export const MessagePage = lazySchema(() =>
  z.object({
  messages: z.array(unlazy(Message)),
  page: z.number().int(),
  pageSize: z.number().int(),
  /** The next page's path (relative to the API host, carries `PageToken`); null on the last page. */
  nextPageUri: z.string().nullable(),
  previousPageUri: z.string().nullable(),
  firstPageUri: z.string().nullable(),
  uri: z.string(),
}),
);
/** A page of messages. @public */
export type MessagePage = z.infer<typeof MessagePage>;

function numberOrNull(value: unknown): number | null {
  if (value === null || value === undefined || value === "") return null;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

function isoOrNull(value: unknown): string | null | unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") return value;
  const ms = Date.parse(value);
  // An unparsable date is passed through, so the output schema reports it as drift.
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

/**
 * Turn Twilio's snake_case Message resource into {@link Message}. Tolerant: fields it cannot
 * read are passed through as found, so the output schema reports the drift.
 * @internal
 */
export function toMessage(wire: unknown): unknown {
  if (!wire || typeof wire !== "object") return wire;
  const w = wire as Record<string, unknown>;
  return {
    sid: w.sid,
    accountSid: w.account_sid,
    messagingServiceSid: w.messaging_service_sid ?? null,
    from: w.from ?? null,
    to: w.to,
    body: w.body ?? "",
    status: w.status,
    direction: w.direction,
    numSegments: numberOrNull(w.num_segments) ?? w.num_segments,
    numMedia: numberOrNull(w.num_media) ?? w.num_media,
    price: numberOrNull(w.price),
    priceUnit: w.price_unit ?? null,
    errorCode: numberOrNull(w.error_code),
    errorMessage: w.error_message ?? null,
    apiVersion: w.api_version,
    dateCreated: isoOrNull(w.date_created),
    dateSent: isoOrNull(w.date_sent),
    dateUpdated: isoOrNull(w.date_updated),
    uri: w.uri,
  };
}

/** Turn a Twilio list page into {@link MessagePage}. @internal */
export function toMessagePage(wire: unknown): unknown {
  if (!wire || typeof wire !== "object") return wire;
  const w = wire as Record<string, unknown>;
  return {
    messages: Array.isArray(w.messages) ? w.messages.map(toMessage) : w.messages,
    page: w.page,
    pageSize: w.page_size,
    nextPageUri: w.next_page_uri ?? null,
    previousPageUri: w.previous_page_uri ?? null,
    firstPageUri: w.first_page_uri ?? null,
    uri: w.uri,
  };
}

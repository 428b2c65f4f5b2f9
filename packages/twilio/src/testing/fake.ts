/**
 * A stateful fake of Twilio Programmable Messaging as msw handlers (shared/vendors/twilio.md):
 * it authenticates Basic credentials (Auth Token or API keys), refuses what Twilio refuses with
 * Twilio's `{ code, message, more_info, status }` bodies (including the test-credential magic
 * numbers), stores messages and moves them queued → sent → delivered (or to failed /
 * undelivered for configured numbers), pages lists with `next_page_uri` + `PageToken`, mirrors
 * STOP / START opt-outs, and posts signed status callbacks and inbound messages to a host URL.
 */
import { randomBytes } from "node:crypto";
import { http, HttpResponse, type RequestHandler } from "msw";
import { postTwilioWebhook, twilioSignature } from "./signer.js";

type Status = "accepted" | "queued" | "sending" | "sent" | "delivered" | "undelivered" | "failed" | "received";

/** A message the fake holds (outbound ones created through the API, inbound ones posted to a host). @public */
export interface FakeMessage {
  sid: string;
  direction: "outbound-api" | "inbound";
  to: string;
  /** Null while a Messaging Service has not picked a sender. */
  from: string | null;
  body: string;
  mediaUrls: string[];
  messagingServiceSid: string | null;
  statusCallback: string | null;
  status: Status;
  /** Every status the message has had, in order. */
  history: Status[];
  errorCode: number | null;
  errorMessage: string | null;
  numSegments: number;
  price: string | null;
  dateCreated: number;
  dateSent: number | null;
  dateUpdated: number;
  /** Form fields of the create request, as received. */
  params: Record<string, string | string[]>;
}

/** How a configured recipient fails delivery. @public */
export type FakeDeliveryFailure = number | { status: "failed" | "undelivered"; errorCode: number };

/** A scripted REST error for the next matching request(s). @public */
export interface FakeFailure {
  /** Twilio error code, e.g. 21211. */
  code: number;
  /** HTTP status; by default the code's usual one (20003 → 401, 20404 → 404, 20429 → 429, 20500 → 500, else 400). */
  status?: number;
  message?: string;
  headers?: Record<string, string>;
  /** Only requests with this method (upper case). */
  method?: string;
  /** Only requests whose path ends with this (e.g. `/Messages.json`). */
  path?: string;
  /** How many requests it answers. Default 1. */
  times?: number;
}

/** A status change the fake made, and the callback it posted for it. @public */
export interface FakeTransition {
  sid: string;
  from: Status;
  to: Status;
  /** The status callback posted (when the message has a StatusCallback). */
  callback?: { url: string; status: number } | undefined;
}

/** Options of {@link createTwilioFake}. @public */
export interface TwilioFakeOptions {
  /** The account. Default `ACfa4e00000000000000000000000000fa`. */
  accountSid?: string;
  /** The account's Auth Token (REST auth and webhook signatures). */
  authToken?: string;
  /** API keys that authenticate for the account. */
  apiKeys?: Array<{ sid: string; secret: string }>;
  /** Numbers the account owns; a `From` outside them is 21606. Default: any sender is accepted. */
  senders?: string[];
  /** Sender a Messaging Service picks. Default `+15005550006`. */
  messagingServiceSender?: string;
  /** Apply the test-credential magic numbers (From +15005550001/07/08, To +15005550001/02/03/04/09). Default true. */
  magicNumbers?: boolean;
  /** Recipients whose messages fail delivery: a 30xxx code, or its status and code. */
  deliveryFailures?: Record<string, FakeDeliveryFailure>;
  /** Clock (epoch ms). */
  now?: () => number;
}

/** The fake. @public */
export interface TwilioFake {
  /** msw handlers; serve them with `serveHandlers` from @connect/core/testing. */
  readonly handlers: RequestHandler[];
  readonly accountSid: string;
  readonly authToken: string;
  readonly apiKeys: ReadonlyArray<{ sid: string; secret: string }>;
  /** Every message, in creation order. */
  readonly messages: readonly FakeMessage[];
  /** Recipients that texted STOP (Twilio answers 21610 to sends to them). */
  readonly optOuts: Set<string>;
  /** A message by SID. */
  message(sid: string): FakeMessage | undefined;
  /** Answer the next matching request(s) with a Twilio error code. */
  failNext(failure: FakeFailure): void;
  /** Answer the next request(s) with 429 / 20429 (too many concurrent requests). */
  rateLimitNext(options?: { times?: number; path?: string }): void;
  /** Make messages to `to` fail delivery (from now on). */
  failDeliveryTo(to: string, failure: FakeDeliveryFailure): void;
  /** Move a message one step along its lifecycle and post its status callback. */
  advance(sid: string): Promise<FakeTransition | undefined>;
  /** Move a message to its final status, posting each callback in order. */
  deliver(sid: string): Promise<FakeTransition[]>;
  /** Deliver every outbound message that is not final yet. */
  deliverAll(): Promise<FakeTransition[]>;
  /** Post a (re-)signed status callback for a message, e.g. an old status late, or a duplicate. */
  postStatusCallback(options: PostStatusOptions): Promise<Response>;
  /** Record an inbound message and post it, signed, to a host URL; returns the host's answer. */
  postInbound(options: PostInboundOptions): Promise<{ response: Response; message: FakeMessage; twiml: string }>;
  /** `X-Twilio-Signature` for a URL and params with the fake's Auth Token. */
  sign(url: string, params?: Record<string, string>): string;
  /** Forget messages, opt-outs, scripted failures and added delivery failures. */
  reset(): void;
}

/** Options of `postStatusCallback`. @public */
export interface PostStatusOptions {
  sid: string;
  /** Default: the message's StatusCallback. */
  url?: string;
  /** Default: the message's current status. */
  status?: string;
  errorCode?: number;
  /** Sign over this URL (the public URL a proxy is reached at) while posting to `url`. */
  signedUrl?: string;
  /** Post JSON with `bodySHA256` instead of a form. */
  json?: boolean;
  /** Extra or overriding parameters (they are signed). */
  params?: Record<string, string>;
  /** Extra headers, e.g. a fixed `i-twilio-idempotency-token`. */
  headers?: Record<string, string>;
}

/** Options of `postInbound`. @public */
export interface PostInboundOptions {
  url: string;
  from: string;
  /** The account's number that received it. Default: the first of `senders`, else `+15005550006`. */
  to?: string;
  body: string;
  media?: Array<{ url: string; contentType: string }>;
  messagingServiceSid?: string;
  signedUrl?: string;
  json?: boolean;
  params?: Record<string, string>;
  headers?: Record<string, string>;
}

const API = "2010-04-01";
const DEFAULT_ACCOUNT = "ACfa4e00000000000000000000000000fa";
const DEFAULT_TOKEN = "fa4e0000auth0000token000000000000";
const MAGIC_SENDER = "+15005550006";
const MAGIC_FROM: Record<string, number> = { "+15005550001": 21212, "+15005550007": 21606, "+15005550008": 21611 };
const MAGIC_TO: Record<string, number> = { "+15005550001": 21211, "+15005550002": 21612, "+15005550003": 21408, "+15005550004": 21610, "+15005550009": 21614 };
const E164 = /^\+[1-9]\d{6,14}$/;
const STOP_WORDS = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"]);
const START_WORDS = new Set(["START", "YES", "UNSTOP"]);
// Failures that never leave Twilio are `failed`; carrier-side ones are `undelivered` (shared/vendors/twilio.md §2).
const FAILED_CODES = new Set([30001, 30002, 30032, 30034]);
const ERROR_TEXT: Record<number, string> = {
  20003: "Authenticate",
  20404: "The requested resource was not found",
  20429: "Too Many Requests",
  20500: "An internal server error has occurred",
  21211: "The 'To' number is not a valid phone number.",
  21212: "The 'From' number is not a valid phone number, shortcode, or alphanumeric sender ID.",
  21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number.",
  21602: "Message body is required.",
  21606: "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination/account.",
  21608: "The number is unverified. Trial accounts may only send messages to verified numbers.",
  21609: "Invalid StatusCallback URL.",
  21610: "Attempt to send to unsubscribed recipient",
  21611: "This 'From' number has exceeded the maximum number of queued messages",
  21612: "The 'To' phone number is not currently reachable via SMS.",
  21614: "'To' number is not a valid mobile number",
  21617: "The concatenated message body exceeds the 1600 character limit.",
  30001: "Queue overflow",
  30003: "Unreachable destination handset",
  30005: "Unknown destination handset",
  30006: "Landline or unreachable carrier",
  30007: "Message filtered",
  30008: "Unknown error",
};
const DEFAULT_STATUS: Record<number, number> = { 20003: 401, 20404: 404, 20429: 429, 20500: 500 };

function hex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

function rfc2822(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toUTCString().replace("GMT", "+0000");
}

// The fake's own segment count (GSM-7 160/153, else UCS-2 70/67), independent of the SDK's.
const GSM = new Set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€\f");
function segmentsOf(body: string): number {
  if (body === "") return 0;
  const gsm = [...body].every((c) => GSM.has(c));
  const units = gsm ? [...body].reduce((n, c) => n + ("^{}\\[~]|€\f".includes(c) ? 2 : 1), 0) : body.length;
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  return units <= single ? 1 : Math.ceil(units / multi);
}

function isSender(value: string): boolean {
  return E164.test(value) || /^\d{5,6}$/.test(value) || /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/.test(value) || /^whatsapp:\+[1-9]\d{6,14}$/.test(value);
}

function isRecipient(value: string): boolean {
  return E164.test(value) || /^whatsapp:\+[1-9]\d{6,14}$/.test(value);
}

function validCallback(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "" && !url.hostname.includes("_");
  } catch {
    return false;
  }
}

function formOf(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prior = out[k];
    out[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
  }
  return out;
}

const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
const many = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * Create a Twilio fake.
 * @example
 * const fake = createTwilioFake();
 * const server = await serveHandlers(fake.handlers);
 * const twilio = createTwilioClient({ accountSid: fake.accountSid, auth: { authToken: fake.authToken }, baseUrl: server.url });
 * @public
 */
export function createTwilioFake(options: TwilioFakeOptions = {}): TwilioFake {
  const accountSid = options.accountSid ?? DEFAULT_ACCOUNT;
  const authToken = options.authToken ?? DEFAULT_TOKEN;
  const apiKeys = [...(options.apiKeys ?? [])];
  const now = options.now ?? Date.now;
  const magic = options.magicNumbers ?? true;
  const mgSender = options.messagingServiceSender ?? MAGIC_SENDER;
  const messages: FakeMessage[] = [];
  const bySid = new Map<string, FakeMessage>();
  const optOuts = new Set<string>();
  let deliveryFailures: Record<string, FakeDeliveryFailure> = { ...options.deliveryFailures };
  let failures: Array<FakeFailure & { left: number }> = [];
  const root = `/${API}/Accounts/${accountSid}`;

  const errorResponse = (code: number, status?: number, message?: string, headers?: Record<string, string>) => {
    const http = status ?? DEFAULT_STATUS[code] ?? 400;
    return HttpResponse.json(
      { code, message: message ?? ERROR_TEXT[code] ?? `Error ${code}`, more_info: `https://www.twilio.com/docs/errors/${code}`, status: http },
      { status: http, headers: { "twilio-request-id": `RQ${hex(16)}`, ...headers } },
    );
  };
  const ok = (body: unknown, status = 200) => HttpResponse.json(body as never, { status, headers: { "twilio-request-id": `RQ${hex(16)}` } });

  function authenticated(request: Request): boolean {
    const header = request.headers.get("authorization") ?? "";
    if (!header.startsWith("Basic ")) return false;
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const user = decoded.slice(0, colon);
    const pass = decoded.slice(colon + 1);
    if (user === accountSid && pass === authToken) return true;
    return apiKeys.some((key) => key.sid === user && key.secret === pass);
  }

  function wire(m: FakeMessage) {
    return {
      sid: m.sid,
      account_sid: accountSid,
      messaging_service_sid: m.messagingServiceSid,
      from: m.from,
      to: m.to,
      body: m.body,
      status: m.status,
      direction: m.direction,
      // Twilio sends these numbers as strings (shared/vendors/twilio.md §2 "Quirks").
      num_segments: String(m.numSegments),
      num_media: String(m.mediaUrls.length),
      price: m.price,
      price_unit: "USD",
      error_code: m.errorCode,
      error_message: m.errorMessage,
      api_version: API,
      date_created: rfc2822(m.dateCreated),
      date_sent: rfc2822(m.dateSent),
      date_updated: rfc2822(m.dateUpdated),
      uri: `${root}/Messages/${m.sid}.json`,
      subresource_uris: { media: `${root}/Messages/${m.sid}/Media.json` },
    };
  }

  const gate = http.all(`*/${API}/*`, ({ request }) => {
    const url = new URL(request.url);
    if (!authenticated(request) || (!url.pathname.startsWith(`${root}/`) && url.pathname !== `${root}.json`)) {
      return errorResponse(20003);
    }
    const failure = failures.find((f) => f.left > 0 && (!f.method || f.method === request.method) && (!f.path || url.pathname.endsWith(f.path)));
    if (failure) {
      failure.left -= 1;
      return errorResponse(failure.code, failure.status, failure.message, failure.headers);
    }
    return undefined;
  });

  const create = http.post(`*/${API}/Accounts/:account/Messages.json`, async ({ request }) => {
    const form = formOf(await request.text());
    const to = one(form.To)?.trim() ?? "";
    const from = one(form.From)?.trim();
    const service = one(form.MessagingServiceSid);
    const body = one(form.Body) ?? "";
    const media = many(form.MediaUrl);
    const callback = one(form.StatusCallback);
    if (!isRecipient(to)) return errorResponse(21211, 400, `The 'To' number ${to} is not a valid phone number.`);
    // A missing sender is reported as an invalid From here; the contract lists no separate code.
    if (from === undefined && service === undefined) return errorResponse(21212);
    if (from !== undefined && !isSender(from)) return errorResponse(21212);
    if (magic && from !== undefined && MAGIC_FROM[from] !== undefined) return errorResponse(MAGIC_FROM[from]!);
    if (from !== undefined && options.senders && !options.senders.includes(from) && !(magic && from === MAGIC_SENDER)) return errorResponse(21606);
    if (body === "" && media.length === 0 && one(form.ContentSid) === undefined) return errorResponse(21602);
    if ([...body].length > 1600) return errorResponse(21617);
    if (callback !== undefined && !validCallback(callback)) return errorResponse(21609);
    if (optOuts.has(to)) return errorResponse(21610);
    if (magic && MAGIC_TO[to] !== undefined) return errorResponse(MAGIC_TO[to]!);
    const at = now();
    const message: FakeMessage = {
      sid: `${media.length > 0 ? "MM" : "SM"}${hex(16)}`,
      direction: "outbound-api",
      to,
      from: from ?? null,
      body,
      mediaUrls: media,
      messagingServiceSid: service ?? null,
      statusCallback: callback ?? null,
      status: service !== undefined ? "accepted" : "queued",
      history: [],
      errorCode: null,
      errorMessage: null,
      // Via a Messaging Service, num_segments is "0" at create (shared/vendors/twilio.md §2).
      numSegments: service !== undefined ? 0 : segmentsOf(body),
      price: null,
      dateCreated: at,
      dateSent: null,
      dateUpdated: at,
      params: form,
    };
    message.history.push(message.status);
    messages.push(message);
    bySid.set(message.sid, message);
    return ok(wire(message), 201);
  });

  const fetchOne = http.get(`*/${API}/Accounts/:account/Messages/:sid`, ({ request, params }) => {
    const sid = String(params.sid).replace(/\.json$/, "");
    const message = bySid.get(sid);
    if (!message) return errorResponse(20404, 404, `The requested resource ${new URL(request.url).pathname} was not found`);
    return ok(wire(message));
  });

  const list = http.get(`*/${API}/Accounts/:account/Messages.json`, ({ request }) => {
    const url = new URL(request.url);
    const q = url.searchParams;
    const pageSize = Math.min(1000, Math.max(1, Number(q.get("PageSize") ?? 50) || 50));
    const day = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().slice(0, 10));
    const filters = { To: q.get("To"), From: q.get("From"), DateSent: q.get("DateSent"), "DateSent<": q.get("DateSent<"), "DateSent>": q.get("DateSent>") };
    // Newest first, as Twilio lists them.
    const matching = [...messages].reverse().filter((m) => {
      const sent = day(m.dateSent);
      if (filters.To !== null && m.to !== filters.To) return false;
      if (filters.From !== null && m.from !== filters.From) return false;
      if (filters.DateSent !== null && sent !== filters.DateSent) return false;
      if (filters["DateSent<"] !== null && (sent === null || sent > filters["DateSent<"])) return false;
      if (filters["DateSent>"] !== null && (sent === null || sent < filters["DateSent>"])) return false;
      return true;
    });
    const page = Number(q.get("Page") ?? 0) || 0;
    const token = q.get("PageToken");
    let start = 0;
    if (token !== null) {
      // PA<sid>: the page after that message; PB<sid>: the page before it.
      const index = matching.findIndex((m) => m.sid === token.slice(2));
      if (!/^P[AB]/.test(token) || index < 0) return errorResponse(20001, 400, `Invalid PageToken ${token}`);
      start = token.startsWith("PA") ? index + 1 : Math.max(0, index - pageSize);
    }
    const slice = matching.slice(start, start + pageSize);
    const filterQuery = Object.entries(filters)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v!)}`)
      .join("&");
    const pageUri = (n: number, pageToken?: string) =>
      `${root}/Messages.json?${filterQuery ? `${filterQuery}&` : ""}PageSize=${pageSize}&Page=${n}${pageToken ? `&PageToken=${pageToken}` : ""}`;
    const hasNext = start + pageSize < matching.length;
    return ok({
      messages: slice.map(wire),
      page,
      page_size: pageSize,
      start: start,
      end: start + Math.max(0, slice.length - 1),
      uri: `${url.pathname}${url.search}`,
      first_page_uri: pageUri(0),
      next_page_uri: hasNext && slice.length > 0 ? pageUri(page + 1, `PA${slice.at(-1)!.sid}`) : null,
      previous_page_uri: start > 0 && slice.length > 0 ? pageUri(Math.max(0, page - 1), `PB${slice[0]!.sid}`) : null,
    });
  });

  const fallback = http.all(`*/${API}/*`, ({ request }) => errorResponse(20404, 404, `The requested resource ${new URL(request.url).pathname} was not found`));

  function nextStatus(m: FakeMessage): { status: Status; errorCode: number | null } | undefined {
    const failure = deliveryFailures[m.to];
    const spec = failure === undefined ? undefined : typeof failure === "number" ? { status: FAILED_CODES.has(failure) ? ("failed" as const) : ("undelivered" as const), errorCode: failure } : failure;
    switch (m.status) {
      case "accepted":
        return { status: "queued", errorCode: null };
      case "queued":
        return spec?.status === "failed" ? { status: "failed", errorCode: spec.errorCode } : { status: "sent", errorCode: null };
      case "sending":
        return { status: "sent", errorCode: null };
      case "sent":
        return spec?.status === "undelivered" ? { status: "undelivered", errorCode: spec.errorCode } : { status: "delivered", errorCode: null };
      default:
        return undefined;
    }
  }

  function dlrDate(ms: number): string {
    const d = new Date(ms);
    const two = (n: number) => String(n).padStart(2, "0");
    return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}`;
  }

  function statusParams(m: FakeMessage, status: string, errorCode: number | null): Record<string, string> {
    const params: Record<string, string> = {
      MessageSid: m.sid,
      MessageStatus: status,
      AccountSid: accountSid,
      From: m.from ?? mgSender,
      To: m.to,
      ApiVersion: API,
      SmsSid: m.sid,
      SmsStatus: status,
    };
    if (m.messagingServiceSid) params.MessagingServiceSid = m.messagingServiceSid;
    if ((status === "failed" || status === "undelivered") && errorCode !== null) params.ErrorCode = String(errorCode);
    if (status === "delivered" || status === "undelivered") params.RawDlrDoneDate = dlrDate(now());
    return params;
  }

  async function postStatusCallback(opts: PostStatusOptions): Promise<Response> {
    const m = bySid.get(opts.sid);
    if (!m) throw new Error(`createTwilioFake: no message ${opts.sid}`);
    const url = opts.url ?? m.statusCallback;
    if (!url) throw new Error(`createTwilioFake: message ${opts.sid} has no StatusCallback; pass url`);
    const status = opts.status ?? m.status;
    const params = { ...statusParams(m, status, opts.errorCode ?? m.errorCode), ...opts.params };
    return postTwilioWebhook({ authToken, url, params, json: opts.json, signedUrl: opts.signedUrl, headers: opts.headers });
  }

  async function advance(sid: string): Promise<FakeTransition | undefined> {
    const m = bySid.get(sid);
    if (!m) throw new Error(`createTwilioFake: no message ${sid}`);
    const next = m.direction === "outbound-api" ? nextStatus(m) : undefined;
    if (!next) return undefined;
    const from = m.status;
    const at = now();
    m.status = next.status;
    m.history.push(next.status);
    m.dateUpdated = at;
    if (next.errorCode !== null) {
      m.errorCode = next.errorCode;
      m.errorMessage = ERROR_TEXT[next.errorCode] ?? `Error ${next.errorCode}`;
    }
    if (next.status === "sent") {
      m.dateSent = at;
      m.from ??= mgSender;
      m.numSegments = m.numSegments || segmentsOf(m.body);
      m.price = (-0.0079 * Math.max(1, m.numSegments)).toFixed(5);
    }
    const transition: FakeTransition = { sid, from, to: next.status };
    if (m.statusCallback) {
      const response = await postStatusCallback({ sid, status: next.status });
      await response.arrayBuffer();
      transition.callback = { url: m.statusCallback, status: response.status };
    }
    return transition;
  }

  async function deliver(sid: string): Promise<FakeTransition[]> {
    const out: FakeTransition[] = [];
    for (let t = await advance(sid); t; t = await advance(sid)) out.push(t);
    return out;
  }

  return {
    handlers: [gate, create, list, fetchOne, fallback],
    accountSid,
    authToken,
    apiKeys,
    messages,
    optOuts,
    message: (sid) => bySid.get(sid),
    failNext(failure) {
      failures.push({ ...failure, left: failure.times ?? 1 });
    },
    rateLimitNext(opts = {}) {
      failures.push({ code: 20429, status: 429, left: opts.times ?? 1, ...(opts.path ? { path: opts.path } : {}) });
    },
    failDeliveryTo(to, failure) {
      deliveryFailures[to] = failure;
    },
    advance,
    deliver,
    async deliverAll() {
      const out: FakeTransition[] = [];
      for (const m of [...messages]) if (m.direction === "outbound-api") out.push(...(await deliver(m.sid)));
      return out;
    },
    postStatusCallback,
    async postInbound(opts) {
      const to = opts.to ?? options.senders?.[0] ?? MAGIC_SENDER;
      const at = now();
      const message: FakeMessage = {
        sid: `${(opts.media?.length ?? 0) > 0 ? "MM" : "SM"}${hex(16)}`,
        direction: "inbound",
        to,
        from: opts.from,
        body: opts.body,
        mediaUrls: (opts.media ?? []).map((m) => m.url),
        messagingServiceSid: opts.messagingServiceSid ?? null,
        statusCallback: null,
        status: "received",
        history: ["received"],
        errorCode: null,
        errorMessage: null,
        numSegments: Math.max(1, segmentsOf(opts.body)),
        price: null,
        dateCreated: at,
        dateSent: at,
        dateUpdated: at,
        params: {},
      };
      messages.push(message);
      bySid.set(message.sid, message);
      // Twilio handles the standard opt-out words itself before forwarding the message.
      const word = opts.body.trim().toUpperCase();
      if (STOP_WORDS.has(word)) optOuts.add(opts.from);
      if (START_WORDS.has(word)) optOuts.delete(opts.from);
      const params: Record<string, string> = {
        ToCountry: "US",
        ToState: "CA",
        SmsMessageSid: message.sid,
        NumMedia: String(message.mediaUrls.length),
        ToCity: "SAN FRANCISCO",
        FromZip: "94105",
        SmsSid: message.sid,
        FromState: "CA",
        SmsStatus: "received",
        FromCity: "SAN FRANCISCO",
        Body: opts.body,
        FromCountry: "US",
        To: to,
        ToZip: "94105",
        NumSegments: String(message.numSegments),
        MessageSid: message.sid,
        AccountSid: accountSid,
        From: opts.from,
        ApiVersion: API,
        ...(opts.messagingServiceSid ? { MessagingServiceSid: opts.messagingServiceSid } : {}),
      };
      (opts.media ?? []).forEach((m, i) => {
        params[`MediaUrl${i}`] = m.url;
        params[`MediaContentType${i}`] = m.contentType;
      });
      Object.assign(params, opts.params);
      message.params = params;
      const response = await postTwilioWebhook({ authToken, url: opts.url, params, json: opts.json, signedUrl: opts.signedUrl, headers: opts.headers });
      const twiml = await response.text();
      return { response, message, twiml };
    },
    sign: (url, params = {}) => twilioSignature(authToken, url, params),
    reset() {
      messages.length = 0;
      bySid.clear();
      optOuts.clear();
      failures = [];
      deliveryFailures = { ...options.deliveryFailures };
    },
  };
}

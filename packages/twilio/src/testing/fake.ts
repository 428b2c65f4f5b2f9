/**
 * A stateful fake of Twilio Programmable Messaging as msw handlers (shared/vendors/twilio.md):
 * it authenticates Basic credentials (Auth Token or API keys), refuses what Twilio refuses with
 * Twilio's `{ code, message, more_info, status }` bodies (including the test-credential magic
 * numbers), stores messages and moves them queued → sent → delivered (or to failed /
 * undelivered for configured numbers), pages lists with `next_page_uri` + `PageToken`, mirrors
 * STOP / START opt-outs, and posts signed status callbacks and inbound messages to a host URL.
 */
import { notImplementedHandler } from "@connect/core/testing";
import { http, HttpResponse } from "msw";
import {
  DEFAULT_STATUS,
  dlrDate,
  ERROR_TEXT,
  FAILED_CODES,
  formOf,
  hex,
  isRecipient,
  isSender,
  MAGIC_FROM,
  MAGIC_SENDER,
  MAGIC_TO,
  many,
  one,
  rfc2822,
  segmentsOf,
  START_WORDS,
  STOP_WORDS,
  validCallback,
} from "./rules.js";
import { listMessages } from "./list.js";
import { postTwilioWebhook, twilioSignature } from "./signer.js";
import type { FakeDeliveryFailure, FakeFailure, FakeMessage, FakeStatus, FakeTransition, PostStatusOptions, TwilioFake, TwilioFakeOptions } from "./types.js";

const API = "2010-04-01";
const FAKE_NAME = "@connect/twilio/testing";
const DEFAULT_ACCOUNT = "ACfa4e00000000000000000000000000fa";
const DEFAULT_TOKEN = "fa4e0000auth0000token000000000000";

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
    // Scheduling needs a Messaging Service; with a From alone Twilio drops the schedule and sends now.
    const scheduled = service !== undefined && one(form.ScheduleType) === "fixed" && one(form.SendAt) !== undefined;
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
      status: scheduled ? "scheduled" : service !== undefined ? "accepted" : "queued",
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
    const message = bySid.get(sidOf(params.sid));
    return message ? ok(wire(message)) : notFound(request);
  });

  const list = http.get(`*/${API}/Accounts/:account/Messages.json`, ({ request }) => {
    const answer = listMessages(messages, new URL(request.url), root, wire);
    return answer.ok ? ok(answer.body) : errorResponse(answer.code, 400, answer.message);
  });

  const notFound = (request: Request) => errorResponse(20404, 404, `The requested resource ${new URL(request.url).pathname} was not found`);
  const sidOf = (value: unknown) => String(value).replace(/\.json$/, "");

  // POST /Messages/{Sid}.json (shared/vendors/twilio.md §2 "redact / cancel"): `Body=` (empty)
  // redacts the text, `Status=canceled` cancels a scheduled message; 200 with the Message.
  const update = http.post(`*/${API}/Accounts/:account/Messages/:sid`, async ({ request, params }) => {
    const message = bySid.get(sidOf(params.sid));
    if (!message) return notFound(request);
    const form = formOf(await request.text());
    const body = one(form.Body);
    const status = one(form.Status);
    // Twilio documents Body only as the redaction switch; a new text is not something it sends.
    if (body !== undefined && body !== "") return errorResponse(20001, 400, "Body can only be set to an empty string, which redacts the message");
    if (status !== undefined && status !== "canceled") return errorResponse(20001, 400, `Invalid Status ${status}: only canceled is accepted`);
    // 30409: only a message still `scheduled` (through a Messaging Service) can be canceled.
    if (status === "canceled" && message.status !== "scheduled") return errorResponse(30409);
    if (status === "canceled") {
      message.status = "canceled";
      message.history.push("canceled");
    }
    if (body === "") message.body = "";
    message.dateUpdated = now();
    return ok(wire(message));
  });

  // DELETE /Messages/{Sid}.json → 204, no body; the message is gone from fetch and list.
  const remove = http.delete(`*/${API}/Accounts/:account/Messages/:sid`, ({ request, params }) => {
    const sid = sidOf(params.sid);
    const message = bySid.get(sid);
    if (!message) return notFound(request);
    bySid.delete(sid);
    messages.splice(messages.indexOf(message), 1);
    return new HttpResponse(null, { status: 204, headers: { "twilio-request-id": `RQ${hex(16)}` } });
  });

  // After the auth gate, so an unauthenticated request is still a 401 / 20003 as Twilio answers it.
  const fallback = notImplementedHandler(FAKE_NAME, `*/${API}/*`);

  function nextStatus(m: FakeMessage): { status: FakeStatus; errorCode: number | null } | undefined {
    const failure = deliveryFailures[m.to];
    const spec = failure === undefined ? undefined : typeof failure === "number" ? { status: FAILED_CODES.has(failure) ? ("failed" as const) : ("undelivered" as const), errorCode: failure } : failure;
    switch (m.status) {
      case "scheduled":
        return { status: "queued", errorCode: null };
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
    handlers: [gate, create, list, fetchOne, update, remove, fallback],
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

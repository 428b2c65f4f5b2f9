/**
 * A stateful fake of SendGrid v3 as msw handlers: it authenticates the API key, refuses
 * what SendGrid refuses (with its `errors[]` bodies), records accepted sends with their
 * X-Message-Id, answers sandbox mode with 200, issues and checks mail batch ids, keeps
 * suppression lists with offset paging, and posts signed Event Webhook batches (its own P-256
 * key pair) to a host URL. An endpoint it does not implement answers core's 501
 * "not implemented by @connect/sendgrid/testing fake", never a vendor-like 404.
 */
import { randomBytes } from "node:crypto";
import { notImplementedHandler } from "@connect/core/testing";
import { http, HttpResponse, type RequestHandler } from "msw";
import { batchEndpoints } from "./batches.js";
import { buildEvents } from "./events.js";
import { mailSendErrors, type FakeErrorEntry } from "./mail-rules.js";
import { createEventWebhookSigner, serializeEventBatch, type EventWebhookSigner } from "./signer.js";

/** One accepted (or sandbox-validated) mail send. @public */
export interface RecordedSend {
  /** The X-Message-Id answered (also set for sandbox sends, which SendGrid may omit). */
  messageId: string;
  /** The request body as received. */
  body: Record<string, unknown> & { personalizations: Array<Record<string, unknown> & { to: Array<{ email: string; name?: string }> }> };
  /** `on-behalf-of`, when sent. */
  onBehalfOf: string | undefined;
  /** Epoch ms at which the fake accepted it. */
  at: number;
}

/** A bounce/block row. @public */
export interface FakeBounceRow { created: number; email: string; reason: string; status: string }
/** A spam report row. @public */
export interface FakeSpamReportRow { created: number; email: string; ip: string }
/** A global unsubscribe row. @public */
export interface FakeUnsubscribeRow { created: number; email: string }

/** The fake's suppression lists (mutable; seed them in tests). @public */
export interface FakeSuppressions {
  bounces: FakeBounceRow[];
  blocks: FakeBounceRow[];
  spamReports: FakeSpamReportRow[];
  unsubscribes: FakeUnsubscribeRow[];
}

/** A scripted failure for the next matching request(s). @public */
export interface FakeFailure {
  status: number;
  /** The `errors[]` entries of the body. Default: one entry with a message for the status. */
  errors?: FakeErrorEntry[];
  /** Replace the whole body (e.g. a 500 that only carries `message`). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Only requests with this method (upper case). */
  method?: string;
  /** Only requests whose path starts with this (e.g. `/v3/mail/send`). */
  path?: string;
  /** How many requests it answers. Default 1. */
  times?: number;
}

/** What an event spec may set; anything else on the event is generated. @public */
export type FakeEventSpec = string | ({ event: string; email?: string; personalization?: number } & Record<string, unknown>);

/** Options of {@link createSendGridFake}. @public */
export interface SendGridFakeOptions {
  /** The API key the fake accepts. Default `SG.fake-key-0000.fake-secret-0000`. */
  apiKey?: string;
  /** Verified senders: exact addresses or `@domain`. Default: every sender is verified. */
  verifiedSenders?: string[];
  /** Clock (epoch ms) for created times, rate-limit resets and event timestamps. */
  now?: () => number;
}

/** The fake. @public */
export interface SendGridFake {
  /** msw handlers; serve them with `serveHandlers` from @connect/core/testing. */
  readonly handlers: RequestHandler[];
  /** The API key it accepts. */
  readonly apiKey: string;
  /** Accepted sends (202), in order. */
  readonly sends: RecordedSend[];
  /** Sends validated in sandbox mode (200): nothing was sent, no events follow. */
  readonly sandboxSends: RecordedSend[];
  /** Suppression lists. */
  readonly suppressions: FakeSuppressions;
  /** Batch ids issued by POST /v3/mail/batch (mail/send accepts only these as `batch_id`). */
  readonly batchIds: ReadonlySet<string>;
  /** The event webhook signer (its public key is what a receiver verifies with); replaced when signing is re-enabled. */
  readonly signer: EventWebhookSigner;
  /** Whether batches are signed (PATCH …/settings/signed `{enabled}` turns it off and on). */
  readonly signingEnabled: boolean;
  /** Answer the next matching request(s) with an error. */
  failNext(failure: FakeFailure): void;
  /** Answer the next matching request(s) with 429 and `X-RateLimit-Reset` (unix s; default now + 1 s). */
  rateLimitNext(options?: { resetAt?: number; times?: number; path?: string }): void;
  /** Build events for a recorded send (by send or X-Message-Id); a bounce/spamreport/unsubscribe also lands in the suppression lists. */
  eventsFor(send: RecordedSend | string, specs: FakeEventSpec[]): Array<Record<string, unknown>>;
  /** Sign (while signing is enabled) and POST events (or raw bytes) to a host URL with globalThis.fetch, as SendGrid would. */
  postEvents(url: string, events: Array<Record<string, unknown>> | Buffer, options?: { timestamp?: number; headers?: Record<string, string> }): Promise<Response>;
  /** Forget sends, suppressions, batch ids and scripted failures. */
  reset(): void;
}

const RATE_LIMIT = 600;

function messageId(): string {
  return randomBytes(16).toString("base64url").slice(0, 22);
}

function errorBody(entries: FakeErrorEntry[]): { errors: FakeErrorEntry[] } {
  return { errors: entries };
}

const DEFAULT_MESSAGES: Record<number, string> = {
  400: "Bad Request",
  401: "authorization required",
  403: "access forbidden",
  404: "resource not found",
  413: "Payload Too Large",
  429: "too many requests",
  500: "internal server error",
  502: "bad gateway",
  503: "service unavailable",
};

/**
 * Create a SendGrid fake.
 * @example
 * const fake = createSendGridFake();
 * const server = await serveHandlers(fake.handlers);
 * const sendgrid = createSendGridClient({ apiKey: fake.apiKey, baseUrl: server.url });
 * @public
 */
export function createSendGridFake(options: SendGridFakeOptions = {}): SendGridFake {
  const apiKey = options.apiKey ?? "SG.fake-key-0000.fake-secret-0000";
  const now = options.now ?? Date.now;
  const nowSeconds = (): number => Math.floor(now() / 1000);
  let signer = createEventWebhookSigner({ now });
  let signingEnabled = true;
  const sends: RecordedSend[] = [];
  const sandboxSends: RecordedSend[] = [];
  const suppressions: FakeSuppressions = { bounces: [], blocks: [], spamReports: [], unsubscribes: [] };
  let failures: Array<FakeFailure & { left: number }> = [];
  const remaining = { count: RATE_LIMIT };

  const limitHeaders = (): Record<string, string> => ({
    "x-ratelimit-limit": String(RATE_LIMIT),
    "x-ratelimit-remaining": String(Math.max(0, --remaining.count)),
    "x-ratelimit-reset": String(nowSeconds() + 1),
  });

  const verified = (email: string): boolean => {
    if (!options.verifiedSenders) return true;
    const lower = email.toLowerCase();
    return options.verifiedSenders.some((s) => (s.startsWith("@") ? lower.endsWith(s.toLowerCase()) : lower === s.toLowerCase()));
  };

  const batches = batchEndpoints(limitHeaders);

  const lists = { bounces: "bounces", blocks: "blocks", spam_reports: "spamReports", unsubscribes: "unsubscribes" } as const;

  const gate = http.all("*/v3/*", ({ request }) => {
    const url = new URL(request.url);
    const failure = failures.find((f) => f.left > 0 && (!f.method || f.method === request.method) && (!f.path || url.pathname.startsWith(f.path)));
    if (request.headers.get("authorization") !== `Bearer ${apiKey}`) {
      return HttpResponse.json(errorBody([{ field: null, message: "authorization required" }]), { status: 401, headers: limitHeaders() });
    }
    if (failure) {
      failure.left -= 1;
      const body = failure.body ?? errorBody(failure.errors ?? [{ field: null, message: DEFAULT_MESSAGES[failure.status] ?? `error ${failure.status}` }]);
      return HttpResponse.json(body as never, { status: failure.status, headers: { ...limitHeaders(), ...failure.headers } });
    }
    return undefined;
  });

  const mailSend = http.post("*/v3/mail/send", async ({ request }) => {
    const text = await request.text();
    // SendGrid measures the whole message; the request body is the fake's stand-in.
    if (Buffer.byteLength(text) >= 30 * 1024 * 1024) {
      return HttpResponse.json(errorBody([{ field: null, message: "Payload Too Large" }]), { status: 413, headers: limitHeaders() });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return HttpResponse.json(errorBody([{ field: null, message: "Bad Request" }]), { status: 400, headers: limitHeaders() });
    }
    const errors = mailSendErrors(body, { knownBatchId: (id) => batches.ids.has(id) });
    if (errors.length > 0) return HttpResponse.json(errorBody(errors), { status: 400, headers: limitHeaders() });
    const mail = body as RecordedSend["body"];
    const from = (mail.from as { email: string }).email;
    if (!verified(from)) {
      return HttpResponse.json(
        errorBody([{ field: "from", message: "The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved.", help: "https://sendgrid.com/docs/for-developers/sending-email/sender-identity/" }]),
        { status: 403, headers: limitHeaders() },
      );
    }
    const record: RecordedSend = { messageId: messageId(), body: mail, onBehalfOf: request.headers.get("on-behalf-of") ?? undefined, at: now() };
    const sandbox = (mail.mail_settings as { sandbox_mode?: { enable?: boolean } } | undefined)?.sandbox_mode?.enable === true;
    if (sandbox) {
      sandboxSends.push(record);
      // Sandbox mode validates only and answers 200 without an X-Message-Id [D, uncertain].
      return new HttpResponse(null, { status: 200, headers: limitHeaders() });
    }
    sends.push(record);
    return new HttpResponse(null, { status: 202, headers: { ...limitHeaders(), "x-message-id": record.messageId } });
  });

  const inWindow = (url: URL) => {
    const start = url.searchParams.get("start_time");
    const end = url.searchParams.get("end_time");
    const limit = Number(url.searchParams.get("limit") ?? 500);
    const offset = Number(url.searchParams.get("offset") ?? 0);
    return <T extends { created: number }>(rows: T[]): T[] =>
      rows.filter((r) => (start === null || r.created >= Number(start)) && (end === null || r.created <= Number(end))).slice(offset, offset + limit);
  };

  const listGet = http.get("*/v3/suppression/:list", ({ request, params }) => {
    const key = lists[params.list as keyof typeof lists];
    // Other lists (invalid_emails …) are real endpoints the fake does not implement: fall through to the 501.
    if (!key) return undefined;
    return HttpResponse.json(inWindow(new URL(request.url))(suppressions[key] as Array<{ created: number }>), { headers: limitHeaders() });
  });

  const listDelete = http.delete("*/v3/suppression/:list", async ({ request, params }) => {
    const key = lists[params.list as keyof typeof lists];
    if (!key) return undefined;
    // There is no DELETE on /v3/suppression/unsubscribes (shared/vendors/sendgrid.md §4).
    if (key === "unsubscribes") return HttpResponse.json(errorBody([{ field: null, message: "resource not found" }]), { status: 404, headers: limitHeaders() });
    const body = (await request.json().catch(() => undefined)) as { delete_all?: unknown; emails?: unknown } | undefined;
    const all = body?.delete_all === true;
    const emails = Array.isArray(body?.emails) ? (body.emails as string[]) : undefined;
    if (all === (emails !== undefined)) {
      return HttpResponse.json(errorBody([{ field: null, message: "Either delete_all or emails must be provided, but not both." }]), { status: 400, headers: limitHeaders() });
    }
    const rows = suppressions[key] as Array<{ email: string }>;
    const keep = all ? [] : rows.filter((r) => !emails!.map((e) => e.toLowerCase()).includes(r.email.toLowerCase()));
    rows.splice(0, rows.length, ...keep);
    return new HttpResponse(null, { status: 204, headers: limitHeaders() });
  });

  const oneGet = http.get("*/v3/suppression/:list/:email", ({ params }) => {
    const key = lists[params.list as keyof typeof lists];
    // GET /v3/suppression/unsubscribes/{email} is not a SendGrid endpoint; the global one is /v3/asm/suppressions/global/{email}.
    if (!key || key === "unsubscribes") return undefined;
    const email = decodeURIComponent(String(params.email)).toLowerCase();
    // A bare array of 0 or 1 rows (shared/vendors/sendgrid.md §4).
    return HttpResponse.json((suppressions[key] as Array<{ email: string }>).filter((r) => r.email.toLowerCase() === email), { headers: limitHeaders() });
  });

  const oneDelete = http.delete("*/v3/suppression/:list/:email", ({ params }) => {
    const key = lists[params.list as keyof typeof lists];
    if (!key) return undefined;
    if (key === "unsubscribes") return HttpResponse.json(errorBody([{ field: null, message: "resource not found" }]), { status: 404, headers: limitHeaders() });
    const email = decodeURIComponent(String(params.email)).toLowerCase();
    const rows = suppressions[key] as Array<{ email: string }>;
    rows.splice(0, rows.length, ...rows.filter((r) => r.email.toLowerCase() !== email));
    return new HttpResponse(null, { status: 204, headers: limitHeaders() });
  });

  const globalDelete = http.delete("*/v3/asm/suppressions/global/:email", ({ params }) => {
    const email = decodeURIComponent(String(params.email)).toLowerCase();
    suppressions.unsubscribes.splice(0, suppressions.unsubscribes.length, ...suppressions.unsubscribes.filter((r) => r.email.toLowerCase() !== email));
    return new HttpResponse(null, { status: 204, headers: limitHeaders() });
  });

  const globalGet = http.get("*/v3/asm/suppressions/global/:email", ({ params }) => {
    const email = decodeURIComponent(String(params.email)).toLowerCase();
    const row = suppressions.unsubscribes.find((r) => r.email.toLowerCase() === email);
    return HttpResponse.json(row ? { recipient_email: row.email } : {}, { headers: limitHeaders() });
  });

  const signedSettings = (id: unknown) => ({ ...(typeof id === "string" ? { id } : {}), public_key: signingEnabled ? signer.publicKey : "" });
  const signedGet = ({ params }: { params: Record<string, unknown> }) => HttpResponse.json(signedSettings(params.id), { headers: limitHeaders() });
  const signedPatch = async ({ request, params }: { request: Request; params: Record<string, unknown> }) => {
    const body = (await request.json().catch(() => undefined)) as { enabled?: unknown } | undefined;
    if (typeof body?.enabled !== "boolean") {
      return HttpResponse.json(errorBody([{ field: "enabled", message: "enabled must be a boolean" }]), { status: 400, headers: limitHeaders() });
    }
    // Disabling deletes the key pair; enabling again issues a new one (shared/vendors/sendgrid.md §6).
    if (body.enabled && !signingEnabled) signer = createEventWebhookSigner({ now });
    signingEnabled = body.enabled;
    return HttpResponse.json(signedSettings(params.id), { headers: limitHeaders() });
  };
  const signed = [
    http.get("*/v3/user/webhooks/event/settings/signed", signedGet),
    http.get("*/v3/user/webhooks/event/settings/signed/:id", signedGet),
    http.patch("*/v3/user/webhooks/event/settings/signed", signedPatch),
    http.patch("*/v3/user/webhooks/event/settings/signed/:id", signedPatch),
  ];

  // Anything else under /v3 answers core's 501 naming this fake and the request, so a gap in the
  // fake never reads as a SendGrid "resource not found" (a bug in the caller's code).
  const fallback = notImplementedHandler("@connect/sendgrid/testing", "*/v3/*");

  function eventsFor(target: RecordedSend | string, specs: FakeEventSpec[]): Array<Record<string, unknown>> {
    const send = typeof target === "string" ? sends.find((s) => s.messageId === target) : target;
    if (!send) throw new Error(`createSendGridFake: no recorded send with X-Message-Id ${String(target)}`);
    return buildEvents(send, specs, { nowSeconds: nowSeconds(), suppressions });
  }

  return {
    handlers: [gate, mailSend, ...batches.handlers, listGet, listDelete, oneGet, oneDelete, globalDelete, globalGet, ...signed, fallback],
    apiKey,
    sends,
    sandboxSends,
    suppressions,
    batchIds: batches.ids,
    get signer() {
      return signer;
    },
    get signingEnabled() {
      return signingEnabled;
    },
    failNext(failure) {
      failures.push({ ...failure, left: failure.times ?? 1 });
    },
    rateLimitNext(opts = {}) {
      failures.push({
        status: 429,
        errors: [{ field: null, message: "too many requests" }],
        headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(opts.resetAt ?? nowSeconds() + 1) },
        ...(opts.path ? { path: opts.path } : {}),
        left: opts.times ?? 1,
      });
    },
    eventsFor,
    async postEvents(url, events, opts = {}) {
      const rawBody = Buffer.isBuffer(events) ? events : serializeEventBatch(events);
      const signature = signingEnabled ? signer.sign(rawBody, opts.timestamp) : {};
      const headers = { "content-type": "application/json", "user-agent": "SendGrid Event API", ...signature, ...opts.headers };
      return globalThis.fetch(url, { method: "POST", headers, body: new Uint8Array(rawBody) });
    },
    reset() {
      sends.length = 0;
      sandboxSends.length = 0;
      for (const list of Object.values(suppressions) as unknown[][]) list.length = 0;
      batches.ids.clear();
      failures = [];
      remaining.count = RATE_LIMIT;
      signingEnabled = true;
    },
  };
}

/**
 * A stateful fake of Mailgun's API as msw handlers: it checks Basic `api:<key>` (401 text
 * `Forbidden`), knows its domains (404 `Domain not found: x`), parses multipart sends with
 * repeated fields and refuses what Mailgun refuses, stores accepted messages and the events
 * they cause, serves the Events API and the suppression lists, keeps templates, and posts
 * signed JSON webhooks to a host URL. An endpoint it does not implement answers core's 501
 * "not implemented by @connect/mailgun/testing fake", never a Mailgun-like 404.
 */
import { notImplementedByFake } from "@connect/core/testing";
import { http, HttpResponse, type RequestHandler } from "msw";
import { eventFor, eventsEndpoints, failedEvent, recordSendEvents, type AddressRule } from "./events.js";
import { recipientsOf, sendError } from "./message-rules.js";
import { mailgunWebhookBody, type SignWebhookOptions } from "./signer.js";
import { createDomain, mailgunError, randomId, readForm, rfc2822, type FakeDomain, type FakeEvent, type FakeTemplate, type StoredMessage } from "./state.js";
import { suppressionEndpoints } from "./suppressions.js";

const FAKE = "@connect/mailgun/testing";
/** mailgun.js caps bodies at 50 MB; Mailgun answers 413 above 52.4 MiB (shared/vendors/mailgun.md §2–3). */
const MAX_BODY_BYTES = 52.4 * 1024 * 1024;

/** Options of {@link createMailgunFake}. @public */
export interface MailgunFakeOptions {
  /** The API key it accepts. Default `key-fake-0000000000000000000000000000`. */
  apiKey?: string | undefined;
  /** Sending domains it knows. Default `["mg.acme.test"]`. */
  domains?: string[] | undefined;
  /** The HTTP webhook signing key its deliveries are signed with. Default `mg-fake-signing-key-0000`. */
  signingKey?: string | undefined;
  /** Templates stored on every domain at start, by name (optionally with the headers they supply). */
  templates?: Array<string | { name: string; headers?: Record<string, string> }> | undefined;
  /** Recipients whose delivery fails permanently (`failed`, `severity: permanent`); they land in the bounces list. */
  bounceAddresses?: AddressRule | undefined;
  /** Recipients whose delivery fails temporarily (`failed`, `severity: temporary`). */
  deferAddresses?: AddressRule | undefined;
  /** Largest request body a send may have before the 413 (default 52.4 MiB, Mailgun's cap). */
  maxRequestBytes?: number | undefined;
  /** Clock (epoch ms) for ids, events and created times. */
  now?: (() => number) | undefined;
}

/** A scripted failure for the next matching request(s). @public */
export interface MailgunFakeFailure {
  status: number;
  /** A JSON body; default `{ message: <text for the status> }` (401: the text `Forbidden`). */
  body?: unknown;
  /** A plain-text body instead of JSON. */
  text?: string | undefined;
  headers?: Record<string, string> | undefined;
  /** Only requests with this method (upper case). */
  method?: string | undefined;
  /** Only requests whose path starts with this (e.g. `/v3/mg.acme.test/messages`). */
  path?: string | undefined;
  /** How many requests it answers. Default 1. */
  times?: number | undefined;
}

/** Options of `deliverWebhook`. @public */
export interface DeliverWebhookOptions extends SignWebhookOptions {
  /** Sign with this key instead of the fake's (a wrong-key test). */
  signingKey?: string | undefined;
  headers?: Record<string, string> | undefined;
}

/** The fake. @public */
export interface MailgunFake {
  /** msw handlers; serve them with `serveHandlers` from @connect/core/testing. */
  readonly handlers: RequestHandler[];
  readonly apiKey: string;
  readonly signingKey: string;
  /** The first (default) domain's name. */
  readonly domainName: string;
  /** A domain's state (the default domain when no name is given). */
  domain(name?: string): FakeDomain;
  /** Every accepted message of every domain, in order. */
  readonly messages: StoredMessage[];
  /** Store a template on a domain (the default one unless `domain` is given). */
  addTemplate(name: string, options?: { domain?: string; headers?: Record<string, string>; description?: string }): FakeTemplate;
  /** Answer the next matching request(s) with an error. */
  failNext(failure: MailgunFakeFailure): void;
  /** Answer the next matching request(s) with a 429 (or 420) naming when to try again. */
  rateLimitNext(options?: { retryAfterSeconds?: number; resetAt?: number; status?: 429 | 420; times?: number; path?: string; message?: string }): void;
  /** The events of one message (by stored message, or id with or without brackets). */
  eventsFor(message: StoredMessage | string): FakeEvent[];
  /** Record an engagement event (or a `rejected`) for a message's recipient; `complained` and `unsubscribed` also land in their lists. */
  emit(message: StoredMessage | string, event: "opened" | "clicked" | "unsubscribed" | "complained" | "rejected", options?: { recipient?: string; url?: string }): FakeEvent;
  /** Record a later delivery failure: `hard` (550, and a bounces row), `soft` (permanent after retries, 452) or `temporary` (421). */
  fail(message: StoredMessage | string, kind: "hard" | "soft" | "temporary", options?: { recipient?: string }): FakeEvent;
  /** The webhook body Mailgun would post for an event: signed `signature` and `event-data` with `account` and `domain`. */
  webhookBody(event: FakeEvent, options?: DeliverWebhookOptions): Record<string, unknown>;
  /** POST one event as a signed JSON webhook to a host URL (globalThis.fetch), as Mailgun would. */
  deliverWebhook(url: string, event: FakeEvent, options?: DeliverWebhookOptions): Promise<Response>;
  /** Forget messages, events, suppressions, scripted failures; templates go back to the seeded ones. */
  reset(): void;
}

const DEFAULT_MESSAGES: Record<number, string> = {
  400: "Bad Request",
  402: "Request Failed",
  403: "Forbidden",
  404: "Not Found",
  413: "request size exceeds 52.4MiB limit",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

function messageIdFor(domain: string, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:TZ]/g, "").slice(0, 14);
  return `${stamp}.${randomId(6)}@${domain}`;
}

/**
 * Create a Mailgun fake.
 * @example
 * const fake = createMailgunFake({ bounceAddresses: /@bounce\.test$/ });
 * const server = await serveHandlers(fake.handlers);
 * const mailgun = createMailgunClient({ apiKey: fake.apiKey, domain: fake.domainName, region: "us", baseUrl: server.url });
 * @public
 */
export function createMailgunFake(options: MailgunFakeOptions = {}): MailgunFake {
  const apiKey = options.apiKey ?? "key-fake-0000000000000000000000000000";
  const signingKey = options.signingKey ?? "mg-fake-signing-key-0000";
  const now = options.now ?? Date.now;
  const names = options.domains && options.domains.length > 0 ? options.domains : ["mg.acme.test"];
  const domains = new Map<string, FakeDomain>();
  const messages: StoredMessage[] = [];
  let failures: Array<MailgunFakeFailure & { left: number }> = [];
  const accountId = "5f0c0ffee0000000000000aa";
  const expectedAuth = `Basic ${Buffer.from(`api:${apiKey}`).toString("base64")}`;

  const addTemplate: MailgunFake["addTemplate"] = (name, opts = {}) => {
    const domain = domainOf(opts.domain ?? names[0]!);
    if (!domain) throw new Error(`createMailgunFake: no domain ${opts.domain}`);
    const template: FakeTemplate = { name: name.toLowerCase(), description: opts.description ?? "", headers: opts.headers ?? {}, createdAt: rfc2822(now()) };
    domain.templates.set(template.name, template);
    return template;
  };

  const seed = () => {
    domains.clear();
    for (const name of names) domains.set(name.toLowerCase(), createDomain(name.toLowerCase()));
    for (const name of names) {
      for (const t of options.templates ?? []) addTemplate(typeof t === "string" ? t : t.name, { domain: name, headers: typeof t === "string" ? {} : t.headers });
    }
  };
  function domainOf(name: string): FakeDomain | undefined {
    return domains.get(name.toLowerCase());
  }
  seed();

  const gate = http.all(/\/v\d+\//, ({ request }) => {
    if (request.headers.get("authorization") !== expectedAuth) {
      // Mailgun's 401 is the plain text `Forbidden`, not JSON (shared/vendors/mailgun.md §2).
      return new HttpResponse("Forbidden", { status: 401, headers: { "content-type": "text/plain; charset=utf-8" } });
    }
    const url = new URL(request.url);
    const failure = failures.find((f) => f.left > 0 && (!f.method || f.method === request.method) && (!f.path || url.pathname.startsWith(f.path)));
    if (failure) {
      failure.left -= 1;
      if (failure.text !== undefined || (failure.status === 401 && failure.body === undefined)) {
        return new HttpResponse(failure.text ?? "Forbidden", { status: failure.status, headers: { "content-type": "text/plain; charset=utf-8", ...failure.headers } });
      }
      const body = failure.body ?? { message: DEFAULT_MESSAGES[failure.status] ?? `error ${failure.status}` };
      return HttpResponse.json(body as never, { status: failure.status, headers: failure.headers });
    }
    return undefined;
  });

  const send = http.post("*/v3/:domain/messages", async ({ request, params }) => {
    const domain = domainOf(String(params.domain));
    if (!domain) return mailgunError(404, `Domain not found: ${String(params.domain)}`);
    const maxBytes = options.maxRequestBytes ?? MAX_BODY_BYTES;
    if (Number(request.headers.get("content-length") ?? 0) > maxBytes) return mailgunError(413, "request size exceeds 52.4MiB limit");
    const type = request.headers.get("content-type") ?? "";
    if (!type.startsWith("multipart/form-data") && !type.startsWith("application/x-www-form-urlencoded")) {
      return mailgunError(400, "from parameter is missing");
    }
    const form = await readForm(request);
    if (!form) return mailgunError(400, "from parameter is missing");
    // A chunked upload has no content-length: measure what arrived.
    const size = Object.values(form.fields).flat().reduce((n, v) => n + Buffer.byteLength(v), 0) + Object.values(form.files).flat().reduce((n, f) => n + f.size, 0);
    if (size > maxBytes) return mailgunError(413, "request size exceeds 52.4MiB limit");
    const error = sendError(form.fields, domain.templates);
    if (error) return mailgunError(400, error);
    const recipients = recipientsOf(form.fields);
    const at = now();
    const messageId = messageIdFor(domain.name, at);
    const message: StoredMessage = {
      id: `<${messageId}>`,
      messageId,
      domain: domain.name,
      fields: form.fields,
      attachments: form.files.attachment ?? [],
      inline: form.files.inline ?? [],
      recipients: "recipients" in recipients ? recipients.recipients : [],
      testMode: ["yes", "true"].includes((form.fields["o:testmode"]?.[0] ?? "").toLowerCase()),
      at,
    };
    domain.messages.push(message);
    messages.push(message);
    recordSendEvents(domain, message, { bounceAddresses: options.bounceAddresses, deferAddresses: options.deferAddresses }, at);
    return HttpResponse.json({ id: message.id, message: "Queued. Thank you." });
  });

  const templateView = (t: FakeTemplate) => ({ name: t.name, description: t.description, createdAt: t.createdAt, createdBy: "", id: randomId(12) });
  const templates = [
    http.post("*/v3/:domain/templates", async ({ request, params }) => {
      const domain = domainOf(String(params.domain));
      if (!domain) return mailgunError(404, `Domain not found: ${String(params.domain)}`);
      const form = await readForm(request);
      const name = form?.fields.name?.[0];
      if (!name) return mailgunError(400, "name parameter is missing");
      if (!/^[A-Za-z0-9._~-]+$/.test(name)) return mailgunError(400, "name parameter is not valid: letters, digits and .-_~ only");
      let headers: Record<string, string> = {};
      const raw = form.fields.headers?.[0];
      if (raw !== undefined) {
        try {
          headers = JSON.parse(raw) as Record<string, string>;
        } catch {
          return mailgunError(400, "headers parameter is not a valid JSON");
        }
      }
      const stored = addTemplate(name, { domain: domain.name, headers, description: form.fields.description?.[0] ?? "" });
      return HttpResponse.json({ message: "template has been stored", template: templateView(stored) });
    }),
    http.get("*/v3/:domain/templates/:name", ({ params }) => {
      const domain = domainOf(String(params.domain));
      if (!domain) return mailgunError(404, `Domain not found: ${String(params.domain)}`);
      const template = domain.templates.get(String(params.name).toLowerCase());
      return template ? HttpResponse.json({ template: templateView(template) }) : mailgunError(404, "template not found");
    }),
    http.delete("*/v3/:domain/templates/:name", ({ params }) => {
      const domain = domainOf(String(params.domain));
      if (!domain) return mailgunError(404, `Domain not found: ${String(params.domain)}`);
      const name = String(params.name).toLowerCase();
      if (!domain.templates.delete(name)) return mailgunError(404, "template not found");
      return HttpResponse.json({ message: "template has been deleted", template: { name } });
    }),
  ];

  // Anything else under a version prefix answers core's 501 naming this fake and the request.
  const fallback = http.all(/\/v\d+\//, ({ request }) => notImplementedByFake(FAKE, request));

  const find = (target: StoredMessage | string): { message: StoredMessage; domain: FakeDomain } => {
    const id = typeof target === "string" ? target.replace(/^<(.*)>$/, "$1") : target.messageId;
    const message = messages.find((m) => m.messageId === id);
    if (!message) throw new Error(`createMailgunFake: no stored message ${String(id)}`);
    return { message, domain: domainOf(message.domain)! };
  };

  const webhookBody: MailgunFake["webhookBody"] = (event, opts = {}) => {
    const domainName = (event.storage as { url?: string } | undefined)?.url?.split("/domains/")[1]?.split("/")[0] ?? names[0]!;
    return mailgunWebhookBody(opts.signingKey ?? signingKey, { ...event, account: { id: accountId }, domain: { name: domainName } }, { now, ...opts });
  };

  return {
    handlers: [gate, send, ...templates, ...eventsEndpoints(domainOf, FAKE), ...suppressionEndpoints(domainOf, now), fallback],
    apiKey,
    signingKey,
    domainName: names[0]!.toLowerCase(),
    domain(name) {
      const domain = domainOf(name ?? names[0]!);
      if (!domain) throw new Error(`createMailgunFake: no domain ${name}`);
      return domain;
    },
    messages,
    addTemplate,
    failNext(failure) {
      failures.push({ ...failure, left: failure.times ?? 1 });
    },
    rateLimitNext(opts = {}) {
      const seconds = opts.retryAfterSeconds ?? 1;
      failures.push({
        status: opts.status ?? 429,
        body: { message: opts.message ?? `Domain ${names[0]} is not allowed to send: request limit exceeded, try again after ${seconds} seconds` },
        headers: opts.resetAt !== undefined ? { "x-ratelimit-reset": String(opts.resetAt) } : {},
        ...(opts.path ? { path: opts.path } : {}),
        left: opts.times ?? 1,
      });
    },
    eventsFor(target) {
      const { message, domain } = find(target);
      return domain.events.filter((e) => (e.message as { headers: Record<string, string> }).headers["message-id"] === message.messageId);
    },
    emit(target, event, opts = {}) {
      const { message, domain } = find(target);
      const recipient = (opts.recipient ?? message.recipients[0])!.toLowerCase();
      const at = now();
      const engagement = { ip: "203.0.113.7", geolocation: { country: "US", region: "CA", city: "San Francisco" }, "client-info": { "client-type": "browser", "client-os": "Linux", "device-type": "desktop", "client-name": "Firefox", "user-agent": "Mozilla/5.0" } };
      const extra =
        event === "clicked"
          ? { ...engagement, url: opts.url ?? "https://example.com/draws" }
          : event === "rejected"
            ? { reject: { reason: "Sending paused for this domain", description: "" } }
            : event === "complained"
              ? {}
              : engagement;
      const recorded = eventFor(domain, message, recipient, event, at / 1000, extra);
      domain.events.push(recorded);
      if (event === "complained" && !domain.complaints.some((c) => c.address === recipient)) domain.complaints.push({ address: recipient, created_at: rfc2822(at) });
      if (event === "unsubscribed" && !domain.unsubscribes.some((u) => u.address === recipient)) domain.unsubscribes.push({ address: recipient, tags: ["*"], created_at: rfc2822(at) });
      return recorded;
    },
    fail(target, kind, opts = {}) {
      const { message, domain } = find(target);
      const recorded = failedEvent(domain, message, (opts.recipient ?? message.recipients[0])!.toLowerCase(), kind, now());
      domain.events.push(recorded);
      return recorded;
    },
    webhookBody,
    async deliverWebhook(url, event, opts = {}) {
      const body = JSON.stringify(webhookBody(event, opts));
      return globalThis.fetch(url, { method: "POST", headers: { "content-type": "application/json", "user-agent": "mailgun/webhooks", ...opts.headers }, body });
    },
    reset() {
      messages.length = 0;
      failures = [];
      seed();
    },
  };
}

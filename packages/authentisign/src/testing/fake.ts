/**
 * A stateful fake of Authentisign as msw handlers: the OAuth token endpoint, the documented v1
 * endpoints the SDK calls (create multipart, send, get, list, participants, PATCH callback URL,
 * DELETE, CCs, executed documents), the vendor's error bodies (`{code,message,details}` and
 * ProblemDetails), signings progressing through their participants, and callbacks posted to
 * the signing's CallbackUrl (token in the URL; HMAC-signed when a callback secret is set).
 * Success bodies follow the assumptions of assumptions.ts exactly.
 */
import { randomBytes } from "node:crypto";
import { notImplementedHandler } from "@connect/core/testing";
import { http, HttpResponse, type RequestHandler } from "msw";
import { PARTICIPANT_TYPE, SIGNING_STATUS_ID } from "../assumptions.js";
import { callbackPayload, postCallback, signCallback, type CallbackDelivery } from "./callbacks.js";
import { certificateBytes, packageBytes } from "./pdf.js";
import { errorBody, pdfResponse, problem } from "./responses.js";
import { parseCreateForm } from "./rules.js";
import {
  applyDecline,
  applyDelete,
  applyExpire,
  applySend,
  applySign,
  applyView,
  isOpen,
  newId,
  participantWire,
  signingWire,
  type FakeCc,
  type FakeSigning,
  type FakeTransition,
} from "./state.js";

/** A scripted failure for the next matching request(s). @public */
export interface FakeFailure {
  status: number;
  /** The body; default `{ code: status, message, details: [] }`. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Only requests with this method (upper case). */
  method?: string;
  /** Only requests whose path contains this (e.g. `/api/v1/signings`, `/oauth/token`). */
  path?: string;
  /** How many requests it answers. Default 1. */
  times?: number;
}

/** Options of {@link createAuthentisignFake}. @public */
export interface AuthentisignFakeOptions {
  clientId?: string;
  clientSecret?: string;
  /** The `audience` the token endpoint accepts. Default `https://api.lwolf.com`. */
  audience?: string;
  /** Token lifetime in seconds. Default 86 400 (the documented 24 h). */
  tokenTtlSeconds?: number;
  /** Require this `lw-subscription-key` on API calls (the gateway's key). */
  subscriptionKey?: string;
  /** Sign callbacks with this secret (the assumed HMAC scheme); unsigned by default. */
  callbackSecret?: string;
  /** Clock (epoch ms) for dates, token expiry and callback timestamps. */
  now?: () => number;
}

/** What the control methods report: the callbacks posted for the change. @public */
export interface FakeControlResult {
  deliveries: CallbackDelivery[];
}

/** The fake. @public */
export interface AuthentisignFake {
  /** msw handlers; serve them with `serveHandlers` from @connect/core/testing. */
  readonly handlers: RequestHandler[];
  readonly clientId: string;
  readonly clientSecret: string;
  /** Token requests received (secrets left out): `{ grant_type, client_id, audience, lwt_client_id }`. */
  readonly tokenRequests: Array<Record<string, unknown>>;
  /** Every callback posted, in order. */
  readonly deliveries: CallbackDelivery[];
  /** The stored signing (throws for an unknown id). */
  signing(id: string): FakeSigning;
  /** Every stored signing, deleted ones included. */
  signings(): FakeSigning[];
  /** The executed package bytes `documents/s` serves for a completed signing. */
  signedDocument(id: string): Buffer;
  /** A participant opens the signing (`participant.viewed`). */
  view(signingId: string, email: string): Promise<FakeControlResult>;
  /** A participant signs (viewing first if needed); the last signature completes it. */
  sign(signingId: string, email: string): Promise<FakeControlResult>;
  /** Every signer signs, group by group: viewed, signed … then `signing.completed`. */
  completeAll(signingId: string): Promise<FakeControlResult>;
  /** A participant declines: `participant.declined`, then `signing.declined`. */
  decline(signingId: string, email: string, reason: string): Promise<FakeControlResult>;
  /** The signing expires (`signing.expired`). */
  expire(signingId: string): Promise<FakeControlResult>;
  /** Post one delivery again (a duplicate, as at-least-once delivery produces). */
  redeliver(delivery: CallbackDelivery): Promise<CallbackDelivery>;
  /** Sign and POST any callback body to a URL (HMAC headers when a secret is set or given). */
  postCallback(url: string, payload: Record<string, unknown> | Buffer, options?: { secret?: string; timestamp?: number; headers?: Record<string, string> }): Promise<CallbackDelivery>;
  /** Change (or turn off) callback signing. */
  setCallbackSecret(secret: string | undefined): void;
  /** Wait for callbacks triggered by API calls (send, delete) to be delivered. */
  flush(): Promise<void>;
  /** Answer the next matching request(s) with an error. */
  failNext(failure: FakeFailure): void;
  /** Answer the next matching request(s) with 429 and `Retry-After` seconds. */
  rateLimitNext(options?: { retryAfterSeconds?: number; times?: number; path?: string; method?: string }): void;
  /** Invalidate every issued token (the next API call gets 401). */
  expireTokens(): void;
  /** Forget signings, tokens, deliveries and scripted failures. */
  reset(): void;
}

const api = (path: string): string => `*/api/v1${path}`;

/**
 * Create an Authentisign fake.
 * @example
 * const fake = createAuthentisignFake();
 * const server = await serveHandlers(fake.handlers);
 * const client = createAuthentisignClient({ clientId: fake.clientId, clientSecret: fake.clientSecret, baseUrl: `${server.url}/authentisign`, tokenUrl: `${server.url}/oauth/token` });
 * @public
 */
export function createAuthentisignFake(options: AuthentisignFakeOptions = {}): AuthentisignFake {
  const clientId = options.clientId ?? "fake-client-id";
  const clientSecret = options.clientSecret ?? "fake-client-secret-0000";
  const audience = options.audience ?? "https://api.lwolf.com";
  const ttl = options.tokenTtlSeconds ?? 86_400;
  const now = options.now ?? Date.now;
  const iso = (): string => new Date(now()).toISOString();
  let callbackSecret = options.callbackSecret;
  const tokens = new Map<string, number>();
  const store = new Map<string, FakeSigning>();
  const tokenRequests: Array<Record<string, unknown>> = [];
  const deliveries: CallbackDelivery[] = [];
  let failures: Array<FakeFailure & { left: number }> = [];
  let queue: Promise<unknown> = Promise.resolve();

  const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => HttpResponse.json(body as never, { status, headers });

  function takeFailure(request: Request): Response | undefined {
    const url = new URL(request.url);
    const failure = failures.find((f) => f.left > 0 && (!f.method || f.method === request.method) && (!f.path || url.pathname.includes(f.path)));
    if (!failure) return undefined;
    failure.left -= 1;
    return json(failure.body ?? errorBody(failure.status), failure.status, failure.headers);
  }

  async function deliver(signing: FakeSigning, transitions: FakeTransition[]): Promise<CallbackDelivery[]> {
    const out: CallbackDelivery[] = [];
    for (const transition of transitions) {
      if (!signing.callbackUrl) continue;
      const at = iso();
      const body = Buffer.from(JSON.stringify(callbackPayload(signing, transition.type, { participant: transition.participant, at })), "utf8");
      const headers = callbackSecret ? signCallback(callbackSecret, body, Math.floor(now() / 1000)) : {};
      const delivery = await postCallback(signing.callbackUrl, body, headers, { type: transition.type, signingId: signing.id });
      deliveries.push(delivery);
      out.push(delivery);
    }
    return out;
  }

  /** Callbacks caused by API calls go out after the response, in order. */
  function enqueue(signing: FakeSigning, transitions: FakeTransition[]): void {
    queue = queue.then(() => deliver(signing, transitions)).catch(() => undefined);
  }

  /** Control changes: wait for earlier callbacks, then apply each step and deliver its callbacks. */
  async function control(signingId: string, steps: Array<(s: FakeSigning) => FakeTransition[]>): Promise<FakeControlResult> {
    const signing = get(signingId);
    await queue;
    const out: CallbackDelivery[] = [];
    for (const step of steps) out.push(...(await deliver(signing, step(signing))));
    return { deliveries: out };
  }

  function get(id: string): FakeSigning {
    const signing = store.get(id);
    if (!signing) throw new Error(`authentisign fake: no signing ${id}`);
    return signing;
  }

  // ── OAuth ─────────────────────────────────────────────────────────────────────────────
  const token = http.post("*/oauth/token", async ({ request }) => {
    const failed = takeFailure(request);
    if (failed) return failed;
    if (!(request.headers.get("content-type") ?? "").includes("application/json")) {
      return json({ error: "invalid_request", error_description: "Content-Type must be application/json" }, 400);
    }
    const body = (await request.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!body || typeof body !== "object") return json({ error: "invalid_request", error_description: "Malformed JSON body" }, 400);
    const { client_secret: _secret, ...recorded } = body;
    tokenRequests.push(recorded);
    if (body.grant_type !== "client_credentials") return json({ error: "unsupported_grant_type", error_description: "Unsupported grant type" }, 400);
    if (body.client_id !== clientId || body.client_secret !== clientSecret) return json({ error: "access_denied", error_description: "Unauthorized" }, 401);
    if (body.audience !== audience) return json({ error: "access_denied", error_description: `Service not enabled within domain: ${String(body.audience)}` }, 403);
    const accessToken = `lwt_${randomBytes(24).toString("base64url")}`;
    tokens.set(accessToken, now() + ttl * 1000);
    return json({ access_token: accessToken, token_type: "Bearer", expires_in: ttl });
  });

  // ── The gate: bearer token, subscription key, scripted failures ─────────────────────
  const gate = http.all(api("/*"), ({ request }) => {
    const instance = new URL(request.url).pathname;
    const auth = request.headers.get("authorization") ?? "";
    const expiry = auth.startsWith("Bearer ") ? tokens.get(auth.slice(7)) : undefined;
    if (expiry === undefined || expiry <= now()) {
      return json(problem(401, "Unauthorized", expiry === undefined ? "The access token is missing or invalid." : "The access token expired.", instance), 401, { "www-authenticate": "Bearer" });
    }
    if (options.subscriptionKey && request.headers.get("lw-subscription-key") !== options.subscriptionKey) {
      return json({ statusCode: 401, message: "Access denied due to missing or invalid subscription key." }, 401);
    }
    return takeFailure(request);
  });

  const notFound = (id: string, instance: string) => json(problem(404, "Not Found", `Signing ${id} was not found.`, instance), 404);

  // ── Signings ──────────────────────────────────────────────────────────────────────────
  const create = http.post(api("/signings"), async ({ request }) => {
    if (!(request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) return json(errorBody(415), 415);
    const form = await request.formData();
    const parsed = await parseCreateForm(form, now());
    if ("errors" in parsed) return json(errorBody(400, "One or more validation errors occurred.", parsed.errors), 400);
    const at = iso();
    const id = newId();
    const signing: FakeSigning = {
      ...parsed.signing,
      id,
      status: "draft",
      externalId: request.headers.get("externalid"),
      createdDate: at,
      lastModified: at,
      participants: parsed.participants.map((p) => ({ ...p, id: newId(), signingId: id })),
      ccs: [],
    };
    store.set(id, signing);
    return json(signingWire(signing));
  });

  const list = http.get(api("/signings"), ({ request }) => {
    const url = new URL(request.url);
    const q = (name: string) => url.searchParams.get(name);
    const limit = Number(q("ItemLimit") ?? 50);
    const skip = Number(q("SkipItems") ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500 || !Number.isInteger(skip) || skip < 0) {
      return json(errorBody(400, "One or more validation errors occurred.", ["ItemLimit must be between 1 and 500; SkipItems must not be negative."]), 400);
    }
    const statusIds = q("StatusId")?.split(",").map(Number);
    const externalId = request.headers.get("externalid");
    const filter = q("FilterBy")?.toLowerCase();
    const sortBy = (q("SortBy") ?? "CreatedDate").toLowerCase();
    const key = (s: FakeSigning): string => (sortBy === "name" ? s.name : sortBy === "lastmodified" ? s.lastModified : s.createdDate);
    const descending = (q("SortDescending") ?? "true") === "true";
    const rows = [...store.values()]
      .filter((s) => s.status !== "deleted")
      .filter((s) => !externalId || s.externalId === externalId)
      .filter((s) => !statusIds || statusIds.includes(SIGNING_STATUS_ID[s.status]))
      .filter((s) => !q("TransactionId") || s.transactionId === q("TransactionId"))
      .filter((s) => !filter || s.name.toLowerCase().includes(filter))
      .sort((a, b) => (descending ? -1 : 1) * key(a).localeCompare(key(b)));
    return json(rows.slice(skip, skip + limit).map(signingWire));
  });

  const getOne = http.get(api("/signings/:id"), ({ params, request }) => {
    const signing = store.get(String(params.id));
    return signing ? json(signingWire(signing)) : notFound(String(params.id), new URL(request.url).pathname);
  });

  const patch = http.patch(api("/signings/:id"), async ({ params, request }) => {
    const url = new URL(request.url);
    const signing = store.get(String(params.id));
    if (!signing) return notFound(String(params.id), url.pathname);
    const body = (await request.json().catch(() => undefined)) as { callbackUrl?: unknown } | undefined;
    const value = typeof body?.callbackUrl === "string" ? body.callbackUrl : url.searchParams.get("CallbackUrl");
    if (typeof value !== "string" || !URL.canParse(value)) {
      return json(problem(400, "Bad Request", "callbackUrl must be an absolute URL.", url.pathname), 400);
    }
    signing.callbackUrl = value;
    signing.lastModified = iso();
    return json(signingWire(signing));
  });

  const remove = http.delete(api("/signings/:id"), ({ params }) => {
    const signing = store.get(String(params.id));
    if (!signing) return json(errorBody(404, `Signing ${String(params.id)} was not found.`), 404);
    enqueue(signing, applyDelete(signing, iso()));
    return new HttpResponse(null, { status: 200 });
  });

  const send = http.post(api("/signings/:id/send-signing"), ({ params, request }) => {
    const instance = new URL(request.url).pathname;
    const signing = store.get(String(params.id));
    if (!signing) return notFound(String(params.id), instance);
    if (signing.status !== "draft") return json(problem(400, "Signing cannot be sent", `Signing ${signing.id} is ${signing.status}.`, instance), 400);
    const noEmail = signing.participants.filter((p) => p.type === PARTICIPANT_TYPE.signer && !p.email);
    if (noEmail.length > 0) {
      return json(problem(400, "Signing cannot be sent", `Participant ${noEmail.map((p) => `${p.firstName} ${p.lastName}`).join(", ")} has no email address.`, instance), 400);
    }
    enqueue(signing, applySend(signing, iso()));
    return new HttpResponse(null, { status: 200 });
  });

  const participants = http.get(api("/signings/:id/participants"), ({ params, request }) => {
    const signing = store.get(String(params.id));
    return signing ? json(signing.participants.map(participantWire)) : notFound(String(params.id), new URL(request.url).pathname);
  });

  const documents = http.get(api("/signings/:id/documents/:kind"), ({ params }) => {
    const signing = store.get(String(params.id));
    if (!signing) return json(errorBody(404, `Signing ${String(params.id)} was not found.`), 404);
    const kind = String(params.kind);
    let bytes: Buffer;
    if (kind === "s" || kind === "sc") {
      if (signing.status !== "completed") return json(errorBody(400, "The signing is not completed.", [`Signing ${signing.id} is ${signing.status}.`]), 400);
      bytes = kind === "s" ? packageBytes(signing, "signed") : certificateBytes(signing);
    } else if (kind === "ls") {
      if (signing.status === "draft") return json(errorBody(400, "The signing has not been sent."), 400);
      bytes = packageBytes(signing, "partial");
    } else {
      return json(errorBody(404), 404);
    }
    const suffix = kind === "s" ? "signed" : kind === "sc" ? "certificate" : "partial";
    return pdfResponse(bytes, `${signing.name.replace(/["\\]/g, "")} (${suffix}).pdf`);
  });

  const ccs = http.post(api("/ccs/batch"), async ({ request }) => {
    const body = (await request.json().catch(() => undefined)) as unknown;
    if (!Array.isArray(body) || body.length === 0) return json(errorBody(400, "One or more validation errors occurred.", ["A non-empty array of CCs is required."]), 400);
    const errors: string[] = [];
    body.forEach((cc: Record<string, unknown>, i) => {
      for (const field of ["signingId", "firstName", "lastName", "email"]) if (typeof cc?.[field] !== "string" || cc[field] === "") errors.push(`[${i}].${field} is required.`);
      if (typeof cc?.signingId === "string" && !store.has(cc.signingId)) errors.push(`[${i}].signingId ${cc.signingId} was not found.`);
      if (typeof cc?.signingId === "string" && store.has(cc.signingId) && !["draft", "sent", "in_progress"].includes(store.get(cc.signingId)!.status)) {
        errors.push(`[${i}].signingId ${cc.signingId} is ${store.get(cc.signingId)!.status}.`);
      }
    });
    if (errors.length > 0) return json(errorBody(400, "One or more validation errors occurred.", errors), 400);
    for (const cc of body as Array<Record<string, unknown>>) {
      const signing = store.get(String(cc.signingId))!;
      const entry: FakeCc = {
        firstName: String(cc.firstName),
        lastName: String(cc.lastName),
        email: String(cc.email),
        displayOrder: typeof cc.displayOrder === "number" ? cc.displayOrder : signing.ccs.length + 1,
        externalId: typeof cc.externalId === "string" ? cc.externalId : null,
        saveToContacts: cc.saveToContacts === true,
      };
      signing.ccs.push(entry);
    }
    return new HttpResponse(null, { status: 200 });
  });

  // An endpoint this fake lacks answers a distinctive 501, not a vendor-like 404 that reads as a bug in the caller (issue 21).
  const fallback = notImplementedHandler("@connect/authentisign/testing", api("/*"));

  async function postRaw(url: string, payload: Record<string, unknown> | Buffer, opts: { secret?: string; timestamp?: number; headers?: Record<string, string> } = {}): Promise<CallbackDelivery> {
    const body = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload), "utf8");
    const secret = opts.secret ?? callbackSecret;
    const signed = secret ? signCallback(secret, body, opts.timestamp ?? Math.floor(now() / 1000)) : {};
    const parsed = (() => {
      try {
        return JSON.parse(body.toString("utf8")) as { type?: string; data?: { signingId?: string } };
      } catch {
        return {};
      }
    })();
    const delivery = await postCallback(url, body, { ...signed, ...opts.headers }, { type: String(parsed.type ?? ""), signingId: String(parsed.data?.signingId ?? "") });
    deliveries.push(delivery);
    return delivery;
  }

  return {
    handlers: [token, gate, create, list, participants, documents, send, getOne, patch, remove, ccs, fallback],
    clientId,
    clientSecret,
    tokenRequests,
    deliveries,
    signing: get,
    signings: () => [...store.values()],
    signedDocument(id) {
      const signing = get(id);
      if (signing.status !== "completed") throw new Error(`authentisign fake: signing ${id} is ${signing.status}, not completed`);
      return packageBytes(signing, "signed");
    },
    view: (signingId, email) => control(signingId, [(s) => applyView(s, email, iso())]),
    sign: (signingId, email) => control(signingId, [(s) => applySign(s, email, iso())]),
    async completeAll(signingId) {
      const signing = get(signingId);
      if (!isOpen(signing)) throw new Error(`authentisign fake: cannot complete signing ${signingId}: it is ${signing.status}`);
      const signers = signing.participants.filter((p) => p.type === PARTICIPANT_TYPE.signer && p.status !== "signed").sort((a, b) => a.signerGroup - b.signerGroup || a.displayOrder - b.displayOrder);
      return control(
        signingId,
        signers.map((p) => (s: FakeSigning) => applySign(s, p.email ?? "", iso())),
      );
    },
    decline: (signingId, email, reason) => control(signingId, [(s) => applyDecline(s, email, reason, iso())]),
    expire: (signingId) => control(signingId, [(s) => applyExpire(s, iso())]),
    async redeliver(delivery) {
      const again = await postCallback(delivery.url, delivery.body, delivery.headers, { type: delivery.type, signingId: delivery.signingId });
      deliveries.push(again);
      return again;
    },
    postCallback: postRaw,
    setCallbackSecret(secret) {
      callbackSecret = secret;
    },
    async flush() {
      await queue;
    },
    failNext(failure) {
      failures.push({ ...failure, left: failure.times ?? 1 });
    },
    rateLimitNext(opts = {}) {
      failures.push({
        status: 429,
        body: errorBody(429, "Too Many Requests", ["Rate limit exceeded; retry later."]),
        headers: opts.retryAfterSeconds === undefined ? {} : { "retry-after": String(opts.retryAfterSeconds) },
        ...(opts.path ? { path: opts.path } : {}),
        ...(opts.method ? { method: opts.method } : {}),
        left: opts.times ?? 1,
      });
    },
    expireTokens() {
      tokens.clear();
    },
    reset() {
      store.clear();
      tokens.clear();
      tokenRequests.length = 0;
      deliveries.length = 0;
      failures = [];
      callbackSecret = options.callbackSecret;
    },
  };
}

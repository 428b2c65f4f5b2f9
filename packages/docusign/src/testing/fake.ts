/**
 * A stateful fake of DocuSign as msw handlers, on one origin: the OAuth host (JWT-grant token
 * endpoint, userinfo) and the eSignature REST API (envelopes inline or from templates,
 * recipients signing in routing order — by email or through embedded signing URLs — void,
 * documents with one combined PDF, status changes). It refuses what DocuSign refuses with
 * DocuSign's bodies — not-found and rate limits as HTTP 400 with an `errorCode` — sends the
 * rate-limit headers, and posts signed Connect messages (JSON or XML) to a listener. An
 * endpoint it does not implement answers 501 naming the fake and the request.
 */
import { randomUUID } from "node:crypto";
import { notImplementedByFake, notImplementedHandler } from "@connect/core/testing";
import { http, HttpResponse, type RequestHandler } from "msw";
import { createConnectDispatcher, type FakeConnectConfig, type FakeConnectDelivery } from "./delivery.js";
import { jsonConnectMessage, signConnectMessage, xmlConnectMessage, type MessageOptions } from "./connect.js";
import { checkAssertion, generateRsaKeyPair, newAccessToken, publicKeyOf } from "./oauth.js";
import { createTestPdf } from "./pdf.js";
import { mergePdfs } from "./pdf-merge.js";
import * as model from "./state.js";
import type { FakeChange, FakeEnvelope, FakeRefusal } from "./state.js";
import { envelopeFromTemplate, templateFromDefinition, templateFromSeed, templateWire, unknownTemplate, type FakeTemplate, type FakeTemplateSeed } from "./templates.js";
import { recipientView, returnTo, type FakeSigningSession } from "./views.js";

/** The name the fake gives in its "not implemented" answers. @public */
export const DOCUSIGN_FAKE_NAME = "@connect/docusign/testing";

/** A scripted failure for the next matching request(s). @public */
export interface FakeFailure {
  /** HTTP status. DocuSign sends most business errors as 400. */
  status: number;
  /** `errorCode` of the body (REST). */
  errorCode?: string | undefined;
  message?: string | undefined;
  /** Replace the whole body (e.g. an OAuth `{ error }`). */
  body?: unknown;
  headers?: Record<string, string> | undefined;
  /** Only this method (upper case). */
  method?: string | undefined;
  /** Only requests whose path ends with this (`/envelopes`, `/oauth/token`), or matches this RegExp. */
  path?: string | RegExp | undefined;
  /** How many requests it answers. Default 1. */
  times?: number | undefined;
  /** Carry the request out first, then answer with the failure (a write whose response was lost). */
  apply?: boolean | undefined;
  /** Answer after this many ms (real time; keep it short). */
  delayMs?: number | undefined;
}

/** Options of {@link createDocuSignFake}. @public */
export interface DocuSignFakeOptions {
  accountId?: string | undefined;
  accountName?: string | undefined;
  integrationKey?: string | undefined;
  userId?: string | undefined;
  userEmail?: string | undefined;
  /** The JWT `aud` it accepts. Default `account-d.docusign.com`. */
  oauthHost?: string | undefined;
  /** Lifetime of issued tokens (s). Default 3600. */
  tokenLifetimeSec?: number | undefined;
  /** Whether the user has consented to the integration key. Default true. */
  consentGranted?: boolean | undefined;
  /** The account's Connect HMAC keys (one signature header per key). Default: one random key. */
  hmacKeys?: readonly string[] | undefined;
  /** An account-level Connect configuration. */
  connect?: FakeConnectConfig | undefined;
  /** The account's zone for XML times (hours from UTC). Default -5. */
  timeZoneOffsetHours?: number | undefined;
  /** Calls per hour (X-RateLimit-Limit). Default 3000. */
  hourlyLimit?: number | undefined;
  /** Status of an unknown envelope: 400 (DocuSign) or 404. Default 400. */
  notFoundStatus?: 400 | 404 | undefined;
  /** Templates the account has (envelopes can be created from them with templateId + templateRoles). */
  templates?: readonly FakeTemplateSeed[] | undefined;
  /** Clock (epoch ms). */
  now?: (() => number) | undefined;
}

/** Options a client needs to talk to the fake, structurally `DocuSignClientOptions`. @public */
export interface FakeClientOptions {
  accountId: string;
  basePath: string;
  oauthBaseUrl: string;
  oauthHost: string;
  auth: { integrationKey: string; userId: string; privateKey: string };
}

/** The fake. @public */
export interface DocuSignFake {
  /** msw handlers; serve them with `serveHandlers` from @connect/core/testing. */
  readonly handlers: RequestHandler[];
  readonly accountId: string;
  readonly integrationKey: string;
  readonly userId: string;
  readonly oauthHost: string;
  /** The app's RSA private key (PKCS#1 PEM) the fake's token endpoint accepts. */
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
  /** The account's Connect HMAC keys. */
  readonly hmacKeys: readonly string[];
  /** Client options for a fake served at `url` (basePath, oauthBaseUrl, auth …). */
  clientOptions(url: string): FakeClientOptions;
  /** Every envelope, in creation order. */
  readonly envelopes: readonly FakeEnvelope[];
  envelope(envelopeId: string): FakeEnvelope | undefined;
  /** The account's templates, in creation order. */
  readonly templates: readonly FakeTemplate[];
  /** Add a template (as if created in the web app); returns it with its templateId. */
  addTemplate(seed: FakeTemplateSeed): FakeTemplate;
  /** Embedded signing URLs issued by createRecipientView, in order. */
  readonly signingSessions: readonly FakeSigningSession[];
  /** Token requests received and tokens issued. */
  readonly tokenRequests: number;
  readonly tokensIssued: number;
  readonly userInfoRequests: number;
  /** Make every issued token invalid (the next call gets 401). */
  revokeTokens(): void;
  /** Consent: revoke (token requests answer consent_required) or grant. */
  setConsent(granted: boolean): void;
  /** A signer opens the envelope. */
  deliver(envelopeId: string, email: string): Promise<void>;
  /** A signer signs; refused (throws) when it is not their turn in the routing order. */
  sign(envelopeId: string, email: string): Promise<void>;
  /** Every remaining signer signs, routing order by routing order: the envelope completes. */
  completeAll(envelopeId: string): Promise<void>;
  /** A signer declines with a reason: the envelope is declined. */
  decline(envelopeId: string, email: string, reason: string): Promise<void>;
  /** The sender voids the envelope. */
  void(envelopeId: string, reason: string): Promise<void>;
  /** Replace a document's content with bytes or a lazily streamed source (large documents). */
  setDocumentContent(envelopeId: string, documentId: string, content: Uint8Array | { stream: () => AsyncIterable<Uint8Array>; size?: number }): void;
  /** Answer the next matching request(s) with an error. */
  failNext(failure: FakeFailure): void;
  /** Answer the next matching request(s) with a rate-limit refusal: HTTP 400 + errorCode (default the hourly limit), X-RateLimit-Remaining 0 and X-RateLimit-Reset. */
  rateLimitNext(options?: { errorCode?: string; resetAt?: number; times?: number; path?: string | RegExp; method?: string }): void;
  /** Set the hourly quota state (remaining calls, reset time in epoch seconds). */
  setRateLimit(state: { remaining?: number; resetAt?: number }): void;
  /** Connect: configure the listener, inspect deliveries, build, post and retry messages. */
  readonly connect: {
    configure(config: FakeConnectConfig | undefined): void;
    readonly deliveries: readonly FakeConnectDelivery[];
    /** Unacknowledged deliveries waiting for `retryFailed()`. */
    readonly pending: number;
    /** Build the message DocuSign would send for an envelope's current state. */
    message(envelopeId: string, event: string, options?: { format?: "json" | "xml"; retryCount?: number; recipientId?: string; includeDocuments?: boolean }): { body: Buffer; headers: Record<string, string> };
    /** POST a message (or raw bytes) to a URL: unsigned bytes are signed with the account keys; `keys` re-signs with other keys. */
    post(url: string, message: { body: Buffer | string; headers?: Record<string, string> }, options?: { keys?: readonly string[]; contentType?: string }): Promise<Response>;
    retryFailed(): Promise<FakeConnectDelivery[]>;
    /** Resolves when every queued delivery has been attempted. */
    settled(): Promise<void>;
  };
  /** Forget envelopes, tokens, failures and deliveries; restore consent and quota. */
  reset(): void;
}

const DEFAULT_ACCOUNT = "9c1f4e2a-5b6d-4c3e-8f7a-1b2c3d4e5f60";
const DEFAULT_INTEGRATION_KEY = "7d5e2c1b-9a8f-4e3d-b2c1-a0f9e8d7c6b5";
const DEFAULT_USER = "3a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";

function errorBody(errorCode: string, message: string): { errorCode: string; message: string } {
  return { errorCode, message };
}

function matches(failure: FakeFailure, request: Request): boolean {
  if (failure.method && failure.method.toUpperCase() !== request.method) return false;
  if (failure.path === undefined) return true;
  const path = new URL(request.url).pathname;
  return typeof failure.path === "string" ? path.endsWith(failure.path) : failure.path.test(path);
}

/** Read a document source to the end (the combined PDF is built from whole documents). */
async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A pull-based stream: the next chunk is produced only when the consumer wants it (backpressure). */
function pullStream(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

const delay = (ms: number | undefined) => (ms ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/**
 * Create a DocuSign fake.
 * @example
 * const fake = createDocuSignFake();
 * const server = await serveHandlers(fake.handlers);
 * const docusign = createDocuSignClient(fake.clientOptions(server.url));
 * @public
 */
export function createDocuSignFake(options: DocuSignFakeOptions = {}): DocuSignFake {
  const now = options.now ?? Date.now;
  const accountId = options.accountId ?? DEFAULT_ACCOUNT;
  const integrationKey = options.integrationKey ?? DEFAULT_INTEGRATION_KEY;
  const userId = options.userId ?? DEFAULT_USER;
  const oauthHost = options.oauthHost ?? "account-d.docusign.com";
  const keys = generateRsaKeyPair();
  const publicKey = publicKeyOf(keys.publicKeyPem);
  const hmacKeys = [...(options.hmacKeys ?? [randomUUID().replace(/-/g, "")])];
  const hourlyLimit = options.hourlyLimit ?? 3000;
  const notFoundStatus = options.notFoundStatus ?? 400;
  const offset = options.timeZoneOffsetHours ?? -5;

  const envelopes = new Map<string, FakeEnvelope>();
  const templates = new Map<string, FakeTemplate>();
  const seedTemplates = () => {
    templates.clear();
    for (const seed of options.templates ?? []) {
      const t = templateFromSeed(seed, now());
      templates.set(t.templateId, t);
    }
  };
  seedTemplates();
  const sessions = new Map<string, FakeSigningSession>();
  const tokens = new Map<string, number>();
  let consent = options.consentGranted ?? true;
  let failures: Array<FakeFailure & { left: number }> = [];
  let counters = { tokenRequests: 0, tokensIssued: 0, userInfoRequests: 0 };
  const nextHour = (): number => Math.floor(now() / 3_600_000 + 1) * 3600;
  let quota = { remaining: hourlyLimit, resetAt: nextHour() };
  let burst = { remaining: 200 };

  const messageOptions = (retryCount: number): MessageOptions => ({
    accountId,
    userId,
    configurationId: "10510",
    retryCount,
    includeDocuments: false,
    timeZoneOffsetHours: offset,
    timeZoneName: offset === -5 ? "Eastern Standard Time" : `UTC${offset >= 0 ? "+" : ""}${offset}`,
    documentBytes: (env, id) => env.documents.find((d) => d.documentId === id)?.bytes,
    now: now(),
  });
  const dispatcher = createConnectDispatcher({ envelope: (id) => envelopes.get(id), hmacKeys: () => hmacKeys, messageOptions });
  dispatcher.configure(options.connect);

  const limitHeaders = (): Record<string, string> => ({
    "x-ratelimit-limit": String(hourlyLimit),
    "x-ratelimit-remaining": String(Math.max(0, quota.remaining)),
    "x-ratelimit-reset": String(quota.resetAt),
    "x-burstlimit-limit": "200",
    "x-burstlimit-remaining": String(Math.max(0, burst.remaining)),
    "x-docusign-tracetoken": randomUUID(),
  });
  const refusal = (r: FakeRefusal) => HttpResponse.json(errorBody(r.errorCode, r.message), { status: r.status, headers: limitHeaders() });
  const notFound = (envelopeId: string) =>
    HttpResponse.json(errorBody("ENVELOPE_DOES_NOT_EXIST", `The envelope specified either does not exist or you have no rights to it. Envelope: ${envelopeId}`), { status: notFoundStatus, headers: limitHeaders() });
  const ok = (body: unknown, status = 200) => HttpResponse.json(body as never, { status, headers: limitHeaders() });

  function takeFailure(request: Request, apply: boolean): (FakeFailure & { left: number }) | undefined {
    const failure = failures.find((f) => f.left > 0 && Boolean(f.apply) === apply && matches(f, request));
    if (failure) failure.left -= 1;
    return failure;
  }
  async function failureResponse(failure: FakeFailure): Promise<Response> {
    await delay(failure.delayMs);
    const body = failure.body ?? errorBody(failure.errorCode ?? (failure.status >= 500 ? "UNSPECIFIED_ERROR" : "INVALID_REQUEST_PARAMETER"), failure.message ?? `scripted ${failure.status}`);
    return HttpResponse.json(body as never, { status: failure.status, headers: { ...limitHeaders(), ...failure.headers } });
  }
  /** Finish a handled request: a scripted "apply then fail" answers instead of the real response. */
  async function finish(request: Request, response: Response): Promise<Response> {
    const failure = takeFailure(request, true);
    return failure ? failureResponse(failure) : response;
  }
  const fire = (changes: FakeChange[]): Promise<void> => dispatcher.enqueue(changes);

  const bearer = (request: Request): boolean => {
    const token = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    const expires = token === undefined ? undefined : tokens.get(token);
    return expires !== undefined && expires > now();
  };
  const unauthorized = () =>
    HttpResponse.json(errorBody("AUTHORIZATION_INVALID_TOKEN", "The access token provided is expired, revoked or malformed. Authentication for System Application failed."), { status: 401 });

  const oauthGate = http.all("*/oauth/*", async ({ request }) => {
    const failure = takeFailure(request, false);
    return failure ? failureResponse(failure) : undefined;
  });

  const token = http.post("*/oauth/token", async ({ request }) => {
    counters.tokenRequests += 1;
    const form = new URLSearchParams(await request.text());
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") return HttpResponse.json({ error: "unsupported_grant_type" }, { status: 400 });
    const problem = checkAssertion(form.get("assertion") ?? "", { integrationKey, userId, oauthHost, publicKey, consented: consent, nowSeconds: Math.floor(now() / 1000) });
    if (problem) return HttpResponse.json(problem, { status: 400 });
    const accessToken = newAccessToken();
    const lifetime = options.tokenLifetimeSec ?? 3600;
    tokens.set(accessToken, now() + lifetime * 1000);
    counters.tokensIssued += 1;
    return finish(request, HttpResponse.json({ access_token: accessToken, token_type: "Bearer", expires_in: lifetime }));
  });

  const userInfo = http.get("*/oauth/userinfo", async ({ request }) => {
    counters.userInfoRequests += 1;
    if (!bearer(request)) return unauthorized();
    const origin = new URL(request.url).origin;
    return finish(
      request,
      HttpResponse.json({
        sub: userId,
        name: "Casey Closer",
        given_name: "Casey",
        family_name: "Closer",
        created: "2021-03-04T05:06:07.08",
        email: options.userEmail ?? "closing@acme-lending.test",
        accounts: [{ account_id: accountId, is_default: true, account_name: options.accountName ?? "Acme Lending", base_uri: origin }],
      }),
    );
  });

  const restGate = http.all("*/restapi/*", async ({ request }) => {
    if (!bearer(request)) return unauthorized();
    const match = /\/restapi\/v2\.1\/accounts\/([^/]+)/.exec(new URL(request.url).pathname);
    if (match && decodeURIComponent(match[1]!) !== accountId) {
      return HttpResponse.json(errorBody("USER_DOES_NOT_BELONG_TO_SPECIFIED_ACCOUNT", "The specified User is not a member of the specified Account."), { status: 400 });
    }
    if (Math.floor(now() / 1000) >= quota.resetAt) quota = { remaining: hourlyLimit, resetAt: nextHour() };
    quota.remaining -= 1;
    burst.remaining = Math.max(0, burst.remaining - 1);
    const failure = takeFailure(request, false);
    if (failure) return failureResponse(failure);
    if (quota.remaining < 0) {
      return HttpResponse.json(errorBody("HOURLY_APIINVOCATION_LIMIT_EXCEEDED", "The maximum number of hourly API invocations has been exceeded."), { status: 400, headers: limitHeaders() });
    }
    return undefined;
  });

  const base = "*/restapi/v2.1/accounts/:accountId";

  const createEnvelope = http.post(`${base}/envelopes`, async ({ request }) => {
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return refusal({ status: 400, errorCode: "INVALID_REQUEST_BODY", message: "The request body is missing or improperly formatted. Unexpected character encountered while parsing value." });
    }
    if (model.isBody(body) && body.compositeTemplates !== undefined) {
      return notImplementedByFake(DOCUSIGN_FAKE_NAME, request, { detail: "compositeTemplates; use templateId + templateRoles, or documents + recipients" });
    }
    let built: FakeEnvelope | FakeRefusal;
    if (model.isBody(body) && body.templateId !== undefined) {
      const template = templates.get(String(body.templateId));
      built = template ? envelopeFromTemplate(body, template, now()) : unknownTemplate(String(body.templateId));
    } else built = model.envelopeFromDefinition(body, now());
    if (model.isRefusal(built)) return refusal(built);
    envelopes.set(built.envelopeId, built);
    const changes: FakeChange[] = (body as { status?: string }).status === "sent" ? model.send(built, now()) : [{ event: "envelope-created", envelopeId: built.envelopeId }];
    void fire(changes);
    return finish(request, ok({ envelopeId: built.envelopeId, uri: `/envelopes/${built.envelopeId}`, statusDateTime: model.docuSignTime(built.statusChangedAt), status: built.status }, 201));
  });

  const listEnvelopes = http.get(`${base}/envelopes`, async ({ request }) => {
    const q = new URL(request.url).searchParams;
    const fromDate = q.get("from_date");
    const ids = q.get("envelope_ids")?.split(",").filter(Boolean);
    const transactionIds = q.get("transaction_ids")?.split(",").filter(Boolean);
    if (fromDate === null && !ids && !transactionIds) {
      return refusal({ status: 400, errorCode: "INVALID_REQUEST_PARAMETER", message: "The request contained at least one invalid parameter. 'from_date' must be set when 'envelope_ids' or 'transaction_ids' are not provided." });
    }
    const from = fromDate === null ? undefined : Date.parse(fromDate);
    const to = q.get("to_date") === null ? undefined : Date.parse(q.get("to_date")!);
    if (from !== undefined && Number.isNaN(from)) return refusal({ status: 400, errorCode: "INVALID_REQUEST_PARAMETER", message: `The request contained at least one invalid parameter. Invalid value for 'from_date': ${fromDate}` });
    const statuses = q.get("status")?.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s && s !== "any");
    const include = q.get("include")?.split(",") ?? [];
    const all = [...envelopes.values()]
      .filter((e) => (from === undefined || e.statusChangedAt >= from) && (to === undefined || e.statusChangedAt <= to))
      .filter((e) => !ids || ids.includes(e.envelopeId))
      .filter((e) => !transactionIds || (e.transactionId !== undefined && transactionIds.includes(e.transactionId)))
      .filter((e) => !statuses?.length || statuses.includes(e.status))
      .sort((a, b) => a.statusChangedAt - b.statusChangedAt);
    const start = Number(q.get("start_position") ?? 0);
    const count = Math.min(Number(q.get("count") ?? 100), 1000);
    const page = all.slice(start, start + count);
    return finish(
      request,
      ok({
        resultSetSize: String(page.length),
        totalSetSize: String(all.length),
        startPosition: String(start),
        endPosition: String(start + page.length - 1),
        ...(start + page.length < all.length ? { nextUri: `/envelopes?start_position=${start + page.length}&count=${count}` } : {}),
        envelopes: page.map((e) => model.envelopeWire(e, include)),
      }),
    );
  });

  const getEnvelope = http.get(`${base}/envelopes/:envelopeId`, async ({ request, params }) => {
    const env = envelopes.get(String(params.envelopeId));
    if (!env) return notFound(String(params.envelopeId));
    const include = new URL(request.url).searchParams.get("include")?.split(",") ?? [];
    return finish(request, ok(model.envelopeWire(env, include)));
  });

  const putEnvelope = http.put(`${base}/envelopes/:envelopeId`, async ({ request, params }) => {
    const env = envelopes.get(String(params.envelopeId));
    if (!env) return notFound(String(params.envelopeId));
    const body = (await request.json().catch(() => undefined)) as { status?: unknown; voidedReason?: unknown } | undefined;
    if (body?.status === "voided") {
      if (typeof body.voidedReason !== "string" || body.voidedReason.trim() === "") {
        return refusal({ status: 400, errorCode: "INVALID_REQUEST_PARAMETER", message: "The request contained at least one invalid parameter. A reason is required to void an envelope." });
      }
      const result = model.voidEnvelope(env, body.voidedReason, now());
      if ("errorCode" in result) return refusal(result);
      void fire(result);
    } else if (body?.status === "sent") {
      if (env.status !== "created") return refusal({ status: 400, errorCode: "ENVELOPE_INVALID_STATUS", message: `Invalid envelope status. The envelope is '${env.status}'; only a draft can be sent.` });
      void fire(model.send(env, now()));
    } else {
      return refusal({ status: 400, errorCode: "INVALID_REQUEST_BODY", message: "The request body is missing or improperly formatted." });
    }
    return finish(request, ok({ envelopeId: env.envelopeId }));
  });

  const recipients = http.get(`${base}/envelopes/:envelopeId/recipients`, async ({ request, params }) => {
    const env = envelopes.get(String(params.envelopeId));
    if (!env) return notFound(String(params.envelopeId));
    return finish(request, ok(model.recipientsWire(env, new URL(request.url).searchParams.get("include_tabs") === "true")));
  });

  const documents = http.get(`${base}/envelopes/:envelopeId/documents`, async ({ request, params }) => {
    const env = envelopes.get(String(params.envelopeId));
    if (!env) return notFound(String(params.envelopeId));
    return finish(request, ok(model.documentsWire(env)));
  });

  const certificate = (env: FakeEnvelope): Buffer =>
    createTestPdf([
      "Certificate of Completion",
      `Envelope Id: ${env.envelopeId}`,
      `Subject: ${env.emailSubject}`,
      `Status: ${env.status}`,
      ...env.recipients.map((r) => `${r.name} <${r.email}> ${r.status}${r.signedAt ? ` signed ${model.docuSignTime(r.signedAt)}` : ""}`),
    ]);

  async function* documentBytes(doc: model.FakeDocument): AsyncGenerator<Uint8Array, void, undefined> {
    if (doc.stream) yield* doc.stream();
    else if (doc.bytes) yield doc.bytes;
  }

  const download = http.get(`${base}/envelopes/:envelopeId/documents/:documentId`, async ({ request, params }) => {
    const env = envelopes.get(String(params.envelopeId));
    if (!env) return notFound(String(params.envelopeId));
    const documentId = String(params.documentId);
    const headers = (filename: string, type: string, extra: Record<string, string> = {}) => ({ ...limitHeaders(), "content-type": type, "content-disposition": `file; filename="${filename}"${extra.documentid ? `; documentid="${extra.documentid}"` : ""}` });
    const sorted = [...env.documents].sort((a, b) => a.order - b.order);
    if (documentId === "combined") {
      // One PDF: the pages of every document in order, then the certificate — one header, one
      // xref table, one trailer (§3), built by merging the documents' objects.
      const withCertificate = new URL(request.url).searchParams.get("certificate") !== "false";
      const inputs = [];
      for (const doc of sorted) inputs.push({ bytes: await collect(documentBytes(doc)), label: `Document ${doc.documentId}: ${doc.name}` });
      if (withCertificate) inputs.push({ bytes: certificate(env), label: "Certificate of Completion" });
      return finish(request, new HttpResponse(new Uint8Array(mergePdfs(inputs)), { status: 200, headers: headers("combined.pdf", "application/pdf") }));
    }
    if (documentId === "certificate") return finish(request, new HttpResponse(new Uint8Array(certificate(env)), { status: 200, headers: headers("certificate.pdf", "application/pdf") }));
    if (documentId === "archive") {
      return refusal({ status: 400, errorCode: "INVALID_REQUEST_PARAMETER", message: "The docusign fake does not build ZIP archives; download 'combined' or one document." });
    }
    const doc = env.documents.find((d) => d.documentId === documentId);
    if (!doc) return refusal({ status: 400, errorCode: "DOCUMENT_DOES_NOT_EXIST", message: `The document specified was not found. Document: ${documentId}` });
    return finish(request, new HttpResponse(pullStream(documentBytes(doc)), { status: 200, headers: headers(doc.name, "application/pdf", { documentid: doc.documentId }) }));
  });

  const createView = http.post(`${base}/envelopes/:envelopeId/views/recipient`, async ({ request, params }) => {
    const env = envelopes.get(String(params.envelopeId));
    if (!env) return notFound(String(params.envelopeId));
    const body: unknown = await request.json().catch(() => undefined);
    const session = recipientView(env, body, { origin: new URL(request.url).origin, now: now() });
    if ("errorCode" in session) return refusal(session);
    sessions.set(session.token, session);
    return finish(request, ok({ url: session.url }, 201));
  });

  // The signing URL: the recipient's browser, so no bearer token. `?action=decline|cancel` plays those choices.
  const signing = http.get("*/Signing/MTRedeem/v1/:token", async ({ request, params }) => {
    const session = sessions.get(String(params.token));
    if (!session) return new HttpResponse("This signing link is not valid.", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
    const redirect = (event: string) => new HttpResponse(null, { status: 302, headers: { location: returnTo(session, event) } });
    if (session.used || now() >= session.expiresAt) return redirect("ttl_expired");
    session.used = true;
    const env = envelopes.get(session.envelopeId);
    const recipient = env?.recipients.find((r) => r.recipientId === session.recipientId);
    if (!env || !recipient) return redirect("exception");
    if (session.mode === "view") return redirect("viewing_complete");
    const action = new URL(request.url).searchParams.get("action");
    try {
      if (action === "cancel") {
        await fire(model.deliver(env, recipient.email, now()));
        return redirect("cancel");
      }
      if (action === "decline") {
        await fire(model.decline(env, recipient.email, "Declined in the embedded signing session.", now()));
        return redirect("decline");
      }
      await fire(model.sign(env, recipient.email, now()));
      return redirect("signing_complete");
    } catch {
      // The envelope changed after the URL was issued (voided, or no longer this recipient's turn).
      return redirect("exception");
    }
  });

  const createTemplate = http.post(`${base}/templates`, async ({ request }) => {
    const body: unknown = await request.json().catch(() => undefined);
    const built = templateFromDefinition(body, now());
    if ("errorCode" in built) return refusal(built);
    templates.set(built.templateId, built);
    return finish(request, ok({ templateId: built.templateId, uri: `/templates/${built.templateId}`, name: built.name }, 201));
  });

  const listTemplates = http.get(`${base}/templates`, async ({ request }) => {
    const all = [...templates.values()];
    return finish(request, ok({ resultSetSize: String(all.length), startPosition: "0", endPosition: String(all.length - 1), totalSetSize: String(all.length), envelopeTemplates: all.map(templateWire) }));
  });

  const getTemplate = http.get(`${base}/templates/:templateId`, async ({ request, params }) => {
    const template = templates.get(String(params.templateId));
    if (!template) return refusal(unknownTemplate(String(params.templateId)));
    return finish(request, ok(templateWire(template)));
  });

  const fallback = notImplementedHandler(DOCUSIGN_FAKE_NAME, "*/restapi/*");

  const envelopeOrThrow = (id: string): FakeEnvelope => {
    const env = envelopes.get(id);
    if (!env) throw new Error(`docusign fake: no envelope ${id}`);
    return env;
  };

  const fake: DocuSignFake = {
    handlers: [
      oauthGate,
      token,
      userInfo,
      signing,
      restGate,
      createEnvelope,
      listEnvelopes,
      getEnvelope,
      putEnvelope,
      recipients,
      documents,
      download,
      createView,
      createTemplate,
      listTemplates,
      getTemplate,
      fallback,
    ],
    accountId,
    integrationKey,
    userId,
    oauthHost,
    privateKeyPem: keys.privateKeyPem,
    publicKeyPem: keys.publicKeyPem,
    hmacKeys,
    clientOptions: (url) => ({ accountId, basePath: `${url.replace(/\/$/, "")}/restapi`, oauthBaseUrl: url, oauthHost, auth: { integrationKey, userId, privateKey: keys.privateKeyPem } }),
    get envelopes() {
      return [...envelopes.values()];
    },
    envelope: (id) => envelopes.get(id),
    get templates() {
      return [...templates.values()];
    },
    addTemplate(seed) {
      const t = templateFromSeed(seed, now());
      templates.set(t.templateId, t);
      return t;
    },
    get signingSessions() {
      return [...sessions.values()];
    },
    get tokenRequests() {
      return counters.tokenRequests;
    },
    get tokensIssued() {
      return counters.tokensIssued;
    },
    get userInfoRequests() {
      return counters.userInfoRequests;
    },
    revokeTokens: () => tokens.clear(),
    setConsent(granted) {
      consent = granted;
    },
    async deliver(id, email) {
      await fire(model.deliver(envelopeOrThrow(id), email, now()));
    },
    async sign(id, email) {
      await fire(model.sign(envelopeOrThrow(id), email, now()));
    },
    async completeAll(id) {
      const env = envelopeOrThrow(id);
      const changes: FakeChange[] = [];
      for (let order = model.currentRoutingOrder(env); order !== undefined && env.status !== "completed"; order = model.currentRoutingOrder(env)) {
        for (const r of env.recipients.filter((x) => x.type === "signer" && x.routingOrder === order && x.status !== "completed")) changes.push(...model.sign(env, r.email, now()));
      }
      await fire(changes);
    },
    async decline(id, email, reason) {
      await fire(model.decline(envelopeOrThrow(id), email, reason, now()));
    },
    async void(id, reason) {
      const result = model.voidEnvelope(envelopeOrThrow(id), reason, now());
      if ("errorCode" in result) throw new Error(`docusign fake: ${result.message}`);
      await fire(result);
    },
    setDocumentContent(id, documentId, content) {
      const doc = envelopeOrThrow(id).documents.find((d) => d.documentId === documentId);
      if (!doc) throw new Error(`docusign fake: envelope ${id} has no document ${documentId}`);
      if (content instanceof Uint8Array) {
        doc.bytes = Buffer.from(content);
        doc.stream = undefined;
      } else {
        doc.bytes = undefined;
        doc.stream = content.stream;
        doc.size = content.size;
      }
    },
    failNext(failure) {
      failures.push({ ...failure, left: failure.times ?? 1 });
    },
    rateLimitNext(opts = {}) {
      const resetAt = opts.resetAt ?? nextHour();
      failures.push({
        status: 400,
        errorCode: opts.errorCode ?? "HOURLY_APIINVOCATION_LIMIT_EXCEEDED",
        message: "The maximum number of hourly API invocations has been exceeded.",
        headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(resetAt) },
        path: opts.path,
        method: opts.method,
        left: opts.times ?? 1,
      });
    },
    setRateLimit(state) {
      quota = { remaining: state.remaining ?? quota.remaining, resetAt: state.resetAt ?? quota.resetAt };
    },
    connect: {
      configure: (config) => dispatcher.configure(config),
      get deliveries() {
        return dispatcher.deliveries;
      },
      get pending() {
        return dispatcher.pending;
      },
      message(id, event, opts = {}) {
        const env = envelopeOrThrow(id);
        const base = { ...messageOptions(opts.retryCount ?? 0), includeDocuments: opts.includeDocuments ?? false };
        const format = opts.format ?? "json";
        const body = format === "xml" ? xmlConnectMessage(env, base) : jsonConnectMessage(env, { event, envelopeId: id, recipientId: opts.recipientId }, base);
        return { body, headers: { "content-type": format === "xml" ? "text/xml; charset=utf-8" : "application/json; charset=utf-8", ...signConnectMessage(body, hmacKeys) } };
      },
      post(url, message, opts = {}) {
        const body = typeof message.body === "string" ? Buffer.from(message.body, "utf8") : message.body;
        const given = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
        const signed = Object.keys(given).some((k) => /^x-docusign-signature-\d+$/.test(k));
        // `keys` re-signs (dropping any signature the message carried); otherwise a signed message keeps its own headers.
        const own = opts.keys ? Object.fromEntries(Object.entries(given).filter(([k]) => !/^x-docusign-signature-\d+$/.test(k))) : given;
        const headers = {
          "content-type": opts.contentType ?? (body.subarray(0, 1).toString() === "<" ? "text/xml; charset=utf-8" : "application/json; charset=utf-8"),
          ...own,
          ...(opts.keys || !signed ? signConnectMessage(body, opts.keys ?? hmacKeys) : {}),
        };
        return globalThis.fetch(url, { method: "POST", headers, body: new Uint8Array(body) });
      },
      retryFailed: () => dispatcher.retryFailed(),
      settled: () => dispatcher.settled(),
    },
    reset() {
      envelopes.clear();
      seedTemplates();
      sessions.clear();
      tokens.clear();
      failures = [];
      counters = { tokenRequests: 0, tokensIssued: 0, userInfoRequests: 0 };
      consent = options.consentGranted ?? true;
      quota = { remaining: hourlyLimit, resetAt: nextHour() };
      burst = { remaining: 200 };
      dispatcher.reset();
      dispatcher.configure(options.connect);
    },
  };
  return fake;
}

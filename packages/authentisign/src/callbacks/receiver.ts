/**
 * The callback endpoint: core's webhook receiver (verify → parse → dedupe → dispatch; 401
 * before any handler, 500 for redelivery when a handler throws, dead letters after repeated
 * failures) with Authentisign's verifiers. A callback is a hint: before a handler sees an
 * event, the signing is re-read through the API and the hint must agree with what the API now
 * says (a hint the API does not confirm yet is answered 500, so it is delivered again later).
 */
import {
  createWebhookReceiver,
  IntegrationError,
  NotFoundError,
  ValidationError,
  parseUntrusted,
  type DeadLetterSink,
  type DedupeStore,
  type IntegrationContext,
  type Logger,
  type WebhookEventContext,
  type WebhookReceiver,
  type WebhookVerifier,
  type WebhookInbox,
} from "@connect/core";
import { AUTHENTISIGN, CallbackPayload, type CallbackEventType } from "../assumptions.js";
import type { Participant, Signing } from "../schemas.js";
import { allOf, callbackHmacVerifier, callbackTokenVerifier, type CallbackHmacVerifierOptions, type CallbackTokenVerifierOptions } from "./verify.js";

/** A confirmed callback event: the hint plus the signing as the API now reports it. @public */
export interface AuthentisignEvent {
  /** The callback's `id`, or `signingId:type:email:status` when it has none (the dedupe key). */
  id: string;
  /** The callback type (a known one, or a new type passed through). */
  type: CallbackEventType | (string & {});
  signingId: string;
  /** ISO 8601: the callback's `createdAt`, else when it was received. */
  occurredAt: string;
  /** The participant the event is about, as re-read. */
  participant?: Participant | undefined;
  /** Decline reason, when there is one. */
  reason?: string | undefined;
  /** The signing as re-read (undefined only for `signing.deleted` when the API answers 404). */
  signing: Signing | undefined;
  /** The callback body as received (verified, but not trusted beyond that). */
  hint: CallbackPayload;
}

/** Handles one confirmed event; throw to have the callback delivered again. @public */
export type AuthentisignEventHandler = (event: AuthentisignEvent, ctx: WebhookEventContext) => void | Promise<void>;

/** What the receiver needs to re-read a signing (an `AuthentisignClient` fits). @public */
export interface SigningReader {
  signings: { get(input: { signingId: string }, ctx?: IntegrationContext): Promise<Signing> };
}

/** Options of {@link createAuthentisignCallbackHandler}. @public */
export interface AuthentisignCallbackOptions {
  /** Re-reads the signing before an event is emitted. */
  client: SigningReader;
  /** The default verifier: per-signing tokens in the callback URL (see `callbackUrlFor`). */
  token?: CallbackTokenVerifierOptions | undefined;
  /** The HMAC scheme, if Lone Wolf signs callbacks; with `token` too, both must pass. */
  hmac?: CallbackHmacVerifierOptions | undefined;
  /** A custom verifier instead of `token` / `hmac`. */
  verifier?: WebhookVerifier | undefined;
  /** Accept unverified callbacks. Only for local development; never in production. */
  unsafeSkipVerification?: boolean | undefined;
  /** Handlers by callback type. */
  handlers?: Partial<Record<CallbackEventType, AuthentisignEventHandler>> | undefined;
  /** Events without a type-specific handler, including types the SDK does not know. */
  onEvent?: AuthentisignEventHandler | undefined;
  /** Dedupe store (in memory by default; share one across workers). `false` disables. */
  dedupe?: DedupeStore | false | undefined;
  /** How long a processed id is remembered (ms). Default 72 h. */
  dedupeTtlMs?: number | undefined;
  /** Where events go after `maxAttempts` failed deliveries. */
  deadLetters?: DeadLetterSink | undefined;
  /** Deliveries of a failing event before it is dead-lettered. Default 5. */
  maxAttempts?: number | undefined;
  /** Persist each verified event to this durable inbox (`@connect/jobs` `createWebhookInbox`) before answering 2xx, and run the handlers from its queue. */
  inbox?: WebhookInbox | undefined;
  /** Structured logger; lines are redacted. */
  logger?: Logger | undefined;
  /** Public origin for `node()` behind a proxy (the token verifier needs the full URL). */
  baseUrl?: string | undefined;
  /** Clock (epoch ms). */
  now?: (() => number) | undefined;
}

/** Pick the verifier from the options. @internal */
export function resolveVerifier(options: Pick<AuthentisignCallbackOptions, "token" | "hmac" | "verifier" | "unsafeSkipVerification">): WebhookVerifier {
  if (options.verifier) return options.verifier;
  const verifiers: WebhookVerifier[] = [];
  if (options.token) verifiers.push(callbackTokenVerifier(options.token));
  if (options.hmac) verifiers.push(callbackHmacVerifier(options.hmac));
  if (verifiers.length > 0) return allOf(...verifiers);
  if (options.unsafeSkipVerification) return { verify: () => undefined };
  throw new TypeError("createAuthentisignCallbackHandler needs token (per-signing callback tokens), hmac, verifier, or unsafeSkipVerification: true");
}

/** The dedupe key of a callback: its id, or signing + type + participant + status. @internal */
export function callbackId(hint: CallbackPayload): string {
  if (hint.id) return hint.id;
  const p = hint.data.participant;
  return [hint.data.signingId, hint.type, p?.email?.toLowerCase() ?? "", hint.data.status ?? p?.status ?? ""].join(":");
}

/** Parse and validate a callback body. @internal */
export function parseCallback(rawBody: Buffer): CallbackPayload {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString("utf8"));
  } catch (error) {
    throw new ValidationError(`${AUTHENTISIGN} callback: the body is not JSON (${(error as Error).message})`, { vendor: AUTHENTISIGN, issues: [{ path: "(root)", message: "not JSON" }] });
  }
  const parsed = parseUntrusted(CallbackPayload, json);
  if (!parsed.success) {
    const issues = parsed.issues;
    throw new ValidationError(`${AUTHENTISIGN} callback: unexpected body — ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, { vendor: AUTHENTISIGN, issues });
  }
  return parsed.data;
}

const VIEWED_OR_LATER = new Set(["viewed", "signed", "declined"]);

/** Whether the re-read state agrees with the hint. @internal */
export function confirms(type: string, signing: Signing | undefined, participant: Participant | undefined): boolean {
  switch (type) {
    case "signing.sent":
      return signing !== undefined && signing.status !== "draft";
    case "signing.completed":
      return signing?.status === "completed";
    case "signing.declined":
      return signing?.status === "declined";
    case "signing.deleted":
      return signing === undefined || signing.status === "deleted";
    case "signing.expired":
      return signing?.status === "expired";
    case "participant.viewed":
      return participant !== undefined && VIEWED_OR_LATER.has(participant.status);
    case "participant.signed":
      return participant?.status === "signed";
    case "participant.declined":
      return participant?.status === "declined";
    default:
      return signing !== undefined;
  }
}

/** Re-read the signing and build the confirmed event, or throw a retryable error. @internal */
export async function confirmCallback(hint: CallbackPayload, reader: SigningReader, ctx: { correlationId?: string | undefined; now: () => number }): Promise<AuthentisignEvent> {
  const signingId = hint.data.signingId;
  let signing: Signing | undefined;
  try {
    signing = await reader.signings.get({ signingId }, { correlationId: ctx.correlationId });
  } catch (error) {
    if (!(error instanceof NotFoundError && hint.type === "signing.deleted")) throw error;
  }
  const email = hint.data.participant?.email?.toLowerCase();
  const participant = email ? signing?.participants.find((p) => p.email?.toLowerCase() === email) : undefined;
  if (!confirms(hint.type, signing, participant)) {
    const seen = signing ? `${signing.status}${participant ? `, participant ${participant.status}` : email ? ", participant not found" : ""}` : "not found";
    throw new IntegrationError(`${AUTHENTISIGN} callback ${hint.type} for signing ${signingId} is not confirmed by the API yet (it reports ${seen}); asking for redelivery`, {
      vendor: AUTHENTISIGN,
      operation: "callbacks.confirm",
      vendorCode: "CALLBACK_NOT_CONFIRMED",
      retryable: true,
    });
  }
  const declined = participant?.status === "declined" ? participant : signing?.participants.find((p) => p.status === "declined");
  const reason = hint.data.participant?.reason ?? (hint.type.endsWith("declined") ? declined?.declineReason : undefined);
  return {
    id: callbackId(hint),
    type: hint.type,
    signingId,
    occurredAt: hint.createdAt ?? new Date(ctx.now()).toISOString(),
    participant: participant ?? (hint.type === "signing.declined" ? declined : undefined),
    reason,
    signing,
    hint,
  };
}

/**
 * Create the callback endpoint: `handle(req)`, `fetch(request)`, `node(req, res)`.
 * @example
 * const callbacks = createAuthentisignCallbackHandler({
 *   client: authentisign, token: { secrets: process.env.AUTHENTISIGN_CALLBACK_SECRET! },
 *   handlers: { "signing.completed": async (e) => storeSignedPackage(e.signingId) },
 * });
 * http.createServer((req, res) => callbacks.node(req, res));
 * @public
 */
export function createAuthentisignCallbackHandler(options: AuthentisignCallbackOptions): WebhookReceiver {
  const verifier = resolveVerifier(options);
  const now = options.now ?? Date.now;
  const wrap =
    (handler: AuthentisignEventHandler) =>
    async (hint: CallbackPayload, ctx: WebhookEventContext): Promise<void> => {
      const event = await confirmCallback(hint, options.client, { correlationId: ctx.correlationId, now });
      await handler(event, ctx);
    };
  const handlers: Record<string, (hint: CallbackPayload, ctx: WebhookEventContext) => Promise<void>> = {};
  for (const [type, handler] of Object.entries(options.handlers ?? {})) {
    if (handler) handlers[type] = wrap(handler);
  }
  return createWebhookReceiver<CallbackPayload>({
    vendor: AUTHENTISIGN,
    verifier,
    parse: (req) => parseCallback(req.rawBody),
    eventId: callbackId,
    eventType: (hint) => hint.type,
    handlers,
    onEvent: options.onEvent ? wrap(options.onEvent) : undefined,
    dedupe: options.dedupe,
    dedupeTtlMs: options.dedupeTtlMs,
    deadLetters: options.deadLetters,
    maxAttempts: options.maxAttempts,
    inbox: options.inbox,
    logger: options.logger,
    baseUrl: options.baseUrl,
    now: options.now,
  });
}

/**
 * Authentisign behind core's shared e-signature interface (`ESignatureProvider`), so a host
 * switches between DocuSign and Authentisign by configuration and can put both behind
 * `fallback()`. A request becomes a signing: signers → participants (routing order → signer
 * group), CC recipients → `ccs.add`, the subject → the signing's Name; callbacks become
 * normalised `SignatureEvent`s after the signing is re-read.
 */
import {
  ConflictError,
  toFieldIssues,
  ValidationError,
  type DeadLetterSink,
  type DedupeStore,
  type ESignatureProvider,
  type HealthResult,
  type IntegrationContext,
  type Logger,
  type RecipientStatusValue,
  type SecretSource,
  type SignatureEvent,
  type SignatureEventType,
  type SignatureReceipt,
  type SignatureRequest,
  type SignatureStatus,
  type SignatureStatusValue,
  type SignedDocument,
  type WebhookEventContext,
  type WebhookReceiver, lazySchema, unlazy } from "@connect/core";
import { z } from "zod";
import { AUTHENTISIGN, PARTICIPANT_TYPE, type ParticipantStatus, type SigningStatus } from "./assumptions.js";
import { createAuthentisignCallbackHandler, type AuthentisignEvent } from "./callbacks/receiver.js";
import { callbackUrlFor, type CallbackHmacVerifierOptions } from "./callbacks/verify.js";
import type { AuthentisignClient } from "./client.js";
import { notSent } from "./errors.js";
import type { Participant, ParticipantInput, Signing } from "./schemas.js";

/** Signing status → the shared status words. `deleted` is Authentisign's nearest to a void. @public */
export const SIGNATURE_STATUS_OF: Readonly<Record<SigningStatus, SignatureStatusValue>> = {
  draft: "draft",
  sent: "sent",
  in_progress: "delivered",
  completed: "completed",
  declined: "declined",
  deleted: "voided",
  expired: "expired",
  // A status code outside the table: still in flight as far as the host can tell.
  unknown: "sent",
};

/** Participant status → the shared recipient status words. @public */
export const RECIPIENT_STATUS_OF: Readonly<Record<ParticipantStatus, RecipientStatusValue>> = {
  pending: "pending",
  sent: "sent",
  viewed: "delivered",
  signed: "signed",
  declined: "declined",
};

/**
 * Callback type → the shared event type (unknown types are not emitted). One decline fires
 * `participant.declined` and `signing.declined`; only the signing's maps (with the decliner and
 * the reason), so hosts see one `declined`, as with DocuSign.
 * @public
 */
export const SIGNATURE_EVENT_OF: Readonly<Record<string, SignatureEventType>> = {
  "signing.sent": "sent",
  "participant.viewed": "delivered",
  "participant.signed": "signed-by-recipient",
  "signing.completed": "completed",
  "signing.declined": "declined",
  "signing.deleted": "voided",
  "signing.expired": "voided",
};

/** Options of {@link createAuthentisignSignatureProvider}. @public */
export interface AuthentisignSignatureProviderOptions {
  /** Receive callbacks as `SignatureEvent`s; the receiver is `provider.callbacks`. */
  callbacks?:
    | {
        /** The host's callback endpoint (absolute URL); a request's own `callbackUrl` wins. */
        url: string;
        /** Secrets of the per-signing callback tokens (the default verifier); new URLs use the first. */
        secrets?: SecretSource | undefined;
        /** The HMAC scheme, if Lone Wolf signs callbacks (with `secrets` too, both must pass). */
        hmac?: CallbackHmacVerifierOptions | undefined;
        /** Called with every confirmed, normalised event; throw to have it delivered again. */
        onEvent?: ((event: SignatureEvent, ctx: WebhookEventContext) => void | Promise<void>) | undefined;
        dedupe?: DedupeStore | false | undefined;
        deadLetters?: DeadLetterSink | undefined;
        maxAttempts?: number | undefined;
        logger?: Logger | undefined;
        /** Public origin for `callbacks.node()` behind a proxy. */
        baseUrl?: string | undefined;
      }
    | undefined;
  /** Split a display name into first and last name (default: at the last space; one word is both). */
  splitName?: ((name: string) => { firstName: string; lastName: string }) | undefined;
  /** Invitation language of every participant, e.g. `en`. */
  language?: string | undefined;
  /** Clock (epoch ms). */
  now?: (() => number) | undefined;
}

/** The Authentisign provider: the shared interface, plus its callback endpoint and client. @public */
export interface AuthentisignSignatureProvider extends ESignatureProvider {
  readonly provider: "authentisign";
  /** The callback endpoint (`handle`, `fetch`, `node`) when `callbacks` was configured. */
  readonly callbacks: WebhookReceiver | undefined;
  /** The underlying client. */
  readonly client: AuthentisignClient;
}

const content = lazySchema(() =>
  z.custom<SignatureRequest["documents"][number]["content"]>(
  (value) => value instanceof Uint8Array || (typeof value === "object" && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function"),
  "must be bytes or a stream",
),
);

/** The shared request, checked before any I/O. @internal */
export const SignatureRequestSchema = lazySchema(() =>
  z.object({
  subject: z.string().trim().min(1).max(255),
  message: z.string().max(5000).optional(),
  documents: z
    .array(z.object({ id: z.string().min(1), name: z.string().trim().min(1).max(255), content: unlazy(content), contentType: z.string().min(1).optional() }))
    .min(1, "at least one document"),
  recipients: z
    .array(z.object({ name: z.string().trim().min(1).max(200), email: z.email(), order: z.number().int().min(1), role: z.enum(["signer", "cc"]).optional(), placements: z.array(z.unknown()).optional() }))
    .min(1, "at least one recipient")
    .refine((list) => list.some((r) => (r.role ?? "signer") === "signer"), "at least one signer"),
  callbackUrl: z.url().optional(),
  externalRef: z.string().min(1).max(200).optional(),
  send: z.boolean().optional(),
}),
);

function defaultSplitName(name: string): { firstName: string; lastName: string } {
  const trimmed = name.trim().replace(/\s+/g, " ");
  const at = trimmed.lastIndexOf(" ");
  if (at <= 0) return { firstName: trimmed, lastName: trimmed };
  return { firstName: trimmed.slice(0, at), lastName: trimmed.slice(at + 1) };
}

function displayName(p: Participant): string {
  return [p.firstName, p.middleName, p.lastName].filter(Boolean).join(" ");
}

/** Map a signing to the shared status. @public */
export function toSignatureStatus(signing: Signing): SignatureStatus {
  return {
    provider: AUTHENTISIGN,
    id: signing.id,
    status: SIGNATURE_STATUS_OF[signing.status],
    recipients: signing.participants.map((p) => ({
      name: displayName(p),
      email: p.email ?? "",
      order: p.order,
      role: p.type === PARTICIPANT_TYPE.signer ? "signer" : "cc",
      status: RECIPIENT_STATUS_OF[p.status] ?? "pending",
      ...(p.signedAt ? { signedAt: p.signedAt } : {}),
      ...(p.declineReason ? { declinedReason: p.declineReason } : {}),
    })),
    updatedAt: signing.updatedAt,
  };
}

/** Map a confirmed callback event to the shared event (undefined for types it has no word for). @public */
export function toSignatureEvent(event: AuthentisignEvent): SignatureEvent | undefined {
  const type = SIGNATURE_EVENT_OF[event.type];
  if (!type) return undefined;
  const p = event.participant;
  const externalRef = event.signing?.participants.find((x) => x.externalId)?.externalId;
  const reason = event.type === "signing.expired" ? "expired" : event.reason;
  return {
    provider: AUTHENTISIGN,
    eventId: `${AUTHENTISIGN}:${event.id}`,
    type,
    signatureId: event.signingId,
    occurredAt: event.occurredAt,
    ...(p?.email ? { recipient: { email: p.email, name: displayName(p), order: p.order } } : {}),
    ...(reason ? { reason } : {}),
    ...(externalRef ? { externalRef } : {}),
  };
}

/**
 * Put an Authentisign client behind the shared e-signature interface.
 * @example
 * const esign = createAuthentisignSignatureProvider(authentisign, {
 *   callbacks: { url: "https://hooks.example.com/esign/authentisign", secrets: callbackSecret, onEvent: (e) => onSignatureEvent(e) },
 * });
 * server.on("request", (req, res) => esign.callbacks!.node(req, res));
 * const { id } = await esign.sendForSignature(loanPackage);
 * @public
 */
export function createAuthentisignSignatureProvider(client: AuthentisignClient, options: AuthentisignSignatureProviderOptions = {}): AuthentisignSignatureProvider {
  const splitName = options.splitName ?? defaultSplitName;
  const callbacks = options.callbacks;
  const tokenSecrets = callbacks?.secrets;
  const receiver = callbacks
    ? createAuthentisignCallbackHandler({
        client,
        ...(tokenSecrets ? { token: { secrets: tokenSecrets } } : {}),
        hmac: callbacks.hmac,
        unsafeSkipVerification: false,
        onEvent: async (event, ctx) => {
          const normalised = toSignatureEvent(event);
          if (normalised) await callbacks.onEvent?.(normalised, ctx);
        },
        dedupe: callbacks.dedupe,
        deadLetters: callbacks.deadLetters,
        maxAttempts: callbacks.maxAttempts,
        logger: callbacks.logger,
        baseUrl: callbacks.baseUrl,
        now: options.now,
      })
    : undefined;

  async function sendForSignature(request: SignatureRequest, ctx?: IntegrationContext): Promise<SignatureReceipt> {
    const parsed = SignatureRequestSchema.safeParse(request);
    if (!parsed.success) {
      const issues = toFieldIssues(parsed.error);
      throw new ValidationError(`${AUTHENTISIGN} sendForSignature: invalid request — ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, {
        vendor: AUTHENTISIGN,
        operation: "sendForSignature",
        issues,
      });
    }
    const signers = request.recipients.filter((r) => (r.role ?? "signer") === "signer");
    const ccs = request.recipients.filter((r) => r.role === "cc");
    const base = request.callbackUrl ?? callbacks?.url;
    const participants: ParticipantInput[] = signers.map((r, i) => ({
      ...splitName(r.name),
      email: r.email,
      type: PARTICIPANT_TYPE.signer,
      order: r.order,
      displayOrder: i + 1,
      invitationSubject: request.subject,
      ...(request.message ? { invitationMessage: request.message } : {}),
      ...(request.externalRef ? { externalId: request.externalRef } : {}),
      ...(options.language ? { language: options.language } : {}),
    }));
    // Placements are not sent: Authentisign places fields through layouts (`layoutId`).
    const created = await client.signings.create(
      {
        name: request.subject,
        participants,
        files: request.documents.map((d) => ({ name: d.name, content: d.content, ...(d.contentType ? { contentType: d.contentType } : {}) })),
        isOrdered: new Set(signers.map((s) => s.order)).size > 1,
        // With per-signing tokens the URL needs the signing id: it is set right after the upload.
        ...(base && !tokenSecrets ? { callbackUrl: base } : {}),
      },
      ctx,
    );
    const step = { ...ctx, idempotencyKey: undefined };
    if (base && tokenSecrets) {
      try {
        await client.signings.setCallbackUrl({ signingId: created.id, callbackUrl: await callbackUrlFor(base, created.id, tokenSecrets) }, step);
      } catch (error) {
        throw notSent(error, created.id, "callback");
      }
    }
    if (ccs.length > 0) {
      try {
        await client.ccs.add({ signingId: created.id, ccs: ccs.map((r) => ({ ...splitName(r.name), email: r.email })) }, step);
      } catch (error) {
        throw notSent(error, created.id, "ccs");
      }
    }
    if (request.send === false) return { provider: AUTHENTISIGN, id: created.id, status: SIGNATURE_STATUS_OF[created.status] };
    try {
      const sent = await client.signings.send({ signingId: created.id }, step);
      return { provider: AUTHENTISIGN, id: created.id, status: SIGNATURE_STATUS_OF[sent.status] };
    } catch (error) {
      throw notSent(error, created.id, "send");
    }
  }

  return {
    provider: AUTHENTISIGN,
    callbacks: receiver,
    client,
    sendForSignature,
    async getStatus(id, ctx) {
      return toSignatureStatus(await client.signings.get({ signingId: id }, ctx));
    },
    async cancel(id, reason, ctx) {
      await client.signings.cancel({ signingId: id, reason }, ctx);
    },
    async downloadSigned(id, ctx): Promise<SignedDocument> {
      const signing = await client.signings.get({ signingId: id }, ctx);
      if (signing.status !== "completed") {
        throw new ConflictError(`${AUTHENTISIGN} downloadSigned: signing ${id} is ${signing.status}; the signed package exists once every participant has signed`, {
          vendor: AUTHENTISIGN,
          operation: "downloadSigned",
          vendorCode: "SIGNING_NOT_COMPLETED",
        });
      }
      const document = await client.documents.download({ signingId: id, kind: "signed" }, ctx);
      return { filename: document.filename, contentType: document.contentType, contentLength: document.contentLength, body: document.body };
    },
    healthCheck: (): Promise<HealthResult> => client.healthCheck(),
  };
}

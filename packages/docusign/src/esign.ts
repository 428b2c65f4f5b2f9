/**
 * DocuSign as core's provider-neutral `ESignatureProvider` (packages/core/src/esign.ts): a
 * request for signatures is an envelope, a recipient's order is its routing order, cancel is
 * void, the signed documents are the combined PDF.
 */
import {
  ConflictError,
  type ESignatureProvider,
  type IntegrationContext,
  type RecipientStatus,
  type SignatureRequest,
  type SignatureStatus,
} from "@connect/core";
import type { DocuSignClient } from "./client.js";
import type { CreateEnvelopeInput, EventNotificationInput, TabInput } from "./envelope-input.js";
import { toRecipientStatus, toSignatureStatus } from "./esign-events.js";
import type { Recipient } from "./schemas.js";
import { normaliseTime } from "./webhooks/events.js";

/** Options of {@link createDocuSignSignatureProvider}. @public */
export interface DocuSignSignatureProviderOptions {
  /** Connect settings for `callbackUrl` (format, events …); the URL comes from the request. */
  eventNotification?: Omit<EventNotificationInput, "url"> | undefined;
  /** Custom field that keeps `externalRef` on the envelope. Default `externalRef`. */
  externalRefField?: string | undefined;
  /** `downloadSigned` refuses an envelope that is not completed (`ConflictError`). Default true. */
  requireCompleted?: boolean | undefined;
  /** Include the certificate of completion in the combined PDF; default: the account setting. */
  certificate?: boolean | undefined;
}

const EXTENSIONS: Record<string, string> = {
  "application/pdf": "pdf",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/msword": "doc",
  "text/html": "html",
  "text/plain": "txt",
  "image/png": "png",
  "image/jpeg": "jpg",
};

/** Turn a provider-neutral request into `envelopes.create` input (DocuSign wants numeric document ids). @internal */
export function toCreateEnvelopeInput(request: SignatureRequest, options: DocuSignSignatureProviderOptions = {}): CreateEnvelopeInput {
  const ids = new Map<string, string>();
  request.documents.forEach((doc, i) => ids.set(doc.id, /^\d{1,9}$/.test(doc.id) && doc.id !== "0" ? doc.id : String(i + 1)));
  const tab = (p: NonNullable<SignatureRequest["recipients"][number]["placements"]>[number]): TabInput =>
    "anchor" in p
      ? { anchorString: p.anchor, anchorUnits: "pixels", anchorXOffset: p.xOffset ?? 0, anchorYOffset: p.yOffset ?? 0 }
      : { documentId: ids.get(p.documentId) ?? p.documentId, pageNumber: p.page, xPosition: p.x, yPosition: p.y };
  const signers = request.recipients.filter((r) => (r.role ?? "signer") === "signer");
  const copies = request.recipients.filter((r) => r.role === "cc");
  return {
    emailSubject: request.subject,
    ...(request.message ? { emailBlurb: request.message } : {}),
    status: request.send === false ? "created" : "sent",
    documents: request.documents.map((doc) => {
      const extension = doc.contentType ? EXTENSIONS[doc.contentType.split(";")[0]!.trim().toLowerCase()] : undefined;
      return {
        documentId: ids.get(doc.id)!,
        name: doc.name,
        ...(extension && !/\.[A-Za-z0-9]{1,10}$/.test(doc.name) ? { fileExtension: extension } : {}),
        content: doc.content,
      };
    }),
    recipients: {
      signers: signers.map((r) => ({
        name: r.name,
        email: r.email,
        routingOrder: r.order,
        ...(r.placements?.length ? { tabs: { signHereTabs: r.placements.map(tab) } } : {}),
      })),
      ...(copies.length > 0 ? { carbonCopies: copies.map((r) => ({ name: r.name, email: r.email, routingOrder: r.order })) } : {}),
    },
    ...(request.callbackUrl ? { eventNotification: { ...options.eventNotification, url: request.callbackUrl } } : {}),
    ...(request.externalRef ? { customFields: { [options.externalRefField ?? "externalRef"]: request.externalRef } } : {}),
  };
}

function recipientStatus(r: Recipient, role: "signer" | "cc"): RecipientStatus {
  const signedAt = normaliseTime(r.signedDateTime);
  return {
    ...(r.name !== undefined ? { name: r.name } : {}),
    email: r.email,
    order: r.routingOrder,
    role,
    status: toRecipientStatus(r.status),
    ...(signedAt ? { signedAt } : {}),
    ...(r.declinedReason ? { declinedReason: r.declinedReason } : {}),
  };
}

/**
 * DocuSign behind core's `ESignatureProvider`, so a host can switch providers by configuration
 * or put both behind `fallback()`.
 * @example
 * const signatures: ESignatureProvider = createDocuSignSignatureProvider(docusign);
 * const { id } = await signatures.sendForSignature({ subject, documents, recipients, callbackUrl }, { idempotencyKey });
 * @public
 */
export function createDocuSignSignatureProvider(client: DocuSignClient, options: DocuSignSignatureProviderOptions = {}): ESignatureProvider {
  const requireCompleted = options.requireCompleted ?? true;
  return {
    provider: "docusign",
    async sendForSignature(request: SignatureRequest, ctx?: IntegrationContext) {
      const created = await client.envelopes.create(toCreateEnvelopeInput(request, options), ctx);
      return { provider: "docusign", id: created.envelopeId, status: toSignatureStatus(created.status) };
    },
    async getStatus(id: string, ctx?: IntegrationContext): Promise<SignatureStatus> {
      const envelope = await client.envelopes.get({ envelopeId: id, include: ["recipients"] }, ctx);
      const recipients = [
        ...(envelope.recipients?.signers ?? []).map((r) => recipientStatus(r, "signer")),
        ...(envelope.recipients?.carbonCopies ?? []).map((r) => recipientStatus(r, "cc")),
      ].sort((a, b) => a.order - b.order);
      const updatedAt = normaliseTime(envelope.statusChangedDateTime ?? envelope.lastModifiedDateTime);
      return { provider: "docusign", id: envelope.envelopeId, status: toSignatureStatus(envelope.status), recipients, ...(updatedAt ? { updatedAt } : {}) };
    },
    async cancel(id: string, reason: string, ctx?: IntegrationContext) {
      await client.envelopes.void({ envelopeId: id, reason }, ctx);
    },
    async downloadSigned(id: string, ctx?: IntegrationContext) {
      if (requireCompleted) {
        const envelope = await client.envelopes.get({ envelopeId: id }, ctx);
        if (envelope.status !== "completed") {
          throw new ConflictError(`docusign downloadSigned: envelope ${id} is ${envelope.status}, not completed; there are no signed documents yet`, {
            vendor: "docusign",
            operation: "documents.download",
            vendorCode: "ENVELOPE_NOT_COMPLETED",
          });
        }
      }
      const doc = await client.documents.download({ envelopeId: id, documentId: "combined", ...(options.certificate !== undefined ? { certificate: options.certificate } : {}) }, ctx);
      return { filename: doc.filename, contentType: doc.contentType, ...(doc.contentLength !== undefined ? { contentLength: doc.contentLength } : {}), body: doc.body };
    },
    healthCheck: () => client.healthCheck(),
  };
}

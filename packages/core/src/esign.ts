/**
 * The shared e-signature interface. DocuSign and Authentisign model the same job differently
 * (an envelope with recipients; a signing with participants); a host that has not chosen a
 * provider codes against this interface, switches by configuration, and can put both behind
 * `fallback()`. Types only, plus the status table every implementation shares, so the main
 * entry stays small.
 */
import type { Readable } from "node:stream";
import type { IntegrationContext } from "./context.js";
import type { HealthResult } from "./contract.js";

/** A document to send for signature. @public */
export interface SignatureDocument {
  /** Stable id within the request (`"1"`, `"2"` …); events and downloads refer to it. */
  id: string;
  /** File name shown to signers, e.g. `Loan agreement.pdf`. */
  name: string;
  /** The bytes: in memory, or a stream (providers that need base64 read it once). */
  content: Uint8Array | Readable | AsyncIterable<Uint8Array>;
  /** Media type; `application/pdf` by default. */
  contentType?: string | undefined;
}

/** Where a signer signs: an anchor text in the document, or a fixed position. @public */
export type SignaturePlacement =
  | { anchor: string; xOffset?: number | undefined; yOffset?: number | undefined }
  | { documentId: string; page: number; x: number; y: number };

/** One person in the signing order. @public */
export interface SignatureRecipient {
  /** Display name. */
  name: string;
  /** E-mail address the invitation goes to. */
  email: string;
  /** Routing order, 1-based: everyone at order 1 signs before order 2 is invited. */
  order: number;
  /** `signer` (default) or `cc` (receives a copy, signs nothing). */
  role?: "signer" | "cc" | undefined;
  /** Where this signer signs; a provider default when omitted. */
  placements?: SignaturePlacement[] | undefined;
}

/** A request for signatures, provider-neutral. @public */
export interface SignatureRequest {
  /** Subject / title of the envelope or signing. */
  subject: string;
  /** Message in the invitation. */
  message?: string | undefined;
  /** At least one document. */
  documents: SignatureDocument[];
  /** At least one signer. */
  recipients: SignatureRecipient[];
  /** HTTPS URL the provider calls back with status changes. */
  callbackUrl?: string | undefined;
  /** The host's own reference (a loan id), kept on the provider's record. */
  externalRef?: string | undefined;
  /** Send at once (default) or keep as a draft. */
  send?: boolean | undefined;
}

/** Lifecycle of a request for signatures, the same words for every provider. @public */
export type SignatureStatusValue = "draft" | "sent" | "delivered" | "completed" | "declined" | "voided" | "expired";

/** Lifecycle of one recipient. @public */
export type RecipientStatusValue = "pending" | "sent" | "delivered" | "signed" | "declined";

/** One recipient's state. @public */
export interface RecipientStatus {
  name?: string | undefined;
  email: string;
  order: number;
  role: "signer" | "cc";
  status: RecipientStatusValue;
  /** ISO 8601. */
  signedAt?: string | undefined;
  declinedReason?: string | undefined;
}

/** The state of a request for signatures. @public */
export interface SignatureStatus {
  /** `docusign`, `authentisign`. */
  provider: string;
  /** The provider's id (envelope id, signing id). */
  id: string;
  status: SignatureStatusValue;
  recipients: RecipientStatus[];
  /** ISO 8601 of the last change the provider reports. */
  updatedAt?: string | undefined;
}

/** What `sendForSignature` returns. @public */
export interface SignatureReceipt {
  provider: string;
  id: string;
  status: SignatureStatusValue;
}

/** The signed documents as one stream (a combined PDF). @public */
export interface SignedDocument {
  /** File name, e.g. `combined.pdf`. */
  filename: string;
  contentType: string;
  /** Byte length when the provider says it. */
  contentLength?: number | undefined;
  /** The bytes, streamed: nothing is buffered whole. */
  body: Readable;
}

/** The normalised kinds of status change. @public */
export type SignatureEventType = "sent" | "delivered" | "signed-by-recipient" | "completed" | "declined" | "voided";

/** One status change, normalised across providers and wire formats. @public */
export interface SignatureEvent {
  provider: string;
  /** Stable id for dedupe: the provider's event id, or id + type + recipient + time. */
  eventId: string;
  type: SignatureEventType;
  /** The provider's id of the envelope / signing. */
  signatureId: string;
  /** ISO 8601 time of the change. */
  occurredAt: string;
  /** The recipient the change is about (recipient events, declines). */
  recipient?: { email: string; name?: string | undefined; order?: number | undefined } | undefined;
  /** Decline or void reason. */
  reason?: string | undefined;
  /** The host's reference, when the provider echoes it. */
  externalRef?: string | undefined;
}

/** What every e-signature provider offers, whoever the vendor. @public */
export interface ESignatureProvider {
  /** `docusign`, `authentisign`. */
  readonly provider: string;
  /** Create (and by default send) a request for signatures. */
  sendForSignature(request: SignatureRequest, ctx?: IntegrationContext): Promise<SignatureReceipt>;
  /** Current state, recipients included. */
  getStatus(id: string, ctx?: IntegrationContext): Promise<SignatureStatus>;
  /** Stop a request that is not finished (DocuSign void, Authentisign delete). */
  cancel(id: string, reason: string, ctx?: IntegrationContext): Promise<void>;
  /** The signed documents of a completed request, streamed. */
  downloadSigned(id: string, ctx?: IntegrationContext): Promise<SignedDocument>;
  /** A cheap authenticated call. */
  healthCheck(): Promise<HealthResult>;
}

/** Order of the statuses in the lifecycle; a terminal status never moves back. @public */
export const SIGNATURE_STATUS_RANK: Readonly<Record<SignatureStatusValue, number>> = {
  draft: 0,
  sent: 1,
  delivered: 2,
  completed: 3,
  declined: 3,
  voided: 3,
  expired: 3,
};

/** True for completed, declined, voided and expired. @public */
export function isTerminalSignatureStatus(status: SignatureStatusValue): boolean {
  return SIGNATURE_STATUS_RANK[status] === 3;
}

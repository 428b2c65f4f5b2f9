/**
 * DocuSign statuses and Connect events in core's provider-neutral words
 * (packages/core/src/esign.ts), shared by the provider and the webhook handler.
 */
import type { RecipientStatusValue, SignatureEvent, SignatureEventType, SignatureStatusValue } from "@connect/core";
import type { DocuSignConnectEvent } from "./webhooks/events.js";

/** Which Connect events become which `SignatureEvent` type; others have no neutral meaning. @public */
export const DOCUSIGN_SIGNATURE_EVENT_TYPES: Readonly<Record<string, SignatureEventType>> = {
  "envelope-sent": "sent",
  "envelope-delivered": "delivered",
  "recipient-completed": "signed-by-recipient",
  "envelope-completed": "completed",
  // One decline fires recipient-declined and envelope-declined; only the envelope event maps, so hosts see one.
  "envelope-declined": "declined",
  "envelope-voided": "voided",
};

/** An envelope status in core's words. @public */
export function toSignatureStatus(status: string): SignatureStatusValue {
  switch (status.toLowerCase()) {
    case "created":
      return "draft";
    case "sent":
      return "sent";
    case "delivered":
    case "signed":
    case "processing":
      return "delivered";
    case "completed":
      return "completed";
    case "declined":
      return "declined";
    case "voided":
    case "deleted":
      return "voided";
    case "timedout":
      return "expired";
    default:
      return "sent";
  }
}

/** A recipient status in core's words (`autoresponded` = the invitation bounced: still waiting). @public */
export function toRecipientStatus(status: string): RecipientStatusValue {
  switch (status.toLowerCase()) {
    case "sent":
    case "autoresponded":
      return "sent";
    case "delivered":
      return "delivered";
    case "signed":
    case "completed":
      return "signed";
    case "declined":
      return "declined";
    default:
      return "pending";
  }
}

/**
 * Map a Connect event to core's `SignatureEvent`, or undefined for events with no neutral
 * meaning (created, corrected, recipient-sent …).
 * @public
 */
export function toSignatureEvent(event: DocuSignConnectEvent, options: { externalRefField?: string | undefined } = {}): SignatureEvent | undefined {
  const type = DOCUSIGN_SIGNATURE_EVENT_TYPES[event.event];
  if (!type) return undefined;
  const who = event.recipient;
  const reason = type === "declined" ? event.declinedReason : type === "voided" ? event.voidedReason : undefined;
  const externalRef = options.externalRefField ? event.customFields[options.externalRefField] : (event.customFields.externalRef ?? event.customFields.loanId);
  return {
    provider: "docusign",
    eventId: event.eventId,
    type,
    signatureId: event.envelopeId,
    occurredAt: event.occurredAt,
    ...(who?.email ? { recipient: { email: who.email, ...(who.name !== undefined ? { name: who.name } : {}), ...(who.routingOrder !== undefined ? { order: who.routingOrder } : {}) } } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(externalRef !== undefined ? { externalRef } : {}),
  };
}

/**
 * The `envelopeDefinition` DocuSign receives (shared/vendors/docusign.md §3): every scalar a
 * string, recipient ids by position, tabs anchored or positioned, and Connect as JSON SIM
 * (`eventData`) or legacy XML (`envelopeEvents` / `recipientEvents`).
 */
import type { z } from "zod";
import { DEFAULT_CONNECT_EVENTS, type ConnectEventName, type EventNotificationInput, type ParsedCreateEnvelopeInput, type TabInput } from "./envelope-input.js";

const str = (v: number | boolean | undefined): string | undefined => (v === undefined ? undefined : String(v));

function tabWire(tab: z.output<typeof TabInput>): Record<string, string | undefined> {
  if ("anchorString" in tab) {
    return {
      anchorString: tab.anchorString,
      anchorUnits: tab.anchorUnits ?? "pixels",
      anchorXOffset: str(tab.anchorXOffset ?? 0),
      anchorYOffset: str(tab.anchorYOffset ?? 0),
      anchorIgnoreIfNotPresent: str(tab.anchorIgnoreIfNotPresent),
      tabLabel: tab.tabLabel,
      optional: str(tab.optional),
    };
  }
  return {
    documentId: tab.documentId,
    pageNumber: String(tab.pageNumber),
    xPosition: String(tab.xPosition),
    yPosition: String(tab.yPosition),
    tabLabel: tab.tabLabel,
    optional: str(tab.optional),
  };
}

const LEGACY_ENVELOPE_EVENTS: Partial<Record<ConnectEventName, string>> = {
  "envelope-sent": "Sent",
  "envelope-delivered": "Delivered",
  "envelope-completed": "Completed",
  "envelope-declined": "Declined",
  "envelope-voided": "Voided",
};
const LEGACY_RECIPIENT_EVENTS: Partial<Record<ConnectEventName, string>> = {
  "recipient-sent": "Sent",
  "recipient-delivered": "Delivered",
  "recipient-completed": "Completed",
  "recipient-declined": "Declined",
  "recipient-authenticationfailed": "AuthenticationFailed",
  "recipient-autoresponded": "AutoResponded",
};

/** `eventNotification` as DocuSign reads it: JSON SIM (`eventData`) or legacy XML (`envelopeEvents`). @internal */
export function eventNotificationWire(n: z.output<typeof EventNotificationInput>): Record<string, unknown> {
  const events = n.events ?? DEFAULT_CONNECT_EVENTS;
  const common = {
    url: n.url,
    requireAcknowledgment: String(n.requireAcknowledgment),
    loggingEnabled: String(n.loggingEnabled),
    includeHMAC: String(n.includeHMAC),
    includeDocuments: String(n.includeDocuments),
  };
  if (n.format === "xml") {
    // Legacy aggregate XML is what DocuSign sends for envelopeEvents/recipientEvents without eventData (§5).
    return {
      ...common,
      envelopeEvents: events.flatMap((e) => (LEGACY_ENVELOPE_EVENTS[e] ? [{ envelopeEventStatusCode: LEGACY_ENVELOPE_EVENTS[e] }] : [])),
      recipientEvents: events.flatMap((e) => (LEGACY_RECIPIENT_EVENTS[e] ? [{ recipientEventStatusCode: LEGACY_RECIPIENT_EVENTS[e] }] : [])),
    };
  }
  return {
    ...common,
    deliveryMode: "SIM",
    events: [...events],
    eventData: { version: "restv2.1", format: "json", includeData: n.includeData ?? ["recipients", "custom_fields"] },
  };
}

function extensionOf(doc: { name: string; fileExtension?: string | undefined }): string {
  return (doc.fileExtension ?? /\.([A-Za-z0-9]{1,10})$/.exec(doc.name)?.[1] ?? "pdf").toLowerCase();
}

/**
 * Build the `envelopeDefinition` JSON body. Documents must already be bytes or base64
 * (streams are read by the operation first).
 * @internal
 */
export function toEnvelopeDefinition(input: ParsedCreateEnvelopeInput, transactionId: string): Record<string, unknown> {
  let position = 0;
  const nextId = (given: string | undefined): string => {
    position += 1;
    return given ?? String(position);
  };
  const signers = input.recipients.signers.map((s) => ({
    recipientId: nextId(s.recipientId),
    routingOrder: String(s.routingOrder),
    name: s.name,
    email: s.email,
    ...(s.clientUserId ? { clientUserId: s.clientUserId } : {}),
    ...(s.roleName ? { roleName: s.roleName } : {}),
    ...(s.note ? { note: s.note } : {}),
    ...(s.tabs ? { tabs: Object.fromEntries(Object.entries(s.tabs).map(([kind, tabs]) => [kind, (tabs ?? []).map(tabWire)])) } : {}),
  }));
  const carbonCopies = (input.recipients.carbonCopies ?? []).map((c) => ({
    recipientId: nextId(c.recipientId),
    routingOrder: String(c.routingOrder),
    name: c.name,
    email: c.email,
  }));
  return {
    emailSubject: input.emailSubject,
    ...(input.emailBlurb ? { emailBlurb: input.emailBlurb } : {}),
    status: input.status,
    transactionId,
    documents: input.documents.map((d) => {
      if (d.documentBase64 === undefined && !(d.content instanceof Uint8Array)) throw new TypeError("toEnvelopeDefinition: read streamed documents first");
      return {
        documentId: d.documentId,
        name: d.name,
        fileExtension: extensionOf(d),
        ...(d.order !== undefined ? { order: String(d.order) } : {}),
        documentBase64: d.documentBase64 ?? Buffer.from((d.content as Uint8Array).buffer, (d.content as Uint8Array).byteOffset, (d.content as Uint8Array).byteLength).toString("base64"),
      };
    }),
    recipients: { signers, ...(carbonCopies.length > 0 ? { carbonCopies } : {}) },
    ...(input.eventNotification ? { eventNotification: eventNotificationWire(input.eventNotification) } : {}),
    ...(input.customFields ? { customFields: customFieldsWire(input.customFields) } : {}),
  };
}

/** Text custom fields as DocuSign reads them (hidden, optional). @internal */
export function customFieldsWire(fields: Record<string, string>): Record<string, unknown> {
  return { textCustomFields: Object.entries(fields).map(([name, value]) => ({ name, value, show: "false", required: "false" })) };
}

/**
 * JSON SIM Connect messages (shared/vendors/docusign.md §5, `connect.schema-v2.json`):
 * `{ event, retryCount, configurationId, generatedDateTime, data: { accountId, envelopeId,
 * recipientId?, envelopeSummary? } }`. Scalars may be strings or numbers; both are accepted.
 */
import { parseUntrusted, ValidationError, lazySchema, unlazy } from "@connect/core";
import { z } from "zod";
import { changeTime, declinerOf, eventIdOf, normaliseTime, sortRecipients, type ConnectRecipient, type DocuSignConnectEvent } from "./events.js";

const Scalar = lazySchema(() =>
  z.union([z.string(), z.number(), z.boolean()]).transform(String),
);
const OptionalScalar = lazySchema(() =>
  unlazy(Scalar).optional().nullable().transform((v) => (v === null || v === undefined || v === "" ? undefined : v)),
);

const SummaryRecipient = lazySchema(() =>
  z.looseObject({
  recipientId: unlazy(OptionalScalar),
  recipientIdGuid: unlazy(OptionalScalar),
  email: z.string().default(""),
  name: unlazy(OptionalScalar),
  routingOrder: unlazy(OptionalScalar),
  status: unlazy(OptionalScalar),
  sentDateTime: unlazy(OptionalScalar),
  deliveredDateTime: unlazy(OptionalScalar),
  signedDateTime: unlazy(OptionalScalar),
  declinedDateTime: unlazy(OptionalScalar),
  declinedReason: unlazy(OptionalScalar),
}),
);

const Summary = lazySchema(() =>
  z.looseObject({
  status: unlazy(OptionalScalar),
  emailSubject: unlazy(OptionalScalar),
  createdDateTime: unlazy(OptionalScalar),
  sentDateTime: unlazy(OptionalScalar),
  deliveredDateTime: unlazy(OptionalScalar),
  completedDateTime: unlazy(OptionalScalar),
  declinedDateTime: unlazy(OptionalScalar),
  voidedDateTime: unlazy(OptionalScalar),
  voidedReason: unlazy(OptionalScalar),
  statusChangedDateTime: unlazy(OptionalScalar),
  recipients: z.record(z.string(), z.unknown()).optional(),
  customFields: z.looseObject({ textCustomFields: z.array(z.looseObject({ name: unlazy(Scalar), value: unlazy(OptionalScalar) })).optional() }).optional(),
  envelopeDocuments: z.array(z.looseObject({ documentId: unlazy(Scalar), name: z.string().default(""), PDFBytes: unlazy(OptionalScalar) })).optional(),
}),
);

const Message = lazySchema(() =>
  z.looseObject({
  event: z.string().min(1),
  retryCount: unlazy(OptionalScalar),
  configurationId: unlazy(OptionalScalar),
  generatedDateTime: unlazy(OptionalScalar),
  data: z.looseObject({
    accountId: unlazy(OptionalScalar),
    envelopeId: unlazy(Scalar),
    recipientId: unlazy(OptionalScalar),
    envelopeSummary: unlazy(Summary).optional().nullable(),
  }),
}),
);

const KIND_TYPES: Record<string, string> = {
  signers: "signer",
  carbonCopies: "carbonCopy",
  certifiedDeliveries: "certifiedDelivery",
  agents: "agent",
  editors: "editor",
  intermediaries: "intermediary",
  inPersonSigners: "inPersonSigner",
};

function recipientsOf(summary: z.output<typeof Summary> | undefined): Array<ConnectRecipient & { recipientId?: string | undefined }> {
  const out: Array<ConnectRecipient & { recipientId?: string | undefined }> = [];
  for (const [kind, list] of Object.entries(summary?.recipients ?? {})) {
    const type = KIND_TYPES[kind];
    if (!type || !Array.isArray(list)) continue;
    for (const raw of list) {
      const parsed = parseUntrusted(SummaryRecipient, raw);
      if (!parsed.success) continue;
      const r = parsed.data;
      const order = r.routingOrder !== undefined && /^\d+$/.test(r.routingOrder) ? Number(r.routingOrder) : undefined;
      const sentAt = normaliseTime(r.sentDateTime);
      const deliveredAt = normaliseTime(r.deliveredDateTime);
      const signedAt = normaliseTime(r.signedDateTime);
      const declinedAt = normaliseTime(r.declinedDateTime);
      out.push({
        type,
        email: r.email,
        ...(r.name !== undefined ? { name: r.name } : {}),
        ...(order !== undefined ? { routingOrder: order } : {}),
        status: (r.status ?? "created").toLowerCase(),
        ...(r.recipientIdGuid !== undefined ? { recipientIdGuid: r.recipientIdGuid } : {}),
        ...(sentAt ? { sentAt } : {}),
        ...(deliveredAt ? { deliveredAt } : {}),
        ...(signedAt ? { signedAt } : {}),
        ...(declinedAt ? { declinedAt } : {}),
        ...(r.declinedReason !== undefined ? { declinedReason: r.declinedReason } : {}),
        ...(r.recipientId !== undefined ? { recipientId: r.recipientId } : {}),
      });
    }
  }
  return out;
}

/** Parse a JSON SIM Connect message into a typed event; a ValidationError when it is not one. @public */
export function parseJsonConnectMessage(rawBody: Buffer | string): DocuSignConnectEvent {
  const text = typeof rawBody === "string" ? rawBody : rawBody.toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`docusign webhook: the body is not valid JSON (${(error as Error).message})`, { vendor: "docusign", issues: [{ path: "(root)", message: "invalid JSON" }] });
  }
  const parsed = parseUntrusted(Message, json);
  if (!parsed.success) {
    const issues = parsed.issues;
    throw new ValidationError(`docusign webhook: not a Connect JSON message — ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, { vendor: "docusign", issues });
  }
  const message = parsed.data;
  const summary = message.data.envelopeSummary ?? undefined;
  const withIds = recipientsOf(summary);
  const recipients = sortRecipients(withIds.map(({ recipientId: _id, ...r }) => r));
  const event = message.event;
  const generatedAt = normaliseTime(message.generatedDateTime);
  const subjectRecipient = message.data.recipientId !== undefined ? withIds.find((r) => r.recipientId === message.data.recipientId) : undefined;
  const times: Record<string, string | undefined> = {
    created: normaliseTime(summary?.createdDateTime),
    sent: normaliseTime(summary?.sentDateTime),
    delivered: normaliseTime(summary?.deliveredDateTime),
    completed: normaliseTime(summary?.completedDateTime),
    declined: normaliseTime(summary?.declinedDateTime),
    voided: normaliseTime(summary?.voidedDateTime),
  };
  const occurredAt = changeTime(event, times, subjectRecipient) ?? normaliseTime(summary?.statusChangedDateTime) ?? generatedAt ?? new Date(0).toISOString();
  const decliner = event === "envelope-declined" ? declinerOf(recipients) : undefined;
  const recipient = event.startsWith("recipient-")
    ? { ...(subjectRecipient ? (({ recipientId: _r, ...rest }) => rest)(subjectRecipient) : {}), ...(message.data.recipientId !== undefined ? { recipientId: message.data.recipientId } : {}) }
    : decliner;
  const status = (summary?.status ?? (event.startsWith("envelope-") ? event.slice("envelope-".length) : undefined))?.toLowerCase();
  const declinedReason = (event.endsWith("-declined") ? (recipient?.declinedReason ?? declinerOf(recipients)?.declinedReason) : undefined) ?? undefined;
  const customFields = Object.fromEntries((summary?.customFields?.textCustomFields ?? []).map((f) => [f.name, f.value ?? ""]));
  return {
    eventId: eventIdOf({ envelopeId: message.data.envelopeId, event, recipientId: message.data.recipientId, occurredAt, recipients }),
    event,
    envelopeId: message.data.envelopeId,
    ...(status !== undefined ? { status } : {}),
    occurredAt,
    ...(summary?.emailSubject !== undefined ? { emailSubject: summary.emailSubject } : {}),
    ...(recipient && Object.keys(recipient).length > 0 ? { recipient } : {}),
    recipients,
    ...(declinedReason !== undefined ? { declinedReason } : {}),
    ...(event === "envelope-voided" && summary?.voidedReason !== undefined ? { voidedReason: summary.voidedReason } : {}),
    customFields,
    documents: (summary?.envelopeDocuments ?? []).map((d) => ({ documentId: d.documentId, name: d.name, ...(d.PDFBytes ? { pdfBase64: d.PDFBytes } : {}) })),
    meta: {
      format: "json",
      ...(generatedAt ? { generatedAt } : {}),
      ...(message.retryCount !== undefined && /^\d+$/.test(message.retryCount) ? { retryCount: Number(message.retryCount) } : {}),
      ...(message.configurationId !== undefined ? { configurationId: message.configurationId } : {}),
      ...(message.data.accountId !== undefined ? { accountId: message.data.accountId } : {}),
      summaryIncluded: summary !== undefined,
    },
  };
}

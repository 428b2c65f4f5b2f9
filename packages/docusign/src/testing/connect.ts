/**
 * Connect messages as DocuSign sends them (shared/vendors/docusign.md §5): JSON SIM
 * (`{ event, data: { envelopeSummary } }`) and legacy XML (`DocuSignEnvelopeInformation`,
 * capitalised statuses, local times without zone followed by `TimeZoneOffset`), signed with
 * one `X-DocuSign-Signature-N` header per HMAC key — so hosts can test their own listeners.
 */
import { createHmac } from "node:crypto";
import { customFieldsWire, docuSignTime, recipientWire, type FakeChange, type FakeEnvelope, type FakeRecipient } from "./state.js";

/** Sign a body with each key: `{ "x-docusign-signature-1": base64(HMAC-SHA256(key, body)), … }`. @public */
export function signConnectMessage(body: Buffer | string, keys: readonly string[]): Record<string, string> {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return Object.fromEntries(keys.map((key, i) => [`x-docusign-signature-${i + 1}`, createHmac("sha256", key).update(bytes).digest("base64")]));
}

/** What a message is built with. @internal */
export interface MessageOptions {
  accountId: string;
  userId: string;
  configurationId: string;
  retryCount: number;
  includeDocuments: boolean;
  /** Hours from UTC of the account's zone (XML times). */
  timeZoneOffsetHours: number;
  timeZoneName: string;
  /** Bytes of a document, for messages that include documents. */
  documentBytes: (envelope: FakeEnvelope, documentId: string) => Buffer | undefined;
  now: number;
}

/** Build a JSON SIM message for a change. @public */
export function jsonConnectMessage(env: FakeEnvelope, change: FakeChange, options: MessageOptions): Buffer {
  const summary: Record<string, unknown> = {
    envelopeId: env.envelopeId,
    status: env.status,
    emailSubject: env.emailSubject,
    createdDateTime: docuSignTime(env.createdAt),
    statusChangedDateTime: docuSignTime(env.statusChangedAt),
    ...(env.sentAt !== undefined ? { sentDateTime: docuSignTime(env.sentAt) } : {}),
    ...(env.deliveredAt !== undefined ? { deliveredDateTime: docuSignTime(env.deliveredAt) } : {}),
    ...(env.completedAt !== undefined ? { completedDateTime: docuSignTime(env.completedAt) } : {}),
    ...(env.declinedAt !== undefined ? { declinedDateTime: docuSignTime(env.declinedAt) } : {}),
    ...(env.voidedAt !== undefined ? { voidedDateTime: docuSignTime(env.voidedAt) } : {}),
    ...(env.voidedReason ? { voidedReason: env.voidedReason } : {}),
    recipients: {
      signers: env.recipients.filter((r) => r.type === "signer").map((r) => recipientWire(r, false)),
      carbonCopies: env.recipients.filter((r) => r.type === "carbonCopy").map((r) => recipientWire(r, false)),
    },
    customFields: customFieldsWire(env),
    ...(options.includeDocuments
      ? {
          envelopeDocuments: env.documents.map((d) => ({
            documentId: d.documentId,
            name: d.name,
            type: "content",
            PDFBytes: options.documentBytes(env, d.documentId)?.toString("base64") ?? "",
          })),
        }
      : {}),
  };
  const message = {
    event: change.event,
    apiVersion: "v2.1",
    uri: `/restapi/v2.1/accounts/${options.accountId}/envelopes/${env.envelopeId}`,
    retryCount: options.retryCount,
    configurationId: Number(options.configurationId),
    generatedDateTime: docuSignTime(options.now),
    data: {
      accountId: options.accountId,
      userId: options.userId,
      envelopeId: env.envelopeId,
      ...(change.recipientId ? { recipientId: change.recipientId } : {}),
      envelopeSummary: summary,
    },
  };
  return Buffer.from(JSON.stringify(message), "utf8");
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/** A local time as legacy XML writes it: no zone, in the account's zone (`2020-12-21T08:29:09.947`). @internal */
export function xmlTime(ms: number, offsetHours: number): string {
  return new Date(ms + offsetHours * 3_600_000).toISOString().replace(/Z$/, "");
}

function el(name: string, value: string | number | undefined): string {
  return value === undefined ? "" : `<${name}>${escapeXml(String(value))}</${name}>`;
}

const XML_STATUS: Record<string, string> = { created: "Created", sent: "Sent", delivered: "Delivered", completed: "Completed", declined: "Declined", voided: "Voided", signed: "Signed" };

function recipientXml(r: FakeRecipient, offset: number): string {
  const t = (ms: number | undefined) => (ms === undefined ? undefined : xmlTime(ms, offset));
  return [
    "<RecipientStatus>",
    el("Type", r.type === "signer" ? "Signer" : "CarbonCopy"),
    el("Email", r.email),
    el("UserName", r.name),
    el("RoutingOrder", r.routingOrder),
    el("Sent", t(r.sentAt)),
    el("Delivered", t(r.deliveredAt)),
    el("Signed", t(r.signedAt)),
    el("Declined", t(r.declinedAt)),
    r.declinedReason ? el("DeclineReason", r.declinedReason) : '<DeclineReason xsi:nil="true"/>',
    el("Status", XML_STATUS[r.status] ?? r.status),
    el("RecipientId", r.recipientIdGuid),
    "</RecipientStatus>",
  ].join("");
}

/** Build a legacy XML message (the envelope's status after the change). @public */
export function xmlConnectMessage(env: FakeEnvelope, options: MessageOptions): Buffer {
  const offset = options.timeZoneOffsetHours;
  const t = (ms: number | undefined) => (ms === undefined ? undefined : xmlTime(ms, offset));
  const customFields = Object.entries(env.customFields)
    .map(([name, value]) => `<CustomField>${el("Name", name)}${el("Show", "False")}${el("Required", "False")}${el("Value", value)}</CustomField>`)
    .join("");
  const documents = env.documents.map((d) => `<DocumentStatus>${el("ID", d.documentId)}${el("Name", d.name)}${el("TemplateName", "")}${el("Sequence", d.order)}</DocumentStatus>`).join("");
  const pdfs = options.includeDocuments
    ? `<DocumentPDFs>${env.documents
        .map((d) => `<DocumentPDF>${el("Name", d.name)}${el("PDFBytes", options.documentBytes(env, d.documentId)?.toString("base64") ?? "")}${el("DocumentID", d.documentId)}${el("DocumentType", "CONTENT")}</DocumentPDF>`)
        .join("")}</DocumentPDFs>`
    : "";
  const xml = [
    '<?xml version="1.0" encoding="utf-8"?>\r\n',
    '<DocuSignEnvelopeInformation xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.docusign.net/API/3.0">',
    "<EnvelopeStatus>",
    `<RecipientStatuses>${env.recipients.map((r) => recipientXml(r, offset)).join("")}</RecipientStatuses>`,
    el("TimeGenerated", xmlTime(options.now, offset)),
    el("EnvelopeID", env.envelopeId),
    el("Subject", env.emailSubject),
    el("Status", XML_STATUS[env.status] ?? env.status),
    el("Created", t(env.createdAt)),
    el("Sent", t(env.sentAt)),
    el("Delivered", t(env.deliveredAt)),
    el("Completed", t(env.completedAt)),
    el("Declined", t(env.declinedAt)),
    el("Voided", t(env.voidedAt)),
    env.voidedReason ? el("VoidReason", env.voidedReason) : "",
    customFields ? `<CustomFields>${customFields}</CustomFields>` : "",
    `<DocumentStatuses>${documents}</DocumentStatuses>`,
    "</EnvelopeStatus>",
    pdfs,
    el("TimeZone", options.timeZoneName),
    el("TimeZoneOffset", offset),
    "</DocuSignEnvelopeInformation>",
  ].join("");
  return Buffer.from(xml, "utf8");
}

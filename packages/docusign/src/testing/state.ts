/**
 * The fake's envelope model: what DocuSign stores for an envelope, its lifecycle (recipients
 * sign in routing order; complete, decline, void), and its JSON wire shapes with every scalar
 * as a string, as DocuSign sends them (shared/vendors/docusign.md §2–§3).
 */
import { randomUUID } from "node:crypto";
import { pdfPageCount } from "./pdf-merge.js";

/** A recipient the fake stores. @public */
export interface FakeRecipient {
  recipientId: string;
  recipientIdGuid: string;
  type: "signer" | "carbonCopy";
  name: string;
  email: string;
  routingOrder: number;
  status: "created" | "sent" | "delivered" | "completed" | "declined";
  clientUserId?: string | undefined;
  roleName?: string | undefined;
  tabs?: Record<string, unknown[]> | undefined;
  sentAt?: number | undefined;
  deliveredAt?: number | undefined;
  signedAt?: number | undefined;
  declinedAt?: number | undefined;
  declinedReason?: string | undefined;
}

/** A document the fake stores: its bytes, or a factory streaming them (large documents). @public */
export interface FakeDocument {
  documentId: string;
  name: string;
  fileExtension: string;
  order: number;
  bytes?: Buffer | undefined;
  stream?: (() => AsyncIterable<Uint8Array>) | undefined;
  size?: number | undefined;
}

/** An envelope the fake stores. @public */
export interface FakeEnvelope {
  envelopeId: string;
  status: "created" | "sent" | "delivered" | "completed" | "declined" | "voided";
  emailSubject: string;
  emailBlurb?: string | undefined;
  transactionId?: string | undefined;
  createdAt: number;
  sentAt?: number | undefined;
  deliveredAt?: number | undefined;
  completedAt?: number | undefined;
  declinedAt?: number | undefined;
  voidedAt?: number | undefined;
  voidedReason?: string | undefined;
  statusChangedAt: number;
  lastModifiedAt: number;
  documents: FakeDocument[];
  recipients: FakeRecipient[];
  customFields: Record<string, string>;
  /** The `eventNotification` of the create request, as received. */
  eventNotification?: Record<string, unknown> | undefined;
  /** The create request body, as received. */
  definition: Record<string, unknown>;
}

/** A status change, for Connect. @public */
export interface FakeChange {
  event: string;
  envelopeId: string;
  recipientId?: string | undefined;
}

/** A refusal in DocuSign's words. @internal */
export interface FakeRefusal {
  status: number;
  errorCode: string;
  message: string;
}

/** DocuSign's time format: 7 fraction digits and `Z` (`2024-01-15T10:30:00.1230000Z`). @public */
export function docuSignTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function refuse(errorCode: string, message: string, status = 400): FakeRefusal {
  return { status, errorCode, message };
}

function scalar(value: unknown): string | undefined {
  return typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
}

/** The documents of a create (or template) body, or the refusal DocuSign would answer. @internal */
export function parseDocuments(raw: unknown): FakeDocument[] | FakeRefusal {
  const rawDocs = Array.isArray(raw) ? (raw as Array<Record<string, unknown>>) : [];
  const documents: FakeDocument[] = [];
  for (const [i, d] of rawDocs.entries()) {
    const documentId = scalar(d.documentId);
    const base64 = scalar(d.documentBase64);
    if (!documentId || !/^\d+$/.test(documentId)) return refuse("INVALID_REQUEST_PARAMETER", `The request contained at least one invalid parameter. documentId must be a positive integer (document ${i + 1}).`);
    if (!base64 || base64.length % 4 !== 0 || !BASE64.test(base64)) return refuse("INVALID_REQUEST_BODY", `The request body is missing or improperly formatted. documentBase64 of document ${documentId} is not base64.`);
    if (documents.some((x) => x.documentId === documentId)) return refuse("INVALID_REQUEST_PARAMETER", `The request contained at least one invalid parameter. Duplicate documentId ${documentId}.`);
    const name = scalar(d.name) ?? `Document ${documentId}`;
    documents.push({ documentId, name, fileExtension: scalar(d.fileExtension) ?? "pdf", order: Number(scalar(d.order) ?? i + 1), bytes: Buffer.from(base64, "base64") });
  }
  return documents;
}

/**
 * The recipients of a create (or template) body, or the refusal DocuSign would answer. With
 * `placeholders`, a recipient with a `roleName` may lack name and email (a template role).
 * @internal
 */
export function parseRecipients(raw: unknown, options: { placeholders?: boolean } = {}): FakeRecipient[] | FakeRefusal {
  const rawRecipients = (raw ?? {}) as Record<string, unknown>;
  const recipients: FakeRecipient[] = [];
  for (const [kind, type] of [["signers", "signer"], ["carbonCopies", "carbonCopy"]] as const) {
    const list = Array.isArray(rawRecipients[kind]) ? (rawRecipients[kind] as Array<Record<string, unknown>>) : [];
    for (const r of list) {
      const recipientId = scalar(r.recipientId) ?? "";
      const email = scalar(r.email) ?? "";
      const routing = scalar(r.routingOrder) ?? "1";
      const roleName = scalar(r.roleName);
      if (!/^\d+$/.test(recipientId)) return refuse("INVALID_REQUEST_PARAMETER", `The request contained at least one invalid parameter. recipientId '${recipientId}' is not a positive integer.`);
      if (recipients.some((x) => x.recipientId === recipientId)) return refuse("INVALID_REQUEST_PARAMETER", `The request contained at least one invalid parameter. Duplicate recipientId ${recipientId}.`);
      const placeholder = options.placeholders === true && roleName !== undefined && email === "";
      if (!placeholder && !EMAIL.test(email)) return refuse("INVALID_EMAIL_ADDRESS_FOR_RECIPIENT", `The email address for the recipient is invalid. Recipient Id: ${recipientId}`);
      if (!/^\d+$/.test(routing) || Number(routing) < 1) return refuse("INVALID_REQUEST_PARAMETER", `The request contained at least one invalid parameter. routingOrder '${routing}' of recipient ${recipientId}.`);
      recipients.push({
        recipientId,
        recipientIdGuid: randomUUID(),
        type,
        name: scalar(r.name) ?? email,
        email,
        routingOrder: Number(routing),
        status: "created",
        clientUserId: scalar(r.clientUserId),
        roleName,
        tabs: r.tabs && typeof r.tabs === "object" ? (r.tabs as Record<string, unknown[]>) : undefined,
      });
    }
  }
  return recipients;
}

/** Status and subject of a create body, checked as DocuSign checks them. @internal */
export function parseEnvelopeHead(def: Record<string, unknown>, fallbackSubject = ""): { status: "sent" | "created"; emailSubject: string } | FakeRefusal {
  const status = scalar(def.status) ?? "created";
  if (status !== "sent" && status !== "created") return refuse("INVALID_REQUEST_PARAMETER", `The request contained at least one invalid parameter. Invalid value for status: '${status}'.`);
  const emailSubject = scalar(def.emailSubject) ?? fallbackSubject;
  if (status === "sent" && emailSubject.trim() === "") return refuse("INVALID_REQUEST_PARAMETER", "The request contained at least one invalid parameter. emailSubject is required to send an envelope.");
  if (emailSubject.length > 100) return refuse("INVALID_REQUEST_PARAMETER", "The request contained at least one invalid parameter. emailSubject exceeds 100 characters.");
  return { status, emailSubject };
}

const INCOMPLETE = "The Envelope is not Complete. A Complete Envelope Requires Documents, Recipients, Tabs, and a Subject Line.";

/** An envelope from its parts: a sent one needs documents and a signer; Connect needs HTTPS. @internal */
export function assembleEnvelope(
  def: Record<string, unknown>,
  parts: { status: "sent" | "created"; emailSubject: string; emailBlurb?: string | undefined; documents: FakeDocument[]; recipients: FakeRecipient[] },
  now: number,
): FakeEnvelope | FakeRefusal {
  if (parts.status === "sent" && parts.documents.length === 0) return refuse("ENVELOPE_IS_INCOMPLETE", INCOMPLETE);
  if (parts.status === "sent" && !parts.recipients.some((r) => r.type === "signer")) return refuse("ENVELOPE_IS_INCOMPLETE", INCOMPLETE);
  const notification = def.eventNotification as Record<string, unknown> | undefined;
  if (notification && !/^https:\/\//i.test(scalar(notification.url) ?? "")) {
    return refuse("INVALID_REQUEST_PARAMETER", "The request contained at least one invalid parameter. eventNotification.url must be an HTTPS URL.");
  }
  const customFields = Object.fromEntries(
    (((def.customFields as Record<string, unknown> | undefined)?.textCustomFields as Array<Record<string, unknown>> | undefined) ?? []).flatMap((f) => {
      const name = scalar(f.name);
      return name ? [[name, scalar(f.value) ?? ""]] : [];
    }),
  );
  return {
    envelopeId: randomUUID(),
    status: "created",
    emailSubject: parts.emailSubject,
    emailBlurb: scalar(def.emailBlurb) ?? parts.emailBlurb,
    transactionId: scalar(def.transactionId),
    createdAt: now,
    statusChangedAt: now,
    lastModifiedAt: now,
    documents: parts.documents,
    recipients: parts.recipients,
    customFields,
    eventNotification: notification,
    definition: def,
  };
}

/** True when a value is a body object (not an array). @internal */
export function isBody(body: unknown): body is Record<string, unknown> {
  return Boolean(body) && typeof body === "object" && !Array.isArray(body);
}

/** The refusal for a body that is not a JSON object. @internal */
export const BAD_BODY: FakeRefusal = { status: 400, errorCode: "INVALID_REQUEST_BODY", message: "The request body is missing or improperly formatted." };

/** Build an envelope from a create body (documents and recipients inline), or the refusal DocuSign would answer. @internal */
export function envelopeFromDefinition(body: unknown, now: number): FakeEnvelope | FakeRefusal {
  if (!isBody(body)) return BAD_BODY;
  const head = parseEnvelopeHead(body);
  if ("errorCode" in head) return head;
  const rawDocs = Array.isArray(body.documents) ? body.documents : [];
  if (head.status === "sent" && rawDocs.length === 0) return refuse("ENVELOPE_IS_INCOMPLETE", INCOMPLETE);
  const documents = parseDocuments(rawDocs);
  if ("errorCode" in documents) return documents;
  const recipients = parseRecipients(body.recipients);
  if ("errorCode" in recipients) return recipients;
  return assembleEnvelope(body, { ...head, documents, recipients }, now);
}

/** A refusal in DocuSign's words. @internal */
export function refusalOf(errorCode: string, message: string, status = 400): FakeRefusal {
  return refuse(errorCode, message, status);
}

/** True for a refusal. @internal */
export function isRefusal(value: FakeEnvelope | FakeRefusal): value is FakeRefusal {
  return "errorCode" in value;
}

/** The routing order whose signers are signing now, or undefined when none is left. @internal */
export function currentRoutingOrder(env: FakeEnvelope): number | undefined {
  const open = env.recipients.filter((r) => r.type === "signer" && r.status !== "completed");
  return open.length === 0 ? undefined : Math.min(...open.map((r) => r.routingOrder));
}

function touch(env: FakeEnvelope, now: number, status?: FakeEnvelope["status"]): void {
  env.lastModifiedAt = now;
  if (status && env.status !== status) {
    env.status = status;
    env.statusChangedAt = now;
  }
}

/** Invite the recipients of the current routing order. */
function invite(env: FakeEnvelope, now: number): FakeChange[] {
  const order = currentRoutingOrder(env);
  if (order === undefined) return [];
  return env.recipients
    .filter((r) => r.routingOrder === order && r.status === "created")
    .map((r) => {
      r.status = "sent";
      r.sentAt = now;
      return { event: "recipient-sent", envelopeId: env.envelopeId, recipientId: r.recipientId };
    });
}

/** Send a draft (or a new envelope created as sent). @internal */
export function send(env: FakeEnvelope, now: number): FakeChange[] {
  env.sentAt = now;
  touch(env, now, "sent");
  return [{ event: "envelope-sent", envelopeId: env.envelopeId }, ...invite(env, now)];
}

/** Find a recipient by email (case-insensitive) among the signers. @internal */
export function signer(env: FakeEnvelope, email: string): FakeRecipient {
  const r = env.recipients.find((x) => x.type === "signer" && x.email.toLowerCase() === email.toLowerCase());
  if (!r) throw new Error(`docusign fake: envelope ${env.envelopeId} has no signer ${email}`);
  return r;
}

function assertSigning(env: FakeEnvelope, r: FakeRecipient, action: string): void {
  if (env.status !== "sent" && env.status !== "delivered") throw new Error(`docusign fake: cannot ${action} — envelope ${env.envelopeId} is ${env.status}`);
  const order = currentRoutingOrder(env);
  if (r.routingOrder !== order || (r.status !== "sent" && r.status !== "delivered")) {
    throw new Error(`docusign fake: ${r.email} cannot ${action} yet — routing order ${r.routingOrder}, status ${r.status}; the current routing order is ${order ?? "none"}`);
  }
}

/** A signer opens the envelope. @internal */
export function deliver(env: FakeEnvelope, email: string, now: number): FakeChange[] {
  const r = signer(env, email);
  if (r.status === "delivered") return [];
  assertSigning(env, r, "open it");
  r.status = "delivered";
  r.deliveredAt = now;
  const changes: FakeChange[] = [{ event: "recipient-delivered", envelopeId: env.envelopeId, recipientId: r.recipientId }];
  if (env.status === "sent") {
    env.deliveredAt = now;
    touch(env, now, "delivered");
    changes.push({ event: "envelope-delivered", envelopeId: env.envelopeId });
  } else touch(env, now);
  return changes;
}

/** A signer signs; the last one completes the envelope, otherwise the next routing order is invited. @internal */
export function sign(env: FakeEnvelope, email: string, now: number): FakeChange[] {
  const r = signer(env, email);
  assertSigning(env, r, "sign");
  const changes = r.status === "sent" ? deliver(env, email, now) : [];
  r.status = "completed";
  r.signedAt = now;
  touch(env, now);
  changes.push({ event: "recipient-completed", envelopeId: env.envelopeId, recipientId: r.recipientId });
  if (currentRoutingOrder(env) === undefined) {
    for (const cc of env.recipients.filter((x) => x.type === "carbonCopy")) {
      cc.status = "completed";
      cc.sentAt ??= now;
    }
    env.completedAt = now;
    touch(env, now, "completed");
    changes.push({ event: "envelope-completed", envelopeId: env.envelopeId });
  } else if (!env.recipients.some((x) => x.type === "signer" && x.routingOrder === r.routingOrder && x.status !== "completed")) {
    changes.push(...invite(env, now));
  }
  return changes;
}

/** A signer declines: the envelope is declined. @internal */
export function decline(env: FakeEnvelope, email: string, reason: string, now: number): FakeChange[] {
  const r = signer(env, email);
  assertSigning(env, r, "decline");
  r.status = "declined";
  r.declinedAt = now;
  r.declinedReason = reason;
  env.declinedAt = now;
  touch(env, now, "declined");
  return [
    { event: "recipient-declined", envelopeId: env.envelopeId, recipientId: r.recipientId },
    { event: "envelope-declined", envelopeId: env.envelopeId },
  ];
}

/** Void a sent or delivered envelope, or the refusal DocuSign answers. @internal */
export function voidEnvelope(env: FakeEnvelope, reason: string, now: number): FakeChange[] | FakeRefusal {
  if (env.status !== "sent" && env.status !== "delivered") {
    return refuse("ENVELOPE_CANNOT_VOID_INVALID_STATE", `Only envelopes in the 'Sent' or 'Delivered' states may be voided. Envelope ${env.envelopeId} is '${env.status}'.`);
  }
  env.voidedAt = now;
  env.voidedReason = reason;
  touch(env, now, "voided");
  return [{ event: "envelope-voided", envelopeId: env.envelopeId }];
}

const STATUS_TIME_FIELDS = ["sent", "delivered", "signed", "declined"] as const;

/** A recipient as DocuSign's JSON shows it (strings). @internal */
export function recipientWire(r: FakeRecipient, includeTabs: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    recipientId: r.recipientId,
    recipientIdGuid: r.recipientIdGuid,
    recipientType: r.type === "signer" ? "signer" : "carboncopy",
    name: r.name,
    email: r.email,
    routingOrder: String(r.routingOrder),
    status: r.status,
  };
  if (r.clientUserId) out.clientUserId = r.clientUserId;
  if (r.roleName) out.roleName = r.roleName;
  for (const field of STATUS_TIME_FIELDS) {
    const at = field === "signed" ? r.signedAt : field === "sent" ? r.sentAt : field === "delivered" ? r.deliveredAt : r.declinedAt;
    if (at !== undefined) out[`${field}DateTime`] = docuSignTime(at);
  }
  if (r.declinedReason) out.declinedReason = r.declinedReason;
  if (includeTabs && r.tabs) out.tabs = r.tabs;
  return out;
}

/** The recipients of an envelope as DocuSign's JSON shows them. @internal */
export function recipientsWire(env: FakeEnvelope, includeTabs = false): Record<string, unknown> {
  const signers = env.recipients.filter((r) => r.type === "signer").map((r) => recipientWire(r, includeTabs));
  const carbonCopies = env.recipients.filter((r) => r.type === "carbonCopy").map((r) => recipientWire(r, includeTabs));
  const order = currentRoutingOrder(env);
  return {
    signers,
    carbonCopies,
    agents: [],
    editors: [],
    intermediaries: [],
    certifiedDeliveries: [],
    inPersonSigners: [],
    recipientCount: String(env.recipients.length),
    currentRoutingOrder: String(order ?? Math.max(1, ...env.recipients.map((r) => r.routingOrder))),
  };
}

/** An envelope as DocuSign's JSON shows it. @internal */
export function envelopeWire(env: FakeEnvelope, include: readonly string[] = []): Record<string, unknown> {
  const times: Array<[string, number | undefined]> = [
    ["createdDateTime", env.createdAt],
    ["sentDateTime", env.sentAt],
    ["deliveredDateTime", env.deliveredAt],
    ["completedDateTime", env.completedAt],
    ["declinedDateTime", env.declinedAt],
    ["voidedDateTime", env.voidedAt],
    ["statusChangedDateTime", env.statusChangedAt],
    ["lastModifiedDateTime", env.lastModifiedAt],
  ];
  const out: Record<string, unknown> = {
    envelopeId: env.envelopeId,
    status: env.status,
    emailSubject: env.emailSubject,
    envelopeUri: `/envelopes/${env.envelopeId}`,
    documentsUri: `/envelopes/${env.envelopeId}/documents`,
    recipientsUri: `/envelopes/${env.envelopeId}/recipients`,
    is21CFRPart11: "false",
    signerCanSignOnMobile: "true",
  };
  if (env.emailBlurb) out.emailBlurb = env.emailBlurb;
  if (env.transactionId) out.transactionId = env.transactionId;
  for (const [name, at] of times) if (at !== undefined) out[name] = docuSignTime(at);
  if (env.voidedReason) out.voidedReason = env.voidedReason;
  if (include.includes("recipients")) out.recipients = recipientsWire(env, include.includes("tabs"));
  if (include.includes("documents")) out.envelopeDocuments = documentsWire(env).envelopeDocuments;
  if (include.includes("custom_fields")) out.customFields = customFieldsWire(env);
  return out;
}

/** `customFields` as DocuSign's JSON shows them. @internal */
export function customFieldsWire(env: FakeEnvelope): Record<string, unknown> {
  return { textCustomFields: Object.entries(env.customFields).map(([name, value], i) => ({ fieldId: String(10_000 + i), name, value, show: "false", required: "false" })), listCustomFields: [] };
}

/** `GET …/documents` as DocuSign's JSON shows it. @internal */
export function documentsWire(env: FakeEnvelope): { envelopeId: string; envelopeDocuments: Array<Record<string, unknown>> } {
  return {
    envelopeId: env.envelopeId,
    envelopeDocuments: [...env.documents]
      .sort((a, b) => a.order - b.order)
      .map((d) => ({
        documentId: d.documentId,
        documentIdGuid: randomUUID(),
        name: d.name,
        type: "content",
        uri: `/envelopes/${env.envelopeId}/documents/${d.documentId}`,
        order: String(d.order),
        pages: Array.from({ length: (d.bytes && pdfPageCount(d.bytes)) || 1 }, (_, i) => ({ pageId: randomUUID(), sequence: String(i + 1), height: "792", width: "612", dpi: "72" })),
        display: "inline",
        includeInDownload: "true",
      })),
  };
}

/**
 * The fake's templates: documents and recipient roles kept under a `templateId`, and envelopes
 * created from one with `templateId` + `templateRoles` — the template's documents and
 * recipients, each role filled by the templateRole of the same `roleName`.
 * Behaviour from DocuSign's Templates and Envelopes: create reference pages [doc]; the details
 * marked uncertain in comments are not confirmed by the sources in shared/vendors/docusign.md.
 */
import { randomUUID } from "node:crypto";
import {
  assembleEnvelope,
  BAD_BODY,
  docuSignTime,
  isBody,
  parseDocuments,
  parseEnvelopeHead,
  parseRecipients,
  recipientWire,
  refusalOf,
  type FakeDocument,
  type FakeEnvelope,
  type FakeRecipient,
  type FakeRefusal,
} from "./state.js";

/** A template the fake keeps. @public */
export interface FakeTemplate {
  templateId: string;
  name: string;
  description?: string | undefined;
  emailSubject: string;
  emailBlurb?: string | undefined;
  documents: FakeDocument[];
  /** Roles: recipients with a `roleName`; name and email may be empty (filled by templateRoles). */
  recipients: FakeRecipient[];
  createdAt: number;
}

/** A template to seed the fake with (`templates` option, `fake.addTemplate`). @public */
export interface FakeTemplateSeed {
  /** Default: a random GUID. */
  templateId?: string | undefined;
  name: string;
  emailSubject?: string | undefined;
  emailBlurb?: string | undefined;
  documents: ReadonlyArray<{ documentId: string; name: string; bytes: Uint8Array; fileExtension?: string | undefined }>;
  /** Signer roles; `name`/`email` left out make a placeholder role. */
  signers: ReadonlyArray<{ roleName: string; recipientId?: string | undefined; routingOrder?: number | undefined; name?: string | undefined; email?: string | undefined; tabs?: Record<string, unknown[]> | undefined }>;
  carbonCopies?: ReadonlyArray<{ roleName: string; recipientId?: string | undefined; routingOrder?: number | undefined; name?: string | undefined; email?: string | undefined }> | undefined;
}

/** The refusal DocuSign answers for an unknown template id [3p: TEMPLATE_ID_INVALID, "Invalid template ID."]. @internal */
export function unknownTemplate(templateId: string): FakeRefusal {
  return refusalOf("TEMPLATE_ID_INVALID", `Invalid template ID. Template: ${templateId}`);
}

/** A template from a seed. @internal */
export function templateFromSeed(seed: FakeTemplateSeed, now: number): FakeTemplate {
  let position = 0;
  const role = (type: FakeRecipient["type"]) => (r: FakeTemplateSeed["signers"][number]): FakeRecipient => {
    position += 1;
    return {
      recipientId: r.recipientId ?? String(position),
      recipientIdGuid: randomUUID(),
      type,
      name: r.name ?? "",
      email: r.email ?? "",
      routingOrder: r.routingOrder ?? 1,
      status: "created",
      roleName: r.roleName,
      tabs: r.tabs,
    };
  };
  return {
    templateId: seed.templateId ?? randomUUID(),
    name: seed.name,
    emailSubject: seed.emailSubject ?? "",
    emailBlurb: seed.emailBlurb,
    documents: seed.documents.map((d, i) => ({ documentId: d.documentId, name: d.name, fileExtension: d.fileExtension ?? "pdf", order: i + 1, bytes: Buffer.from(d.bytes) })),
    recipients: [...seed.signers.map(role("signer")), ...(seed.carbonCopies ?? []).map(role("carbonCopy"))],
    createdAt: now,
  };
}

/** A template from a `POST /templates` body (`envelopeTemplate`), or the refusal. @internal */
export function templateFromDefinition(body: unknown, now: number): FakeTemplate | FakeRefusal {
  if (!isBody(body)) return BAD_BODY;
  const documents = parseDocuments(body.documents);
  if ("errorCode" in documents) return documents;
  const recipients = parseRecipients(body.recipients, { placeholders: true });
  if ("errorCode" in recipients) return recipients;
  const name = typeof body.name === "string" && body.name.trim() !== "" ? body.name : "Untitled";
  return {
    templateId: randomUUID(),
    name,
    description: typeof body.description === "string" ? body.description : undefined,
    emailSubject: typeof body.emailSubject === "string" ? body.emailSubject : "",
    emailBlurb: typeof body.emailBlurb === "string" ? body.emailBlurb : undefined,
    documents,
    recipients,
    createdAt: now,
  };
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * An envelope from `templateId` + `templateRoles`: the template's documents (copied) and
 * recipients, each role with the name, email, clientUserId (and routingOrder, when given) of
 * the templateRole whose `roleName` equals it. A role left without an email is refused as
 * DocuSign refuses a recipient without one.
 * @internal
 */
export function envelopeFromTemplate(def: Record<string, unknown>, template: FakeTemplate, now: number): FakeEnvelope | FakeRefusal {
  const head = parseEnvelopeHead(def, template.emailSubject);
  if ("errorCode" in head) return head;
  const roles = Array.isArray(def.templateRoles) ? (def.templateRoles as unknown[]) : [];
  const byRole = new Map<string, Record<string, unknown>>();
  for (const [i, role] of roles.entries()) {
    if (!isBody(role) || text(role.roleName) === undefined) return refusalOf("INVALID_REQUEST_PARAMETER", `The request contained at least one invalid parameter. templateRoles[${i}] has no roleName.`);
    // Matched exactly as given (uncertain: DocuSign may compare role names case-insensitively).
    byRole.set(text(role.roleName)!, role);
  }
  // A templateRole naming no role of the template is ignored (uncertain: not confirmed against DocuSign).
  const recipients: FakeRecipient[] = [];
  for (const r of template.recipients) {
    const role = r.roleName === undefined ? undefined : byRole.get(r.roleName);
    const email = text(role?.email) ?? r.email;
    if (!EMAIL.test(email)) {
      return refusalOf("INVALID_EMAIL_ADDRESS_FOR_RECIPIENT", `The email address for the recipient is invalid. Recipient Id: ${r.recipientId}${r.roleName ? ` (role '${r.roleName}' was not filled by templateRoles)` : ""}`);
    }
    const routing = text(role?.routingOrder);
    if (routing !== undefined && (!/^\d+$/.test(routing) || Number(routing) < 1)) {
      return refusalOf("INVALID_REQUEST_PARAMETER", `The request contained at least one invalid parameter. routingOrder '${routing}' of role '${r.roleName}'.`);
    }
    recipients.push({
      ...r,
      recipientIdGuid: randomUUID(),
      name: text(role?.name) ?? (r.name || email),
      email,
      clientUserId: text(role?.clientUserId) ?? r.clientUserId,
      routingOrder: routing === undefined ? r.routingOrder : Number(routing),
      status: "created",
      tabs: r.tabs ? structuredClone(r.tabs) : undefined,
    });
  }
  const documents = template.documents.map((d) => ({ ...d, bytes: d.bytes ? Buffer.from(d.bytes) : undefined }));
  return assembleEnvelope(def, { ...head, emailBlurb: template.emailBlurb, documents, recipients }, now);
}

/** A template as `GET /templates/{templateId}` shows it (an `envelopeTemplate`, scalars as strings). @internal */
export function templateWire(t: FakeTemplate): Record<string, unknown> {
  return {
    templateId: t.templateId,
    uri: `/templates/${t.templateId}`,
    name: t.name,
    ...(t.description ? { description: t.description } : {}),
    emailSubject: t.emailSubject,
    ...(t.emailBlurb ? { emailBlurb: t.emailBlurb } : {}),
    shared: "false",
    created: docuSignTime(t.createdAt),
    lastModified: docuSignTime(t.createdAt),
    pageCount: String(t.documents.length),
    documents: t.documents.map((d) => ({ documentId: d.documentId, name: d.name, order: String(d.order), type: "content" })),
    recipients: {
      signers: t.recipients.filter((r) => r.type === "signer").map((r) => ({ ...recipientWire(r, true), status: undefined })),
      carbonCopies: t.recipients.filter((r) => r.type === "carbonCopy").map((r) => ({ ...recipientWire(r, false), status: undefined })),
      recipientCount: String(t.recipients.length),
    },
  };
}

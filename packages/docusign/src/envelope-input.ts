/**
 * The input of `envelopes.create` and its translation into DocuSign's `envelopeDefinition`
 * (shared/vendors/docusign.md §3). The input keeps DocuSign's field names but takes numbers
 * and booleans where DocuSign wants strings, and documents as bytes, streams or base64;
 * the wire body always carries strings.
 */
import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { ValidationError, lazySchema, unlazy } from "@connect/core";
import { z } from "zod";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Connect event names DocuSign can send (shared/vendors/docusign.md §5). @public */
export const CONNECT_EVENTS = [
  "envelope-created",
  "envelope-sent",
  "envelope-resent",
  "envelope-delivered",
  "envelope-completed",
  "envelope-declined",
  "envelope-voided",
  "envelope-corrected",
  "envelope-purge",
  "envelope-deleted",
  "envelope-discard",
  "recipient-sent",
  "recipient-resent",
  "recipient-delivered",
  "recipient-completed",
  "recipient-declined",
  "recipient-authenticationfailed",
  "recipient-autoresponded",
  "recipient-reassign",
  "recipient-delegate",
  "recipient-finish-later",
] as const;
/** A Connect event name. @public */
export type ConnectEventName = (typeof CONNECT_EVENTS)[number];

/** The events subscribed when `eventNotification.events` is omitted. @public */
export const DEFAULT_CONNECT_EVENTS: readonly ConnectEventName[] = [
  "envelope-sent",
  "envelope-delivered",
  "envelope-completed",
  "envelope-declined",
  "envelope-voided",
  "recipient-completed",
  "recipient-declined",
];

const Int = (min: number, max: number) => z.number().int().min(min).max(max);
const IdString = lazySchema(() =>
  z.union([z.string().trim().regex(/^\d{1,9}$/, { message: "must be a positive integer id" }), Int(1, 999_999_999)]).transform(String),
);

/** Document content: bytes, a Node stream or any async iterable of bytes. Streams are read once. @public */
export type DocumentContent = Uint8Array | Readable | AsyncIterable<Uint8Array>;

const Content = lazySchema(() =>
  z.custom<DocumentContent>(
  (value) => value instanceof Uint8Array || value instanceof Readable || (typeof value === "object" && value !== null && Symbol.asyncIterator in value),
  { message: "content must be a Uint8Array, a Readable or an AsyncIterable<Uint8Array>" },
),
);

/** A document: exactly one of `content` (bytes or a stream) and `documentBase64`. @public */
export const DocumentInput = lazySchema(() =>
  z
  .strictObject({
    documentId: unlazy(IdString),
    /** File name shown to signers; its extension is the default `fileExtension`. */
    name: z.string().trim().min(1).max(100),
    /** Needed for non-PDF documents when the name has no extension (`docx`, `html` …). */
    fileExtension: z.string().trim().regex(/^[A-Za-z0-9]{1,10}$/).optional(),
    content: unlazy(Content).optional(),
    documentBase64: z
      .string()
      .min(1)
      .refine((v) => v.length % 4 === 0 && BASE64.test(v), { message: "documentBase64 is not base64" })
      .optional(),
    order: Int(1, 999).optional(),
  })
  .refine((d) => (d.content === undefined) !== (d.documentBase64 === undefined), {
    message: "give exactly one of content and documentBase64",
    path: ["content"],
  }),
);
/** A document to send. @public */
export type DocumentInput = z.input<typeof DocumentInput>;

const Offset = lazySchema(() =>
  z.number().finite(),
);

/** A tab placed by an anchor text in the document (`/sn1/`). @public */
export const AnchorTab = lazySchema(() =>
  z.strictObject({
  anchorString: z.string().min(1),
  anchorUnits: z.enum(["pixels", "inches", "mms", "cms"]).optional(),
  anchorXOffset: unlazy(Offset).optional(),
  anchorYOffset: unlazy(Offset).optional(),
  anchorIgnoreIfNotPresent: z.boolean().optional(),
  tabLabel: z.string().min(1).optional(),
  optional: z.boolean().optional(),
}),
);

/** A tab at a fixed position: 72 DPI, origin top left. @public */
export const PositionTab = lazySchema(() =>
  z.strictObject({
  documentId: unlazy(IdString),
  pageNumber: Int(1, 10_000),
  xPosition: z.number().min(0),
  yPosition: z.number().min(0),
  tabLabel: z.string().min(1).optional(),
  optional: z.boolean().optional(),
}),
);

/** A tab: anchored or positioned. @public */
export const TabInput = lazySchema(() =>
  z.union([unlazy(AnchorTab), unlazy(PositionTab)]),
);
/** A tab. @public */
export type TabInput = z.input<typeof TabInput>;

/** The tabs of one signer. @public */
export const TabsInput = lazySchema(() =>
  z.strictObject({
  signHereTabs: z.array(unlazy(TabInput)).optional(),
  initialHereTabs: z.array(unlazy(TabInput)).optional(),
  dateSignedTabs: z.array(unlazy(TabInput)).optional(),
  fullNameTabs: z.array(unlazy(TabInput)).optional(),
  textTabs: z.array(unlazy(TabInput)).optional(),
}),
);
/** The tabs of one signer. @public */
export type TabsInput = z.input<typeof TabsInput>;

const Email = lazySchema(() =>
  z.email({ message: "not a valid email address" }).max(100),
);

/** A signer: everyone at routing order 1 signs before order 2 is invited. @public */
export const SignerInput = lazySchema(() =>
  z.strictObject({
  /** Unique within the envelope; defaults to the position among all recipients, 1-based. */
  recipientId: unlazy(IdString).optional(),
  name: z.string().trim().min(1).max(100),
  email: unlazy(Email),
  /** 1-based. Default 1. */
  routingOrder: Int(1, 999).default(1),
  /** Set for embedded (in-app) signing. */
  clientUserId: z.string().min(1).max(100).optional(),
  roleName: z.string().min(1).optional(),
  note: z.string().max(1000).optional(),
  tabs: unlazy(TabsInput).optional(),
}),
);
/** A signer. @public */
export type SignerInput = z.input<typeof SignerInput>;

/** A carbon copy: receives the completed documents, signs nothing. @public */
export const CarbonCopyInput = lazySchema(() =>
  z.strictObject({
  recipientId: unlazy(IdString).optional(),
  name: z.string().trim().min(1).max(100),
  email: unlazy(Email),
  routingOrder: Int(1, 999).default(1),
}),
);
/** A carbon copy. @public */
export type CarbonCopyInput = z.input<typeof CarbonCopyInput>;

/** Per-envelope Connect: where DocuSign posts status changes, in which format. @public */
export const EventNotificationInput = lazySchema(() =>
  z.strictObject({
  /** HTTPS URL with a publicly trusted certificate (DocuSign refuses anything else). */
  url: z.url({ protocol: /^https$/, message: "eventNotification.url must be an https URL" }),
  /** Events to send. Default: sent, delivered, completed, declined, voided, recipient completed/declined. */
  events: z.array(z.enum(CONNECT_EVENTS)).min(1).optional(),
  /** `json` (JSON SIM, default) or `xml` (legacy aggregate XML). */
  format: z.enum(["json", "xml"]).default("json"),
  /** Ask DocuSign to retry until we answer 2xx. Default true. */
  requireAcknowledgment: z.boolean().default(true),
  /** Sign messages with the account's Connect HMAC keys. Default true. */
  includeHMAC: z.boolean().default(true),
  loggingEnabled: z.boolean().default(true),
  /** Include the documents (PDF bytes) in the messages. Default false. */
  includeDocuments: z.boolean().default(false),
  /** Extra data in JSON messages. Default `["recipients", "custom_fields"]`. */
  includeData: z.array(z.enum(["recipients", "documents", "tabs", "custom_fields", "attachments", "extensions", "powerform", "payment_tabs"])).optional(),
}),
);
/** Per-envelope Connect. @public */
export type EventNotificationInput = z.input<typeof EventNotificationInput>;

/** Input of `envelopes.create`. @public */
export const CreateEnvelopeInput = lazySchema(() =>
  z
  .strictObject({
    emailSubject: z.string().trim().min(1).max(100),
    emailBlurb: z.string().max(10_000).optional(),
    /** `sent` (default) sends now; `created` keeps a draft. */
    status: z.enum(["sent", "created"]).default("sent"),
    /** Looked up before a retry of an unknown outcome; default: derived from the idempotency key. */
    transactionId: z.string().trim().min(1).max(100).optional(),
    documents: z.array(unlazy(DocumentInput)).min(1, { message: "an envelope needs at least one document" }),
    recipients: z.strictObject({
      signers: z.array(unlazy(SignerInput)).min(1, { message: "an envelope needs at least one signer" }),
      carbonCopies: z.array(unlazy(CarbonCopyInput)).optional(),
    }),
    eventNotification: unlazy(EventNotificationInput).optional(),
    /** Text custom fields kept on the envelope and echoed in Connect messages (a loan id). */
    customFields: z.record(z.string().min(1).max(100), z.string().max(100)).optional(),
  })
  .superRefine((input, ctx) => {
    const documentIds = new Set<string>();
    input.documents.forEach((doc, i) => {
      if (documentIds.has(doc.documentId)) ctx.addIssue({ code: "custom", path: ["documents", i, "documentId"], message: `duplicate documentId ${doc.documentId}` });
      documentIds.add(doc.documentId);
      if (!doc.fileExtension && !/\.[A-Za-z0-9]{1,10}$/.test(doc.name)) {
        ctx.addIssue({ code: "custom", path: ["documents", i, "fileExtension"], message: "the name has no extension: set fileExtension (pdf, docx …)" });
      }
    });
    const recipientIds = new Set<string>();
    const all = [...input.recipients.signers.map((r, i) => ["signers", i, r] as const), ...(input.recipients.carbonCopies ?? []).map((r, i) => ["carbonCopies", i, r] as const)];
    all.forEach(([kind, i, r], position) => {
      const id = r.recipientId ?? String(position + 1);
      if (recipientIds.has(id)) ctx.addIssue({ code: "custom", path: ["recipients", kind, i, "recipientId"], message: `duplicate recipientId ${id}` });
      recipientIds.add(id);
    });
    input.recipients.signers.forEach((signer, i) => {
      for (const [kind, tabs] of Object.entries(signer.tabs ?? {})) {
        (tabs ?? []).forEach((tab, j) => {
          if ("documentId" in tab && !documentIds.has(tab.documentId)) {
            ctx.addIssue({ code: "custom", path: ["recipients", "signers", i, "tabs", kind, j, "documentId"], message: `no document with documentId ${tab.documentId}` });
          }
        });
      }
    });
  }),
);
/** Input of `envelopes.create`. @public */
export type CreateEnvelopeInput = z.input<typeof CreateEnvelopeInput>;
/** The validated input of `envelopes.create`. @internal */
export type ParsedCreateEnvelopeInput = z.output<typeof CreateEnvelopeInput>;

/** Read a document's content into memory once (a stream cannot be re-read by a retry). @internal */
export async function readContent(content: DocumentContent, maxBytes: number): Promise<Buffer> {
  if (content instanceof Uint8Array) return Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  if (content instanceof Readable && content.readableDidRead) {
    throw new ValidationError("docusign envelopes.create: a document stream was already read; pass a fresh stream or the bytes", {
      vendor: "docusign",
      operation: "envelopes.create",
      issues: [{ path: "documents.content", message: "stream already consumed" }],
    });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of content as AsyncIterable<Uint8Array | string>) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    size += buffer.byteLength;
    if (size > maxBytes) {
      throw new ValidationError(`docusign envelopes.create: a document is larger than ${maxBytes} bytes (maxDocumentBytes)`, {
        vendor: "docusign",
        operation: "envelopes.create",
        issues: [{ path: "documents.content", message: `larger than ${maxBytes} bytes` }],
      });
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size);
}

/** Default cap on one document's bytes (DocuSign's documented per-file limit is 25 MB; uncertain, configurable). @public */
export const DEFAULT_MAX_DOCUMENT_BYTES = 25 * 1024 * 1024;

const materialized = new WeakMap<object, Promise<ParsedCreateEnvelopeInput>>();

/**
 * The input with every streamed document read into bytes, once per input object: every
 * attempt of one call sends the same bytes, and a stream is never read twice.
 * @internal
 */
export function materializeDocuments(input: ParsedCreateEnvelopeInput, maxBytes: number = DEFAULT_MAX_DOCUMENT_BYTES): Promise<ParsedCreateEnvelopeInput> {
  if (input.documents.every((d) => d.content === undefined || d.content instanceof Uint8Array)) return Promise.resolve(input);
  let pending = materialized.get(input);
  if (!pending) {
    pending = (async () => ({
      ...input,
      documents: await Promise.all(
        input.documents.map(async (d) => (d.content === undefined || d.content instanceof Uint8Array ? d : { ...d, content: await readContent(d.content, maxBytes) })),
      ),
    }))();
    materialized.set(input, pending);
  }
  return pending;
}

/**
 * The idempotency-key material of a create: documents by hash, not by bytes. The client reads
 * streams before keying; a stream that reaches this point cannot be hashed without consuming
 * it, so it gets a fresh nonce (no false dedupe of two different streamed envelopes).
 * @internal
 */
export function createKeyFields(input: ParsedCreateEnvelopeInput): unknown {
  return {
    ...input,
    documents: input.documents.map(({ content, documentBase64, ...rest }) => ({
      ...rest,
      sha256:
        content !== undefined && !(content instanceof Uint8Array)
          ? `stream:${randomUUID()}`
          : createHash("sha256")
              .update(content instanceof Uint8Array ? content : Buffer.from(documentBase64 ?? "", "base64"))
              .digest("hex"),
    })),
  };
}

/** The transactionId DocuSign keeps (7 days) for a key: the key itself when it fits, else its hash. @internal */
export function transactionIdFor(key: string): string {
  return key.length <= 100 && /^[A-Za-z0-9_.:-]+$/.test(key) ? key : `ck_${createHash("sha256").update(key).digest("hex")}`;
}

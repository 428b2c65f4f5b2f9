/**
 * Zod schemas for DocuSign's responses and for the inputs of the read operations
 * (shared/vendors/docusign.md §2–§3). DocuSign sends nearly every scalar as a string
 * (`"1"`, `"true"`); the output schemas convert them, so `routingOrder` is a number and
 * `totalSetSize` too. Ids (`documentId`, `recipientId`) stay strings: they are names, not amounts.
 */
import { lazySchema, unlazy } from "@connect/core";
import { z } from "zod";

/** Envelope statuses DocuSign reports (listings may also show deleted, processing, timedout). @public */
export const ENVELOPE_STATUSES = ["created", "sent", "delivered", "signed", "completed", "declined", "voided", "deleted", "processing", "timedout"] as const;
/** An envelope status; unknown future values pass through as strings. @public */
export type EnvelopeStatus = (typeof ENVELOPE_STATUSES)[number] | (string & {});

/** Recipient statuses (`faxpending`, `autoresponded` = the invitation bounced). @public */
export const RECIPIENT_STATUSES = ["created", "sent", "delivered", "signed", "completed", "declined", "faxpending", "autoresponded"] as const;
/** A recipient status; unknown future values pass through as strings. @public */
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number] | (string & {});

/** Terminal envelope states (§3). @public */
export const TERMINAL_ENVELOPE_STATUSES: ReadonlySet<string> = new Set(["completed", "declined", "voided"]);

/** `"1"` or `1` → 1. @internal */
export const NumberString = lazySchema(() =>
  z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/, { message: "not a number" })]).transform(Number),
);
/** `"true"`/`"True"`/`true` → true. @internal */
export const BooleanString = lazySchema(() =>
  z.union([z.boolean(), z.string().trim().regex(/^(true|false)$/i, { message: "not a boolean" })]).transform((v) => v === true || (typeof v === "string" && v.toLowerCase() === "true")),
);

const EnvelopeStatusString = lazySchema(() =>
  z.string().transform((s) => s.toLowerCase() as EnvelopeStatus),
);
const RecipientStatusString = lazySchema(() =>
  z.string().transform((s) => s.toLowerCase() as RecipientStatus),
);
const DateString = lazySchema(() =>
  z.string().min(1),
);

/** What `envelopes.create` returns (201). @public */
export const CreateEnvelopeResult = lazySchema(() =>
  z.object({
  envelopeId: z.string().min(1),
  uri: z.string().optional(),
  statusDateTime: unlazy(DateString).optional(),
  status: unlazy(EnvelopeStatusString),
  /** The `transactionId` the envelope was created with (derived from the idempotency key). */
  transactionId: z.string().optional(),
  /** True when a retry found the envelope an earlier attempt created (by `transactionId`). */
  recovered: z.boolean().optional(),
}),
);
/** What `envelopes.create` returns. @public */
export type CreateEnvelopeResult = z.output<typeof CreateEnvelopeResult>;

/** One tab as DocuSign reports it (position fields converted to numbers). @public */
export const TabOutput = lazySchema(() =>
  z.object({
  tabId: z.string().optional(),
  tabLabel: z.string().optional(),
  documentId: z.string().optional(),
  pageNumber: unlazy(NumberString).optional(),
  xPosition: unlazy(NumberString).optional(),
  yPosition: unlazy(NumberString).optional(),
  anchorString: z.string().optional(),
  value: z.string().optional(),
}),
);

/** A recipient of an envelope. @public */
export const Recipient = lazySchema(() =>
  z.object({
  recipientId: z.string(),
  recipientIdGuid: z.string().optional(),
  recipientType: z.string().optional(),
  name: z.string().optional(),
  email: z.string(),
  routingOrder: unlazy(NumberString),
  status: unlazy(RecipientStatusString),
  clientUserId: z.string().optional(),
  sentDateTime: unlazy(DateString).optional(),
  deliveredDateTime: unlazy(DateString).optional(),
  signedDateTime: unlazy(DateString).optional(),
  declinedDateTime: unlazy(DateString).optional(),
  declinedReason: z.string().optional(),
  tabs: z.record(z.string(), z.array(unlazy(TabOutput))).optional(),
}),
);
/** A recipient. @public */
export type Recipient = z.output<typeof Recipient>;

/** The recipients of an envelope, by kind. @public */
export const Recipients = lazySchema(() =>
  z.object({
  signers: z.array(unlazy(Recipient)).default([]),
  carbonCopies: z.array(unlazy(Recipient)).default([]),
  certifiedDeliveries: z.array(unlazy(Recipient)).optional(),
  recipientCount: unlazy(NumberString).optional(),
  currentRoutingOrder: unlazy(NumberString).optional(),
}),
);
/** The recipients of an envelope. @public */
export type Recipients = z.output<typeof Recipients>;

/** A document of an envelope (`GET …/documents`). @public */
export const EnvelopeDocument = lazySchema(() =>
  z.object({
  documentId: z.string(),
  documentIdGuid: z.string().optional(),
  name: z.string(),
  type: z.string().optional(),
  uri: z.string().optional(),
  order: unlazy(NumberString).optional(),
  pages: z.union([unlazy(NumberString), z.array(z.unknown()).transform((pages) => pages.length)]).optional(),
}),
);
/** A document of an envelope. @public */
export type EnvelopeDocument = z.output<typeof EnvelopeDocument>;

const TextCustomField = lazySchema(() =>
  z.object({ name: z.string(), value: z.string().default(""), show: unlazy(BooleanString).optional(), fieldId: z.string().optional() }),
);

/** An envelope (`GET /envelopes/{id}`; listings return the same shape). @public */
export const Envelope = lazySchema(() =>
  z.object({
  envelopeId: z.string(),
  status: unlazy(EnvelopeStatusString),
  emailSubject: z.string().optional(),
  emailBlurb: z.string().optional(),
  transactionId: z.string().optional(),
  createdDateTime: unlazy(DateString).optional(),
  sentDateTime: unlazy(DateString).optional(),
  deliveredDateTime: unlazy(DateString).optional(),
  completedDateTime: unlazy(DateString).optional(),
  declinedDateTime: unlazy(DateString).optional(),
  voidedDateTime: unlazy(DateString).optional(),
  voidedReason: z.string().optional(),
  statusChangedDateTime: unlazy(DateString).optional(),
  lastModifiedDateTime: unlazy(DateString).optional(),
  envelopeUri: z.string().optional(),
  documentsUri: z.string().optional(),
  recipientsUri: z.string().optional(),
  recipients: unlazy(Recipients).optional(),
  envelopeDocuments: z.array(unlazy(EnvelopeDocument)).optional(),
  customFields: z.object({ textCustomFields: z.array(unlazy(TextCustomField)).default([]) }).optional(),
}),
);
/** An envelope. @public */
export type Envelope = z.output<typeof Envelope>;

/** What `envelopes.void` (and `envelopes.send`) return. @public */
export const EnvelopeUpdateResult = lazySchema(() =>
  z.object({
  envelopeId: z.string(),
  /** The status the envelope now has. */
  status: unlazy(EnvelopeStatusString),
  /** True when the envelope already had the target status (a repeated call converged). */
  alreadyApplied: z.boolean(),
}),
);
/** What `envelopes.void` and `envelopes.send` return. @public */
export type EnvelopeUpdateResult = z.output<typeof EnvelopeUpdateResult>;

/** One page of `envelopes.listStatusChanges`. @public */
export const EnvelopeList = lazySchema(() =>
  z.object({
  resultSetSize: unlazy(NumberString).default(0),
  totalSetSize: unlazy(NumberString).default(0),
  startPosition: unlazy(NumberString).default(0),
  endPosition: unlazy(NumberString).default(-1),
  envelopes: z.array(unlazy(Envelope)).default([]),
  nextUri: z.string().optional(),
  continuationToken: z.string().optional(),
}),
);
/** One page of envelopes. @public */
export type EnvelopeList = z.output<typeof EnvelopeList>;

/** The documents of an envelope. @public */
export const EnvelopeDocuments = lazySchema(() =>
  z.object({ envelopeId: z.string(), envelopeDocuments: z.array(unlazy(EnvelopeDocument)).default([]) }),
);
/** The documents of an envelope. @public */
export type EnvelopeDocuments = z.output<typeof EnvelopeDocuments>;

/** One account of the authenticated user (`/oauth/userinfo`). @public */
export const UserInfoAccount = lazySchema(() =>
  z.object({
  account_id: z.string(),
  is_default: unlazy(BooleanString).default(false),
  account_name: z.string().optional(),
  base_uri: z.url(),
  organization: z.unknown().optional(),
}),
);

/** `/oauth/userinfo`: who the token acts for and where each account's REST API lives. @public */
export const UserInfo = lazySchema(() =>
  z.object({
  sub: z.string(),
  name: z.string().optional(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
  created: z.string().optional(),
  email: z.string().optional(),
  accounts: z.array(unlazy(UserInfoAccount)).min(1),
}),
);
/** The authenticated user and their accounts. @public */
export type UserInfo = z.output<typeof UserInfo>;

const Id = lazySchema(() =>
  z.union([z.string().trim().min(1), z.number().int().nonnegative()]).transform(String),
);
const GuidLike = lazySchema(() =>
  z.string().trim().min(1).regex(/^[A-Za-z0-9-]+$/, { message: "not an envelope id" }),
);

/** Input of `envelopes.get`. @public */
export const GetEnvelopeInput = lazySchema(() =>
  z.strictObject({
  envelopeId: unlazy(GuidLike),
  /** Extra parts to include: `recipients`, `documents`, `custom_fields`. */
  include: z.array(z.enum(["recipients", "documents", "custom_fields", "tabs"])).optional(),
}),
);
/** Input of `envelopes.get`. @public */
export type GetEnvelopeInput = z.input<typeof GetEnvelopeInput>;

/** Input of `recipients.list`. @public */
export const ListRecipientsInput = lazySchema(() =>
  z.strictObject({ envelopeId: unlazy(GuidLike), includeTabs: z.boolean().optional() }),
);
/** Input of `recipients.list`. @public */
export type ListRecipientsInput = z.input<typeof ListRecipientsInput>;

/** Input of `envelopes.void`: the reason is mandatory (DocuSign shows it to the recipients). @public */
export const VoidEnvelopeInput = lazySchema(() =>
  z.strictObject({
  envelopeId: unlazy(GuidLike),
  reason: z.string().trim().min(1, { message: "a void reason is required" }).max(200),
}),
);
/** Input of `envelopes.void`. @public */
export type VoidEnvelopeInput = z.input<typeof VoidEnvelopeInput>;

/** Input of `envelopes.send` (send a draft). @public */
export const SendEnvelopeInput = lazySchema(() =>
  z.strictObject({ envelopeId: unlazy(GuidLike) }),
);
/** Input of `envelopes.send`. @public */
export type SendEnvelopeInput = z.input<typeof SendEnvelopeInput>;

const IsoDate = lazySchema(() =>
  z.union([z.date(), z.iso.datetime({ offset: true })]).transform((d) => (d instanceof Date ? d.toISOString() : d)),
);

/** Input of `envelopes.listStatusChanges`: envelopes changed since `fromDate`, page by page. @public */
export const ListStatusChangesInput = lazySchema(() =>
  z
  .strictObject({
    fromDate: unlazy(IsoDate).optional(),
    toDate: unlazy(IsoDate).optional(),
    /** Only these statuses (`completed`, `declined` …). */
    status: z.array(z.string().min(1)).optional(),
    envelopeIds: z.array(unlazy(GuidLike)).min(1).optional(),
    transactionIds: z.array(z.string().min(1)).min(1).optional(),
    include: z.array(z.enum(["recipients", "documents", "custom_fields"])).optional(),
    /** Page size (1–1000). Default 100. */
    count: z.number().int().min(1).max(1000).optional(),
    /** 0-based position of the first result. */
    startPosition: z.number().int().min(0).optional(),
  })
  .refine((q) => q.fromDate !== undefined || q.envelopeIds !== undefined || q.transactionIds !== undefined, {
    message: "one of fromDate, envelopeIds or transactionIds is required",
    path: ["fromDate"],
  }),
);
/** Input of `envelopes.listStatusChanges`. @public */
export type ListStatusChangesInput = z.input<typeof ListStatusChangesInput>;

/** Input of `documents.list`. @public */
export const ListDocumentsInput = lazySchema(() =>
  z.strictObject({ envelopeId: unlazy(GuidLike) }),
);
/** Input of `documents.list`. @public */
export type ListDocumentsInput = z.input<typeof ListDocumentsInput>;

/** Input of `documents.download`. @public */
export const DownloadDocumentInput = lazySchema(() =>
  z.strictObject({
  envelopeId: unlazy(GuidLike),
  /** A document id, or `combined` (one PDF), `archive` (ZIP), `certificate` (certificate of completion). Default `combined`. */
  documentId: z.union([z.enum(["combined", "archive", "certificate"]), unlazy(Id)]).default("combined"),
  /** For `combined`: include the certificate of completion (account setting by default); `false` drops it. */
  certificate: z.boolean().optional(),
}),
);
/** Input of `documents.download`. @public */
export type DownloadDocumentInput = z.input<typeof DownloadDocumentInput>;

/**
 * Input of `envelopes.createRecipientView` (embedded signing): who signs — `userName` and
 * `email` as on the envelope, plus the `clientUserId` the signer was created with — and where
 * DocuSign sends the browser afterwards (`returnUrl?event=signing_complete` …).
 * @public
 */
export const CreateRecipientViewInput = lazySchema(() =>
  z.strictObject({
  envelopeId: unlazy(GuidLike),
  /** Where the signer's browser goes when the session ends; DocuSign appends `event=…`. */
  returnUrl: z.url({ protocol: /^https?$/, message: "returnUrl must be an absolute http(s) URL" }),
  /** The recipient's name exactly as on the envelope. */
  userName: z.string().trim().min(1).max(100),
  email: z.email({ message: "not a valid email address" }).max(100),
  /** The `clientUserId` the signer was created with (required for an embedded signer). */
  clientUserId: z.string().min(1).max(100).optional(),
  recipientId: z.union([z.string().trim().regex(/^\d{1,9}$/, { message: "must be a positive integer id" }), z.number().int().min(1)]).transform(String).optional(),
  /** How your app authenticated the signer (`none`, `email`, `password` …). Default `none`. */
  authenticationMethod: z.string().trim().min(1).max(50).default("none"),
  /** Origins that may frame the signing page (focused view). */
  frameAncestors: z.array(z.url()).optional(),
  /** Origins that receive the signing page's messages (focused view). */
  messageOrigins: z.array(z.url()).optional(),
  /** A URL DocuSign pings while the session is open, every `pingFrequency` seconds. */
  pingUrl: z.url({ protocol: /^https?$/ }).optional(),
  pingFrequency: z.number().int().min(60).max(1200).optional(),
}),
);
/** Input of `envelopes.createRecipientView`. @public */
export type CreateRecipientViewInput = z.input<typeof CreateRecipientViewInput>;

/** What `envelopes.createRecipientView` returns: a one-time signing URL (valid about 5 minutes). @public */
export const RecipientView = lazySchema(() =>
  z.object({ url: z.url() }),
);
/** An embedded signing URL. @public */
export type RecipientView = z.output<typeof RecipientView>;

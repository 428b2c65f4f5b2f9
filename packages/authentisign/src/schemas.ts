/**
 * Input schemas of the operations and the typed domain shapes (`Signing`, `Participant`)
 * decoded from the wire. The wire shapes themselves are assumptions and live in
 * assumptions.ts; here they are turned into camelCase, typed values.
 */
import { Readable } from "node:stream";
import { lazySchema, unlazy } from "@connect/core";
import { z } from "zod";
import {
  PARTICIPANT_STATUSES,
  PARTICIPANT_TYPE,
  signingStatusOf,
  type ParticipantStatus,
  type SigningStatus,
} from "./assumptions.js";

const id = lazySchema(() =>
  z.string().trim().min(1, "must be a non-empty id"),
);

/** Bytes in memory, or a stream (read once, before the upload). @public */
export type FileContent = Uint8Array | Readable | AsyncIterable<Uint8Array>;

function isFileContent(value: unknown): value is FileContent {
  if (value instanceof Uint8Array || value instanceof Readable) return true;
  return typeof value === "object" && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
}

/** One document to upload (a repeated `Files` part). @public */
export const SigningFile = lazySchema(() =>
  z.strictObject({
  /** File name shown to participants, e.g. `Loan agreement.pdf`. */
  name: z.string().trim().min(1).max(255),
  /** The bytes (a stream is read into memory once, so a retried upload can send it again). */
  content: z.custom<FileContent>(isFileContent, "must be a Uint8Array/Buffer, a Readable or an async iterable of bytes"),
  /** Media type; `application/pdf` by default. */
  contentType: z.string().min(1).optional(),
}),
);
/** One document to upload. @public */
export type SigningFile = z.infer<typeof SigningFile>;

/** A participant to add (the documented Participant, camelCase). @public */
export const ParticipantInput = lazySchema(() =>
  z.strictObject({
  firstName: z.string().trim().min(1).max(100),
  middleName: z.string().trim().max(100).optional(),
  lastName: z.string().trim().min(1).max(100),
  email: z.email().optional(),
  /** Free text shown in the UI, e.g. `Borrower`, `Guarantor`. */
  role: z.string().max(100).optional(),
  /** Participant `type` code; signer by default (see `PARTICIPANT_TYPE`). */
  type: z.number().int().min(0).default(PARTICIPANT_TYPE.signer),
  /** Routing group, 1-based: group 1 signs before group 2 when the signing is ordered. */
  order: z.number().int().min(1).default(1),
  /** Position in the participant list (1-based); the input order by default. */
  displayOrder: z.number().int().min(1).optional(),
  signingPin: z.string().min(1).max(50).optional(),
  invitationSubject: z.string().max(500).optional(),
  invitationMessage: z.string().max(5000).optional(),
  /** The participant's id in your system (documented free-form field). */
  externalId: z.string().max(200).optional(),
  /** Invitation language, e.g. `en`. */
  language: z.string().min(2).max(10).optional(),
}),
);
/** A participant to add. @public */
export type ParticipantInput = z.input<typeof ParticipantInput>;

/** Input of `signings.create`. @public */
export const CreateSigningInput = lazySchema(() =>
  z
  .strictObject({
    /** The signing's name (also used to reconcile after an unknown outcome: make it specific). */
    name: z.string().trim().min(1).max(255),
    participants: z.array(unlazy(ParticipantInput)).min(1, "at least one participant"),
    files: z.array(unlazy(SigningFile)).default([]),
    /** Sign in `order` groups (default: true when participants have more than one order). */
    isOrdered: z.boolean().optional(),
    /** ISO 8601 date-time after which the signing expires. */
    expirationDate: z.iso.datetime({ offset: true }).optional(),
    reminderDay: z.number().int().min(0).max(365).optional(),
    reminderHour: z.number().int().min(0).max(23).optional(),
    /** A Lone Wolf TransactionDesk transaction id (not an Authentisign object). */
    transactionId: z.string().min(1).optional(),
    /** Where Authentisign calls back (absolute URL). */
    callbackUrl: z.url().optional(),
    layoutId: z.string().min(1).optional(),
    applyLayout: z.boolean().optional(),
    /** Field values for the layout (`Fields[name]=value`). */
    fields: z.record(z.string().min(1), z.string()).optional(),
    /** The `externalId` header; the client's `externalId` by default. */
    externalId: z.string().min(1).optional(),
    /** Call send-signing right after the upload (default false: a draft). */
    send: z.boolean().optional(),
  })
  .refine((input) => input.files.length > 0 || input.layoutId !== undefined, { message: "at least one file (or a layoutId)", path: ["files"] })
  .refine((input) => input.expirationDate === undefined || Date.parse(input.expirationDate) > Date.now(), {
    message: "must be in the future",
    path: ["expirationDate"],
  }),
);
/** Input of `signings.create`. @public */
export type CreateSigningInput = z.input<typeof CreateSigningInput>;

/** `{ signingId }`. @public */
export const SigningRef = lazySchema(() =>
  z.strictObject({ signingId: unlazy(id) }),
);
/** `{ signingId }`. @public */
export type SigningRef = z.input<typeof SigningRef>;

/** Input of `signings.send`: the `externalId` header is optional. @public */
export const SendSigningInput = lazySchema(() =>
  z.strictObject({ signingId: unlazy(id), externalId: z.string().min(1).optional() }),
);
/** Input of `signings.send`. @public */
export type SendSigningInput = z.input<typeof SendSigningInput>;

/** Input of `signings.cancel`. Authentisign takes no reason; it is kept in logs only. @public */
export const CancelSigningInput = lazySchema(() =>
  z.strictObject({ signingId: unlazy(id), reason: z.string().max(500).optional() }),
);
/** Input of `signings.cancel`. @public */
export type CancelSigningInput = z.input<typeof CancelSigningInput>;

/** Input of `signings.setCallbackUrl`. @public */
export const SetCallbackUrlInput = lazySchema(() =>
  z.strictObject({ signingId: unlazy(id), callbackUrl: z.url() }),
);
/** Input of `signings.setCallbackUrl`. @public */
export type SetCallbackUrlInput = z.input<typeof SetCallbackUrlInput>;

/** Query of `signings.list` (the documented query parameters). @public */
export const ListSigningsInput = lazySchema(() =>
  z.strictObject({
  transactionId: z.string().min(1).optional(),
  /** Status codes (`StatusId=1,21`). */
  statusIds: z.array(z.number().int()).optional(),
  sortBy: z.string().min(1).optional(),
  sortDescending: z.boolean().optional(),
  filterBy: z.string().min(1).optional(),
  skipItems: z.number().int().min(0).optional(),
  itemLimit: z.number().int().min(1).max(500).optional(),
  /** The `externalId` header; the client's `externalId` by default. */
  externalId: z.string().min(1).optional(),
}),
);
/** Query of `signings.list`. @public */
export type ListSigningsInput = z.input<typeof ListSigningsInput>;

/** One CC (`POST /api/v1/ccs/batch`). @public */
export const CcInput = lazySchema(() =>
  z.strictObject({
  firstName: z.string().trim().min(1).max(100),
  lastName: z.string().trim().min(1).max(100),
  email: z.email(),
  displayOrder: z.number().int().min(1).optional(),
  externalId: z.string().max(200).optional(),
  saveToContacts: z.boolean().optional(),
}),
);
/** Input of `ccs.add`. @public */
export const AddCcsInput = lazySchema(() =>
  z.strictObject({ signingId: unlazy(id), ccs: z.array(unlazy(CcInput)).min(1), externalId: z.string().min(1).optional() }),
);
/** Input of `ccs.add`. @public */
export type AddCcsInput = z.input<typeof AddCcsInput>;

/** Which executed document to download: `s` signed package, `sc` certificate, `ls` latest partially signed. @public */
export const DOCUMENT_KINDS = { signed: "s", certificate: "sc", partial: "ls" } as const;

/** Input of `documents.download`. @public */
export const DownloadInput = lazySchema(() =>
  z.strictObject({
  signingId: unlazy(id),
  kind: z.enum(["signed", "certificate", "partial"]).default("signed"),
}),
);
/** Input of `documents.download`. @public */
export type DownloadInput = z.input<typeof DownloadInput>;

// ── Typed outputs ─────────────────────────────────────────────────────────────────────────

/** A participant, typed. @public */
export const Participant = lazySchema(() =>
  z.object({
  id: z.string(),
  signingId: z.string().optional(),
  firstName: z.string(),
  middleName: z.string().optional(),
  lastName: z.string(),
  email: z.string().optional(),
  role: z.string().optional(),
  type: z.number().int(),
  /** `signer`, `viewer`, or `other` for a type code outside the table. */
  kind: z.enum(["signer", "viewer", "other"]),
  order: z.number().int(),
  displayOrder: z.number().int().optional(),
  externalId: z.string().optional(),
  status: z.enum(PARTICIPANT_STATUSES),
  viewedAt: z.string().optional(),
  signedAt: z.string().optional(),
  declinedAt: z.string().optional(),
  declineReason: z.string().optional(),
}),
);
/** A participant, typed. @public */
export type Participant = z.infer<typeof Participant>;

/** A signing, typed. @public */
export const Signing = lazySchema(() =>
  z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(["draft", "sent", "in_progress", "completed", "declined", "deleted", "expired", "unknown"]),
  /** The raw `statusId` (see `SIGNING_STATUS_BY_ID`). */
  statusId: z.number().int(),
  isOrdered: z.boolean(),
  transactionId: z.string().optional(),
  callbackUrl: z.string().optional(),
  externalId: z.string().optional(),
  expiresAt: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  participants: z.array(unlazy(Participant)),
}),
);
/** A signing, typed. @public */
export type Signing = z.infer<typeof Signing>;

/** What `signings.send` returns. @public */
export const SendSigningResult = lazySchema(() =>
  z.object({ signingId: z.string(), status: unlazy(Signing).shape.status }),
);
/** What `signings.send` returns. @public */
export type SendSigningResult = z.infer<typeof SendSigningResult>;

/** A downloaded document, streamed. @public */
export interface DownloadedDocument {
  /** From `Content-Disposition`, else `<signingId>-<kind>.pdf`. */
  filename: string;
  contentType: string;
  /** Byte length, when the response declares it. */
  contentLength?: number | undefined;
  /** The bytes, streamed as they arrive. */
  body: Readable;
}

/** Schema of {@link DownloadedDocument}. @public */
export const DownloadedDocument = lazySchema(() =>
  z.object({
  filename: z.string(),
  contentType: z.string(),
  contentLength: z.number().int().nonnegative().optional(),
  body: z.custom<Readable>((value) => value instanceof Readable, "a Readable stream"),
}),
);

// ── Decoding (lenient: a drifted body still decodes, and the output schema reports it) ──

type Loose = Record<string, unknown>;
const str = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const int = (value: unknown): number | undefined => (typeof value === "number" && Number.isInteger(value) ? value : undefined);

function kindOf(type: number): Participant["kind"] {
  if (type === PARTICIPANT_TYPE.signer) return "signer";
  if (type === PARTICIPANT_TYPE.viewer) return "viewer";
  return "other";
}

/** Turn a wire participant into a typed one. @internal */
export function decodeParticipant(raw: unknown): Participant {
  const p = (raw ?? {}) as Loose;
  const type = int(p.type) ?? PARTICIPANT_TYPE.signer;
  return {
    id: p.id as string,
    signingId: str(p.signingId),
    firstName: p.firstName as string,
    middleName: str(p.middleName),
    lastName: p.lastName as string,
    email: str(p.email),
    role: str(p.participantRole),
    type,
    kind: kindOf(type),
    order: int(p.signerGroup) ?? 1,
    displayOrder: int(p.displayOrder),
    externalId: str(p.externalId),
    status: p.status as ParticipantStatus,
    viewedAt: str(p.viewedDate),
    signedAt: str(p.signedDate),
    declinedAt: str(p.declinedDate),
    declineReason: str(p.declineReason),
  };
}

/** Turn a wire signing into a typed one. @internal */
export function decodeSigning(raw: unknown): Signing {
  const s = (raw ?? {}) as Loose;
  const statusId = s.statusId as number;
  const status: SigningStatus = typeof statusId === "number" ? signingStatusOf(statusId) : "unknown";
  return {
    id: s.id as string,
    name: s.name as string,
    status,
    statusId,
    isOrdered: s.isOrdered === true,
    transactionId: str(s.transactionId),
    callbackUrl: str(s.callbackUrl),
    externalId: str(s.externalId),
    expiresAt: str(s.expirationDate),
    createdAt: s.createdDate as string,
    updatedAt: s.lastModified as string,
    participants: Array.isArray(s.participants) ? s.participants.map(decodeParticipant) : [],
  };
}

/**
 * Signings (shared/vendors/authentisign.md §2): create with documents and participants
 * (multipart), send, get, list, set the callback URL, delete, and cancel (Authentisign has no
 * void: cancel refuses a finished signing, then deletes — a soft, recoverable delete).
 */
import { Readable } from "node:stream";
import { createHash, randomUUID } from "node:crypto";
import { ConflictError, defineOperation, type OperationContext, lazySchema } from "@connect/core";
import { z } from "zod";
import { FILE_PART, fieldKey, participantKey, RECONCILE_PAGE_SIZE } from "../assumptions.js";
import {
  CancelSigningInput,
  CreateSigningInput,
  decodeSigning,
  ListSigningsInput,
  SendSigningInput,
  SendSigningResult,
  SetCallbackUrlInput,
  Signing,
  SigningRef,
  type FileContent,
} from "../schemas.js";

/** Path of one signing. @internal */
export const signingPath = (signingId: string, rest = ""): string => `/api/v1/signings/${encodeURIComponent(signingId)}${rest}`;

/** The documented `externalId` header, from the input or the client's default. @internal */
export function externalIdHeader(value: string | undefined, ctx: OperationContext): Record<string, string> {
  const externalId = value ?? ctx.params.externalId;
  return externalId ? { externalId } : {};
}

const buffered = new WeakMap<object, Uint8Array>();

/** Read a file's content into memory once; later attempts reuse the bytes. @internal */
export async function bytesOf(file: { content: FileContent }): Promise<Uint8Array> {
  if (file.content instanceof Uint8Array) return file.content;
  const known = buffered.get(file);
  if (known) return known;
  const chunks: Buffer[] = [];
  const source = file.content instanceof Readable ? file.content : Readable.from(file.content);
  for await (const chunk of source) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
  const bytes = Buffer.concat(chunks);
  buffered.set(file, bytes);
  return bytes;
}

type CreateInput = z.output<typeof CreateSigningInput>;

/** Encode the create body: ASP.NET indexed keys for participants, repeated `Files` parts. @internal */
export function createSigningForm(input: CreateInput, files: Uint8Array[]): FormData {
  const form = new FormData();
  const put = (key: string, value: string | number | boolean | undefined): void => {
    if (value !== undefined) form.append(key, String(value));
  };
  put("Name", input.name);
  const orders = new Set(input.participants.map((p) => p.order));
  put("IsOrdered", input.isOrdered ?? orders.size > 1);
  input.participants.forEach((p, i) => {
    put(participantKey(i, "FirstName"), p.firstName);
    put(participantKey(i, "MiddleName"), p.middleName);
    put(participantKey(i, "LastName"), p.lastName);
    put(participantKey(i, "Email"), p.email);
    put(participantKey(i, "ParticipantRole"), p.role);
    put(participantKey(i, "Type"), p.type);
    put(participantKey(i, "DisplayOrder"), p.displayOrder ?? i + 1);
    put(participantKey(i, "SignerGroup"), p.order);
    put(participantKey(i, "SigningPin"), p.signingPin);
    put(participantKey(i, "CustomInvitationSubject"), p.invitationSubject);
    put(participantKey(i, "CustomInvitationMessage"), p.invitationMessage);
    put(participantKey(i, "ExternalId"), p.externalId);
    put(participantKey(i, "Language"), p.language);
  });
  input.files.forEach((file, i) => {
    const bytes = files[i]!;
    form.append(FILE_PART.name, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: file.contentType ?? FILE_PART.contentType }), file.name);
  });
  put("ExpirationDate", input.expirationDate);
  put("ReminderDay", input.reminderDay);
  put("ReminderHour", input.reminderHour);
  put("TransactionId", input.transactionId);
  put("CallbackUrl", input.callbackUrl);
  put("LayoutId", input.layoutId);
  put("ApplyLayout", input.applyLayout);
  for (const [name, value] of Object.entries(input.fields ?? {})) put(fieldKey(name), value);
  return form;
}

/** Options of {@link createSigningOperation}. @internal */
export interface CreateSigningOptions {
  /** Clock (epoch ms). */
  now: () => number;
  /** How far back a reconciled signing may have been created (the call's deadline plus clock skew). */
  reconcileWindowMs: number;
}

/**
 * Find a signing an earlier attempt of this call created: same `Name`, same `externalId` (when
 * the vendor echoes it), created within the call's window. Pages newest first. @internal
 */
export async function findCreatedSigning(input: CreateInput, ctx: OperationContext, options: CreateSigningOptions): Promise<Signing | undefined> {
  const earliest = options.now() - options.reconcileWindowMs;
  const externalId = input.externalId ?? ctx.params.externalId;
  for (let skip = 0; ; skip += RECONCILE_PAGE_SIZE) {
    const response = await ctx.send({
      method: "GET",
      path: "/api/v1/signings",
      headers: externalIdHeader(input.externalId, ctx),
      query: { SortBy: "CreatedDate", SortDescending: true, SkipItems: skip, ItemLimit: RECONCILE_PAGE_SIZE },
    });
    const page = Array.isArray(response.body) ? response.body.map(decodeSigning) : [];
    for (const signing of page) {
      const created = Date.parse(signing.createdAt);
      if (signing.name !== input.name || Number.isNaN(created) || created < earliest) continue;
      if (externalId && signing.externalId !== undefined && signing.externalId !== externalId) continue;
      return signing;
    }
    const oldest = page.length > 0 ? Date.parse(page.at(-1)!.createdAt) : Number.NaN;
    if (page.length < RECONCILE_PAGE_SIZE || oldest < earliest) return undefined;
  }
}

/**
 * `signings.create`: `POST /api/v1/signings` (multipart). Authentisign offers no idempotency key
 * and a signing cannot be told apart from the outside, so the operation is `checkable`: after an
 * attempt whose outcome is unknown (timeout, 5xx, reset), the next attempt first lists signings
 * and returns the one that attempt created (same Name + externalId, created within the call's
 * window) instead of uploading again. Creating sends no invitation; `signings.send` does.
 * @internal
 */
export function createSigningOperation(options: CreateSigningOptions) {
  return defineOperation({
    id: "signings.create",
    input: CreateSigningInput,
    output: Signing,
    safety: "checkable",
    // The bytes identify the call; an unread stream cannot be compared, so it never shares a key.
    keyFields: (input) => ({
      ...input,
      files: input.files.map((f) => ({
        name: f.name,
        contentType: f.contentType,
        sha256: f.content instanceof Uint8Array ? createHash("sha256").update(f.content).digest("hex") : `stream:${randomUUID()}`,
      })),
    }),
    execute: async (input, ctx) => {
      const files = await Promise.all(input.files.map(bytesOf));
      const response = await ctx.send({
        method: "POST",
        path: "/api/v1/signings",
        headers: externalIdHeader(input.externalId, ctx),
        body: { multipart: createSigningForm(input, files) },
      });
      return decodeSigning(response.body);
    },
    check: (input, ctx) => findCreatedSigning(input, ctx, options),
  });
}

/**
 * `signings.send`: `POST /api/v1/signings/{id}/send-signing` — invitations go out. `checkable`:
 * a retry after an unknown outcome first reads the signing and stops if it is no longer a draft.
 * @public
 */
export const sendSigning = defineOperation({
  id: "signings.send",
  input: SendSigningInput,
  output: SendSigningResult,
  safety: "checkable",
  request: ({ signingId, externalId }, ctx) => ({
    method: "POST",
    path: signingPath(signingId, "/send-signing"),
    headers: externalIdHeader(externalId, ctx),
  }),
  response: (_response, { signingId }) => ({ signingId, status: "sent" }),
  check: async ({ signingId }, ctx) => {
    const current = decodeSigning((await ctx.send({ method: "GET", path: signingPath(signingId) })).body);
    return current.status === "draft" ? undefined : { signingId, status: current.status };
  },
});

/** `signings.get`: `GET /api/v1/signings/{id}` with its participants. @public */
export const getSigning = defineOperation({
  id: "signings.get",
  input: SigningRef,
  output: Signing,
  idempotent: true,
  request: ({ signingId }) => ({ method: "GET", path: signingPath(signingId) }),
  response: (response) => decodeSigning(response.body),
});

/** `signings.list`: `GET /api/v1/signings` with the documented filters and paging. @public */
export const listSignings = defineOperation({
  id: "signings.list",
  input: ListSigningsInput,
  output: z.array(Signing),
  idempotent: true,
  request: (query, ctx) => ({
    method: "GET",
    path: "/api/v1/signings",
    headers: externalIdHeader(query.externalId, ctx),
    query: {
      TransactionId: query.transactionId,
      StatusId: query.statusIds?.join(","),
      SortBy: query.sortBy,
      SortDescending: query.sortDescending,
      FilterBy: query.filterBy,
      SkipItems: query.skipItems,
      ItemLimit: query.itemLimit,
    },
  }),
  response: (response) => (Array.isArray(response.body) ? response.body.map(decodeSigning) : response.body),
});

/** `signings.setCallbackUrl`: `PATCH /api/v1/signings/{id}` with `{ callbackUrl }`. @public */
export const setCallbackUrl = defineOperation({
  id: "signings.setCallbackUrl",
  input: SetCallbackUrlInput,
  output: z.object({ signingId: z.string(), callbackUrl: z.string() }),
  idempotent: true,
  request: ({ signingId, callbackUrl }) => ({ method: "PATCH", path: signingPath(signingId), body: { json: { callbackUrl } } }),
  response: (_response, { signingId, callbackUrl }) => ({ signingId, callbackUrl }),
});

/** `signings.delete`: `DELETE /api/v1/signings/{id}` (soft: `recover-deleted` undoes it). @public */
export const deleteSigning = defineOperation({
  id: "signings.delete",
  input: SigningRef,
  output: z.undefined(),
  idempotent: true,
  request: ({ signingId }) => ({ method: "DELETE", path: signingPath(signingId) }),
  response: () => undefined,
});

/** What `signings.cancel` returns. @public */
export const CancelSigningResult = lazySchema(() =>
  z.object({ signingId: z.string(), status: z.literal("deleted"), alreadyCancelled: z.boolean() }),
);
/** What `signings.cancel` returns. @public */
export type CancelSigningResult = z.infer<typeof CancelSigningResult>;

/**
 * `signings.cancel`: stop a signing that is not finished. Reads it first: a completed, declined
 * or expired signing is refused with `ConflictError` (deleting it would only hide it); one
 * already deleted is a no-op; otherwise `DELETE`. The reason is not sent (the API takes none).
 * @public
 */
export const cancelSigning = defineOperation({
  id: "signings.cancel",
  input: CancelSigningInput,
  output: CancelSigningResult,
  idempotent: true,
  keyFields: ({ signingId }) => signingId,
  execute: async ({ signingId }, ctx) => {
    const current = decodeSigning((await ctx.send({ method: "GET", path: signingPath(signingId) })).body);
    if (current.status === "deleted") return { signingId, status: "deleted", alreadyCancelled: true };
    if (current.status === "completed" || current.status === "declined" || current.status === "expired") {
      throw new ConflictError(`signing ${signingId} is ${current.status} and cannot be cancelled`, { vendorCode: `SIGNING_${current.status.toUpperCase()}` });
    }
    await ctx.send({ method: "DELETE", path: signingPath(signingId) });
    return { signingId, status: "deleted", alreadyCancelled: false };
  },
});

/**
 * Envelopes (shared/vendors/docusign.md §3, §6): create (checkable by `transactionId`), get,
 * void and send (both converge when repeated), status changes since a date, and the lookup
 * by transaction id that makes create safe to retry.
 */
import { ConflictError, defineOperation, IntegrationError, lazySchema, type OperationContext } from "@connect/core";
import { z } from "zod";
import { createKeyFields, CreateEnvelopeInput, materializeDocuments, transactionIdFor, type ParsedCreateEnvelopeInput } from "../envelope-input.js";
import { toEnvelopeDefinition } from "../envelope-wire.js";
import {
  CreateEnvelopeResult,
  Envelope,
  EnvelopeList,
  EnvelopeUpdateResult,
  GetEnvelopeInput,
  ListStatusChangesInput,
  SendEnvelopeInput,
  VoidEnvelopeInput,
} from "../schemas.js";
import { accountPath, envelopePath, jsonBody, sendObserved } from "./common.js";

/** The transactionId a create sends: the caller's, else one derived from the idempotency key. @internal */
export function transactionIdOf(input: Pick<ParsedCreateEnvelopeInput, "transactionId">, ctx: Pick<OperationContext, "idempotencyKey">): string {
  return input.transactionId ?? transactionIdFor(ctx.idempotencyKey);
}

/** The envelope created with a transactionId, looked up by `GET /envelopes?transaction_ids=`. @internal */
export async function lookupByTransactionId(ctx: OperationContext, transactionId: string): Promise<z.output<typeof Envelope> | undefined> {
  const response = await sendObserved(ctx, { method: "GET", path: `${accountPath(ctx)}/envelopes`, query: { transaction_ids: transactionId } });
  const parsed = EnvelopeList.safeParse(response.body);
  if (!parsed.success) return undefined;
  return parsed.data.envelopes.find((e) => e.transactionId === undefined || e.transactionId === transactionId);
}

/**
 * `envelopes.create`: create an envelope and send it (`status: "sent"`) or keep a draft
 * (`"created"`). DocuSign has no idempotency key, so the call's idempotency key becomes the
 * envelope's `transactionId`; safety `checkable`: before retrying an attempt whose outcome is
 * unknown (timeout, 5xx), the envelope is looked up by that transactionId and returned if an
 * earlier attempt created it — one envelope, one set of emails.
 * @public
 */
export const createEnvelope = defineOperation({
  id: "envelopes.create",
  input: CreateEnvelopeInput,
  output: CreateEnvelopeResult,
  safety: "checkable",
  keyFields: createKeyFields,
  execute: async (input, ctx) => {
    const transactionId = transactionIdOf(input, ctx);
    const ready = await materializeDocuments(input, Number(ctx.params.maxDocumentBytes) || undefined);
    const response = await sendObserved(ctx, {
      method: "POST",
      path: `${accountPath(ctx)}/envelopes`,
      body: { json: toEnvelopeDefinition(ready, transactionId) },
    });
    return { ...(response.body as object), transactionId };
  },
  check: (input, ctx) => recoverCreate(ctx, transactionIdOf(input, ctx)),
});

/** The result of a create an earlier attempt made, found by its transactionId, or undefined. @internal */
export async function recoverCreate(ctx: OperationContext, transactionId: string): Promise<z.output<typeof CreateEnvelopeResult> | undefined> {
  const found = await lookupByTransactionId(ctx, transactionId);
  if (!found) return undefined;
  return {
    envelopeId: found.envelopeId,
    uri: found.envelopeUri ?? `/envelopes/${found.envelopeId}`,
    statusDateTime: found.statusChangedDateTime,
    status: found.status,
    transactionId,
    recovered: true,
  };
}

/** `envelopes.get`: one envelope, optionally with recipients, documents and custom fields. @public */
export const getEnvelope = defineOperation({
  id: "envelopes.get",
  input: GetEnvelopeInput,
  output: Envelope,
  idempotent: true,
  request: ({ envelopeId, include }, ctx) => ({
    method: "GET",
    path: envelopePath(ctx, envelopeId),
    query: include?.length ? { include: include.join(",") } : undefined,
  }),
  response: jsonBody,
});

/** `envelopes.findByTransactionId`: the envelope created with a transactionId (kept 7 days), or undefined. @public */
export const findEnvelopeByTransactionId = defineOperation({
  id: "envelopes.findByTransactionId",
  input: z.strictObject({ transactionId: z.string().trim().min(1).max(100) }),
  output: lazySchema(() => Envelope.optional()),
  idempotent: true,
  execute: (input, ctx) => lookupByTransactionId(ctx, input.transactionId),
});

/** Status values from which DocuSign lets an envelope be voided (§3). */
const VOIDABLE = new Set(["sent", "delivered"]);

async function currentStatus(ctx: OperationContext, envelopeId: string): Promise<string> {
  const response = await sendObserved(ctx, { method: "GET", path: envelopePath(ctx, envelopeId) });
  return String((response.body as { status?: unknown } | undefined)?.status ?? "unknown").toLowerCase();
}

/**
 * `envelopes.void`: void a sent or delivered envelope; the reason is required and shown to
 * the recipients. A repeat converges: when DocuSign refuses because the envelope is already
 * voided, the call resolves with `alreadyApplied: true`. Voiding a completed or declined
 * envelope (or a draft, which is deleted instead) is a `ConflictError`.
 * @public
 */
export const voidEnvelope = defineOperation({
  id: "envelopes.void",
  input: VoidEnvelopeInput,
  output: EnvelopeUpdateResult,
  idempotent: true,
  execute: async ({ envelopeId, reason }, ctx) => {
    try {
      await sendObserved(ctx, { method: "PUT", path: envelopePath(ctx, envelopeId), body: { json: { status: "voided", voidedReason: reason } } });
      return { envelopeId, status: "voided", alreadyApplied: false };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const status = await currentStatus(ctx, envelopeId);
      if (status === "voided") return { envelopeId, status, alreadyApplied: true };
      const hint = status === "created" ? "; a draft cannot be voided — delete it instead" : VOIDABLE.has(status) ? "" : "; only sent or delivered envelopes can be voided";
      throw new ConflictError(`cannot void envelope ${envelopeId}: it is ${status}${hint}`, {
        status: error.status,
        vendorCode: error.vendorCode,
        vendorMessage: error.vendorMessage,
        requestId: error.requestId,
        cause: error,
      });
    }
  },
});

/** `envelopes.send`: send a draft. A repeat converges (`alreadyApplied: true` when it is already sent or further). @public */
export const sendEnvelope = defineOperation({
  id: "envelopes.send",
  input: SendEnvelopeInput,
  output: EnvelopeUpdateResult,
  idempotent: true,
  execute: async ({ envelopeId }, ctx) => {
    try {
      await sendObserved(ctx, { method: "PUT", path: envelopePath(ctx, envelopeId), body: { json: { status: "sent" } } });
      return { envelopeId, status: "sent", alreadyApplied: false };
    } catch (error) {
      if (!(error instanceof IntegrationError) || error.status !== 400 || error.vendorCode?.toUpperCase().endsWith("_DOES_NOT_EXIST")) throw error;
      const status = await currentStatus(ctx, envelopeId);
      if (status !== "created" && status !== "voided" && status !== "declined") return { envelopeId, status, alreadyApplied: true };
      throw error;
    }
  },
});

/** Default page size of status-change listings. @public */
export const STATUS_CHANGES_PAGE_SIZE = 100;

/**
 * `envelopes.listStatusChanges`: one page of envelopes whose status changed since `fromDate`
 * (or the envelopes of some ids / transaction ids). Prefer Connect; sweep with this, not poll
 * single envelopes (DocuSign's polling rule: at most every 15 minutes per envelope).
 * @public
 */
export const listStatusChanges = defineOperation({
  id: "envelopes.listStatusChanges",
  input: ListStatusChangesInput,
  output: EnvelopeList,
  idempotent: true,
  request: (q, ctx) => ({
    method: "GET",
    path: `${accountPath(ctx)}/envelopes`,
    query: {
      from_date: q.fromDate,
      to_date: q.toDate,
      from_to_status: q.fromDate !== undefined ? "changed" : undefined,
      status: q.status?.join(","),
      envelope_ids: q.envelopeIds?.join(","),
      transaction_ids: q.transactionIds?.join(","),
      include: q.include?.join(","),
      count: q.count ?? STATUS_CHANGES_PAGE_SIZE,
      start_position: q.startPosition ?? 0,
    },
  }),
  response: jsonBody,
});

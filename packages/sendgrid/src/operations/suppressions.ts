/**
 * Suppression lists (shared/vendors/sendgrid.md §4): bounces, blocks, spam reports and
 * global unsubscribes. Lists are bare JSON arrays paged by `limit`/`offset`.
 */
import { defineOperation } from "@connect/core";
import { z } from "zod";
import {
  BounceRow,
  DeleteSuppressionsInput,
  EmailInput,
  ListSuppressionsInput,
  SpamReportRow,
  UnsubscribeRow,
} from "../schemas.js";
import { subuserHeaders } from "./mail.js";

/** Default (and largest documented) page size. */
export const SUPPRESSION_PAGE_SIZE = 500;

function listOperation<TRow extends z.ZodType>(id: string, path: string, row: TRow) {
  return defineOperation({
    id,
    input: ListSuppressionsInput,
    output: z.array(row),
    idempotent: true,
    request: (q, ctx) => ({
      method: "GET",
      path,
      query: { start_time: q.startTime, end_time: q.endTime, limit: q.limit ?? SUPPRESSION_PAGE_SIZE, offset: q.offset ?? 0 },
      headers: subuserHeaders(ctx),
    }),
  });
}

function deleteOperation(id: string, path: string) {
  return defineOperation({
    id,
    input: DeleteSuppressionsInput,
    output: z.undefined(),
    // Deleting what is already gone changes nothing: safe to retry.
    idempotent: true,
    request: (d, ctx) => ({
      method: "DELETE",
      path,
      body: { json: d.deleteAll ? { delete_all: true } : { emails: d.emails } },
      headers: subuserHeaders(ctx),
    }),
    response: () => undefined,
  });
}

/** `bounces.list`: GET /v3/suppression/bounces. @public */
export const listBounces = listOperation("bounces.list", "/v3/suppression/bounces", BounceRow);
/** `bounces.delete`: DELETE /v3/suppression/bounces with `{emails}` or `{delete_all}`. @public */
export const deleteBounces = deleteOperation("bounces.delete", "/v3/suppression/bounces");
/** `blocks.list`: GET /v3/suppression/blocks. @public */
export const listBlocks = listOperation("blocks.list", "/v3/suppression/blocks", BounceRow);
/** `blocks.delete`: DELETE /v3/suppression/blocks. @public */
export const deleteBlocks = deleteOperation("blocks.delete", "/v3/suppression/blocks");
/** `spamReports.list`: GET /v3/suppression/spam_reports. @public */
export const listSpamReports = listOperation("spamReports.list", "/v3/suppression/spam_reports", SpamReportRow);
/** `spamReports.delete`: DELETE /v3/suppression/spam_reports. @public */
export const deleteSpamReports = deleteOperation("spamReports.delete", "/v3/suppression/spam_reports");
/** `unsubscribes.list`: GET /v3/suppression/unsubscribes (global unsubscribes). @public */
export const listUnsubscribes = listOperation("unsubscribes.list", "/v3/suppression/unsubscribes", UnsubscribeRow);

/**
 * `unsubscribes.delete`: there is no DELETE on /v3/suppression/unsubscribes; a global
 * unsubscribe is removed through DELETE /v3/asm/suppressions/global/{email}.
 * @public
 */
export const deleteUnsubscribe = defineOperation({
  id: "unsubscribes.delete",
  input: EmailInput,
  output: z.undefined(),
  idempotent: true,
  request: ({ email }, ctx) => ({ method: "DELETE", path: `/v3/asm/suppressions/global/${encodeURIComponent(email)}`, headers: subuserHeaders(ctx) }),
  response: () => undefined,
});

/**
 * Mail batch ids (SendGrid "Create a batch ID" / "Validate a batch ID", sendgrid-oai
 * tsg_mail_v3.json): a batch id groups scheduled mail sends (`batch_id` on mail.send) so they
 * can be paused or cancelled together. SendGrid refuses a `batch_id` it did not issue, so
 * create one here first.
 */
import { defineOperation, IntegrationError, lazySchema } from "@connect/core";
import { z } from "zod";
import { subuserHeaders } from "./mail.js";

/** A mail batch id. @public */
export const MailBatchId = lazySchema(() =>
  z.object({
  /** The id; pass it as `batch_id` on `mail.send`. */
  batchId: z.string().min(1),
}),
);
/** A mail batch id. @public */
export type MailBatchId = z.infer<typeof MailBatchId>;

/** Input of `mail.validateBatchId`. @public */
export const ValidateBatchIdInput = lazySchema(() =>
  z.strictObject({
  /** The id to check. */
  batchId: z.string().min(1).max(256),
}),
);
/** Input of `mail.validateBatchId`. @public */
export type ValidateBatchIdInput = z.infer<typeof ValidateBatchIdInput>;

/** Outcome of `mail.validateBatchId`. @public */
export interface BatchIdValidation {
  /** The id that was checked. */
  batchId: string;
  /** True when SendGrid issued it (it need not be assigned to a send yet). */
  valid: boolean;
}

// A body without batch_id is passed on as is, so it fails the output schema (drift) instead of reading as an id.
const toBatchId = (body: unknown): unknown => {
  const b = (body ?? {}) as { batch_id?: unknown };
  return { batchId: b.batch_id };
};

/**
 * `mail.createBatchId`: POST /v3/mail/batch → 201 `{batch_id}`. Retried like a read: a repeat
 * after an unknown outcome at worst leaves one unused id behind, which costs nothing.
 * @public
 */
export const createBatchId = defineOperation({
  id: "mail.createBatchId",
  input: z.strictObject({}),
  output: MailBatchId,
  idempotent: true,
  request: (_input, ctx) => ({ method: "POST", path: "/v3/mail/batch", headers: subuserHeaders(ctx) }),
  response: (response) => toBatchId(response.body),
});

/** `mail.validateBatchId` on the wire: GET /v3/mail/batch/{batch_id} → 200 `{batch_id}`, or 400 for an id SendGrid did not issue. @public */
export const getBatchId = defineOperation({
  id: "mail.validateBatchId",
  input: ValidateBatchIdInput,
  output: MailBatchId,
  idempotent: true,
  request: ({ batchId }, ctx) => ({ method: "GET", path: `/v3/mail/batch/${encodeURIComponent(batchId)}`, headers: subuserHeaders(ctx) }),
  response: (response) => toBatchId(response.body),
});

/**
 * Turn the 400 SendGrid answers for an unknown id into `{ valid: false }`; every other
 * failure (auth, rate limit, 5xx) is still thrown.
 * @internal
 */
export async function validateBatchId(run: () => Promise<MailBatchId>, batchId: string): Promise<BatchIdValidation> {
  try {
    return { batchId: (await run()).batchId, valid: true };
  } catch (error) {
    if (IntegrationError.is(error) && error.status === 400) return { batchId, valid: false };
    throw error;
  }
}

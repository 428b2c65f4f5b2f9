/**
 * Mail Send (POST /v3/mail/send): one request per message, and a batch helper that
 * splits a large recipient list into requests SendGrid accepts (≤ 1000 personalizations
 * and ≤ 1000 recipients each) and reports each request's outcome.
 */
import { defineOperation, IntegrationError, toFieldIssues, ValidationError, type IntegrationContext, type OperationContext } from "@connect/core";
import { MAIL_LIMITS, SendBatchInput, SendMailInput, SendMailResult, type Personalization, type SendMailResult as SendMailResultType } from "../schemas.js";

/** The `on-behalf-of` header when the client acts for a subuser. @internal */
export function subuserHeaders(ctx: OperationContext): Record<string, string> {
  return ctx.params.onBehalfOf ? { "on-behalf-of": ctx.params.onBehalfOf } : {};
}

/**
 * `mail.send`: send one message. Safety `unsafe`: SendGrid has no idempotency key, so after
 * a 5xx or a timeout the call ends in `UnknownOutcomeError` rather than risk a second email;
 * a 429 (rejected before sending) is retried after `X-RateLimit-Reset`.
 * @public
 */
export const sendMail = defineOperation({
  id: "mail.send",
  input: SendMailInput,
  output: SendMailResult,
  safety: "unsafe",
  request: (input, ctx) => ({ method: "POST", path: "/v3/mail/send", body: { json: input }, headers: subuserHeaders(ctx) }),
  // 202 with an empty body; the id is only in X-Message-Id. Sandbox mode answers 200 (shared/vendors/sendgrid.md §3).
  response: (response) => ({
    messageId: response.headers["x-message-id"] || undefined,
    sandbox: response.status === 200,
    status: response.status,
  }),
});

/** One request of a batch send. @public */
export interface BatchChunkResult {
  /** 0-based chunk index; pass it in `onlyChunks` to re-send this chunk alone. */
  index: number;
  /** Index of the chunk's first personalization in the batch input. */
  firstPersonalization: number;
  /** Personalizations in this chunk. */
  personalizations: number;
  /** Recipients (to + cc + bcc) in this chunk. */
  recipients: number;
  /** `sent` when SendGrid accepted it (202, or 200 in sandbox mode); `failed` otherwise. */
  status: "sent" | "failed";
  /** X-Message-Id of the accepted request. */
  messageId?: string | undefined;
  /** True when sandbox mode validated it without sending. */
  sandbox?: boolean | undefined;
  /** Why it failed; `UnknownOutcomeError` means SendGrid may have accepted it. */
  error?: IntegrationError | undefined;
}

/** Outcome of `mail.sendBatch`: one entry per chunk that was attempted. @public */
export interface SendBatchResult {
  /** Chunks attempted, in order. */
  chunks: BatchChunkResult[];
  /** How many chunks the batch splits into (including ones skipped by `onlyChunks`). */
  totalChunks: number;
  /** Chunks accepted. */
  sent: number;
  /** Chunks that failed. */
  failed: number;
  /** Indexes of the failed chunks, ready for `onlyChunks`. */
  failedChunks: number[];
  /** Chunks not attempted because `ctx.signal` aborted the batch (send them later with `onlyChunks`). */
  notAttempted: number[];
}

/** Split personalizations greedily so each request has ≤ `size` personalizations and ≤ 1000 recipients. @internal */
export function chunkPersonalizations(personalizations: Personalization[], size: number = MAIL_LIMITS.maxPersonalizations): Array<{ first: number; items: Personalization[]; recipients: number }> {
  const chunks: Array<{ first: number; items: Personalization[]; recipients: number }> = [];
  let current: { first: number; items: Personalization[]; recipients: number } | undefined;
  personalizations.forEach((p, i) => {
    const n = p.to.length + (p.cc?.length ?? 0) + (p.bcc?.length ?? 0);
    if (!current || current.items.length >= size || current.recipients + n > MAIL_LIMITS.maxRecipients) {
      current = { first: i, items: [], recipients: 0 };
      chunks.push(current);
    }
    current.items.push(p);
    current.recipients += n;
  });
  return chunks;
}

/** Runs `mail.send` for one chunk (the client passes its runtime). @internal */
export type ChunkSender = (input: SendMailInput, ctx: IntegrationContext) => Promise<SendMailResultType>;

/**
 * Validate a whole batch before any I/O, then send it chunk by chunk. Each chunk is its own
 * logical call (own retries, own idempotency key), so a retry of chunk 2 never re-sends
 * chunks 1 and 3; a failed chunk is reported, and the next chunks are still sent.
 * @internal
 */
export async function sendBatch(raw: SendBatchInput, ctx: IntegrationContext | undefined, send: ChunkSender, vendor: string): Promise<SendBatchResult> {
  const parsed = SendBatchInput.safeParse(raw);
  if (!parsed.success) {
    const issues = toFieldIssues(parsed.error);
    throw new ValidationError(`${vendor} mail.sendBatch: invalid input — ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, {
      vendor,
      operation: "mail.sendBatch",
      issues,
    });
  }
  const { personalizations, chunkSize, onlyChunks, ...message } = parsed.data;
  const chunks = chunkPersonalizations(personalizations, chunkSize);
  const outOfRange = (onlyChunks ?? []).filter((i) => i >= chunks.length);
  if (outOfRange.length > 0) {
    throw new ValidationError(`${vendor} mail.sendBatch: onlyChunks ${outOfRange.join(", ")} out of range (the batch has ${chunks.length} chunks)`, {
      vendor,
      operation: "mail.sendBatch",
      issues: [{ path: "onlyChunks", message: `the batch has ${chunks.length} chunks` }],
    });
  }
  const wanted = onlyChunks ? new Set(onlyChunks) : undefined;
  const results: BatchChunkResult[] = [];
  const notAttempted: number[] = [];
  for (const [index, chunk] of chunks.entries()) {
    if (wanted && !wanted.has(index)) continue;
    if (ctx?.signal?.aborted) {
      notAttempted.push(index);
      continue;
    }
    const base = { index, firstPersonalization: chunk.first, personalizations: chunk.items.length, recipients: chunk.recipients };
    try {
      const sent = await send(
        { ...message, personalizations: chunk.items },
        {
          ...ctx,
          // One key per chunk, stable across re-sends of the same batch.
          idempotencyKey: ctx?.idempotencyKey ? `${ctx.idempotencyKey}:chunk-${index}` : undefined,
          metadata: { ...ctx?.metadata, "sendgrid.chunk": index },
        },
      );
      results.push({ ...base, status: "sent", messageId: sent.messageId, sandbox: sent.sandbox });
    } catch (error) {
      if (!IntegrationError.is(error)) throw error;
      results.push({ ...base, status: "failed", error });
    }
  }
  const failedChunks = results.filter((r) => r.status === "failed").map((r) => r.index);
  return { chunks: results, totalChunks: chunks.length, sent: results.length - failedChunks.length, failed: failedChunks.length, failedChunks, notAttempted };
}

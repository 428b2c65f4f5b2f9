/**
 * SQS failures in the SDK's terms (shared/vendors/sqs.md §1, §2): `err.name` is the `__type` tail
 * (or, for unmodeled errors, the legacy code of the `x-amzn-query-error` header) and `$metadata`
 * carries the status. Storage failures become core's `StoreUnavailableError`; a receipt handle
 * SQS no longer honours becomes `LeaseLostError`.
 */
import { StoreUnavailableError } from "@connect/core";
import { LeaseLostError } from "@connect/jobs";

interface SdkError {
  name?: string;
  message?: string;
  Code?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

const COMPONENT = "jobs";

// Retried by the SDK already, and worth retrying later too (sqs.md §2).
const TRANSIENT = new Set(["RequestThrottled", "ThrottlingException", "KmsThrottled", "InternalFailure", "ServiceUnavailable", "OverLimit"]);

/** The SQS error name of a failure: `__type` tail, else the query code, else the Node error code. @internal */
export function sqsErrorName(error: unknown): string {
  const e = (error ?? {}) as SdkError;
  return e.name && e.name !== "Error" ? e.name : (e.Code ?? e.code ?? "Error");
}

/** Whether the SDK received an SQS answer (as opposed to a connection failure). @internal */
function statusOf(error: unknown): number | undefined {
  return (error as SdkError | undefined)?.$metadata?.httpStatusCode;
}

/**
 * The handle can no longer act on the message: garbage or foreign (`ReceiptHandleIsInvalid`),
 * the message is visible again (`MessageNotInflight`), or the handle is stale or expired, or the
 * 12 h visibility cap is reached (`InvalidParameterValue`, sqs.md §6).
 * @internal
 */
export function isLeaseLost(error: unknown): boolean {
  const name = sqsErrorName(error);
  return (
    name === "ReceiptHandleIsInvalid" ||
    name === "InvalidIdFormat" ||
    name === "MessageNotInflight" ||
    name === "AWS.SimpleQueueService.MessageNotInflight" ||
    name === "InvalidParameterValue"
  );
}

/** `MessageNotInflight`: the lease ran out, but no other consumer has received the message since. @internal */
export function isNotInflight(error: unknown): boolean {
  const name = sqsErrorName(error);
  return name === "MessageNotInflight" || name === "AWS.SimpleQueueService.MessageNotInflight";
}

/** A failed SQS call as `StoreUnavailableError`: retryable for connection failures, 5xx and throttling, not for refusals. @internal */
export function storeUnavailable(action: string, queue: string, error: unknown): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  const e = (error ?? {}) as SdkError;
  const name = sqsErrorName(error);
  const status = statusOf(error);
  const retryable = status === undefined || status >= 500 || TRANSIENT.has(name);
  const hint = status === undefined ? "SQS did not answer (connection failed); the call may be retried once SQS is reachable" : retryable ? "retry later" : "SQS refused the request; check the queue and its configuration";
  return new StoreUnavailableError(`jobs/sqs: ${action} on queue ${queue} failed with ${name}: ${e.message ?? String(error)} — ${hint}`, {
    component: COMPONENT,
    vendor: "jobs",
    operation: `sqs.${action}`,
    status,
    vendorCode: name,
    vendorMessage: e.message,
    requestId: e.$metadata?.requestId,
    retryable,
    cause: error,
  });
}

/** A refused batch entry (`Failed` of a 200, sqs.md §4) as `StoreUnavailableError`. @internal */
export function entryFailed(action: string, queue: string, entry: { Code?: string | undefined; Message?: string | undefined; SenderFault?: boolean | undefined }): StoreUnavailableError {
  return new StoreUnavailableError(`jobs/sqs: ${action} on queue ${queue}: SQS refused a message with ${entry.Code ?? "an error"}: ${entry.Message ?? "no message"}`, {
    component: COMPONENT,
    vendor: "jobs",
    operation: `sqs.${action}`,
    vendorCode: entry.Code,
    vendorMessage: entry.Message,
    retryable: entry.SenderFault !== true,
  });
}

/** A lease-lost error naming what could not be done. @internal */
export function leaseLost(action: string, queue: string, jobId: string | undefined, error?: unknown): LeaseLostError {
  const why = error === undefined ? "" : ` (${sqsErrorName(error)}: ${(error as SdkError).message ?? ""})`;
  return new LeaseLostError(`job ${jobId ?? "(unreadable)"} in queue ${queue}: could not ${action}; its SQS visibility timeout ran out and another worker may hold it${why}`, {
    queue,
    jobId,
    cause: error,
  });
}

/**
 * Textract's error vocabulary (shared/vendors/textract.md §4) mapped onto core's classes. The
 * SDK error is not kept as `cause`: its `$response` could carry request details.
 */
import {
  AuthError,
  ConflictError,
  ForbiddenError,
  IntegrationError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  ServerError,
  TimeoutError,
  ValidationError,
  redactText,
  type IntegrationErrorOptions,
} from "@connect/core";

const THROTTLING = new Set(["ProvisionedThroughputExceededException", "ThrottlingException", "LimitExceededException", "TooManyRequestsException"]);
const BAD_INPUT = new Set([
  "InvalidParameterException",
  "BadDocumentException",
  "UnsupportedDocumentException",
  "DocumentTooLargeException",
  "InvalidS3ObjectException",
  "InvalidKMSKeyException",
  "ValidationException",
]);
const AUTH = new Set(["UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignature", "MissingAuthenticationToken", "InvalidClientTokenId", "ExpiredTokenException", "ExpiredToken"]);
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH"]);

/** A job ended FAILED (or the waiter was asked to treat PARTIAL_SUCCESS as failure). @public */
export class TextractJobFailedError extends IntegrationError {
  /** The job's final status. */
  readonly jobStatus: string;
  /** Textract's StatusMessage. */
  readonly statusMessage: string | undefined;
  /** Create a job-failed error. */
  constructor(message: string, options: IntegrationErrorOptions & { jobStatus: string; statusMessage?: string | undefined }) {
    super(message, { ...options, retryable: false });
    this.jobStatus = options.jobStatus;
    this.statusMessage = options.statusMessage;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), jobStatus: this.jobStatus, statusMessage: this.statusMessage };
  }
}

interface AwsErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * Map an error thrown by the AWS SDK inside an operation to a typed IntegrationError
 * (undefined for errors that are already typed or not AWS errors; core then wraps them).
 * @public
 */
export function mapTextractError(error: unknown): IntegrationError | undefined {
  if (IntegrationError.is(error) || typeof error !== "object" || error === null) return undefined;
  const e = error as AwsErrorLike;
  const name = str(e.name) ?? "Error";
  // "com.amazonaws.textract#ThrottlingException:..." → "ThrottlingException" (§1)
  const code = name.split(":")[0]!.split("#").pop()!;
  const status = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;
  const options: IntegrationErrorOptions = {
    status,
    vendorCode: code,
    vendorMessage: str(e.message),
    requestId: str(e.$metadata?.requestId),
  };
  if (THROTTLING.has(code) || status === 429) {
    return new RateLimitedError(`throttled by Textract (${code}); retried with backoff`, { ...options, retryable: true });
  }
  if (BAD_INPUT.has(code)) {
    return new ValidationError(`Textract rejected the request or document (${code}): ${str(e.message) ?? "no message"}`, {
      ...options,
      issues: [{ path: code === "InvalidParameterException" || code === "ValidationException" ? "(request)" : "document", message: redactText(str(e.message) ?? code), code }],
    });
  }
  if (code === "InvalidJobIdException") return new NotFoundError(`the job id is unknown or expired (${code}); results are kept 7 days`, options);
  if (code === "AccessDeniedException" || code === "AccessDenied") {
    return new ForbiddenError(`access denied (${code}); grant textract:* on the job and s3:GetObject on the document`, options);
  }
  if (code === "IdempotentParameterMismatchException") {
    return new ConflictError(`the ClientRequestToken was used earlier with different parameters (${code}); use a new idempotency key`, options);
  }
  if (AUTH.has(code)) return new AuthError(`the AWS credentials were rejected (${code})`, options);
  if (code === "InternalServerError" || code === "InternalFailure" || code === "ServiceUnavailable" || (status !== undefined && status >= 500)) {
    return new ServerError(`Textract failed (${code})`, { ...options, retryable: true });
  }
  const sys = str(e.code);
  if (code === "TimeoutError" || sys === "ETIMEDOUT") return new TimeoutError("the Textract request timed out", { ...options, phase: "attempt" });
  if (sys !== undefined && NETWORK.has(sys)) {
    return new NetworkError(`network error talking to Textract (${sys})`, {
      ...options,
      vendorCode: undefined,
      code: sys,
      mayHaveReachedVendor: sys !== "ECONNREFUSED" && sys !== "ENOTFOUND" && sys !== "EAI_AGAIN",
    });
  }
  if (status !== undefined) return new IntegrationError(`Textract error (${code})`, { ...options, retryable: false });
  return undefined;
}

/**
 * SES's error vocabulary (shared/vendors/ses.md §2) mapped onto core's classes. The SDK error is
 * not kept as `cause`: its `$response` could carry request details (addresses, content).
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

/** Why SES refused to send. @public */
export type SesSendRefusal = "message_rejected" | "mail_from_not_verified" | "account_suspended" | "sending_paused" | "configuration_set_sending_paused";

/**
 * SES refused to send: the message was rejected (a virus, or in the sandbox an unverified
 * address), the MAIL FROM domain is unverified, the account is suspended, or sending is paused.
 * Never retried: `reason` says what to fix (an alert for `account_suspended`; wait for
 * re-enabling for `sending_paused`).
 * @public
 */
export class SesSendRefusedError extends ForbiddenError {
  /** What SES refused on. */
  readonly reason: SesSendRefusal;
  /** Create a refusal. */
  constructor(message: string, options: IntegrationErrorOptions & { reason: SesSendRefusal }) {
    super(message, { ...options, retryable: false });
    this.reason = options.reason;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}

const THROTTLING = new Set(["TooManyRequestsException", "Throttling", "ThrottlingException", "RequestThrottled", "LimitExceededException", "SlowDown", "ProvisionedThroughputExceededException"]);
const AUTH = new Set(["UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignature", "IncompleteSignatureException", "MissingAuthenticationToken", "MissingAuthenticationTokenException", "InvalidClientTokenId", "ExpiredTokenException", "ExpiredToken", "SignatureDoesNotMatch"]);
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH"]);
const REFUSALS: Record<string, [SesSendRefusal, string]> = {
  MessageRejected: ["message_rejected", "SES rejected the message (in the sandbox: an unverified sender or recipient; otherwise its content)"],
  MailFromDomainNotVerifiedException: ["mail_from_not_verified", "the sending (MAIL FROM) domain is not verified in this region"],
  AccountSuspendedException: ["account_suspended", "the SES account's sending is suspended; contact AWS"],
  SendingPausedException: ["sending_paused", "sending is paused for the account or the configuration set; re-enable it"],
};

interface AwsErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
}

const str = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * Map an error thrown by the AWS SDK inside an SES operation to a typed IntegrationError
 * (undefined for errors that are already typed or not AWS errors; core then wraps them).
 * @public
 */
export function mapSesError(error: unknown): IntegrationError | undefined {
  if (IntegrationError.is(error) || typeof error !== "object" || error === null) return undefined;
  const e = error as AwsErrorLike;
  // "com.amazonaws.sesv2#TooManyRequestsException:..." → "TooManyRequestsException" (§2)
  const code = (str(e.name) ?? "Error").split(":")[0]!.split("#").pop()!;
  const status = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;
  const vendorMessage = str(e.message);
  const options: IntegrationErrorOptions = { status, vendorCode: code, vendorMessage, requestId: str(e.$metadata?.requestId) };
  const refusal = REFUSALS[code];
  if (refusal) return new SesSendRefusedError(`${refusal[1]} (${code}${vendorMessage ? `: ${vendorMessage}` : ""})`, { ...options, reason: refusal[0] });
  // The 24-hour quota: retrying before the window frees only spends attempts (§2, name uncertain).
  if (vendorMessage !== undefined && /daily message quota/i.test(vendorMessage)) {
    return new RateLimitedError(`the SES 24-hour sending quota is used up (${code}); not retried — send again once the window frees`, { ...options, retryable: false });
  }
  if (THROTTLING.has(code) || status === 429) return new RateLimitedError(`throttled by SES (${code}); retried with backoff`, { ...options, retryable: true });
  if (code === "NotFoundException") return new NotFoundError(`SES has no such resource (${vendorMessage ?? code}): a template, configuration set, contact list or suppressed address`, options);
  if (code === "BadRequestException" || code === "InvalidNextTokenException" || code === "ValidationException" || code === "SerializationException") {
    return new ValidationError(`SES rejected the request (${code}): ${vendorMessage ?? "no message"}`, {
      ...options,
      issues: [{ path: code === "InvalidNextTokenException" ? "nextToken" : "(request)", message: redactText(vendorMessage ?? code), code }],
    });
  }
  if (code === "AccessDeniedException" || code === "AccessDenied" || code === "NotAuthorizedException") return new ForbiddenError(`access denied (${code}); grant ses:* on the identity and configuration set`, options);
  if (code === "ConflictException" || code === "AlreadyExistsException" || code === "ConcurrentModificationException") {
    return code === "ConcurrentModificationException"
      ? new ServerError(`SES reported a concurrent modification (${code})`, { ...options, retryable: true })
      : new ConflictError(`the resource conflicts with its current state in SES (${code})`, options);
  }
  if (AUTH.has(code)) return new AuthError(`the AWS credentials were rejected (${code})`, options);
  // A fake's "not implemented" (501) is a gap in the fake, not an SES outage: not retried.
  if (status === 501) return new ServerError(`the SES endpoint answered 501 (${vendorMessage ?? code})`, { ...options, retryable: false });
  if (code === "InternalServiceErrorException" || code === "InternalFailure" || code === "ServiceUnavailable" || (status !== undefined && status >= 500)) {
    return new ServerError(`SES failed (${code})`, { ...options, retryable: true });
  }
  const sys = str(e.code);
  // The SDK's connection timer ("Socket timed out without establishing a connection"): nothing
  // was sent, so even a send is retried.
  if (code === "TimeoutError" && vendorMessage !== undefined && /without establishing a connection|did not establish a connection/i.test(vendorMessage)) {
    return new TimeoutError("the SES connection timed out before the request was sent", { ...options, phase: "connect" });
  }
  if (code === "TimeoutError" || sys === "ETIMEDOUT") return new TimeoutError("the SES request timed out", { ...options, phase: "attempt" });
  // A 2xx answer the SDK could not deserialize: SES accepted the request, its answer is unreadable.
  // MALFORMED_RESPONSE makes core end a send in UnknownOutcomeError (dead-lettered), not a plain failure.
  if (status !== undefined && status >= 200 && status < 300 && code === "SyntaxError") {
    return new IntegrationError(`SES answered HTTP ${status} with a body that could not be read (${code})`, { ...options, vendorCode: "MALFORMED_RESPONSE", retryable: false });
  }
  if (sys !== undefined && NETWORK.has(sys)) {
    return new NetworkError(`network error talking to SES (${sys})`, {
      ...options,
      vendorCode: undefined,
      code: sys,
      mayHaveReachedVendor: sys !== "ECONNREFUSED" && sys !== "ENOTFOUND" && sys !== "EAI_AGAIN",
    });
  }
  if (status !== undefined) return new IntegrationError(`SES error (${code})`, { ...options, retryable: false });
  return undefined;
}

/** The typed error of a failed SendBulkEmail entry (its `Status` and `Error`). @internal */
export function bulkEntryError(status: string, message: string | undefined, meta: { operation: string; requestId?: string | undefined }): IntegrationError {
  const options: IntegrationErrorOptions = { vendor: "ses", operation: meta.operation, vendorCode: status, vendorMessage: message, requestId: meta.requestId, mayHaveReachedVendor: false };
  const text = `SES did not send this entry (${status}${message ? `: ${message}` : ""})`;
  switch (status) {
    case "MESSAGE_REJECTED":
      return new SesSendRefusedError(text, { ...options, reason: "message_rejected" });
    case "MAIL_FROM_DOMAIN_NOT_VERIFIED":
      return new SesSendRefusedError(text, { ...options, reason: "mail_from_not_verified" });
    case "ACCOUNT_SUSPENDED":
      return new SesSendRefusedError(text, { ...options, reason: "account_suspended" });
    case "ACCOUNT_SENDING_PAUSED":
      return new SesSendRefusedError(text, { ...options, reason: "sending_paused" });
    case "CONFIGURATION_SET_SENDING_PAUSED":
      return new SesSendRefusedError(text, { ...options, reason: "configuration_set_sending_paused" });
    case "TEMPLATE_NOT_FOUND":
    case "CONFIGURATION_SET_NOT_FOUND":
      return new NotFoundError(text, options);
    // Only throttled and transient entries are worth sending again (§4).
    case "ACCOUNT_THROTTLED":
      return new RateLimitedError(text, { ...options, retryable: true });
    case "ACCOUNT_DAILY_QUOTA_EXCEEDED":
      return new RateLimitedError(text, { ...options, retryable: false });
    case "TRANSIENT_FAILURE":
      return new ServerError(text, { ...options, retryable: true });
    case "INVALID_PARAMETER":
    case "INVALID_SENDING_POOL_NAME":
      return new ValidationError(text, { ...options, issues: [{ path: "entries", message: message ?? status, code: status }] });
    default:
      return new IntegrationError(text, { ...options, retryable: false });
  }
}

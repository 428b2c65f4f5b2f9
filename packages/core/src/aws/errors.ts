/**
 * AWS Secrets Manager errors mapped onto core's error classes. The SDK error is not kept
 * as `cause`: its `$response` could carry a body, and a secret must never ride along.
 *
 * Core's own classes and redaction registry are imported through "@connect/core" (a
 * self-reference, external in the build), so the separately bundled `aws` entry shares the
 * main entry's module state instead of carrying a private copy of the redaction registry.
 */
import {
  AuthError,
  ForbiddenError,
  IntegrationError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  ServerError,
  TimeoutError,
  ValidationError,
  type IntegrationErrorOptions,
} from "@connect/core";

/** Vendor id carried by Secrets Manager errors. @public */
export const SECRETS_MANAGER_VENDOR = "aws-secrets-manager";
/** Operation id carried by Secrets Manager errors. @public */
export const GET_SECRET_OPERATION = "secrets.get";

const THROTTLING = new Set([
  "ThrottlingException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "Throttling",
  "ProvisionedThroughputExceededException",
]);
const AUTH = new Set([
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignature",
  "MissingAuthenticationToken",
  "InvalidClientTokenId",
  "ExpiredTokenException",
  "ExpiredToken",
  "CredentialsProviderError",
]);
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH"]);

interface AwsErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** True for the error the SDK throws when its `abortSignal` fired. @internal */
export function isAbortError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError";
}

/**
 * Map an error thrown by `GetSecretValue` to an IntegrationError naming the secret id,
 * never its value. Abort errors are returned unchanged.
 * @public
 */
export function mapSecretsManagerError(error: unknown, secretId: string): unknown {
  if (IntegrationError.is(error) || isAbortError(error)) return error;
  const e = (typeof error === "object" && error !== null ? error : {}) as AwsErrorLike;
  const code = asString(e.name) ?? "Error";
  const status = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;
  const options: IntegrationErrorOptions = {
    vendor: SECRETS_MANAGER_VENDOR,
    operation: GET_SECRET_OPERATION,
    status,
    vendorCode: code,
    vendorMessage: asString(e.message),
    requestId: asString(e.$metadata?.requestId),
  };
  const what = `AWS Secrets Manager GetSecretValue for secret "${secretId}"`;
  if (code === "ResourceNotFoundException") {
    return new NotFoundError(`${what}: the secret (or the requested version) does not exist (${code}); check the name, region and version stage`, options);
  }
  if (code === "AccessDeniedException") {
    return new ForbiddenError(`${what}: access denied (${code}); grant secretsmanager:GetSecretValue on the secret to these credentials`, options);
  }
  if (code === "DecryptionFailure") {
    return new ForbiddenError(`${what}: the secret could not be decrypted with its KMS key (${code}); grant kms:Decrypt on the key`, options);
  }
  if (THROTTLING.has(code) || status === 429) {
    return new RateLimitedError(`${what} was throttled (${code}); retry later or raise the cache TTL`, options);
  }
  if (AUTH.has(code)) {
    return new AuthError(`${what}: the AWS credentials were rejected (${code}); check the access key, session token and clock`, options);
  }
  if (code === "InvalidParameterException" || code === "InvalidRequestException" || code === "ValidationException") {
    return new ValidationError(`${what} was rejected as invalid (${code})`, { ...options, issues: [{ path: "SecretId", message: code, code }] });
  }
  if (code === "InternalServiceError" || code === "InternalFailure" || code === "ServiceUnavailable" || (status !== undefined && status >= 500)) {
    return new ServerError(`${what} failed at AWS (${code})`, { ...options, retryable: true });
  }
  if (code === "TimeoutError" || asString(e.code) === "ETIMEDOUT") {
    return new TimeoutError(`${what} timed out`, options);
  }
  const sysCode = asString(e.code);
  if (sysCode !== undefined && NETWORK_CODES.has(sysCode)) {
    return new NetworkError(`${what}: network error (${sysCode})`, {
      ...options,
      vendorCode: undefined,
      code: sysCode,
      mayHaveReachedVendor: sysCode !== "ECONNREFUSED" && sysCode !== "ENOTFOUND" && sysCode !== "EAI_AGAIN",
    });
  }
  return new IntegrationError(`${what} failed (${code})`, options);
}

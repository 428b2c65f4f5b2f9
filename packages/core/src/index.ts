/**
 * @connect/core — the adapter contract, typed errors, the undici transport, the operation
 * runtime with resilience, idempotency, webhooks, telemetry, secrets, health and dead letters.
 */
export {
  AuthError,
  CircuitOpenError,
  ConflictError,
  ContractDriftError,
  errorFromStatus,
  ForbiddenError,
  IntegrationError,
  NetworkError,
  NotFoundError,
  parseRetryAfter,
  RateLimitedError,
  ServerError,
  StoreUnavailableError,
  TimeoutError,
  UnknownOutcomeError,
  ValidationError,
  WebhookVerificationError,
  type FieldIssue,
  type IntegrationErrorOptions,
  type StatusErrorInput,
  type TimeoutPhase,
} from "./errors.js";
export { isSensitiveKey, REDACTED, redactText, redactValue, registerSecret } from "./redact.js";
export { resolveContext, type IntegrationContext, type ResolvedContext } from "./context.js";
export {
  defineOperation,
  parseUntrusted,
  toFieldIssues,
  type Adapter,
  type DriftMode,
  type HealthResult,
  type Operation,
  type OperationContext,
  type OperationDefinition,
  type RetrySafety,
  type UntrustedParseResult,
} from "./contract.js";
export {
  createTransport,
  encodeForm,
  toQueryString,
  type HttpRequest,
  type HttpResponse,
  type RequestBody,
  type ResponseType,
  type Transport,
  type TransportOptions,
} from "./http.js";
export {
  basicAuth,
  bearerAuth,
  createTokenManager,
  tokenAuth,
  type AccessToken,
  type AuthStrategy,
  type Resolvable,
  type TokenManager,
  type TokenManagerOptions,
} from "./auth.js";
export { createRuntime, type BoundOperation, type Runtime, type RuntimeOptions } from "./runtime.js";
export type { ClientOptionsBase } from "./client-options.js";
export {
  CATEGORY_DEFAULTS,
  DEFAULT_RETRY,
  mergePolicies,
  resolvePolicy,
  type PolicyOptions,
  type ResolvedPolicy,
  type RetryOptions,
  type TimeoutOptions,
} from "./resilience/policy.js";
export { createBreaker, type Breaker, type BreakerOptions, type BreakerState } from "./resilience/breaker.js";
export { createLimiter, type Limiter, type LimiterOptions } from "./resilience/limiter.js";
export { createRetryBudget, type RetryBudget, type RetryBudgetOptions } from "./resilience/budget.js";
export { fallback, type FallbackOptions, type FallbackProvider, type FallbackResult } from "./resilience/fallback.js";
export { noopLogger, type Logger, type TelemetryOptions } from "./telemetry.js";
export { checkHealth, type HealthReport } from "./health.js";
export {
  canonicalJson,
  createMemoryDedupeStore,
  createMemoryIdempotencyStore,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  deriveIdempotencyKey,
  IDEMPOTENCY_KEY_PREFIX,
  singleFlight,
  withIdempotency,
  type DedupeStore,
  type IdempotencyBegin,
  type IdempotencyKeyParts,
  type IdempotencyLookup,
  type IdempotencyStore,
  type IdempotencyWaitOptions,
  type MemoryDedupeStoreOptions,
  type MemoryIdempotencyStoreOptions,
  type SingleFlight,
  type WithIdempotencyOptions,
} from "./idempotency/index.js";
export {
  createFileDeadLetterSink,
  createMemoryDeadLetterSink,
  matchesDeadLetter,
  sanitizeDeadLetter,
  type DeadLetter,
  type DeadLetterFilter,
  type DeadLetterKind,
  type DeadLetterSink,
  type ReplayOptions,
  type ReplayResult,
} from "./dlq.js";
export {
  createWebhookReceiver,
  DEFAULT_MAX_WEBHOOK_BODY_BYTES,
  ecdsaVerifier,
  fromFetchRequest,
  fromNodeRequest,
  hmacVerifier,
  timestampedHmacVerifier,
  timingSafeEqualBuffers,
  timingSafeEqualStrings,
  type EcdsaVerifierOptions,
  type FromFetchRequestOptions,
  type FromNodeRequestOptions,
  type HmacAlgorithm,
  type HmacVerifierOptions,
  type PublicKeySource,
  type SecretSource,
  type SignedPayload,
  type TimestampedHmacVerifierOptions,
  type TimestampOptions,
  type WebhookEventContext,
  type WebhookFailureReason,
  type WebhookHandler,
  type WebhookReceiver,
  type WebhookReceiverOptions,
  type WebhookRequest,
  type WebhookResponse,
  type WebhookSummary,
  type WebhookVerifier,
} from "./webhooks/index.js";
export {
  cachedSecrets,
  DEFAULT_SECRET_TTL_MS,
  envSecrets,
  secretValue,
  staticSecrets,
  toEnvVariableName,
  withRotation,
  type CachedSecretProvider,
  type CachedSecretsOptions,
  type EnvSecretsOptions,
  type SecretGetOptions,
  type SecretProvider,
  type SecretValue,
  type WithRotationOptions,
} from "./secrets/index.js";
export {
  isTerminalSignatureStatus,
  SIGNATURE_STATUS_RANK,
  type ESignatureProvider,
  type RecipientStatus,
  type RecipientStatusValue,
  type SignatureDocument,
  type SignatureEvent,
  type SignatureEventType,
  type SignaturePlacement,
  type SignatureReceipt,
  type SignatureRecipient,
  type SignatureRequest,
  type SignatureStatus,
  type SignatureStatusValue,
  type SignedDocument,
} from "./esign.js";
export { createMemoryTokenStore, createStoredTokenManager, type StoredToken, type StoredTokenManagerOptions, type TokenStore } from "./tokens.js";

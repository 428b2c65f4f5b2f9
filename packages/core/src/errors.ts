/**
 * The error model every @connect package throws. Each error carries what a caller
 * branches on (`retryable`, `status`, `vendorCode`) and what an operator needs
 * (`vendor`, `operation`, `requestId`, `correlationId`), and never a credential:
 * messages and vendor messages are redacted when the error is built.
 */
import { redactText } from "./redact.js";

const BRAND = Symbol.for("@connect/core.IntegrationError");

/** Fields accepted by every {@link IntegrationError} constructor. @public */
export interface IntegrationErrorOptions {
  /** Vendor id, e.g. `docusign`. */
  vendor?: string | undefined;
  /** Operation id, e.g. `envelopes.create`. */
  operation?: string | undefined;
  /** HTTP status of the vendor response, when there was one. */
  status?: number | undefined;
  /** The vendor's own error code (`errorCode`, Twilio `code`, QuickBooks `Fault` code …). */
  vendorCode?: string | undefined;
  /** The vendor's own message, redacted. */
  vendorMessage?: string | undefined;
  /** The vendor's request id header, for support tickets. */
  requestId?: string | undefined;
  /** Correlation id of the logical call. */
  correlationId?: string | undefined;
  /** Overrides the class default. */
  retryable?: boolean | undefined;
  /** Attempts made before this error was thrown. */
  attempts?: number | undefined;
  /**
   * False only when the request provably never reached the vendor (connection refused,
   * DNS failure, connect timeout, a 429 rejection); true whenever it may have been acted on.
   */
  mayHaveReachedVendor?: boolean | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/** Base class of every error the SDK throws; `instanceof` works across two installed copies of core. @public */
export class IntegrationError extends Error {
  /** Whether retrying the same call may succeed. */
  readonly retryable: boolean;
  /** HTTP status, when a response was received. */
  readonly status: number | undefined;
  /** Vendor id. */
  vendor: string | undefined;
  /** Operation id. */
  operation: string | undefined;
  /** Vendor error code. */
  readonly vendorCode: string | undefined;
  /** Vendor error message (redacted). */
  readonly vendorMessage: string | undefined;
  /** Vendor request id. */
  requestId: string | undefined;
  /** Correlation id of the logical call. */
  correlationId: string | undefined;
  /** Attempts made. */
  attempts: number | undefined;
  /** False only when the request provably never reached the vendor. */
  readonly mayHaveReachedVendor: boolean;

  /** Create an error; `message` is redacted. */
  constructor(message: string, options: IntegrationErrorOptions = {}) {
    super(redactText(message), options.cause === undefined ? undefined : { cause: options.cause });
    Object.defineProperty(this, BRAND, { value: true });
    this.name = new.target.name;
    this.retryable = options.retryable ?? (new.target as unknown as { defaultRetryable?: boolean }).defaultRetryable ?? false;
    this.status = options.status;
    this.vendor = options.vendor;
    this.operation = options.operation;
    this.vendorCode = options.vendorCode;
    this.vendorMessage = options.vendorMessage === undefined ? undefined : redactText(options.vendorMessage);
    this.requestId = options.requestId;
    this.correlationId = options.correlationId;
    this.attempts = options.attempts;
    this.mayHaveReachedVendor = options.mayHaveReachedVendor ?? true;
  }

  /** Default of `retryable` for this class. */
  static defaultRetryable = false;

  /** True for any IntegrationError, including one thrown by another installed copy of core. */
  static is(value: unknown): value is IntegrationError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** `instanceof` by brand and class name, so errors from another installed copy of core match. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (!IntegrationError.is(value)) return false;
    if (this === IntegrationError) return true;
    // Subclasses match by name along the prototype chain, so a copy from another core works too.
    for (let proto = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
      if (proto === this.prototype || proto.constructor?.name === this.name) return true;
    }
    return false;
  }

  /** A plain object for logs and dead letters (no stack, no cause chain secrets). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      retryable: this.retryable,
      status: this.status,
      vendor: this.vendor,
      operation: this.operation,
      vendorCode: this.vendorCode,
      vendorMessage: this.vendorMessage,
      requestId: this.requestId,
      correlationId: this.correlationId,
      attempts: this.attempts,
    };
  }
}

/** One invalid field of an input or payload. @public */
export interface FieldIssue {
  /** Dotted path of the field (`to`, `personalizations.3.to.0.email`). */
  path: string;
  /** What is wrong with it. */
  message: string;
  /** Machine-readable code (zod issue code or vendor code). */
  code?: string | undefined;
}

/** Input rejected before any I/O, or a 400/422 from the vendor; lists every bad field. @public */
export class ValidationError extends IntegrationError {
  /** Every invalid field. */
  readonly issues: FieldIssue[];
  /** Create a validation error listing `issues`. */
  constructor(message: string, options: IntegrationErrorOptions & { issues?: FieldIssue[] } = {}) {
    super(message, { ...options, retryable: false });
    // Issue messages often quote the vendor's error text, which can echo a credential: redacted like the message.
    this.issues = (options.issues ?? []).map((issue) => ({ ...issue, path: redactText(issue.path), message: redactText(issue.message) }));
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/** Credentials rejected (401) even after one refresh, or missing; the host must fix or reconnect. @public */
export class AuthError extends IntegrationError {}
/** Authenticated but not allowed (403). @public */
export class ForbiddenError extends IntegrationError {}
/** The resource does not exist (404, or the vendor's equivalent code). @public */
export class NotFoundError extends IntegrationError {}
/** The write conflicts with the vendor's state (409, stale SyncToken, wrong envelope state). @public */
export class ConflictError extends IntegrationError {}

/** The vendor throttled the call (429 or its equivalent); retried after `retryAfterMs`. @public */
export class RateLimitedError extends IntegrationError {
  static override defaultRetryable = true;
  /** How long the vendor asked us to wait, when it said. */
  readonly retryAfterMs: number | undefined;
  /** Create a rate-limit error. */
  constructor(message: string, options: IntegrationErrorOptions & { retryAfterMs?: number | undefined } = {}) {
    super(message, { mayHaveReachedVendor: false, ...options });
    this.retryAfterMs = options.retryAfterMs;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs };
  }
}

/** The vendor failed (5xx). Retryable for 500/502/503; `retryAfterMs` when a 503 said so. @public */
export class ServerError extends IntegrationError {
  static override defaultRetryable = true;
  /** Retry-After of a 503, when present. */
  readonly retryAfterMs: number | undefined;
  /** Create a server error. */
  constructor(message: string, options: IntegrationErrorOptions & { retryAfterMs?: number | undefined } = {}) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Where a timeout struck. @public */
export type TimeoutPhase = "connect" | "headers" | "body" | "attempt" | "deadline";

/** A timeout (408, 504, or one of ours); retryable except for the total deadline. @public */
export class TimeoutError extends IntegrationError {
  static override defaultRetryable = true;
  /** Where it struck. */
  readonly phase: TimeoutPhase | undefined;
  /** The limit that was exceeded, in ms. */
  readonly timeoutMs: number | undefined;
  /** Create a timeout error. */
  constructor(message: string, options: IntegrationErrorOptions & { phase?: TimeoutPhase; timeoutMs?: number | undefined } = {}) {
    super(message, { mayHaveReachedVendor: options.phase !== "connect", ...options });
    this.phase = options.phase;
    this.timeoutMs = options.timeoutMs;
  }
}

/** The connection failed (refused, reset, DNS); `mayHaveReachedVendor` tells which. @public */
export class NetworkError extends IntegrationError {
  static override defaultRetryable = true;
  /** The system error code (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET …). */
  readonly code: string | undefined;
  /** Create a network error. */
  constructor(message: string, options: IntegrationErrorOptions & { code?: string | undefined } = {}) {
    super(message, options);
    this.code = options.code;
  }
}

/** The vendor's circuit breaker is open; thrown at once without I/O and not retried. @public */
export class CircuitOpenError extends IntegrationError {
  /** Create a circuit-open error. */
  constructor(message: string, options: IntegrationErrorOptions = {}) {
    super(message, { ...options, retryable: false, mayHaveReachedVendor: false });
  }
}

/** A non-idempotent write failed in a way that leaves its outcome unknown; it was not retried. @public */
export class UnknownOutcomeError extends IntegrationError {
  /** Create an unknown-outcome error. */
  constructor(message: string, options: IntegrationErrorOptions = {}) {
    super(message, { ...options, retryable: false, mayHaveReachedVendor: true });
  }
}

/** A webhook failed verification; it reached no handler. @public */
export class WebhookVerificationError extends IntegrationError {
  /** Why it failed, as a short code (`missing_header`, `bad_signature`, `stale_timestamp` …). */
  readonly reason: string;
  /** Create a verification error. */
  constructor(message: string, options: IntegrationErrorOptions & { reason: string }) {
    super(message, { ...options, retryable: false });
    this.reason = options.reason;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}

/**
 * A shared store the call depends on (Redis in distributed mode) could not be reached. The
 * vendor was not called; the guarantee the store gives (one quota, one write, one refresh)
 * is kept by failing rather than carrying on without it. Retryable once the store is back.
 * @public
 */
export class StoreUnavailableError extends IntegrationError {
  static override defaultRetryable = true;
  /** Which component needed the store: `limiter`, `idempotency`, `dedupe`, `tokens`, `dead-letters`. */
  readonly component: string;
  /** Create a store-unavailable error. */
  constructor(message: string, options: IntegrationErrorOptions & { component: string }) {
    super(message, { ...options, mayHaveReachedVendor: false });
    this.component = options.component;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), component: this.component };
  }
}

/** The vendor's response did not match the declared schema (strict drift mode). @public */
export class ContractDriftError extends IntegrationError {
  /** Where the response differs from the schema. */
  readonly issues: FieldIssue[];
  /** Create a drift error. */
  constructor(message: string, options: IntegrationErrorOptions & { issues?: FieldIssue[] } = {}) {
    super(message, { ...options, retryable: false });
    // Issue messages often quote the vendor's error text, which can echo a credential: redacted like the message.
    this.issues = (options.issues ?? []).map((issue) => ({ ...issue, path: redactText(issue.path), message: redactText(issue.message) }));
  }
}

/**
 * Parse a `Retry-After` header (delta seconds or HTTP date) into milliseconds.
 * @public
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** What {@link errorFromStatus} needs to build an error. @public */
export interface StatusErrorInput extends IntegrationErrorOptions {
  status: number;
  /** `Retry-After`, already parsed. */
  retryAfterMs?: number | undefined;
}

/**
 * Classify an HTTP status into the SDK's error table: 408/504 timeout (retryable);
 * 429 rate limited (retryable after Retry-After); 500/502/503 server (retryable);
 * 401 auth (the runner refreshes once); 403 forbidden; 404 not found; 409 conflict;
 * 400/422 validation; other 5xx server errors that are not retried.
 * @public
 */
export function errorFromStatus(input: StatusErrorInput): IntegrationError {
  const { status } = input;
  const what = `${input.vendor ?? "vendor"} ${input.operation ?? "call"}`;
  const detail = input.vendorMessage ? `: ${input.vendorMessage}` : "";
  if (status === 408 || status === 504) {
    return new TimeoutError(`${what} timed out at the vendor (HTTP ${status})${detail}`, { ...input, phase: undefined as never });
  }
  if (status === 429) {
    return new RateLimitedError(`${what} was rate limited (HTTP 429)${detail}; retry after the vendor's Retry-After`, input);
  }
  if (status === 500 || status === 502 || status === 503) {
    return new ServerError(`${what} failed at the vendor (HTTP ${status})${detail}`, input);
  }
  if (status === 401) {
    return new AuthError(`${what} was not authenticated (HTTP 401)${detail}; check the credentials`, input);
  }
  if (status === 403) return new ForbiddenError(`${what} is forbidden (HTTP 403)${detail}`, input);
  if (status === 404) return new NotFoundError(`${what}: not found (HTTP 404)${detail}`, input);
  if (status === 409) return new ConflictError(`${what}: conflict (HTTP 409)${detail}`, input);
  if (status === 400 || status === 422) {
    return new ValidationError(`${what} was rejected as invalid (HTTP ${status})${detail}`, input);
  }
  if (status >= 500) return new ServerError(`${what} failed at the vendor (HTTP ${status})${detail}`, { ...input, retryable: false });
  return new IntegrationError(`${what} failed (HTTP ${status})${detail}`, input);
}

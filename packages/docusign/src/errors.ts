/**
 * DocuSign's error vocabulary. REST errors are `{ errorCode, message }` and most of them —
 * not-found and the per-envelope polling limits included — arrive as HTTP 400, so they are
 * classified by `errorCode` (case-insensitively), not by status (shared/vendors/docusign.md §4).
 * The OAuth host answers OAuth-style `{ error, error_description }` (§1).
 */
import {
  AuthError,
  ConflictError,
  errorFromStatus,
  ForbiddenError,
  NotFoundError,
  parseRetryAfter,
  RateLimitedError,
  ServerError,
  ValidationError,
  type HttpResponse,
  type IntegrationError,
  type IntegrationErrorOptions,
} from "@connect/core";

/** The consent the JWT grant needs is missing; an administrator or the user must visit `consentUrl` once. @public */
export class ConsentRequiredError extends AuthError {
  /** The URL that grants consent (one browser visit; never retried). */
  readonly consentUrl: string | undefined;
  /** Create a consent-required error. */
  constructor(message: string, options: IntegrationErrorOptions & { consentUrl?: string | undefined } = {}) {
    super(message, { ...options, retryable: false });
    this.consentUrl = options.consentUrl;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), consentUrl: this.consentUrl };
  }
}

/** A DocuSign REST error body. @public */
export interface DocuSignErrorBody {
  errorCode: string;
  message?: string | undefined;
}

/** Default wait after a burst-limit refusal, which carries no reset time: the burst window is 30 s (§4). @internal */
export const BURST_WAIT_MS = 30_000;

const OAUTH_REASONS = new Set(["consent_required", "issuer_not_found", "no_valid_keys_or_signatures"]);
const AUTH_CODES = new Set(["USER_AUTHENTICATION_FAILED", "AUTHORIZATION_INVALID_TOKEN", "PARTNER_AUTHENTICATION_FAILED"]);
const FORBIDDEN_CODES = new Set(["USER_LACKS_PERMISSIONS", "ACCOUNT_LACKS_PERMISSIONS", "USER_DOES_NOT_BELONG_TO_SPECIFIED_ACCOUNT"]);
const CONFLICT_CODES = new Set(["ENVELOPE_CANNOT_VOID_INVALID_STATE", "ENVELOPE_INVALID_STATUS", "RECIPIENT_NOT_IN_SEQUENCE"]);
/** Codes naming something that does not exist without the `_DOES_NOT_EXIST` suffix (an unknown template id). */
const NOT_FOUND_CODES = new Set(["TEMPLATE_ID_INVALID"]);
const HOURLY_LIMIT_CODES = new Set([
  "HOURLY_APIINVOCATION_LIMIT_EXCEEDED",
  "HOURLY_ENVELOPE_POLLING_LIMIT_EXCEEDED",
  "HOURLY_APIINVOCATION_ENVELOPE_LIMIT_EXCEEDED",
]);
const BURST_LIMIT_CODES = new Set(["BURST_ENVELOPE_POLLING_LIMIT_EXCEEDED", "BURST_APIINVOCATION_ENVELOPE_LIMIT_EXCEEDED"]);

/** Read `{ errorCode, message }` (REST) or `{ error, error_description }` (OAuth) from an error body. @internal */
export function readDocuSignError(body: unknown, rawText?: string): { code?: string | undefined; message?: string | undefined } {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    const code = [b.errorCode, b.error].find((v): v is string => typeof v === "string");
    const message = [b.message, b.error_description].find((v): v is string => typeof v === "string");
    if (code !== undefined || message !== undefined) return { code, message };
  }
  if (typeof rawText === "string" && rawText.trim() !== "" && rawText.length < 500) return { message: rawText.trim() };
  return {};
}

/**
 * Milliseconds until `X-RateLimit-Reset` (epoch seconds), or `Retry-After` if DocuSign ever
 * sends one; undefined when neither is present.
 * @internal
 */
export function resetWaitMs(headers: Record<string, string>, now: number): number | undefined {
  const retryAfter = parseRetryAfter(headers["retry-after"], now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = headers["x-ratelimit-reset"]?.trim();
  if (reset === undefined || !/^\d+$/.test(reset)) return undefined;
  return Math.max(0, Number(reset) * 1000 - now);
}

/** Milliseconds to the top of the next clock hour, when the hourly window resets (§4). @internal */
export function untilNextHourMs(now: number): number {
  const hour = 3_600_000;
  return hour - (now % hour);
}

/** The recipient id DocuSign names in an INVALID_EMAIL_ADDRESS_FOR_RECIPIENT message, if any. */
function recipientIdIn(message: string | undefined): string | undefined {
  return message ? /recipient ?id(?: follows)?[\s.:=#"]*(\w+)/i.exec(message)?.[1] : undefined;
}

/** Options of {@link classifyDocuSignError}. @public */
export interface ClassifyOptions {
  /** Operation id, for messages. */
  operation?: string | undefined;
  /** Clock (epoch ms) for turning `X-RateLimit-Reset` into a wait. */
  now?: (() => number) | undefined;
  /** Consent URL to put on a `consent_required` error. */
  consentUrl?: string | undefined;
  /** The OAuth host, for the hint on `issuer_not_found`. */
  oauthHost?: string | undefined;
}

/**
 * Map a DocuSign error response (REST or OAuth) to the SDK's error classes, by `errorCode`
 * first and by status only when the code says nothing. Returns an error for every status ≥ 400.
 * @public
 */
export function classifyDocuSignError(response: HttpResponse, options: ClassifyOptions = {}): IntegrationError {
  const now = (options.now ?? Date.now)();
  const { code, message } = readDocuSignError(response.body, response.rawText);
  const upper = code?.toUpperCase();
  const base = { vendor: "docusign", operation: options.operation, status: response.status, vendorCode: code, vendorMessage: message, requestId: response.requestId };
  const detail = `${code ?? `HTTP ${response.status}`}${message ? `: ${message}` : ""}`;

  // OAuth errors of the JWT grant (§1): never retried, each with what to do about it. The
  // specific reason may be the `error` itself or the `error_description` of an invalid_grant.
  const oauth = [code, message].find((v) => v !== undefined && OAUTH_REASONS.has(v)) ?? code;
  if (oauth === "consent_required") {
    return new ConsentRequiredError(
      `the user has not granted consent to this integration key (consent_required); visit the consent URL once${options.consentUrl ? `: ${options.consentUrl}` : ""}`,
      { ...base, consentUrl: options.consentUrl },
    );
  }
  if (oauth === "invalid_grant") {
    return new AuthError(`the JWT assertion was refused (${detail}); check the user id (sub), the RSA key pair and the clock`, base);
  }
  if (oauth === "issuer_not_found") {
    return new AuthError(
      `the integration key is not known on ${options.oauthHost ?? "this OAuth host"} (${detail}); is the environment (demo / production) right?`,
      base,
    );
  }
  if (oauth === "no_valid_keys_or_signatures") {
    return new AuthError(`the assertion's signature matches no RSA key of the integration key (${detail}); upload the public key or use its private key`, base);
  }
  if (code === "invalid_client" || code === "unauthorized_client") return new AuthError(`the integration key was refused (${detail})`, base);

  if (upper !== undefined) {
    if (AUTH_CODES.has(upper)) return new AuthError(`the access token was refused (${detail})`, base);
    if (FORBIDDEN_CODES.has(upper)) return new ForbiddenError(`not allowed (${detail})`, base);
    if (upper.endsWith("_DOES_NOT_EXIST") || NOT_FOUND_CODES.has(upper)) return new NotFoundError(`not found (${detail})`, base);
    if (CONFLICT_CODES.has(upper)) return new ConflictError(`the envelope is not in a state that allows this (${detail})`, base);
    if (HOURLY_LIMIT_CODES.has(upper)) {
      // The quota error arrives as 400 with a vendor code, not 429; map it to RateLimitedError
      // so retry waits for the reset (shared/vendors/docusign.md §4).
      const retryAfterMs = resetWaitMs(response.headers, now) ?? untilNextHourMs(now);
      return new RateLimitedError(`the hourly API limit is used up (${detail}); it resets in ${Math.ceil(retryAfterMs / 1000)} s`, { ...base, retryAfterMs });
    }
    if (BURST_LIMIT_CODES.has(upper)) {
      const retryAfterMs = parseRetryAfter(response.headers["retry-after"], now) ?? BURST_WAIT_MS;
      return new RateLimitedError(`the burst limit for this envelope is used up (${detail}); wait ${Math.ceil(retryAfterMs / 1000)} s`, { ...base, retryAfterMs });
    }
    if (upper === "UNSPECIFIED_ERROR") return new ServerError(`DocuSign failed (${detail})`, { ...base, retryable: true });
    if (upper === "INVALID_EMAIL_ADDRESS_FOR_RECIPIENT") {
      const recipientId = recipientIdIn(message);
      return new ValidationError(`a recipient's email address is invalid (${detail})`, {
        ...base,
        issues: [{ path: recipientId ? `recipients.${recipientId}.email` : "recipients.email", message: message ?? "invalid email address", code }],
      });
    }
  }
  if (response.status === 429) {
    const retryAfterMs = resetWaitMs(response.headers, now);
    return new RateLimitedError(`rate limited (${detail})${retryAfterMs === undefined ? "" : `; the limit resets in ${Math.ceil(retryAfterMs / 1000)} s`}`, { ...base, retryAfterMs });
  }
  if (response.status === 400 && code !== undefined) {
    return new ValidationError(`rejected (${detail})`, { ...base, issues: [{ path: "(root)", message: message ?? code, code }] });
  }
  return errorFromStatus({ ...base, retryAfterMs: parseRetryAfter(response.headers["retry-after"], now) });
}

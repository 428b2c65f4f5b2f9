/**
 * Xero's error vocabulary (shared/vendors/xero.md §3, §7) mapped in one place: 400
 * `ValidationException` with `Elements[].ValidationErrors[]` → `ValidationError` with one issue
 * per message (a duplicate contact name → `DuplicateContactNameError`); 401/403 problem JSON →
 * `AuthError` / `ForbiddenError`; the plain-text 404 → `NotFoundError`; 429 with
 * `X-Rate-Limit-Problem` → `XeroRateLimitedError`; 5xx → `ServerError`. The identity server's
 * `{ "error": "invalid_grant" }` means the consent is gone: an `AuthError` asking for re-consent.
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
  type FieldIssue,
  type HttpResponse,
  type IntegrationError,
  type IntegrationErrorOptions,
} from "@connect/core";

/** Which Xero limit a 429 hit (`X-Rate-Limit-Problem`, lower-cased; Xero's values vary in case). @public */
export type XeroRateLimitProblem = "minute" | "day" | "appminute" | "concurrent" | (string & {});

/** A 429 from Xero, with the limit it hit. @public */
export class XeroRateLimitedError extends RateLimitedError {
  /** The `X-Rate-Limit-Problem` header, lower-cased; undefined when Xero did not say. */
  readonly problem: XeroRateLimitProblem | undefined;
  /** Create the error. */
  constructor(message: string, options: IntegrationErrorOptions & { retryAfterMs?: number | undefined; problem?: string | undefined }) {
    // A day limit is not worth waiting for inside one call: not retryable, the host backs off.
    super(message, { ...options, retryable: options.retryable ?? options.problem !== "day" });
    this.problem = options.problem;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), problem: this.problem };
  }
}

/** Creating or renaming a contact to a name another active contact has. @public */
export class DuplicateContactNameError extends ConflictError {
  /** The name that is taken. */
  readonly contactName: string | undefined;
  /** Create the error. */
  constructor(message: string, options: IntegrationErrorOptions & { contactName?: string | undefined }) {
    super(message, options);
    this.contactName = options.contactName;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), contactName: this.contactName };
  }
}

/** Waits used when a 429 carries no Retry-After (ms). @public */
export const XERO_RATE_LIMIT_WAITS: Readonly<Record<string, number>> = { minute: 60_000, appminute: 60_000, concurrent: 1_000 };

const DUPLICATE_NAME = /The contact name (.+) is already assigned to another contact/i;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined;
}

function bounded(value: string | undefined): string | undefined {
  return value === undefined ? undefined : value.length > 500 ? `${value.slice(0, 500)}…` : value;
}

/** The validation messages of a 400 body, one issue each, in element order. @public */
export function validationIssues(body: unknown): FieldIssue[] {
  if (!body || typeof body !== "object") return [];
  const elements = (body as { Elements?: unknown }).Elements;
  const issues: FieldIssue[] = [];
  if (!Array.isArray(elements)) return issues;
  elements.forEach((element, index) => {
    const errors = element && typeof element === "object" ? (element as { ValidationErrors?: unknown }).ValidationErrors : undefined;
    if (Array.isArray(errors)) {
      for (const error of errors) {
        const message = text((error as { Message?: unknown } | null)?.Message);
        if (message) issues.push({ path: `Elements.${index}`, message, code: "xero_validation" });
      }
    }
    // Line items and payments carry their own ValidationErrors.
    for (const nested of ["LineItems", "Payments"] as const) {
      const list = element && typeof element === "object" ? (element as Record<string, unknown>)[nested] : undefined;
      if (!Array.isArray(list)) continue;
      list.forEach((item, itemIndex) => {
        const errs = item && typeof item === "object" ? (item as { ValidationErrors?: unknown }).ValidationErrors : undefined;
        if (!Array.isArray(errs)) return;
        for (const error of errs) {
          const message = text((error as { Message?: unknown } | null)?.Message);
          if (message) issues.push({ path: `Elements.${index}.${nested}.${itemIndex}`, message, code: "xero_validation" });
        }
      });
    }
  });
  return issues;
}

/** Options of {@link classifyXeroError}. @public */
export interface ClassifyXeroOptions {
  operation?: string | undefined;
  /** Clock (epoch ms), for HTTP-date Retry-After values. */
  now?: (() => number) | undefined;
}

/**
 * Map an error response of the Accounting API to the SDK's classes. Returns undefined for a
 * success.
 * @public
 */
export function classifyXeroError(response: HttpResponse, options: ClassifyXeroOptions = {}): IntegrationError | undefined {
  const status = response.status;
  if (status < 400) return undefined;
  const body = response.body && typeof response.body === "object" ? (response.body as Record<string, unknown>) : undefined;
  const plain = bounded(typeof response.body === "string" ? response.body : response.rawText);
  const now = options.now ?? Date.now;
  const requestId = response.headers["xero-correlation-id"] ?? response.requestId;
  const base = { vendor: "xero", operation: options.operation, status, requestId };

  if (status === 429) {
    const problem = response.headers["x-rate-limit-problem"]?.trim().toLowerCase() || undefined;
    const retryAfterMs = parseRetryAfter(response.headers["retry-after"], now()) ?? (problem ? XERO_RATE_LIMIT_WAITS[problem] : undefined) ?? 60_000;
    const what = problem ? `the ${problem} limit` : "a rate limit (Xero did not say which)";
    return new XeroRateLimitedError(`Xero throttled the call: ${what} was reached; retry after ${Math.ceil(retryAfterMs / 1000)} s`, {
      ...base,
      vendorCode: problem,
      vendorMessage: problem ? `X-Rate-Limit-Problem: ${problem}` : undefined,
      retryAfterMs,
      problem,
    });
  }

  if (status === 400) {
    const issues = validationIssues(body);
    const message = text(body?.Message) ?? plain;
    const errorNumber = text(body?.ErrorNumber);
    const type = text(body?.Type);
    const duplicate = issues.map((i) => DUPLICATE_NAME.exec(i.message)).find(Boolean);
    const detail = issues.length > 0 ? issues.map((i) => i.message).join("; ") : message;
    if (duplicate) {
      return new DuplicateContactNameError(`the contact name ${duplicate[1]} is already used by another active contact; choose another name or update that contact`, {
        ...base,
        vendorCode: errorNumber ?? type,
        vendorMessage: bounded(detail),
        contactName: duplicate[1],
      });
    }
    return new ValidationError(`rejected by Xero (${type ?? "HTTP 400"})${detail ? `: ${bounded(detail)}` : ""}`, {
      ...base,
      vendorCode: errorNumber ?? type,
      vendorMessage: bounded(detail),
      issues: issues.length > 0 ? issues : detail ? [{ path: "(root)", message: bounded(detail)!, code: type }] : [],
    });
  }

  // 401 and 403 arrive as problem JSON: { Title, Status, Detail }.
  const detail = bounded(text(body?.Detail) ?? text(body?.Title) ?? plain);
  if (status === 401) {
    return new AuthError(`Xero did not accept the access token${detail ? ` (${detail})` : ""}; if it persists after a refresh, the user must re-consent`, {
      ...base,
      vendorCode: detail?.split(":")[0],
      vendorMessage: detail,
    });
  }
  if (status === 403) {
    return new ForbiddenError(
      `Xero refused the call${detail ? ` (${detail})` : ""}: the tenant is not connected to this grant (check the xero-tenant-id and GET /connections) or a scope is missing`,
      { ...base, vendorCode: detail, vendorMessage: detail },
    );
  }
  if (status === 404) return new NotFoundError(`not found at Xero${plain ? `: ${plain}` : ""}`, { ...base, vendorMessage: plain });
  if (status >= 500) {
    const message = text(body?.message) ?? text(body?.Message) ?? plain;
    return new ServerError(`Xero failed (HTTP ${status})${message ? `: ${bounded(message)}` : ""}`, {
      ...base,
      vendorMessage: bounded(message),
      vendorCode: text(body?.error),
      // 504 is a gateway timeout in front of Xero: transient, and every write carries its Idempotency-Key.
      retryable: status === 500 || status === 502 || status === 503 || status === 504,
      retryAfterMs: parseRetryAfter(response.headers["retry-after"], now()),
    });
  }
  return errorFromStatus({ ...base, vendorMessage: detail, retryAfterMs: parseRetryAfter(response.headers["retry-after"], now()) });
}

/**
 * Map an error of Xero's identity server (`/connect/token`, `/connect/revocation`). An
 * `invalid_grant` on refresh means the refresh token expired, was revoked or was rotated out: the
 * user must consent again — never retried.
 * @public
 */
export function classifyXeroOAuthError(response: HttpResponse, options: { operation?: string | undefined } = {}): IntegrationError {
  const body = response.body && typeof response.body === "object" ? (response.body as Record<string, unknown>) : {};
  const code = text(body.error);
  const description = bounded(text(body.error_description));
  const base = { vendor: "xero", operation: options.operation, status: response.status, vendorCode: code, vendorMessage: description ?? code, requestId: response.requestId };
  if (code === "invalid_grant") {
    const message =
      options.operation === "oauth.exchangeCode"
        ? "the authorization code is invalid, expired or already used (invalid_grant); send the user through the authorization URL again"
        : "the refresh token is expired, revoked or was rotated out (invalid_grant); the Xero connection is gone — the user must re-consent through the authorization URL";
    return new AuthError(message, { ...base, retryable: false });
  }
  if (code === "invalid_client" || response.status === 401) {
    return new AuthError("Xero rejected the app's client id or secret (invalid_client); check the app's credentials", { ...base, retryable: false });
  }
  if (code === "unauthorized_client" || code === "invalid_scope") {
    return new ForbiddenError(`Xero refused the grant (${code}); the app may not use the requested scopes`, base);
  }
  return errorFromStatus({ ...base, retryAfterMs: parseRetryAfter(response.headers["retry-after"]) });
}

/**
 * QuickBooks' error vocabulary (shared/vendors/quickbooks.md §6): a `Fault` with `Error[]`
 * entries whose `code` is a string, in two casings (`Fault.Error[].Message` from the
 * accounting API, `fault.error[].message` on 401s), sometimes inside an HTTP 200. One
 * function maps every shape to core's error classes; the OAuth endpoints' `{ error }`
 * bodies are mapped in `classifyOAuthError`.
 */
import {
  AuthError,
  ConflictError,
  errorFromStatus,
  ForbiddenError,
  IntegrationError,
  NotFoundError,
  parseRetryAfter,
  RateLimitedError,
  ServerError,
  TimeoutError,
  ValidationError,
  type FieldIssue,
  type HttpResponse,
} from "@connect/core";

/** One entry of a Fault's `Error[]`, normalised to one casing. @public */
export interface QuickBooksFaultEntry {
  code: string;
  message: string;
  detail: string | undefined;
  element: string | undefined;
}

/** A Fault read from a response body. @public */
export interface QuickBooksFault {
  /** `ValidationFault`, `SystemFault`, `AuthenticationFault`, `AuthorizationFault` (or the 401 shape's `AUTHENTICATION`). */
  type: string;
  errors: QuickBooksFaultEntry[];
}

/** Fault codes this package gives a meaning to. @public */
export const FAULT_CODES = {
  authorizationFailure: "120",
  unsupportedOperation: "500",
  objectNotFound: "610",
  authenticationFailed: "3200",
  authorizationFailed: "3201",
  staleObject: "5010",
  businessValidation: "6000",
  invalidCompanyStatus: "6190",
  duplicateDocNumber: "6210",
  duplicateName: "6240",
} as const;

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
}

/**
 * The Fault in a body, in either casing; undefined when the body carries none.
 * @public
 */
export function readFault(body: unknown): QuickBooksFault | undefined {
  if (!body || typeof body !== "object") return undefined;
  const b = body as Record<string, unknown>;
  const fault = (b.Fault ?? b.fault) as Record<string, unknown> | undefined;
  if (!fault || typeof fault !== "object") return undefined;
  const list = (fault.Error ?? fault.error) as unknown;
  const errors = (Array.isArray(list) ? list : [])
    .filter((e): e is Record<string, unknown> => !!e && typeof e === "object")
    .map((e) => ({
      code: text(e.code) ?? "",
      message: text(e.Message ?? e.message) ?? "",
      detail: text(e.Detail ?? e.detail),
      element: text(e.element) || undefined,
    }));
  return { type: text(fault.type) ?? "", errors };
}

/** Human text of a fault: `Message: Detail` per entry. */
function describe(fault: QuickBooksFault): string {
  return fault.errors.map((e) => (e.detail && e.detail !== e.message ? `${e.message}: ${e.detail}` : e.message)).join("; ") || fault.type;
}

/**
 * The text of an error body that is JSON but no Fault (a gateway's answer, a test double's
 * "not implemented" 501): its `message`, `error_description` or `error` string, bounded.
 */
function plainMessage(body: unknown): string | undefined {
  if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const message = [b.message, b.error_description, b.error].find((v): v is string => typeof v === "string" && v !== "");
  return message && message.length < 500 ? message : undefined;
}

/** Options of {@link classifyQuickBooksError}. @public */
export interface ClassifyOptions {
  /** Operation id, for messages. */
  operation?: string | undefined;
  /** How long to wait after a 429 without Retry-After (Intuit: 60 s). */
  rateLimitWaitMs?: number | undefined;
  /** Clock (epoch ms). */
  now?: (() => number) | undefined;
}

/**
 * Map a QuickBooks response with a Fault (or an error status) to the SDK's error classes:
 * 5010 stale SyncToken, 6240 duplicate name and 6210 duplicate doc number → `ConflictError`;
 * 610 → `NotFoundError`; authentication faults → `AuthError`; 120/3201/6190 and
 * AuthorizationFault → `ForbiddenError`; other validation faults → `ValidationError` with one
 * issue per entry; SystemFault → retryable `ServerError`; 408/504 → retryable `TimeoutError`;
 * 429 → `RateLimitedError`.
 * Returns undefined for a success response without a Fault.
 * @public
 */
export function classifyQuickBooksError(response: HttpResponse, options: ClassifyOptions = {}): IntegrationError | undefined {
  const fault = readFault(response.body);
  if (!fault && response.status < 400) return undefined;
  const status = response.status;
  const requestId = response.headers["intuit_tid"] ?? response.requestId;
  const first = fault?.errors[0];
  const vendorMessage = fault ? describe(fault) : (plainMessage(response.body) ?? (typeof response.rawText === "string" && response.rawText.length < 500 ? response.rawText : undefined));
  const base = { vendor: "quickbooks", operation: options.operation, status, vendorCode: first?.code || fault?.type || undefined, vendorMessage, requestId };
  const detail = vendorMessage ? `: ${vendorMessage}` : "";
  const codes = new Set(fault?.errors.map((e) => e.code));
  const type = fault?.type.toLowerCase() ?? "";
  const now = options.now ?? Date.now;

  if (status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers["retry-after"], now()) ?? options.rateLimitWaitMs ?? 60_000;
    return new RateLimitedError(`throttled by QuickBooks (HTTP 429)${detail}; Intuit asks for a ${Math.round(retryAfterMs / 1000)} s pause`, { ...base, retryAfterMs });
  }
  if (codes.has(FAULT_CODES.staleObject)) {
    return new ConflictError(`stale SyncToken (Fault 5010)${detail}; another write changed the entity — read it again, re-apply the change and retry`, { ...base, vendorCode: FAULT_CODES.staleObject });
  }
  if (codes.has(FAULT_CODES.duplicateName) || codes.has(FAULT_CODES.duplicateDocNumber)) {
    const code = codes.has(FAULT_CODES.duplicateName) ? FAULT_CODES.duplicateName : FAULT_CODES.duplicateDocNumber;
    return new ConflictError(`${code === FAULT_CODES.duplicateName ? "the name is already used by a customer, vendor or employee" : "the document number is already used"} (Fault ${code})${detail}`, { ...base, vendorCode: code });
  }
  if (codes.has(FAULT_CODES.objectNotFound)) {
    return new NotFoundError(`object not found (Fault 610)${detail}; the entity or a reference is missing or inactive`, { ...base, vendorCode: FAULT_CODES.objectNotFound });
  }
  if (status === 401 || type.startsWith("authentication") || codes.has(FAULT_CODES.authenticationFailed)) {
    return new AuthError(`QuickBooks did not accept the access token (HTTP ${status})${detail}`, base);
  }
  if (status === 403 || type.startsWith("authorization") || codes.has(FAULT_CODES.authorizationFailure) || codes.has(FAULT_CODES.authorizationFailed) || codes.has(FAULT_CODES.invalidCompanyStatus)) {
    const hint = codes.has(FAULT_CODES.invalidCompanyStatus) ? "; the company's QuickBooks subscription has lapsed" : "; check the app's scopes and the user's permissions";
    return new ForbiddenError(`not authorised in this QuickBooks company${detail}${hint}`, base);
  }
  if (status === 408 || status === 504) {
    // A gateway timeout: the request may have reached Intuit. Core's table makes it a retryable
    // TimeoutError; every write carries its requestid, so the retry cannot create a second entity.
    return new TimeoutError(`QuickBooks timed out (HTTP ${status})${detail}`, base);
  }
  if (type === "systemfault" || status >= 500) {
    // A SystemFault is Intuit's own failure; retried (writes carry requestid, so a retry never duplicates).
    return new ServerError(`QuickBooks failed (HTTP ${status}, ${fault?.type || "no fault"})${detail}`, {
      ...base,
      retryable: status === 200 || status === 400 || status === 500 || status === 502 || status === 503,
      retryAfterMs: parseRetryAfter(response.headers["retry-after"], now()),
    });
  }
  if (fault && (type === "validationfault" || status === 400 || status === 200)) {
    const issues: FieldIssue[] = fault.errors.map((e) => ({ path: e.element ?? "(root)", message: e.detail ?? e.message, code: e.code }));
    return new ValidationError(`rejected by QuickBooks (${fault.type || `HTTP ${status}`})${detail}`, { ...base, issues });
  }
  return errorFromStatus({ ...base, retryAfterMs: parseRetryAfter(response.headers["retry-after"], now()) });
}

/**
 * Map an error response of Intuit's OAuth endpoints (`{ "error": "invalid_grant" }`):
 * an invalid grant on refresh means the connection is gone and the host must send the user
 * through the authorization flow again.
 * @public
 */
export function classifyOAuthError(response: HttpResponse, options: { operation?: string | undefined } = {}): IntegrationError {
  const body = response.body && typeof response.body === "object" ? (response.body as Record<string, unknown>) : {};
  const code = text(body.error);
  const description = text(body.error_description);
  const requestId = response.headers["intuit_tid"] ?? response.requestId;
  const base = { vendor: "quickbooks", operation: options.operation, status: response.status, vendorCode: code, vendorMessage: description ?? code, requestId };
  if (code === "invalid_grant") {
    const message =
      options.operation === "oauth.exchangeCode"
        ? "the authorization code is invalid, expired or already used (invalid_grant); send the user through the authorization URL again"
        : "the refresh token is expired, revoked or was superseded (invalid_grant); the QuickBooks connection is gone — reconnect: send the user through the authorization URL again";
    return new AuthError(message, base);
  }
  if (code === "invalid_client" || response.status === 401) {
    return new AuthError("Intuit rejected the app's client id or secret (invalid_client); check the app's keys for this environment", base);
  }
  return errorFromStatus({ ...base, vendorMessage: description ?? code });
}

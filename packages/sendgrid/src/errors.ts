/**
 * SendGrid's error vocabulary: every endpoint answers `{ errors: [{ message, field, help }] }`
 * (shared/vendors/sendgrid.md §2). The field and message of each entry are kept as
 * `ValidationError.issues`; 429 waits for `X-RateLimit-Reset`.
 */
import {
  errorFromStatus,
  parseRetryAfter,
  RateLimitedError,
  ValidationError,
  type FieldIssue,
  type HttpResponse,
  type IntegrationError,
} from "@connect/core";

/** One entry of SendGrid's `errors[]`. @public */
export interface SendGridErrorEntry {
  message: string;
  /** Dotted path (`personalizations.0.to.0.email`), or null for request-level errors. */
  field: string | null;
  /** Usually a documentation URL; typed `object` in the spec, so kept loose. */
  help?: unknown;
}

/** Read `errors[]` (or a bare `{message}` as 500s sometimes send) from an error body. @internal */
export function readErrorEntries(body: unknown, rawText?: string): SendGridErrorEntry[] {
  if (body && typeof body === "object") {
    const b = body as { errors?: unknown; message?: unknown };
    if (Array.isArray(b.errors)) {
      return b.errors
        .filter((e): e is Record<string, unknown> => !!e && typeof e === "object")
        .map((e) => ({
          message: typeof e.message === "string" ? e.message : JSON.stringify(e.message ?? null),
          field: typeof e.field === "string" ? e.field : null,
          help: e.help,
        }));
    }
    if (typeof b.message === "string") return [{ message: b.message, field: null }];
  }
  if (typeof rawText === "string" && rawText.trim() !== "" && rawText.length < 500) return [{ message: rawText.trim(), field: null }];
  return [];
}

/**
 * Milliseconds until `X-RateLimit-Reset` (unix seconds), or `Retry-After` when present.
 * @internal
 */
export function rateLimitWaitMs(headers: Record<string, string>, now: number): number | undefined {
  const retryAfter = parseRetryAfter(headers["retry-after"], now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = headers["x-ratelimit-reset"];
  if (reset === undefined || !/^\d+$/.test(reset.trim())) return undefined;
  return Math.max(0, Number(reset.trim()) * 1000 - now);
}

/**
 * Map a SendGrid error response to the SDK's error classes, keeping each `errors[]`
 * entry's field and message. Returns an error for every status ≥ 400.
 * @public
 */
export function classifySendGridError(response: HttpResponse, options: { now?: () => number; operation?: string } = {}): IntegrationError {
  const now = options.now ?? Date.now;
  const entries = readErrorEntries(response.body, response.rawText);
  const vendorMessage = entries.length > 0 ? entries.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join("; ") : undefined;
  const vendorCode = entries[0]?.field ?? undefined;
  const bodyId = response.body && typeof response.body === "object" ? (response.body as { id?: unknown }).id : undefined;
  const requestId = response.requestId ?? (typeof bodyId === "string" ? bodyId : undefined);
  const base = { vendor: "sendgrid", operation: options.operation, status: response.status, vendorMessage, vendorCode, requestId };
  if (response.status === 400 || response.status === 413) {
    const issues: FieldIssue[] = entries.map((e) => ({ path: e.field ?? "(root)", message: e.message }));
    const what = response.status === 413 ? "payload too large (HTTP 413): SendGrid accepts under 30 MB including attachments" : "rejected as invalid (HTTP 400)";
    return new ValidationError(`${what}${vendorMessage ? `: ${vendorMessage}` : ""}`, {
      ...base,
      vendorCode: response.status === 413 ? "PAYLOAD_TOO_LARGE" : vendorCode,
      issues,
    });
  }
  if (response.status === 429) {
    // SendGrid does not send Retry-After; the reset time is in X-RateLimit-Reset (shared/vendors/sendgrid.md §1).
    const retryAfterMs = rateLimitWaitMs(response.headers, now());
    return new RateLimitedError(
      `rate limited (HTTP 429)${vendorMessage ? `: ${vendorMessage}` : ""}; ${retryAfterMs === undefined ? "no reset time given" : `the limit resets in ${retryAfterMs} ms`}`,
      { ...base, retryAfterMs },
    );
  }
  return errorFromStatus({ ...base, retryAfterMs: parseRetryAfter(response.headers["retry-after"], now()) });
}

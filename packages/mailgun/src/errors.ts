/**
 * Mailgun's error vocabulary (shared/vendors/mailgun.md §2): `{"message": "..."}` on most
 * endpoints, `{"Reason": "..."}` on webhook config, plain text `Forbidden` on 401. A 429 says
 * when to come back in its text (`try again after <RFC date>` / `after 120 seconds`), in
 * `{"retry-seconds": 60}`, or in `X-RateLimit-Reset` (epoch seconds) — read in that order
 * after `Retry-After`.
 */
import {
  AuthError,
  errorFromStatus,
  NotFoundError,
  parseRetryAfter,
  RateLimitedError,
  ValidationError,
  type FieldIssue,
  type HttpResponse,
  type IntegrationError,
} from "@connect/core";

/** The message of a Mailgun error body (`message`, `Reason`, or the plain text). @internal */
export function mailgunErrorMessage(body: unknown, rawText?: string): string | undefined {
  if (body && typeof body === "object") {
    const b = body as { message?: unknown; Reason?: unknown; error?: unknown };
    for (const value of [b.message, b.Reason, b.error]) if (typeof value === "string" && value.trim() !== "") return value.trim();
  }
  if (typeof body === "string" && body.trim() !== "") return body.trim().slice(0, 500);
  if (typeof rawText === "string" && rawText.trim() !== "") return rawText.trim().slice(0, 500);
  return undefined;
}

/**
 * Milliseconds to wait after a 429 (or 420): `Retry-After`, the body's `retry-seconds`, the
 * text's `try again after <date>` / `after N seconds`, then `X-RateLimit-Reset` (epoch s, may be a float).
 * @internal
 */
export function mailgunRetryAfterMs(response: Pick<HttpResponse, "headers" | "body">, message: string | undefined, now: number): number | undefined {
  const retryAfter = parseRetryAfter(response.headers["retry-after"], now);
  if (retryAfter !== undefined) return retryAfter;
  const seconds = response.body && typeof response.body === "object" ? (response.body as Record<string, unknown>)["retry-seconds"] : undefined;
  if (typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  if (message) {
    const inSeconds = /try again (?:after|in) (\d+(?:\.\d+)?) seconds?/i.exec(message);
    if (inSeconds) return Math.round(Number(inSeconds[1]) * 1000);
    const at = /try again after (.+?)\.?$/i.exec(message);
    if (at) {
      const date = Date.parse(at[1]!);
      if (!Number.isNaN(date)) return Math.max(0, date - now);
    }
  }
  const reset = response.headers["x-ratelimit-reset"]?.trim();
  if (reset && /^\d+(\.\d+)?$/.test(reset)) return Math.max(0, Math.round(Number(reset) * 1000 - now));
  return undefined;
}

// `from parameter is missing`, `to parameter is not a valid address…`, `'recipient-variables' parameter is not a valid JSON`.
const PARAMETER = /^'?([a-z][\w:-]*)'? parameter/i;

/**
 * Map a Mailgun error response to the SDK's error classes. 400/413 → ValidationError (the
 * parameter named in the message as the issue's path), 401 → AuthError (with the region hint),
 * 403 → ForbiddenError, 404 → NotFoundError, 429/420 → RateLimitedError with the wait, 5xx →
 * ServerError; the runtime turns a 5xx of a send into UnknownOutcomeError.
 * @public
 */
export function classifyMailgunError(response: HttpResponse, options: { now?: () => number; operation?: string; region?: string } = {}): IntegrationError {
  const now = options.now ?? Date.now;
  const vendorMessage = mailgunErrorMessage(response.body, response.rawText);
  const base = { vendor: "mailgun", operation: options.operation, status: response.status, vendorMessage, requestId: response.requestId };
  const what = `mailgun ${options.operation ?? "call"}`;
  const detail = vendorMessage ? `: ${vendorMessage}` : "";
  if (response.status === 400 || response.status === 413) {
    const field = vendorMessage ? PARAMETER.exec(vendorMessage)?.[1] : undefined;
    const issues: FieldIssue[] = vendorMessage ? [{ path: field ?? "(root)", message: vendorMessage }] : [];
    if (response.status === 413) {
      return new ValidationError(`${what}: the request is too large (HTTP 413)${detail}; a message is at most 25 MB`, { ...base, vendorCode: "PAYLOAD_TOO_LARGE", issues });
    }
    return new ValidationError(`${what} was rejected as invalid (HTTP 400)${detail}`, { ...base, issues });
  }
  if (response.status === 401) {
    // A key of the other region answers 401 too (shared/vendors/mailgun.md §1).
    return new AuthError(
      `${what} was not authenticated (HTTP 401)${detail}; check the API key, and that the client's region${options.region ? ` (${options.region})` : ""} is the domain's region`,
      base,
    );
  }
  if (response.status === 404) {
    const hint = vendorMessage && /^Domain not found/i.test(vendorMessage) ? "; check the domain name and the client's region" : "";
    return new NotFoundError(`${what}: not found (HTTP 404)${detail}${hint}`, base);
  }
  if (response.status === 429 || response.status === 420) {
    // 420 with the same "limit exceeded" text has been reported (mailgun-java #50): a rejection, not a send.
    const retryAfterMs = mailgunRetryAfterMs(response, vendorMessage, now());
    return new RateLimitedError(
      `${what} was rate limited (HTTP ${response.status})${detail}; ${retryAfterMs === undefined ? "no retry time given" : `retry in ${retryAfterMs} ms`}`,
      { ...base, retryAfterMs, mayHaveReachedVendor: false },
    );
  }
  return errorFromStatus({ ...base, retryAfterMs: parseRetryAfter(response.headers["retry-after"], now()) });
}

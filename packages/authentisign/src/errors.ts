/**
 * Authentisign's error vocabulary (shared/vendors/authentisign.md §3): most operations declare
 * `{ code, message, details[] }` (served as JSON, or as text/plain / text/json), a few declare
 * ASP.NET ProblemDetails `{ type, title, status, detail, instance }` for 400/401/404, never as
 * `application/problem+json`. The meaning of `code` is undocumented, so errors are classified
 * by HTTP status and the body supplies the message, the vendor code and field issues.
 */
import {
  errorFromStatus,
  IntegrationError,
  parseRetryAfter,
  ValidationError,
  type FieldIssue,
  type HttpResponse,
  type IntegrationErrorOptions,
} from "@connect/core";
import { AUTHENTISIGN } from "./assumptions.js";

/** What an Authentisign error body says, whichever of its two shapes it came in. @public */
export interface AuthentisignErrorBody {
  /** `code` of `{code,message,details}`, or ProblemDetails `type`/`title`. */
  code: string | undefined;
  message: string | undefined;
  /** `details[]`, or ValidationProblemDetails `errors` flattened to `field: message`. */
  details: string[];
  /** Field issues when the body names fields (ValidationProblemDetails `errors`). */
  issues: FieldIssue[];
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);

/** Read either error shape (or a plain-text body). @public */
export function readAuthentisignError(body: unknown, rawText?: string): AuthentisignErrorBody {
  if (body && typeof body === "object" && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const issues: FieldIssue[] = [];
    const details: string[] = Array.isArray(b.details) ? b.details.map((d) => (typeof d === "string" ? d : JSON.stringify(d))) : [];
    // ASP.NET ValidationProblemDetails: `errors: { "Participants[0].Email": ["…"] }`.
    if (b.errors && typeof b.errors === "object" && !Array.isArray(b.errors)) {
      for (const [field, messages] of Object.entries(b.errors as Record<string, unknown>)) {
        for (const message of Array.isArray(messages) ? messages : [messages]) {
          issues.push({ path: field || "(root)", message: String(message) });
          details.push(`${field}: ${String(message)}`);
        }
      }
    }
    if ("code" in b || "message" in b) {
      const code = typeof b.code === "number" || typeof b.code === "string" ? String(b.code) : undefined;
      return { code, message: text(b.message), details, issues };
    }
    if ("title" in b || "detail" in b || "type" in b) {
      const message = [text(b.title), text(b.detail)].filter(Boolean).join(": ") || undefined;
      return { code: text(b.type) ?? text(b.title), message, details, issues };
    }
  }
  const raw = text(typeof body === "string" ? body : rawText);
  return { code: undefined, message: raw && raw.length < 500 ? raw : undefined, details: [], issues: [] };
}

/**
 * Map an Authentisign error response to the SDK's error classes by status: 400/422
 * `ValidationError` (with every detail as an issue), 401 `AuthError`, 403 `ForbiddenError`,
 * 404 `NotFoundError`, 409 `ConflictError`, 429 `RateLimitedError` (Retry-After seconds),
 * 5xx `ServerError`.
 * @public
 */
export function classifyAuthentisignError(response: HttpResponse, options: { operation?: string; now?: () => number } = {}): IntegrationError {
  const read = readAuthentisignError(response.body, response.rawText);
  const vendorMessage = [read.message, ...read.details.filter((d) => d !== read.message)].filter(Boolean).join("; ") || undefined;
  const base: IntegrationErrorOptions = {
    vendor: AUTHENTISIGN,
    operation: options.operation,
    status: response.status,
    vendorCode: read.code,
    vendorMessage,
    requestId: response.requestId,
  };
  if (response.status === 400 || response.status === 422) {
    const issues = read.issues.length > 0 ? read.issues : read.details.map((d) => ({ path: "(root)", message: d }));
    return new ValidationError(`rejected as invalid (HTTP ${response.status})${vendorMessage ? `: ${vendorMessage}` : ""}`, { ...base, issues });
  }
  return errorFromStatus({ ...base, status: response.status, retryAfterMs: parseRetryAfter(response.headers["retry-after"], (options.now ?? Date.now)()) });
}

/**
 * The signing was created but a later step (setting its callback URL, adding CCs, sending it)
 * failed: nothing was sent to the participants. Do not create it again (elsewhere either);
 * finish it with `signings.send({ signingId })`, or delete it. Not retryable as a whole.
 * @public
 */
export class SigningNotSentError extends IntegrationError {
  /** The signing that exists as a draft. */
  readonly signingId: string;
  /** Which step failed: `callback`, `ccs` or `send`. */
  readonly step: "callback" | "ccs" | "send";
  /** Create the error around the step's failure. */
  constructor(message: string, options: IntegrationErrorOptions & { signingId: string; step: "callback" | "ccs" | "send" }) {
    super(message, { ...options, retryable: false });
    this.signingId = options.signingId;
    this.step = options.step;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), signingId: this.signingId, step: this.step };
  }
}

/** Wrap the failure of a step after the upload into a {@link SigningNotSentError}. @internal */
export function notSent(error: unknown, signingId: string, step: SigningNotSentError["step"]): SigningNotSentError {
  const inner = IntegrationError.is(error) ? error : undefined;
  const what = step === "callback" ? "setting its callback URL" : step === "ccs" ? "adding its CCs" : "sending it";
  return new SigningNotSentError(
    `signing ${signingId} was created as a draft but ${what} failed (${(error as Error)?.message ?? String(error)}); finish it with signings.send({ signingId }) or delete it — do not create it again`,
    {
      vendor: AUTHENTISIGN,
      operation: "signings.create",
      status: inner?.status,
      vendorCode: inner?.vendorCode,
      vendorMessage: inner?.vendorMessage,
      requestId: inner?.requestId,
      correlationId: inner?.correlationId,
      attempts: inner?.attempts,
      cause: error,
      signingId,
      step,
    },
  );
}

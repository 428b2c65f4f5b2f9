/**
 * BPO's error vocabulary and the package's own errors. The spec gives no error body, so the
 * mapping reads the shapes a Firebase-backed API commonly answers with [uncertain]:
 * `{ error: { code, message, details: [{ field, message }] } }`, `{ error: "text" }`,
 * `{ message }` and `{ errors: [{ field, message }] }`. Status decides the class.
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
import type { BpoImportReport } from "./import/import.js";

/** Vendor id on every error and span. @public */
export const BPO_VENDOR = "bpo";

interface ReadBody {
  code: string | undefined;
  message: string | undefined;
  issues: FieldIssue[];
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

function readIssues(list: unknown): FieldIssue[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((d): d is Record<string, unknown> => !!d && typeof d === "object")
    .map((d) => ({ path: str(d.field) ?? str(d.path) ?? "(root)", message: str(d.message) ?? str(d.description) ?? "invalid" }));
}

/** Read code, message and field issues from an error body. @internal */
export function readBpoErrorBody(body: unknown, rawText?: string): ReadBody {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    if (b.error && typeof b.error === "object") {
      const e = b.error as Record<string, unknown>;
      return { code: str(e.code) ?? str(e.status), message: str(e.message), issues: readIssues(e.details ?? e.errors) };
    }
    if (Array.isArray(b.errors)) {
      const issues = readIssues(b.errors);
      return { code: str(b.code), message: str(b.message) ?? issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues };
    }
    return { code: str(b.code), message: str(b.error) ?? str(b.message), issues: readIssues(b.details) };
  }
  const text = rawText?.trim();
  return { code: undefined, message: text && text.length < 500 ? text : undefined, issues: [] };
}

/**
 * Map a BPO error response to the SDK's error classes (400/422 → ValidationError with the
 * field issues, 401 AuthError, 403 ForbiddenError, 404 NotFoundError, 409 ConflictError,
 * 429 RateLimitedError after Retry-After, 5xx ServerError).
 * @public
 */
export function classifyBpoError(response: HttpResponse, options: { operation?: string; now?: () => number } = {}): IntegrationError {
  const now = options.now ?? Date.now;
  const { code, message, issues } = readBpoErrorBody(response.body, response.rawText);
  const base: IntegrationErrorOptions = {
    vendor: BPO_VENDOR,
    operation: options.operation,
    status: response.status,
    vendorCode: code,
    vendorMessage: message,
    requestId: response.requestId,
  };
  if (response.status === 400 || response.status === 422) {
    return new ValidationError(`rejected as invalid (HTTP ${response.status})${message ? `: ${message}` : ""}`, { ...base, issues });
  }
  return errorFromStatus({ ...base, status: response.status, retryAfterMs: parseRetryAfter(response.headers["retry-after"], now()) });
}

/**
 * A write refused because the client is in read-only mode (the BPO deprecation plan's
 * day-91 step): nothing was sent. Reads and the batch import keep working.
 * @public
 */
export class BpoReadOnlyError extends IntegrationError {
  /** Create a read-only error for `operation`. */
  constructor(operation: string) {
    super(
      `bpo ${operation}: refused — the BPO client is read-only (readOnly: true, the deprecation plan's day-91 step); nothing was sent. Write to the platform instead, or create the client without readOnly while BPO still accepts writes`,
      { vendor: BPO_VENDOR, operation, vendorCode: "READ_ONLY", retryable: false, mayHaveReachedVendor: false },
    );
  }
}

/**
 * An export file that cannot be imported at all: a missing required column, duplicate column
 * names, an unknown format. Raised before any row is read; single bad rows never raise it.
 * @public
 */
export class BpoExportFormatError extends ValidationError {}

/** An import that stopped early (aborted, or the store kept failing); `report` holds what was done. @public */
export class BpoImportAbortedError extends IntegrationError {
  /** The report up to the row where the import stopped. */
  readonly report: BpoImportReport;
  /** Create an aborted-import error carrying the partial report. */
  constructor(message: string, options: IntegrationErrorOptions & { report: BpoImportReport }) {
    super(message, { ...options, vendor: BPO_VENDOR, operation: options.operation ?? "export.import" });
    this.report = options.report;
  }
}

/**
 * Twilio's error vocabulary (shared/vendors/twilio.md §3). Every REST error carries
 * `{ code, message, more_info, status }`; the numeric `code` decides the SDK error class and is
 * kept as `vendorCode`. Delivery errors (30xxx) are not HTTP errors: they arrive on the Message
 * and in status callbacks, and {@link describeDeliveryError} explains them.
 */
import {
  AuthError,
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

/** Twilio's REST error body. @public */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info?: string | undefined;
  status?: number | undefined;
  details?: unknown;
}

/**
 * The recipient texted STOP (Twilio error 21610): Twilio blocks every message to them until
 * they text START. Not charged, permanent: suppress the recipient, do not retry.
 * @public
 */
export class RecipientOptedOutError extends ForbiddenError {
  /** The recipient, when the SDK knows it. */
  recipient: string | undefined;
  /** Create an opted-out error. */
  constructor(message: string, options: IntegrationErrorOptions & { recipient?: string | undefined } = {}) {
    super(message, { ...options, retryable: false });
    this.recipient = options.recipient;
  }
}

/**
 * Twilio cannot text this `To` (21211 invalid number, 21612 not reachable by SMS, 21614 not a
 * mobile number): fix or drop the number.
 * @public
 */
export class InvalidRecipientError extends ValidationError {}

/** One mapped REST error code. @public */
export interface TwilioErrorCodeInfo {
  /** SDK error class the code becomes. */
  error: "AuthError" | "NotFoundError" | "RateLimitedError" | "ServerError" | "ValidationError" | "InvalidRecipientError" | "ForbiddenError" | "RecipientOptedOutError";
  /** Input field it points at, when it does. */
  field?: string | undefined;
  /** What it means. */
  meaning: string;
}

/** The REST error codes the SDK maps (shared/vendors/twilio.md §3). @public */
export const TWILIO_ERROR_CODES: Readonly<Record<number, TwilioErrorCodeInfo>> = {
  20003: { error: "AuthError", meaning: "authentication failed: check the Account SID and the Auth Token or API key" },
  20404: { error: "NotFoundError", meaning: "the resource was not found" },
  20429: { error: "RateLimitedError", meaning: "too many concurrent requests; nothing was processed" },
  20500: { error: "ServerError", meaning: "Twilio server error" },
  21211: { error: "InvalidRecipientError", field: "to", meaning: "the To number is not a valid phone number" },
  21212: { error: "ValidationError", field: "from", meaning: "the From number is not a valid phone number, short code or alphanumeric sender ID" },
  21606: { error: "ValidationError", field: "from", meaning: "the From number is not a message-capable number of this account" },
  21408: { error: "ForbiddenError", field: "to", meaning: "the account has no geo permission to send to this region" },
  21602: { error: "ValidationError", field: "body", meaning: "a message body (or media) is required" },
  21617: { error: "ValidationError", field: "body", meaning: "the concatenated body exceeds 1600 characters" },
  21608: { error: "ForbiddenError", field: "to", meaning: "trial accounts can only send to verified numbers" },
  21610: { error: "RecipientOptedOutError", field: "to", meaning: "the recipient replied STOP and is unsubscribed" },
  21611: { error: "RateLimitedError", field: "from", meaning: "the sender's queue is full; the message was not created" },
  21612: { error: "InvalidRecipientError", field: "to", meaning: "the To number is not reachable via SMS" },
  21614: { error: "InvalidRecipientError", field: "to", meaning: "the To number is not a mobile number" },
};

/** Read `{ code, message }` from an error response body (or a non-JSON text). @internal */
export function readTwilioError(body: unknown, rawText?: string): Partial<TwilioErrorBody> {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    const code = typeof b.code === "number" ? b.code : typeof b.code === "string" && /^\d+$/.test(b.code) ? Number(b.code) : undefined;
    return {
      code,
      message: typeof b.message === "string" ? b.message : undefined,
      more_info: typeof b.more_info === "string" ? b.more_info : undefined,
      status: typeof b.status === "number" ? b.status : undefined,
    };
  }
  if (typeof rawText === "string" && rawText.trim() !== "" && rawText.length < 500) return { message: rawText.trim() };
  return {};
}

/**
 * Map a Twilio error response to the SDK's error classes by its `code` (then by HTTP status),
 * keeping the code as `vendorCode`. Returns an error for every status ≥ 400.
 * @public
 */
export function classifyTwilioError(response: HttpResponse, options: { operation?: string | undefined; recipient?: string | undefined; now?: () => number } = {}): IntegrationError {
  const parsed = readTwilioError(response.body, response.rawText);
  const code = parsed.code;
  const info = code === undefined ? undefined : TWILIO_ERROR_CODES[code];
  const vendorMessage = parsed.message;
  const base = {
    vendor: "twilio",
    operation: options.operation,
    status: response.status,
    vendorCode: code === undefined ? undefined : String(code),
    vendorMessage,
    requestId: response.requestId,
  };
  const detail = `${code === undefined ? "" : ` ${code}`}${vendorMessage ? `: ${vendorMessage}` : ""}${parsed.more_info ? ` (${parsed.more_info})` : ""}`;
  const issues = info?.field ? [{ path: info.field, message: vendorMessage ?? info.meaning, code: String(code) }] : [];
  const now = options.now ?? Date.now;
  switch (info?.error) {
    case "AuthError":
      return new AuthError(`authentication failed (HTTP ${response.status}, Twilio error${detail}); check the Account SID and the Auth Token or API key`, base);
    case "NotFoundError":
      return new NotFoundError(`not found (Twilio error${detail})`, base);
    case "RateLimitedError":
      // 20429 and 21611 are refusals before anything was created: always safe to retry after backoff.
      return new RateLimitedError(`rate limited (Twilio error${detail}); nothing was sent`, {
        ...base,
        mayHaveReachedVendor: false,
        retryAfterMs: parseRetryAfter(response.headers["retry-after"], now()),
      });
    case "ServerError":
      return new ServerError(`Twilio failed (HTTP ${response.status}, Twilio error${detail})`, base);
    case "InvalidRecipientError":
      return new InvalidRecipientError(`${info.meaning} (Twilio error${detail})`, { ...base, issues });
    case "ValidationError":
      return new ValidationError(`${info.meaning} (Twilio error${detail})`, { ...base, issues });
    case "RecipientOptedOutError":
      return new RecipientOptedOutError(`${info.meaning}; suppress this recipient until they text START (Twilio error${detail})`, { ...base, recipient: options.recipient });
    case "ForbiddenError":
      return new ForbiddenError(`${info.meaning} (Twilio error${detail})`, base);
    default:
      return errorFromStatus({ ...base, retryAfterMs: parseRetryAfter(response.headers["retry-after"], now()) });
  }
}

/** What a delivery error code (on a Message or in a status callback) means. @public */
export interface DeliveryErrorInfo {
  code: number;
  /** What happened. */
  meaning: string;
  /**
   * SDK judgement, not Twilio's: true when sending the same message later may succeed
   * (queue overflow, an unreachable handset, an unknown error); false for a number or
   * content that will keep failing.
   */
  transient: boolean;
}

const DELIVERY_ERRORS: Record<number, Omit<DeliveryErrorInfo, "code">> = {
  30001: { meaning: "queue overflow: too many messages queued for the sender", transient: true },
  30002: { meaning: "account suspended", transient: false },
  30003: { meaning: "unreachable destination handset (off, out of coverage)", transient: true },
  30004: { meaning: "message blocked (by the recipient or the carrier)", transient: false },
  30005: { meaning: "unknown destination handset (number inactive)", transient: false },
  30006: { meaning: "landline or unreachable carrier", transient: false },
  30007: { meaning: "carrier filtered the message (spam / content)", transient: false },
  30008: { meaning: "unknown delivery error", transient: true },
  30032: { meaning: "toll-free number not verified", transient: false },
  30034: { meaning: "US A2P 10DLC: the sending number is not registered to a campaign", transient: false },
};

/**
 * Explain a delivery error code (30xxx); unknown codes come back as `unknown delivery error`.
 * @example describeDeliveryError(30003) // { code: 30003, meaning: "unreachable destination handset …", transient: true }
 * @public
 */
export function describeDeliveryError(code: number): DeliveryErrorInfo {
  const known = DELIVERY_ERRORS[code];
  return known ? { code, ...known } : { code, meaning: `delivery error ${code} (not in the SDK's table; see https://www.twilio.com/docs/api/errors/${code})`, transient: false };
}

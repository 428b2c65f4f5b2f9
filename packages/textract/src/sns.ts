/**
 * Textract completion notifications delivered by SNS: parse (SNS HTTPS envelope, SQS body with
 * the envelope as a JSON string, raw delivery, Lambda record) per shared/vendors/textract.md §6.
 * The SNS signature verifier itself lives in `@connect/core/aws` (shared with other AWS
 * packages); it is re-exported here so existing imports keep working.
 */
import { ValidationError } from "@connect/core";
import {
  createSnsVerifier as createCoreSnsVerifier,
  DEFAULT_SNS_TOLERANCE_SECONDS,
  normaliseSnsEnvelope,
  snsStringToSign,
  type SnsEnvelope,
  type SnsVerifier,
  type SnsVerifierOptions,
} from "@connect/core/aws";

export { DEFAULT_SNS_TOLERANCE_SECONDS, snsStringToSign, type SnsEnvelope, type SnsVerifier, type SnsVerifierOptions };

/** The Textract payload inside the SNS message. Its `status` is not final: re-read it from Get (it may be PARTIAL_SUCCESS). @public */
export interface TextractNotification {
  jobId: string;
  status: "SUCCEEDED" | "FAILED" | "ERROR";
  api: string;
  jobTag: string | undefined;
  /** Completion time (the payload's `Timestamp` is epoch milliseconds). */
  timestamp: Date;
  documentLocation: { bucket: string | undefined; name: string | undefined } | undefined;
}

/** A parsed delivery: the notification and, when delivered wrapped, its SNS envelope (to verify). @public */
export interface ParsedNotification {
  notification: TextractNotification;
  envelope: SnsEnvelope | undefined;
}

const VENDOR = "textract";

function invalid(message: string): ValidationError {
  return new ValidationError(`textract notification: ${message}`, { vendor: VENDOR, operation: "notifications.parse", issues: [{ path: "(root)", message }] });
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(`${what} is not JSON`);
  }
}

function toNotification(payload: unknown): TextractNotification {
  if (!payload || typeof payload !== "object") throw invalid("the Textract message is not an object");
  const p = payload as Record<string, unknown>;
  if (typeof p.JobId !== "string" || p.JobId === "") throw invalid("JobId is missing");
  if (p.Status !== "SUCCEEDED" && p.Status !== "FAILED" && p.Status !== "ERROR") throw invalid(`Status ${JSON.stringify(p.Status)} is not SUCCEEDED, FAILED or ERROR`);
  if (typeof p.Timestamp !== "number") throw invalid("Timestamp (epoch milliseconds) is missing");
  const loc = p.DocumentLocation as Record<string, unknown> | undefined;
  return {
    jobId: p.JobId,
    status: p.Status,
    api: typeof p.API === "string" ? p.API : "",
    jobTag: typeof p.JobTag === "string" ? p.JobTag : undefined,
    timestamp: new Date(p.Timestamp),
    documentLocation: loc
      ? { bucket: typeof loc.S3Bucket === "string" ? loc.S3Bucket : undefined, name: typeof loc.S3ObjectName === "string" ? loc.S3ObjectName : undefined }
      : undefined,
  };
}

/**
 * Parse a Textract completion notification from an SNS HTTPS body, an SQS message body
 * (JSON inside JSON), a raw-delivery body, or a Lambda `Records[i].Sns` object.
 * Throws `ValidationError` on anything else.
 * @public
 */
export function parseTextractNotification(input: string | Buffer | Record<string, unknown>): ParsedNotification {
  const value = typeof input === "string" || Buffer.isBuffer(input) ? parseJson(input.toString(), "the body") : input;
  if (!value || typeof value !== "object") throw invalid("the body is not an object");
  const record = value as Record<string, unknown>;
  if ("JobId" in record) return { notification: toNotification(record), envelope: undefined };
  if (typeof record.Type === "string" && typeof record.Message === "string") {
    if (record.Type !== "Notification") throw invalid(`SNS message type ${record.Type} is not a Notification`);
    return { notification: toNotification(parseJson(record.Message, "the SNS Message")), envelope: normaliseSnsEnvelope(record) };
  }
  throw invalid("neither an SNS envelope nor a Textract message");
}

/**
 * Create an SNS signature verifier with a certificate cache (core's `createSnsVerifier` from
 * `@connect/core/aws`, with `vendor: "textract"` on its errors).
 * @example
 * const verifier = createSnsVerifier({ topicArns: ["arn:aws:sns:us-east-1:111122223333:textract"] });
 * await verifier.verifyEnvelope(parseTextractNotification(body).envelope!);
 * @public
 */
export function createSnsVerifier(options: SnsVerifierOptions = {}): SnsVerifier {
  return createCoreSnsVerifier({ vendor: VENDOR, ...options });
}

/**
 * Textract completion notifications delivered by SNS: parse (SNS HTTPS envelope, SQS body with
 * the envelope as a JSON string, raw delivery, Lambda record) and verify the SNS signature
 * (SignatureVersion 1 = RSA-SHA1, 2 = RSA-SHA256) per shared/vendors/textract.md §6.
 */
import { createPublicKey, createVerify, X509Certificate, type KeyObject } from "node:crypto";
import { ValidationError, WebhookVerificationError, type WebhookRequest, type WebhookVerifier } from "@connect/core";

/** The SNS message envelope (HTTPS delivery, or an SQS body without raw delivery). @public */
export interface SnsEnvelope {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  Subject?: string | undefined;
  UnsubscribeURL?: string | undefined;
  SubscribeURL?: string | undefined;
  Token?: string | undefined;
}

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

/** Normalise a Lambda `Sns` record (SigningCertUrl / UnsubscribeUrl) to the HTTPS spelling. */
function asEnvelope(value: Record<string, unknown>): SnsEnvelope {
  const v = { ...value };
  if (v.SigningCertURL === undefined && v.SigningCertUrl !== undefined) v.SigningCertURL = v.SigningCertUrl;
  if (v.UnsubscribeURL === undefined && v.UnsubscribeUrl !== undefined) v.UnsubscribeURL = v.UnsubscribeUrl;
  delete v.SigningCertUrl;
  delete v.UnsubscribeUrl;
  return v as unknown as SnsEnvelope;
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
    return { notification: toNotification(parseJson(record.Message, "the SNS Message")), envelope: asEnvelope(record) };
  }
  throw invalid("neither an SNS envelope nor a Textract message");
}

/** Options of {@link createSnsVerifier}. @public */
export interface SnsVerifierOptions {
  /** Accept only these topics (recommended). */
  topicArns?: readonly string[] | undefined;
  /** Certificate host pattern; default AWS SNS hosts `sns.<region>.amazonaws.com(.cn)`. */
  certificateHost?: RegExp | undefined;
  /** Fetch a certificate PEM (default: globalThis.fetch over https). */
  fetchCertificate?: ((url: string) => Promise<string>) | undefined;
  /**
   * Test hook: certificates trusted by URL without fetching (the fake's test certificate).
   * The URL must still pass the host check.
   */
  trustedCertificates?: Readonly<Record<string, string>> | undefined;
  /** Cached certificates kept (default 32). */
  cacheSize?: number | undefined;
  /**
   * Replay window: the largest distance, in seconds, between a message's signed `Timestamp` and
   * now. SNS stops retrying an HTTP/S delivery within 3,600 s (a hard limit), so the default
   * 3,900 s (with 300 s for clock skew) refuses a replayed message. Applied to HTTPS deliveries
   * (`verify`); `verifyEnvelope` (an envelope read from SQS, maybe much later) applies it only
   * when this option is set.
   */
  toleranceSeconds?: number | undefined;
  /** Clock (epoch ms), for tests. */
  now?: (() => number) | undefined;
}

/** Default replay window of SNS HTTPS deliveries (seconds): SNS's 3,600 s retry limit plus 300 s of clock skew. @public */
export const DEFAULT_SNS_TOLERANCE_SECONDS = 3_900;

/** Verifies SNS message signatures; usable as a core `WebhookVerifier`. @public */
export interface SnsVerifier extends WebhookVerifier {
  /** Verify a parsed envelope; throws `WebhookVerificationError` with a `reason` (the replay window only when `toleranceSeconds` was set). */
  verifyEnvelope(envelope: SnsEnvelope): Promise<void>;
  /** Test hook: trust a certificate PEM for a URL. */
  trustCertificate(url: string, pem: string): void;
  /** Certificates fetched so far (for cache assertions). */
  readonly fetches: number;
}

const DEFAULT_HOST = /^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$/;
const REQUIRED = ["Message", "MessageId", "Timestamp", "TopicArn", "Type", "Signature", "SigningCertURL", "SignatureVersion"] as const;

/** The string SNS signs: `key\nvalue\n` for each present key, in the documented order. @public */
export function snsStringToSign(envelope: SnsEnvelope): string {
  const keys =
    envelope.Type === "Notification"
      ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
      : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
  const e = envelope as unknown as Record<string, unknown>;
  return keys
    .filter((k) => typeof e[k] === "string")
    .map((k) => `${k}\n${e[k] as string}\n`)
    .join("");
}

function fail(reason: string, message: string): WebhookVerificationError {
  return new WebhookVerificationError(`textract SNS notification failed verification: ${message}`, { vendor: VENDOR, operation: "notifications.verify", reason });
}

async function defaultFetch(url: string): Promise<string> {
  const res = await globalThis.fetch(url, { redirect: "error" });
  if (!res.ok) throw new Error(`certificate download returned ${res.status}`);
  return res.text();
}

/**
 * Create an SNS signature verifier with a certificate cache.
 * @example
 * const verifier = createSnsVerifier({ topicArns: ["arn:aws:sns:us-east-1:111122223333:textract"] });
 * await verifier.verifyEnvelope(parseTextractNotification(body).envelope!);
 * @public
 */
export function createSnsVerifier(options: SnsVerifierOptions = {}): SnsVerifier {
  const hostPattern = options.certificateHost ?? DEFAULT_HOST;
  const fetchCertificate = options.fetchCertificate ?? defaultFetch;
  const cacheSize = options.cacheSize ?? 32;
  const trusted = new Map(Object.entries(options.trustedCertificates ?? {}));
  const cache = new Map<string, Promise<KeyObject>>();
  let fetches = 0;

  function certificateKey(url: string): Promise<KeyObject> {
    const cached = cache.get(url);
    if (cached) return cached;
    const pending = (async () => {
      const pem = trusted.get(url) ?? (fetches++, await fetchCertificate(url));
      return pem.includes("BEGIN CERTIFICATE") ? new X509Certificate(pem).publicKey : createPublicKey(pem);
    })();
    pending.catch(() => cache.delete(url));
    cache.set(url, pending);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
    return pending;
  }

  const now = options.now ?? Date.now;
  /** Refuse a message signed outside the replay window (checked after the signature, so the timestamp is authentic). */
  function assertFresh(envelope: SnsEnvelope, toleranceSeconds: number): void {
    const signedAt = Date.parse(envelope.Timestamp);
    if (Number.isNaN(signedAt)) throw fail("malformed_timestamp", `Timestamp ${JSON.stringify(envelope.Timestamp.slice(0, 40))} is not an ISO 8601 time`);
    const skewSeconds = Math.round((now() - signedAt) / 1000);
    if (Math.abs(skewSeconds) > toleranceSeconds) {
      throw fail(
        "stale_timestamp",
        `the message was signed ${skewSeconds > 0 ? `${skewSeconds} s ago` : `${-skewSeconds} s in the future`}, outside the ${toleranceSeconds} s replay window (a replayed message, or a server clock that is off)`,
      );
    }
  }

  async function verifyEnvelope(envelope: SnsEnvelope, toleranceSeconds = options.toleranceSeconds): Promise<void> {
    const e = envelope as unknown as Record<string, unknown>;
    for (const key of REQUIRED) if (typeof e[key] !== "string" || e[key] === "") throw fail("missing_field", `${key} is missing`);
    if (envelope.Type !== "Notification" && envelope.Type !== "SubscriptionConfirmation" && envelope.Type !== "UnsubscribeConfirmation") {
      throw fail("wrong_type", `message type ${envelope.Type} is not an SNS message type`);
    }
    if (options.topicArns && !options.topicArns.includes(envelope.TopicArn)) throw fail("unexpected_topic", `topic ${envelope.TopicArn} is not an accepted topic`);
    let url: URL;
    try {
      url = new URL(envelope.SigningCertURL);
    } catch {
      throw fail("bad_certificate_url", "SigningCertURL is not a URL");
    }
    if (url.protocol !== "https:" || !url.pathname.endsWith(".pem") || !hostPattern.test(url.hostname)) {
      throw fail("bad_certificate_url", `SigningCertURL ${url.origin}${url.pathname} is not an https .pem on an AWS SNS host`);
    }
    const algorithm = envelope.SignatureVersion === "1" ? "RSA-SHA1" : envelope.SignatureVersion === "2" ? "RSA-SHA256" : undefined;
    if (!algorithm) throw fail("unsupported_signature_version", `SignatureVersion ${envelope.SignatureVersion} is not 1 or 2`);
    let key: KeyObject;
    try {
      key = await certificateKey(envelope.SigningCertURL);
    } catch (error) {
      throw fail("certificate_unavailable", `could not load the signing certificate (${(error as Error).message})`);
    }
    const ok = createVerify(algorithm).update(snsStringToSign(envelope), "utf8").verify(key, envelope.Signature, "base64");
    if (!ok) throw fail("bad_signature", "the signature does not match (was the body changed or re-serialised before verification?)");
    if (toleranceSeconds !== undefined) assertFresh(envelope, toleranceSeconds);
  }

  return {
    verifyEnvelope: (envelope) => verifyEnvelope(envelope),
    trustCertificate(url, pem) {
      trusted.set(url, pem);
      cache.delete(url);
    },
    get fetches() {
      return fetches;
    },
    async verify(req: WebhookRequest): Promise<void> {
      let body: unknown;
      try {
        body = JSON.parse(req.rawBody.toString("utf8"));
      } catch {
        throw fail("malformed_body", "the body is not JSON");
      }
      if (!body || typeof body !== "object" || typeof (body as Record<string, unknown>).Type !== "string") {
        throw fail("not_sns", "the body is not an SNS message envelope");
      }
      const envelope = asEnvelope(body as Record<string, unknown>);
      const header = req.headers["x-amz-sns-message-type"];
      if (header !== undefined && header !== envelope.Type) throw fail("wrong_type", `header message type ${header} differs from the body's ${envelope.Type}`);
      await verifyEnvelope(envelope, options.toleranceSeconds ?? DEFAULT_SNS_TOLERANCE_SECONDS);
    },
  };
}

/**
 * SNS message signatures (SignatureVersion 1 = RSA-SHA1, 2 = RSA-SHA256), checked as SNS
 * documents it: the certificate URL must be an https `.pem` on an SNS host, the string to sign
 * is rebuilt from the envelope's fields, and an HTTPS delivery must be fresh (replay window).
 * Used by every AWS package whose events arrive through SNS (Textract completions, SES events);
 * see shared/vendors/textract.md §6. Only node:crypto: nothing here loads the AWS SDK.
 */
import { createPublicKey, createVerify, X509Certificate, type KeyObject } from "node:crypto";
// Through "@connect/core" (not ../errors.js) so the built aws entry shares the main entry's classes; see ./errors.ts.
import { WebhookVerificationError, type WebhookRequest, type WebhookVerifier } from "@connect/core";

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

/**
 * An SNS envelope from a parsed body: a Lambda `Sns` record's `SigningCertUrl` / `UnsubscribeUrl`
 * become the HTTPS spelling (`SigningCertURL` / `UnsubscribeURL`); other fields are kept as they are.
 * @public
 */
export function normaliseSnsEnvelope(value: Record<string, unknown>): SnsEnvelope {
  const v = { ...value };
  if (v.SigningCertURL === undefined && v.SigningCertUrl !== undefined) v.SigningCertURL = v.SigningCertUrl;
  if (v.UnsubscribeURL === undefined && v.UnsubscribeUrl !== undefined) v.UnsubscribeURL = v.UnsubscribeUrl;
  delete v.SigningCertUrl;
  delete v.UnsubscribeUrl;
  return v as unknown as SnsEnvelope;
}

/** Options of {@link createSnsVerifier}. @public */
export interface SnsVerifierOptions {
  /** Vendor id carried by verification errors (`textract`, `ses` …). Default `sns`. */
  vendor?: string | undefined;
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

/** Hosts AWS serves SNS signing certificates from: `sns.<region>.amazonaws.com(.cn)`. @public */
export const SNS_CERTIFICATE_HOST = /^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$/;
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


async function defaultFetch(url: string): Promise<string> {
  const res = await globalThis.fetch(url, { redirect: "error" });
  if (!res.ok) throw new Error(`certificate download returned ${res.status}`);
  return res.text();
}

/**
 * Create an SNS signature verifier with a certificate cache.
 * @example
 * import { createSnsVerifier, normaliseSnsEnvelope } from "@connect/core/aws";
 * const verifier = createSnsVerifier({ vendor: "ses", topicArns: ["arn:aws:sns:us-east-1:111122223333:ses-events"] });
 * await verifier.verifyEnvelope(normaliseSnsEnvelope(JSON.parse(sqsMessageBody)));
 * @public
 */
export function createSnsVerifier(options: SnsVerifierOptions = {}): SnsVerifier {
  const vendor = options.vendor ?? "sns";
  const fail = (reason: string, message: string): WebhookVerificationError =>
    new WebhookVerificationError(`${vendor} SNS message failed verification: ${message}`, { vendor, operation: "notifications.verify", reason });
  const hostPattern = options.certificateHost ?? SNS_CERTIFICATE_HOST;
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
      const envelope = normaliseSnsEnvelope(body as Record<string, unknown>);
      const header = req.headers["x-amz-sns-message-type"];
      if (header !== undefined && header !== envelope.Type) throw fail("wrong_type", `header message type ${header} differs from the body's ${envelope.Type}`);
      await verifyEnvelope(envelope, options.toleranceSeconds ?? DEFAULT_SNS_TOLERANCE_SECONDS);
    },
  };
}

/**
 * A test signer for SendGrid's Signed Event Webhook: its own P-256 key pair, the public
 * key exported as SendGrid shows it (base64 DER SubjectPublicKeyInfo), DER signatures over
 * timestamp + raw body — so hosts can test their own receivers without SendGrid.
 */
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";

/** Signs event webhook bodies like SendGrid does. @public */
export interface EventWebhookSigner {
  /** The verification key: base64 DER SPKI, as SendGrid's UI/API shows it. */
  readonly publicKey: string;
  /** The same key as PEM. */
  readonly publicKeyPem: string;
  /** Headers for a body signed at `timestamp` (unix seconds; now by default). */
  sign(rawBody: Uint8Array | string, timestamp?: number | string): Record<string, string>;
}

/** Create a signer with a fresh P-256 key pair (one per fake / test run). @public */
export function createEventWebhookSigner(options: { now?: () => number } = {}): EventWebhookSigner {
  const { publicKey, privateKey }: { publicKey: KeyObject; privateKey: KeyObject } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const now = options.now ?? Date.now;
  return {
    publicKey: publicKey.export({ format: "der", type: "spki" }).toString("base64"),
    publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
    sign(rawBody, timestamp = Math.floor(now() / 1000)) {
      const ts = String(timestamp);
      const body = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : Buffer.from(rawBody);
      const signature = sign("sha256", Buffer.concat([Buffer.from(ts, "utf8"), body]), privateKey).toString("base64");
      return {
        "x-twilio-email-event-webhook-signature": signature,
        "x-twilio-email-event-webhook-timestamp": ts,
      };
    },
  };
}

/**
 * Serialise events the way SendGrid's payloads look on the wire: a JSON array with CRLF
 * between objects and a trailing CRLF (shared/vendors/sendgrid.md §6) — so a receiver that
 * re-serialises the JSON fails verification here as it would in production.
 * @public
 */
export function serializeEventBatch(events: unknown[]): Buffer {
  return Buffer.from(`[${events.map((e) => JSON.stringify(e)).join(",\r\n")}]\r\n`, "utf8");
}

/**
 * Sign webhook bodies as Mailgun does (shared/vendors/mailgun.md §7): a fresh 50-character
 * token per delivery, the timestamp in epoch seconds as a string, and
 * hex(HMAC-SHA256(signing key, timestamp + token)) — so hosts can test their own receivers.
 */
import { createHmac, randomBytes } from "node:crypto";

/** A `signature` object of a webhook body. @public */
export interface FakeWebhookSignature {
  timestamp: string;
  token: string;
  signature: string;
}

/** Options of {@link signMailgunWebhook}. @public */
export interface SignWebhookOptions {
  /** Epoch seconds; now by default. */
  timestamp?: number | string | undefined;
  /** The token; a fresh random one by default. */
  token?: string | undefined;
  /** Clock (epoch ms) for the default timestamp. */
  now?: (() => number) | undefined;
}

/** Build a signed `signature` object. @public */
export function signMailgunWebhook(signingKey: string, options: SignWebhookOptions = {}): FakeWebhookSignature {
  const timestamp = String(options.timestamp ?? Math.floor((options.now ?? Date.now)() / 1000));
  // 50 hex characters, like Mailgun's tokens.
  const token = options.token ?? randomBytes(25).toString("hex");
  const signature = createHmac("sha256", signingKey).update(`${timestamp}${token}`, "utf8").digest("hex");
  return { timestamp, token, signature };
}

/** A whole webhook body for one event: `{ signature, "event-data" }`. @public */
export function mailgunWebhookBody(signingKey: string, eventData: Record<string, unknown>, options: SignWebhookOptions = {}): { signature: FakeWebhookSignature; "event-data": Record<string, unknown> } {
  return { signature: signMailgunWebhook(signingKey, options), "event-data": eventData };
}

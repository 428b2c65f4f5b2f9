/**
 * `x-xero-signature` = base64(HMAC-SHA256(webhook key, raw body)) (shared/vendors/xero.md §8).
 * Core's HMAC verifier does the work: constant-time compare, several keys during a rotation,
 * hints when the body was parsed and re-serialised first.
 */
import { hmacVerifier, type SecretSource, type WebhookVerifier } from "@connect/core";

/** The signature header. @public */
export const XERO_SIGNATURE_HEADER = "x-xero-signature";

/**
 * A verifier for Xero webhooks, keyed with the app's webhook key (not the client secret).
 * @example
 * const verifier = xeroWebhookVerifier({ webhookKey: process.env.XERO_WEBHOOK_KEY! });
 * @public
 */
export function xeroWebhookVerifier(options: { webhookKey: SecretSource }): WebhookVerifier {
  return hmacVerifier({ vendor: "xero", header: XERO_SIGNATURE_HEADER, algorithm: "sha256", encoding: "base64", secrets: options.webhookKey });
}

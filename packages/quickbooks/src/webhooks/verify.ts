/**
 * `intuit-signature` = base64(HMAC-SHA256(verifier token, raw body)), the same in both payload
 * formats (shared/vendors/quickbooks.md §8). Core's HMAC verifier does the work: constant-time
 * compare, several tokens during a rotation, hints when the body was parsed first.
 */
import { hmacVerifier, type SecretSource, type WebhookVerifier } from "@connect/core";

/** The signature header. @public */
export const QUICKBOOKS_SIGNATURE_HEADER = "intuit-signature";

/**
 * A verifier for QuickBooks webhooks. The key is the app's webhook Verifier Token (not the
 * client secret); pass several during a rotation.
 * @example
 * const verifier = quickBooksWebhookVerifier({ verifierToken: process.env.QBO_VERIFIER_TOKEN! });
 * @public
 */
export function quickBooksWebhookVerifier(options: { verifierToken: SecretSource }): WebhookVerifier {
  return hmacVerifier({ vendor: "quickbooks", header: QUICKBOOKS_SIGNATURE_HEADER, algorithm: "sha256", encoding: "base64", secrets: options.verifierToken });
}

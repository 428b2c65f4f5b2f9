/**
 * Connect HMAC (shared/vendors/docusign.md §5): one header per active account key,
 * `X-DocuSign-Signature-1 … -N`, each `base64(HMAC-SHA256(secret, raw body))` over the body
 * exactly as received, JSON and XML alike. Valid when any header matches any configured
 * secret; core's verifier compares in constant time.
 */
import { hmacVerifier, type SecretSource, type WebhookRequest, type WebhookVerifier } from "@connect/core";

/** Signature header names, lower case: `x-docusign-signature-1`, `-2` …. @public */
export const SIGNATURE_HEADER_PATTERN = /^x-docusign-signature-\d+$/;

/** A verifier for Connect messages signed with any of `secrets` (rotation: keep old and new). @public */
export function docuSignConnectVerifier(options: { secrets: SecretSource }): WebhookVerifier {
  return hmacVerifier({ vendor: "docusign", headerNames: [SIGNATURE_HEADER_PATTERN], algorithm: "sha256", encoding: "base64", secrets: options.secrets });
}

/**
 * Verify one request; resolves when authentic, rejects with `WebhookVerificationError`
 * (`reason`: missing_header, malformed_signature, bad_signature, body_parsed …) otherwise.
 * @public
 */
export async function verifyDocuSignSignature(request: WebhookRequest, secrets: SecretSource): Promise<void> {
  await docuSignConnectVerifier({ secrets }).verify(request);
}

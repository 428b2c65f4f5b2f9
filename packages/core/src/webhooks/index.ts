/** Webhooks: verifiers on node:crypto, the receiver, and request adapters. */
export type { SecretSource, SignedPayload, WebhookRequest, WebhookVerifier } from "./types.js";
export type { TimestampOptions, WebhookFailureReason } from "./common.js";
export { timingSafeEqualBuffers, timingSafeEqualStrings } from "./compare.js";
export { hmacVerifier, timestampedHmacVerifier, type HmacAlgorithm, type HmacVerifierOptions, type TimestampedHmacVerifierOptions } from "./hmac.js";
export { ecdsaVerifier, type EcdsaVerifierOptions, type PublicKeySource } from "./ecdsa.js";
export {
  signStandardWebhook,
  standardWebhookPublicKey,
  standardWebhooksVerifier,
  type SignStandardWebhookInput,
  type StandardWebhookHeaders,
  type StandardWebhooksKeys,
  type StandardWebhooksVerifierOptions,
} from "./standard.js";
export {
  DEFAULT_MAX_WEBHOOK_BODY_BYTES,
  fromFetchRequest,
  fromNodeRequest,
  type FromFetchRequestOptions,
  type FromNodeRequestOptions,
} from "./adapters.js";
export type { StoredWebhookEvent, StoredWebhookRequest, StoredWebhookRunner, WebhookInbox } from "./inbox.js";
export {
  createWebhookReceiver,
  type WebhookEventContext,
  type WebhookHandler,
  type WebhookReceiver,
  type WebhookReceiverOptions,
  type WebhookResponse,
  type WebhookSummary,
} from "./receiver.js";

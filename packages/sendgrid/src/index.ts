/**
 * @connect/sendgrid — SendGrid v3 for the Connect Integration SDK: mail send (single and
 * batched), suppression lists, and the signed (ECDSA) Event Webhook.
 */
export { createSendGridClient, SENDGRID_BASE_URLS, SENDGRID_POLICY_DEFAULTS } from "./client.js";
export type { SendGridClient, SendGridClientOptions, SuppressionList } from "./client.js";
export { DEFAULT_API_KEY_SECRET, type SecretProvider } from "./auth.js";
export { classifySendGridError, type SendGridErrorEntry } from "./errors.js";
export { sendMail, type BatchChunkResult, type SendBatchResult } from "./operations/mail.js";
export { createBatchId, getBatchId, MailBatchId, ValidateBatchIdInput, type BatchIdValidation } from "./operations/batches.js";
export { getEventWebhookPublicKey, setEventWebhookSigning, SignedWebhookSettings } from "./operations/event-webhook.js";
export {
  deleteBlocks,
  deleteBounces,
  deleteSpamReports,
  deleteUnsubscribe,
  listBlocks,
  listBounces,
  listSpamReports,
  listUnsubscribes,
} from "./operations/suppressions.js";
export {
  Attachment,
  BounceRow,
  DeleteSuppressionsInput,
  EmailAddress,
  ListSuppressionsInput,
  MAIL_LIMITS,
  Personalization,
  SendBatchInput,
  SendMailInput,
  SendMailResult,
  SpamReportRow,
  UnsubscribeRow,
} from "./schemas.js";
export {
  DEFAULT_TOLERANCE_SECONDS,
  derToP1363,
  publicKeyToDer,
  sendGridEventVerifier,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySendGridSignature,
  verifySendGridSignatureWebCrypto,
  type SendGridSignatureInput,
  type SendGridVerifierOptions,
} from "./webhooks/verify.js";
export {
  customArgsOf,
  isKnownEventType,
  parseSendGridEvents,
  SENDGRID_EVENT_TYPES,
  type InvalidSendGridEvent,
  type ParsedSendGridEvents,
  type SendGridEvent,
  type SendGridEventOf,
  type SendGridEventType,
  type UnknownSendGridEvent,
} from "./webhooks/events.js";
export {
  createSendGridWebhookHandler,
  type SendGridEventHandler,
  type SendGridEventHandlers,
  type SendGridWebhookOptions,
} from "./webhooks/receiver.js";
export {
  createSendGridMailer,
  type SendGridMailerOptions,
} from "./mailer.js";

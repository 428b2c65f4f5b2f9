/** @connect/ses — AWS SES (v2 API): simple, raw and templated sends, bulk, suppressions, SNS delivery events, a Mailer. */
export { createSesClient, SES_POLICY_DEFAULTS } from "./client.js";
export type { SesBulkResult, SesBulkSendResult, SesClient, SesClientOptions, SesSecretCredentials, SesStaticCredentials } from "./client.js";
export type { SesAddress } from "./address.js";
export { mapSesError, SesSendRefusedError, type SesSendRefusal } from "./errors.js";
export {
  Attachment,
  BulkEmailStatus,
  BulkEntry,
  EmailTags,
  ListSuppressionsInput,
  MessageHeaders,
  PutSuppressionInput,
  SendBulkEmailInput,
  SendEmailInput,
  SendEmailOutput,
  SES_LIMITS,
  SesAccount,
  SuppressedDestination,
  SuppressionAddressInput,
  SuppressionPage,
  SuppressionReason,
} from "./schemas.js";
export { parseSesDelivery, SES_EVENT_TYPES, SesEvent, SesMail, toSesEvent } from "./webhooks/events.js";
export type { ParsedSesDelivery, SesEventType, SesNotification } from "./webhooks/events.js";
export { createSesEventReceiver, type SesEventReceiverOptions } from "./webhooks/receiver.js";
export { createSesMailer, type SesMailerOptions } from "./mailer.js";

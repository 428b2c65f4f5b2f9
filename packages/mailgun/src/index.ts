/**
 * @connect/mailgun — Mailgun for the Connect Integration SDK: multipart sends with Mailgun's
 * limits checked before I/O, US/EU regions, suppression lists, the Events API, signed
 * webhooks (HMAC, timestamp window, token replay), and core's provider-neutral Mailer.
 */
export { createMailgunClient, MAILGUN_BASE_URLS, MAILGUN_POLICY_DEFAULTS } from "./client.js";
export type { MailgunClient, MailgunClientOptions, MailgunPage, SuppressionList } from "./client.js";
export { DEFAULT_API_KEY_SECRET } from "./auth.js";
export { formatMailgunAddress, isEmailAddress, parseMailgunAddress } from "./address.js";
export { classifyMailgunError } from "./errors.js";
export { createSendMessageOperation, sendMessage, stripMessageId } from "./operations/messages.js";
export { bounceOperations, complaintOperations, unsubscribeOperations, type SuppressionType } from "./operations/suppressions.js";
export { listEvents, pageEvents } from "./operations/events.js";
export {
  AddBounceRecord,
  AddComplaintRecord,
  AddressInput,
  AddUnsubscribeRecord,
  Attachment,
  Bounce,
  Complaint,
  EventsPage,
  ListEventsInput,
  ListSuppressionsInput,
  MAILGUN_LIMITS,
  MailgunEvent,
  MessageAnswer,
  PageUrlInput,
  Paging,
  SendMessageInput,
  SendMessageResult,
  sendMessageSchema,
  Unsubscribe,
  type MailgunSendLimits,
} from "./schemas.js";
export {
  computeMailgunSignature,
  DEFAULT_MAX_TOKENS,
  DEFAULT_TOLERANCE_SECONDS,
  mailgunWebhookVerifier,
  verifyMailgunSignature,
  type MailgunSignature,
  type MailgunVerifierOptions,
} from "./webhooks/verify.js";
export { MAILGUN_EVENT_TYPES, MailgunWebhookPayload, parseMailgunWebhook, type MailgunEventType } from "./webhooks/events.js";
export { createMailgunWebhookHandler, type MailgunEventHandler, type MailgunWebhookOptions } from "./webhooks/receiver.js";
export { createMailgunMailer, toMailEvent, toMailgunMessage, type MailgunMailerOptions } from "./mailer.js";

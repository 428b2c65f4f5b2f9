/**
 * @connect/twilio — Twilio Programmable Messaging for the Connect Integration SDK: send, fetch
 * and list messages (E.164 validation and segment reports before any I/O), typed errors by
 * Twilio error code, and the signed webhooks: status callbacks (deduped, never moving backwards)
 * and inbound messages (keywords, TwiML replies).
 */
export { createTwilioClient, TWILIO_BASE_URL, TWILIO_POLICY_DEFAULTS, twilioBaseUrl } from "./client.js";
export type { TwilioClient, TwilioClientOptions, TwilioClientWebhookOptions } from "./client.js";
export { DEFAULT_SECRET_NAMES, type TwilioAuth } from "./auth.js";
export {
  classifyTwilioError,
  describeDeliveryError,
  InvalidRecipientError,
  RecipientOptedOutError,
  TWILIO_ERROR_CODES,
  type DeliveryErrorInfo,
  type TwilioErrorBody,
  type TwilioErrorCodeInfo,
} from "./errors.js";
export { API_VERSION, cancelMessage, deleteMessage, getMessage, listMessagesPage, redactMessage, sendMessage } from "./operations/messages.js";
export {
  ACCOUNT_SID,
  API_KEY_SID,
  CONTENT_SID,
  GetMessageInput,
  ListMessagesInput,
  MAX_MEDIA_URLS,
  MAX_PAGE_SIZE,
  Message,
  MESSAGE_DIRECTIONS,
  MESSAGE_SID,
  MESSAGE_STATUSES,
  MessagePage,
  MESSAGING_SERVICE_SID,
  SegmentInfoSchema,
  SendMessageInput,
  SentMessage,
  type MessageDirection,
  type MessageStatus,
} from "./schemas.js";
export { CHANNEL_PREFIXES, normalizePhoneNumber, normalizeRecipient, normalizeSender, type CountryCode, type PhoneNormalization } from "./phone.js";
export { countSegments, MAX_BODY_LENGTH, type SegmentInfo } from "./segments.js";
export {
  createMemoryOptOutStore,
  createMemoryStatusStore,
  FINAL_STATUSES,
  isFinalStatus,
  isKnownStatus,
  isStatusAdvance,
  STATUS_RANK,
  type MessageStatusStore,
  type OptOutStore,
} from "./status.js";
export {
  createKeywordMatcher,
  HELP_KEYWORDS,
  matchKeyword,
  normalizeKeyword,
  OPT_IN_KEYWORDS,
  OPT_OUT_KEYWORDS,
  type CustomKeywords,
  type KeywordMatch,
  type KeywordMatcher,
  type KeywordType,
} from "./keywords.js";
export { escapeXml, TWIML_CONTENT_TYPE, twimlResponse, type TwimlMessage, type TwimlReply } from "./twiml.js";
export {
  BODY_SHA256_PARAM,
  bodySha256,
  computeTwilioSignature,
  parseFormParams,
  SIGNATURE_HEADER,
  signatureBase,
  signatureUrlCandidates,
  twilioSignatureVerifier,
  type TwilioParams,
  type TwilioSignatureVerifierOptions,
} from "./webhooks/signature.js";
export {
  parseTwilioWebhook,
  webhookParams,
  type InboundMedia,
  type InboundMessageEvent,
  type NumberLocation,
  type ParseTwilioWebhookOptions,
  type StatusCallbackEvent,
  type TwilioWebhookBase,
  type TwilioWebhookEvent,
  type TwilioWebhookKind,
} from "./webhooks/events.js";
export {
  createTwilioWebhookHandler,
  type InboundMessageHandler,
  type KeywordRoute,
  type StatusCallbackHandler,
  type TwilioWebhookHandler,
  type TwilioWebhookOptions,
} from "./webhooks/handler.js";

/**
 * @connect/docusign — DocuSign eSignature REST v2.1 for the Connect Integration SDK: JWT grant,
 * envelopes (loan-signing builder and server templates included), embedded signing URLs,
 * recipients, streamed document downloads, status changes, and Connect webhooks in JSON and
 * legacy XML; also core's `ESignatureProvider`.
 */
export { createDocuSignClient, DEFAULT_REFRESH_SKEW_MS, DOCUSIGN_POLICY_DEFAULTS } from "./client.js";
export type { DocuSignClient, DocuSignClientOptions } from "./client.js";
export {
  consentUrl,
  createJwtAssertion,
  DEFAULT_SCOPES,
  DOCUSIGN_OAUTH_HOSTS,
  type AccessTokenAuthOptions,
  type DocuSignAuthOptions,
  type DocuSignEnvironment,
  type JwtAssertionClaims,
  type JwtAuthOptions,
} from "./auth.js";
export { classifyDocuSignError, ConsentRequiredError, type ClassifyOptions, type DocuSignErrorBody } from "./errors.js";
export type { RateLimitSnapshot } from "./rate-limit.js";
export {
  AnchorTab,
  CarbonCopyInput,
  CONNECT_EVENTS,
  CreateEnvelopeInput,
  DEFAULT_CONNECT_EVENTS,
  DEFAULT_MAX_DOCUMENT_BYTES,
  DocumentInput,
  EventNotificationInput,
  PositionTab,
  SignerInput,
  TabInput,
  TabsInput,
  type ConnectEventName,
  type DocumentContent,
} from "./envelope-input.js";
export {
  CreateEnvelopeResult,
  CreateRecipientViewInput,
  DownloadDocumentInput,
  ENVELOPE_STATUSES,
  Envelope,
  EnvelopeDocument,
  EnvelopeDocuments,
  EnvelopeList,
  EnvelopeUpdateResult,
  GetEnvelopeInput,
  ListDocumentsInput,
  ListRecipientsInput,
  ListStatusChangesInput,
  Recipient,
  RECIPIENT_STATUSES,
  RecipientView,
  Recipients,
  SendEnvelopeInput,
  TERMINAL_ENVELOPE_STATUSES,
  UserInfo,
  VoidEnvelopeInput,
  type EnvelopeStatus,
  type RecipientStatus,
} from "./schemas.js";
export {
  createEnvelope,
  findEnvelopeByTransactionId,
  getEnvelope,
  listStatusChanges,
  sendEnvelope,
  STATUS_CHANGES_PAGE_SIZE,
  voidEnvelope,
} from "./operations/envelopes.js";
export { listRecipients } from "./operations/recipients.js";
export { createEnvelopeFromTemplate } from "./operations/templates.js";
export { createRecipientView } from "./operations/views.js";
export { CreateEnvelopeFromTemplateInput, TemplateRoleInput } from "./template-input.js";
export { downloadDocument, DownloadedDocument, listDocuments } from "./operations/documents.js";
export { getUserInfo, requestToken } from "./operations/oauth.js";
export { buildLoanSigningEnvelope, LOAN_ANCHORS, LoanSigningInput } from "./loan.js";
export { createDocuSignSignatureProvider, type DocuSignSignatureProviderOptions } from "./esign.js";
export { DOCUSIGN_SIGNATURE_EVENT_TYPES, toRecipientStatus, toSignatureEvent, toSignatureStatus } from "./esign-events.js";
export type { ConnectDocument, ConnectEventMeta, ConnectRecipient, DocuSignConnectEvent } from "./webhooks/events.js";
export { parseJsonConnectMessage } from "./webhooks/json.js";
export { decodeXmlText, parseXmlConnectMessage, type XmlConnectOptions } from "./webhooks/xml.js";
export { parseConnectMessage } from "./webhooks/parse.js";
export { docuSignConnectVerifier, SIGNATURE_HEADER_PATTERN, verifyDocuSignSignature } from "./webhooks/verify.js";
export { createDocuSignWebhookHandler, type DocuSignEventHandler, type DocuSignWebhookOptions } from "./webhooks/receiver.js";

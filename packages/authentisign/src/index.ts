/**
 * @connect/authentisign — Lone Wolf Authentisign for the Connect Integration SDK: signings
 * with documents and participants on the documented v1 API, OAuth client credentials,
 * verified callbacks re-read through the API, and core's shared e-signature interface.
 * Where Lone Wolf's documentation is silent, the assumptions are in one module (assumptions.ts).
 */
export { AUTHENTISIGN_BASE_URL, AUTHENTISIGN_POLICY_DEFAULTS, createAuthentisignClient } from "./client.js";
export type { AuthentisignClient, AuthentisignClientOptions } from "./client.js";
export { AUTHENTISIGN_AUDIENCE, AUTHENTISIGN_TOKEN_URL, DEFAULT_CLIENT_SECRET_NAME } from "./auth.js";
export { classifyAuthentisignError, readAuthentisignError, SigningNotSentError, type AuthentisignErrorBody } from "./errors.js";
export {
  AUTHENTISIGN,
  CALLBACK_EVENT_TYPES,
  CALLBACK_HMAC,
  CALLBACK_QUERY,
  CallbackPayload,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  FILE_PART,
  fieldKey,
  PARTICIPANT_STATUSES,
  PARTICIPANT_TYPE,
  ParticipantWire,
  participantKey,
  RECONCILE_CLOCK_SKEW_MS,
  RECONCILE_PAGE_SIZE,
  RETRY_AFTER_UNIT,
  ROUTING,
  SIGNING_STATUS_BY_ID,
  SIGNING_STATUS_ID,
  SigningListWire,
  signingStatusOf,
  SigningWire,
  TokenResponse,
  type CallbackEventType,
  type ParticipantStatus,
  type SigningStatus,
} from "./assumptions.js";
export {
  AddCcsInput,
  CancelSigningInput,
  CcInput,
  CreateSigningInput,
  DOCUMENT_KINDS,
  DownloadedDocument,
  DownloadInput,
  ListSigningsInput,
  Participant,
  ParticipantInput,
  SendSigningInput,
  SendSigningResult,
  SetCallbackUrlInput,
  Signing,
  SigningFile,
  SigningRef,
  type FileContent,
} from "./schemas.js";
export {
  cancelSigning,
  CancelSigningResult,
  deleteSigning,
  getSigning,
  listSignings,
  sendSigning,
  setCallbackUrl,
} from "./operations/signings.js";
export { addCcs, listParticipants } from "./operations/participants.js";
export { downloadDocument } from "./operations/documents.js";
export {
  allOf,
  callbackHmacVerifier,
  callbackToken,
  callbackTokenVerifier,
  callbackUrlFor,
  type CallbackHmacVerifierOptions,
  type CallbackTokenVerifierOptions,
} from "./callbacks/verify.js";
export {
  createAuthentisignCallbackHandler,
  type AuthentisignCallbackOptions,
  type AuthentisignEvent,
  type AuthentisignEventHandler,
  type SigningReader,
} from "./callbacks/receiver.js";
export {
  createAuthentisignSignatureProvider,
  RECIPIENT_STATUS_OF,
  SIGNATURE_EVENT_OF,
  SIGNATURE_STATUS_OF,
  toSignatureEvent,
  toSignatureStatus,
  type AuthentisignSignatureProvider,
  type AuthentisignSignatureProviderOptions,
} from "./provider.js";

/**
 * @connect/twilio/testing — a stateful Twilio Messaging fake (msw handlers) that posts signed
 * status callbacks and inbound messages, and a webhook signer for hosts testing their own receivers.
 */
export { createTwilioFake } from "./fake.js";
export type {
  FakeDeliveryFailure,
  FakeFailure,
  FakeMessage,
  FakeStatus,
  FakeTransition,
  PostInboundOptions,
  PostStatusOptions,
  TwilioFake,
  TwilioFakeOptions,
} from "./types.js";
export { postTwilioWebhook, signTwilioRequest, twilioSignature, type SignedTwilioRequest, type SignTwilioRequestOptions } from "./signer.js";

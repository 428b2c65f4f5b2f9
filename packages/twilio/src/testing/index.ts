/**
 * @connect/twilio/testing — a stateful Twilio Messaging fake (msw handlers) that posts signed
 * status callbacks and inbound messages, and a webhook signer for hosts testing their own receivers.
 */
export {
  createTwilioFake,
  type FakeDeliveryFailure,
  type FakeFailure,
  type FakeMessage,
  type FakeTransition,
  type PostInboundOptions,
  type PostStatusOptions,
  type TwilioFake,
  type TwilioFakeOptions,
} from "./fake.js";
export { postTwilioWebhook, signTwilioRequest, twilioSignature, type SignedTwilioRequest, type SignTwilioRequestOptions } from "./signer.js";

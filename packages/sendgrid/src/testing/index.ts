/**
 * @connect/sendgrid/testing — a stateful SendGrid fake (msw handlers) and an Event Webhook
 * signer, for contract tests and for hosts testing their own receivers.
 */
export {
  createSendGridFake,
  type FakeBounceRow,
  type FakeEventSpec,
  type FakeFailure,
  type FakeSpamReportRow,
  type FakeSuppressions,
  type FakeUnsubscribeRow,
  type RecordedSend,
  type SendGridFake,
  type SendGridFakeOptions,
} from "./fake.js";
export { createEventWebhookSigner, serializeEventBatch, type EventWebhookSigner } from "./signer.js";
export { mailSendErrors, type FakeErrorEntry } from "./mail-rules.js";

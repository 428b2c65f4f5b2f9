/**
 * @connect/mailgun/testing — a stateful Mailgun fake (msw handlers) and a webhook signer, for
 * contract tests and for hosts testing their own receivers.
 */
export {
  createMailgunFake,
  type DeliverWebhookOptions,
  type MailgunFake,
  type MailgunFakeFailure,
  type MailgunFakeOptions,
} from "./fake.js";
export { type AddressRule } from "./events.js";
export {
  type FakeBounce,
  type FakeComplaint,
  type FakeDomain,
  type FakeEvent,
  type FakeFile,
  type FakeTemplate,
  type FakeUnsubscribe,
  type StoredMessage,
} from "./state.js";
export { mailgunWebhookBody, signMailgunWebhook, type FakeWebhookSignature, type SignWebhookOptions } from "./signer.js";

import { createMailgunFake, type MailgunFakeOptions } from "./fake.js";
import type { RequestHandler } from "msw";

/** The handlers of a fresh fake, for `serveHandlers(mailgunHandlers())` when no state needs inspecting. @public */
export function mailgunHandlers(options: MailgunFakeOptions = {}): RequestHandler[] {
  return createMailgunFake(options).handlers;
}

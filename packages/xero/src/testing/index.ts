/**
 * @connect/xero/testing — a stateful Xero fake (msw handlers: identity with rotating refresh tokens,
 * connections, Contacts/Invoices/Payments per tenant, where filters, paging, If-Modified-Since,
 * Idempotency-Key replay, rate limits, a 501 for what it lacks) and a webhook signer with the
 * intent-to-receive probe, for contract tests and for hosts testing their own receivers.
 */
export {
  createXeroFake,
  type FakeXeroEndpoints,
  type FakeXeroFailure,
  type FakeXeroRequest,
  type FakeXeroTenant,
  type XeroFake,
  type XeroFakeOptions,
} from "./fake.js";
export { FakeNotFound, FakeValidation, type FakeAccount, type FakeBooks, type FakeXeroChange } from "./books.js";
export { FAKE_XERO_TOKEN_LIFETIMES, type FakeConnection, type FakeIssuedTokens } from "./oauth-state.js";
export { intentToReceivePayload, signXeroPayload, xeroWebhookPayload, type IntentToReceiveProbe, type IntentToReceiveResult } from "./webhooks.js";

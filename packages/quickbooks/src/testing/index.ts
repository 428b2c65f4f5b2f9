/**
 * @connect/quickbooks/testing — a stateful QuickBooks Online fake (msw handlers: OAuth, the
 * accounting API, queries, batch, change data capture, requestid replay, a 501 for what it lacks)
 * and a webhook signer, for contract tests and for hosts testing their own receivers.
 */
export {
  createQuickBooksFake,
  type FakeEndpoints,
  type FakeFailure,
  type FakeTokenRequest,
  type QuickBooksFake,
  type QuickBooksFakeOptions,
  type StalledResponse,
} from "./fake.js";
export { FAKE_ENTITIES, type FakeChange, type FakeEntity, type FakeFaultEntry } from "./ledger.js";
export { FAKE_TOKEN_LIFETIMES, type IssuedTokens } from "./oauth-state.js";
export { cloudEventsPayload, legacyPayload, signQuickBooksPayload } from "./webhooks.js";

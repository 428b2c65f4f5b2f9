/**
 * @connect/authentisign/testing — a stateful Authentisign fake (msw handlers) with a control
 * surface to drive participants, and a callback signer, for contract tests and for hosts
 * testing their own callback receivers.
 */
export {
  createAuthentisignFake,
  type AuthentisignFake,
  type AuthentisignFakeOptions,
  type FakeControlResult,
  type FakeFailure,
} from "./fake.js";
export { errorBody, problem } from "./responses.js";
export { callbackPayload, signCallback, type CallbackDelivery } from "./callbacks.js";
export type { FakeCc, FakeFile, FakeParticipant, FakeSigning, FakeTransition } from "./state.js";

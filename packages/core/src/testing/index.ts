/**
 * @connect/core/testing — serve msw handlers on a real loopback socket and inject faults.
 */
export { serveHandlers, type RecordedRequest, type ServedHandlers, type ServeOptions } from "./serve.js";
export {
  always,
  connectionReset,
  delayed,
  malformedJson,
  rateLimited,
  resetMidBody,
  scripted,
  stalledBody,
  statusResponse,
  type FaultHandler,
  type ScriptedAnswer,
} from "./faults.js";
export { FAST_TEST_POLICY } from "./policy.js";
export { NOT_IMPLEMENTED_HEADER, notImplementedByFake, notImplementedHandler, notImplementedMessage } from "./not-implemented.js";
export { postSnsEnvelope, signSnsEnvelope, type SignSnsOptions } from "./sns-signer.js";
export { SNS_TEST_SIGNING_CERT_PEM, SNS_TEST_SIGNING_CERT_URL, SNS_TEST_SIGNING_KEY_PEM } from "./sns-certificate.js";
export { verifySigV4, type FakeCredentials, type SignatureFailure } from "./sigv4.js";

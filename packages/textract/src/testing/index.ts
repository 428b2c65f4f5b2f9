/**
 * @connect/textract/testing — a stateful Textract fake (msw handlers), fixture documents of the
 * five platform types, and an SNS signer with a test certificate, for contract tests and for
 * hosts testing their own notification receivers.
 */
export { createTextractFake, TEXTRACT_FAKE_NAME, type FakeCall, type FakeJob, type TextractFake, type TextractFakeOptions } from "./fake.js";
export {
  fakeDocument,
  generatedDocument,
  pageBlocks,
  queryCoversPage,
  sampleDocuments,
  type FakeAdapter,
  type FakeAnswer,
  type FakeDocument,
  type FakeMergedCell,
  type FakePage,
  type FakeQuery,
  type FakeTable,
} from "./documents.js";
export { countPages, detectFormat, minimalPdf, minimalTiff, type DocumentFormat } from "./formats.js";
export type { FakeCredentials } from "@connect/core/testing";
export { postSnsEnvelope, signSnsEnvelope, type SignSnsOptions } from "./sns-signer.js";
export {
  SNS_TEST_SIGNING_CERT_PEM as TEST_SIGNING_CERT_PEM,
  SNS_TEST_SIGNING_CERT_URL as TEST_SIGNING_CERT_URL,
  SNS_TEST_SIGNING_KEY_PEM as TEST_SIGNING_KEY_PEM,
} from "@connect/core/testing";

/**
 * @connect/ses/testing — a stateful SES (v2) fake as msw handlers with SigV4 checks, decoded Raw
 * messages, a suppression list, account states for fault tests, and SES events delivered in SNS
 * envelopes signed with core's test certificate (trust it with `SNS_TEST_SIGNING_CERT_*` from
 * `@connect/core/testing`).
 */
export {
  createSesFake,
  SES_FAKE_NAME,
  type FakeAccount,
  type FakeAttachment,
  type FakeCall,
  type FakeSentEmail,
  type FakeSuppression,
  type FakeTemplate,
  type SesFake,
  type SesFakeOptions,
} from "./fake.js";
export type { FakeEventSpec } from "./events.js";
export { decodeEncodedWords, parseMime, type FakeMimeMessage, type FakeMimePart } from "./mime-parse.js";
export type { FakeCredentials } from "@connect/core/testing";

/** The SNS signer moved to `@connect/core/testing` (shared by the AWS packages' fakes); re-exported for the Textract fake and existing imports. */
export { postSnsEnvelope, signSnsEnvelope, type SignSnsOptions } from "@connect/core/testing";

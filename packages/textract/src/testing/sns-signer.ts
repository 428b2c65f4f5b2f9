/** Signs SNS envelopes like SNS does, and posts them to a host URL like an SNS HTTPS subscription. */
import { createSign, randomUUID } from "node:crypto";
import { snsStringToSign, type SnsEnvelope } from "../sns.js";
import { TEST_SIGNING_CERT_URL, TEST_SIGNING_KEY_PEM } from "./test-certificate.js";

/** Options of {@link signSnsEnvelope}. @public */
export interface SignSnsOptions {
  /** The SNS `Message` string (the Textract payload as JSON). */
  message: string;
  topicArn: string;
  /** "1" (SHA1) or "2" (SHA256); default "2". */
  signatureVersion?: "1" | "2";
  type?: SnsEnvelope["Type"];
  subject?: string;
  messageId?: string;
  timestamp?: string;
  /** Signing key PEM (default: the test key). */
  keyPem?: string;
  /** SigningCertURL (default: the test certificate URL). */
  certUrl?: string;
}

/** Build and sign an SNS envelope. @public */
export function signSnsEnvelope(options: SignSnsOptions): SnsEnvelope {
  const version = options.signatureVersion ?? "2";
  const envelope: SnsEnvelope = {
    Type: options.type ?? "Notification",
    MessageId: options.messageId ?? randomUUID(),
    TopicArn: options.topicArn,
    ...(options.subject !== undefined ? { Subject: options.subject } : {}),
    Message: options.message,
    Timestamp: options.timestamp ?? new Date().toISOString(),
    SignatureVersion: version,
    Signature: "",
    SigningCertURL: options.certUrl ?? TEST_SIGNING_CERT_URL,
    UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${options.topicArn}:sub`,
  };
  envelope.Signature = createSign(version === "1" ? "RSA-SHA1" : "RSA-SHA256")
    .update(snsStringToSign(envelope), "utf8")
    .sign(options.keyPem ?? TEST_SIGNING_KEY_PEM, "base64");
  return envelope;
}

/** POST an envelope to `url` as an SNS HTTPS subscription would (text/plain JSON, x-amz-sns-* headers). @public */
export async function postSnsEnvelope(url: string, envelope: SnsEnvelope): Promise<Response> {
  return globalThis.fetch(url, {
    method: "POST",
    headers: {
      "content-type": "text/plain; charset=UTF-8",
      "x-amz-sns-message-type": envelope.Type,
      "x-amz-sns-message-id": envelope.MessageId,
      "x-amz-sns-topic-arn": envelope.TopicArn,
      "x-amz-sns-subscription-arn": `${envelope.TopicArn}:sub`,
    },
    body: JSON.stringify(envelope),
  });
}

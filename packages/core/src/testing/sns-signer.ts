/**
 * Signs SNS envelopes as SNS does (with the test key unless told otherwise) and posts them to a
 * host URL as an SNS HTTPS subscription does, so a host can test its SNS receivers (Textract
 * completions, SES events) without AWS.
 */
import { createSign, randomUUID } from "node:crypto";
// The type through the aws entry (external in the build, so the declarations share one SnsEnvelope);
// the function relative, so importing the testing entry does not load the aws entry.
import type { SnsEnvelope } from "@connect/core/aws";
import { snsStringToSign } from "../aws/sns.js";
import { SNS_TEST_SIGNING_CERT_URL, SNS_TEST_SIGNING_KEY_PEM } from "./sns-certificate.js";

/** Options of {@link signSnsEnvelope}. @public */
export interface SignSnsOptions {
  /** The SNS `Message` string (the service's payload as JSON). */
  message: string;
  topicArn: string;
  /** "1" (SHA1) or "2" (SHA256); default "2". */
  signatureVersion?: "1" | "2";
  /** `Notification` (default), `SubscriptionConfirmation` or `UnsubscribeConfirmation`. */
  type?: SnsEnvelope["Type"];
  subject?: string;
  messageId?: string;
  timestamp?: string;
  /** Confirmation messages: the token (default: a random one). */
  token?: string;
  /** Confirmation messages: the SubscribeURL (default: an SNS ConfirmSubscription URL with the token). */
  subscribeUrl?: string;
  /** Signing key PEM (default: the test key). */
  keyPem?: string;
  /** SigningCertURL (default: the test certificate URL). */
  certUrl?: string;
}

/** Build and sign an SNS envelope. @public */
export function signSnsEnvelope(options: SignSnsOptions): SnsEnvelope {
  const version = options.signatureVersion ?? "2";
  const type = options.type ?? "Notification";
  const region = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):/.exec(options.topicArn)?.[1] ?? "us-east-1";
  const confirmation = type === "SubscriptionConfirmation" || type === "UnsubscribeConfirmation";
  const token = options.token ?? randomUUID().replaceAll("-", "").repeat(4);
  const envelope: SnsEnvelope = {
    Type: type,
    MessageId: options.messageId ?? randomUUID(),
    ...(confirmation ? { Token: token } : {}),
    TopicArn: options.topicArn,
    ...(options.subject !== undefined ? { Subject: options.subject } : {}),
    Message: options.message,
    ...(confirmation
      ? {
          SubscribeURL:
            options.subscribeUrl ??
            `https://sns.${region}.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(options.topicArn)}&Token=${token}`,
        }
      : {}),
    Timestamp: options.timestamp ?? new Date().toISOString(),
    SignatureVersion: version,
    Signature: "",
    SigningCertURL: options.certUrl ?? SNS_TEST_SIGNING_CERT_URL,
    ...(confirmation ? {} : { UnsubscribeURL: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${options.topicArn}:sub` }),
  };
  envelope.Signature = createSign(version === "1" ? "RSA-SHA1" : "RSA-SHA256")
    .update(snsStringToSign(envelope), "utf8")
    .sign(options.keyPem ?? SNS_TEST_SIGNING_KEY_PEM, "base64");
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
      ...(envelope.Type === "Notification" ? { "x-amz-sns-subscription-arn": `${envelope.TopicArn}:sub` } : {}),
    },
    body: JSON.stringify(envelope),
  });
}

import { readFileSync } from "node:fs";
import { WebhookVerificationError, ValidationError, createWebhookReceiver } from "@connect/core";
import { describe, expect, it, vi } from "vitest";
import * as coreSns from "@connect/core/aws";
import * as coreTesting from "@connect/core/testing";
import { createSnsVerifier, DEFAULT_SNS_TOLERANCE_SECONDS, parseTextractNotification, snsStringToSign, type SnsEnvelope } from "../src/sns.js";
import { createTextractNotificationReceiver, type TextractNotificationEvent } from "../src/notifications.js";
import { signSnsEnvelope, TEST_SIGNING_CERT_PEM, TEST_SIGNING_CERT_URL } from "../src/testing/index.js";

const TOPIC = "arn:aws:sns:us-east-1:111122223333:textract";
const PAYLOAD = { JobId: "642492aea78a86a40665555dc375ee97bc963f342b29cd05030f19bd8fd1bc5f", Status: "SUCCEEDED", API: "StartDocumentAnalysis", JobTag: "tenant-t_123:doc-d_9", Timestamp: 1543599965969, DocumentLocation: { S3ObjectName: "docs/a.pdf", S3Bucket: "in-bucket" } };
const otherKey = readFileSync(new URL("./fixtures/other-key.pem", import.meta.url), "utf8");

// The envelopes below are signed at 2025-06-01T12:00:00Z; the clock sits 30 s later (inside the replay window).
const SIGNED_AT_PLUS_30S = () => Date.parse("2025-06-01T12:00:30.000Z");

function verifier(extra: Parameters<typeof createSnsVerifier>[0] = {}) {
  return createSnsVerifier({ topicArns: [TOPIC], trustedCertificates: { [TEST_SIGNING_CERT_URL]: TEST_SIGNING_CERT_PEM }, fetchCertificate: () => Promise.reject(new Error("no network in tests")), now: SIGNED_AT_PLUS_30S, ...extra });
}
const signed = (over: Partial<Parameters<typeof signSnsEnvelope>[0]> = {}): SnsEnvelope =>
  signSnsEnvelope({ message: JSON.stringify(PAYLOAD), topicArn: TOPIC, messageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324", timestamp: "2025-06-01T12:00:00.000Z", ...over });

async function reason(p: Promise<unknown>): Promise<string> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return (error as WebhookVerificationError).reason;
}

describe("SNS notification parsing", () => {
  it("reads an SNS HTTPS envelope: ms timestamp, job tag, location", () => {
    const { notification, envelope } = parseTextractNotification(JSON.stringify(signed()));
    expect(notification).toEqual({
      jobId: PAYLOAD.JobId,
      status: "SUCCEEDED",
      api: "StartDocumentAnalysis",
      jobTag: "tenant-t_123:doc-d_9",
      timestamp: new Date("2018-11-30T17:46:05.969Z"),
      documentLocation: { bucket: "in-bucket", name: "docs/a.pdf" },
    });
    expect(envelope?.MessageId).toBe("22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324");
  });
  it("reads an SQS body (envelope as a JSON string inside JSON) and raw delivery", () => {
    const sqsBody = JSON.stringify(signed());
    expect(parseTextractNotification(sqsBody).notification.jobId).toBe(PAYLOAD.JobId);
    const raw = parseTextractNotification(JSON.stringify({ ...PAYLOAD, JobTag: undefined, Status: "FAILED" }));
    expect([raw.notification.status, raw.notification.jobTag, raw.envelope]).toEqual(["FAILED", undefined, undefined]);
  });
  it("reads a Lambda SNS record with SigningCertUrl spelt lower-case", () => {
    const { SigningCertURL, UnsubscribeURL, ...rest } = signed();
    const parsed = parseTextractNotification({ ...rest, SigningCertUrl: SigningCertURL, UnsubscribeUrl: UnsubscribeURL });
    expect(parsed.envelope?.SigningCertURL).toBe(TEST_SIGNING_CERT_URL);
  });
  it("rejects bodies that are not Textract notifications with a ValidationError", () => {
    for (const bad of ["not json", JSON.stringify({ hello: 1 }), JSON.stringify({ ...PAYLOAD, Status: "DONE" }), JSON.stringify({ ...PAYLOAD, Timestamp: "x" })]) {
      expect(() => parseTextractNotification(bad)).toThrow(ValidationError);
    }
  });
});

// The verifier's own cases (versions, certificate URL checks, topics, fields) live with it in
// packages/core/test/aws-sns.test.ts; here: textract's re-exports and its vendor on errors.
describe("SNS verification through @connect/textract", () => {
  it("re-exports core's SNS pieces and tags verification errors with vendor textract", async () => {
    expect(snsStringToSign).toBe(coreSns.snsStringToSign);
    expect(DEFAULT_SNS_TOLERANCE_SECONDS).toBe(coreSns.DEFAULT_SNS_TOLERANCE_SECONDS);
    expect([signSnsEnvelope, TEST_SIGNING_CERT_PEM, TEST_SIGNING_CERT_URL]).toEqual([coreTesting.signSnsEnvelope, coreTesting.SNS_TEST_SIGNING_CERT_PEM, coreTesting.SNS_TEST_SIGNING_CERT_URL]);
    const e = signed();
    const error = await verifier().verifyEnvelope({ ...e, Message: e.Message.replace("SUCCEEDED", "FAILED") }).catch((x: unknown) => x);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error).toMatchObject({ vendor: "textract", reason: "bad_signature", operation: "notifications.verify" });
    expect(await reason(verifier().verifyEnvelope(signed({ keyPem: otherKey })))).toBe("bad_signature");
  });
});

describe("notification receiver", () => {
  const request = (body: string, type = "Notification") => ({ method: "POST", url: "http://127.0.0.1/textract/sns", headers: { "x-amz-sns-message-type": type }, rawBody: Buffer.from(body) });

  it("delivers a verified notification once, and a failed verification reaches no handler", async () => {
    const seen: TextractNotificationEvent[] = [];
    const receiver = createTextractNotificationReceiver({ verifier: verifier(), onNotification: (e) => void seen.push(e) });
    const good = JSON.stringify(signed());
    expect((await receiver.handle(request(good))).status).toBe(200);
    expect((await receiver.handle(request(good))).status).toBe(200);
    const tampered = good.replace("in-bucket", "in-bucket2");
    const res = await receiver.handle(request(tampered));
    expect(res.status).toBe(401);
    expect(seen.map((e) => [e.jobId, e.messageId, e.status, e.jobTag])).toEqual([[PAYLOAD.JobId, "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324", "SUCCEEDED", "tenant-t_123:doc-d_9"]]);
  });

  it("rejects a header type that contradicts the body", async () => {
    const onEvent = vi.fn();
    const receiver = createWebhookReceiver({ vendor: "textract", verifier: verifier(), parse: () => [], eventId: () => undefined, eventType: () => "x", onEvent });
    const res = await receiver.handle(request(JSON.stringify(signed()), "SubscriptionConfirmation"));
    expect(res.status).toBe(401);
    expect(onEvent).not.toHaveBeenCalled();
  });
});

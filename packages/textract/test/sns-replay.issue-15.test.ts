/**
 * Regression (issue 15): SNS signs a `Timestamp`, so a replayed HTTPS delivery is refused outside
 * the replay window (SNS stops retrying HTTP/S deliveries within 3,600 s) instead of being
 * accepted for ever once the receiver's dedupe has forgotten its MessageId.
 */
import { WebhookVerificationError } from "@connect/core";
import { createSnsVerifier, createTextractNotificationReceiver, DEFAULT_SNS_TOLERANCE_SECONDS } from "@connect/textract";
import { signSnsEnvelope, TEST_SIGNING_CERT_PEM, TEST_SIGNING_CERT_URL } from "@connect/textract/testing";
import { describe, expect, it } from "vitest";

const TOPIC = "arn:aws:sns:us-east-1:111122223333:textract";
const SIGNED_AT = Date.parse("2026-03-02T10:00:00.000Z");
const message = JSON.stringify({ JobId: "job-1", Status: "SUCCEEDED", API: "StartDocumentAnalysis", Timestamp: SIGNED_AT, DocumentLocation: { S3ObjectName: "a.pdf", S3Bucket: "b" } });
const envelope = (timestamp: string) => signSnsEnvelope({ message, topicArn: TOPIC, timestamp, messageId: `m-${timestamp}` });
const verifierAt = (now: number, extra: Parameters<typeof createSnsVerifier>[0] = {}) =>
  createSnsVerifier({ topicArns: [TOPIC], trustedCertificates: { [TEST_SIGNING_CERT_URL]: TEST_SIGNING_CERT_PEM }, fetchCertificate: () => Promise.reject(new Error("no network")), now: () => now, ...extra });
const request = (body: unknown) => ({ method: "POST", url: "https://hooks.test/sns", headers: { "x-amz-sns-message-type": "Notification" }, rawBody: Buffer.from(JSON.stringify(body)) });

async function reasonOf(p: Promise<unknown>): Promise<string | undefined> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  return error instanceof WebhookVerificationError ? error.reason : undefined;
}

describe("issue 15: the SNS replay window", () => {
  it("an HTTPS delivery signed within 3,900 s is accepted; older or further in the future is stale_timestamp", async () => {
    const signed = envelope(new Date(SIGNED_AT).toISOString());
    expect(DEFAULT_SNS_TOLERANCE_SECONDS).toBe(3_900);
    expect(await reasonOf(Promise.resolve(verifierAt(SIGNED_AT + 3_600_000).verify(request(signed))))).toBeUndefined();
    expect(await reasonOf(Promise.resolve(verifierAt(SIGNED_AT + 3_901_000).verify(request(signed))))).toBe("stale_timestamp");
    expect(await reasonOf(Promise.resolve(verifierAt(SIGNED_AT - 3_901_000).verify(request(signed))))).toBe("stale_timestamp");
  });

  it("the receiver answers 401 to a replay after the window and reaches no handler", async () => {
    const seen: string[] = [];
    let now = SIGNED_AT + 1_000;
    const receiver = createTextractNotificationReceiver({ verifier: createSnsVerifier({ topicArns: [TOPIC], trustedCertificates: { [TEST_SIGNING_CERT_URL]: TEST_SIGNING_CERT_PEM }, now: () => now }), onNotification: (e) => void seen.push(e.messageId) });
    const signed = envelope(new Date(SIGNED_AT).toISOString());
    expect((await receiver.handle(request(signed))).status).toBe(200);
    now = SIGNED_AT + 2 * 3_600_000;
    expect((await receiver.handle(request({ ...signed }))).status).toBe(401);
    expect(seen).toEqual([signed.MessageId]);
  });

  it("toleranceSeconds changes the window; verifyEnvelope (SQS) applies it only when set", async () => {
    const signed = envelope(new Date(SIGNED_AT).toISOString());
    const later = SIGNED_AT + 10 * 24 * 3_600_000;
    await expect(verifierAt(later).verifyEnvelope(signed)).resolves.toBeUndefined();
    expect(await reasonOf(verifierAt(later, { toleranceSeconds: 60 }).verifyEnvelope(signed))).toBe("stale_timestamp");
    expect(await reasonOf(Promise.resolve(verifierAt(SIGNED_AT + 120_000, { toleranceSeconds: 60 }).verify(request(signed))))).toBe("stale_timestamp");
  });

  it("a malformed signed Timestamp is malformed_timestamp", async () => {
    const signed = envelope("yesterday-ish");
    expect(await reasonOf(Promise.resolve(verifierAt(SIGNED_AT).verify(request(signed))))).toBe("malformed_timestamp");
  });
});

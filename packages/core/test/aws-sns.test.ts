/**
 * The SNS signature verifier of @connect/core/aws (moved from @connect/textract, now shared by the
 * AWS packages) and the SNS signer of @connect/core/testing.
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { fileURLToPath } from "node:url";
import { WebhookVerificationError } from "@connect/core";
import { createSnsVerifier, DEFAULT_SNS_TOLERANCE_SECONDS, normaliseSnsEnvelope, snsStringToSign, type SnsEnvelope } from "@connect/core/aws";
import { postSnsEnvelope, serveHandlers, signSnsEnvelope, SNS_TEST_SIGNING_CERT_PEM, SNS_TEST_SIGNING_CERT_URL } from "@connect/core/testing";
import { http, HttpResponse } from "msw";
import { describe, expect, it, vi } from "vitest";

const TOPIC = "arn:aws:sns:us-east-1:111122223333:events";
const SIGNED_AT = "2025-06-01T12:00:00.000Z";
const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();

const verifier = (extra: Parameters<typeof createSnsVerifier>[0] = {}) =>
  createSnsVerifier({
    topicArns: [TOPIC],
    trustedCertificates: { [SNS_TEST_SIGNING_CERT_URL]: SNS_TEST_SIGNING_CERT_PEM },
    fetchCertificate: () => Promise.reject(new Error("no network in tests")),
    now: () => Date.parse(SIGNED_AT) + 30_000,
    ...extra,
  });
const signed = (over: Partial<Parameters<typeof signSnsEnvelope>[0]> = {}): SnsEnvelope =>
  signSnsEnvelope({ message: JSON.stringify({ hello: "world" }), topicArn: TOPIC, messageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324", timestamp: SIGNED_AT, ...over });
const request = (envelope: unknown, type = "Notification") => ({
  method: "POST",
  url: "https://hooks.test/sns",
  headers: { "x-amz-sns-message-type": type },
  rawBody: Buffer.from(JSON.stringify(envelope)),
});

async function failure(p: Promise<unknown>): Promise<WebhookVerificationError> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return error as WebhookVerificationError;
}
const reason = async (p: Promise<unknown>): Promise<string> => (await failure(p)).reason;

describe("snsStringToSign", () => {
  it("builds the Notification string (Subject only when present)", () => {
    const e = signed({ subject: "done" });
    expect(snsStringToSign(e)).toBe(`Message\n${e.Message}\nMessageId\n${e.MessageId}\nSubject\ndone\nTimestamp\n${SIGNED_AT}\nTopicArn\n${TOPIC}\nType\nNotification\n`);
    expect(snsStringToSign(signed())).not.toContain("Subject");
  });
  it("builds the SubscriptionConfirmation string from SubscribeURL and Token", () => {
    const e = signed({ type: "SubscriptionConfirmation", token: "tok123", subscribeUrl: "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=tok123" });
    expect(snsStringToSign(e)).toBe(
      `Message\n${e.Message}\nMessageId\n${e.MessageId}\nSubscribeURL\nhttps://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=tok123\nTimestamp\n${SIGNED_AT}\nToken\ntok123\nTopicArn\n${TOPIC}\nType\nSubscriptionConfirmation\n`,
    );
  });
});

describe("createSnsVerifier", () => {
  it("accepts SignatureVersion 1 (SHA1) and 2 (SHA256), fetching the certificate once", async () => {
    const fetchCertificate = vi.fn(async () => SNS_TEST_SIGNING_CERT_PEM);
    const v = createSnsVerifier({ topicArns: [TOPIC], fetchCertificate });
    await v.verifyEnvelope(signed({ signatureVersion: "1" }));
    await v.verifyEnvelope(signed({ signatureVersion: "2", subject: "s" }));
    await v.verifyEnvelope(signed({ type: "SubscriptionConfirmation" }));
    expect(fetchCertificate).toHaveBeenCalledTimes(1);
    expect(fetchCertificate).toHaveBeenCalledWith(SNS_TEST_SIGNING_CERT_URL);
    expect(v.fetches).toBe(1);
  });
  it("rejects a tampered message, a v1 signature presented as v2, and another key's signature", async () => {
    const e = signed();
    expect(await reason(verifier().verifyEnvelope({ ...e, Message: e.Message.replace("world", "World") }))).toBe("bad_signature");
    expect(await reason(verifier().verifyEnvelope({ ...signed({ signatureVersion: "1" }), SignatureVersion: "2" }))).toBe("bad_signature");
    expect(await reason(verifier().verifyEnvelope(signed({ keyPem: otherKey })))).toBe("bad_signature");
    const confirmation = signed({ type: "SubscriptionConfirmation" });
    expect(await reason(verifier().verifyEnvelope({ ...confirmation, SubscribeURL: "https://evil.example/?Action=ConfirmSubscription" }))).toBe("bad_signature");
  });
  it("rejects certificate URLs on a foreign host, over http, or not a .pem — without fetching", async () => {
    const fetchCertificate = vi.fn(async () => SNS_TEST_SIGNING_CERT_PEM);
    const v = createSnsVerifier({ fetchCertificate });
    for (const url of [
      "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
      "https://evil.example/sns.us-east-1.amazonaws.com.pem",
      "http://sns.us-east-1.amazonaws.com/cert.pem",
      "https://sns.us-east-1.amazonaws.com/cert.txt",
    ]) {
      expect(await reason(v.verifyEnvelope(signed({ certUrl: url })))).toBe("bad_certificate_url");
    }
    expect(fetchCertificate).not.toHaveBeenCalled();
  });
  it("rejects a wrong type, an unexpected topic, a missing field and an unknown version", async () => {
    expect(await reason(verifier().verifyEnvelope({ ...signed(), Type: "Bogus" }))).toBe("wrong_type");
    expect(await reason(verifier().verifyEnvelope(signed({ topicArn: "arn:aws:sns:us-east-1:999999999999:other" })))).toBe("unexpected_topic");
    const { Signature: _s, ...unsigned } = signed();
    expect(await reason(verifier().verifyEnvelope(unsigned as SnsEnvelope))).toBe("missing_field");
    expect(await reason(verifier().verifyEnvelope({ ...signed(), SignatureVersion: "3" }))).toBe("unsupported_signature_version");
  });
  it("trusts the test certificate only when told to; a fetch failure is certificate_unavailable", async () => {
    const v = createSnsVerifier({ fetchCertificate: () => Promise.reject(new Error("ENOTFOUND")) });
    expect(await reason(v.verifyEnvelope(signed()))).toBe("certificate_unavailable");
    v.trustCertificate(SNS_TEST_SIGNING_CERT_URL, SNS_TEST_SIGNING_CERT_PEM);
    await expect(v.verifyEnvelope(signed())).resolves.toBeUndefined();
  });
  it("names the vendor it verifies for (default sns)", async () => {
    const e = signed({ keyPem: otherKey });
    const plain = await failure(verifier().verifyEnvelope(e));
    expect([plain.vendor, plain.operation, plain.message]).toEqual(["sns", "notifications.verify", expect.stringMatching(/^sns SNS message failed verification: the signature does not match/)]);
    const ses = await failure(verifier({ vendor: "ses" }).verifyEnvelope(e));
    expect([ses.vendor, ses.message.startsWith("ses SNS message failed verification")]).toEqual(["ses", true]);
  });
  it("verify() applies the replay window (default 3,900 s) and checks the header type against the body", async () => {
    const at = (ms: number) => verifier({ now: () => Date.parse(SIGNED_AT) + ms });
    expect(DEFAULT_SNS_TOLERANCE_SECONDS).toBe(3_900);
    await expect(Promise.resolve(at(3_600_000).verify(request(signed())))).resolves.toBeUndefined();
    expect(await reason(Promise.resolve(at(3_901_000).verify(request(signed()))))).toBe("stale_timestamp");
    expect(await reason(Promise.resolve(at(0).verify(request(signed(), "SubscriptionConfirmation"))))).toBe("wrong_type");
    expect(await reason(Promise.resolve(at(0).verify({ ...request(signed()), rawBody: Buffer.from("nope") })))).toBe("malformed_body");
  });
  it("normaliseSnsEnvelope turns a Lambda record's SigningCertUrl / UnsubscribeUrl into the HTTPS spelling", async () => {
    const { SigningCertURL, UnsubscribeURL, ...rest } = signed();
    const envelope = normaliseSnsEnvelope({ ...rest, SigningCertUrl: SigningCertURL, UnsubscribeUrl: UnsubscribeURL });
    expect([envelope.SigningCertURL, envelope.UnsubscribeURL, "SigningCertUrl" in envelope]).toEqual([SNS_TEST_SIGNING_CERT_URL, UnsubscribeURL, false]);
    await expect(verifier().verifyEnvelope(envelope)).resolves.toBeUndefined();
  });
});

describe("postSnsEnvelope", () => {
  it("posts the envelope as SNS does: text/plain JSON with the x-amz-sns-* headers", async () => {
    const server = await serveHandlers([http.post("*/sns", () => HttpResponse.text("ok"))]);
    try {
      const envelope = signed();
      const res = await postSnsEnvelope(`${server.url}/sns`, envelope);
      expect(res.status).toBe(200);
      const [seen] = server.requests;
      expect(seen?.headers).toMatchObject({ "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification", "x-amz-sns-message-id": envelope.MessageId, "x-amz-sns-topic-arn": TOPIC });
      expect(JSON.parse(seen?.text ?? "")).toEqual(envelope);
    } finally {
      await server.close();
    }
  });
});

describe("the built @connect/core/aws", () => {
  // Consumers of the SNS verifier (e.g. @connect/ses) need not install the optional Secrets Manager SDK.
  it("loads no @aws-sdk package at import, as ESM or CommonJS", () => {
    const root = fileURLToPath(new URL("../../..", import.meta.url));
    const block = `import { registerHooks } from "node:module"; registerHooks({ resolve(s, c, next) { if (s.startsWith("@aws-sdk/")) throw new Error("loaded " + s); return next(s, c); } });`;
    const esm = execFileSync(process.execPath, ["--input-type=module", "-e", `${block} const aws = await import("@connect/core/aws"); await import("@connect/core/testing"); console.log(typeof aws.createSnsVerifier);`], { cwd: root, encoding: "utf8" });
    expect(esm.trim()).toBe("function");
    const cjs = execFileSync(process.execPath, ["--input-type=commonjs", "-e", `${block.replace("import { registerHooks } from \"node:module\";", "const { registerHooks } = require(\"node:module\");")} const aws = require("@connect/core/aws"); console.log(typeof aws.createSnsVerifier, typeof aws.awsSecretsManager);`], { cwd: root, encoding: "utf8" });
    expect(cjs.trim()).toBe("function function");
  });
});

/**
 * Issue 21: every exported SendGrid verify function decodes the signature header the same
 * strict way, so the one-shot helpers (node:crypto, WebCrypto) and the request verifier (both
 * engines) give one answer per input. The header is base64 of an ASN.1 DER ECDSA signature
 * (shared/vendors/sendgrid.md §6); anything that is not exactly that — a valid signature
 * followed by garbage, whitespace, URL-safe characters, missing or extra padding, trailing
 * DER bytes, non-minimal DER — is refused by all four.
 */
import { generateKeyPairSync, sign } from "node:crypto";
import { WebhookVerificationError } from "@connect/core";
import { derToP1363, sendGridEventVerifier, verifySendGridSignature, verifySendGridSignatureWebCrypto } from "@connect/sendgrid";
import { describe, expect, it } from "vitest";

// Known-good vector from sendgrid-nodejs packages/eventwebhook/src/eventwebhook.spec.js (MIT), shared/vendors/sendgrid.md §6.
const KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
const TIMESTAMP = "1600112502";
const SIGNATURE = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=";
const BODY =
  '[{"email":"hello@world.com","event":"dropped","reason":"Bounced Address","sg_event_id":"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA",' +
  '"sg_message_id":"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0","smtp-id":"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>","timestamp":1600112492}]\r\n';
const NOW = Number(TIMESTAMP) * 1000 + 2_000;
const TOLERANCE = 600;

const DER = Buffer.from(SIGNATURE, "base64");
const otherKey = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({ format: "der", type: "spki" }).toString("base64");

/** The vector's r (32 bytes, high bit clear) re-encoded with a redundant leading 0x00: same numbers, not DER. */
function nonMinimalDer(): Buffer {
  const rLength = DER[3]!;
  const r = DER.subarray(4, 4 + rLength);
  const rest = DER.subarray(4 + rLength);
  expect(r[0]! & 0x80).toBe(0);
  return Buffer.concat([Buffer.from([0x30, DER[1]! + 1, 0x02, rLength + 1, 0x00]), r, rest]);
}

interface Case {
  name: string;
  signature?: string;
  timestamp?: string;
  body?: string;
  key?: string;
  now?: number;
  /** `true` when accepted; otherwise the request verifier's reason (the one-shots answer false). */
  expected: true | string;
}

const cases: Case[] = [
  { name: "the valid vector", expected: true },
  { name: "a valid signature followed by non-base64 garbage", signature: `${SIGNATURE}!!garbage`, expected: "malformed_signature" },
  { name: "a valid signature followed by another base64 quartet (trailing DER bytes)", signature: Buffer.concat([DER, Buffer.from([0, 0, 0])]).toString("base64"), expected: "malformed_signature" },
  { name: "a valid signature followed by a second signature", signature: `${SIGNATURE}${SIGNATURE}`, expected: "malformed_signature" },
  { name: "padding removed", signature: SIGNATURE.replace(/=+$/, ""), expected: "malformed_signature" },
  { name: "extra padding", signature: `${SIGNATURE}=`, expected: "malformed_signature" },
  { name: "a newline inside", signature: `${SIGNATURE.slice(0, 40)}\n${SIGNATURE.slice(40)}`, expected: "malformed_signature" },
  { name: "a space inside", signature: `${SIGNATURE.slice(0, 40)} ${SIGNATURE.slice(40)}`, expected: "malformed_signature" },
  { name: "a trailing space", signature: `${SIGNATURE} `, expected: "malformed_signature" },
  { name: "the URL-safe alphabet", signature: SIGNATURE.replace(/\+/g, "-").replace(/\//g, "_"), expected: "malformed_signature" },
  { name: "non-zero pad bits (same bytes under a lenient decoder)", signature: `${SIGNATURE.slice(0, -2)}N=`, expected: "malformed_signature" },
  { name: "truncated by one quartet", signature: SIGNATURE.slice(0, -4), expected: "malformed_signature" },
  { name: "truncated DER (last byte dropped)", signature: DER.subarray(0, -1).toString("base64"), expected: "malformed_signature" },
  { name: "non-base64 text", signature: "%%%not-base64%%%", expected: "malformed_signature" },
  { name: "base64 that is not DER", signature: Buffer.from("hello world").toString("base64"), expected: "malformed_signature" },
  { name: "raw r||s (P1363) instead of DER", signature: Buffer.from(derToP1363(DER)).toString("base64"), expected: "malformed_signature" },
  { name: "non-minimal DER integers", signature: nonMinimalDer().toString("base64"), expected: "malformed_signature" },
  { name: "the wrong key", key: otherKey, expected: "bad_signature" },
  { name: "a tampered payload (one byte)", body: BODY.replace("Bounced Address", "Bounced Addresz"), expected: "bad_signature" },
  { name: "the re-serialised payload (no trailing CRLF)", body: BODY.trimEnd(), expected: "bad_signature" },
  { name: "a tampered timestamp", timestamp: String(Number(TIMESTAMP) + 1), now: NOW + 1000, expected: "bad_signature" },
  { name: "a timestamp with surrounding whitespace", timestamp: ` ${TIMESTAMP}`, expected: "malformed_timestamp" },
  { name: "a timestamp that is not unix seconds", timestamp: "2020-09-14T19:41:42Z", expected: "malformed_timestamp" },
  { name: "a stale timestamp (signature valid, 601 s late)", now: Number(TIMESTAMP) * 1000 + 601_000, expected: "stale_timestamp" },
  { name: "a timestamp from the future (601 s ahead)", now: Number(TIMESTAMP) * 1000 - 601_000, expected: "stale_timestamp" },
  { name: "a timestamp inside the window (599 s late)", now: Number(TIMESTAMP) * 1000 + 599_000, expected: true },
];

async function reasonOrTrue(promise: Promise<void>): Promise<true | string> {
  try {
    await promise;
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return (error as WebhookVerificationError).reason;
  }
}

describe("one strict decoding for every exported SendGrid verify function (issue 21)", () => {
  it.each(cases)("$name: all four answer the same", async (c) => {
    const key = c.key ?? KEY;
    const now = () => c.now ?? NOW;
    const input = { publicKey: key, timestamp: c.timestamp ?? TIMESTAMP, signature: c.signature ?? SIGNATURE, payload: c.body ?? BODY, toleranceSeconds: TOLERANCE, now };
    const request = {
      method: "POST",
      url: "https://host.test/sendgrid/events",
      headers: { "x-twilio-email-event-webhook-signature": input.signature, "x-twilio-email-event-webhook-timestamp": input.timestamp, "content-type": "application/json" },
      rawBody: Buffer.from(input.payload, "utf8"),
    };

    const answers = {
      verifySendGridSignature: verifySendGridSignature(input),
      verifySendGridSignatureWebCrypto: await verifySendGridSignatureWebCrypto(input),
      nodeVerifier: await reasonOrTrue(Promise.resolve(sendGridEventVerifier({ publicKey: key, now, toleranceSeconds: TOLERANCE, engine: "node" }).verify(request))),
      webCryptoVerifier: await reasonOrTrue(Promise.resolve(sendGridEventVerifier({ publicKey: key, now, toleranceSeconds: TOLERANCE, engine: "webcrypto" }).verify(request))),
    };

    expect(answers).toEqual({
      verifySendGridSignature: c.expected === true,
      verifySendGridSignatureWebCrypto: c.expected === true,
      nodeVerifier: c.expected,
      webCryptoVerifier: c.expected,
    });
  });

  it("the one-shot helpers check no replay window unless asked, as SendGrid's own EventWebhook.verifySignature (the 2020 vector still verifies)", async () => {
    const input = { publicKey: KEY, timestamp: TIMESTAMP, signature: SIGNATURE, payload: BODY };
    expect(verifySendGridSignature(input)).toBe(true);
    expect(await verifySendGridSignatureWebCrypto(input)).toBe(true);
    expect(verifySendGridSignature({ ...input, toleranceSeconds: TOLERANCE })).toBe(false);
    expect(await verifySendGridSignatureWebCrypto({ ...input, toleranceSeconds: TOLERANCE })).toBe(false);
  });

  it("a key that is not P-256 is a configuration error (invalid_key) in every function, not a false", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "der", type: "spki" }).toString("base64");
    const input = { publicKey: rsa, timestamp: TIMESTAMP, signature: SIGNATURE, payload: BODY };
    const reason = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as WebhookVerificationError).reason;
      }
      return "no error";
    };
    expect(reason(() => verifySendGridSignature(input))).toBe("invalid_key");
    await expect(verifySendGridSignatureWebCrypto(input)).rejects.toMatchObject({ reason: "invalid_key" });
    expect(reason(() => sendGridEventVerifier({ publicKey: rsa, engine: "node" }))).toBe("invalid_key");
    expect(reason(() => sendGridEventVerifier({ publicKey: rsa, engine: "webcrypto" }))).toBe("invalid_key");
  });

  it("signatures from a fresh key pair (DER r/s of every length node:crypto produces) are accepted by all four, and refused with one garbage byte appended", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const key = publicKey.export({ format: "der", type: "spki" }).toString("base64");
    const verifier = sendGridEventVerifier({ publicKey: key, now: () => NOW, engine: "webcrypto" });
    for (let i = 0; i < 24; i += 1) {
      const body = `[{"event":"delivered","sg_event_id":"e${i}"}]\r\n`;
      const der = sign("sha256", Buffer.from(TIMESTAMP + body), privateKey);
      const headers = (signature: string) => ({ "x-twilio-email-event-webhook-signature": signature, "x-twilio-email-event-webhook-timestamp": TIMESTAMP });
      const good = der.toString("base64");
      const bad = Buffer.concat([der, Buffer.from([0x00])]).toString("base64");
      expect(verifySendGridSignature({ publicKey: key, timestamp: TIMESTAMP, signature: good, payload: body })).toBe(true);
      expect(await verifySendGridSignatureWebCrypto({ publicKey: key, timestamp: TIMESTAMP, signature: good, payload: body })).toBe(true);
      await expect(Promise.resolve(verifier.verify({ method: "POST", url: "https://h.test/", headers: headers(good), rawBody: Buffer.from(body) }))).resolves.toBeUndefined();
      expect(verifySendGridSignature({ publicKey: key, timestamp: TIMESTAMP, signature: bad, payload: body })).toBe(false);
      expect(await verifySendGridSignatureWebCrypto({ publicKey: key, timestamp: TIMESTAMP, signature: bad, payload: body })).toBe(false);
      expect(await reasonOrTrue(Promise.resolve(verifier.verify({ method: "POST", url: "https://h.test/", headers: headers(bad), rawBody: Buffer.from(body) })))).toBe("malformed_signature");
    }
  });

  it("derToP1363 refuses what is not strict DER: trailing bytes, a non-minimal or negative INTEGER, a long-form length that fits the short form", () => {
    expect(() => derToP1363(Buffer.concat([DER, Buffer.from([0])]))).toThrow(/trailing bytes/);
    expect(() => derToP1363(nonMinimalDer())).toThrow(/shortest form/);
    const negative = Buffer.from(DER);
    negative[4] = negative[4]! | 0x80;
    expect(() => derToP1363(negative)).toThrow(/negative/);
    const longForm = Buffer.concat([Buffer.from([0x30, 0x81, DER[1]!]), DER.subarray(2)]);
    expect(() => derToP1363(longForm)).toThrow(/shortest form/);
    expect(derToP1363(DER)).toHaveLength(64);
  });
});

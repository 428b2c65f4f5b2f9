import { createHmac, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { WebhookVerificationError } from "../src/errors.js";
import { createMemoryDedupeStore } from "../src/idempotency/index.js";
import {
  ecdsaVerifier,
  hmacVerifier,
  timestampedHmacVerifier,
  timingSafeEqualBuffers,
  timingSafeEqualStrings,
  type WebhookRequest,
  type WebhookVerifier,
} from "../src/webhooks/index.js";

const SECRET = "whsec_current_0123456789";
const OLD_SECRET = "whsec_previous_9876543210";

function request(rawBody: Buffer | string, headers: Record<string, string>, url = "https://hooks.example.com/webhooks/acme"): WebhookRequest {
  return { method: "POST", url, headers, rawBody: Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, "utf8") };
}

function hmac(algorithm: string, secret: string, payload: string | Buffer, encoding: "hex" | "base64"): string {
  return createHmac(algorithm, secret).update(payload).digest(encoding);
}

async function failure(verifier: WebhookVerifier, req: WebhookRequest): Promise<WebhookVerificationError> {
  try {
    await verifier.verify(req);
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return error as WebhookVerificationError;
  }
  throw new Error("expected verification to fail");
}

describe("timingSafeEqualStrings / timingSafeEqualBuffers", () => {
  it("is true only for identical contents and never throws on a length mismatch", () => {
    expect(timingSafeEqualStrings("abc123", "abc123")).toBe(true);
    expect(timingSafeEqualStrings("abc123", "abc124")).toBe(false);
    expect(timingSafeEqualStrings("abc", "abcd")).toBe(false);
    expect(timingSafeEqualStrings("", "")).toBe(true);
    expect(timingSafeEqualStrings("é", "e")).toBe(false);
    expect(timingSafeEqualBuffers(Buffer.from([1, 2]), Buffer.from([1, 2, 3]))).toBe(false);
    expect(timingSafeEqualBuffers(new Uint8Array([7, 8]), Buffer.from([7, 8]))).toBe(true);
  });
});

describe("hmacVerifier (DocuSign-style: base64 HMAC-SHA256 in X-DocuSign-Signature-1..N)", () => {
  const body = '{"event":"envelope-completed","data":{"envelopeId":"93be49ab"}}\r\n';
  const verifier = hmacVerifier({ vendor: "docusign", headerNames: [/^x-docusign-signature-\d+$/], algorithm: "sha256", encoding: "base64", secrets: [SECRET] });

  it("accepts a signature computed independently over the raw bytes", async () => {
    const signature = hmac("sha256", SECRET, body, "base64");
    expect(signature).toHaveLength(44);
    await expect(verifier.verify(request(body, { "x-docusign-signature-1": signature }))).resolves.toBeUndefined();
  });

  it("accepts when any of several signature headers matches", async () => {
    const headers = { "x-docusign-signature-1": hmac("sha256", "some-other-account-key", body, "base64"), "x-docusign-signature-2": hmac("sha256", SECRET, body, "base64") };
    await expect(verifier.verify(request(body, headers))).resolves.toBeUndefined();
  });

  it("rejects a body with one changed byte as bad_signature", async () => {
    const signature = hmac("sha256", SECRET, body, "base64");
    const error = await failure(verifier, request(body.replace("93be49ab", "93be49ac"), { "x-docusign-signature-1": signature }));
    expect(error.reason).toBe("bad_signature");
    expect(error.vendor).toBe("docusign");
    expect(error.message).toBe("docusign webhook: the signature does not match (1 secret tried)");
    expect(error.retryable).toBe(false);
  });

  it("rejects a signature made with a wrong secret", async () => {
    const error = await failure(verifier, request(body, { "x-docusign-signature-1": hmac("sha256", "wrong-secret-value", body, "base64") }));
    expect(error.reason).toBe("bad_signature");
  });

  it("accepts a rotated second secret and rejects a third one", async () => {
    const rotating = hmacVerifier({ header: "x-docusign-signature-1", algorithm: "sha256", encoding: "base64", secrets: [OLD_SECRET, SECRET] });
    await expect(rotating.verify(request(body, { "x-docusign-signature-1": hmac("sha256", SECRET, body, "base64") }))).resolves.toBeUndefined();
    await expect(rotating.verify(request(body, { "x-docusign-signature-1": hmac("sha256", OLD_SECRET, body, "base64") }))).resolves.toBeUndefined();
    const error = await failure(rotating, request(body, { "x-docusign-signature-1": hmac("sha256", "third-secret-xyz", body, "base64") }));
    expect(error.reason).toBe("bad_signature");
    expect(error.message).toContain("(2 secrets tried)");
  });

  it("reads secrets from a function on each request (rotation without a restart)", async () => {
    let current = [OLD_SECRET];
    const dynamic = hmacVerifier({ header: "x-sig", algorithm: "sha256", encoding: "base64", secrets: async () => current });
    const req = request(body, { "x-sig": hmac("sha256", SECRET, body, "base64") });
    expect((await failure(dynamic, req)).reason).toBe("bad_signature");
    current = [SECRET];
    await expect(dynamic.verify(req)).resolves.toBeUndefined();
  });

  it("reports a missing signature header as missing_header", async () => {
    const error = await failure(verifier, request(body, { "content-type": "application/json" }));
    expect(error.reason).toBe("missing_header");
    expect(error.message).toContain("no signature header (/^x-docusign-signature-\\d+$/)");
  });

  it.each([
    ["garbage characters", "%%%not*base64%%%"],
    ["a truncated digest (16 bytes)", Buffer.alloc(16, 1).toString("base64")],
    ["an over-long digest (33 bytes)", Buffer.alloc(33, 1).toString("base64")],
    ["a single character", "A"],
  ])("reports %s as malformed_signature", async (_label, signature) => {
    const error = await failure(verifier, request(body, { "x-docusign-signature-1": signature }));
    expect(error.reason).toBe("malformed_signature");
    expect(error.message).toBe("docusign webhook: the signature is not base64 of a 32-byte sha256 digest");
  });

  it("explains a parsed object passed as the body", async () => {
    const parsed = JSON.parse(body) as unknown;
    const req = { method: "POST", url: "https://x/", headers: { "x-docusign-signature-1": hmac("sha256", SECRET, body, "base64") }, rawBody: parsed } as unknown as WebhookRequest;
    const error = await failure(verifier, req);
    expect(error.reason).toBe("body_parsed");
    expect(error.message).toContain("body was parsed before verification (got an object, not a Buffer or string)");
  });

  it("hints when the body looks like re-serialised JSON", async () => {
    const original = '{ "event": "envelope-sent" }';
    const reserialised = JSON.stringify(JSON.parse(original));
    const error = await failure(verifier, request(reserialised, { "x-docusign-signature-1": hmac("sha256", SECRET, original, "base64") }));
    expect(error.reason).toBe("bad_signature");
    expect(error.message).toContain("the body looks like compact re-serialised JSON; if the body was parsed before verification, pass the raw bytes instead");
  });

  it("says when a configured secret has surrounding whitespace, without revealing it", async () => {
    const padded = hmacVerifier({ header: "x-sig", algorithm: "sha256", encoding: "base64", secrets: [`${SECRET}\n`] });
    const error = await failure(padded, request(body, { "x-sig": hmac("sha256", SECRET, body, "base64") }));
    expect(error.reason).toBe("bad_signature");
    expect(error.message).toBe(
      "webhook: the signature does not match (1 secret tried); secret #1 has surrounding whitespace and the signature matches without it: trim the configured secret",
    );
    expect(error.message).not.toContain(SECRET);
  });

  it("reports no configured secret as no_secret", async () => {
    const empty = hmacVerifier({ header: "x-sig", algorithm: "sha256", encoding: "base64", secrets: ["", ""] });
    const error = await failure(empty, request(body, { "x-sig": hmac("sha256", SECRET, body, "base64") }));
    expect(error.reason).toBe("no_secret");
  });

  it("never crashes on garbage requests", async () => {
    const garbage: unknown[] = [
      { method: "POST", url: "", headers: undefined, rawBody: Buffer.from("x") },
      { method: "POST", url: "", headers: { "x-docusign-signature-1": "" }, rawBody: Buffer.from("x") },
      { method: "POST", url: "", headers: { "x-docusign-signature-1": "=====" }, rawBody: Buffer.from("x") },
      { method: "POST", url: "", headers: { "x-docusign-signature-1": "a,b, c" }, rawBody: 42 },
      { method: "POST", url: "", headers: { "x-docusign-signature-1": "abc" }, rawBody: undefined },
      { method: "POST", url: "", headers: null, rawBody: [1, 2, 3] },
    ];
    const reasons: string[] = [];
    for (const req of garbage) reasons.push((await failure(verifier, req as WebhookRequest)).reason);
    expect(reasons).toEqual(["missing_header", "missing_header", "malformed_signature", "body_parsed", "missing_body", "body_parsed"]);
  });
});

describe("hmacVerifier with a prefix and hex (sha256=<hex>)", () => {
  const body = '{"id":"evt_1"}';
  const verifier = hmacVerifier({ header: "X-Hub-Signature-256", prefix: "sha256=", algorithm: "sha256", encoding: "hex", secrets: SECRET });

  it("accepts the prefixed hex digest, headers looked up case-insensitively", async () => {
    await expect(verifier.verify(request(body, { "x-hub-signature-256": `sha256=${hmac("sha256", SECRET, body, "hex")}` }))).resolves.toBeUndefined();
    await expect(verifier.verify(request(body, { "X-Hub-Signature-256": `sha256=${hmac("sha256", SECRET, body, "hex")}` }))).resolves.toBeUndefined();
  });

  it("rejects a value without the prefix, and hex of the wrong length", async () => {
    const unprefixed = await failure(verifier, request(body, { "x-hub-signature-256": hmac("sha256", SECRET, body, "hex") }));
    expect(unprefixed.reason).toBe("malformed_signature");
    expect(unprefixed.message).toBe('webhook: the signature header does not start with "sha256="');
    const short = await failure(verifier, request(body, { "x-hub-signature-256": `sha256=${hmac("sha256", SECRET, body, "hex").slice(0, 62)}` }));
    expect(short.reason).toBe("malformed_signature");
  });

  it("suggests the prefix option when the value looks prefixed", async () => {
    const plain = hmacVerifier({ header: "x-hub-signature-256", algorithm: "sha256", encoding: "hex", secrets: SECRET });
    const error = await failure(plain, request(body, { "x-hub-signature-256": `sha256=${hmac("sha256", SECRET, body, "hex")}` }));
    expect(error.reason).toBe("malformed_signature");
    expect(error.message).toContain('it looks prefixed ("sha256="), set the `prefix` option');
  });
});

describe("hmacVerifier with a payload builder (Twilio-style: HMAC-SHA1 over URL + sorted POST params)", () => {
  const token = "twilio_auth_token_12345";
  const twilioPayload = (req: WebhookRequest): string[] => {
    const params = new URLSearchParams(req.rawBody.toString("utf8"));
    const sorted = [...params.keys()].sort().map((key) => key + params.getAll(key).sort().join(key));
    const url = new URL(req.url);
    const withPort = `${url.protocol}//${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}${url.pathname}${url.search}`;
    return [req.url, withPort].map((u) => u + sorted.join(""));
  };
  const verifier = hmacVerifier({ vendor: "twilio", header: "x-twilio-signature", algorithm: "sha1", encoding: "base64", secrets: [token], payload: twilioPayload });
  const body = "To=%2B15550001111&From=%2B15550002222&Body=Hello&MessageSid=SM123";
  const expected = hmac("sha1", token, "https://hooks.example.com/sms?tenant=t1BodyHelloFrom+15550002222MessageSidSM123To+15550001111", "base64");

  it("accepts the signature over the URL and the sorted params", async () => {
    await expect(verifier.verify(request(body, { "x-twilio-signature": expected }, "https://hooks.example.com/sms?tenant=t1"))).resolves.toBeUndefined();
  });

  it("accepts the signature over the URL with its default port (any payload candidate may match)", async () => {
    const signedWithPort = hmac("sha1", token, "https://hooks.example.com:443/sms?tenant=t1BodyHelloFrom+15550002222MessageSidSM123To+15550001111", "base64");
    await expect(verifier.verify(request(body, { "x-twilio-signature": signedWithPort }, "https://hooks.example.com/sms?tenant=t1"))).resolves.toBeUndefined();
  });

  it("rejects a changed parameter and a different URL", async () => {
    expect((await failure(verifier, request(body.replace("Hello", "Hellp"), { "x-twilio-signature": expected }, "https://hooks.example.com/sms?tenant=t1"))).reason).toBe("bad_signature");
    expect((await failure(verifier, request(body, { "x-twilio-signature": expected }, "https://hooks.example.com/sms?tenant=t2"))).reason).toBe("bad_signature");
  });

  it("rejects a sha256-length signature for a sha1 scheme as malformed", async () => {
    const error = await failure(verifier, request(body, { "x-twilio-signature": Buffer.alloc(32, 9).toString("base64") }, "https://hooks.example.com/sms"));
    expect(error.reason).toBe("malformed_signature");
    expect(error.message).toBe("twilio webhook: the signature is not base64 of a 20-byte sha1 digest");
  });
});

describe("timestampedHmacVerifier (X-Authentisign-Timestamp + v1=<hex of HMAC(secret, ts.body)>)", () => {
  const body = '{"id":"evt_42","type":"signing.completed"}';
  const ts = 1_763_000_000;
  const sign1 = (timestamp: number | string, payload = body, secret = SECRET): string => `v1=${hmac("sha256", secret, `${timestamp}.${payload}`, "hex")}`;
  const make = (nowSec: number, extra: { replay?: ReturnType<typeof createMemoryDedupeStore> } = {}) =>
    timestampedHmacVerifier({
      vendor: "authentisign",
      header: "x-authentisign-signature",
      prefix: "v1=",
      timestampHeader: "x-authentisign-timestamp",
      algorithm: "sha256",
      encoding: "hex",
      secrets: [OLD_SECRET, SECRET],
      now: () => nowSec * 1000,
      ...extra,
    });
  const req = (timestamp: string, signature: string, payload = body) => request(payload, { "x-authentisign-timestamp": timestamp, "x-authentisign-signature": signature });

  it("accepts a fresh, correctly signed request and one at the edge of the 300 s window", async () => {
    await expect(make(ts).verify(req(String(ts), sign1(ts)))).resolves.toBeUndefined();
    await expect(make(ts + 300).verify(req(String(ts), sign1(ts)))).resolves.toBeUndefined();
    await expect(make(ts - 300).verify(req(String(ts), sign1(ts)))).resolves.toBeUndefined();
  });

  it("rejects a timestamp older than the tolerance as stale_timestamp", async () => {
    const error = await failure(make(ts + 301), req(String(ts), sign1(ts)));
    expect(error.reason).toBe("stale_timestamp");
    expect(error.message).toBe(
      "authentisign webhook: signed timestamp is 301 s old, outside the 300 s tolerance: a replayed request, or a server clock that is off (check NTP)",
    );
  });

  it("rejects a timestamp too far in the future", async () => {
    const error = await failure(make(ts - 400), req(String(ts), sign1(ts)));
    expect(error.reason).toBe("stale_timestamp");
    expect(error.message).toContain("400 s in the future");
  });

  it("honours a custom tolerance", async () => {
    const strict = timestampedHmacVerifier({ header: "x-authentisign-signature", prefix: "v1=", timestampHeader: "x-authentisign-timestamp", algorithm: "sha256", encoding: "hex", secrets: SECRET, toleranceSec: 10, now: () => (ts + 11) * 1000 });
    expect((await failure(strict, req(String(ts), sign1(ts)))).reason).toBe("stale_timestamp");
  });

  it("rejects a timestamp swapped for a fresh one (the signature covers it)", async () => {
    expect((await failure(make(ts + 1000), req(String(ts + 1000), sign1(ts)))).reason).toBe("bad_signature");
  });

  it("reports a missing or non-numeric timestamp", async () => {
    const missing = await failure(make(ts), request(body, { "x-authentisign-signature": sign1(ts) }));
    expect(missing.reason).toBe("missing_header");
    expect(missing.message).toBe("authentisign webhook: no timestamp header (x-authentisign-timestamp)");
    const bad = await failure(make(ts), req("yesterday", sign1(ts)));
    expect(bad.reason).toBe("malformed_timestamp");
  });

  it("reports a missing signature header before anything else", async () => {
    expect((await failure(make(ts), request(body, { "x-authentisign-timestamp": String(ts) }))).reason).toBe("missing_header");
  });

  it("rejects a replay within the window when a replay store is configured", async () => {
    const verifier = make(ts, { replay: createMemoryDedupeStore({ now: () => ts * 1000 }) });
    await expect(verifier.verify(req(String(ts), sign1(ts)))).resolves.toBeUndefined();
    const error = await failure(verifier, req(String(ts), sign1(ts)));
    expect(error.reason).toBe("replayed");
  });

  it("accepts several v1= signatures in one header (any may match)", async () => {
    const both = `${sign1(ts, body, "unknown-secret-abc")},${sign1(ts)}`;
    await expect(make(ts).verify(req(String(ts), both))).resolves.toBeUndefined();
  });
});

describe("ecdsaVerifier (P-256 / SHA-256 over timestamp + raw body)", () => {
  // Published vector: sendgrid-nodejs packages/eventwebhook/src/eventwebhook.spec.js (shared/vendors/sendgrid.md#6).
  const SENDGRID_KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
  const SENDGRID_SIGNATURE = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=";
  const SENDGRID_TIMESTAMP = "1600112502";
  const SENDGRID_BODY =
    '[{"email":"hello@world.com","event":"dropped","reason":"Bounced Address","sg_event_id":"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA","sg_message_id":"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0","smtp-id":"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>","timestamp":1600112492}]\r\n';
  const SIG = "x-twilio-email-event-webhook-signature";
  const TS = "x-twilio-email-event-webhook-timestamp";

  const pair = () => generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const derBase64 = (key: KeyObject) => key.export({ format: "der", type: "spki" }).toString("base64");
  const signWith = (privateKey: KeyObject, timestamp: string, body: string, dsaEncoding: "der" | "ieee-p1363" = "der") =>
    sign("sha256", Buffer.from(timestamp + body, "utf8"), { key: privateKey, dsaEncoding }).toString("base64");
  const make = (publicKeys: string | string[], nowSec: number) => ecdsaVerifier({ vendor: "sendgrid", publicKeys, signatureHeader: SIG, timestampHeader: TS, now: () => nowSec * 1000 });
  const req = (timestamp: string, signature: string, body: string) => request(body, { [SIG]: signature, [TS]: timestamp });

  it("accepts SendGrid's published test vector (327-byte body ending in CRLF)", async () => {
    expect(Buffer.byteLength(SENDGRID_BODY)).toBe(327);
    await expect(make(SENDGRID_KEY, 1600112502).verify(req(SENDGRID_TIMESTAMP, SENDGRID_SIGNATURE, SENDGRID_BODY))).resolves.toBeUndefined();
  });

  it("rejects the published vector with its trailing CRLF stripped", async () => {
    const error = await failure(make(SENDGRID_KEY, 1600112502), req(SENDGRID_TIMESTAMP, SENDGRID_SIGNATURE, SENDGRID_BODY.trimEnd()));
    expect(error.reason).toBe("bad_signature");
    expect(error.message).toContain("the body looks like compact re-serialised JSON");
  });

  it("accepts keys given as PEM and as base64 DER SPKI, and a raw r||s signature", async () => {
    const { publicKey, privateKey } = pair();
    const body = '[{"event":"delivered","sg_event_id":"e1"}]\r\n';
    const signature = signWith(privateKey, "1700000000", body);
    await expect(make(publicKey.export({ format: "pem", type: "spki" }).toString(), 1700000000).verify(req("1700000000", signature, body))).resolves.toBeUndefined();
    await expect(make(derBase64(publicKey), 1700000000).verify(req("1700000000", signature, body))).resolves.toBeUndefined();
    const raw = signWith(privateKey, "1700000000", body, "ieee-p1363");
    expect(Buffer.from(raw, "base64")).toHaveLength(64);
    await expect(make(derBase64(publicKey), 1700000000).verify(req("1700000000", raw, body))).resolves.toBeUndefined();
  });

  it("rejects a tampered body and a wrong key; accepts a rotated key list", async () => {
    const right = pair();
    const other = pair();
    const body = '[{"event":"open","sg_event_id":"e2"}]\r\n';
    const signature = signWith(right.privateKey, "1700000000", body);
    expect((await failure(make(derBase64(right.publicKey), 1700000000), req("1700000000", signature, body.replace("open", "opem")))).reason).toBe("bad_signature");
    const wrong = await failure(make(derBase64(other.publicKey), 1700000000), req("1700000000", signature, body));
    expect(wrong.reason).toBe("bad_signature");
    expect(wrong.message).toBe("sendgrid webhook: the signature does not match (1 key tried)");
    await expect(make([derBase64(other.publicKey), derBase64(right.publicKey)], 1700000000).verify(req("1700000000", signature, body))).resolves.toBeUndefined();
  });

  it("rejects a stale timestamp after checking the signature", async () => {
    const { publicKey, privateKey } = pair();
    const body = "[]\r\n";
    const error = await failure(make(derBase64(publicKey), 1700000000 + 301), req("1700000000", signWith(privateKey, "1700000000", body), body));
    expect(error.reason).toBe("stale_timestamp");
  });

  it.each([
    ["garbage base64", "not*base64!!"],
    ["10 random bytes", Buffer.alloc(10, 3).toString("base64")],
    ["a DER header with a lying length", Buffer.from([0x30, 0x50, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]).toString("base64")],
  ])("reports %s as malformed_signature", async (_label, signature) => {
    const { publicKey } = pair();
    const error = await failure(make(derBase64(publicKey), 1700000000), req("1700000000", signature, "[]"));
    expect(error.reason).toBe("malformed_signature");
  });

  it("reports missing headers", async () => {
    const { publicKey } = pair();
    const verifier = make(derBase64(publicKey), 1700000000);
    expect((await failure(verifier, request("[]", { [TS]: "1700000000" }))).reason).toBe("missing_header");
    const noTs = await failure(verifier, request("[]", { [SIG]: SENDGRID_SIGNATURE }));
    expect(noTs.reason).toBe("missing_header");
    expect(noTs.message).toBe("sendgrid webhook: no timestamp header (x-twilio-email-event-webhook-timestamp)");
  });

  it("refuses a key that is not P-256 when the verifier is created", () => {
    const p384 = generateKeyPairSync("ec", { namedCurve: "secp384r1" }).publicKey;
    expect(() => make(derBase64(p384), 0)).toThrow(WebhookVerificationError);
    expect(() => make(derBase64(p384), 0)).toThrow("expected EC P-256 (prime256v1)");
    try {
      make("definitely-not-a-key", 0);
      expect.unreachable();
    } catch (error) {
      expect((error as WebhookVerificationError).reason).toBe("invalid_key");
    }
  });

  it("explains a parsed body", async () => {
    const error = await failure(make(SENDGRID_KEY, 1600112502), { method: "POST", url: "https://x/", headers: { [SIG]: SENDGRID_SIGNATURE, [TS]: SENDGRID_TIMESTAMP }, rawBody: JSON.parse(SENDGRID_BODY) } as unknown as WebhookRequest);
    expect(error.reason).toBe("body_parsed");
    expect(error.message).toContain("body was parsed before verification (got an array, not a Buffer or string)");
  });
});

describe("hmacVerifier: secret sources and signature decoding on the fast paths", () => {
  it("reads an array of secrets on every call, so a host that replaces an item rotates without a new verifier", async () => {
    const { hmacVerifier: make } = await import("../src/index.js");
    const { createHmac } = await import("node:crypto");
    const secrets = ["old-secret-1"];
    const verifier = make({ vendor: "acme", header: "x-sig", algorithm: "sha256", encoding: "base64", secrets });
    const body = Buffer.from('{"id":1}');
    const signed = (secret: string) => ({ method: "POST", url: "https://h.example/x", headers: { "x-sig": createHmac("sha256", secret).update(body).digest("base64") }, rawBody: body });
    await expect(verifier.verify(signed("old-secret-1"))).resolves.toBeUndefined();
    secrets[0] = "new-secret-2";
    await expect(verifier.verify(signed("new-secret-2"))).resolves.toBeUndefined();
    await expect(verifier.verify(signed("old-secret-1"))).rejects.toMatchObject({ name: "WebhookVerificationError", reason: "bad_signature" });
  });

  it("accepts URL-safe and unpadded base64 signatures and rejects an impossible length", async () => {
    const { hmacVerifier: make } = await import("../src/index.js");
    const { createHmac } = await import("node:crypto");
    const verifier = make({ vendor: "acme", header: "x-sig", algorithm: "sha256", encoding: "base64", secrets: "s3cret" });
    const body = Buffer.from("payload");
    const standard = createHmac("sha256", "s3cret").update(body).digest("base64");
    const req = (sig: string) => ({ method: "POST", url: "https://h.example/x", headers: { "x-sig": sig }, rawBody: body });
    await expect(verifier.verify(req(standard.replace(/=+$/, "")))).resolves.toBeUndefined();
    await expect(verifier.verify(req(standard.replace(/\+/g, "-").replace(/\//g, "_")))).resolves.toBeUndefined();
    await expect(verifier.verify(req(`${standard.slice(0, 41)}`))).rejects.toMatchObject({ reason: "malformed_signature" });
  });
});

// Issue 21: a Standard Webhooks verifier and signer in core. Each test names the rule of the
// spec (github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md, "Signature
// scheme", "Webhook headers", "Verifying signatures") or of its reference libraries.
import { createHmac, generateKeyPairSync, sign as cryptoSign, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ValidationError, WebhookVerificationError } from "../src/errors.js";
import {
  createWebhookReceiver,
  signStandardWebhook,
  standardWebhookPublicKey,
  standardWebhooksVerifier,
  type WebhookRequest,
  type WebhookVerifier,
} from "../src/webhooks/index.js";

// The published test vector of the reference libraries (their sign tests, e.g. the PHP library's testSignFunctionWorks).
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
const AT_VECTOR = () => VECTOR.timestamp * 1000;
const OTHER_SECRET = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;

// RFC 8032 §7.1 test 1: an Ed25519 seed and its public key.
const RFC_SEED = Buffer.from("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "hex");
const RFC_PUBLIC = Buffer.from("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "hex");
const SIGNING_KEY = `whsk_${RFC_SEED.toString("base64")}`;
const PUBLIC_KEY = `whpk_${RFC_PUBLIC.toString("base64")}`;

function request(body: Buffer | string, headers: Record<string, string>): WebhookRequest {
  return { method: "POST", url: "https://hooks.example.com/standard", headers, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8") };
}

function vectorHeaders(signature = VECTOR.signature): Record<string, string> {
  return { "webhook-id": VECTOR.id, "webhook-timestamp": String(VECTOR.timestamp), "webhook-signature": signature };
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

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

/** A v1 signature computed here with node:crypto, independently of the signer. */
function v1(keyBytes: Buffer, id: string, timestamp: number | string, body: string): string {
  return `v1,${createHmac("sha256", keyBytes).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

/** A v1a signature computed here with node:crypto, independently of the signer. */
function v1a(privateKey: KeyObject, id: string, timestamp: number | string, body: string): string {
  return `v1a,${cryptoSign(null, Buffer.from(`${id}.${timestamp}.${body}`), privateKey).toString("base64")}`;
}

function rawPublic(publicKey: KeyObject): string {
  return Buffer.from(publicKey.export({ format: "jwk" }).x as string, "base64url").toString("base64");
}

const hmacVerifier = (overrides: Partial<Parameters<typeof standardWebhooksVerifier>[0]> = {}) =>
  standardWebhooksVerifier({ vendor: "acme", secret: VECTOR.secret, now: AT_VECTOR, ...overrides } as Parameters<typeof standardWebhooksVerifier>[0]);

describe("standardWebhooksVerifier: v1 HMAC-SHA256 over {id}.{timestamp}.{body}", () => {
  it("accepts the reference libraries' published vector", async () => {
    await expect(hmacVerifier().verify(request(VECTOR.body, vectorHeaders()))).resolves.toBeUndefined();
  });

  it("whsec_ secrets: the key is the base64-decoded bytes, not the secret text (what timestampedHmacVerifier cannot do)", async () => {
    const keyBytes = Buffer.from("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "base64");
    expect(v1(keyBytes, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    const overText = `v1,${createHmac("sha256", VECTOR.secret).update(`${VECTOR.id}.${VECTOR.timestamp}.${VECTOR.body}`).digest("base64")}`;
    const error = await failure(hmacVerifier(), request(VECTOR.body, vectorHeaders(overText)));
    expect(error.reason).toBe("bad_signature");
  });

  it("a secret without the whsec_ prefix is read as base64 too, as the reference libraries do", async () => {
    await expect(hmacVerifier({ secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }).verify(request(VECTOR.body, vectorHeaders()))).resolves.toBeUndefined();
  });

  it("a secret that is not base64 is refused at construction with invalid_key, without quoting it", () => {
    const error = thrown(() => standardWebhooksVerifier({ secret: "my plain-text secret!" })) as WebhookVerificationError;
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error.reason).toBe("invalid_key");
    expect(error.message).toBe("webhook: secret #1 is not whsec_ followed by standard padded base64 (Standard Webhooks keys are base64; the key is the decoded bytes)");
    expect(JSON.stringify(error.toJSON())).not.toContain("plain-text");
  });

  it("a whpk_ public key passed as `secret` is refused, naming what the prefix marks", () => {
    const error = thrown(() => standardWebhooksVerifier({ vendor: "acme", secret: PUBLIC_KEY })) as WebhookVerificationError;
    expect(error.reason).toBe("invalid_key");
    expect(error.message).toBe('acme webhook: secret #1 starts with "whpk_", which marks an Ed25519 public key, not an HMAC secret');
  });

  it("webhook-signature is a space-delimited list: any entry may match, in any position", async () => {
    const wrong = v1(Buffer.alloc(32, 7), VECTOR.id, VECTOR.timestamp, VECTOR.body);
    await expect(hmacVerifier().verify(request(VECTOR.body, vectorHeaders(`${wrong} ${VECTOR.signature}`)))).resolves.toBeUndefined();
    await expect(hmacVerifier().verify(request(VECTOR.body, vectorHeaders(`${VECTOR.signature} ${wrong}`)))).resolves.toBeUndefined();
  });

  it("one valid signature among invalid, malformed and unknown-version entries passes", async () => {
    const header = `v1,bm9wZQ== v2,${"A".repeat(44)} garbage v1,${"B".repeat(43)}= ${VECTOR.signature} v1a,${"C".repeat(86)}==`;
    await expect(hmacVerifier().verify(request(VECTOR.body, vectorHeaders(header)))).resolves.toBeUndefined();
  });

  it("unknown signature versions are ignored; a header with only unknown versions is malformed_signature naming them", async () => {
    const error = await failure(hmacVerifier(), request(VECTOR.body, vectorHeaders(`v2,${VECTOR.signature.slice(3)} v0,abc`)));
    expect(error.reason).toBe("malformed_signature");
    expect(error.message).toBe("acme webhook: webhook-signature has no v1 (HMAC) or v1a (Ed25519) signature (versions present: v2, v0)");
  });

  it("a v1 entry that is not canonical base64 of 32 bytes cannot match (the reference library compares the text)", async () => {
    const unpadded = VECTOR.signature.replace(/=$/, "");
    const error = await failure(hmacVerifier(), request(VECTOR.body, vectorHeaders(unpadded)));
    expect(error.reason).toBe("malformed_signature");
    expect(error.message).toBe("acme webhook: webhook-signature has v1/v1a entries, but none is standard base64 of a 32-byte HMAC-SHA256 or 64-byte Ed25519 signature");
  });

  it("a non-canonical base64 spelling of the right bytes is not the signature (the reference library compares the text)", async () => {
    const respelled = VECTOR.signature.replace(/E=$/, "F=");
    expect(Buffer.from(respelled.slice(3), "base64")).toEqual(Buffer.from(VECTOR.signature.slice(3), "base64"));
    expect((await failure(hmacVerifier(), request(VECTOR.body, vectorHeaders(respelled)))).reason).toBe("malformed_signature");
  });

  it("rotation: with several active secrets, a message signed with any one of them passes", async () => {
    const keyBytes = Buffer.alloc(32, 7);
    const signature = v1(keyBytes, VECTOR.id, VECTOR.timestamp, VECTOR.body);
    await expect(hmacVerifier({ secret: [VECTOR.secret, OTHER_SECRET] }).verify(request(VECTOR.body, vectorHeaders(signature)))).resolves.toBeUndefined();
    let current = VECTOR.secret;
    const rotating = hmacVerifier({ secret: () => current });
    expect((await failure(rotating, request(VECTOR.body, vectorHeaders(signature)))).reason).toBe("bad_signature");
    current = OTHER_SECRET;
    await expect(rotating.verify(request(VECTOR.body, vectorHeaders(signature)))).resolves.toBeUndefined();
  });

  it("a proxy that joined repeated webhook-signature headers with \", \" still verifies", async () => {
    const wrong = v1(Buffer.alloc(32, 7), VECTOR.id, VECTOR.timestamp, VECTOR.body);
    await expect(hmacVerifier().verify(request(VECTOR.body, vectorHeaders(`${VECTOR.signature}, ${wrong}`)))).resolves.toBeUndefined();
  });
});

describe("standardWebhooksVerifier: the signature covers the id, the timestamp and the body", () => {
  it.each([
    ["a tampered webhook-id", { "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJeK" }, VECTOR.body],
    ["a tampered webhook-timestamp (still within tolerance)", { "webhook-timestamp": String(VECTOR.timestamp + 1) }, VECTOR.body],
    ["one changed body byte", {}, '{"test": 2432232315}'],
    ["a re-serialised body", {}, '{"test":2432232314}'],
  ])("%s is bad_signature", async (_name, headers, body) => {
    const error = await failure(hmacVerifier(), request(body, { ...vectorHeaders(), ...headers }));
    expect(error.reason).toBe("bad_signature");
    expect(error.message).toMatch(/^acme webhook: no signature in webhook-signature matches \(1 v1 signature against 1 secret; the signed content is webhook-id, webhook-timestamp and the raw body\)/);
    expect(error.message).not.toContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  });

  it("a body parsed before verification is body_parsed (the signed bytes are gone)", async () => {
    const error = await failure(hmacVerifier(), { ...request("", vectorHeaders()), rawBody: JSON.parse(VECTOR.body) as Buffer });
    expect(error.reason).toBe("body_parsed");
  });
});

describe("standardWebhooksVerifier: headers and timestamp", () => {
  it.each([
    ["webhook-id", "no webhook-id header"],
    ["webhook-timestamp", "no webhook-timestamp header"],
    ["webhook-signature", "no webhook-signature header"],
  ])("a missing %s is missing_header naming it", async (name, text) => {
    const headers = vectorHeaders();
    delete headers[name];
    const error = await failure(hmacVerifier(), request(VECTOR.body, headers));
    expect(error.reason).toBe("missing_header");
    expect(error.message).toBe(`acme webhook: ${text}; does the sender follow Standard Webhooks, and does a proxy strip the headers?`);
  });

  it("several missing headers are named together; header names are case-insensitive", async () => {
    const error = await failure(hmacVerifier(), request(VECTOR.body, { "webhook-id": VECTOR.id }));
    expect(error.message).toBe("acme webhook: no webhook-timestamp, webhook-signature header; does the sender follow Standard Webhooks, and does a proxy strip the headers?");
    const upper = { "Webhook-Id": VECTOR.id, "Webhook-Timestamp": String(VECTOR.timestamp), "Webhook-Signature": VECTOR.signature };
    await expect(hmacVerifier().verify(request(VECTOR.body, upper))).resolves.toBeUndefined();
  });

  it.each(["1614265330.5", "1614265330000", "1.6e9", "-1614265330", "0x60370a32", "soon"])(
    "webhook-timestamp %s is malformed_timestamp (spec: an integer unix timestamp in seconds)",
    async (timestamp) => {
      const error = await failure(hmacVerifier(), request(VECTOR.body, { ...vectorHeaders(), "webhook-timestamp": timestamp }));
      expect(error.reason).toBe("malformed_timestamp");
      expect(error.message).toBe(`acme webhook: webhook-timestamp ${JSON.stringify(timestamp)} is not an integer number of seconds since the epoch`);
    },
  );

  function signedAt(timestamp: number): WebhookRequest {
    return request(VECTOR.body, signStandardWebhook({ id: VECTOR.id, timestamp, body: VECTOR.body, secret: VECTOR.secret }) as unknown as Record<string, string>);
  }

  it("tolerance in the past: 300 s old passes, 301 s old is stale_timestamp (default 5 minutes)", async () => {
    await expect(hmacVerifier().verify(signedAt(VECTOR.timestamp - 300))).resolves.toBeUndefined();
    const error = await failure(hmacVerifier(), signedAt(VECTOR.timestamp - 301));
    expect(error.reason).toBe("stale_timestamp");
    expect(error.message).toBe("acme webhook: signed timestamp is 301 s old, outside the 300 s tolerance: a replayed request, or a server clock that is off (check NTP)");
  });

  it("tolerance in the future: 300 s ahead passes, 301 s ahead is stale_timestamp", async () => {
    await expect(hmacVerifier().verify(signedAt(VECTOR.timestamp + 300))).resolves.toBeUndefined();
    const error = await failure(hmacVerifier(), signedAt(VECTOR.timestamp + 301));
    expect(error.reason).toBe("stale_timestamp");
    expect(error.message).toBe("acme webhook: signed timestamp is 301 s in the future, outside the 300 s tolerance: a replayed request, or a server clock that is off (check NTP)");
  });

  it("toleranceSeconds is configurable, and the clock is compared in whole seconds as the reference library does", async () => {
    const tight = hmacVerifier({ toleranceSeconds: 10 });
    await expect(tight.verify(signedAt(VECTOR.timestamp - 10))).resolves.toBeUndefined();
    expect((await failure(tight, signedAt(VECTOR.timestamp - 11))).reason).toBe("stale_timestamp");
    // now = timestamp + 300.999 s: floor(now) − timestamp = 300, not more than the tolerance.
    const late = hmacVerifier({ now: () => (VECTOR.timestamp + 300) * 1000 + 999 });
    await expect(late.verify(signedAt(VECTOR.timestamp))).resolves.toBeUndefined();
  });

  it("a stale request with a forged signature is bad_signature, not stale (only an authentic request learns about time)", async () => {
    const error = await failure(hmacVerifier({ now: () => Date.parse("2030-01-01T00:00:00Z") }), request(VECTOR.body, vectorHeaders(v1(Buffer.alloc(32, 1), VECTOR.id, VECTOR.timestamp, VECTOR.body))));
    expect(error.reason).toBe("bad_signature");
  });
});

describe("standardWebhooksVerifier: v1a Ed25519 with whpk_ / whsk_ keys", () => {
  it("whsk_ is the base64 of the 32-byte seed; its whpk_ is the base64 of the 32-byte public key (RFC 8032 test 1)", () => {
    expect(standardWebhookPublicKey(SIGNING_KEY)).toBe(PUBLIC_KEY);
    // The 64-byte form (seed then public key, as libsodium stores it) is accepted when consistent.
    expect(standardWebhookPublicKey(`whsk_${Buffer.concat([RFC_SEED, RFC_PUBLIC]).toString("base64")}`)).toBe(PUBLIC_KEY);
    const error = thrown(() => standardWebhookPublicKey(`whsk_${Buffer.concat([RFC_SEED, Buffer.alloc(32)]).toString("base64")}`)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ path: "signingKey", message: "signingKey: its last 32 bytes are not the public key of its seed" }]);
  });

  it("a v1a signature computed independently with node:crypto verifies against the whpk_ key", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const verifier = standardWebhooksVerifier({ publicKey: `whpk_${rawPublic(publicKey)}`, now: AT_VECTOR });
    await expect(verifier.verify(request(VECTOR.body, vectorHeaders(v1a(privateKey, VECTOR.id, VECTOR.timestamp, VECTOR.body))))).resolves.toBeUndefined();
  });

  it("the signer's v1a verifies; another key's, a tampered body and a tampered id do not", async () => {
    const headers = signStandardWebhook({ id: VECTOR.id, timestamp: VECTOR.timestamp, body: VECTOR.body, signingKey: SIGNING_KEY });
    expect(headers["webhook-signature"]).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    const verifier = standardWebhooksVerifier({ vendor: "acme", publicKey: PUBLIC_KEY, now: AT_VECTOR });
    await expect(verifier.verify(request(VECTOR.body, { ...headers }))).resolves.toBeUndefined();
    const { publicKey: other } = generateKeyPairSync("ed25519");
    const wrongKey = standardWebhooksVerifier({ vendor: "acme", publicKey: `whpk_${rawPublic(other)}`, now: AT_VECTOR });
    expect((await failure(wrongKey, request(VECTOR.body, { ...headers }))).message).toMatch(/^acme webhook: no signature in webhook-signature matches \(1 v1a signature against 1 public key;/);
    expect((await failure(verifier, request('{"test": 1}', { ...headers }))).reason).toBe("bad_signature");
    expect((await failure(verifier, request(VECTOR.body, { ...headers, "webhook-id": "msg_other" }))).reason).toBe("bad_signature");
  });

  it("a verifier with both a secret and a public key accepts either scheme (a sender moving between them)", async () => {
    const both = standardWebhooksVerifier({ secret: VECTOR.secret, publicKey: PUBLIC_KEY, now: AT_VECTOR });
    await expect(both.verify(request(VECTOR.body, vectorHeaders()))).resolves.toBeUndefined();
    const signed = signStandardWebhook({ id: VECTOR.id, timestamp: VECTOR.timestamp, body: VECTOR.body, signingKey: SIGNING_KEY });
    await expect(both.verify(request(VECTOR.body, { ...signed }))).resolves.toBeUndefined();
  });

  it("a v1a-only header against a secret-only verifier says which key to configure", async () => {
    const signed = signStandardWebhook({ id: VECTOR.id, timestamp: VECTOR.timestamp, body: VECTOR.body, signingKey: SIGNING_KEY });
    const error = await failure(hmacVerifier(), request(VECTOR.body, { ...signed }));
    expect(error.reason).toBe("bad_signature");
    expect(error.message).toBe(
      "acme webhook: no signature in webhook-signature matches (0 v1 signatures against 1 secret; the signed content is webhook-id, webhook-timestamp and the raw body); the sender signs with v1a (Ed25519): configure its whpk_ `publicKey`",
    );
  });

  it("a public key that is not 32 bytes, or a whsk_ signing key given as publicKey, is invalid_key", () => {
    expect((thrown(() => standardWebhooksVerifier({ publicKey: `whpk_${Buffer.alloc(31).toString("base64")}` })) as WebhookVerificationError).message).toBe(
      "webhook: publicKey #1 decodes to 31 bytes; an Ed25519 public key is 32",
    );
    const error = thrown(() => standardWebhooksVerifier({ publicKey: SIGNING_KEY })) as WebhookVerificationError;
    expect(error.reason).toBe("invalid_key");
    expect(error.message).toBe(
      'webhook: publicKey #1 starts with "whsk_", which marks an Ed25519 signing key, not an Ed25519 public key; the signing key stays with the sender: configure its whpk_ public key (standardWebhookPublicKey derives it)',
    );
    expect(error.message).not.toContain(RFC_SEED.toString("base64"));
  });
});

describe("standardWebhooksVerifier: configuration", () => {
  it("refuses options without any key, and a negative tolerance, with a TypeError", () => {
    expect(() => standardWebhooksVerifier({} as Parameters<typeof standardWebhooksVerifier>[0])).toThrow(new TypeError("standardWebhooksVerifier: set `secret` (whsec_) or `publicKey` (whpk_)"));
    expect(() => standardWebhooksVerifier({ secret: VECTOR.secret, toleranceSeconds: -1 })).toThrow(new TypeError("standardWebhooksVerifier: `toleranceSeconds` must be a non-negative number"));
  });

  it("a secret function returning nothing is no_secret at verification", async () => {
    const error = await failure(standardWebhooksVerifier({ secret: () => [], now: AT_VECTOR }), request(VECTOR.body, vectorHeaders()));
    expect(error.reason).toBe("no_secret");
    expect(error.message).toBe("webhook: no signing secret or public key is configured");
  });

  it("plugs into createWebhookReceiver: a signed delivery reaches its handler, a tampered one is a 401 that reaches none", async () => {
    const seen: Array<{ id: string; type: string }> = [];
    const receiver = createWebhookReceiver<{ id: string; type: string }>({
      vendor: "acme",
      verifier: standardWebhooksVerifier({ vendor: "acme", secret: VECTOR.secret, now: AT_VECTOR }),
      parse: (req) => ({ id: String(req.headers["webhook-id"]), ...(JSON.parse(req.rawBody.toString("utf8")) as { type: string }) }),
      eventId: (event) => event.id,
      eventType: (event) => event.type,
      onEvent: (event) => void seen.push(event),
      now: AT_VECTOR,
    });
    const body = '{"type":"invoice.paid","data":{"id":"inv_1"}}';
    const headers = { ...signStandardWebhook({ id: "msg_1", timestamp: VECTOR.timestamp, body, secret: VECTOR.secret }) };
    expect((await receiver.handle(request(body, headers))).status).toBe(200);
    const tampered = await receiver.handle(request(body.replace("inv_1", "inv_2"), headers));
    expect(tampered.status).toBe(401);
    expect(JSON.parse(tampered.body)).toEqual({ error: "verification_failed" });
    expect(seen).toEqual([{ id: "msg_1", type: "invoice.paid", data: { id: "inv_1" } }]);
  });
});

describe("signStandardWebhook", () => {
  it("reproduces the published vector exactly", () => {
    expect(signStandardWebhook({ id: VECTOR.id, timestamp: VECTOR.timestamp, body: VECTOR.body, secret: VECTOR.secret })).toEqual(vectorHeaders());
    expect(signStandardWebhook({ id: VECTOR.id, timestamp: new Date(VECTOR.timestamp * 1000 + 999), body: Buffer.from(VECTOR.body), secret: VECTOR.secret })).toEqual(vectorHeaders());
  });

  it("signs once per secret and per signing key, space separated, v1 entries first", () => {
    const headers = signStandardWebhook({ id: VECTOR.id, timestamp: VECTOR.timestamp, body: VECTOR.body, secret: [VECTOR.secret, OTHER_SECRET], signingKey: SIGNING_KEY });
    const entries = headers["webhook-signature"].split(" ");
    expect(entries).toHaveLength(3);
    expect(entries[0]).toBe(VECTOR.signature);
    expect(entries[1]).toBe(v1(Buffer.alloc(32, 7), VECTOR.id, VECTOR.timestamp, VECTOR.body));
    expect(entries[2]).toMatch(/^v1a,/);
  });

  it.each([
    ["an id with a \".\" (spec: ids must not contain full stops)", { id: "msg.1" }, "id", 'id must be non-empty printable ASCII without spaces or "."'],
    ["an empty id", { id: "" }, "id", 'id must be non-empty printable ASCII without spaces or "."'],
    ["a fractional timestamp", { timestamp: 1614265330.5 }, "timestamp", "timestamp must be whole seconds since the epoch"],
    ["a timestamp in milliseconds", { timestamp: 1614265330000 }, "timestamp", "timestamp must be seconds since the epoch; this looks like milliseconds"],
    ["an invalid Date", { timestamp: new Date(Number.NaN) }, "timestamp", "timestamp must be a non-negative integer of seconds since the epoch, or a valid Date"],
    ["no secret or signing key", { secret: undefined }, "secret", "secret or signingKey is required"],
    ["a secret that is not base64", { secret: "whsec_not base64!" }, "secret", "secret #1 is not whsec_ followed by standard padded base64 (Standard Webhooks keys are base64; the key is the decoded bytes)"],
  ])("refuses %s with a ValidationError before signing", (_name, override, path, message) => {
    const error = thrown(() => signStandardWebhook({ id: VECTOR.id, timestamp: VECTOR.timestamp, body: VECTOR.body, secret: VECTOR.secret, ...override })) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ path, message }]);
    expect(error.message).toBe(`Standard Webhooks signer: ${message}`);
  });
});

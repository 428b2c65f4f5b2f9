/**
 * Interop (issue 21): core's Standard Webhooks signer and verifier against the reference
 * JavaScript library, `standardwebhooks` 1.3.0 (github.com/standard-webhooks/standard-webhooks,
 * libraries/javascript). What we sign, the reference `Webhook.verify` accepts; what the
 * reference `Webhook.sign` produces, our verifier accepts; and both refuse the same tampering.
 *
 * Quirks of the reference library worked around here:
 * - It reads the clock with `Date.now()` and has no clock option, so these tests fake `Date`
 *   only (no timers) at a fixed instant and put the real one back afterwards.
 * - 1.3.0 implements `v1` (HMAC-SHA256) only: no `v1a` Ed25519 signing or verification, so the
 *   Ed25519 side cannot be cross-checked against it. Our `v1a` is checked against node:crypto
 *   and RFC 8032 keys in packages/core/test/webhooks-standard.issue-21.test.ts; here the
 *   library only shows that a `v1a` entry beside a `v1` one does not disturb it.
 */
import { signStandardWebhook, standardWebhooksVerifier, WebhookVerificationError, type WebhookRequest } from "@connect/core";
import { Webhook, WebhookVerificationError as ReferenceVerificationError } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ROTATED = `whsec_${Buffer.alloc(32, 0x5a).toString("base64")}`;
const SIGNING_KEY = `whsk_${Buffer.alloc(32, 0x11).toString("base64")}`;
const NOW_SECONDS = 1_767_225_600; // 2026-01-01T00:00:00Z
const BODY = '{"type":"invoice.paid","timestamp":"2026-01-01T00:00:00Z","data":{"id":"inv_1","amount":1250}}';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: NOW_SECONDS * 1000 });
});
afterEach(() => {
  vi.useRealTimers();
});

function request(body: string | Buffer, headers: Record<string, string>): WebhookRequest {
  return { method: "POST", url: "https://hooks.example.com/standard", headers, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8") };
}

const ours = (secret: string | string[] = SECRET) => standardWebhooksVerifier({ vendor: "acme", secret, now: () => Date.now() });

async function ourFailure(req: WebhookRequest): Promise<WebhookVerificationError> {
  try {
    await ours().verify(req);
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return error as WebhookVerificationError;
  }
  throw new Error("expected our verifier to refuse");
}

function referenceFailure(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ReferenceVerificationError);
    return (error as Error).message;
  }
  throw new Error("expected the reference library to refuse");
}

describe("our signer → the reference library's Webhook.verify", () => {
  it("accepts our v1 signature and returns the parsed payload, with the secret given with or without whsec_", () => {
    const headers = signStandardWebhook({ id: "msg_1", timestamp: NOW_SECONDS, body: BODY, secret: SECRET });
    expect(new Webhook(SECRET).verify(BODY, { ...headers })).toEqual(JSON.parse(BODY));
    expect(new Webhook(SECRET.slice("whsec_".length)).verify(Buffer.from(BODY), { ...headers })).toEqual(JSON.parse(BODY));
  });

  it("accepts a header carrying several signatures (rotation) with either secret, and ignores our v1a entry", () => {
    const headers = signStandardWebhook({ id: "msg_2", timestamp: NOW_SECONDS, body: BODY, secret: [SECRET, ROTATED], signingKey: SIGNING_KEY });
    expect(headers["webhook-signature"].split(" ").map((entry) => entry.split(",")[0])).toEqual(["v1", "v1", "v1a"]);
    expect(new Webhook(SECRET).verify(BODY, { ...headers })).toEqual(JSON.parse(BODY));
    expect(new Webhook(ROTATED).verify(BODY, { ...headers })).toEqual(JSON.parse(BODY));
  });

  it("accepts our signature over a body that is not UTF-8 (the bytes are signed, not a decoded string)", () => {
    const body = Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x80]);
    const headers = signStandardWebhook({ id: "msg_3", timestamp: NOW_SECONDS, body, secret: SECRET });
    expect(new Webhook(SECRET).verify(body, { ...headers }, { jsonParse: false })).toBeUndefined();
  });

  it("refuses what we signed with another secret, and what we signed 301 s ago or ahead, as our verifier does", async () => {
    const other = signStandardWebhook({ id: "msg_4", timestamp: NOW_SECONDS, body: BODY, secret: ROTATED });
    expect(referenceFailure(() => new Webhook(SECRET).verify(BODY, { ...other }))).toBe("No matching signature found");
    expect((await ourFailure(request(BODY, { ...other }))).reason).toBe("bad_signature");

    const old = signStandardWebhook({ id: "msg_5", timestamp: NOW_SECONDS - 301, body: BODY, secret: SECRET });
    expect(referenceFailure(() => new Webhook(SECRET).verify(BODY, { ...old }))).toBe("Message timestamp too old");
    expect((await ourFailure(request(BODY, { ...old }))).reason).toBe("stale_timestamp");

    const ahead = signStandardWebhook({ id: "msg_6", timestamp: NOW_SECONDS + 301, body: BODY, secret: SECRET });
    expect(referenceFailure(() => new Webhook(SECRET).verify(BODY, { ...ahead }))).toBe("Message timestamp too new");
    expect((await ourFailure(request(BODY, { ...ahead }))).reason).toBe("stale_timestamp");

    // The edges of the default 5-minute window agree too.
    for (const timestamp of [NOW_SECONDS - 300, NOW_SECONDS + 300]) {
      const edge = signStandardWebhook({ id: "msg_7", timestamp, body: BODY, secret: SECRET });
      expect(new Webhook(SECRET).verify(BODY, { ...edge })).toEqual(JSON.parse(BODY));
      await expect(ours().verify(request(BODY, { ...edge }))).resolves.toBeUndefined();
    }
  });
});

describe("the reference library's Webhook.sign → our verifier", () => {
  it("accepts the reference signature as the webhook-signature header", async () => {
    const signature = new Webhook(SECRET).sign("msg_ref_1", new Date(), BODY);
    expect(signature).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    const headers = { "webhook-id": "msg_ref_1", "webhook-timestamp": String(NOW_SECONDS), "webhook-signature": signature };
    await expect(ours().verify(request(BODY, headers))).resolves.toBeUndefined();
    // A rotating sender: the reference signatures of two secrets, space separated, against a verifier holding only the new one.
    const both = `${new Webhook(ROTATED).sign("msg_ref_1", new Date(), BODY)} ${signature}`;
    await expect(ours(ROTATED).verify(request(BODY, { ...headers, "webhook-signature": both }))).resolves.toBeUndefined();
  });

  it("our signer and the reference sign produce the same text for the same input", () => {
    const at = new Date((NOW_SECONDS - 42) * 1000);
    const reference = new Webhook(SECRET).sign("msg_ref_2", at, BODY);
    expect(signStandardWebhook({ id: "msg_ref_2", timestamp: at, body: BODY, secret: SECRET })["webhook-signature"]).toBe(reference);
  });

  it("refuses a reference-signed delivery whose id, timestamp or body was changed, as the reference library does", async () => {
    const signature = new Webhook(SECRET).sign("msg_ref_3", new Date(), BODY);
    const headers = { "webhook-id": "msg_ref_3", "webhook-timestamp": String(NOW_SECONDS), "webhook-signature": signature };
    const tampered: Array<[Record<string, string>, string]> = [
      [{ ...headers, "webhook-id": "msg_ref_4" }, BODY],
      [{ ...headers, "webhook-timestamp": String(NOW_SECONDS - 1) }, BODY],
      [headers, BODY.replace("1250", "1251")],
    ];
    for (const [h, body] of tampered) {
      expect(referenceFailure(() => new Webhook(SECRET).verify(body, h))).toBe("No matching signature found");
      expect((await ourFailure(request(body, h))).reason).toBe("bad_signature");
    }
  });
});

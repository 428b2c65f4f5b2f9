import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryDedupeStore, WebhookVerificationError, type WebhookRequest } from "@connect/core";
import {
  computeMailgunSignature,
  createMailgunWebhookHandler,
  mailgunWebhookVerifier,
  parseMailgunWebhook,
  verifyMailgunSignature,
  type MailgunEvent,
} from "@connect/mailgun";
import { mailgunWebhookBody, signMailgunWebhook } from "@connect/mailgun/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FROM, setup, type Harness } from "./helpers.js";

// The contract's vector, cross-checked there with node:crypto and Python (shared/vendors/mailgun.md §7).
const VECTOR = {
  signingKey: "mg-test-signing-key-0001",
  timestamp: "1770920772",
  token: "e0b5477167110d68991efc6b9f89f0a11066af27834600e123",
  signature: "8eaeb6e9c7d54c261530c33bb100a6f1582c9b55b484b3f6c29591cf22830b06",
};
const VECTOR_NOW = 1770920772 * 1000 + 5_000;
const EVENT = { event: "delivered", id: "pl271FzxTTmGRW8Uj3dUWw", timestamp: 1770920771.82, recipient: "ana@example.com", message: { headers: { "message-id": "2026.1@mg.acme.test" } } };

function request(body: unknown, headers: Record<string, string> = { "content-type": "application/json" }): WebhookRequest {
  return { method: "POST", url: "https://host.test/hooks/mailgun", headers, rawBody: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)) };
}

async function failure(promise: Promise<unknown> | unknown): Promise<WebhookVerificationError> {
  const error = await Promise.resolve(promise).then(
    () => {
      throw new Error("expected verification to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return error as WebhookVerificationError;
}

describe("verifyMailgunSignature", () => {
  it("the contract's vector passes; one changed character, another key, another token fail", () => {
    expect(computeMailgunSignature(VECTOR.signingKey, VECTOR.timestamp, VECTOR.token)).toBe(VECTOR.signature);
    expect(verifyMailgunSignature(VECTOR)).toBe(true);
    expect(verifyMailgunSignature({ ...VECTOR, signature: `${VECTOR.signature.slice(0, -1)}c` })).toBe(false);
    expect(verifyMailgunSignature({ ...VECTOR, signingKey: "mg-test-signing-key-0002" })).toBe(false);
    expect(verifyMailgunSignature({ ...VECTOR, token: `${VECTOR.token}0` })).toBe(false);
    expect(verifyMailgunSignature({ ...VECTOR, signature: "not-hex" })).toBe(false);
  });

  it("any of several active keys passes (rotation)", () => {
    expect(verifyMailgunSignature({ ...VECTOR, signingKey: ["mg-new-key", VECTOR.signingKey] })).toBe(true);
  });

  it("the testing signer produces the same signature", () => {
    expect(signMailgunWebhook(VECTOR.signingKey, { timestamp: VECTOR.timestamp, token: VECTOR.token })).toEqual({ timestamp: VECTOR.timestamp, token: VECTOR.token, signature: VECTOR.signature });
  });
});

describe("mailgunWebhookVerifier", () => {
  const body = { signature: { timestamp: VECTOR.timestamp, token: VECTOR.token, signature: VECTOR.signature }, "event-data": EVENT };

  it("accepts the vector inside the window, once; the same token again is a replay", async () => {
    const verifier = mailgunWebhookVerifier({ signingKey: VECTOR.signingKey, now: () => VECTOR_NOW });
    await verifier.verify(request(body));
    const replay = await failure(verifier.verify(request(body)));
    expect(replay.reason).toBe("replayed");
  });

  it("a stale timestamp fails; the window is configurable", async () => {
    const tenMinutesLater = () => 1770920772 * 1000 + 601_000;
    expect((await failure(mailgunWebhookVerifier({ signingKey: VECTOR.signingKey, now: tenMinutesLater }).verify(request(body)))).reason).toBe("stale_timestamp");
    await mailgunWebhookVerifier({ signingKey: VECTOR.signingKey, now: tenMinutesLater, toleranceSeconds: 900 }).verify(request(body));
  });

  it("a bad signature fails before the token is remembered (a forged request cannot burn a real token)", async () => {
    const tokens = createMemoryDedupeStore();
    const verifier = mailgunWebhookVerifier({ signingKey: VECTOR.signingKey, now: () => VECTOR_NOW, tokenStore: tokens });
    const forged = { ...body, signature: { ...body.signature, signature: "0".repeat(64) } };
    const error = await failure(verifier.verify(request(forged)));
    expect(error.reason).toBe("bad_signature");
    expect(error.message).not.toContain(VECTOR.signingKey);
    expect(await tokens.has(`mailgun:webhook-token:${VECTOR.token}`)).toBe(false);
    await verifier.verify(request(body));
  });

  it("explains a key with trailing whitespace, a parsed body, a legacy form body, a missing signature", async () => {
    const spaced = await failure(mailgunWebhookVerifier({ signingKey: `${VECTOR.signingKey}\n`, now: () => VECTOR_NOW }).verify(request(body)));
    expect(spaced.message).toContain("surrounding whitespace");
    const verifier = mailgunWebhookVerifier({ signingKey: VECTOR.signingKey, now: () => VECTOR_NOW });
    expect((await failure(verifier.verify({ ...request(body), rawBody: body as never }))).reason).toBe("body_parsed");
    const legacy = await failure(verifier.verify(request(`timestamp=${VECTOR.timestamp}&token=${VECTOR.token}&signature=${VECTOR.signature}`, { "content-type": "application/x-www-form-urlencoded" })));
    expect(legacy.message).toContain("legacy Mailgun webhook");
    expect((await failure(verifier.verify(request({ "event-data": EVENT })))).reason).toBe("missing_header");
    expect((await failure(verifier.verify(request("not json")))).reason).toBe("malformed_signature");
  });
});

describe("parseMailgunWebhook", () => {
  it("returns event-data with every field kept; a body that is not an event throws", () => {
    const event = parseMailgunWebhook(JSON.stringify({ signature: VECTOR, "event-data": { ...EVENT, "user-variables": { doc_id: "d_9" }, account: { id: "acc" } } }));
    expect(event).toMatchObject({ ...EVENT, "user-variables": { doc_id: "d_9" }, account: { id: "acc" } });
    expect(() => parseMailgunWebhook(JSON.stringify({ signature: VECTOR, "event-data": { event: "delivered" } }))).toThrow(/event-data\.id/);
  });
});

describe("createMailgunWebhookHandler against the fake's deliveries", () => {
  let h: Harness;
  let host: Server;
  let url: string;
  let seen: Array<[string, MailgunEvent]>;
  let receiver: ReturnType<typeof createMailgunWebhookHandler>;

  beforeEach(async () => {
    h = await setup({ fake: { bounceAddresses: /@bounce\.test$/ } });
    seen = [];
    receiver = createMailgunWebhookHandler({
      signingKey: h.fake.signingKey,
      handlers: {
        delivered: (e) => void seen.push(["delivered", e]),
        failed: (e) => void seen.push(["failed", e]),
      },
      onEvent: (e) => void seen.push([`other:${e.event}`, e]),
    });
    host = createServer((req, res) => void receiver.node(req, res));
    await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(host.address() as AddressInfo).port}/hooks/mailgun`;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => host.close(() => resolve()));
    await h.close();
  });

  it("a signed delivery reaches its typed handler with the whole event-data", async () => {
    const sent = await h.client.messages.send({ from: FROM, to: "gone@bounce.test", subject: "s", text: "t", variables: { draw_id: "d_3" } });
    const failed = h.fake.eventsFor(sent.id).find((e) => e.event === "failed")!;
    const response = await h.fake.deliverWebhook(url, failed);

    expect(response.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]).toBe("failed");
    expect(seen[0]![1]).toMatchObject({ id: failed.id, severity: "permanent", recipient: "gone@bounce.test", "user-variables": { draw_id: "d_3" }, domain: { name: "mg.acme.test" } });
  });

  it("a wrong signing key is a 401 and reaches no handler", async () => {
    await h.client.messages.send({ from: FROM, to: "ana@example.com", subject: "s", text: "t" });
    const response = await h.fake.deliverWebhook(url, h.fake.domain().events[1]!, { signingKey: "someone-elses-key" });
    expect(response.status).toBe(401);
    expect(seen).toEqual([]);
  });

  it("a stale timestamp is a 401 and reaches no handler", async () => {
    await h.client.messages.send({ from: FROM, to: "ana@example.com", subject: "s", text: "t" });
    const response = await h.fake.deliverWebhook(url, h.fake.domain().events[1]!, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(response.status).toBe(401);
    expect(seen).toEqual([]);
  });

  it("the same body posted twice (a replayed token) is refused the second time; the handler ran once", async () => {
    await h.client.messages.send({ from: FROM, to: "ana@example.com", subject: "s", text: "t" });
    const body = JSON.stringify(h.fake.webhookBody(h.fake.domain().events[1]!));
    const post = () => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(401);
    expect(seen.map(([kind]) => kind)).toEqual(["delivered"]);
  });

  it("a redelivery of the same event with a fresh signature is acknowledged as a duplicate", async () => {
    await h.client.messages.send({ from: FROM, to: "ana@example.com", subject: "s", text: "t" });
    const event = h.fake.domain().events[1]!;
    expect((await h.fake.deliverWebhook(url, event)).status).toBe(200);
    const again = await h.fake.deliverWebhook(url, event);
    expect(again.status).toBe(200);
    expect(JSON.parse(await again.text())).toMatchObject({ received: 1, duplicates: 1, handled: 0 });
    expect(seen).toHaveLength(1);
  });

  it("types without a handler go to onEvent; a throwing handler answers 500 so Mailgun redelivers", async () => {
    const sent = await h.client.messages.send({ from: FROM, to: "ana@example.com", subject: "s", text: "t" });
    expect((await h.fake.deliverWebhook(url, h.fake.emit(sent.id, "opened"))).status).toBe(200);
    expect(seen.map(([kind]) => kind)).toEqual(["other:opened"]);

    const failing = createMailgunWebhookHandler({ signingKey: h.fake.signingKey, handlers: { delivered: () => { throw new Error("db down"); } } });
    const response = await failing.handle(request(mailgunWebhookBody(h.fake.signingKey, h.fake.domain().events[1]!)));
    expect(response.status).toBe(500);
  });

  it("refuses to start without a signing key", () => {
    expect(() => createMailgunWebhookHandler({})).toThrow(/needs signingKey/);
  });
});

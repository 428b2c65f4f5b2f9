import { ValidationError } from "@connect/core";
import { createSendGridWebhookHandler } from "@connect/sendgrid";
import { serializeEventBatch } from "@connect/sendgrid/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { drawApproved, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

describe("eventWebhook.getPublicKey", () => {
  it("returns the account's verification key", async () => {
    const settings = await h.client.eventWebhook.getPublicKey();
    expect(settings).toEqual({ publicKey: h.fake.signer.publicKey });
    expect(settings.publicKey.startsWith("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE")).toBe(true);
    expect(h.server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(["GET /v3/user/webhooks/event/settings/signed"]);
  });

  it("addresses one webhook by id on multi-webhook accounts", async () => {
    const settings = await h.client.eventWebhook.getPublicKey({ id: "wh 1" });
    expect(settings).toEqual({ id: "wh 1", publicKey: h.fake.signer.publicKey });
    expect(h.server.requests[0]!.url).toBe("/v3/user/webhooks/event/settings/signed/wh%201");
  });
});

describe("eventWebhook.setSigning", () => {
  it("rejects a missing enabled flag before any I/O", async () => {
    const error = await h.client.eventWebhook.setSigning({} as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(["enabled"]);
    expect(h.server.requests).toHaveLength(0);
  });

  it("rotation: disabling drops the key, enabling issues a new one; a receiver holding both keys accepts the new batches", async () => {
    const oldKey = (await h.client.eventWebhook.getPublicKey()).publicKey;
    const off = await h.client.eventWebhook.setSigning({ enabled: false });
    const on = await h.client.eventWebhook.setSigning({ enabled: true });

    expect(off).toEqual({ publicKey: "" });
    expect(on.publicKey).not.toBe(oldKey);
    expect(on.publicKey).toBe(h.fake.signer.publicKey);
    expect(h.server.requests.slice(1).map((r) => [r.method, r.text])).toEqual([
      ["PATCH", '{"enabled":false}'],
      ["PATCH", '{"enabled":true}'],
    ]);

    const sent = await h.client.mail.send(drawApproved());
    const body = serializeEventBatch(h.fake.eventsFor(sent.messageId!, ["delivered"]));
    const request = () => ({ method: "POST", url: "http://127.0.0.1/hook", headers: h.fake.signer.sign(body), rawBody: body });
    const handled: string[] = [];
    const rotated = createSendGridWebhookHandler({ publicKey: [on.publicKey, oldKey], onEvent: (e) => void handled.push(e.event) });
    const stale = createSendGridWebhookHandler({ publicKey: oldKey, onEvent: (e) => void handled.push(e.event) });

    expect((await stale.handle(request())).status).toBe(401);
    expect((await rotated.handle(request())).status).toBe(200);
    expect(handled).toEqual(["delivered"]);
  });

  it("while signing is off the fake posts unsigned batches, which a verifying receiver refuses", async () => {
    const key = (await h.client.eventWebhook.getPublicKey()).publicKey;
    await h.client.eventWebhook.setSigning({ enabled: false });
    const sent = await h.client.mail.send(drawApproved());
    const body = serializeEventBatch(h.fake.eventsFor(sent.messageId!, ["delivered"]));
    const receiver = createSendGridWebhookHandler({ publicKey: key, onEvent: () => undefined });

    const response = await receiver.fetch(new Request("http://127.0.0.1/hook", { method: "POST", body: new Uint8Array(body) }));
    expect(h.fake.signingEnabled).toBe(false);
    expect(response.status).toBe(401);
  });
});

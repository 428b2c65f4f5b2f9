/** Regression (issue 15): one deeply nested invalid event no longer fails the whole batch (400), dropping the valid ones. */
import { createMemoryDeadLetterSink } from "@connect/core";
import { createSendGridWebhookHandler } from "@connect/sendgrid";
import { createEventWebhookSigner } from "@connect/sendgrid/testing";
import { describe, expect, it } from "vitest";

describe("issue 15: a deeply nested invalid event in a batch", () => {
  it("is dead-lettered while the rest of the batch is handled (200)", async () => {
    const signer = createEventWebhookSigner();
    const deadLetters = createMemoryDeadLetterSink();
    const handled: string[] = [];
    const webhook = createSendGridWebhookHandler({ publicKey: signer.publicKey, deadLetters, onEvent: (e) => void handled.push(String(e.sg_event_id)) });
    const depth = 20_000;
    const deep = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
    const body = `[{"event":"delivered","email":"ana@example.com","timestamp":1767614400,"x_custom":${deep}},\r\n{"event":"delivered","email":"bo@example.com","timestamp":1767614400,"sg_event_id":"ok-1","sg_message_id":"m.1"}]\r\n`;

    const res = await webhook.handle({ method: "POST", url: "https://hooks.test/sendgrid", headers: signer.sign(body), rawBody: Buffer.from(body) });

    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ received: 1, handled: 1 });
    expect(handled).toEqual(["ok-1"]);
    const letters = await deadLetters.list();
    expect(letters.map((l) => [l.operation, l.id.startsWith("sendgrid:webhook:invalid:")])).toEqual([["invalid_event", true]]);
  });
});

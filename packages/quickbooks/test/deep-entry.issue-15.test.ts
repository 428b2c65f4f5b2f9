/** Regression (issue 15): one deeply nested invalid entry no longer fails the whole payload (400), dropping the valid changes. */
import { createMemoryDeadLetterSink } from "@connect/core";
import { createQuickBooksWebhookHandler, type QuickBooksEntityChange } from "@connect/quickbooks";
import { signQuickBooksPayload } from "@connect/quickbooks/testing";
import { describe, expect, it } from "vitest";

describe("issue 15: a deeply nested invalid entry in a CloudEvents payload", () => {
  it("is dead-lettered as invalid_change while the valid change is queued and handled (200)", async () => {
    const token = "issue15-verifier-token";
    const deadLetters = createMemoryDeadLetterSink();
    const handled: QuickBooksEntityChange[] = [];
    const webhook = createQuickBooksWebhookHandler({ verifierToken: token, deadLetters, onChange: (c) => void handled.push(c) });
    const depth = 20_000;
    const deep = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
    const body = `[{"specversion":"1.0","id":"ce-bad","type":${deep},"source":"intuit.x"},{"specversion":"1.0","id":"ce-ok","type":"qbo.invoice.updated.v1","source":"intuit.x","time":"2026-01-05T12:00:00Z","intuitentityid":"130","intuitaccountid":"9341453","datacontenttype":"application/json","data":{}}]`;

    const res = await webhook.handle({ method: "POST", url: "https://hooks.test/qbo", headers: { "intuit-signature": signQuickBooksPayload(body, token) }, rawBody: Buffer.from(body) });
    await webhook.idle();

    expect(res.status).toBe(200);
    expect(handled.map((c) => [c.id, c.entity, c.entityId, c.operation])).toEqual([["ce-ok", "Invoice", "130", "Update"]]);
    expect((await deadLetters.list()).map((l) => l.operation)).toEqual(["invalid_change"]);
  });
});

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryDeadLetterSink, WebhookVerificationError, type WebhookRequest } from "@connect/core";
import {
  createQuickBooksWebhookHandler,
  parseQuickBooksWebhook,
  quickBooksWebhookVerifier,
  type QuickBooksEntityChange,
  type QuickBooksWebhookOptions,
} from "@connect/quickbooks";
import { createQuickBooksFake, signQuickBooksPayload, type FakeChange } from "@connect/quickbooks/testing";
import { afterEach, describe, expect, it } from "vitest";
import { customerBody, invoiceBody, setup, type Harness } from "./helpers.js";

// Vectors signed with `openssl dgst -sha256 -hmac <token> -binary | base64` (shared/vendors/quickbooks.md §8).
const TOKEN = "verifier-token-vector-0001";
const LEGACY_BODY = '{"eventNotifications":[{"realmId":"310687","dataChangeEvent":{"entities":[{"name":"Invoice","id":"1234","operation":"Update","lastUpdated":"2025-09-08T20:52:31.657Z"}]}}]}';
const LEGACY_SIGNATURE = "uJAnqVjTDha5ZUY57ZxBhMn9NRgFhAgxdbZdol/DNwA=";
const CLOUD_BODY =
  '[{"specversion":"1.0","id":"88cd52aa-33b6-4351-9aa9-1c8a4e4e8b9f","source":"intuit.dsnBgbseTest","type":"qbo.invoice.updated.v1","datacontenttype":"application/json","time":"2025-09-10T21:31:25.179Z","intuitentityid":"1234","intuitaccountid":"310687","data":{}}]';
const CLOUD_SIGNATURE = "IlAeZ8sCfPgq4OLLG73aNssyevr9Q+DI/t0gZIGk3o0=";

const request = (body: string | Buffer, signature?: string, extra: Record<string, string> = {}): WebhookRequest => ({
  method: "POST",
  url: "https://lender.test/webhooks/quickbooks",
  headers: { "content-type": "application/json", ...(signature === undefined ? {} : { "intuit-signature": signature }), ...extra },
  rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8"),
});

async function reasonOf(promise: unknown): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return (error as WebhookVerificationError).reason;
  }
  throw new Error("expected verification to fail");
}

describe("intuit-signature", () => {
  const verifier = quickBooksWebhookVerifier({ verifierToken: TOKEN });

  it("the known vectors verify (legacy and CloudEvents), and the fake's signer agrees", async () => {
    await expect(Promise.resolve(verifier.verify(request(LEGACY_BODY, LEGACY_SIGNATURE)))).resolves.toBeUndefined();
    await expect(Promise.resolve(verifier.verify(request(CLOUD_BODY, CLOUD_SIGNATURE)))).resolves.toBeUndefined();
    expect(signQuickBooksPayload(LEGACY_BODY, TOKEN)).toBe(LEGACY_SIGNATURE);
  });

  it("one changed byte, a wrong token and a missing header fail", async () => {
    expect(await reasonOf(verifier.verify(request(LEGACY_BODY.replace("1234", "1235"), LEGACY_SIGNATURE)))).toBe("bad_signature");
    expect(await reasonOf(quickBooksWebhookVerifier({ verifierToken: "another-token-000" }).verify(request(LEGACY_BODY, LEGACY_SIGNATURE)))).toBe("bad_signature");
    expect(await reasonOf(verifier.verify(request(LEGACY_BODY)))).toBe("missing_header");
  });

  it("a rotated token list passes with either token", async () => {
    const rotating = quickBooksWebhookVerifier({ verifierToken: ["new-token-0000000", TOKEN] });
    await expect(Promise.resolve(rotating.verify(request(LEGACY_BODY, LEGACY_SIGNATURE)))).resolves.toBeUndefined();
  });

  it("a parsed body gets the helpful body_parsed error; a re-serialised one is hinted", async () => {
    const parsed = { ...request(LEGACY_BODY, LEGACY_SIGNATURE), rawBody: JSON.parse(LEGACY_BODY) as never };
    expect(await reasonOf(verifier.verify(parsed))).toBe("body_parsed");
    const pretty = JSON.stringify(JSON.parse(LEGACY_BODY), null, 1);
    const compact = JSON.stringify(JSON.parse(pretty));
    try {
      await verifier.verify(request(compact, signQuickBooksPayload(pretty, TOKEN)));
      throw new Error("expected failure");
    } catch (error) {
      expect((error as WebhookVerificationError).message).toMatch(/re-serialised/);
    }
  });
});

describe("payload formats", () => {
  it("normalises a CloudEvent and a legacy entry to the same typed change", () => {
    const cloud = parseQuickBooksWebhook(CLOUD_BODY);
    const legacy = parseQuickBooksWebhook(LEGACY_BODY);
    expect(cloud.changes).toEqual([
      { id: "88cd52aa-33b6-4351-9aa9-1c8a4e4e8b9f", realmId: "310687", entity: "Invoice", entityId: "1234", operation: "Update", occurredAt: "2025-09-10T21:31:25.179Z", type: "qbo.invoice.updated.v1", format: "cloudevents" },
    ]);
    expect(legacy.changes).toEqual([
      { id: expect.stringMatching(/^legacy:[0-9a-f]{40}$/), realmId: "310687", entity: "Invoice", entityId: "1234", operation: "Update", occurredAt: "2025-09-08T20:52:31.657Z", type: "qbo.invoice.updated.v1", format: "legacy" },
    ]);
  });

  it("maps entity names (journalentry → JournalEntry), merges with the deleted id, and keeps good entries next to bad ones", () => {
    const body = JSON.stringify([
      { specversion: "1.0", id: "e1", type: "qbo.journalentry.created.v1", intuitentityid: "7", intuitaccountid: "1", data: {} },
      { specversion: "1.0", id: "e2", type: "qbo.customer.merged.v1", intuitentityid: "27", intuitaccountid: "1", data: { deletedid: "19" } },
      { specversion: "1.0", id: "e3", type: "nonsense", intuitentityid: "1", intuitaccountid: "1" },
      { specversion: "1.0", type: "qbo.invoice.deleted.v1", intuitentityid: "1", intuitaccountid: "1" },
    ]);
    const parsed = parseQuickBooksWebhook(body);
    expect(parsed.changes.map((c) => [c.entity, c.operation, c.entityId, c.deletedId])).toEqual([
      ["JournalEntry", "Create", "7", undefined],
      ["Customer", "Merge", "27", "19"],
    ]);
    expect(parsed.invalid.map((i) => [i.index, i.issues.map((x) => x.path)])).toEqual([
      [2, ["2.type"]],
      [3, ["3.id"]],
    ]);
  });

  it("a body that is neither format is a ValidationError", () => {
    expect(() => parseQuickBooksWebhook('{"hello":1}')).toThrow(/neither a CloudEvents array nor a legacy/);
    expect(() => parseQuickBooksWebhook("not json")).toThrow(/not JSON/);
  });
});

describe("the webhook endpoint", () => {
  let h: Harness | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    await h?.close();
    h = undefined;
  });

  async function listen(options: Partial<QuickBooksWebhookOptions> & { verifierToken?: string }) {
    const webhook = createQuickBooksWebhookHandler({ verifierToken: TOKEN, retryDelayMs: 0, ...options });
    server = createServer((req, res) => void webhook.node(req, res));
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return { webhook, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/quickbooks` };
  }

  it("acknowledges with 200 before the handler runs, then processes the change from the queue", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const seen: QuickBooksEntityChange[] = [];
    const { webhook, url } = await listen({
      handlers: {
        Invoice: async (change) => {
          await gate;
          seen.push(change);
        },
      },
    });
    const response = await fetch(url, { method: "POST", headers: { "intuit-signature": CLOUD_SIGNATURE, "content-type": "application/json" }, body: CLOUD_BODY });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 1, handled: 1, duplicates: 0, ignored: 0, failed: 0, deadLettered: 0 });
    expect(seen).toEqual([]);
    release();
    await webhook.idle();
    expect(seen.map((c) => c.id)).toEqual(["88cd52aa-33b6-4351-9aa9-1c8a4e4e8b9f"]);
  });

  it("a request that fails verification gets 401 and reaches no handler", async () => {
    const seen: unknown[] = [];
    const { webhook, url } = await listen({ onChange: (c) => void seen.push(c) });
    const response = await fetch(url, { method: "POST", headers: { "intuit-signature": CLOUD_SIGNATURE }, body: CLOUD_BODY.replace("1234", "9999") });
    expect(response.status).toBe(401);
    await webhook.idle();
    expect(seen).toEqual([]);
  });

  it("dedupes a redelivered event", async () => {
    const seen: string[] = [];
    const { webhook, url } = await listen({ onChange: (c) => void seen.push(c.id) });
    for (let i = 0; i < 2; i += 1) {
      const response = await fetch(url, { method: "POST", headers: { "intuit-signature": CLOUD_SIGNATURE }, body: CLOUD_BODY });
      expect(response.status).toBe(200);
    }
    await webhook.idle();
    expect(seen).toEqual(["88cd52aa-33b6-4351-9aa9-1c8a4e4e8b9f"]);
  });

  it("a handler that keeps failing is retried, then dead-lettered; the next change is still handled and the webhook was acknowledged", async () => {
    const deadLetters = createMemoryDeadLetterSink();
    const attempts: number[] = [];
    const handled: string[] = [];
    const { webhook, url } = await listen({
      deadLetters,
      maxAttempts: 3,
      handlers: {
        Invoice: (_c, ctx) => {
          attempts.push(ctx.attempt);
          throw new Error("ledger sync down");
        },
        Customer: (c) => void handled.push(c.entityId),
      },
    });
    const changes: FakeChange[] = [
      { realmId: "310687", entity: "Invoice", entityId: "1234", operation: "Update", lastUpdated: "2026-01-05T12:00:00.000Z" },
      { realmId: "310687", entity: "Customer", entityId: "58", operation: "Create", lastUpdated: "2026-01-05T12:00:01.000Z" },
    ];
    const fake = createQuickBooksFake({ verifierToken: TOKEN });
    const response = await fake.postWebhook(url, { changes, format: "legacy" });
    expect(response.status).toBe(200);
    await webhook.idle();
    expect(attempts).toEqual([1, 2, 3]);
    expect(handled).toEqual(["58"]);
    const letters = await deadLetters.list();
    expect(letters.map((l) => [l.kind, l.operation, l.attempts, l.tenantId])).toEqual([["webhook", "qbo.invoice.updated.v1", 3, "310687"]]);
    expect((letters[0]!.payload as QuickBooksEntityChange).entityId).toBe("1234");
  });

  it("a handler error carrying a credential is redacted in log lines and the dead letter", async () => {
    const secret = "Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJlLXZhbHVl";
    const lines: string[] = [];
    const log = (obj: Record<string, unknown>, msg?: string) => void lines.push(JSON.stringify({ obj, msg }));
    const deadLetters = createMemoryDeadLetterSink();
    const { webhook, url } = await listen({
      deadLetters,
      maxAttempts: 2,
      logger: { debug: log, info: log, warn: log, error: log },
      onChange: () => {
        throw new Error(`upstream said: ${secret}`);
      },
    });
    await fetch(url, { method: "POST", headers: { "intuit-signature": CLOUD_SIGNATURE }, body: CLOUD_BODY });
    await webhook.idle();
    expect(lines.length).toBeGreaterThan(0);
    const letters = JSON.stringify(await deadLetters.list());
    for (const text of [lines.join("\n"), letters]) expect(text).not.toContain("c2VjcmV0LXBheWxvYWQ");
    expect(letters).toContain("[REDACTED]");
  });

  it("one malformed entry is dead-lettered as invalid and the others are processed", async () => {
    const deadLetters = createMemoryDeadLetterSink();
    const seen: string[] = [];
    const { webhook, url } = await listen({ deadLetters, onChange: (c) => void seen.push(c.entityId) });
    const body = JSON.stringify([
      { specversion: "1.0", id: "ok-1", type: "qbo.payment.created.v1", intuitentityid: "9", intuitaccountid: "310687", data: {} },
      { specversion: "1.0", id: "bad", type: "qbo.payment.created.v1", intuitaccountid: "310687" },
    ]);
    const response = await fetch(url, { method: "POST", headers: { "intuit-signature": signQuickBooksPayload(body, TOKEN) }, body });
    expect(response.status).toBe(200);
    await webhook.idle();
    expect(seen).toEqual(["9"]);
    expect((await deadLetters.list()).map((l) => l.operation)).toEqual(["invalid_change"]);
  });

  it("a failing queue answers 500 so Intuit redelivers (nothing is lost)", async () => {
    const { url } = await listen({ queue: { enqueue: async () => Promise.reject(new Error("queue down")) } });
    const response = await fetch(url, { method: "POST", headers: { "intuit-signature": CLOUD_SIGNATURE }, body: CLOUD_BODY });
    expect(response.status).toBe(500);
  });

  it("changes for realms the endpoint does not serve are acknowledged and not processed", async () => {
    const seen: string[] = [];
    const { webhook, url } = await listen({ realmIds: ["999"], onChange: (c) => void seen.push(c.id) });
    const response = await fetch(url, { method: "POST", headers: { "intuit-signature": CLOUD_SIGNATURE }, body: CLOUD_BODY });
    expect(response.status).toBe(200);
    await webhook.idle();
    expect(seen).toEqual([]);
  });

  it("the fake posts signed webhooks for the writes it saw, in both formats", async () => {
    h = await setup();
    const customer = await h.client.customers.create(customerBody());
    await h.client.invoices.create(invoiceBody(customer.Id));
    const seen: QuickBooksEntityChange[] = [];
    const { webhook, url } = await listen({ verifierToken: h.fake.verifierToken, onChange: (c) => void seen.push(c) });
    const first = await h.fake.postWebhook(url);
    await h.client.customers.update({ Id: customer.Id, SyncToken: "0", Notes: "x" });
    const second = await h.fake.postWebhook(url, { format: "legacy" });
    expect([first.status, second.status]).toEqual([200, 200]);
    await webhook.idle();
    expect(seen.map((c) => [c.format, c.entity, c.operation, c.realmId])).toEqual([
      ["cloudevents", "Customer", "Create", h.fake.realmId],
      ["cloudevents", "Invoice", "Create", h.fake.realmId],
      ["legacy", "Customer", "Update", h.fake.realmId],
    ]);
  });
});

/**
 * Issue 21: the fake's mail batch ids and its answer to endpoints it does not implement.
 * Batch endpoints per SendGrid's OpenAPI (sendgrid-oai tsg_mail_v3.json: POST /v3/mail/batch →
 * 201 MailBatchResponse, GET /v3/mail/batch/{batch_id} → 200 or MailBatch400 "invalid batch id").
 */
import { NOT_IMPLEMENTED_HEADER, serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { createSendGridFake, type SendGridFake } from "@connect/sendgrid/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

let fake: SendGridFake;
let server: ServedHandlers;
beforeEach(async () => {
  fake = createSendGridFake();
  server = await serveHandlers(fake.handlers);
});
afterEach(async () => {
  await server.close();
});

async function call(method: string, path: string, body?: unknown, key = fake.apiKey) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

const message = (extra: Record<string, unknown> = {}) => ({
  personalizations: [{ to: [{ email: "ana@example.com" }] }],
  from: { email: "noreply@acme.test" },
  subject: "Draw 3 approved",
  content: [{ type: "text/plain", value: "Approved." }],
  ...extra,
});

describe("SendGrid fake: mail batch ids", () => {
  it("POST /v3/mail/batch answers 201 {batch_id} with a new 32-character id each time", async () => {
    const first = await call("POST", "/v3/mail/batch");
    const second = await call("POST", "/v3/mail/batch");

    expect(first.status).toBe(201);
    expect(first.body).toEqual({ batch_id: expect.stringMatching(/^[A-Za-z0-9]{32}$/) });
    expect(second.body!.batch_id).not.toBe(first.body!.batch_id);
    expect([...fake.batchIds]).toEqual([first.body!.batch_id, second.body!.batch_id]);
    expect(first.headers.get("x-ratelimit-limit")).toBe("600");
  });

  it("GET /v3/mail/batch/{id} answers 200 {batch_id} for an issued id and 400 invalid batch id otherwise", async () => {
    const { body } = await call("POST", "/v3/mail/batch");
    const id = body!.batch_id as string;

    expect(await call("GET", `/v3/mail/batch/${id}`)).toMatchObject({ status: 200, body: { batch_id: id } });
    expect(await call("GET", "/v3/mail/batch/HkJ5yLYULb7Rj8GKSx7u025ouWVlMgAi")).toMatchObject({ status: 400, body: { errors: [{ field: null, message: "invalid batch id" }] } });
  });

  it("both need the API key (401 authorization required)", async () => {
    expect(await call("POST", "/v3/mail/batch", undefined, "SG.wrong")).toMatchObject({ status: 401, body: { errors: [{ field: null, message: "authorization required" }] } });
    expect(fake.batchIds.size).toBe(0);
  });

  it("mail/send accepts an issued batch_id (202) and refuses an id SendGrid did not issue (400 on field batch_id, sendgrid/docs#5053)", async () => {
    const { body } = await call("POST", "/v3/mail/batch");
    const batchId = body!.batch_id as string;

    const accepted = await call("POST", "/v3/mail/send", message({ batch_id: batchId, send_at: Math.floor(Date.now() / 1000) + 3600 }));
    expect(accepted.status).toBe(202);
    expect(fake.sends.at(-1)!.body.batch_id).toBe(batchId);

    const refused = await call("POST", "/v3/mail/send", message({ batch_id: "my-own-batch-1" }));
    expect(refused.status).toBe(400);
    expect(refused.body!.errors).toEqual([{ field: "batch_id", message: "invalid batch id", help: expect.stringContaining("#message.batch_id") }]);
    expect(fake.sends).toHaveLength(1);
  });

  it("mail/send refuses a batch_id that is not a string with SendGrid's documented message", async () => {
    const refused = await call("POST", "/v3/mail/send", message({ batch_id: 12345 }));
    expect(refused.status).toBe(400);
    expect(refused.body!.errors).toEqual([{ field: "batch_id", message: "The batch_id must be a string.", help: expect.stringContaining("#message.batch_id") }]);
  });

  it("reset() forgets the issued ids", async () => {
    const { body } = await call("POST", "/v3/mail/batch");
    fake.reset();
    expect((await call("GET", `/v3/mail/batch/${String(body!.batch_id)}`)).status).toBe(400);
  });
});

describe("SendGrid fake: endpoints it does not implement", () => {
  it("answer 501 naming the fake and the request, not a vendor-like 404", async () => {
    const result = await call("GET", "/v3/user/scheduled_sends");

    expect(result.status).toBe(501);
    expect(result.headers.get(NOT_IMPLEMENTED_HEADER)).toBe("@connect/sendgrid/testing");
    expect(result.body).toEqual({
      error: "not_implemented_by_fake",
      message: "not implemented by @connect/sendgrid/testing fake: GET /v3/user/scheduled_sends",
      fake: "@connect/sendgrid/testing",
      method: "GET",
      path: "/v3/user/scheduled_sends",
    });
  });

  it("a real suppression list the fake does not keep (invalid_emails) is a 501 too, while the kept ones answer", async () => {
    expect((await call("GET", "/v3/suppression/invalid_emails")).status).toBe(501);
    expect((await call("GET", "/v3/suppression/invalid_emails/a%40example.com")).status).toBe(501);
    expect(await call("GET", "/v3/suppression/bounces")).toMatchObject({ status: 200, body: [] as unknown });
  });

  it("GET /v3/suppression/bounces/{email} answers a bare array of 0 or 1 rows", async () => {
    fake.suppressions.bounces.push({ created: 1_700_000_000, email: "Ana@Example.com", reason: "550 5.1.1 user unknown", status: "5.1.1" });
    expect((await call("GET", "/v3/suppression/bounces/ana%40example.com")).body).toEqual([{ created: 1_700_000_000, email: "Ana@Example.com", reason: "550 5.1.1 user unknown", status: "5.1.1" }]);
    expect((await call("GET", "/v3/suppression/bounces/bob%40example.com")).body).toEqual([]);
  });

  it("an unknown path still needs the API key first (401): the fake checks the key on every /v3 path before routing", async () => {
    expect((await call("GET", "/v3/user/scheduled_sends", undefined, "SG.wrong")).status).toBe(401);
  });
});

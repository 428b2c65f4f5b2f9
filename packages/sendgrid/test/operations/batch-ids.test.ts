/**
 * mail.createBatchId / mail.validateBatchId against the fake (SendGrid "Create a batch ID",
 * "Validate a batch ID"; sendgrid-oai tsg_mail_v3.json), and batch_id on mail.send.
 */
import { AuthError, ContractDriftError, ValidationError } from "@connect/core";
import { HttpResponse, http } from "msw";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { drawApproved, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

describe("mail.createBatchId", () => {
  it("POSTs /v3/mail/batch with no body and resolves to the issued id", async () => {
    const created = await h.client.mail.createBatchId();

    expect(created).toEqual({ batchId: expect.stringMatching(/^[A-Za-z0-9]{32}$/) });
    expect(h.fake.batchIds.has(created.batchId)).toBe(true);
    const request = h.server.requests.find((r) => r.url === "/v3/mail/batch")!;
    expect(request.method).toBe("POST");
    expect(request.text).toBe("");
  });

  it("sends on-behalf-of when the client acts for a subuser", async () => {
    const { createSendGridClient } = await import("@connect/sendgrid");
    const subuser = createSendGridClient({ apiKey: h.fake.apiKey, baseUrl: h.server.url, onBehalfOf: "lender-east" });
    try {
      await subuser.mail.createBatchId();
    } finally {
      await subuser.close();
    }
    expect(h.server.requests.at(-1)!.headers["on-behalf-of"]).toBe("lender-east");
  });

  it("a wrong API key is AuthError (401 authorization required)", async () => {
    const { createSendGridClient } = await import("@connect/sendgrid");
    const wrong = createSendGridClient({ apiKey: "SG.wrong.key", baseUrl: h.server.url });
    try {
      await expect(wrong.mail.createBatchId()).rejects.toBeInstanceOf(AuthError);
    } finally {
      await wrong.close();
    }
  });
});

describe("mail.validateBatchId", () => {
  it("is valid for an id SendGrid issued and invalid (400 invalid batch id) for any other", async () => {
    const { batchId } = await h.client.mail.createBatchId();

    expect(await h.client.mail.validateBatchId({ batchId })).toEqual({ batchId, valid: true });
    expect(await h.client.mail.validateBatchId({ batchId: "HkJ5yLYULb7Rj8GKSx7u025ouWVlMgAi" })).toEqual({ batchId: "HkJ5yLYULb7Rj8GKSx7u025ouWVlMgAi", valid: false });
    expect(h.server.requests.at(-1)!.url).toBe("/v3/mail/batch/HkJ5yLYULb7Rj8GKSx7u025ouWVlMgAi");
  });

  it("URL-encodes the id into the path", async () => {
    await h.client.mail.validateBatchId({ batchId: "a/b c" });
    expect(h.server.requests.at(-1)!.url).toBe("/v3/mail/batch/a%2Fb%20c");
  });

  it("an empty id is a ValidationError before any request", async () => {
    const before = h.server.requests.length;
    await expect(h.client.mail.validateBatchId({ batchId: "" })).rejects.toBeInstanceOf(ValidationError);
    expect(h.server.requests.length).toBe(before);
  });

  it("failures other than the 400 are still thrown (401 → AuthError)", async () => {
    h.fake.failNext({ status: 401, errors: [{ field: null, message: "authorization required" }], path: "/v3/mail/batch/" });
    await expect(h.client.mail.validateBatchId({ batchId: "x" })).rejects.toBeInstanceOf(AuthError);
  });
});

describe("batch_id on mail.send", () => {
  it("a send with an issued batch_id is accepted (202) and carries it", async () => {
    const { batchId } = await h.client.mail.createBatchId();
    const sent = await h.client.mail.send(drawApproved({ batch_id: batchId, send_at: Math.floor(Date.now() / 1000) + 3600 }));

    expect(sent.messageId).toBe(h.fake.sends[0]!.messageId);
    expect(h.fake.sends[0]!.body.batch_id).toBe(batchId);
  });

  it("a batch_id SendGrid did not issue is refused: ValidationError with vendorCode batch_id", async () => {
    const error = await h.client.mail.send(drawApproved({ batch_id: "self-made-batch" })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).status).toBe(400);
    expect((error as ValidationError).vendorCode).toBe("batch_id");
    expect((error as ValidationError).vendorMessage).toBe("batch_id: invalid batch id");
    expect(h.fake.sends).toHaveLength(0);
  });
});

describe("contract drift", () => {
  it("a 201 without batch_id is ContractDriftError under drift: strict, not an id", async () => {
    const { serveHandlers } = await import("@connect/core/testing");
    const { createSendGridClient } = await import("@connect/sendgrid");
    const odd = await serveHandlers([http.post("*/v3/mail/batch", () => HttpResponse.json({ id: "x" }, { status: 201 }))]);
    const client = createSendGridClient({ apiKey: "SG.k.s", baseUrl: odd.url, drift: "strict" });
    try {
      await expect(client.mail.createBatchId()).rejects.toBeInstanceOf(ContractDriftError);
    } finally {
      await client.close();
      await odd.close();
    }
  });
});

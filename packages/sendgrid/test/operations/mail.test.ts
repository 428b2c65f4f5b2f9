import { AuthError, ForbiddenError, UnknownOutcomeError, ValidationError } from "@connect/core";
import { createSendGridClient } from "@connect/sendgrid";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bodiesTo, drawApproved, FAST_POLICY, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error,
  );
}

describe("mail.send", () => {
  it("sends a dynamic-template message and returns the X-Message-Id of the 202", async () => {
    const result = await h.client.mail.send(drawApproved());

    expect(h.fake.sends).toHaveLength(1);
    expect(result).toEqual({ messageId: h.fake.sends[0]!.messageId, sandbox: false, status: 202 });
    const [request] = h.server.requests;
    expect(request!.method).toBe("POST");
    expect(request!.url).toBe("/v3/mail/send");
    expect(request!.headers.authorization).toBe(`Bearer ${h.fake.apiKey}`);
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request!.text)).toEqual(drawApproved());
  });

  it("forwards plain content, attachments, categories, custom args, send_at and tracking settings verbatim", async () => {
    const sendAt = Math.floor(Date.now() / 1000) + 3600;
    const input = {
      from: { email: "reports@acme.test" },
      subject: "Weekly draw report",
      content: [
        { type: "text/plain", value: "Your weekly report is attached." },
        { type: "text/html", value: "<p>Your weekly report is attached.</p>" },
      ],
      personalizations: [{ to: [{ email: "ops@example.com" }], cc: [{ email: "cfo@example.com" }], custom_args: { x_report: "weekly" } }],
      attachments: [{ content: Buffer.from("%PDF-1.4\n").toString("base64"), filename: "report.pdf", type: "application/pdf", disposition: "attachment" as const }],
      categories: ["weekly-report", "finance"],
      custom_args: { x_tenant_id: "t_9" },
      send_at: sendAt,
      tracking_settings: { click_tracking: { enable: false }, open_tracking: { enable: true } },
      reply_to: { email: "support@acme.test" },
    };
    const result = await h.client.mail.send(input);

    expect(result.status).toBe(202);
    expect(bodiesTo(h.server, "/v3/mail/send")).toEqual([input]);
    expect(h.fake.sends[0]!.body).toEqual(input);
  });

  it("answers sandbox mode with sandbox: true and status 200; nothing is sent", async () => {
    const result = await h.client.mail.send(drawApproved({ mail_settings: { sandbox_mode: { enable: true } } }));

    expect(result).toEqual({ messageId: undefined, sandbox: true, status: 200 });
    expect(h.fake.sends).toHaveLength(0);
    expect(h.fake.sandboxSends).toHaveLength(1);
  });

  it("sends on-behalf-of when the client acts for a subuser", async () => {
    const client = createSendGridClient({ apiKey: h.fake.apiKey, baseUrl: h.server.url, onBehalfOf: "subuser-west", policy: FAST_POLICY });
    await client.mail.send(drawApproved());
    await client.close();

    expect(h.server.requests[0]!.headers["on-behalf-of"]).toBe("subuser-west");
    expect(h.fake.sends[0]!.onBehalfOf).toBe("subuser-west");
  });

  it("maps SendGrid's errors[] body to ValidationError keeping every field and message", async () => {
    h.fake.failNext({
      status: 400,
      path: "/v3/mail/send",
      errors: [
        { field: "personalizations.0.to.0.email", message: "Does not contain a valid address.", help: "http://sendgrid.com/docs/x" },
        { field: null, message: "Bad Request" },
      ],
    });
    const error = (await rejection(h.client.mail.send(drawApproved()))) as ValidationError;

    expect(error).toBeInstanceOf(ValidationError);
    expect(error.status).toBe(400);
    expect(error.vendor).toBe("sendgrid");
    expect(error.operation).toBe("mail.send");
    expect(error.vendorCode).toBe("personalizations.0.to.0.email");
    expect(error.vendorMessage).toBe("personalizations.0.to.0.email: Does not contain a valid address.; Bad Request");
    expect(error.issues).toEqual([
      { path: "personalizations.0.to.0.email", message: "Does not contain a valid address." },
      { path: "(root)", message: "Bad Request" },
    ]);
    expect(error.attempts).toBe(1);
    expect(h.server.requests).toHaveLength(1);
  });

  it("maps an unverified sender (403 from the fake) to ForbiddenError with the field kept", async () => {
    await h.close();
    h = await setup({ fake: { verifiedSenders: ["@acme.test"] } });
    const error = (await rejection(h.client.mail.send(drawApproved({ from: { email: "noreply@other.test" } })))) as ForbiddenError;

    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.status).toBe(403);
    expect(error.vendorCode).toBe("from");
    expect(error.vendorMessage).toContain("does not match a verified Sender Identity");
    expect(h.fake.sends).toHaveLength(0);
  });

  it("maps 413 to ValidationError PAYLOAD_TOO_LARGE", async () => {
    h.fake.failNext({ status: 413, path: "/v3/mail/send" });
    const error = (await rejection(h.client.mail.send(drawApproved()))) as ValidationError;

    expect(error).toBeInstanceOf(ValidationError);
    expect(error.status).toBe(413);
    expect(error.vendorCode).toBe("PAYLOAD_TOO_LARGE");
  });

  it("a wrong API key is an AuthError that does not contain the key", async () => {
    const key = "SG.wrongwrongwrong.secretsecretsecret";
    const client = createSendGridClient({ apiKey: key, baseUrl: h.server.url, policy: FAST_POLICY });
    const error = (await rejection(client.mail.send(drawApproved()))) as AuthError;
    await client.close();

    expect(error).toBeInstanceOf(AuthError);
    expect(error.status).toBe(401);
    expect(error.vendorMessage).toBe("authorization required");
    expect(JSON.stringify(error.toJSON())).not.toContain("wrongwrongwrong");
    expect(error.message).not.toContain("secretsecretsecret");
  });

  it("reads the key from a SecretProvider and forces a refresh once after a 401 (rotated key)", async () => {
    const calls: Array<[string, unknown]> = [];
    const provider = {
      async get(name: string, opts?: { forceRefresh?: boolean }) {
        calls.push([name, opts]);
        return opts?.forceRefresh ? h.fake.apiKey : "SG.rotated-away.old-secret-value";
      },
    };
    const client = createSendGridClient({ apiKey: provider, baseUrl: h.server.url, policy: FAST_POLICY });
    const result = await client.mail.send(drawApproved());
    await client.close();

    expect(result.messageId).toBe(h.fake.sends[0]!.messageId);
    expect(calls).toEqual([
      ["SENDGRID_API_KEY", undefined],
      ["SENDGRID_API_KEY", { forceRefresh: true }],
    ]);
    expect(h.server.requests.map((r) => r.headers.authorization)).toEqual(["Bearer SG.rotated-away.old-secret-value", `Bearer ${h.fake.apiKey}`]);
  });

  it("a 500 ends in UnknownOutcomeError after one request: an email is never sent twice", async () => {
    h.fake.failNext({ status: 500, path: "/v3/mail/send", body: { message: "internal error" } });
    const error = (await rejection(h.client.mail.send(drawApproved()))) as UnknownOutcomeError;

    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error.status).toBe(500);
    expect(error.attempts).toBe(1);
    expect(h.server.requests).toHaveLength(1);
  });
});

describe("mail.send input validation (no request is made)", () => {
  const longAgo = Math.floor(Date.now() / 1000);
  const oneRecipient = (i: number) => ({ to: [{ email: `r${i}@example.com` }] });
  const cases: Array<[string, Record<string, unknown>, string, string?]> = [
    ["no personalizations", drawApproved({ personalizations: [] }), "personalizations"],
    ["1001 personalizations", drawApproved({ personalizations: Array.from({ length: 1001 }, (_, i) => oneRecipient(i)) }), "personalizations", "at most 1000 personalizations"],
    [
      "1002 recipients across personalizations",
      drawApproved({ personalizations: Array.from({ length: 334 }, (_, i) => ({ to: [{ email: `t${i}@x.test` }], cc: [{ email: `c${i}@x.test` }], bcc: [{ email: `b${i}@x.test` }] })) }),
      "personalizations",
      "at most 1000 recipients",
    ],
    ["a personalization without to", drawApproved({ personalizations: [{ to: [] }] }), "personalizations.0.to"],
    ["an invalid recipient address", drawApproved({ personalizations: [{ to: [{ email: "ana.example.com" }] }] }), "personalizations.0.to.0.email", "Does not contain a valid address."],
    ["an invalid from address", drawApproved({ from: { email: "noreply@" } }), "from.email"],
    ["an address repeated across to and bcc", drawApproved({ personalizations: [{ to: [{ email: "ana@example.com" }], bcc: [{ email: "ANA@example.com" }] }] }), "personalizations.0.bcc.0.email"],
    ["a name with a comma", drawApproved({ personalizations: [{ to: [{ email: "ana@example.com", name: "Builder, Ana" }] }] }), "personalizations.0.to.0.name"],
    ["a malformed template id", drawApproved({ template_id: "d-123" }), "template_id", "d- followed by 32 hex digits"],
    ["dynamic data with a legacy template", drawApproved({ template_id: "0f9c2f4e-1111-2222-3333-444455556666" }), "personalizations.0.dynamic_template_data"],
    ["no template, subject or content", { from: { email: "a@acme.test" }, personalizations: [oneRecipient(1)] }, "subject"],
    ["no template and no content", { from: { email: "a@acme.test" }, subject: "Hi", personalizations: [oneRecipient(1)] }, "content"],
    [
      "text/html before text/plain",
      { from: { email: "a@acme.test" }, subject: "Hi", personalizations: [oneRecipient(1)], content: [{ type: "text/html", value: "<p>x</p>" }, { type: "text/plain", value: "x" }] },
      "content",
      "text/plain must come before text/html",
    ],
    ["reply_to together with reply_to_list", drawApproved({ reply_to: { email: "a@acme.test" }, reply_to_list: [{ email: "b@acme.test" }] }), "reply_to_list"],
    ["11 categories", drawApproved({ categories: Array.from({ length: 11 }, (_, i) => `c${i}`) }), "categories"],
    ["repeated categories", drawApproved({ categories: ["a", "a"] }), "categories", "unique"],
    ["attachment content that is not base64", drawApproved({ attachments: [{ content: "not base64!", filename: "a.pdf" }] }), "attachments.0.content"],
    ["an attachment without filename", drawApproved({ attachments: [{ content: "JVBERi0xLjQK" }] }), "attachments.0.filename"],
    ["a message of 31 MB", drawApproved({ attachments: [{ content: "A".repeat(31 * 1024 * 1024), filename: "big.pdf" }] }), "attachments", "under 30 MB"],
    ["a reserved header", drawApproved({ headers: { Subject: "spoofed" } }), "headers.Subject"],
    ["sandbox_mode.enable as a string", drawApproved({ mail_settings: { sandbox_mode: { enable: "true" } } }), "mail_settings.sandbox_mode.enable"],
    ["send_at more than 72 h ahead", drawApproved({ send_at: longAgo + 73 * 3600 }), "send_at"],
    ["a personalization from another domain", drawApproved({ personalizations: [{ to: [{ email: "ana@example.com" }], from: { email: "x@evil.test" } }] }), "personalizations.0.from.email"],
    ["custom args of 10 000 bytes", drawApproved({ custom_args: { x_blob: "x".repeat(10_000) } }), "custom_args"],
    ["a misspelt field (dynamicTemplateData)", drawApproved({ personalizations: [{ to: [{ email: "ana@example.com" }], dynamicTemplateData: { firstName: "Ana" } }] }), "personalizations.0", "dynamicTemplateData"],
    ["an unknown top-level field", drawApproved({ templateId: "d-0123456789abcdef0123456789abcdef" }), "(root)", "templateId"],
    ["a one-character ip_pool_name", drawApproved({ ip_pool_name: "x" }), "ip_pool_name"],
    ["a repeated reply_to_list address", drawApproved({ reply_to_list: [{ email: "a@acme.test" }, { email: "A@acme.test" }] }), "reply_to_list", "unique"],
    ["a personalization send_at more than 72 h ahead", drawApproved({ personalizations: [{ to: [{ email: "ana@example.com" }], send_at: longAgo + 73 * 3600 }] }), "personalizations.0.send_at"],
    ["an asm group id that is not an integer", drawApproved({ asm: { group_id: 1.5 } }), "asm.group_id"],
    ["more than 25 asm groups to display", drawApproved({ asm: { group_id: 1, groups_to_display: Array.from({ length: 26 }, (_, i) => i) } }), "asm.groups_to_display"],
  ];

  it.each(cases)("rejects %s before any I/O", async (_name, input, path, message) => {
    const error = (await rejection(h.client.mail.send(input as never))) as ValidationError;

    expect(error).toBeInstanceOf(ValidationError);
    expect(error.operation).toBe("mail.send");
    const issue = error.issues.find((i) => i.path === path);
    expect(issue, `issues: ${JSON.stringify(error.issues.map((i) => i.path))}`).toBeDefined();
    if (message) expect(issue!.message).toContain(message);
    expect(h.server.requests).toHaveLength(0);
  });

  it("accepts a legacy UUID template without dynamic data, and the fake agrees", async () => {
    const result = await h.client.mail.send({ from: { email: "a@acme.test" }, template_id: "0f9c2f4e-1111-2222-3333-444455556666", personalizations: [{ to: [{ email: "x@example.com" }] }] });
    expect(result.status).toBe(202);
    expect(h.fake.sends[0]!.body.template_id).toBe("0f9c2f4e-1111-2222-3333-444455556666");
  });
});

import { createMemoryIdempotencyStore, ValidationError } from "@connect/core";
import { createMailgunClient, MAILGUN_LIMITS } from "@connect/mailgun";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FAST_POLICY, fieldsOf, formOf, FROM, rejection, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

describe("messages.send", () => {
  it("posts multipart/form-data with repeated recipient and tag fields and returns Mailgun's id with and without brackets", async () => {
    const result = await h.client.messages.send({
      from: FROM,
      to: ["Ana Builder <ana@example.com>", "ops@example.com"],
      cc: "cfo@example.com",
      bcc: ["audit@example.com"],
      subject: "Draw 3 approved",
      text: "Your draw was approved.",
      html: "<p>Your draw was approved.</p>",
      tags: ["draw-approved", "tenant-t1"],
      variables: { draw_id: "draw_3", tenant_id: "t_1" },
      headers: { "Reply-To": "support@acme.test" },
      tracking: true,
      trackingClicks: "htmlonly",
      trackingOpens: false,
      testMode: true,
      options: { "sending-ip-pool": "pool-1" },
    });

    const stored = h.fake.messages[0]!;
    expect(result).toEqual({ id: stored.id, messageId: stored.messageId, message: "Queued. Thank you." });
    expect(result.id).toBe(`<${result.messageId}>`);
    const request = h.server.requests[0]!;
    expect(request.method).toBe("POST");
    expect(request.url).toBe("/v3/mg.acme.test/messages");
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`api:${h.fake.apiKey}`).toString("base64")}`);
    expect(request.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    const sent = {
      from: [FROM],
      to: ["Ana Builder <ana@example.com>", "ops@example.com"],
      cc: ["cfo@example.com"],
      bcc: ["audit@example.com"],
      subject: ["Draw 3 approved"],
      text: ["Your draw was approved."],
      html: ["<p>Your draw was approved.</p>"],
      "o:tag": ["draw-approved", "tenant-t1"],
      "o:tracking": ["yes"],
      "o:tracking-clicks": ["htmlonly"],
      "o:tracking-opens": ["no"],
      "o:testmode": ["yes"],
      "o:sending-ip-pool": ["pool-1"],
      "h:Reply-To": ["support@acme.test"],
      "v:draw_id": ["draw_3"],
      "v:tenant_id": ["t_1"],
    };
    expect(await fieldsOf(request)).toEqual(sent);
    expect(stored.fields).toEqual(sent);
    expect(stored.recipients).toEqual(["ana@example.com", "ops@example.com", "cfo@example.com", "audit@example.com"]);
    expect(stored.testMode).toBe(true);
  });

  it("sends a stored template with t:variables, t:version and t:text; the template supplies from and subject", async () => {
    h.fake.addTemplate("statement", { headers: { From: "noreply@mg.acme.test", Subject: "Your statement" } });
    await h.client.messages.send({ to: "ana@example.com", template: "statement", templateVersion: "v2", templateText: true, templateVariables: { firstName: "Ana", amount: 12500.5 } });

    expect(await fieldsOf(h.server.requests[0]!)).toEqual({
      to: ["ana@example.com"],
      template: ["statement"],
      "t:version": ["v2"],
      "t:text": ["yes"],
      "t:variables": [JSON.stringify({ firstName: "Ana", amount: 12500.5 })],
    });
    expect(h.fake.messages).toHaveLength(1);
  });

  it("can send template variables as h:X-Mailgun-Variables (as mailgun-go does); they surface in user-variables", async () => {
    await h.client.messages.send({ from: FROM, to: "ana@example.com", subject: "Draw", template: "draw-approved", templateVariables: { draw: 3 }, templateVariablesAs: "h:X-Mailgun-Variables" });

    const fields = await fieldsOf(h.server.requests[0]!);
    expect(fields["h:X-Mailgun-Variables"]).toEqual(['{"draw":3}']);
    expect(fields["t:variables"]).toBeUndefined();
    expect(h.fake.eventsFor(h.fake.messages[0]!)[0]!["user-variables"]).toEqual({ draw: 3 });
  });

  it("uploads attachments and inline images as file parts with their names, types and bytes", async () => {
    const pdf = Buffer.from("%PDF-1.4\n%\u00e2\u00e3\n1 0 obj\n", "latin1");
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]);
    await h.client.messages.send({
      from: FROM,
      to: "ana@example.com",
      subject: "Report",
      html: '<p><img src="cid:logo.png"></p>',
      attachments: [
        { filename: "report.pdf", content: pdf, contentType: "application/pdf" },
        { filename: "notes.txt", content: "plain notes" },
      ],
      inline: [{ filename: "logo.png", content: png, contentType: "image/png" }],
    });

    const form = await formOf(h.server.requests[0]!);
    const files = form.getAll("attachment") as File[];
    expect(files.map((f) => [f.name, f.type])).toEqual([
      ["report.pdf", "application/pdf"],
      ["notes.txt", "application/octet-stream"],
    ]);
    expect(Buffer.from(await files[0]!.arrayBuffer()).equals(pdf)).toBe(true);
    expect(await files[1]!.text()).toBe("plain notes");
    const stored = h.fake.messages[0]!;
    expect(stored.attachments.map((f) => [f.filename, f.contentType, f.size])).toEqual([
      ["report.pdf", "application/pdf", pdf.length],
      ["notes.txt", "application/octet-stream", 11],
    ]);
    expect(stored.inline).toHaveLength(1);
    expect(stored.inline[0]!.filename).toBe("logo.png");
    expect(new Uint8Array(stored.inline[0]!.content)).toEqual(png);
  });

  it("sends recipient-variables as JSON and a Date delivery time as RFC 2822 with a numeric offset", async () => {
    await h.client.messages.send({
      from: FROM,
      to: ["ana@example.com", "bo@example.com"],
      subject: "Hello %recipient.first%",
      text: "Hi %recipient.first%",
      recipientVariables: { "ana@example.com": { first: "Ana" }, "bo@example.com": { first: "Bo" } },
      deliveryTime: new Date(Date.UTC(2026, 11, 8, 9, 30, 0)),
    });

    const fields = await fieldsOf(h.server.requests[0]!);
    expect(JSON.parse(fields["recipient-variables"]![0]!)).toEqual({ "ana@example.com": { first: "Ana" }, "bo@example.com": { first: "Bo" } });
    expect(fields["o:deliverytime"]).toEqual(["Tue, 08 Dec 2026 09:30:00 +0000"]);
  });

  it("sends X-Mailgun-On-Behalf-Of when the client acts for a subaccount", async () => {
    const client = createMailgunClient({ apiKey: h.fake.apiKey, domain: h.fake.domainName, region: "us", baseUrl: h.server.url, onBehalfOf: "sub-42", policy: FAST_POLICY });
    await client.messages.send({ from: FROM, to: "ana@example.com", subject: "s", text: "t" });
    await client.close();

    expect(h.server.requests[0]!.headers["x-mailgun-on-behalf-of"]).toBe("sub-42");
  });

  it("a repeated call with the same idempotency key returns the first result and sends nothing again", async () => {
    const client = createMailgunClient({ apiKey: h.fake.apiKey, domain: h.fake.domainName, region: "us", baseUrl: h.server.url, policy: FAST_POLICY, idempotencyStore: createMemoryIdempotencyStore() });
    const input = { from: FROM, to: "ana@example.com", subject: "s", text: "t", attachments: [{ filename: "a.txt", content: "x" }] };
    const first = await client.messages.send(input, { idempotencyKey: "draw-3-approved" });
    const second = await client.messages.send(input, { idempotencyKey: "draw-3-approved" });
    await client.close();

    expect(second).toEqual(first);
    expect(h.fake.messages).toHaveLength(1);
    expect(h.server.requests).toHaveLength(1);
  });
});

describe("messages.send: bad input is refused before any request", () => {
  const base = { from: FROM, to: "ana@example.com", subject: "s", text: "t" };

  async function refused(input: Record<string, unknown>, client = h.client): Promise<ValidationError> {
    const error = await rejection(client.messages.send(input as never));
    expect(error).toBeInstanceOf(ValidationError);
    expect(h.server.requests).toHaveLength(0);
    expect(h.fake.messages).toHaveLength(0);
    return error as ValidationError;
  }

  it("an invalid recipient address names its field", async () => {
    const error = await refused({ ...base, to: ["ana@example.com", "not-an-address"] });
    expect(error.operation).toBe("messages.send");
    expect(error.issues.map((i) => i.path)).toEqual(["to.1"]);
  });

  it("an invalid from and cc", async () => {
    const error = await refused({ ...base, from: "Acme <noreply@>", cc: "a@b" });
    expect(error.issues.map((i) => i.path).sort()).toEqual(["cc", "from"]);
  });

  it("more than 1000 recipients (to + cc + bcc)", async () => {
    const to = Array.from({ length: 999 }, (_, i) => `r${i}@example.com`);
    const error = await refused({ ...base, to, cc: ["c1@example.com"], bcc: ["b1@example.com"] });
    expect(error.issues).toEqual([expect.objectContaining({ path: "to", message: "too many recipients: 1001 (to + cc + bcc), Mailgun takes at most 1000" })]);
  });

  it("more than 10 tags, a non-ASCII tag, a tag over 128 characters", async () => {
    const tooMany = await refused({ ...base, tags: Array.from({ length: 11 }, (_, i) => `t${i}`) });
    expect(tooMany.issues.map((i) => i.message)).toEqual(["too many tags: 11, Mailgun takes at most 10 per message"]);
    const bad = await refused({ ...base, tags: ["entwürfe", "x".repeat(129)] });
    expect(bad.issues.map((i) => i.path)).toEqual(["tags.0", "tags.1"]);
  });

  it("no body, html with template, a template variable without template", async () => {
    expect((await refused({ from: FROM, to: "ana@example.com", subject: "s" })).issues.map((i) => i.message)).toEqual(["need at least one of text, html, ampHtml or template"]);
    expect((await refused({ ...base, html: "<p>x</p>", template: "draw-approved" })).issues.map((i) => i.path)).toEqual(["html"]);
    expect((await refused({ ...base, templateVariables: { a: 1 } })).issues.map((i) => i.path)).toEqual(["templateVariables"]);
  });

  it("a missing from or subject without a template", async () => {
    const error = await refused({ to: "ana@example.com", text: "t" });
    expect(error.issues.map((i) => i.path).sort()).toEqual(["from", "subject"]);
  });

  it("attachments that make the message larger than 25 MB in MIME", async () => {
    // 19 MiB of bytes is 25.3 MiB once base64-encoded with line breaks: over Mailgun's 25 MB.
    const error = await refused({ ...base, attachments: [{ filename: "scan.pdf", content: Buffer.alloc(19 * 1024 * 1024, 1), contentType: "application/pdf" }] });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.path).toBe("attachments");
    expect(error.issues[0]!.message).toMatch(new RegExp(`Mailgun takes at most ${MAILGUN_LIMITS.maxMessageBytes}$`));
  });

  it("the size limit can be set per client", async () => {
    const client = createMailgunClient({ apiKey: h.fake.apiKey, domain: h.fake.domainName, region: "us", baseUrl: h.server.url, policy: FAST_POLICY, limits: { maxMessageBytes: 1000 } });
    const error = await refused({ ...base, attachments: [{ filename: "a.bin", content: new Uint8Array(800) }] }, client);
    await client.close();
    expect(error.issues[0]!.message).toMatch(/Mailgun takes at most 1000$/);
  });

  it("o:/h:/v:/t: parameters over 16 KB together", async () => {
    const error = await refused({ ...base, variables: { blob: "x".repeat(16 * 1024) } });
    expect(error.issues.map((i) => i.path)).toEqual(["variables"]);
  });

  it("a delivery time Mailgun cannot read", async () => {
    const error = await refused({ ...base, deliveryTime: "next tuesday" });
    expect(error.issues.map((i) => i.path)).toEqual(["deliveryTime"]);
  });

  it("a header name with a colon, a recipient-variables key that is not an address, an unknown field", async () => {
    expect((await refused({ ...base, headers: { "X-Bad:Name": "v" } })).issues[0]!.path).toMatch(/^headers/);
    expect((await refused({ ...base, recipientVariables: { ana: { first: "Ana" } } })).issues.map((i) => i.path)).toEqual(["recipientVariables.ana"]);
    expect((await refused({ ...base, reply_to: "x@example.com" })).issues[0]!.code).toBe("unrecognized_keys");
  });
});

describe("messages.send: what only Mailgun knows", () => {
  it("an unknown template is answered 400 by the fake and surfaces as ValidationError without a retry", async () => {
    const error = await rejection(h.client.messages.send({ from: FROM, to: "ana@example.com", subject: "s", template: "no-such-template" }));

    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 400, vendor: "mailgun", operation: "messages.send", vendorMessage: "template not found: no-such-template", retryable: false });
    expect(h.server.requests).toHaveLength(1);
    expect(h.fake.messages).toHaveLength(0);
  });

  it("a client allowing more tags than the account does gets Mailgun's 400 back", async () => {
    const client = createMailgunClient({ apiKey: h.fake.apiKey, domain: h.fake.domainName, region: "us", baseUrl: h.server.url, policy: FAST_POLICY, limits: { maxTags: 20 } });
    const error = await rejection(client.messages.send({ from: FROM, to: "ana@example.com", subject: "s", text: "t", tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }));
    await client.close();

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).vendorMessage).toBe("Too many tags, max is 10");
    expect(h.fake.messages).toHaveLength(0);
  });
});

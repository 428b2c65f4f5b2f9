import { ValidationError } from "@connect/core";
import { describe, expect, it } from "vitest";
import { SES_LIMITS } from "../../src/index.js";
import { callsOf, rejection, useSes } from "../helpers.js";

const wire = (t: ReturnType<typeof useSes>) => callsOf(t.fake, "SendEmail").map((c) => c.body);

describe("emails.send — simple", () => {
  const t = useSes({}, { configurationSetName: "transactional" });

  it("sends Subject/Text/Html as UTF-8 with the default configuration set and tags, and the fake stores it", async () => {
    const out = await t.client.emails.send({
      from: { email: "noreply@acme.test", name: "Acme Lending" },
      to: ["ana@example.com", "Bo Li <bo@example.com>"],
      cc: "cc@example.com",
      bcc: ["audit@acme.test"],
      replyTo: "loans@acme.test",
      subject: "Draw 3 approved",
      text: "Your draw was approved.",
      html: "<p>Your draw was approved.</p>",
      headers: { "X-Loan-Id": "L-1001" },
      tags: { tenant_id: "t_123", kind: "draw-approved" },
    });
    expect(out.kind).toBe("simple");
    expect(out.messageId).toMatch(/^010201[0-9a-f]{10}-[0-9a-f-]{36}-000000$/);
    expect(wire(t)).toEqual([
      {
        FromEmailAddress: "Acme Lending <noreply@acme.test>",
        Destination: { ToAddresses: ["ana@example.com", "Bo Li <bo@example.com>"], CcAddresses: ["cc@example.com"], BccAddresses: ["audit@acme.test"] },
        ReplyToAddresses: ["loans@acme.test"],
        Content: {
          Simple: {
            Subject: { Data: "Draw 3 approved", Charset: "UTF-8" },
            Body: { Text: { Data: "Your draw was approved.", Charset: "UTF-8" }, Html: { Data: "<p>Your draw was approved.</p>", Charset: "UTF-8" } },
            Headers: [{ Name: "X-Loan-Id", Value: "L-1001" }],
          },
        },
        EmailTags: [
          { Name: "tenant_id", Value: "t_123" },
          { Name: "kind", Value: "draw-approved" },
        ],
        ConfigurationSetName: "transactional",
      },
    ]);
    const stored = t.fake.message(out.messageId);
    expect(stored).toMatchObject({ kind: "simple", from: "noreply@acme.test", to: ["ana@example.com", "bo@example.com"], cc: ["cc@example.com"], bcc: ["audit@acme.test"], subject: "Draw 3 approved", tags: { tenant_id: "t_123", kind: "draw-approved" }, configurationSetName: "transactional" });
  });

  it("a per-message configuration set overrides the default; an IDN domain goes as Punycode; a non-ASCII name as an encoded-word", async () => {
    await t.client.emails.send({ from: "Zoë Ops <noreply@acme.test>", to: "ana@bücher.example", subject: "s", text: "t", configurationSetName: "marketing" });
    const body = wire(t)[0]!;
    expect(body.ConfigurationSetName).toBe("marketing");
    expect(body.Destination).toEqual({ ToAddresses: ["ana@xn--bcher-kva.example"] });
    expect(body.FromEmailAddress).toBe(`=?UTF-8?B?${Buffer.from("Zoë Ops").toString("base64")}?= <noreply@acme.test>`);
  });
});

describe("emails.send — raw MIME built for attachments", () => {
  const t = useSes();
  const pdf = new Uint8Array(Array.from({ length: 3000 }, (_, i) => i % 256));

  it("builds a multipart/mixed message SES accepts: encoded subject and file name, base64 in 76-char lines, CRLF, no 8-bit", async () => {
    const out = await t.client.emails.send({
      from: "Acme <noreply@acme.test>",
      to: ["ana@example.com"],
      bcc: "audit@acme.test",
      subject: "Prêt approuvé — tirage n° 3 pour le lot 14 de la résidence Les Érables",
      text: "Bonjour Ana,\nvotre tirage est approuvé.",
      html: "<p>Bonjour Ana</p>",
      headers: { "X-Loan-Id": "L-1001" },
      attachments: [
        { filename: "relevé-tirage-3.pdf", content: pdf, contentType: "application/pdf" },
        { filename: "logo.png", content: new Uint8Array([137, 80, 78, 71]), contentType: "image/png", disposition: "inline", contentId: "logo@acme" },
      ],
    });
    expect(out.kind).toBe("raw");
    const body = wire(t)[0]!;
    expect(Object.keys(body.Content as object)).toEqual(["Raw"]);
    // Bcc is not a header: it must travel in Destination.
    expect(body.Destination).toEqual({ ToAddresses: ["ana@example.com"], BccAddresses: ["audit@acme.test"] });
    const raw = Buffer.from((body.Content as { Raw: { Data: string } }).Raw.Data, "base64").toString("latin1");
    expect(raw).not.toMatch(/[^\x00-\x7f]/);
    expect(raw.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    expect(raw).not.toMatch(/^Bcc:/im);
    for (const line of raw.split("\r\n")) expect(line.length).toBeLessThanOrEqual(998);
    const stored = t.fake.message(out.messageId)!;
    const mime = stored.mime!;
    expect(mime.structure).toEqual(["multipart/mixed", "multipart/related", "multipart/alternative"]);
    expect(mime.headers.subject).toBe("Prêt approuvé — tirage n° 3 pour le lot 14 de la résidence Les Érables");
    expect(mime.headers["mime-version"]).toBe("1.0");
    expect(mime.headers["x-loan-id"]).toBe("L-1001");
    for (const line of mime.rawHeaderLines.filter((l) => l.includes("=?UTF-8?B?"))) for (const word of line.match(/=\?UTF-8\?B\?[^?]*\?=/g)!) expect(word.length).toBeLessThanOrEqual(75);
    expect(mime.text).toBe("Bonjour Ana,\r\nvotre tirage est approuvé.");
    expect(mime.html).toBe("<p>Bonjour Ana</p>");
    expect(stored.attachments.map((a) => [a.filename, a.contentType, a.disposition, a.contentId, a.content.length])).toEqual([
      ["logo.png", "image/png", "inline", "logo@acme", 4],
      ["relevé-tirage-3.pdf", "application/pdf", "attachment", undefined, 3000],
    ]);
    expect(Buffer.compare(stored.attachments[1]!.content, Buffer.from(pdf))).toBe(0);
    const pdfPart = mime.parts.find((p) => p.contentType === "application/pdf")!;
    expect(pdfPart.transferEncoding).toBe("base64");
    const b64Lines = raw.split("\r\n").filter((l) => /^[A-Za-z0-9+/=]{60,}$/.test(l));
    expect(b64Lines.length).toBeGreaterThan(10);
    expect(Math.max(...b64Lines.map((l) => l.length))).toBe(76);
  });

  it("passes a raw message through and takes recipients from its headers", async () => {
    const message = "From: ops@acme.test\r\nTo: Ana <ana@example.com>, bo@example.com\r\nSubject: hello\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nplain body\r\n";
    const out = await t.client.emails.send({ from: "ops@acme.test", raw: message });
    expect(out.kind).toBe("raw");
    expect(wire(t)[0]).toEqual({ FromEmailAddress: "ops@acme.test", Content: { Raw: { Data: Buffer.from(message).toString("base64") } } });
    expect(t.fake.message(out.messageId)).toMatchObject({ to: ["ana@example.com", "bo@example.com"], subject: "hello", text: "plain body\r\n" });
  });
});

describe("emails.send — template", () => {
  const t = useSes({ configurationSets: ["transactional"] });

  it("sends TemplateName and TemplateData as a JSON string; the fake renders it", async () => {
    const out = await t.client.emails.send({ from: "noreply@acme.test", to: "ana@example.com", template: { name: "draw-approved", data: { name: "Ana", draw: 3 } }, configurationSetName: "transactional" });
    expect(out.kind).toBe("template");
    expect(wire(t)[0]!.Content).toEqual({ Template: { TemplateName: "draw-approved", TemplateData: '{"name":"Ana","draw":3}' } });
    expect(t.fake.message(out.messageId)).toMatchObject({ kind: "template", subject: "Draw 3 approved", text: "Hello Ana, draw 3 is approved.", templateData: { name: "Ana", draw: 3 }, renderingFailure: undefined });
  });

  it("sends template attachments as Template.Attachments (base64 RawContent)", async () => {
    await t.client.emails.send({ from: "noreply@acme.test", to: "ana@example.com", template: { name: "draw-approved", data: { name: "A", draw: 1 } }, attachments: [{ filename: "a.txt", content: "hello" }] });
    expect((wire(t)[0]!.Content as { Template: { Attachments: unknown } }).Template.Attachments).toEqual([
      { RawContent: Buffer.from("hello").toString("base64"), FileName: "a.txt", ContentDisposition: "ATTACHMENT", ContentTransferEncoding: "BASE64" },
    ]);
    expect(t.fake.sent[0]!.attachments[0]!.content.toString()).toBe("hello");
  });
});

describe("emails.send — bad input is a ValidationError before any request", () => {
  const t = useSes();
  const base = { from: "noreply@acme.test", to: "ana@example.com", subject: "s", text: "t" };
  const cases: [string, Record<string, unknown>, string][] = [
    ["51 recipients", { to: Array.from({ length: 40 }, (_, i) => `r${i}@example.com`), cc: Array.from({ length: 11 }, (_, i) => `c${i}@example.com`) }, "51 recipients"],
    ["a tag value with a space", { tags: { tenant: "t 1" } }, "tag values"],
    ["a tag name with a colon", { tags: { "ses:x": "1" } }, "tag names"],
    ["a non-ASCII local part (no SMTPUTF8)", { to: "jürgen@example.com" }, "7-bit ASCII"],
    ["an address without a domain", { to: "ana@" }, "not an email address"],
    ["two content kinds", { template: { name: "draw-approved" } }, "exactly one of"],
    ["no body", { text: undefined }, "text or html is required"],
    ["16 headers", { headers: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`X-H${i}`, "v"])) }, "at most 15 headers"],
    ["a header name with a colon", { headers: { "X:Bad": "v" } }, "header names"],
    ["a header value over 995 characters", { headers: { "X-Long": "x".repeat(996) } }, "1..995"],
    ["a header value with a line break (header injection)", { headers: { "X-A": "v\r\nBcc: evil@example.com" } }, "line breaks"],
    ["an attachment over 40 MB once encoded", { attachments: [{ filename: "big.bin", content: new Uint8Array(31 * 1024 * 1024) }] }, "40"],
    ["a file name with a line break", { attachments: [{ filename: "a\r\nb.pdf", content: "x" }] }, "file names"],
    ["template data over 262,144 characters", { subject: undefined, text: undefined, template: { name: "draw-approved", data: { big: "x".repeat(262_144) } } }, "262144"],
    ["no recipient", { to: undefined }, "at least one recipient"],
  ];
  for (const [name, change, message] of cases) {
    it(`refuses ${name}`, async () => {
      const error = await rejection(t.client.emails.send({ ...base, ...change } as never));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ vendor: "ses", operation: "emails.send" });
      expect((error as ValidationError).issues.map((i) => i.message).join(" | ")).toContain(message);
      expect(t.fake.calls).toEqual([]);
    });
  }
  it("accepts exactly 50 recipients", async () => {
    await t.client.emails.send({ ...base, to: Array.from({ length: 50 }, (_, i) => `r${i}@example.com`) });
    expect(t.fake.sent[0]!.to).toHaveLength(SES_LIMITS.recipientsPerMessage);
  });
});

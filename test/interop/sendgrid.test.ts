/**
 * Interop (issue 21): SendGrid's official Node SDKs — @sendgrid/mail 8.1.6, @sendgrid/client
 * 8.1.6 and @sendgrid/eventwebhook 8.0.0 — driven against @connect/sendgrid/testing over a
 * loopback socket. Whatever the SDKs send must be answered as SendGrid would.
 *
 * SDK quirks worked around here:
 * - `@sendgrid/mail` and `@sendgrid/client` export process-wide singletons; each test builds
 *   its own `new Client()` / `new MailService()` so nothing leaks between tests (or files).
 * - `setApiKey` resets `baseUrl` to the region host, so the base URL is set after the key.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { NOT_IMPLEMENTED_HEADER, serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { createSendGridWebhookHandler, sendGridEventVerifier, verifySendGridSignature } from "@connect/sendgrid";
import { createSendGridFake, serializeEventBatch, type SendGridFake } from "@connect/sendgrid/testing";
import { Client } from "@sendgrid/client";
import { EventWebhook, EventWebhookHeader } from "@sendgrid/eventwebhook";
import { MailService } from "@sendgrid/mail";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

let fake: SendGridFake;
let server: ServedHandlers;
let client: Client;
let mail: MailService;

beforeEach(async () => {
  fake = createSendGridFake();
  server = await serveHandlers(fake.handlers);
  client = new Client();
  client.setApiKey(fake.apiKey);
  client.setDefaultRequest("baseUrl", server.url);
  mail = new MailService();
  mail.setClient(client);
});
afterEach(async () => {
  await server.close();
});

/** The SDK's rejection, typed: ResponseError carries `code` and the parsed `response.body`. */
async function responseError(promise: Promise<unknown>): Promise<{ code: number; message: string; response: { body: unknown; headers: Record<string, string> } }> {
  const error = await promise.then(
    () => {
      throw new Error("expected the SDK to reject");
    },
    (e: unknown) => e,
  );
  expect((error as Error).constructor.name).toBe("ResponseError");
  return error as { code: number; message: string; response: { body: unknown; headers: Record<string, string> } };
}

const TEMPLATE_ID = "d-0123456789abcdef0123456789abcdef";
const FROM = { email: "noreply@acme.test", name: "Acme Lending" };

describe("@sendgrid/mail → fake: sending", () => {
  it("send(): 202 with an empty body and the X-Message-Id the fake recorded; content text/plain before text/html", async () => {
    const [response, body] = await mail.send({ to: "ana@example.com", from: FROM, subject: "Draw 3 approved", text: "Approved.", html: "<p>Approved.</p>" });

    expect(response.statusCode).toBe(202);
    expect(body).toBe("");
    expect(fake.sends).toHaveLength(1);
    expect(response.headers["x-message-id"]).toBe(fake.sends[0]!.messageId);
    expect(fake.sends[0]!.body).toMatchObject({
      from: FROM,
      subject: "Draw 3 approved",
      personalizations: [{ to: [{ email: "ana@example.com" }] }],
      content: [
        { type: "text/plain", value: "Approved." },
        { type: "text/html", value: "<p>Approved.</p>" },
      ],
    });
    const request = server.requests.find((r) => r.url === "/v3/mail/send")!;
    expect(request.headers["authorization"]).toBe(`Bearer ${fake.apiKey}`);
    expect(request.headers["user-agent"]).toBe("sendgrid/8.1.6;nodejs");
  });

  // SDK quirk: Mail#toJSON snake-cases keys but leaves arrays alone, so plain attachment objects go out
  // with their keys as given; `content_id` (the wire name, as SendGrid's own examples write it) is used here,
  // through a cast because the SDK's AttachmentData type only declares `contentId`.
  it("send() with attachments: the base64 content, filename, type, disposition and content_id arrive as sent", async () => {
    const pdf = Buffer.from("%PDF-1.4\n%âãÏÓ\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n").toString("base64");
    const [response] = await mail.send({
      to: "ana@example.com",
      from: FROM,
      subject: "Your draw statement",
      text: "Attached.",
      attachments: [
        { content: pdf, filename: "statement.pdf", type: "application/pdf", disposition: "attachment" },
        { content: Buffer.from("logo").toString("base64"), filename: "logo.png", type: "image/png", disposition: "inline", content_id: "logo" } as unknown as { content: string; filename: string },
      ],
    });

    expect(response.statusCode).toBe(202);
    expect(fake.sends[0]!.body.attachments).toEqual([
      { content: pdf, filename: "statement.pdf", type: "application/pdf", disposition: "attachment" },
      { content: Buffer.from("logo").toString("base64"), filename: "logo.png", type: "image/png", disposition: "inline", content_id: "logo" },
    ]);
  });

  it("SDK quirk: an attachment typed as the SDK declares it (contentId) goes out as contentId, not content_id", async () => {
    await mail.send({ to: "ana@example.com", from: FROM, subject: "Logo", html: '<img src="cid:logo">', attachments: [{ content: "bG9nbw==", filename: "logo.png", disposition: "inline", contentId: "logo" }] });
    // What SendGrid does with the unknown key is not documented; this pins what the SDK sends.
    expect(fake.sends[0]!.body.attachments).toEqual([{ content: "bG9nbw==", filename: "logo.png", disposition: "inline", contentId: "logo" }]);
  });

  it("send() with personalizations and dynamic template data: snake_case on the wire, one personalization each", async () => {
    const [response] = await mail.send({
      from: FROM,
      templateId: TEMPLATE_ID,
      personalizations: [
        { to: [{ email: "ana@example.com", name: "Ana Builder" }], dynamicTemplateData: { firstName: "Ana", drawNumber: 3, amount: 12500.5 }, customArgs: { x_tenant_id: "t_123" } },
        { to: "bo@example.com", cc: "audit@acme.test", dynamicTemplateData: { firstName: "Bo", lines: [{ item: "framing", ok: true }] } },
      ],
      categories: ["draw-approved"],
    });

    expect(response.statusCode).toBe(202);
    expect(fake.sends[0]!.body).toMatchObject({
      template_id: TEMPLATE_ID,
      categories: ["draw-approved"],
      personalizations: [
        { to: [{ email: "ana@example.com", name: "Ana Builder" }], dynamic_template_data: { firstName: "Ana", drawNumber: 3, amount: 12500.5 }, custom_args: { x_tenant_id: "t_123" } },
        { to: [{ email: "bo@example.com" }], cc: [{ email: "audit@acme.test" }], dynamic_template_data: { firstName: "Bo", lines: [{ item: "framing", ok: true }] } },
      ],
    });
  });

  it("sendMultiple() and send(data, true) (isMultiple): one personalization per recipient, so recipients do not see each other", async () => {
    const data = { to: ["ana@example.com", "bo@example.com", "cy@example.com"], from: FROM, subject: "Inspection scheduled", text: "Tomorrow 9am." };
    const [multiple] = await mail.sendMultiple(data);
    const [flagged] = await mail.send(data, true);

    expect([multiple.statusCode, flagged.statusCode]).toEqual([202, 202]);
    for (const send of fake.sends) {
      expect(send.body.personalizations.map((p) => p.to.map((t) => t.email))).toEqual([["ana@example.com"], ["bo@example.com"], ["cy@example.com"]]);
    }
    expect(new Set(fake.sends.map((s) => s.messageId)).size).toBe(2);
  });

  it("send() of an array sends each message as its own request", async () => {
    const results = await mail.send([
      { to: "ana@example.com", from: FROM, subject: "One", text: "1" },
      { to: "bo@example.com", from: FROM, subject: "Two", text: "2" },
    ]);
    expect((results as unknown as Array<[{ statusCode: number }]>).map(([r]) => r.statusCode)).toEqual([202, 202]);
    expect(fake.sends.map((s) => s.body.subject)).toEqual(["One", "Two"]);
  });

  it("an invalid recipient is the SDK's ResponseError 400 with SendGrid's errors[] body; nothing is sent", async () => {
    const error = await responseError(mail.send({ to: "not-an-email", from: FROM, subject: "Hi", text: "x" }));

    expect(error.code).toBe(400);
    expect(error.message).toBe("Bad Request");
    expect(error.response.body).toEqual({
      errors: [{ field: "personalizations.0.to.0.email", message: "Does not contain a valid address.", help: "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.personalizations.to" }],
    });
    expect(fake.sends).toHaveLength(0);
  });

  it("a wrong API key is ResponseError 401 authorization required", async () => {
    client.setApiKey("SG.not-the-key.secret");
    client.setDefaultRequest("baseUrl", server.url);
    const error = await responseError(mail.send({ to: "ana@example.com", from: FROM, subject: "Hi", text: "x" }));
    expect(error.code).toBe(401);
    expect(error.response.body).toEqual({ errors: [{ field: null, message: "authorization required" }] });
  });

  it("sandbox mode (mailSettings.sandboxMode.enable) validates with 200 and sends nothing", async () => {
    const [response] = await mail.send({ to: "ana@example.com", from: FROM, subject: "Hi", text: "x", mailSettings: { sandboxMode: { enable: true } } });
    expect(response.statusCode).toBe(200);
    expect(fake.sends).toHaveLength(0);
    expect(fake.sandboxSends).toHaveLength(1);
  });
});

describe("@sendgrid/client → fake: batch ids and suppressions", () => {
  it("POST /v3/mail/batch → 201 {batch_id}; GET validates it; a scheduled send carries it (batchId/sendAt)", async () => {
    const [created, body] = await client.request({ method: "POST", url: "/v3/mail/batch" });
    expect(created.statusCode).toBe(201);
    const batchId = (body as { batch_id: string }).batch_id;
    expect(batchId).toMatch(/^[A-Za-z0-9]{32}$/);

    const [validated, validBody] = await client.request({ method: "GET", url: `/v3/mail/batch/${batchId}` });
    expect(validated.statusCode).toBe(200);
    expect(validBody).toEqual({ batch_id: batchId });

    const sendAt = Math.floor(Date.now() / 1000) + 3600;
    const [sent] = await mail.send({ to: "ana@example.com", from: FROM, subject: "Later", text: "x", batchId, sendAt });
    expect(sent.statusCode).toBe(202);
    expect(fake.sends[0]!.body).toMatchObject({ batch_id: batchId, send_at: sendAt });
  });

  it("an id SendGrid did not issue: GET answers 400 invalid batch id, and a send carrying it is refused", async () => {
    const invalid = await responseError(client.request({ method: "GET", url: "/v3/mail/batch/made-up-batch" }));
    expect(invalid.code).toBe(400);
    expect(invalid.response.body).toEqual({ errors: [{ field: null, message: "invalid batch id" }] });

    const refused = await responseError(mail.send({ to: "ana@example.com", from: FROM, subject: "Later", text: "x", batchId: "made-up-batch" }));
    expect(refused.code).toBe(400);
    expect((refused.response.body as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(["batch_id"]);
  });

  it("suppression look-ups: GET /v3/suppression/bounces (with qs), /bounces/{email} and /v3/asm/suppressions/global/{email}", async () => {
    fake.suppressions.bounces.push(
      { created: 1_700_000_000, email: "gone@example.com", reason: "550 5.1.1 user unknown", status: "5.1.1" },
      { created: 1_700_000_100, email: "full@example.com", reason: "552 mailbox full", status: "5.2.2" },
    );
    fake.suppressions.unsubscribes.push({ created: 1_700_000_000, email: "optout@example.com" });

    const [list, rows] = await client.request({ method: "GET", url: "/v3/suppression/bounces", qs: { limit: 1, offset: 1 } });
    expect(list.statusCode).toBe(200);
    expect(rows).toEqual([{ created: 1_700_000_100, email: "full@example.com", reason: "552 mailbox full", status: "5.2.2" }]);
    expect(server.requests.at(-1)!.url).toBe("/v3/suppression/bounces?limit=1&offset=1");

    const [, one] = await client.request({ method: "GET", url: `/v3/suppression/bounces/${encodeURIComponent("gone@example.com")}` });
    expect(one).toEqual([{ created: 1_700_000_000, email: "gone@example.com", reason: "550 5.1.1 user unknown", status: "5.1.1" }]);

    const [, global] = await client.request({ method: "GET", url: `/v3/asm/suppressions/global/${encodeURIComponent("optout@example.com")}` });
    expect(global).toEqual({ recipient_email: "optout@example.com" });
    const [, none] = await client.request({ method: "GET", url: `/v3/asm/suppressions/global/${encodeURIComponent("ana@example.com")}` });
    expect(none).toEqual({});
  });

  it("an endpoint the fake does not implement is ResponseError 501 naming the fake, not a SendGrid 404", async () => {
    const error = await responseError(client.request({ method: "GET", url: "/v3/user/scheduled_sends" }));
    expect(error.code).toBe(501);
    expect(error.response.headers[NOT_IMPLEMENTED_HEADER]).toBe("@connect/sendgrid/testing");
    expect(error.response.body).toMatchObject({ error: "not_implemented_by_fake", message: "not implemented by @connect/sendgrid/testing fake: GET /v3/user/scheduled_sends" });
  });
});

describe("@sendgrid/eventwebhook agrees with @connect/sendgrid on the fake's signed events", () => {
  let receiver: Server;
  let url: string;
  let received: Array<{ body: Buffer; headers: Record<string, string> }>;

  beforeEach(async () => {
    received = [];
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ body: Buffer.concat(chunks), headers: req.headers as Record<string, string> });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/sendgrid/events`;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  const official = (publicKey: string, body: Buffer | string, headers: Record<string, string>) => {
    const webhook = new EventWebhook();
    return webhook.verifySignature(
      webhook.convertPublicKeyToECDSA(publicKey),
      body,
      headers[EventWebhookHeader.SIGNATURE().toLowerCase()]!,
      headers[EventWebhookHeader.TIMESTAMP().toLowerCase()]!,
    );
  };

  it("both accept a batch the fake signed and POSTed, and both reject it with a tampered payload", async () => {
    const [sent] = await mail.send({ to: "ana@example.com", from: FROM, subject: "Hi", text: "x", customArgs: { x_tenant_id: "t_1" } });
    const events = fake.eventsFor(sent.headers["x-message-id"] as string, ["processed", "delivered", "open"]);
    expect((await fake.postEvents(url, events)).status).toBe(200);
    const { body, headers } = received[0]!;
    const publicKey = fake.signer.publicKey;
    const ours = (payload: Buffer) =>
      verifySendGridSignature({ publicKey, payload, signature: headers["x-twilio-email-event-webhook-signature"]!, timestamp: headers["x-twilio-email-event-webhook-timestamp"]! });

    expect(body.subarray(-2).toString()).toBe("\r\n");
    expect(official(publicKey, body, headers)).toBe(true);
    expect(ours(body)).toBe(true);
    await expect(Promise.resolve(sendGridEventVerifier({ publicKey }).verify({ method: "POST", url, headers, rawBody: body }))).resolves.toBeUndefined();
    await expect(Promise.resolve(sendGridEventVerifier({ publicKey, engine: "webcrypto" }).verify({ method: "POST", url, headers, rawBody: body }))).resolves.toBeUndefined();

    const tampered = Buffer.from(body.toString("utf8").replace('"event":"delivered"', '"event":"bounce"'), "utf8");
    expect(tampered.equals(body)).toBe(false);
    expect(official(publicKey, tampered, headers)).toBe(false);
    expect(ours(tampered)).toBe(false);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString("utf8"))));
    expect(official(publicKey, reserialised, headers)).toBe(false);
    expect(ours(reserialised)).toBe(false);
  });

  it("both reject a batch signed with another key, and a signature over another timestamp", async () => {
    const [sent] = await mail.send({ to: "ana@example.com", from: FROM, subject: "Hi", text: "x" });
    const body = serializeEventBatch(fake.eventsFor(sent.headers["x-message-id"] as string, ["delivered"]));
    const headers: Record<string, string> = fake.signer.sign(body);
    const other = createSendGridFake().signer.publicKey;

    expect(official(other, body, headers)).toBe(false);
    expect(verifySendGridSignature({ publicKey: other, payload: body, signature: headers["x-twilio-email-event-webhook-signature"]!, timestamp: headers["x-twilio-email-event-webhook-timestamp"]! })).toBe(false);

    const later: Record<string, string> = { ...headers, "x-twilio-email-event-webhook-timestamp": String(Number(headers["x-twilio-email-event-webhook-timestamp"]) + 1) };
    expect(official(fake.signer.publicKey, body, later)).toBe(false);
    expect(verifySendGridSignature({ publicKey: fake.signer.publicKey, payload: body, signature: later["x-twilio-email-event-webhook-signature"]!, timestamp: later["x-twilio-email-event-webhook-timestamp"]! })).toBe(false);
  });

  it("known difference: the official verifier decodes base64 leniently (garbage after a padded signature, a space inside both verify; garbage after an unpadded one throws); ours refuses them all (issue 21)", async () => {
    const [sent] = await mail.send({ to: "ana@example.com", from: FROM, subject: "Hi", text: "x" });
    const body = serializeEventBatch(fake.eventsFor(sent.headers["x-message-id"] as string, ["delivered"]));
    // A DER ECDSA signature is 70–72 bytes, so its base64 ends in "=" or not by chance: sign
    // until there is one of each (each try is unpadded with probability ~1/4).
    const signed: Record<"padded" | "unpadded", Record<string, string> | undefined> = { padded: undefined, unpadded: undefined };
    for (let i = 0; i < 200 && !(signed.padded && signed.unpadded); i += 1) {
      const headers: Record<string, string> = fake.signer.sign(body);
      signed[headers["x-twilio-email-event-webhook-signature"]!.endsWith("=") ? "padded" : "unpadded"] ??= headers;
    }
    const ours = (headers: Record<string, string>, signature: string): boolean =>
      verifySendGridSignature({ publicKey: fake.signer.publicKey, payload: body, signature, timestamp: headers["x-twilio-email-event-webhook-timestamp"]! });

    const padded = signed.padded!;
    const paddedSignature = padded["x-twilio-email-event-webhook-signature"]!;
    // Node's base64 decoding stops at the padding, so the garbage is never read.
    for (const variant of [`${paddedSignature}!!garbage`, `${paddedSignature.slice(0, 40)} ${paddedSignature.slice(40)}`]) {
      expect(official(fake.signer.publicKey, body, { ...padded, "x-twilio-email-event-webhook-signature": variant })).toBe(true);
      expect(ours(padded, variant)).toBe(false);
    }
    const unpadded = signed.unpadded!;
    const unpaddedSignature = unpadded["x-twilio-email-event-webhook-signature"]!;
    // Without padding the garbage decodes into extra bytes after the DER sequence.
    expect(() => official(fake.signer.publicKey, body, { ...unpadded, "x-twilio-email-event-webhook-signature": `${unpaddedSignature}!!garbage` })).toThrow(/trailing junk after DER signature/);
    expect(ours(unpadded, `${unpaddedSignature}!!garbage`)).toBe(false);
    const spaced = `${unpaddedSignature.slice(0, 40)} ${unpaddedSignature.slice(40)}`;
    expect(official(fake.signer.publicKey, body, { ...unpadded, "x-twilio-email-event-webhook-signature": spaced })).toBe(true);
    expect(ours(unpadded, spaced)).toBe(false);
  });

  it("the official verifier accepts what our receiver dispatched, event for event", async () => {
    const seen: string[] = [];
    const handler = createSendGridWebhookHandler({ publicKey: fake.signer.publicKey, onEvent: (e) => void seen.push(e.event) });
    const [sent] = await mail.send({ to: "ana@example.com", from: FROM, subject: "Hi", text: "x" });
    const body = serializeEventBatch(fake.eventsFor(sent.headers["x-message-id"] as string, ["processed", "delivered"]));
    const headers = fake.signer.sign(body);

    const answer = await handler.handle({ method: "POST", url, headers, rawBody: body });
    expect(answer.status).toBe(200);
    expect(seen).toEqual(["processed", "delivered"]);
    expect(official(fake.signer.publicKey, body, headers)).toBe(true);
  });
});

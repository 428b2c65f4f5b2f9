// createSendGridMailer beyond the shared conformance suite: the exact v3 body a MailMessage
// becomes, SendGrid's own refusals and unknown outcomes, suppression paging, and the mapping of
// every Event Webhook event type.
import { IntegrationError, UnknownOutcomeError, ValidationError, type MailMessage } from "@connect/core";
import { createSendGridMailer, parseSendGridEvents, type SendGridEvent } from "@connect/sendgrid";
import { serializeEventBatch } from "@connect/sendgrid/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { messageIdOf, toMailEvent, toSendGridMail, toSendGridMailEvents } from "../src/mailer.js";
import { bodiesTo, setup, TEMPLATE_ID, type Harness } from "./helpers.js";

const base: MailMessage = { from: "noreply@acme.test", to: "ana@example.com", subject: "Draw 3 approved", text: "Approved." };

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe("toSendGridMail", () => {
  it("maps every field of a MailMessage onto the v3 mail/send body", () => {
    const body = toSendGridMail({
      from: { email: "draws@acme.test", name: "Acme Lending" },
      to: ["ana@example.com", { email: "gus@example.com", name: "Gus" }],
      cc: "officer@acme.test",
      bcc: [{ email: "audit@acme.test" }],
      replyTo: { email: "help@acme.test", name: "Help" },
      subject: "Draw 3",
      html: "<p>Approved</p>",
      text: "Approved",
      attachments: [
        { filename: "a.pdf", content: new Uint8Array([1, 2, 3, 4, 5]), contentType: "application/pdf" },
        { filename: "logo.png", content: "PNG", disposition: "inline", contentId: "logo" },
      ],
      tags: ["draw-approved"],
      customArgs: { x_draw_id: "draw_3" },
      headers: { "X-Loan": "LN-1001" },
    });
    expect(body).toEqual({
      from: { email: "draws@acme.test", name: "Acme Lending" },
      personalizations: [
        {
          to: [{ email: "ana@example.com" }, { email: "gus@example.com", name: "Gus" }],
          cc: [{ email: "officer@acme.test" }],
          bcc: [{ email: "audit@acme.test" }],
        },
      ],
      reply_to: { email: "help@acme.test", name: "Help" },
      subject: "Draw 3",
      // text/plain before text/html, as SendGrid requires.
      content: [
        { type: "text/plain", value: "Approved" },
        { type: "text/html", value: "<p>Approved</p>" },
      ],
      attachments: [
        { content: Buffer.from([1, 2, 3, 4, 5]).toString("base64"), filename: "a.pdf", type: "application/pdf" },
        { content: Buffer.from("PNG").toString("base64"), filename: "logo.png", type: "application/octet-stream", disposition: "inline", content_id: "logo" },
      ],
      categories: ["draw-approved"],
      custom_args: { x_draw_id: "draw_3" },
      headers: { "X-Loan": "LN-1001" },
    });
  });

  it("a template becomes template_id with the data as dynamic_template_data; sandbox sets mail_settings", () => {
    const body = toSendGridMail({ from: "a@acme.test", to: "ana@example.com", template: { id: TEMPLATE_ID, data: { firstName: "Ana" } } }, { sandbox: true });
    expect(body).toEqual({
      from: { email: "a@acme.test" },
      personalizations: [{ to: [{ email: "ana@example.com" }], dynamic_template_data: { firstName: "Ana" } }],
      template_id: TEMPLATE_ID,
      mail_settings: { sandbox_mode: { enable: true } },
    });
  });

  it("a Uint8Array view into a larger buffer encodes only its own bytes", () => {
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    const body = toSendGridMail({ ...base, attachments: [{ filename: "x.bin", content: backing.subarray(2, 5) }] });
    expect(body.attachments?.[0]?.content).toBe(Buffer.from([1, 2, 3]).toString("base64"));
  });
});

describe("createSendGridMailer against the fake", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await setup();
  });
  afterEach(async () => {
    await h.close();
  });

  it("a template send: the fake receives template_id and the data; the receipt carries X-Message-Id", async () => {
    const mailer = createSendGridMailer(h.client);
    const receipt = await mailer.send({ from: "noreply@acme.test", to: "ana@example.com", template: { id: TEMPLATE_ID, data: { drawNumber: 3 } } });
    expect(receipt).toEqual({ provider: "sendgrid", messageId: h.fake.sends[0]!.messageId });
    expect(bodiesTo(h.server, "/v3/mail/send")).toEqual([
      { from: { email: "noreply@acme.test" }, personalizations: [{ to: [{ email: "ana@example.com" }], dynamic_template_data: { drawNumber: 3 } }], template_id: TEMPLATE_ID },
    ]);
  });

  it("rules SendGrid's schema enforces are ValidationErrors before any request (template id, duplicate recipient, reserved header, inline without contentId)", async () => {
    const mailer = createSendGridMailer(h.client);
    const bad: MailMessage[] = [
      { from: "noreply@acme.test", to: "ana@example.com", template: { id: "not-a-template" } },
      { ...base, to: ["ana@example.com", "ANA@example.com"] },
      { ...base, headers: { Subject: "override" } },
      { ...base, attachments: [{ filename: "logo.png", content: "x", disposition: "inline" }] },
      { ...base, tags: Array.from({ length: 11 }, (_, i) => `t${i}`) },
    ];
    for (const message of bad) {
      const error = await rejection(mailer.send(message));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).vendor).toBe("sendgrid");
    }
    expect(h.server.requests).toHaveLength(0);
  });

  it("sandbox: SendGrid validates and sends nothing", async () => {
    const mailer = createSendGridMailer(h.client, { sandbox: true });
    const receipt = await mailer.send(base);
    expect(receipt).toEqual({ provider: "sendgrid" });
    expect(h.fake.sends).toHaveLength(0);
    expect(h.fake.sandboxSends).toHaveLength(1);
  });

  it("a 5xx on one batch message is that item's UnknownOutcomeError; the others are sent", async () => {
    const mailer = createSendGridMailer(h.client, { batchConcurrency: 1 });
    h.fake.failNext({ status: 500, path: "/v3/mail/send" });
    const result = await mailer.sendBatch([{ ...base, to: "one@example.com" }, { ...base, to: "two@example.com" }]);
    expect(result.items.map((i) => i.ok)).toEqual([false, true]);
    expect(result).toMatchObject({ sent: 1, failed: 1 });
    const failed = result.items[0]!;
    if (!failed.ok) expect(failed.error).toBeInstanceOf(UnknownOutcomeError);
    expect(h.fake.sends.map((s) => s.body.personalizations[0]!.to[0]!.email)).toEqual(["two@example.com"]);
  });

  it("an unknown outcome under an idempotency key is not sent again on a repeat", async () => {
    const mailer = createSendGridMailer(h.client);
    h.fake.failNext({ status: 503, path: "/v3/mail/send" });
    const ctx = { idempotencyKey: "draw-3" };
    expect(await rejection(mailer.send(base, ctx))).toBeInstanceOf(UnknownOutcomeError);
    const requests = h.server.requests.length;
    const again = await rejection(mailer.send(base, ctx));
    expect(again).toBeInstanceOf(UnknownOutcomeError);
    expect((again as IntegrationError).vendor).toBe("sendgrid");
    expect(h.server.requests.length).toBe(requests);
    expect(h.fake.sends).toHaveLength(0);
  });

  it("a refused send (unverified sender, 403) is the item's error, not a thrown batch", async () => {
    await h.close();
    h = await setup({ fake: { verifiedSenders: ["@acme.test"] } });
    const mailer = createSendGridMailer(h.client);
    const result = await mailer.sendBatch([{ ...base, from: "someone@elsewhere.test" }, base]);
    expect(result.items.map((i) => i.ok)).toEqual([false, true]);
    const failed = result.items[0]!;
    if (!failed.ok) expect(failed.error).toMatchObject({ status: 403, vendor: "sendgrid" });
  });

  it("suppressions: every list holding the address, case-insensitive, with detail and time; paging past 500 rows", async () => {
    const mailer = createSendGridMailer(h.client);
    const created = 1_760_000_000;
    for (let i = 0; i < 600; i += 1) h.fake.suppressions.bounces.push({ created, email: `other${i}@example.com`, reason: "550", status: "5.1.1" });
    h.fake.suppressions.bounces.push({ created, email: "Ana@Example.com", reason: "550 5.1.1 user unknown", status: "5.1.1" });
    h.fake.suppressions.spamReports.push({ created: created + 60, email: "ana@example.com", ip: "203.0.113.7" });
    const found = await mailer.suppressions("ana@example.com");
    expect(found).toEqual([
      { email: "Ana@Example.com", reason: "bounce", createdAt: new Date(created * 1000).toISOString(), detail: "550 5.1.1 user unknown" },
      { email: "ana@example.com", reason: "complaint", createdAt: new Date((created + 60) * 1000).toISOString() },
    ]);
    const bouncePages = h.server.requests.filter((r) => r.url.startsWith("/v3/suppression/bounces")).map((r) => new URL(r.url, "http://x").searchParams.get("offset"));
    expect(bouncePages).toEqual(["0", "500"]);
  });

  it("suppressionsSince bounds the scan by start_time", async () => {
    const mailer = createSendGridMailer(h.client, { suppressionsSince: 1_760_000_000 });
    h.fake.suppressions.blocks.push({ created: 1_750_000_000, email: "ana@example.com", reason: "old", status: "5.7.1" });
    await expect(mailer.suppressions("ana@example.com")).resolves.toEqual([]);
    expect(h.server.requests.every((r) => new URL(r.url, "http://x").searchParams.get("start_time") === "1760000000")).toBe(true);
  });
});

describe("toMailEvents", () => {
  const common = { email: "ana@example.com", timestamp: 1_760_000_000, sg_message_id: "abc123XYZ.filterdrecv-1.0", "smtp-id": "<abc@ismtpd>" };
  const ev = (event: string, extra: Record<string, unknown> = {}) => ({ ...common, event, sg_event_id: `id-${event}-${String(extra.type ?? "")}`, ...extra });

  it("maps each SendGrid event type onto the normalised vocabulary", () => {
    const events = toSendGridMailEvents([
      ev("processed"),
      ev("delivered", { response: "250 OK" }),
      ev("deferred", { response: "421 try later", attempt: "2" }),
      ev("bounce", { type: "bounce", reason: "550 5.1.1 unknown", status: "5.1.1" }),
      ev("bounce", { type: "blocked", reason: "550 5.7.1 policy", status: "5.7.1" }),
      ev("dropped", { reason: "Bounced Address", status: "5.0.0" }),
      ev("spamreport"),
      ev("open", { sg_machine_open: false }),
      ev("click", { url: "https://example.com/draws" }),
      ev("unsubscribe"),
      ev("group_unsubscribe", { asm_group_id: 7 }),
      ev("group_resubscribe", { asm_group_id: 7 }),
      ev("account_status_change"),
    ]);
    expect(events.map((e) => [e.type, e.bounce?.kind, e.reason ?? e.bounce?.reason, e.url])).toEqual([
      ["processed", undefined, undefined, undefined],
      ["delivered", undefined, undefined, undefined],
      ["deferred", undefined, "421 try later", undefined],
      ["bounced", "hard", "550 5.1.1 unknown", undefined],
      ["bounced", "soft", "550 5.7.1 policy", undefined],
      ["dropped", undefined, "Bounced Address", undefined],
      ["complaint", undefined, undefined, undefined],
      ["opened", undefined, undefined, undefined],
      ["clicked", undefined, undefined, "https://example.com/draws"],
      ["unsubscribed", undefined, undefined, undefined],
      ["unsubscribed", undefined, undefined, undefined],
    ]);
    for (const e of events) {
      expect(e).toMatchObject({ provider: "sendgrid", email: "ana@example.com", messageId: "abc123XYZ", occurredAt: "2025-10-09T08:53:20.000Z" });
      expect((e.raw as { sg_event_id: string }).sg_event_id).toBe(e.eventId);
    }
  });

  it("keeps categories as tags and the flattened custom args; accepts the raw body and one event", () => {
    const raw = serializeEventBatch([ev("delivered", { category: "draw-approved", x_tenant_id: "t_1", x_draw_id: "draw_3", tls: 1 })]);
    const [fromBody] = toSendGridMailEvents(raw);
    expect(fromBody).toMatchObject({ type: "delivered", tags: ["draw-approved"], customArgs: { x_tenant_id: "t_1", x_draw_id: "draw_3" } });
    const [fromString] = toSendGridMailEvents(raw.toString("utf8"));
    expect(fromString?.eventId).toBe(fromBody?.eventId);
    const [one] = toSendGridMailEvents(ev("open", { category: ["a", "b"] }));
    expect(one).toMatchObject({ type: "opened", tags: ["a", "b"] });
    expect(one?.customArgs).toBeUndefined();
  });

  it("an async bounce without sg_message_id has no messageId; an invalid event is left out, the others kept", () => {
    const { sg_message_id: _drop, ...noMessage } = ev("bounce", { type: "bounce" });
    const events = toSendGridMailEvents([noMessage, { event: "delivered", email: "x@example.com" }, ev("delivered")]);
    expect(events.map((e) => [e.type, e.messageId])).toEqual([
      ["bounced", undefined],
      ["delivered", "abc123XYZ"],
    ]);
  });

  it("a payload that is not events is a ValidationError; a body that is not an array too", () => {
    expect(() => toSendGridMailEvents(42)).toThrow(ValidationError);
    expect(() => toSendGridMailEvents('{"event":"open"}')).toThrow(ValidationError);
  });

  it("toMailEvent of a parsed event; messageIdOf", () => {
    const parsed = parseSendGridEvents(JSON.stringify([ev("click", { url: "https://x.test/a" })])).events[0] as SendGridEvent;
    expect(toMailEvent(parsed)).toMatchObject({ type: "clicked", url: "https://x.test/a", eventId: "id-click-" });
    expect(messageIdOf("abc.def.ghi")).toBe("abc");
    expect(messageIdOf("plain")).toBe("plain");
    expect(messageIdOf(undefined)).toBeUndefined();
  });

  it("the mailer's toMailEvents is the same mapping", async () => {
    const h = await setup();
    try {
      const mailer = createSendGridMailer(h.client);
      expect(mailer.toMailEvents([ev("spamreport")])).toEqual(toSendGridMailEvents([ev("spamreport")]));
    } finally {
      await h.close();
    }
  });
});

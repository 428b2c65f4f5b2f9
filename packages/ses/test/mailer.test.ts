import { MAIL_EVENT_TYPES, ValidationError, type MailEvent } from "@connect/core";
import { describe, expect, it } from "vitest";
import { createSesMailer } from "../src/index.js";
import { callsOf, rejection, useSes } from "./helpers.js";

describe("createSesMailer", () => {
  const t = useSes({ configurationSets: ["transactional"] });
  const mailer = () => createSesMailer(t.client, { configurationSetName: "transactional" });

  it("sends a text/html message as a simple send; labels and customArgs become EmailTags", async () => {
    const receipt = await mailer().send(
      { from: { email: "noreply@acme.test", name: "Acme" }, to: "ana@example.com", replyTo: "loans@acme.test", subject: "Hi", text: "Hello", html: "<b>Hello</b>", tags: ["draws"], customArgs: { tenant_id: "t_123" }, headers: { "X-Loan": "L1" } },
      { idempotencyKey: "welcome-ana" },
    );
    expect(receipt).toEqual({ provider: "ses", messageId: t.fake.sent[0]!.messageId, idempotencyKey: "welcome-ana" });
    const body = callsOf(t.fake, "SendEmail")[0]!.body!;
    expect(body).toMatchObject({
      FromEmailAddress: "Acme <noreply@acme.test>",
      Destination: { ToAddresses: ["ana@example.com"] },
      ReplyToAddresses: ["loans@acme.test"],
      EmailTags: [
        { Name: "tenant_id", Value: "t_123" },
        { Name: "tag_draws", Value: "true" },
      ],
      ConfigurationSetName: "transactional",
    });
    expect(Object.keys(body.Content as object)).toEqual(["Simple"]);
  });

  it("a message with attachments goes as Raw MIME; a template message as Template", async () => {
    await mailer().send({ from: "noreply@acme.test", to: ["ana@example.com"], subject: "Report", text: "See attached", attachments: [{ filename: "report.csv", content: "a,b\n1,2\n", contentType: "text/csv" }] });
    await mailer().send({ from: "noreply@acme.test", to: "ana@example.com", template: { id: "draw-approved", data: { name: "Ana", draw: 3 } } });
    const [raw, template] = t.fake.sent;
    expect(raw!.kind).toBe("raw");
    expect(raw!.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([["report.csv", "text/csv", "a,b\n1,2\n"]]);
    expect(template).toMatchObject({ kind: "template", templateName: "draw-approved", subject: "Draw 3 approved" });
  });

  it("sendBatch: one item per message; an invalid one and a refused one fail alone, the others are sent", async () => {
    const result = await mailer().sendBatch(
      [
        { from: "noreply@acme.test", to: "a@example.com", subject: "1", text: "1" },
        { from: "noreply@acme.test", to: "not an address", subject: "2", text: "2" },
        { from: "stranger@elsewhere.test", to: "c@example.com", subject: "3", text: "3" },
        { from: "noreply@acme.test", to: "d@example.com", subject: "4", text: "4" },
      ],
      { idempotencyKey: "batch-7" },
    );
    expect(result).toMatchObject({ provider: "ses", sent: 2, failed: 2 });
    expect(result.items.map((i) => [i.index, i.ok, i.ok ? i.receipt.idempotencyKey : i.error.name])).toEqual([
      [0, true, "batch-7:0"],
      [1, false, "ValidationError"],
      [2, false, "SesSendRefusedError"],
      [3, true, "batch-7:3"],
    ]);
    expect(t.fake.sent.map((s) => s.to[0])).toEqual(["a@example.com", "d@example.com"]);
  });

  it("suppressions(email) reads GetSuppressedDestination: listed → one entry, unlisted → []", async () => {
    t.fake.suppressions.set("bounced@example.com", { reason: "BOUNCE", lastUpdateTime: new Date("2026-02-01T10:00:00Z"), messageId: "0102-x" });
    expect(await mailer().suppressions("bounced@example.com")).toEqual([{ email: "bounced@example.com", reason: "bounce", createdAt: "2026-02-01T10:00:00.000Z", detail: "after message 0102-x" }]);
    expect(await mailer().suppressions("fine@example.com")).toEqual([]);
    expect(callsOf(t.fake, "GetSuppressedDestination").map((c) => c.path)).toEqual(["/v2/email/suppression/addresses/bounced%40example.com", "/v2/email/suppression/addresses/fine%40example.com"]);
    expect(await rejection(mailer().suppressions("nope"))).toBeInstanceOf(ValidationError);
  });

  it("a tag value SES refuses is a ValidationError before sending", async () => {
    expect(await rejection(mailer().send({ from: "noreply@acme.test", to: "a@example.com", subject: "s", text: "t", customArgs: { loan: "L 1/2" } }))).toBeInstanceOf(ValidationError);
    expect(t.fake.calls).toEqual([]);
  });

  it("healthCheck is GetAccount", async () => {
    expect((await mailer().healthCheck()).status).toBe("healthy");
    expect(callsOf(t.fake, "GetAccount")).toHaveLength(1);
  });
});

describe("toMailEvents", () => {
  const t = useSes();
  const pick = (e: MailEvent) => [e.type, e.email, e.bounce, e.reason, e.url];

  it("maps every SES event type, keeping the raw event, tags and customArgs", async () => {
    const { messageId } = await t.client.emails.send({ from: "noreply@acme.test", to: "ana@example.com", subject: "s", text: "t", tags: { tenant_id: "t_1", tag_draws: "true" } });
    const mailer = createSesMailer(t.client);
    const spec = (type: string, extra: Record<string, unknown> = {}) => t.fake.envelope(messageId, { type, snsMessageId: `sns-${type}-${String(extra.bounceType ?? "")}`, ...extra });
    const events = mailer.toMailEvents([
      spec("Send"),
      spec("Delivery"),
      spec("Bounce", { bounceType: "Permanent" }),
      spec("Bounce", { bounceType: "Transient" }),
      spec("Complaint"),
      spec("Reject"),
      spec("DeliveryDelay"),
      spec("Open"),
      spec("Click", { link: "https://acme.test/draws/3" }),
      spec("Subscription"),
    ]);
    expect(events.map(pick)).toEqual([
      ["processed", "ana@example.com", undefined, undefined, undefined],
      ["delivered", "ana@example.com", undefined, undefined, undefined],
      ["bounced", "ana@example.com", { kind: "hard", reason: "General: smtp; 550 5.1.1 user unknown" }, undefined, undefined],
      ["bounced", "ana@example.com", { kind: "soft", reason: "MailboxFull: smtp; 452 4.2.2 mailbox full" }, undefined, undefined],
      ["complaint", "ana@example.com", undefined, undefined, undefined],
      ["dropped", "ana@example.com", undefined, "Bad content", undefined],
      ["deferred", "ana@example.com", undefined, "TransientCommunicationFailure: smtp; 421 4.4.7 connection timed out", undefined],
      ["opened", "ana@example.com", undefined, undefined, undefined],
      ["clicked", "ana@example.com", undefined, undefined, "https://acme.test/draws/3"],
      ["unsubscribed", "ana@example.com", undefined, "borrowers", undefined],
    ]);
    for (const e of events) {
      expect(MAIL_EVENT_TYPES).toContain(e.type);
      expect(e).toMatchObject({ provider: "ses", messageId, tags: ["draws"], customArgs: { tenant_id: "t_1" } });
      expect((e.raw as { mail: { messageId: string } }).mail.messageId).toBe(messageId);
    }
    expect(events[0]!.eventId).toBe("sns-Send-:ana@example.com");
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
  });

  it("accepts what the receiver dispatches, a raw event, and skips an opt-in subscription and subscription messages", async () => {
    const { messageId } = await t.client.emails.send({ from: "noreply@acme.test", to: ["a@example.com", "b@example.com"], subject: "s", text: "t" });
    const mailer = createSesMailer(t.client);
    const raw = t.fake.event(messageId, { type: "Send" });
    const fromReceiver = { snsMessageId: "sns-x", topicArn: "arn", eventType: "Delivery", source: "event-publishing", event: t.fake.event(messageId, { type: "Delivery", recipient: "b@example.com" }) };
    expect(mailer.toMailEvents(raw).map((e) => [e.type, e.email])).toEqual([
      ["processed", "a@example.com"],
      ["processed", "b@example.com"],
    ]);
    expect(mailer.toMailEvents(fromReceiver).map((e) => [e.type, e.email, e.eventId])).toEqual([["delivered", "b@example.com", "sns-x:b@example.com"]]);
    expect(mailer.toMailEvents(t.fake.event(messageId, { type: "Subscription", unsubscribeAll: false }))).toEqual([]);
    expect(() => mailer.toMailEvents({ nothing: true })).toThrow(ValidationError);
  });
});

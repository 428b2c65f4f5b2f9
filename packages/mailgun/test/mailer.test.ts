import { isMailDeliveryOutcome, UnknownOutcomeError, ValidationError, type Mailer } from "@connect/core";
import { createMailgunMailer, toMailEvent } from "@connect/mailgun";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fieldsOf, setup, type Harness } from "./helpers.js";

let h: Harness;
let mailer: Mailer;
beforeEach(async () => {
  h = await setup({ fake: { bounceAddresses: /@bounce\.test$/, deferAddresses: /^slow@/ } });
  mailer = createMailgunMailer(h.client);
});
afterEach(async () => {
  await h.close();
});

describe("createMailgunMailer: send", () => {
  it("maps a MailMessage to Mailgun's fields and returns the id events carry", async () => {
    const receipt = await mailer.send(
      {
        from: { email: "noreply@mg.acme.test", name: "Acme Lending, Inc." },
        to: [{ email: "ana@example.com", name: "Ana Builder" }, "ops@example.com"],
        cc: "cfo@example.com",
        bcc: [{ email: "audit@example.com" }],
        replyTo: { email: "support@acme.test", name: "Support" },
        subject: "Draw 3 approved",
        text: "Approved.",
        html: '<p>Approved.</p><img src="cid:logo.png">',
        attachments: [
          { filename: "approval.pdf", content: new Uint8Array([37, 80, 68, 70]), contentType: "application/pdf" },
          { filename: "logo-file.png", content: new Uint8Array([1, 2]), contentType: "image/png", disposition: "inline", contentId: "logo.png" },
        ],
        tags: ["draw-approved"],
        customArgs: { draw_id: "draw_3" },
        headers: { "X-Loan-Id": "L-9" },
      },
      { idempotencyKey: "draw-3" },
    );

    const stored = h.fake.messages[0]!;
    expect(receipt).toEqual({ provider: "mailgun", messageId: stored.messageId, idempotencyKey: "draw-3" });
    expect(await fieldsOf(h.server.requests[0]!)).toEqual({
      from: ['"Acme Lending, Inc." <noreply@mg.acme.test>'],
      to: ["Ana Builder <ana@example.com>", "ops@example.com"],
      cc: ["cfo@example.com"],
      bcc: ["audit@example.com"],
      subject: ["Draw 3 approved"],
      text: ["Approved."],
      html: ['<p>Approved.</p><img src="cid:logo.png">'],
      "o:tag": ["draw-approved"],
      "h:X-Loan-Id": ["L-9"],
      "h:Reply-To": ["Support <support@acme.test>"],
      "v:draw_id": ["draw_3"],
      attachment: ["file:approval.pdf:application/pdf:4"],
      inline: ["file:logo.png:image/png:2"],
    });
    // The receipt's id correlates with the events of the message.
    const events = mailer.toMailEvents(h.fake.eventsFor(stored));
    expect(new Set(events.map((e) => e.messageId))).toEqual(new Set([receipt.messageId]));
  });

  it("a template becomes template + t:variables", async () => {
    await mailer.send({ from: "noreply@mg.acme.test", to: "ana@example.com", subject: "Draw", template: { id: "draw-approved", data: { firstName: "Ana" } } });
    const fields = await fieldsOf(h.server.requests[0]!);
    expect(fields.template).toEqual(["draw-approved"]);
    expect(fields["t:variables"]).toEqual(['{"firstName":"Ana"}']);
  });

  it("defaults apply to every send (test mode for staging)", async () => {
    const staging = createMailgunMailer(h.client, { defaults: { testMode: true } });
    await staging.send({ from: "noreply@mg.acme.test", to: "ana@example.com", subject: "s", text: "t" });
    expect(h.fake.messages[0]!.testMode).toBe(true);
  });

  it("an invalid address is a ValidationError before any request", async () => {
    const error = await mailer.send({ from: "noreply@mg.acme.test", to: "ana@", subject: "s", text: "t" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(h.server.requests).toHaveLength(0);
  });
});

describe("createMailgunMailer: sendBatch", () => {
  it("one item per message in order; a bad one and a 5xx one never drop the others", async () => {
    h.fake.failNext({ status: 500, path: "/v3/mg.acme.test/messages", times: 1 });
    const result = await mailer.sendBatch([
      { from: "noreply@mg.acme.test", to: "a@example.com", subject: "s", text: "first (answered 500)" },
      { from: "noreply@mg.acme.test", to: "not an address", subject: "s", text: "bad" },
      { from: "noreply@mg.acme.test", to: "c@example.com", subject: "s", text: "third" },
    ], { idempotencyKey: "batch-1" });

    expect(result.provider).toBe("mailgun");
    expect([result.sent, result.failed]).toEqual([1, 2]);
    expect(result.items.map((i) => [i.index, i.ok])).toEqual([
      [0, false],
      [1, false],
      [2, true],
    ]);
    const [first, second, third] = result.items;
    expect(first!.ok === false && first!.error).toBeInstanceOf(UnknownOutcomeError);
    expect(second!.ok === false && second!.error).toBeInstanceOf(ValidationError);
    expect(third!.ok && third!.receipt).toEqual({ provider: "mailgun", messageId: h.fake.messages[0]!.messageId, idempotencyKey: "batch-1:2" });
    expect(h.fake.messages.map((m) => m.fields.text![0])).toEqual(["third"]);
  });
});

describe("createMailgunMailer: suppressions", () => {
  it("reads all three lists; NotFound on a list is not a suppression", async () => {
    await h.client.bounces.add({ address: "ana@example.com", code: 550, error: "no such user", createdAt: "Fri, 02 Jan 2026 03:04:05 +0000" });
    await h.client.unsubscribes.add({ address: "ana@example.com", tags: ["newsletter"] });
    await h.client.complaints.add({ address: "bo@example.com" });

    expect(await mailer.suppressions("ana@example.com")).toEqual([
      { email: "ana@example.com", reason: "bounce", createdAt: "2026-01-02T03:04:05.000Z", detail: "550 no such user" },
      { email: "ana@example.com", reason: "unsubscribe", createdAt: expect.any(String), detail: "tags: newsletter" },
    ]);
    expect((await mailer.suppressions("bo@example.com")).map((s) => s.reason)).toEqual(["complaint"]);
    expect(await mailer.suppressions("cy@example.com")).toEqual([]);
  });
});

describe("createMailgunMailer: toMailEvents", () => {
  it("maps Mailgun's events to the shared vocabulary with ids, times, tags and custom args", async () => {
    const ok = await h.client.messages.send({ from: "noreply@mg.acme.test", to: "ana@example.com", subject: "s", text: "t", tags: ["draw"], variables: { draw_id: "d_3" } });
    await h.client.messages.send({ from: "noreply@mg.acme.test", to: "gone@bounce.test", subject: "s", text: "t" });
    await h.client.messages.send({ from: "noreply@mg.acme.test", to: "slow@example.com", subject: "s", text: "t" });
    await h.client.messages.send({ from: "noreply@mg.acme.test", to: "gone@bounce.test", subject: "s", text: "t" });
    h.fake.emit(ok.id, "opened");
    h.fake.emit(ok.id, "clicked", { url: "https://example.com/draws/3" });
    h.fake.emit(ok.id, "unsubscribed");
    h.fake.emit(ok.id, "complained");

    const page = await h.client.events.list({ ascending: true });
    const events = mailer.toMailEvents(page);
    expect(events.map((e) => [e.type, e.email])).toEqual([
      ["processed", "ana@example.com"],
      ["delivered", "ana@example.com"],
      ["processed", "gone@bounce.test"],
      ["bounced", "gone@bounce.test"],
      ["processed", "slow@example.com"],
      ["deferred", "slow@example.com"],
      ["processed", "gone@bounce.test"],
      ["dropped", "gone@bounce.test"],
      ["opened", "ana@example.com"],
      ["clicked", "ana@example.com"],
      ["unsubscribed", "ana@example.com"],
      ["complaint", "ana@example.com"],
    ]);
    const delivered = events[1]!;
    expect(delivered).toMatchObject({ provider: "mailgun", eventId: page.items[1]!.id, messageId: ok.messageId, tags: ["draw"], customArgs: { draw_id: "d_3" } });
    expect(delivered.occurredAt).toBe(new Date(Math.round(page.items[1]!.timestamp * 1000)).toISOString());
    expect(delivered.raw).toEqual(page.items[1]);
    expect(events[3]!.bounce).toEqual({ kind: "hard", reason: "generic: 550: 5.1.1 The email account that you tried to reach does not exist." });
    expect(events[5]!.reason).toBe("generic: 421: 4.7.0 Try again later");
    expect(events[7]!.reason).toBe("suppress-bounce: 605: Not delivering to previously bounced address");
    expect(events[9]!.url).toBe("https://example.com/draws/3");
    expect(events.filter((e) => isMailDeliveryOutcome(e.type)).map((e) => e.type)).toEqual(["delivered", "bounced", "dropped"]);
  });

  it("takes a webhook body, a bare event-data or an array; rejected → dropped; unknown types and junk are skipped", () => {
    const base = { id: "ev1", timestamp: 1770920771.82, recipient: "ana@example.com", message: { headers: { "message-id": "m1@mg.acme.test" } } };
    const body = { signature: { timestamp: "1", token: "t", signature: "s" }, "event-data": { ...base, event: "rejected", reason: "policy" } };
    expect(mailer.toMailEvents(body)).toEqual([
      { provider: "mailgun", eventId: "ev1", type: "dropped", email: "ana@example.com", messageId: "m1@mg.acme.test", occurredAt: "2026-02-12T18:26:11.820Z", reason: "policy", raw: body["event-data"] },
    ]);
    expect(mailer.toMailEvents([{ ...base, event: "stored" }, { nope: true }, null, { ...base, id: "ev2", event: "delivered" }]).map((e) => e.eventId)).toEqual(["ev2"]);
    expect(toMailEvent({ ...base, event: "list_uploaded" })).toBeUndefined();
  });
});

describe("createMailgunMailer: idempotency and bounce kinds", () => {
  it("a send that ended in UnknownOutcomeError keeps its key: the repeat fails again without a request", async () => {
    h.fake.failNext({ status: 502, path: "/v3/mg.acme.test/messages" });
    const message = { from: "noreply@mg.acme.test", to: "ana@example.com", subject: "s", text: "t" };
    const first = await mailer.send(message, { idempotencyKey: "k-1" }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(UnknownOutcomeError);
    const requests = h.server.requests.length;
    const second = await mailer.send(message, { idempotencyKey: "k-1" }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(UnknownOutcomeError);
    expect((second as UnknownOutcomeError).message).toContain("it is not sent again");
    expect(h.server.requests).toHaveLength(requests);
    expect(h.fake.messages).toHaveLength(0);
  });

  it("a permanent failure after a transient answer (452, Too old) is a soft bounce; a 550 is hard", async () => {
    const sent = await h.client.messages.send({ from: "noreply@mg.acme.test", to: "ana@example.com", subject: "s", text: "t" });
    const soft = mailer.toMailEvents(h.fake.fail(sent.id, "soft"))[0]!;
    const hard = mailer.toMailEvents(h.fake.fail(sent.id, "hard"))[0]!;
    expect([soft.type, soft.bounce?.kind]).toEqual(["bounced", "soft"]);
    expect([hard.type, hard.bounce?.kind]).toEqual(["bounced", "hard"]);
    expect(mailer.toMailEvents(h.fake.fail(sent.id, "temporary"))[0]!.type).toBe("deferred");
  });
});

describe("createMailgunMailer: healthCheck", () => {
  it("is the client's", async () => {
    expect((await mailer.healthCheck()).status).toBe("healthy");
    expect(mailer.provider).toBe("mailgun");
  });
});

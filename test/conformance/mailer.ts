// One conformance suite for core's shared email interface (Mailer). It is written against the
// interface only; every provider package runs it against its own fake on loopback:
//
//   // packages/<provider>/test/mailer-conformance.test.ts
//   import { describeMailerConformance } from "../../../test/conformance/mailer.js";
//   describeMailerConformance("sendgrid", async () => { …start the fake, build the mailer…; return harness; });
//
// The file is named *.ts (not *.test.ts) so it is imported by the providers' tests, never run
// on its own. `setup` runs before every case and `close` after it, so each case starts with an
// empty fake.
//
// What a harness provides (provider-neutral):
// - `mailer`: the provider's Mailer, pointed at the fake (retries may stay on; the fake does not fail
//   unless told to).
// - `from`: a sender the fake accepts (a verified identity, for providers that require one).
// - `sent()`: every message the fake accepted, oldest first, in one shape: recipient addresses
//   (`to` only), subject, text and html bodies, attachments as file name + decoded byte size, tags
//   (SendGrid categories, SES / Mailgun tags) and custom args as the provider stored them.
// - `requestCount()`: how many HTTP requests reached the fake so far (for "before any I/O").
// - `deliverEvent(kind, message, detail?)`: make the fake emit one delivery event of `kind` about
//   a message it accepted (`messageId` from the receipt, `to` the recipient) and return the
//   payload as the provider's webhook receiver hands it on after verification — what a host passes
//   to `mailer.toMailEvents`. Harnesses should post the signed event to a real receiver on
//   loopback and return what it delivered. `detail.bounce` picks a hard or a soft bounce.
// - `suppress(email, reason)`: put an address on the fake's suppression list for `reason`.
// - `suppressionReasons`: the reasons the provider keeps lists for (default bounce + complaint).
// - Event kinds a provider cannot emit are declared when the suite is defined
//   (`describeMailerConformance(name, setup, { eventKinds })`, default every MailEventType): the
//   cases for the others are not defined at all, rather than skipped at run time.
// - `close()`: stop the fake and anything the harness started.
import { IntegrationError, MAIL_EVENT_TYPES, ValidationError, type MailEvent, type MailEventType, type Mailer, type MailMessage, type MailSuppressionReason } from "@connect/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

/** One message as the fake holds it, in the suite's provider-neutral shape. */
export interface SentMail {
  to: string[];
  subject?: string | undefined;
  text?: string | undefined;
  html?: string | undefined;
  attachments: Array<{ filename: string; size: number }>;
  tags: string[];
  customArgs: Record<string, string>;
}

/** What `setup` returns; see the comment at the top of this file. */
export interface MailerHarness {
  mailer: Mailer;
  /** A sender address the fake accepts. */
  from: string;
  sent(): Promise<SentMail[]>;
  requestCount(): number;
  deliverEvent(kind: MailEventType, message: { to: string; messageId?: string | undefined }, detail?: { bounce?: "hard" | "soft" | undefined }): Promise<unknown>;
  suppress(email: string, reason: MailSuppressionReason): Promise<void>;
  /** Reasons `suppress` accepts; default `["bounce", "complaint"]`. */
  suppressionReasons?: readonly MailSuppressionReason[] | undefined;
  close(): Promise<void>;
}

const TO = "ana.borrower@example.com";

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

function expectIso(value: string | undefined): void {
  expect(typeof value).toBe("string");
  expect(Number.isNaN(Date.parse(value!))).toBe(false);
}

/** Definition-time options of the suite. */
export interface MailerConformanceOptions {
  /** Event kinds the provider's `deliverEvent` can produce; default every MailEventType. */
  eventKinds?: readonly MailEventType[] | undefined;
}

/** Register the Mailer conformance cases for one provider. */
export function describeMailerConformance(name: string, setup: () => Promise<MailerHarness>, options: MailerConformanceOptions = {}): void {
  const eventKinds = options.eventKinds ?? MAIL_EVENT_TYPES;
  describe(`Mailer conformance: ${name}`, () => {
    let h: MailerHarness;
    beforeEach(async () => {
      h = await setup();
    });
    afterEach(async () => {
      await h?.close();
    });

    const message = (overrides: Partial<MailMessage> = {}): MailMessage => ({
      from: h.from,
      to: TO,
      subject: "Draw 3 approved",
      text: "Your draw request 3 for $12,500.00 was approved.",
      html: "<p>Your draw request 3 for <b>$12,500.00</b> was approved.</p>",
      ...overrides,
    });

    it("send: one message reaches the fake with the exact fields, and the receipt names the provider", async () => {
      const receipt = await h.mailer.send(message({ to: [TO, { email: "gus.guarantor@example.com", name: "Gus Guarantor" }] }));
      expect(h.mailer.provider).toBe(name);
      expect(receipt.provider).toBe(name);
      if (receipt.messageId !== undefined) expect(receipt.messageId).toMatch(/\S/);
      const sent = await h.sent();
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({
        to: [TO, "gus.guarantor@example.com"],
        subject: "Draw 3 approved",
        text: "Your draw request 3 for $12,500.00 was approved.",
        html: "<p>Your draw request 3 for <b>$12,500.00</b> was approved.</p>",
        attachments: [],
      });
    });

    it("attachments arrive with their file names and byte sizes", async () => {
      const pdf = new Uint8Array(2_345).map((_, i) => i % 251);
      await h.mailer.send(
        message({
          attachments: [
            { filename: "draw-3-approval.pdf", content: pdf, contentType: "application/pdf" },
            { filename: "notes.txt", content: "Inspection passed — 3 of 5 milestones", contentType: "text/plain" },
          ],
        }),
      );
      const [mail] = await h.sent();
      expect(mail?.attachments).toEqual([
        { filename: "draw-3-approval.pdf", size: 2_345 },
        { filename: "notes.txt", size: Buffer.byteLength("Inspection passed — 3 of 5 milestones") },
      ]);
    });

    it("tags and customArgs are stored with the message", async () => {
      await h.mailer.send(message({ tags: ["draw-approved", "loan-LN1001"], customArgs: { x_tenant_id: "t_123", x_draw_id: "draw_3" } }));
      const [mail] = await h.sent();
      expect([...(mail?.tags ?? [])].sort()).toEqual(["draw-approved", "loan-LN1001"]);
      expect(mail?.customArgs).toMatchObject({ x_tenant_id: "t_123", x_draw_id: "draw_3" });
    });

    it("sendBatch: the invalid message fails with a ValidationError, the others are sent", async () => {
      const result = await h.mailer.sendBatch([
        message({ to: "first@example.com" }),
        message({ to: "not-an-email" }),
        message({ to: "third@example.com" }),
      ]);
      expect(result.provider).toBe(name);
      expect(result.items.map((i) => [i.index, i.ok])).toEqual([
        [0, true],
        [1, false],
        [2, true],
      ]);
      expect(result).toMatchObject({ sent: 2, failed: 1 });
      const failed = result.items[1]!;
      expect(failed.ok).toBe(false);
      if (!failed.ok) {
        expect(failed.error).toBeInstanceOf(ValidationError);
        expect((failed.error as ValidationError).issues.length).toBeGreaterThan(0);
      }
      for (const item of [result.items[0]!, result.items[2]!]) if (item.ok) expect(item.receipt.provider).toBe(name);
      const sent = await h.sent();
      // Batch messages may be sent concurrently: compare without order.
      expect(sent.map((m) => m.to.join(",")).sort()).toEqual(["first@example.com", "third@example.com"]);
    });

    it("an invalid address is a ValidationError before any request reaches the fake", async () => {
      const before = h.requestCount();
      for (const bad of [message({ to: "not-an-email" }), message({ cc: ["ok@example.com", "two@@example.com"] }), message({ from: "nobody" })]) {
        const error = await rejection(h.mailer.send(bad));
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).issues.length).toBeGreaterThan(0);
      }
      const noBody = await rejection(h.mailer.send({ from: h.from, to: TO, subject: "empty" }));
      expect(noBody).toBeInstanceOf(ValidationError);
      expect(h.requestCount()).toBe(before);
      expect(await h.sent()).toEqual([]);
    });

    it("the same ctx.idempotencyKey twice sends one message and answers the same receipt", async () => {
      const ctx = { idempotencyKey: "draw-3-approved-LN1001" };
      const first = await h.mailer.send(message(), ctx);
      const second = await h.mailer.send(message(), ctx);
      expect(second).toEqual(first);
      expect(await h.sent()).toHaveLength(1);
      // A different key is a different message.
      await h.mailer.send(message(), { idempotencyKey: "draw-4-approved-LN1001" });
      expect(await h.sent()).toHaveLength(2);
    });

    it("suppressions: a suppressed address is reported with its reason; a clean one is []", async () => {
      const reasons = h.suppressionReasons ?? ["bounce", "complaint"];
      for (const [i, reason] of reasons.entries()) {
        const email = `suppressed-${i}@example.com`;
        await h.suppress(email, reason);
        const found = await h.mailer.suppressions(email);
        expect(found.length).toBeGreaterThan(0);
        expect(found.map((s) => [s.email.toLowerCase(), s.reason])).toContainEqual([email, reason]);
        for (const s of found) if (s.createdAt !== undefined) expectIso(s.createdAt);
      }
      await expect(h.mailer.suppressions("clean@example.com")).resolves.toEqual([]);
    });

    it("suppressions of an invalid address is a ValidationError before any request", async () => {
      const before = h.requestCount();
      expect(await rejection(h.mailer.suppressions("not-an-email"))).toBeInstanceOf(ValidationError);
      expect(h.requestCount()).toBe(before);
    });

    describe("toMailEvents", () => {
      const deliver = async (kind: MailEventType, detail?: { bounce?: "hard" | "soft" }): Promise<{ event: MailEvent; messageId: string | undefined; all: MailEvent[] }> => {
        const receipt = await h.mailer.send(message({ tags: ["draw-approved"], customArgs: { x_draw_id: "draw_3" } }));
        const payload = await h.deliverEvent(kind, { to: TO, messageId: receipt.messageId }, detail);
        const all = h.mailer.toMailEvents(payload);
        const matching = all.filter((e) => e.type === kind);
        expect(matching, `one ${kind} event from ${JSON.stringify(all.map((e) => e.type))}`).toHaveLength(1);
        return { event: matching[0]!, messageId: receipt.messageId, all };
      };

      for (const kind of eventKinds) {
        it(`${kind}: normalised type, recipient, message id, event id, time, raw kept`, async () => {
          const { event, messageId } = await deliver(kind, kind === "bounced" ? { bounce: "hard" } : undefined);
          expect(event.provider).toBe(name);
          expect(event.email.toLowerCase()).toBe(TO);
          if (messageId !== undefined) expect(event.messageId).toBe(messageId);
          expect(event.eventId).toMatch(/\S/);
          expectIso(event.occurredAt);
          expect(event.raw).toBeDefined();
          expect(event.raw).not.toBeNull();
          if (kind === "bounced") expect(event.bounce?.kind).toBe("hard");
          else expect(event.bounce).toBeUndefined();
          if (kind === "clicked") expect(event.url).toMatch(/^https?:\/\//);
          if (kind === "delivered") expect(event.customArgs).toMatchObject({ x_draw_id: "draw_3" });
        });
      }

      it.runIf(eventKinds.includes("bounced"))("bounced: a soft bounce is kind soft", async () => {
        const { event } = await deliver("bounced", { bounce: "soft" });
        expect(event.bounce?.kind).toBe("soft");
      });

      const twoKinds = eventKinds.filter((k) => k !== "bounced").slice(0, 2);
      it.runIf(twoKinds.length === 2)("two deliveries of different events have different event ids", async () => {
        const kinds = twoKinds;
        const a = await deliver(kinds[0]!);
        const b = await deliver(kinds[1]!);
        expect(a.event.eventId).not.toBe(b.event.eventId);
      });
    });

    it("healthCheck is healthy against the fake", async () => {
      await expect(h.mailer.healthCheck()).resolves.toMatchObject({ status: "healthy" });
    });

    it("errors carry the provider as vendor", async () => {
      const error = await rejection(h.mailer.send(message({ to: "not-an-email" })));
      expect(IntegrationError.is(error)).toBe(true);
      expect((error as IntegrationError).vendor).toBe(name);
    });
  });
}

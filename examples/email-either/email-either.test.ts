import { fallback, UnknownOutcomeError } from "@connect/core";
import { describe, expect, it } from "vitest";
import { BACKUP, drawApprovedMessage, providerFromEnv, runEmail } from "./index.mjs";
import { startProvider } from "./providers.mjs";

const BORROWER = "ana.borrower@example.com";
const BUILDER = "builder@unknown-domain.example";
const ARGS = { loan_id: "LN-1001", draw_id: "draw_3" };

describe("example: the same email through SendGrid, SES or Mailgun", () => {
  it("EMAIL_PROVIDER picks the provider; default sendgrid; anything else is refused", () => {
    expect(providerFromEnv({ EMAIL_PROVIDER: "ses" })).toBe("ses");
    expect(providerFromEnv({ EMAIL_PROVIDER: " Mailgun " })).toBe("mailgun");
    expect(providerFromEnv({})).toBe("sendgrid");
    expect(() => providerFromEnv({ EMAIL_PROVIDER: "postmark" })).toThrow('EMAIL_PROVIDER must be sendgrid, ses, mailgun, not "postmark"');
  });

  it.each(["sendgrid", "ses", "mailgun"] as const)("%s: sends once and normalises the verified delivered and bounce events to MailEvents", async (provider) => {
    const lines: string[] = [];
    const outcome = await runEmail({ provider, outage: false, log: (line) => lines.push(line) });

    expect(outcome).toMatchObject({ requested: provider, servedBy: provider, fellBackFrom: [], receipt: { provider }, repeated: undefined });
    expect(outcome.receipt.messageId).toEqual(expect.any(String));
    expect(outcome.webhookStatuses).toEqual([200, 200]);
    expect(outcome.events).toEqual([
      { provider, type: "delivered", email: BORROWER, messageId: expect.any(String), bounce: undefined, customArgs: ARGS },
      { provider, type: "bounced", email: BUILDER, messageId: expect.any(String), bounce: "hard", customArgs: ARGS },
    ]);
    // The events are about the message that was sent (SendGrid suffixes its X-Message-Id per recipient).
    for (const event of outcome.events) expect(event.messageId!.startsWith(outcome.receipt.messageId!)).toBe(true);
    expect(outcome.counts).toEqual({ [provider]: { accepted: 1, sendRequests: 1 }, [BACKUP[provider]]: { accepted: 0, sendRequests: 0 } });
    expect(lines[0]).toBe(`sent "draw approved" via ${provider}: message ${outcome.receipt.messageId}`);
  });

  it.each([
    ["sendgrid", "ses"],
    ["ses", "sendgrid"],
    ["mailgun", "ses"],
  ] as const)("%s down: its breaker opens, fallback() sends through %s, and nothing is sent twice", async (down, up) => {
    const lines: string[] = [];
    const outcome = await runEmail({ provider: down, outage: true, log: (line) => lines.push(line) });

    expect(outcome).toMatchObject({ requested: down, servedBy: up, fellBackFrom: [{ provider: down, error: "CircuitOpenError" }], receipt: { provider: up } });
    expect(lines.some((line) => line.startsWith(`${down} health probe`) && line.endsWith("(breaker open)"))).toBe(true);
    expect(lines).toContain(`${down} unavailable: CircuitOpenError — falling back to ${up}`);
    // The repeated send (same idempotency key) answers the first receipt.
    expect(outcome.repeated).toEqual(outcome.receipt);
    // The provider that was down never saw a send request; the backup accepted the email once.
    expect(outcome.counts).toEqual({ [down]: { accepted: 0, sendRequests: 0 }, [up]: { accepted: 1, sendRequests: 1 } });
    expect(outcome.events.map((e) => [e.provider, e.type, e.email, e.bounce])).toEqual([
      [up, "delivered", BORROWER, undefined],
      [up, "bounced", BUILDER, "hard"],
    ]);
  });

  it("a 503 answer to the send itself is not a reason to fall back: the email may have gone out, so it is surfaced", async () => {
    const [sendgrid, ses] = await Promise.all([startProvider("sendgrid"), startProvider("ses")]);
    try {
      sendgrid.failNextSend();
      const attempt = fallback([sendgrid, ses].map((f) => ({ name: f.name, run: () => f.mailer.send(drawApprovedMessage(f.from), { idempotencyKey: "loan-LN-1001:draw_3:approved" }) })));
      const error = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UnknownOutcomeError);
      expect(error).toMatchObject({ vendor: "sendgrid", mayHaveReachedVendor: true });
      // One request reached SendGrid (answered 503, not retried); SES was never asked.
      expect([sendgrid.sendRequests(), ses.sendRequests(), ses.accepted()]).toEqual([1, 0, 0]);
    } finally {
      await Promise.all([sendgrid.close(), ses.close()]);
    }
  });
});

import { describe, expect, it } from "vitest";
import { BACKUP, providerFromEnv, runEmail } from "./index.mjs";

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

  it("SendGrid down: its breaker opens, fallback() sends through SES, and nothing is sent twice", async () => {
    const lines: string[] = [];
    const outcome = await runEmail({ provider: "sendgrid", outage: true, log: (line) => lines.push(line) });

    expect(outcome).toMatchObject({ requested: "sendgrid", servedBy: "ses", fellBackFrom: [{ provider: "sendgrid", error: "CircuitOpenError" }], receipt: { provider: "ses" } });
    expect(lines.some((line) => line.startsWith("sendgrid health probe") && line.endsWith("(breaker open)"))).toBe(true);
    expect(lines).toContain("sendgrid unavailable: CircuitOpenError — falling back to ses");
    // The repeated send (same idempotency key) answers the first receipt.
    expect(outcome.repeated).toEqual(outcome.receipt);
    // SendGrid never saw a send request; SES accepted the email once.
    expect(outcome.counts).toEqual({ sendgrid: { accepted: 0, sendRequests: 0 }, ses: { accepted: 1, sendRequests: 1 } });
    expect(outcome.events.map((e) => [e.provider, e.type, e.email, e.bounce])).toEqual([
      ["ses", "delivered", BORROWER, undefined],
      ["ses", "bounced", BUILDER, "hard"],
    ]);
  });
});

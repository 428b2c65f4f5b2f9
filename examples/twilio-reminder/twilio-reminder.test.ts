import { describe, expect, it } from "vitest";
import { runInspectionReminder } from "./index.mjs";

describe("example: twilio inspection reminder", () => {
  it("texts the reminder, follows delivery through signed callbacks, and confirms the inspection from the CONFIRM reply", async () => {
    const lines: string[] = [];
    const outcome = await runInspectionReminder({ log: (line) => lines.push(line) });

    expect(outcome.messageSid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(outcome.to).toBe("+14155550100");
    expect(outcome.segments).toBe(1);
    expect(outcome.callbacks).toEqual([200, 200]);
    expect(outcome.delivery).toEqual(["sent", "delivered"]);
    expect(outcome.confirmed).toBe(true);
    expect(outcome.replyStatus).toBe(200);
    expect(outcome.replyTwiml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks Ana, your inspection at 14 Elm St on Tue Jun 4 at 10:00 is confirmed.</Message></Response>',
    );
    expect(outcome.twilioStatus).toBe("delivered");
    expect(lines[0]).toBe(`sent       ${outcome.messageSid} to +14155550100: 1 segment(s), GSM-7, status queued`);
    expect(lines).toContain(`confirmed  insp_42 by +14155550100 (" confirm ")`);
    expect(lines.at(-1)).toBe(`twilio     ${outcome.messageSid} is delivered (price -0.0079 USD)`);
  });
});

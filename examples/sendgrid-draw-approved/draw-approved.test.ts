import { describe, expect, it } from "vitest";
import { runDrawApproved } from "./index.mjs";

describe("example: sendgrid draw approved", () => {
  it("sends the draw-approved email and processes the signed delivered and bounce events", async () => {
    const lines: string[] = [];
    const outcome = await runDrawApproved({ log: (line) => lines.push(line) });

    expect(outcome.messageId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(outcome.webhookStatus).toBe(200);
    expect(outcome.summary).toEqual({ received: 2, handled: 2, duplicates: 0, ignored: 0, failed: 0, deadLettered: 0 });
    expect(outcome.delivered).toEqual([{ email: "ana.borrower@example.com", drawId: "draw_3", messageId: `${outcome.messageId}.filterdrecv-fake-0-0` }]);
    expect(outcome.bounced).toEqual([
      { email: "builder@unknown-domain.example", drawId: "draw_3", type: "bounce", status: "5.1.1", reason: "550 5.1.1 The email account that you tried to reach does not exist." },
    ]);
    expect(outcome.bounces.map((b) => b.email)).toEqual(["builder@unknown-domain.example"]);
    expect(lines[0]).toBe(`sent "draw approved": X-Message-Id ${outcome.messageId} (HTTP 202)`);
    expect(lines.at(-1)).toBe("bounce suppression list: builder@unknown-domain.example");
  });
});

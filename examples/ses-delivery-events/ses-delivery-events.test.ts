import { describe, expect, it } from "vitest";
import { runSesDeliveryEvents } from "./index.mjs";

const ARGS = { loan_id: "LN-1001", draw_id: "draw_3" };

describe("example: SES delivery events", () => {
  it("sends the PDF as Raw MIME, verifies the SNS-signed delivery and bounce, normalises them, and refuses forgeries", async () => {
    const lines: string[] = [];
    const outcome = await runSesDeliveryEvents({ log: (line) => lines.push(line) });

    expect(outcome.kind).toBe("raw");
    expect(outcome.mime.structure).toEqual(["multipart/mixed", "multipart/alternative"]);
    // MIME text travels with CRLF line ends.
    expect(outcome.mime.text).toBe("Hello Ana,\r\n\r\ndraw 3 of loan LN-1001 is approved; the approval is attached.\r\n");
    expect(outcome.mime.html).toBe("<p>Hello Ana,</p><p>draw 3 of loan LN-1001 is approved; the approval is attached.</p>");
    expect(outcome.mime.attachments).toEqual([{ filename: "draw-3-approval.pdf", contentType: "application/pdf", disposition: "attachment", bytesMatch: true }]);
    expect(outcome.subscription).toEqual({ status: 200, confirmed: 1, otherTopicStatus: 401 });
    expect(outcome.statuses).toEqual([200, 200]);
    expect(outcome.events).toEqual([
      { provider: "ses", type: "delivered", email: "ana.borrower@example.com", messageId: outcome.messageId, bounce: undefined, customArgs: ARGS },
      { provider: "ses", type: "bounced", email: "builder@unknown-domain.example", messageId: outcome.messageId, bounce: "hard", customArgs: ARGS },
    ]);
    expect(outcome.forged).toEqual([401, 401]);
    expect(outcome.handlersReachedByForgeries).toBe(0);
    expect(lines.at(-1)).toBe("forged notifications answered 401, 401; handlers reached: 0");
  });
});

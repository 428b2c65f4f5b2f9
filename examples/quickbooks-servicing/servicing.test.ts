import { describe, expect, it } from "vitest";
import { runServicing } from "./index.mjs";

describe("example: quickbooks loan servicing", () => {
  it("funds the loan, invoices two draws, applies a payment, processes the signed webhooks and reconciles", async () => {
    const lines: string[] = [];
    const outcome = await runServicing({ log: (line) => lines.push(line) });

    expect(outcome.foundAgain).toBe(true);
    expect(outcome.invoices.map((i) => [i.DocNumber, i.TotalAmt, i.Balance])).toEqual([
      ["D-draw-1", 12500, 12500],
      ["D-draw-2", 8300.5, 8300.5],
    ]);
    expect(outcome.payment).toMatchObject({ TotalAmt: 12500, PaymentRefNum: "pmt-77", UnappliedAmt: 0 });
    expect(outcome.webhookStatus).toBe(200);
    expect(outcome.changes.map((c) => [c.entity, c.operation])).toEqual([
      ["Customer", "Create"],
      ["Invoice", "Create"],
      ["Invoice", "Create"],
      ["Payment", "Create"],
    ]);
    // Read after the payment: the first draw is paid, the second still open.
    expect(outcome.changes.filter((c) => c.entity === "Invoice").map((c) => c.balance)).toEqual([0, 8300.5]);
    expect(outcome.report.matched).toEqual([
      expect.objectContaining({ loanId: "L-1001", customerId: outcome.customerId, hostCents: 830_050, quickBooksCents: 830_050, differenceCents: 0 }),
    ]);
    expect(outcome.report.missingInQuickBooks).toEqual([{ loanId: "L-1002", hostCents: 400_000, host: "4000.00", customerId: undefined }]);
    expect(outcome.report.totals).toMatchObject({ matched: 1, mismatched: 0, missingInQuickBooks: 1, missingInHost: 0, invalid: 0 });
    expect(outcome.deadLetters).toEqual([]);
    expect(lines[0]).toBe(`connected QuickBooks company ${outcome.realmId}`);
    expect(lines.at(-1)).toBe("  L-1002: the platform holds 4000.00 but QuickBooks has no customer for it");
  });
});

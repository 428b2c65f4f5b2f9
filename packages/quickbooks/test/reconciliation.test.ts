import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setup, type Harness } from "./helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup({ client: { servicing: { accounts: { receivable: "1", payoffClearing: "45" } } } });
});
afterEach(async () => {
  await h.close();
});

async function fundAndDraw(loanId: string, amount: string) {
  const { customer } = await h.client.servicing.loanFunded({ loanId, borrowerName: `Borrower ${loanId}` });
  await h.client.servicing.drawDisbursed({ loanId, drawId: "d1", docNumber: `D-${loanId}`, customerId: customer.Id, amount, description: "Draw 1", dueDate: "2026-02-05" });
  return customer.Id;
}

describe("reconcile", () => {
  it("reports matches, mismatches, loans missing on either side and unreadable host rows", async () => {
    const a = await fundAndDraw("L-1", "1000.00");
    const b = await fundAndDraw("L-2", "2500.55");
    const c = await fundAndDraw("L-3", "10.00");
    h.fake.insert("Customer", { DisplayName: "Walk-in customer" });
    h.clock.now += 1000;

    const report = await h.client.reconcile({
      balances: [
        { loanId: "L-1", balance: "1000.00" },
        { loanId: "L-2", balance: { cents: 250_000 } },
        { loanId: "L-4", balance: "75.00" },
        { loanId: "L-5", balance: 12.5 as never },
        { loanId: "L-1", balance: "1000.00" },
      ],
    });

    expect(report.asOf).toBe(new Date(h.clock.now).toISOString());
    expect(report.matched).toEqual([
      { loanId: "L-1", customerId: a, displayName: "Borrower L-1 (Loan L-1)", hostCents: 100_000, quickBooksCents: 100_000, differenceCents: 0, host: "1000.00", quickBooks: "1000.00", difference: "0.00" },
    ]);
    expect(report.mismatched).toEqual([
      { loanId: "L-2", customerId: b, displayName: "Borrower L-2 (Loan L-2)", hostCents: 250_000, quickBooksCents: 250_055, differenceCents: 55, host: "2500.00", quickBooks: "2500.55", difference: "0.55" },
    ]);
    expect(report.missingInQuickBooks).toEqual([{ loanId: "L-4", hostCents: 7500, host: "75.00", customerId: undefined }]);
    expect(report.missingInHost).toEqual([{ loanId: "L-3", customerId: c, displayName: "Borrower L-3 (Loan L-3)", quickBooksCents: 1000, quickBooks: "10.00", active: true }]);
    expect(report.invalid.map((i) => [i.index, i.loanId])).toEqual([
      [3, "L-5"],
      [4, "L-1"],
    ]);
    expect(report.totals).toEqual({ hostCents: 100_000 + 250_000 + 7500, quickBooksCents: 100_000 + 250_055 + 1000, matched: 1, mismatched: 1, missingInQuickBooks: 1, missingInHost: 1, invalid: 2 });
  });

  it("a tolerance turns small differences into matches; a stored customer id wins over the name", async () => {
    const a = await fundAndDraw("L-1", "100.01");
    const report = await h.client.reconcile({ balances: [{ loanId: "renamed-loan", customerId: a, balance: "100.00" }], tolerance: "0.01" });
    expect(report.matched.map((m) => [m.loanId, m.customerId, m.differenceCents])).toEqual([["renamed-loan", a, 1]]);
    expect(report.missingInHost).toEqual([]);
  });

  it("a paid-off (inactive) customer still reconciles against the host's zero balance", async () => {
    const a = await fundAndDraw("L-9", "50.00");
    await h.client.servicing.loanPaidOff({ loanId: "L-9", customerId: a, payoffDate: "2026-06-30" });
    const report = await h.client.reconcile({ balances: [{ loanId: "L-9", balance: "0.00" }] });
    expect(report.matched.map((m) => [m.loanId, m.quickBooksCents])).toEqual([["L-9", 0]]);
  });
});

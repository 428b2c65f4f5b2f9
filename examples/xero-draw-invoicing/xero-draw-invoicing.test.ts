import { describe, expect, it } from "vitest";
import { ledgersFromEnv, runLedgerDraws, runXeroDraws } from "./index.mjs";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("example: draw invoicing in Xero, then the same flow through core's Ledger", () => {
  it("LEDGER_PROVIDER picks the ledger; unset runs both; anything else is refused", () => {
    expect(ledgersFromEnv({ LEDGER_PROVIDER: "quickbooks" })).toEqual(["quickbooks"]);
    expect(ledgersFromEnv({ LEDGER_PROVIDER: " Xero " })).toEqual(["xero"]);
    expect(ledgersFromEnv({})).toEqual(["xero", "quickbooks"]);
    expect(() => ledgersFromEnv({ LEDGER_PROVIDER: "sage" })).toThrow('LEDGER_PROVIDER must be xero or quickbooks, not "sage"');
  });

  it("Xero: OAuth and tenant, contact, ACCREC invoices under Idempotency-Keys, a payment, the balance, verified webhooks", async () => {
    const lines: string[] = [];
    const outcome = await runXeroDraws({ log: (line) => lines.push(line) });

    expect(outcome.tenantId).toMatch(UUID);
    expect(outcome.intentPassed).toBe(true);
    expect(outcome.invoices.map((i) => [i.type, i.reference, i.total, i.status])).toEqual([
      ["ACCREC", "draw-1", 12500, "AUTHORISED"],
      ["ACCREC", "draw-2", 8300.5, "AUTHORISED"],
    ]);
    // Every write carried its business key; the redelivered draw-1 was answered from Xero's replay cache.
    expect(outcome.idempotencyKeys).toEqual([
      ["PUT", "/Contacts", "loan-funded:LN-1001", false],
      ["PUT", "/Invoices", "draw-disbursed:draw-1", false],
      ["PUT", "/Invoices", "draw-disbursed:draw-2", false],
      ["PUT", "/Invoices", "draw-disbursed:draw-1", true],
      ["PUT", "/Payments", "payment-received:pmt-77", false],
    ]);
    expect(outcome.replayedInvoiceId).toBe(outcome.invoices[0]!.id);
    expect(outcome.payment.amount).toBe(12500);
    expect(outcome.paidStatus).toBe("PAID");
    expect(outcome.outstanding).toBe("8300.50");
    expect(outcome.webhookStatus).toBe(200);
    expect(outcome.forgedStatus).toBe(401);
    // The signed events: the contact, both invoices, the paid invoice's update — and nothing from the forgery.
    expect(outcome.events).toEqual([
      { category: "CONTACT", type: "CREATE", resourceId: outcome.contactId, tenantId: outcome.tenantId },
      { category: "INVOICE", type: "CREATE", resourceId: outcome.invoices[0]!.id, tenantId: outcome.tenantId },
      { category: "INVOICE", type: "CREATE", resourceId: outcome.invoices[1]!.id, tenantId: outcome.tenantId },
      { category: "INVOICE", type: "UPDATE", resourceId: outcome.invoices[0]!.id, tenantId: outcome.tenantId },
    ]);
    expect(lines[1]).toBe("intent to receive: passed (valid → 200, invalid → 401, valid → 200, invalid → 401)");
    expect(lines.at(-1)).toBe("webhook answered 200 (4 events: CONTACT CREATE, INVOICE CREATE, INVOICE CREATE, INVOICE UPDATE); a forged one 401");
  });

  it.each(["xero", "quickbooks"] as const)("Ledger on %s: the same calls give the same normalised results", async (provider) => {
    const outcome = await runLedgerDraws({ provider, log: () => undefined });

    expect(outcome.customer).toEqual({ id: expect.any(String), externalRef: "LN-1001", displayName: "Ana Borrower (LN-1001)" });
    expect(outcome.invoices.map((i) => [i.externalRef, i.total, i.balance, i.status])).toEqual([
      ["draw-1", "12500.00", "12500.00", "open"],
      ["draw-2", "8300.50", "8300.50", "open"],
    ]);
    expect(outcome.retryFoundSame).toBe(true);
    expect(outcome.payment).toEqual({ id: expect.any(String), externalRef: "pmt-77", amount: "12500.00", invoiceId: outcome.invoices[0]!.id });
    expect(outcome.paid).toEqual({ status: "paid", balance: "0.00" });
    expect(outcome.balance).toEqual({ outstanding: "8300.50", openInvoices: 1 });
    // One customer, two invoices, one payment in the vendor's books: the retried invoice was not written again.
    expect(outcome.counts).toEqual({ customers: 1, invoices: 2, payments: 1 });
    expect(outcome.webhookStatus).toBe(200);
    const created = outcome.changes.filter((c) => c.operation === "create").map((c) => [c.entity, c.id]);
    expect(created.slice(0, 3)).toEqual([
      ["customer", outcome.customer.id],
      ["invoice", outcome.invoices[0]!.id],
      ["invoice", outcome.invoices[1]!.id],
    ]);
    for (const change of outcome.changes) expect(change.tenantId).toBe(outcome.tenantId);
    // The payment shows as Xero's invoice update (Xero has no payment webhooks) or QuickBooks' payment create.
    expect(outcome.changes.slice(3)).toEqual(
      provider === "xero" ? [{ entity: "invoice", id: outcome.invoices[0]!.id, operation: "update", tenantId: outcome.tenantId }] : [{ entity: "payment", id: outcome.payment.id, operation: "create", tenantId: outcome.tenantId }],
    );
  });
});

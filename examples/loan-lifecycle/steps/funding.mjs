// Step 4 — the loan is funded and the first draw disbursed: QuickBooks gets the borrower's
// customer and the draw's invoice (each write keyed by the platform's ids, so a retry or a
// redelivered event writes once). QuickBooks then reports those writes through its signed
// webhook, which the host acknowledges at once and processes from its queue.
import { dollars } from "../platform.mjs";

export const FIRST_DRAW = { id: "draw-1", amountCents: 1_250_000, description: "Draw 1: foundation", dueDate: "2024-07-05" };

/** Fund the loan and invoice the first draw. */
export async function fundLoan(app, loan) {
  const { quickbooks } = app.vendors;
  const ctx = app.context("funding");
  app.chaos?.funding(quickbooks.fake);

  const { customer, created } = await quickbooks.client.servicing.loanFunded({ loanId: loan.number, borrowerName: loan.borrower.name, email: loan.borrower.email }, ctx);
  loan.ledger.customerId = customer.Id;
  const invoice = await quickbooks.client.servicing.drawDisbursed(
    { loanId: loan.number, drawId: FIRST_DRAW.id, customerId: customer.Id, amount: { cents: FIRST_DRAW.amountCents }, description: FIRST_DRAW.description, dueDate: FIRST_DRAW.dueDate },
    ctx,
  );
  loan.ledger.invoices.push({ id: invoice.Id, docNumber: invoice.DocNumber, total: invoice.TotalAmt });
  loan.draws.push({ ...FIRST_DRAW, invoiceId: invoice.Id, disbursedAt: new Date().toISOString() });

  // QuickBooks tells the platform about those writes (signed CloudEvents); acknowledged, then processed.
  const response = await quickbooks.fake.postWebhook(quickbooks.webhookUrl);
  await response.arrayBuffer();
  await quickbooks.webhook.idle();
  const changes = app.platform.ledgerChanges;

  return {
    line: `customer ${customer.Id} "${customer.DisplayName}" (${created ? "created" : "found"}), invoice ${invoice.DocNumber} ${dollars(FIRST_DRAW.amountCents)}; webhook ${response.status}, ${changes.length} changes processed`,
    result: {
      realmId: quickbooks.realmId,
      customerId: customer.Id,
      customerCreated: created,
      invoice: { id: invoice.Id, docNumber: invoice.DocNumber, total: invoice.TotalAmt, balance: invoice.Balance },
      webhookStatus: response.status,
      changes: changes.map((c) => `${c.entity}.${c.operation}`),
    },
  };
}

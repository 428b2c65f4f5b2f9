// Step 4 — the loan is funded and the first draw disbursed: the chosen ledger (QuickBooks by
// default, Xero with --ledger=xero, both behind core's provider-neutral `Ledger`) gets the
// borrower's customer and the draw's invoice, each keyed by the platform's ids (a retry or a
// second worker finds what the first attempt made). The ledger then reports those writes through
// its signed webhook (QuickBooks: HMAC with the verifier token, acknowledged first and processed
// from its queue; Xero: `x-xero-signature`), and the platform reads the invoice back.
import { decimal, dollars } from "../platform.mjs";

export const FIRST_DRAW = { id: "draw-1", amountCents: 1_250_000, description: "Draw 1: foundation", issueDate: "2024-06-05", dueDate: "2024-07-05" };
export const LEDGER_NAMES = { quickbooks: "QuickBooks", xero: "Xero" };

/** Fund the loan and invoice the first draw. */
export async function fundLoan(app, loan) {
  const { ledger: books } = app.vendors;
  const { ledger } = books;
  const ctx = app.context("funding");
  app.chaos?.funding(books);

  const existing = await ledger.findCustomer(loan.number, ctx);
  const customer = existing ?? (await ledger.createCustomer({ externalRef: loan.number, displayName: loan.borrower.name, email: loan.borrower.email }, { ...ctx, idempotencyKey: `${loan.number}:customer` }));
  loan.ledger.customerId = customer.id;
  const invoice = await ledger.createInvoice(
    {
      externalRef: FIRST_DRAW.id,
      customerId: customer.id,
      issueDate: FIRST_DRAW.issueDate,
      dueDate: FIRST_DRAW.dueDate,
      lines: [{ description: FIRST_DRAW.description, amount: decimal(FIRST_DRAW.amountCents) }],
      memo: `Loan ${loan.number}, ${FIRST_DRAW.id}`,
    },
    { ...ctx, idempotencyKey: `${loan.number}:${FIRST_DRAW.id}:invoice` },
  );
  loan.ledger.invoices.push({ id: invoice.id, number: invoice.number, total: invoice.total });
  loan.draws.push({ ...FIRST_DRAW, invoiceId: invoice.id, disbursedAt: new Date().toISOString() });

  // The ledger tells the platform about those writes (signed); verified, then processed.
  const response = await books.postWebhook();
  await response.arrayBuffer();
  await books.idle();
  const changes = app.platform.ledgerChanges;

  return {
    line: `${LEDGER_NAMES[books.provider]} customer ${short(customer.id)} "${customer.displayName}" (${existing ? "found" : "created"}), invoice ${invoice.number ?? short(invoice.id)} ${dollars(FIRST_DRAW.amountCents)} (${invoice.status}); webhook ${response.status} (signature verified), ${changes.length} changes processed`,
    result: {
      ledger: books.provider,
      tenantId: books.tenantId,
      customerId: customer.id,
      customerCreated: !existing,
      invoice: { id: invoice.id, number: invoice.number, total: invoice.total, balance: invoice.balance, status: invoice.status },
      webhookStatus: response.status,
      changes: changes.map((c) => `${c.entity}.${c.operation}`),
    },
  };
}

/** A QuickBooks id as it is; a Xero UUID shortened for the line. */
const short = (id) => (id.length > 12 ? `${id.slice(0, 8)}…` : id);

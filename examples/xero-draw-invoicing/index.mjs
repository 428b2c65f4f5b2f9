// Draw invoicing in Xero: connect the lender's organisation (OAuth 2.0, rotating refresh tokens in
// a core TokenStore, the tenant from GET /connections), then the borrower's contact, one ACCREC
// invoice per draw (each write with an Idempotency-Key), a payment, the balance, and Xero's signed
// webhooks at a local receiver that first passes Xero's intent-to-receive probe. Then the same
// servicing flow through core's provider-neutral `Ledger`, against Xero or QuickBooks by
// configuration (LEDGER_PROVIDER=xero|quickbooks; unset, both one after the other).
// Runs offline against the embedded fakes: `npm run build && node examples/xero-draw-invoicing/index.mjs`.
import { pathToFileURL } from "node:url";
import { serveHandlers } from "@connect/core/testing";
import { createXeroClient, createXeroWebhookHandler } from "@connect/xero";
import { createXeroFake } from "@connect/xero/testing";
import { connectXero, LEDGERS, listen, startLedger } from "./ledgers.mjs";

const DRAWS = [
  { drawId: "draw-1", description: "Draw 1: foundation", amount: "12500.00", date: "2026-02-05" },
  { drawId: "draw-2", description: "Draw 2: framing", amount: "8300.50", date: "2026-03-05" },
];

/** Which ledgers the environment asks for (unset: both); anything else is an error. */
export function ledgersFromEnv(env = process.env) {
  if (env.LEDGER_PROVIDER === undefined || env.LEDGER_PROVIDER.trim() === "") return [...LEDGERS];
  const name = env.LEDGER_PROVIDER.trim().toLowerCase();
  if (!LEDGERS.includes(name)) throw new TypeError(`LEDGER_PROVIDER must be ${LEDGERS.join(" or ")}, not "${env.LEDGER_PROVIDER}"`);
  return [name];
}

/** Part 1: the Xero client itself, against the Xero fake. */
export async function runXeroDraws({ log = console.log } = {}) {
  const fake = createXeroFake();
  const api = await serveHandlers(fake.handlers);
  // 1. Connect: consent → code exchanged for tokens (stored before use) → the tenants of the grant.
  const { oauth, grant, connections, baseUrl } = await connectXero({ fake, apiUrl: api.url });
  const tenant = connections[0];
  log(`connected Xero: grant ${grant.grantId}, tenant ${tenant.tenantId} "${tenant.tenantName}" (${tenant.tenantType}); access token valid until ${new Date(grant.accessTokenExpiresAt).toISOString()}`);
  const xero = createXeroClient({ tenantId: tenant.tenantId, grantId: grant.grantId, oauth, baseUrl });

  // 2. Our webhook endpoint: HMAC-SHA256 of the raw body with the webhook key, checked first; the
  //    intent-to-receive handshake (good and bad signatures) must pass before Xero sends events.
  const events = [];
  const webhook = createXeroWebhookHandler({ webhookKey: fake.webhookKey, tenantIds: [tenant.tenantId], onEvent: (event) => void events.push(event) });
  const receiver = await listen(webhook, "/webhooks/xero");
  try {
    const intent = await fake.intentToReceive(receiver.url);
    log(`intent to receive: ${intent.passed ? "passed" : "FAILED"} (${intent.probes.map((p) => `${p.signature} → ${p.status}`).join(", ")})`);

    // 3. Loan funded → the borrower's contact, with the loan id as ContactNumber.
    const contact = await xero.contacts.create({ Name: "Ana Borrower (LN-1001)", ContactNumber: "LN-1001", EmailAddress: "ana.borrower@example.com" }, { idempotencyKey: "loan-funded:LN-1001" });
    log(`contact ${contact.ContactID} "${contact.Name}"`);

    // 4. Draws disbursed → one ACCREC invoice each, the draw id as the Idempotency-Key.
    const invoices = [];
    for (const draw of DRAWS) {
      const invoice = await xero.invoices.create(
        { Contact: { ContactID: contact.ContactID }, Reference: draw.drawId, Status: "AUTHORISED", LineAmountTypes: "NoTax", Date: draw.date, DueDate: draw.date, LineItems: [{ Description: draw.description, Quantity: 1, UnitAmount: draw.amount, AccountCode: "200" }] },
        { idempotencyKey: `draw-disbursed:${draw.drawId}` },
      );
      invoices.push(invoice);
      log(`invoice ${invoice.InvoiceNumber} (${invoice.Type}, ${draw.drawId}) ${Number(invoice.Total).toFixed(2)} due, status ${invoice.Status}`);
    }
    // A redelivered "draw disbursed" event: the same key is replayed by Xero, nothing is written twice.
    const replay = await xero.invoices.create(
      { Contact: { ContactID: contact.ContactID }, Reference: DRAWS[0].drawId, Status: "AUTHORISED", LineAmountTypes: "NoTax", Date: DRAWS[0].date, DueDate: DRAWS[0].date, LineItems: [{ Description: DRAWS[0].description, Quantity: 1, UnitAmount: DRAWS[0].amount, AccountCode: "200" }] },
      { idempotencyKey: `draw-disbursed:${DRAWS[0].drawId}` },
    );
    const invoiceWrites = fake.requests.filter((r) => r.method === "PUT" && r.path.endsWith("/Invoices"));
    log(`redelivered draw-1: invoice ${replay.InvoiceNumber} again (${invoiceWrites.filter((r) => r.replayed).length} replayed by Idempotency-Key); ${fake.books(tenant.tenantId).invoices.all(false).length} invoices in the books`);

    // 5. Payment received → applied to the first draw's invoice.
    const payment = await xero.payments.create({ Invoice: { InvoiceID: invoices[0].InvoiceID }, Account: { Code: "090" }, Date: "2026-02-20", Amount: "12500.00", Reference: "pmt-77" }, { idempotencyKey: "payment-received:pmt-77" });
    log(`payment ${payment.PaymentID} of ${Number(payment.Amount).toFixed(2)} applied to ${invoices[0].InvoiceNumber}`);

    // 6. The balance: what the borrower still owes (AUTHORISED invoices' AmountDue).
    const paid = await xero.invoices.get({ id: invoices[0].InvoiceID });
    const open = [];
    for await (const invoice of xero.invoices.all({ contactIds: [contact.ContactID], statuses: ["AUTHORISED"] })) open.push(invoice);
    const outstandingCents = open.reduce((sum, i) => sum + Math.round(Number(i.AmountDue) * 100), 0);
    const outstanding = (outstandingCents / 100).toFixed(2);
    log(`${paid.InvoiceNumber} is ${paid.Status}; outstanding ${outstanding} on ${open.length} open invoice(s)`);

    // 7. Xero tells us about those writes (signed, thin events); a forged delivery is refused.
    const response = await fake.postWebhook(receiver.url);
    // The forgery names an invoice that does not exist, signed with the wrong key: it reaches no handler.
    const forgedChange = { tenantId: tenant.tenantId, eventCategory: "INVOICE", eventType: "UPDATE", resourceId: "00000000-0000-4000-8000-00000000f0f0", eventDateUtc: "2026-02-20T10:00:00.000" };
    const forged = await fake.postWebhook(receiver.url, { changes: [forgedChange], headers: { "x-xero-signature": Buffer.alloc(32).toString("base64") } });
    log(`webhook answered ${response.status} (${events.length} events: ${events.map((e) => `${e.eventCategory} ${e.eventType}`).join(", ")}); a forged one ${forged.status}`);

    return {
      tenantId: tenant.tenantId,
      intentPassed: intent.passed,
      contactId: contact.ContactID,
      invoices: invoices.map((i) => ({ id: i.InvoiceID, number: i.InvoiceNumber, type: i.Type, reference: i.Reference, total: Number(i.Total), status: i.Status })),
      replayedInvoiceId: replay.InvoiceID,
      idempotencyKeys: fake.requests.filter((r) => r.method !== "GET").map((r) => [r.method, r.path, r.idempotencyKey, r.replayed]),
      payment: { id: payment.PaymentID, amount: Number(payment.Amount) },
      paidStatus: paid.Status,
      outstanding,
      webhookStatus: response.status,
      forgedStatus: forged.status,
      events: events.map((e) => ({ category: e.eventCategory, type: e.eventType, resourceId: e.resourceId, tenantId: e.tenantId })),
    };
  } finally {
    await receiver.close();
    await xero.close();
    await oauth.close();
    await api.close();
  }
}

/** Part 2: the same servicing flow through core's Ledger, whichever ledger `name` is. */
export async function runLedgerDraws({ provider, log = console.log }) {
  const fixture = await startLedger(provider);
  const { ledger } = fixture;
  try {
    const customer = await ledger.createCustomer({ externalRef: "LN-1001", displayName: "Ana Borrower (LN-1001)", email: "ana.borrower@example.com" });
    const invoices = [];
    for (const draw of DRAWS) {
      invoices.push(await ledger.createInvoice({ externalRef: draw.drawId, customerId: customer.id, issueDate: draw.date, dueDate: draw.date, lines: [{ description: draw.description, amount: draw.amount }] }, { idempotencyKey: `draw-disbursed:${draw.drawId}` }));
    }
    // A retried write finds what the first attempt made (look-before-create on the external reference).
    const again = await ledger.createInvoice({ externalRef: DRAWS[0].drawId, customerId: customer.id, issueDate: DRAWS[0].date, dueDate: DRAWS[0].date, lines: [{ description: DRAWS[0].description, amount: DRAWS[0].amount }] }, { idempotencyKey: `draw-disbursed:${DRAWS[0].drawId}` });
    const payment = await ledger.recordPayment({ externalRef: "pmt-77", customerId: customer.id, invoiceId: invoices[0].id, amount: "12500.00", date: "2026-02-20" }, { idempotencyKey: "payment-received:pmt-77" });
    const paid = await ledger.getInvoice(invoices[0].id);
    const balance = await ledger.balance(customer.id);
    const { status: webhookStatus, changes } = await fixture.notify();
    const changeEvents = ledger.toChangeEvents(changes);
    log(`${provider.padEnd(10)} customer ${customer.id}; invoices ${invoices.map((i) => `${i.externalRef} ${i.total}`).join(", ")} (retry found ${again.id === invoices[0].id ? "the same" : "ANOTHER"}); payment ${payment.amount} → ${paid.status}; outstanding ${balance.outstanding} on ${balance.openInvoices} open; webhook ${webhookStatus}: ${changeEvents.map((e) => `${e.entity} ${e.operation}`).join(", ")}`);
    return {
      provider,
      customer: { id: customer.id, externalRef: customer.externalRef, displayName: customer.displayName },
      invoices: invoices.map((i) => ({ id: i.id, externalRef: i.externalRef, total: i.total, balance: i.balance, status: i.status })),
      retryFoundSame: again.id === invoices[0].id,
      payment: { id: payment.id, externalRef: payment.externalRef, amount: payment.amount, invoiceId: payment.invoiceId },
      paid: { status: paid.status, balance: paid.balance },
      balance: { outstanding: balance.outstanding, openInvoices: balance.openInvoices },
      webhookStatus,
      changes: changeEvents.map((e) => ({ entity: e.entity, id: e.id, operation: e.operation, tenantId: e.tenantId })),
      counts: fixture.counts(),
      tenantId: fixture.tenantId,
    };
  } finally {
    await fixture.close();
  }
}

/** Both parts: Xero directly, then the Ledger flow for each ledger asked for. */
export async function runDrawInvoicing({ ledgers = ledgersFromEnv(), log = console.log } = {}) {
  const xero = await runXeroDraws({ log });
  log("");
  log("the same flow through core's Ledger (LEDGER_PROVIDER picks one):");
  const results = [];
  for (const provider of ledgers) results.push(await runLedgerDraws({ provider, log }));
  return { xero, ledgers: results };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runDrawInvoicing();
}

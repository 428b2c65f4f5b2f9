// Loan servicing in QuickBooks: connect the lender's company (OAuth, tokens in a TokenStore), then
// loan funded → customer, draw disbursed → invoice, payment received → payment applied, and the
// nightly reconciliation of the platform's balances against QuickBooks. QuickBooks' signed
// webhooks for those writes arrive at a local receiver that acknowledges first and processes after.
// Runs offline against the embedded fake: `npm run build && node examples/quickbooks-servicing/index.mjs`.
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { createMemoryDeadLetterSink, createMemoryTokenStore } from "@connect/core";
import { serveHandlers } from "@connect/core/testing";
import { createQuickBooksClient, createQuickBooksOAuth, createQuickBooksWebhookHandler } from "@connect/quickbooks";
import { createQuickBooksFake } from "@connect/quickbooks/testing";

const REDIRECT_URI = "https://lender.example/quickbooks/callback";

/** Run the whole flow; returns what happened so a test can assert it. */
export async function runServicing({ log = console.log } = {}) {
  // 1. The vendor: the QuickBooks fake on 127.0.0.1 (drop baseUrl/oauthEndpoints for the real API).
  const fake = createQuickBooksFake();
  const api = await serveHandlers(fake.handlers);
  const { baseUrl, oauthEndpoints } = fake.endpoints(api.url);
  const tokens = createMemoryTokenStore();

  // 2. Connect the company: authorization URL with a CSRF state → consent → callback → tokens stored.
  const oauth = createQuickBooksOAuth({ clientId: fake.clientId, clientSecret: fake.clientSecret, redirectUri: REDIRECT_URI, tokens, endpoints: oauthEndpoints });
  const { url, state } = oauth.authorizationUrl();
  const consent = await fetch(url, { redirect: "manual" });
  const { realmId } = await oauth.connect({ url: consent.headers.get("location"), expectedState: state });
  log(`connected QuickBooks company ${realmId}`);

  const qbo = createQuickBooksClient({
    realmId,
    tokens,
    oauth,
    environment: "sandbox",
    baseUrl,
    oauthEndpoints,
    servicing: { accounts: { receivable: "1", payoffClearing: "45" } },
  });

  // 3. Our webhook endpoint: verifies intuit-signature, answers 200 at once, processes from its queue.
  const deadLetters = createMemoryDeadLetterSink();
  const changes = [];
  const webhook = createQuickBooksWebhookHandler({
    verifierToken: fake.verifierToken,
    realmIds: [realmId],
    deadLetters,
    onChange: async (change) => {
      // Payloads carry ids only: read the entity to see what changed.
      const entity = change.entity === "Invoice" ? await qbo.invoices.get({ id: change.entityId }) : undefined;
      changes.push({ entity: change.entity, operation: change.operation, entityId: change.entityId, ...(entity ? { balance: entity.Balance } : {}) });
    },
  });
  const receiver = createServer((req, res) => void webhook.node(req, res));
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const webhookUrl = `http://127.0.0.1:${receiver.address().port}/webhooks/quickbooks`;

  try {
    // 4. Loan funded → the borrower's customer (found or created, keyed by the loan id).
    const { customer, created } = await qbo.servicing.loanFunded({ loanId: "L-1001", borrowerName: "Ana Builder", email: "ana@example.com" });
    log(`loan L-1001 funded: customer ${customer.Id} "${customer.DisplayName}" (${created ? "created" : "found"})`);
    // A second funded event for the same loan (a redelivery) finds the same customer.
    const again = await qbo.servicing.loanFunded({ loanId: "L-1001", borrowerName: "Ana Builder", email: "ana@example.com" });

    // 5. Draws disbursed → invoices with the "Construction Draw" line.
    const draw1 = await qbo.servicing.drawDisbursed({ loanId: "L-1001", drawId: "draw-1", customerId: customer.Id, amount: "12500.00", description: "Draw 1: foundation", dueDate: "2026-02-05" });
    const draw2 = await qbo.servicing.drawDisbursed({ loanId: "L-1001", drawId: "draw-2", customerId: customer.Id, amount: { cents: 830_050 }, description: "Draw 2: framing", dueDate: "2026-03-05" });
    log(`draws invoiced: ${draw1.DocNumber} ${draw1.TotalAmt}, ${draw2.DocNumber} ${draw2.TotalAmt}`);

    // 6. Payment received → applied to the first draw's invoice.
    const payment = await qbo.servicing.paymentReceived({ loanId: "L-1001", paymentId: "pmt-77", customerId: customer.Id, invoiceId: draw1.Id, amount: "12500.00", receivedDate: "2026-01-20" });
    log(`payment ${payment.PaymentRefNum} of ${payment.TotalAmt} applied to ${draw1.DocNumber}`);

    // 7. QuickBooks tells us about those writes (signed CloudEvents); we acknowledge, then process.
    const response = await fake.postWebhook(webhookUrl);
    await webhook.idle();
    log(`webhook answered ${response.status}; processed ${changes.length} changes`);

    // 8. Nightly reconciliation: the platform's balances against QuickBooks.
    const report = await qbo.reconcile({
      balances: [
        { loanId: "L-1001", balance: "8300.50" },
        { loanId: "L-1002", balance: "4000.00" },
      ],
    });
    log(`reconciliation: ${report.totals.matched} matched, ${report.totals.mismatched} mismatched, ${report.totals.missingInQuickBooks} missing in QuickBooks, ${report.totals.missingInHost} missing in the platform`);
    for (const loan of report.missingInQuickBooks) log(`  ${loan.loanId}: the platform holds ${loan.host} but QuickBooks has no customer for it`);

    return { realmId, customerId: customer.Id, foundAgain: again.customer.Id === customer.Id && !again.created, invoices: [draw1, draw2], payment, webhookStatus: response.status, changes, report, deadLetters: await deadLetters.list() };
  } finally {
    await new Promise((resolve) => receiver.close(resolve));
    await qbo.close();
    await oauth.close();
    await api.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runServicing();
}

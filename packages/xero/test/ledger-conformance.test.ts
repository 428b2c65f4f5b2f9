import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { LedgerEntity } from "@connect/core";
import { createXeroLedger, createXeroWebhookHandler, type XeroWebhookEvent } from "@connect/xero";
import { describeLedgerConformance, type LedgerHarness } from "../../../test/conformance/ledger.js";
import { setup } from "./helpers.js";

const two = (n: unknown): string => (typeof n === "number" ? n.toFixed(2) : "0.00");

describeLedgerConformance("xero", async (): Promise<LedgerHarness> => {
  const h = await setup();
  const ledger = createXeroLedger(h.client);
  let batch: XeroWebhookEvent[] = [];
  const receiver = createXeroWebhookHandler({ webhookKey: h.fake.webhookKey, onEvent: (event) => void batch.push(event) });
  const server: Server = createServer((req, res) => void receiver.node(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/xero/webhooks`;
  const books = () => h.fake.books(h.tenantId);
  return {
    ledger,
    tenantId: h.tenantId,
    // Xero's webhooks cover contacts and invoices; payments are polled (shared/vendors/xero.md §6).
    changeEntities: ["customer", "invoice"],
    requestCount: () => h.server.requests.length,
    async records() {
      return {
        customers: books().contacts.all().map(({ view }) => ({ id: String(view.ContactID), displayName: String(view.Name) })),
        invoices: books().invoices.all(false).map(({ view }) => ({ id: String(view.InvoiceID), customerId: String((view.Contact as { ContactID: string }).ContactID), total: two(view.Total), balance: two(view.AmountDue) })),
        payments: books()
          .payments.all()
          .filter(({ view }) => view.Status !== "DELETED")
          .map(({ view }) => ({ id: String(view.PaymentID), invoiceId: (view.Invoice as { InvoiceID?: string } | undefined)?.InvoiceID, amount: two(view.Amount) })),
      };
    },
    async deliverChange(entity: LedgerEntity, id: string, operation) {
      const category = entity === "customer" ? "CONTACT" : "INVOICE";
      const type = operation === "create" ? "CREATE" : "UPDATE";
      const change = [...h.fake.changes].reverse().find((c) => c.eventCategory === category && c.resourceId === id && c.eventType === type);
      if (!change) throw new Error(`the fake recorded no ${type} of ${category} ${id}`);
      batch = [];
      const response = await h.fake.postWebhook(url, { changes: [change] });
      if (response.status !== 200) throw new Error(`receiver answered ${response.status}`);
      return batch;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await h.close();
    },
  };
});

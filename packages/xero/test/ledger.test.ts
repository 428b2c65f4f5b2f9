import { ValidationError } from "@connect/core";
import { createXeroLedger, xeroInvoiceStatus } from "@connect/xero";
import { afterEach, describe, expect, it } from "vitest";
import { apiRequests, setup, type Harness } from "./helpers.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const borrower = { externalRef: "L-1001", displayName: "Ana Builder (L-1001)", email: "ana@example.com", phone: "+1 555 0100", address: { line1: "1 Main St", city: "Austin", region: "TX", postalCode: "78701", country: "US" } };

describe("status mapping", () => {
  it("DRAFT/SUBMITTED → draft, AUTHORISED → open or partially-paid by balance, PAID → paid, VOIDED/DELETED → voided", () => {
    expect(xeroInvoiceStatus("DRAFT", "10.00", "10.00")).toBe("draft");
    expect(xeroInvoiceStatus("SUBMITTED", "10.00", "10.00")).toBe("draft");
    expect(xeroInvoiceStatus("AUTHORISED", "10.00", "10.00")).toBe("open");
    expect(xeroInvoiceStatus("AUTHORISED", "10.00", "9.99")).toBe("partially-paid");
    expect(xeroInvoiceStatus("PAID", "10.00", "0.00")).toBe("paid");
    expect(xeroInvoiceStatus("VOIDED", "10.00", "10.00")).toBe("voided");
    expect(xeroInvoiceStatus("DELETED", "10.00", "10.00")).toBe("voided");
  });
});

describe("createXeroLedger", () => {
  it("books a customer as a contact with ContactNumber, phone and street address", async () => {
    h = await setup();
    const customer = await createXeroLedger(h.client).createCustomer(borrower);
    expect(customer).toMatchObject({ provider: "xero", externalRef: "L-1001", displayName: "Ana Builder (L-1001)", email: "ana@example.com" });
    expect(customer.updatedAt).toMatch(/Z$/);
    expect(h.fake.books(h.tenantId).contacts.get(customer.id)).toMatchObject({
      ContactNumber: "L-1001",
      Phones: [{ PhoneType: "DEFAULT", PhoneNumber: "+1 555 0100" }],
      Addresses: [{ AddressType: "STREET", AddressLine1: "1 Main St", City: "Austin", Region: "TX", PostalCode: "78701", Country: "US" }],
    });
  });

  it("books a draw as an AUTHORISED ACCREC invoice on the configured sales account, NoTax, due on the issue date by default", async () => {
    h = await setup();
    const ledger = createXeroLedger(h.client, { salesAccountCode: "260", taxType: "NONE" });
    const customer = await ledger.createCustomer(borrower);
    const invoice = await ledger.createInvoice({ externalRef: "D-7", customerId: customer.id, issueDate: "2026-03-02", lines: [{ description: "Draw 7", amount: "12500.50" }], currency: "USD" });
    expect(invoice).toMatchObject({ number: "INV-0001", externalRef: "D-7", status: "open", total: "12500.50", balance: "12500.50", issueDate: "2026-03-02", dueDate: "2026-03-02", currency: "USD" });
    const put = apiRequests(h.server).find((r) => r.method === "PUT" && r.path.endsWith("/Invoices"))!;
    expect(put.body).toEqual({
      Invoices: [
        {
          Type: "ACCREC",
          Contact: { ContactID: customer.id },
          Date: "2026-03-02",
          DueDate: "2026-03-02",
          LineAmountTypes: "NoTax",
          Status: "AUTHORISED",
          CurrencyCode: "USD",
          Reference: "D-7",
          LineItems: [{ Description: "Draw 7", Quantity: 1, UnitAmount: 12500.5, AccountCode: "260", TaxType: "NONE" }],
        },
      ],
    });
  });

  it("with invoiceRefField InvoiceNumber, the reference is the invoice number (unique at Xero) and the memo goes to Reference", async () => {
    h = await setup();
    const ledger = createXeroLedger(h.client, { invoiceRefField: "InvoiceNumber" });
    const customer = await ledger.createCustomer(borrower);
    const invoice = await ledger.createInvoice({ externalRef: "DRAW-0007", customerId: customer.id, issueDate: "2026-03-02", lines: [{ description: "Draw", amount: "1.00" }], memo: "Loan L-1001" });
    expect(invoice).toMatchObject({ number: "DRAW-0007", externalRef: "DRAW-0007" });
    expect(h.fake.books(h.tenantId).invoices.get(invoice.id)).toMatchObject({ InvoiceNumber: "DRAW-0007", Reference: "Loan L-1001" });
    expect((await ledger.findInvoice("DRAW-0007"))?.id).toBe(invoice.id);
  });

  it("a voided invoice reads as voided with nothing owed; a live invoice with the same reference wins the lookup", async () => {
    h = await setup();
    const ledger = createXeroLedger(h.client);
    const customer = await ledger.createCustomer(borrower);
    const first = await ledger.createInvoice({ externalRef: "D-1", customerId: customer.id, issueDate: "2026-03-02", lines: [{ description: "Draw", amount: "5.00" }] });
    await h.client.invoices.void({ invoiceId: first.id });
    expect(await ledger.getInvoice(first.id)).toMatchObject({ status: "voided", balance: "0.00", total: "5.00" });
    expect((await ledger.findInvoice("D-1"))?.id).toBe(first.id);
    const second = await h.client.invoices.create({ Contact: { ContactID: customer.id }, Reference: "D-1", Status: "AUTHORISED", LineItems: [{ Description: "Draw again", UnitAmount: "5.00", AccountCode: "200" }] });
    expect((await ledger.findInvoice("D-1"))?.id).toBe(second.InvoiceID);
  });

  it("refuses a payment above the balance, or for another customer's invoice, before writing", async () => {
    h = await setup();
    const ledger = createXeroLedger(h.client);
    const customer = await ledger.createCustomer(borrower);
    const other = await ledger.createCustomer({ externalRef: "L-2", displayName: "Bo" });
    const invoice = await ledger.createInvoice({ externalRef: "D-1", customerId: customer.id, issueDate: "2026-03-02", lines: [{ description: "Draw", amount: "100.00" }] });
    const over = (await ledger.recordPayment({ externalRef: "P-1", customerId: customer.id, invoiceId: invoice.id, amount: "100.01", date: "2026-03-05" }).catch((e: unknown) => e)) as ValidationError;
    expect(over).toBeInstanceOf(ValidationError);
    expect(over.issues).toEqual([{ path: "amount", message: "exceeds the amount outstanding (100.00)" }]);
    const wrong = (await ledger.recordPayment({ externalRef: "P-1", customerId: other.id, invoiceId: invoice.id, amount: "1.00", date: "2026-03-05" }).catch((e: unknown) => e)) as ValidationError;
    expect(wrong.issues.map((i) => i.path)).toEqual(["customerId"]);
    expect(apiRequests(h.server).filter((r) => r.path.endsWith("/Payments") && r.method === "PUT")).toEqual([]);
  });

  it("a payment books to the configured bank account with the external ref as Reference", async () => {
    h = await setup();
    const ledger = createXeroLedger(h.client, { paymentAccountCode: "855" });
    const customer = await ledger.createCustomer(borrower);
    const invoice = await ledger.createInvoice({ externalRef: "D-1", customerId: customer.id, issueDate: "2026-03-02", lines: [{ description: "Draw", amount: "100.00" }] });
    const payment = await ledger.recordPayment({ externalRef: "P-1", customerId: customer.id, invoiceId: invoice.id, amount: "40.00", date: "2026-03-05" });
    expect(payment).toMatchObject({ provider: "xero", externalRef: "P-1", customerId: customer.id, invoiceId: invoice.id, amount: "40.00", date: "2026-03-05" });
    expect(h.fake.books(h.tenantId).payments.get(payment.id)).toMatchObject({ Reference: "P-1", Account: { Code: "855" } });
  });

  it("toChangeEvents maps Xero's raw payload: CONTACT → customer, INVOICE → invoice, others skipped, intent-to-receive → none", () => {
    const ledger = createXeroLedger({} as never);
    const payload = {
      events: [
        { resourceId: "c-1", eventDateUtc: "2024-06-21T01:15:39.902", eventType: "CREATE", eventCategory: "CONTACT", tenantId: "t-1", tenantType: "ORGANISATION" },
        { resourceId: "i-1", eventDateUtc: "2024-06-21T01:16:00.000", eventType: "UPDATE", eventCategory: "INVOICE", tenantId: "t-1" },
        { resourceId: "cn-1", eventDateUtc: "2024-06-21T01:16:00.000", eventType: "UPDATE", eventCategory: "CREDITNOTE", tenantId: "t-1" },
      ],
      firstEventSequence: 1,
      lastEventSequence: 3,
      entropy: "x",
    };
    expect(ledger.toChangeEvents(payload)).toEqual([
      { provider: "xero", eventId: "t-1:CONTACT:c-1:CREATE:2024-06-21T01:15:39.902", entity: "customer", id: "c-1", operation: "create", occurredAt: "2024-06-21T01:15:39.902Z", tenantId: "t-1", raw: payload.events[0] },
      { provider: "xero", eventId: "t-1:INVOICE:i-1:UPDATE:2024-06-21T01:16:00.000", entity: "invoice", id: "i-1", operation: "update", occurredAt: "2024-06-21T01:16:00.000Z", tenantId: "t-1", raw: payload.events[1] },
    ]);
    expect(ledger.toChangeEvents({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: "x" })).toEqual([]);
    expect(ledger.toChangeEvents(payload.events[1])).toHaveLength(1);
  });

  it("a name collision on create recovers the contact another attempt made under the same reference", async () => {
    h = await setup();
    const ledger = createXeroLedger(h.client);
    const created = await ledger.createCustomer(borrower);
    // A racing attempt's lookup ran before the first write landed: simulate by making the lookup miss once.
    h.fake.failNext({ status: 200, path: "/Contacts", method: "GET", body: { Id: "x", Status: "OK", Contacts: [] } });
    const again = await ledger.createCustomer(borrower);
    expect(again.id).toBe(created.id);
    expect(h.fake.books(h.tenantId).contacts.all()).toHaveLength(1);
  });
});

import { ValidationError } from "@connect/core";
import { afterEach, describe, expect, it } from "vitest";
import { apiRequests, contactBody, setup, type Harness } from "../helpers.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function authorisedInvoice(amount = "1000.00"): Promise<string> {
  const contactId = (await h.client.contacts.create(contactBody())).ContactID;
  const invoice = await h.client.invoices.create({
    Contact: { ContactID: contactId },
    Date: "2026-03-01",
    DueDate: "2026-03-31",
    Status: "AUTHORISED",
    LineAmountTypes: "NoTax",
    LineItems: [{ Description: "Draw", UnitAmount: amount, AccountCode: "200" }],
  });
  return invoice.InvoiceID;
}

describe("payments.create", () => {
  it("PUTs the payment; the invoice's AmountDue drops and a full payment makes it PAID", async () => {
    h = await setup();
    const invoiceId = await authorisedInvoice();
    const first = await h.client.payments.create({ Invoice: { InvoiceID: invoiceId }, Account: { Code: "090" }, Date: "2026-03-15", Amount: "400.25", Reference: "WIRE-1" });
    expect(first).toMatchObject({ Amount: 400.25, Reference: "WIRE-1", Status: "AUTHORISED", PaymentType: "ACCRECPAYMENT", Invoice: { InvoiceID: invoiceId } });
    expect(apiRequests(h.server).at(-1)).toMatchObject({ method: "PUT", path: "/api.xro/2.0/Payments", body: { Payments: [{ Invoice: { InvoiceID: invoiceId }, Account: { Code: "090" }, Date: "2026-03-15", Amount: 400.25, Reference: "WIRE-1" }] } });
    expect(await h.client.invoices.get({ id: invoiceId })).toMatchObject({ Status: "AUTHORISED", AmountDue: 599.75, AmountPaid: 400.25 });
    await h.client.payments.create({ Invoice: { InvoiceID: invoiceId }, Account: { Code: "090" }, Date: "2026-03-16", Amount: "599.75", Reference: "WIRE-2" });
    expect(await h.client.invoices.get({ id: invoiceId })).toMatchObject({ Status: "PAID", AmountDue: 0, AmountPaid: 1000 });
  });

  it("more than the amount outstanding is Xero's validation error", async () => {
    h = await setup();
    const invoiceId = await authorisedInvoice("10.00");
    const error = (await h.client.payments.create({ Invoice: { InvoiceID: invoiceId }, Account: { Code: "090" }, Date: "2026-03-15", Amount: "10.01" }).catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i) => i.message)).toEqual(["Payment amount exceeds the amount outstanding on this document"]);
  });

  it("refuses a zero or float-ish amount and a bad date before any request", async () => {
    h = await setup();
    const error = (await h.client.payments
      .create({ Invoice: { InvoiceID: "430fa14a-f945-44d3-9f97-5df5e28441b8" }, Account: { Code: "090" }, Date: "15/03/2026", Amount: "0.00" })
      .catch((e: unknown) => e)) as ValidationError;
    expect(error.issues.map((i) => i.path).sort()).toEqual(["Amount", "Date"]);
    await expect(h.client.payments.create({ Invoice: { InvoiceID: "430fa14a-f945-44d3-9f97-5df5e28441b8" }, Account: { Code: "090" }, Date: "2026-03-15", Amount: "1.005" })).rejects.toBeInstanceOf(ValidationError);
    expect(h.server.requests).toEqual([]);
  });
});

describe("payments.get / list / findByReference", () => {
  it("reads one, pages through all and finds by exact reference", async () => {
    h = await setup();
    const invoiceId = await authorisedInvoice();
    const paid = await h.client.payments.create({ Invoice: { InvoiceID: invoiceId }, Account: { Code: "090" }, Date: "2026-03-15", Amount: "1.00", Reference: 'PAY "1"' });
    await h.client.payments.create({ Invoice: { InvoiceID: invoiceId }, Account: { Code: "090" }, Date: "2026-03-15", Amount: "2.00", Reference: "PAY 2" });
    expect((await h.client.payments.get({ id: paid.PaymentID })).Amount).toBe(1);
    const page = await h.client.payments.list({ page: 1 });
    expect(page.items.map((p) => p.Amount)).toEqual([1, 2]);
    expect(page.pagination).toEqual({ page: 1, pageSize: 100, pageCount: 1, itemCount: 2 });
    expect((await h.client.payments.findByReference({ reference: 'PAY "1"' }))?.PaymentID).toBe(paid.PaymentID);
    expect(await h.client.payments.findByReference({ reference: "PAY 3" })).toBeUndefined();
  });
});

import { ValidationError } from "@connect/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { customerBody, invoiceBody, setup, type Harness } from "../helpers.js";

let h: Harness;
let customerId: string;
let invoiceId: string;
beforeEach(async () => {
  h = await setup();
  customerId = (await h.client.customers.create(customerBody())).Id;
  invoiceId = (await h.client.invoices.create(invoiceBody(customerId))).Id;
  h.server.requests.length = 0;
});
afterEach(async () => {
  await h.close();
});

const payment = (customerId: string, invoiceId: string, amount = 2500.25) => ({ CustomerRef: { value: customerId }, TotalAmt: amount, Line: [{ Amount: amount, LinkedTxn: [{ TxnId: invoiceId, TxnType: "Invoice" as const }] }] });

describe("payments", () => {
  it("create applies the payment to the invoice: invoice and customer balances drop by exactly the amount", async () => {
    const created = await h.client.payments.create(payment(customerId, invoiceId));
    expect(created).toMatchObject({ TotalAmt: 2500.25, UnappliedAmt: 0 });
    expect((await h.client.invoices.get({ id: invoiceId })).Balance).toBe(10000.25);
    expect((await h.client.customers.get({ id: customerId })).Balance).toBe(10000.25);
  });

  it("get, sparse update and void", async () => {
    const created = await h.client.payments.create(payment(customerId, invoiceId));
    expect((await h.client.payments.get({ id: created.Id })).Line![0]!.LinkedTxn[0]).toEqual({ TxnId: invoiceId, TxnType: "Invoice" });
    const updated = await h.client.payments.update({ Id: created.Id, SyncToken: "0", PaymentRefNum: "WIRE-7" });
    expect(updated).toMatchObject({ SyncToken: "1", PaymentRefNum: "WIRE-7", TotalAmt: 2500.25 });
    const voided = await h.client.payments.void({ id: created.Id, syncToken: "1" });
    expect(voided.TotalAmt).toBe(0);
    expect((await h.client.invoices.get({ id: invoiceId })).Balance).toBe(12500.5);
  });

  it("delete removes the payment and the invoice is owed again", async () => {
    const created = await h.client.payments.create(payment(customerId, invoiceId));
    expect(await h.client.payments.delete({ id: created.Id, syncToken: created.SyncToken })).toEqual({ status: "Deleted", domain: "QBO", Id: created.Id });
    expect(h.fake.rows("Payment")).toEqual([]);
    expect((await h.client.invoices.get({ id: invoiceId })).Balance).toBe(12500.5);
  });

  it("applied amounts above TotalAmt are refused before any request", async () => {
    const error = await h.client.payments.create({ ...payment(customerId, invoiceId), TotalAmt: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: "Line", message: "applied amounts exceed TotalAmt", code: "custom" }]);
    expect(h.server.requests).toHaveLength(0);
  });

  it("the fake refuses a payment linked to another customer's invoice with a 6000 business validation fault", async () => {
    const other = (await h.client.customers.create(customerBody("Bo (Loan L-2)"))).Id;
    const error = await h.client.payments.create(payment(other, invoiceId)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).vendorCode).toBe("6000");
  });
});

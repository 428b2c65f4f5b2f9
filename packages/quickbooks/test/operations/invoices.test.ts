import { ConflictError, NotFoundError, ValidationError } from "@connect/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiRequests, customerBody, invoiceBody, setup, type Harness } from "../helpers.js";

let h: Harness;
let customerId: string;
beforeEach(async () => {
  h = await setup();
  customerId = (await h.client.customers.create(customerBody())).Id;
  h.server.requests.length = 0;
});
afterEach(async () => {
  await h.close();
});

describe("invoices.create", () => {
  it("creates the invoice; the fake derives TotalAmt and Balance and the customer's balance", async () => {
    const invoice = await h.client.invoices.create(invoiceBody(customerId));
    expect(apiRequests(h.server)[0]!.path).toBe(`/v3/company/${h.fake.realmId}/invoice`);
    expect(invoice).toMatchObject({ DocNumber: "D-1", TotalAmt: 12500.5, Balance: 12500.5, CustomerRef: { value: customerId, name: "Ana Builder (Loan L-1001)" } });
    expect((await h.client.customers.get({ id: customerId })).Balance).toBe(12500.5);
  });

  it("a missing customer or item reference is NotFoundError 610", async () => {
    const noCustomer = await h.client.invoices.create(invoiceBody("424242")).catch((e: unknown) => e);
    expect(noCustomer).toBeInstanceOf(NotFoundError);
    const noItem = await h.client.invoices
      .create(invoiceBody(customerId, { Line: [{ DetailType: "SalesItemLineDetail", Amount: 1, SalesItemLineDetail: { ItemRef: { value: "999" }, Qty: 1, UnitPrice: 1 } }] }))
      .catch((e: unknown) => e);
    expect((noItem as NotFoundError).vendorCode).toBe("610");
  });

  it("a duplicate DocNumber is ConflictError 6210", async () => {
    await h.client.invoices.create(invoiceBody(customerId));
    const error = await h.client.invoices.create(invoiceBody(customerId, { Line: [{ DetailType: "SalesItemLineDetail", Amount: 2, SalesItemLineDetail: { ItemRef: { value: "2" }, Qty: 1, UnitPrice: 2 } }] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).vendorCode).toBe("6210");
  });

  it.each([
    ["no lines", { Line: [] }, "Line"],
    ["Amount ≠ Qty × UnitPrice", { Line: [{ DetailType: "SalesItemLineDetail", Amount: 10, SalesItemLineDetail: { ItemRef: { value: "2" }, Qty: 2, UnitPrice: 4 } }] }, "Line.0.Amount"],
    ["an amount with 3 decimals", { Line: [{ DetailType: "SalesItemLineDetail", Amount: 10.005, SalesItemLineDetail: { ItemRef: { value: "2" } } }] }, "Line.0.Amount"],
    ["a 22-character DocNumber", { DocNumber: "X".repeat(22) }, "DocNumber"],
    ["a bad due date", { DueDate: "05/02/2026" }, "DueDate"],
  ])("refuses %s before any request", async (_name, overrides, path) => {
    const error = await h.client.invoices.create(invoiceBody(customerId, overrides) as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toContain(path);
    expect(h.server.requests).toHaveLength(0);
  });
});

describe("invoices.get / update / delete / void", () => {
  it("a sparse update replaces Line wholesale and bumps SyncToken", async () => {
    const invoice = await h.client.invoices.create(invoiceBody(customerId));
    const updated = await h.client.invoices.update({
      Id: invoice.Id,
      SyncToken: invoice.SyncToken,
      Line: [{ DetailType: "SalesItemLineDetail", Amount: 100, SalesItemLineDetail: { ItemRef: { value: "2" }, Qty: 1, UnitPrice: 100 } }],
    });
    expect(updated).toMatchObject({ SyncToken: "1", TotalAmt: 100, DocNumber: "D-1" });
    expect(updated.Line).toHaveLength(1);
  });

  it("a stale SyncToken on an invoice is ConflictError", async () => {
    const invoice = await h.client.invoices.create(invoiceBody(customerId));
    await h.client.invoices.update({ Id: invoice.Id, SyncToken: "0", PrivateNote: "a" });
    const error = await h.client.invoices.update({ Id: invoice.Id, SyncToken: "0", PrivateNote: "b" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
  });

  it("void zeroes the invoice and its balance; delete removes it (operation=delete with Id and SyncToken)", async () => {
    const invoice = await h.client.invoices.create(invoiceBody(customerId));
    const voided = await h.client.invoices.void({ id: invoice.Id, syncToken: "0" });
    expect(voided).toMatchObject({ TotalAmt: 0, Balance: 0, SyncToken: "1" });
    expect(voided.PrivateNote).toMatch(/^Voided/);
    const deleted = await h.client.invoices.delete({ id: invoice.Id, syncToken: "1" });
    expect(deleted).toEqual({ status: "Deleted", domain: "QBO", Id: invoice.Id });
    const calls = apiRequests(h.server);
    expect(calls[1]!.query.get("operation")).toBe("void");
    expect(calls[2]!.query.get("operation")).toBe("delete");
    expect(calls[2]!.body).toEqual({ Id: invoice.Id, SyncToken: "1" });
    expect(h.fake.rows("Invoice")).toHaveLength(0);
    await expect(h.client.invoices.get({ id: invoice.Id })).rejects.toBeInstanceOf(NotFoundError);
  });
});

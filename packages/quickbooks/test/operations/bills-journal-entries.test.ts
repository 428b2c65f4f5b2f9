import { ValidationError } from "@connect/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiRequests, customerBody, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

const bill = () => ({ VendorRef: { value: "46" }, DocNumber: "B-1", Line: [{ DetailType: "AccountBasedExpenseLineDetail" as const, Amount: 200, AccountBasedExpenseLineDetail: { AccountRef: { value: "7" } } }] });
const journal = (customerId: string, amount = 500) => ({
  TxnDate: "2026-06-30",
  Line: [
    { DetailType: "JournalEntryLineDetail" as const, Amount: amount, JournalEntryLineDetail: { PostingType: "Debit" as const, AccountRef: { value: "45" } } },
    { DetailType: "JournalEntryLineDetail" as const, Amount: amount, JournalEntryLineDetail: { PostingType: "Credit" as const, AccountRef: { value: "1" }, Entity: { Type: "Customer" as const, EntityRef: { value: customerId } } } },
  ],
});

describe("bills", () => {
  it("create, get, full update and delete", async () => {
    const created = await h.client.bills.create(bill());
    expect(created).toMatchObject({ TotalAmt: 200, Balance: 200, VendorRef: { value: "46" } });
    expect((await h.client.bills.get({ id: created.Id })).DocNumber).toBe("B-1");
    const updated = await h.client.bills.update({ ...bill(), Id: created.Id, SyncToken: "0", sparse: false, DocNumber: "B-1a" });
    expect(updated).toMatchObject({ SyncToken: "1", DocNumber: "B-1a" });
    expect(apiRequests(h.server)[2]!.body).toMatchObject({ sparse: false });
    expect(await h.client.bills.delete({ id: created.Id, syncToken: "1" })).toMatchObject({ status: "Deleted" });
  });

  it("an unknown vendor is NotFoundError", async () => {
    const error = await h.client.bills.create({ ...bill(), VendorRef: { value: "4747" } }).catch((e: unknown) => e);
    expect((error as ValidationError).vendorCode).toBe("610");
  });
});

describe("journalEntries", () => {
  it("create, get, update and delete a balanced entry; a credit to A/R lowers the customer's balance", async () => {
    const customerId = (await h.client.customers.create(customerBody())).Id;
    const created = await h.client.journalEntries.create(journal(customerId));
    expect(created.TotalAmt).toBe(500);
    expect((await h.client.customers.get({ id: customerId })).Balance).toBe(-500);
    const updated = await h.client.journalEntries.update({ Id: created.Id, SyncToken: "0", ...journal(customerId, 250) });
    expect(updated).toMatchObject({ TotalAmt: 250, SyncToken: "1" });
    expect((await h.client.journalEntries.get({ id: created.Id })).TotalAmt).toBe(250);
    await h.client.journalEntries.delete({ id: created.Id, syncToken: "1" });
    expect((await h.client.customers.get({ id: customerId })).Balance).toBe(0);
  });

  it("unbalanced entries are refused before any request", async () => {
    const entry = journal("58");
    entry.Line[1]!.Amount = 499.99;
    const error = await h.client.journalEntries.create(entry).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.message).toBe("debits (500) must equal credits (499.99)");
    expect(h.server.requests).toHaveLength(0);
  });

  it("the fake refuses an A/R line without a customer (6000)", async () => {
    const entry = journal("58");
    delete (entry.Line[1]!.JournalEntryLineDetail as { Entity?: unknown }).Entity;
    const error = await h.client.journalEntries.create(entry).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).vendorCode).toBe("6000");
    expect((error as ValidationError).vendorMessage).toMatch(/Accounts Receivable, you must choose a customer/);
  });
});

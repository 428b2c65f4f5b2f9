import { ConflictError, NotFoundError, ValidationError } from "@connect/core";
import { requestIdFor } from "@connect/quickbooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiRequests, setup, type Harness } from "./helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup({ client: { servicing: { accounts: { receivable: "1", payoffClearing: "45" } } } });
});
afterEach(async () => {
  await h.close();
});

const loan = { loanId: "L-1001", borrowerName: "Ana Builder", email: "ana@example.com" };

describe("servicing.loanFunded", () => {
  it("creates the loan's customer keyed by the loan id, then finds it on the next call", async () => {
    const first = await h.client.servicing.loanFunded(loan);
    const second = await h.client.servicing.loanFunded(loan);
    expect(first.created).toBe(true);
    expect(second).toEqual({ customer: expect.objectContaining({ Id: first.customer.Id }), created: false });
    expect(first.customer).toMatchObject({ DisplayName: "Ana Builder (Loan L-1001)", PrimaryEmailAddr: { Address: "ana@example.com" }, Notes: "Loan L-1001" });
    const calls = apiRequests(h.server);
    expect(calls.map((c) => c.method)).toEqual(["GET", "POST", "GET"]);
    expect(calls[0]!.query.get("query")).toBe("SELECT * FROM Customer WHERE DisplayName = 'Ana Builder (Loan L-1001)' AND Active IN (true, false) STARTPOSITION 1 MAXRESULTS 1");
    expect(calls[1]!.query.get("requestid")).toBe(requestIdFor("loan-funded:L-1001"));
    expect(h.fake.rows("Customer")).toHaveLength(1);
  });

  it("reactivates an inactive customer of the same loan instead of failing on the duplicate name", async () => {
    const { customer } = await h.client.servicing.loanFunded(loan);
    await h.client.customers.update({ Id: customer.Id, SyncToken: customer.SyncToken, Active: false });
    const again = await h.client.servicing.loanFunded(loan);
    expect(again.created).toBe(false);
    expect(again.customer).toMatchObject({ Id: customer.Id, Active: true });
  });

  it("when another worker created it between look-up and create (6240), returns that customer", async () => {
    const theirs = await h.makeClient().servicing.loanFunded(loan, { idempotencyKey: "worker-b" });
    // Our look-up ran before their create landed: it finds nothing.
    h.fake.failNext({ status: 200, path: "/query", body: { QueryResponse: {}, time: "2026-01-05T12:00:00Z" } });
    h.server.requests.length = 0;
    const mine = await h.client.servicing.loanFunded(loan, { idempotencyKey: "worker-a" });
    expect(mine).toEqual({ customer: expect.objectContaining({ Id: theirs.customer.Id }), created: false });
    expect(apiRequests(h.server).map((c) => `${c.method} ${c.path.split("/").pop()}`)).toEqual(["GET query", "POST customer", "GET query"]);
    expect(h.fake.rows("Customer")).toHaveLength(1);
  });

  it("refuses a bad loan id before any request", async () => {
    const error = await h.client.servicing.loanFunded({ ...loan, loanId: "L 1001'" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(h.server.requests).toHaveLength(0);
  });
});

describe("servicing.drawDisbursed", () => {
  it("invoices the draw with one Construction Draw line (amount, item, description), due date and doc number", async () => {
    const { customer } = await h.client.servicing.loanFunded(loan);
    h.server.requests.length = 0;
    const invoice = await h.client.servicing.drawDisbursed({ loanId: "L-1001", drawId: "draw-3", customerId: customer.Id, amount: "12500.10", description: "Draw 3: framing", dueDate: "2026-02-05", txnDate: "2026-01-05" });
    const [lookup, create] = apiRequests(h.server);
    expect(lookup!.query.get("query")).toBe("SELECT * FROM Item WHERE Name = 'Construction Draw' STARTPOSITION 1 MAXRESULTS 1");
    expect(create!.body).toEqual({
      CustomerRef: { value: customer.Id },
      DocNumber: "D-draw-3",
      TxnDate: "2026-01-05",
      DueDate: "2026-02-05",
      PrivateNote: "Loan L-1001, draw draw-3",
      Line: [{ DetailType: "SalesItemLineDetail", Amount: 12500.1, Description: "Draw 3: framing", SalesItemLineDetail: { ItemRef: { value: "2", name: "Construction Draw" }, Qty: 1, UnitPrice: 12500.1 } }],
    });
    expect(create!.query.get("requestid")).toBe(requestIdFor("draw-disbursed:L-1001:draw-3"));
    expect(invoice).toMatchObject({ TotalAmt: 12500.1, Balance: 12500.1 });
    // The item id is looked up once per client.
    await h.client.servicing.drawDisbursed({ loanId: "L-1001", drawId: "draw-4", customerId: customer.Id, amount: { cents: 100 }, description: "Draw 4", dueDate: "2026-03-05" });
    expect(apiRequests(h.server).filter((c) => c.query.get("query")?.includes("FROM Item"))).toHaveLength(1);
  });

  it("the same draw handled twice (past Intuit's requestid window) returns the first invoice, found by its doc number", async () => {
    const { customer } = await h.client.servicing.loanFunded(loan);
    const draw = { loanId: "L-1001", drawId: "draw-3", customerId: customer.Id, amount: "500.00", description: "Draw 3", dueDate: "2026-02-05" };
    const first = await h.client.servicing.drawDisbursed(draw);
    const second = await h.client.servicing.drawDisbursed(draw, { idempotencyKey: "a-later-retry-with-a-new-key" });
    expect(second.Id).toBe(first.Id);
    expect(h.fake.rows("Invoice")).toHaveLength(1);
  });

  it("a draw whose number is taken by a different invoice is a ConflictError", async () => {
    const { customer } = await h.client.servicing.loanFunded(loan);
    await h.client.servicing.drawDisbursed({ loanId: "L-1001", drawId: "d1", customerId: customer.Id, amount: "1.00", description: "x", dueDate: "2026-02-05" });
    const error = await h.client.servicing
      .drawDisbursed({ loanId: "L-1001", drawId: "d1-other", docNumber: "D-d1", customerId: customer.Id, amount: "2.00", description: "y", dueDate: "2026-02-05" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
  });

  it.each([
    ["a float amount", { amount: 12500.1 }],
    ["3 decimals", { amount: "1.001" }],
    ["a zero amount", { amount: "0.00" }],
    ["a long doc number", { drawId: "a-very-long-draw-identifier-x" }],
  ])("refuses %s before any request", async (_name, overrides) => {
    const error = await h.client.servicing
      .drawDisbursed({ loanId: "L-1001", drawId: "d", customerId: "58", amount: "1.00", description: "x", dueDate: "2026-02-05", ...overrides } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(h.server.requests).toHaveLength(0);
  });

  it("a company without the draw item gets a NotFoundError that says what to do", async () => {
    const client = h.makeClient({ servicing: { drawItemName: "Missing Item" } });
    const { customer } = await client.servicing.loanFunded(loan);
    const error = await client.servicing.drawDisbursed({ loanId: "L-1001", drawId: "d", customerId: customer.Id, amount: "1.00", description: "x", dueDate: "2026-02-05" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toMatch(/no item named "Missing Item"/);
  });
});

describe("servicing.paymentReceived and loanPaidOff", () => {
  it("applies the payment to the invoice, then closes the remaining balance with a journal entry and deactivates the customer", async () => {
    const { customer } = await h.client.servicing.loanFunded(loan);
    const invoice = await h.client.servicing.drawDisbursed({ loanId: "L-1001", drawId: "draw-1", customerId: customer.Id, amount: "1000.00", description: "Draw 1", dueDate: "2026-02-05" });
    const payment = await h.client.servicing.paymentReceived({ loanId: "L-1001", paymentId: "pmt-77", customerId: customer.Id, invoiceId: invoice.Id, amount: "999.70", receivedDate: "2026-01-20" });
    expect(payment).toMatchObject({ TotalAmt: 999.7, PaymentRefNum: "pmt-77", UnappliedAmt: 0 });
    expect(apiRequests(h.server).at(-1)!.query.get("requestid")).toBe(requestIdFor("payment-received:L-1001:pmt-77"));
    expect((await h.client.invoices.get({ id: invoice.Id })).Balance).toBe(0.3);

    const result = await h.client.servicing.loanPaidOff({ loanId: "L-1001", customerId: customer.Id, payoffDate: "2026-06-30" });
    expect(result.closedCents).toBe(30);
    expect(result.journalEntry).toMatchObject({ DocNumber: "PO-L-1001", TotalAmt: 0.3 });
    expect(result.journalEntry!.Line.map((l) => (l as unknown as { JournalEntryLineDetail: { PostingType: string; AccountRef: { value: string } } }).JournalEntryLineDetail)).toEqual([
      { PostingType: "Debit", AccountRef: { value: "45" } },
      { PostingType: "Credit", AccountRef: { value: "1" }, Entity: { Type: "Customer", EntityRef: { value: customer.Id } } },
    ]);
    expect(result.customer).toMatchObject({ Active: false, Balance: 0 });
  });

  it("nothing left to close: no journal entry, the customer is only deactivated", async () => {
    const { customer } = await h.client.servicing.loanFunded(loan);
    const result = await h.client.servicing.loanPaidOff({ loanId: "L-1001", customerId: customer.Id, payoffDate: "2026-06-30" });
    expect(result.journalEntry).toBeUndefined();
    expect(result.closedCents).toBe(0);
    expect(h.fake.rows("JournalEntry")).toHaveLength(0);
    expect(result.customer.Active).toBe(false);
  });

  it("without the closing accounts configured, a balance to close is a ValidationError", async () => {
    const client = h.makeClient({ servicing: {} });
    const { customer } = await client.servicing.loanFunded(loan);
    await client.servicing.drawDisbursed({ loanId: "L-1001", drawId: "d", customerId: customer.Id, amount: "5.00", description: "x", dueDate: "2026-02-05" });
    const error = await client.servicing.loanPaidOff({ loanId: "L-1001", customerId: customer.Id, payoffDate: "2026-06-30" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(h.fake.rows("JournalEntry")).toHaveLength(0);
  });
});

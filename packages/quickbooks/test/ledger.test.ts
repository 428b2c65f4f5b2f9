// createQuickBooksLedger beyond the shared conformance suite: the exact QuickBooks bodies, where
// the platform reference is kept, races and retries past Intuit's requestid, voids, and webhook
// changes in both payload formats.
import { ConflictError, NotFoundError, ValidationError } from "@connect/core";
import { createQuickBooksLedger, parseQuickBooksWebhook } from "@connect/quickbooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { customerDisplayName, refInDisplayName, refInNote, toQuickBooksChangeEvents } from "../src/ledger.js";
import { apiRequests, setup, type Harness } from "./helpers.js";

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

const writes = (h: Harness, entity: string) => apiRequests(h.server).filter((r) => r.method === "POST" && r.path.endsWith(`/${entity}`));

describe("createQuickBooksLedger against the fake", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await setup();
  });
  afterEach(async () => {
    await h.close();
  });

  it("createCustomer: the reference ends the DisplayName; email, phone, address and a Notes marker are sent", async () => {
    const ledger = createQuickBooksLedger(h.client);
    const customer = await ledger.createCustomer({
      externalRef: "LN-1001",
      displayName: "Ana Borrower",
      email: "ana@example.com",
      phone: "+1 555 0100",
      address: { line1: "1 Main St", city: "Austin", region: "TX", postalCode: "78701", country: "US" },
    });
    expect(customer).toMatchObject({ provider: "quickbooks", externalRef: "LN-1001", displayName: "Ana Borrower (LN-1001)", email: "ana@example.com" });
    expect(writes(h, "customer").map((r) => r.body)).toEqual([
      {
        DisplayName: "Ana Borrower (LN-1001)",
        PrimaryEmailAddr: { Address: "ana@example.com" },
        PrimaryPhone: { FreeFormNumber: "+1 555 0100" },
        BillAddr: { Line1: "1 Main St", City: "Austin", CountrySubDivisionCode: "TX", PostalCode: "78701", Country: "US" },
        Notes: "externalRef [ref:LN-1001]",
      },
    ]);
    // The loan-servicing helpers' customers are found by the same convention.
    const servicing = await h.client.servicing.loanFunded({ loanId: "L-2002", borrowerName: "Gus Builder" });
    await expect(ledger.findCustomer("Loan L-2002")).resolves.toMatchObject({ id: servicing.customer.Id, externalRef: "Loan L-2002" });
  });

  it("findCustomer finds an inactive customer too, and never one whose name only contains the reference", async () => {
    const ledger = createQuickBooksLedger(h.client);
    h.fake.insert("Customer", { DisplayName: "Someone (LN-1001) Else" });
    h.fake.insert("Customer", { DisplayName: "Old Borrower (LN-7)", Active: false });
    await expect(ledger.findCustomer("LN-1001")).resolves.toBeUndefined();
    await expect(ledger.findCustomer("LN-7")).resolves.toMatchObject({ displayName: "Old Borrower (LN-7)" });
  });

  it("createCustomer after a lost race (6240 Duplicate Name) returns the other worker's customer", async () => {
    const ledger = createQuickBooksLedger(h.client);
    const other = h.fake.insert("Customer", { DisplayName: "Ana Borrower (LN-1001)" });
    // The look-up ran before the other worker's create landed.
    h.fake.failNext({ status: 200, path: "/query", body: { QueryResponse: {}, time: new Date().toISOString() }, times: 1 });
    const customer = await ledger.createCustomer({ externalRef: "LN-1001", displayName: "Ana Borrower" });
    expect(customer.id).toBe(other.Id);
    expect(h.fake.rows("Customer").filter((c) => String(c.DisplayName).includes("LN-1001"))).toHaveLength(1);
  });

  it("createInvoice: DocNumber is the reference, lines book to the item named Services, amounts are exact JSON numbers", async () => {
    const ledger = createQuickBooksLedger(h.client);
    const c = await ledger.createCustomer({ externalRef: "LN-1001", displayName: "Ana Borrower" });
    const invoice = await ledger.createInvoice({
      externalRef: "DRAW-1001-3",
      customerId: c.id,
      issueDate: "2026-03-02",
      dueDate: "2026-04-01",
      currency: "USD",
      memo: "Draw 3",
      lines: [
        { description: "Interest", amount: "0.10" },
        { description: "Draw 3", amount: "12500.50", itemRef: "2" },
      ],
    });
    expect(invoice).toMatchObject({ number: "DRAW-1001-3", externalRef: "DRAW-1001-3", total: "12500.60", balance: "12500.60", status: "open", currency: "USD", issueDate: "2026-03-02", dueDate: "2026-04-01" });
    expect(writes(h, "invoice").map((r) => r.body)).toEqual([
      {
        CustomerRef: { value: c.id },
        DocNumber: "DRAW-1001-3",
        TxnDate: "2026-03-02",
        DueDate: "2026-04-01",
        CurrencyRef: { value: "USD" },
        PrivateNote: "Draw 3\n[ref:DRAW-1001-3]",
        Line: [
          { DetailType: "SalesItemLineDetail", Amount: 0.1, Description: "Interest", SalesItemLineDetail: { ItemRef: { value: "1" }, Qty: 1, UnitPrice: 0.1 } },
          { DetailType: "SalesItemLineDetail", Amount: 12500.5, Description: "Draw 3", SalesItemLineDetail: { ItemRef: { value: "2" }, Qty: 1, UnitPrice: 12500.5 } },
        ],
      },
    ]);
    const statements = apiRequests(h.server).filter((r) => r.path.endsWith("/query")).map((r) => r.query.get("query"));
    expect(statements.some((s) => s?.includes("FROM Item WHERE Name = 'Services'"))).toBe(true);
  });

  it("a default item that does not exist is NotFoundError and no invoice is written", async () => {
    const ledger = createQuickBooksLedger(h.client, { itemName: "Draw Fees" });
    const c = await ledger.createCustomer({ externalRef: "LN-1", displayName: "A" });
    const error = await rejection(ledger.createInvoice({ externalRef: "D-1", customerId: c.id, issueDate: "2026-03-02", lines: [{ description: "x", amount: "1.00" }] }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(writes(h, "invoice")).toEqual([]);
  });

  it("a reference longer than QuickBooks' 21-character DocNumber is a ValidationError before any request; invoiceNumber maps it", async () => {
    const c = await createQuickBooksLedger(h.client).createCustomer({ externalRef: "LN-1", displayName: "A" });
    const long = "draw-3f0c1a2e-9b7d-4c55-8e21-0a1b2c3d4e5f";
    const before = h.server.requests.length;
    const error = await rejection(createQuickBooksLedger(h.client).createInvoice({ externalRef: long, customerId: c.id, issueDate: "2026-03-02", lines: [{ description: "x", amount: "1.00" }] }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toBe("externalRef");
    expect(h.server.requests.length).toBe(before);

    const mapped = createQuickBooksLedger(h.client, { invoiceNumber: (ref) => `D-${ref.slice(5, 13)}` });
    const invoice = await mapped.createInvoice({ externalRef: long, customerId: c.id, issueDate: "2026-03-02", lines: [{ description: "x", amount: "1.00" }] });
    expect(invoice).toMatchObject({ number: "D-3f0c1a2e", externalRef: long });
    await expect(mapped.findInvoice(long)).resolves.toMatchObject({ id: invoice.id, externalRef: long });
    await expect(mapped.getInvoice(invoice.id)).resolves.toMatchObject({ externalRef: long });
  });

  it("createInvoice with a known reference but another total is a ConflictError, not a second invoice", async () => {
    const ledger = createQuickBooksLedger(h.client);
    const c = await ledger.createCustomer({ externalRef: "LN-1", displayName: "A" });
    await ledger.createInvoice({ externalRef: "D-1", customerId: c.id, issueDate: "2026-03-02", lines: [{ description: "x", amount: "1.00" }] });
    const error = await rejection(ledger.createInvoice({ externalRef: "D-1", customerId: c.id, issueDate: "2026-03-02", lines: [{ description: "x", amount: "2.00" }] }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(h.fake.rows("Invoice")).toHaveLength(1);
  });

  it("createInvoice after a lost race (6210 Duplicate Document Number) returns the invoice that holds the reference", async () => {
    const ledger = createQuickBooksLedger(h.client, { itemId: "1" });
    const c = await ledger.createCustomer({ externalRef: "LN-1", displayName: "A" });
    const other = await h.client.invoices.create({
      CustomerRef: { value: c.id },
      DocNumber: "D-1",
      PrivateNote: "[ref:D-1]",
      Line: [{ DetailType: "SalesItemLineDetail", Amount: 5, SalesItemLineDetail: { ItemRef: { value: "1" }, Qty: 1, UnitPrice: 5 } }],
    });
    h.fake.failNext({ status: 200, path: "/query", body: { QueryResponse: {}, time: new Date().toISOString() }, times: 1 });
    const invoice = await ledger.createInvoice({ externalRef: "D-1", customerId: c.id, issueDate: "2026-03-02", lines: [{ description: "x", amount: "5.00" }] });
    expect(invoice.id).toBe(other.Id);
    expect(h.fake.rows("Invoice")).toHaveLength(1);
  });

  it("a voided invoice is voided, leaves the balance, and takes no payment", async () => {
    const ledger = createQuickBooksLedger(h.client);
    const c = await ledger.createCustomer({ externalRef: "LN-1", displayName: "A" });
    const inv = await ledger.createInvoice({ externalRef: "D-1", customerId: c.id, issueDate: "2026-03-02", lines: [{ description: "x", amount: "10.00" }] });
    await ledger.createInvoice({ externalRef: "D-2", customerId: c.id, issueDate: "2026-03-02", lines: [{ description: "y", amount: "2.50" }] });
    const stored = await h.client.invoices.get({ id: inv.id });
    await h.client.invoices.void({ id: inv.id, syncToken: stored.SyncToken });
    await expect(ledger.getInvoice(inv.id)).resolves.toMatchObject({ status: "voided", total: "0.00", balance: "0.00" });
    await expect(ledger.balance(c.id)).resolves.toMatchObject({ outstanding: "2.50", openInvoices: 1 });
    const error = await rejection(ledger.recordPayment({ externalRef: "P-1", customerId: c.id, invoiceId: inv.id, amount: "1.00", date: "2026-03-05" }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(writes(h, "payment")).toEqual([]);
  });

  it("recordPayment: the exact Payment body; more than the balance or another customer's invoice is refused before the write", async () => {
    const ledger = createQuickBooksLedger(h.client, { depositAccountId: "35" });
    const c = await ledger.createCustomer({ externalRef: "LN-1", displayName: "A" });
    const other = await ledger.createCustomer({ externalRef: "LN-2", displayName: "B" });
    const inv = await ledger.createInvoice({ externalRef: "D-1", customerId: c.id, issueDate: "2026-03-02", lines: [{ description: "x", amount: "10.00" }] });
    const payment = await ledger.recordPayment({ externalRef: "P-1", customerId: c.id, invoiceId: inv.id, amount: "4.25", date: "2026-03-05", reference: "WIRE-881" });
    expect(payment).toMatchObject({ externalRef: "P-1", customerId: c.id, invoiceId: inv.id, amount: "4.25", date: "2026-03-05" });
    expect(writes(h, "payment").map((r) => r.body)).toEqual([
      {
        CustomerRef: { value: c.id },
        TotalAmt: 4.25,
        TxnDate: "2026-03-05",
        PaymentRefNum: "WIRE-881",
        DepositToAccountRef: { value: "35" },
        PrivateNote: "WIRE-881 [ref:P-1]",
        Line: [{ Amount: 4.25, LinkedTxn: [{ TxnId: inv.id, TxnType: "Invoice" }] }],
      },
    ]);
    const over = await rejection(ledger.recordPayment({ externalRef: "P-2", customerId: c.id, invoiceId: inv.id, amount: "5.76", date: "2026-03-06" }));
    expect(over).toBeInstanceOf(ValidationError);
    expect((over as ValidationError).issues[0]).toMatchObject({ path: "amount" });
    const wrong = await rejection(ledger.recordPayment({ externalRef: "P-3", customerId: other.id, invoiceId: inv.id, amount: "1.00", date: "2026-03-06" }));
    expect(wrong).toBeInstanceOf(ValidationError);
    expect(writes(h, "payment")).toHaveLength(1);
    // The retry of the first payment finds it although the balance has changed since.
    await expect(ledger.recordPayment({ externalRef: "P-1", customerId: c.id, invoiceId: inv.id, amount: "4.25", date: "2026-03-05", reference: "WIRE-881" })).resolves.toMatchObject({ id: payment.id });
  });

  it("a write retried after a 503 keeps its requestid: one invoice at QuickBooks", async () => {
    const ledger = createQuickBooksLedger(h.client);
    const c = await ledger.createCustomer({ externalRef: "LN-1", displayName: "A" });
    h.fake.failNext({ status: 503, path: "/invoice", method: "POST" });
    await ledger.createInvoice({ externalRef: "D-1", customerId: c.id, issueDate: "2026-03-02", lines: [{ description: "x", amount: "1.00" }] });
    const ids = writes(h, "invoice").map((r) => r.query.get("requestid"));
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
    expect(h.fake.rows("Invoice")).toHaveLength(1);
  });
});

describe("toChangeEvents", () => {
  const legacy = {
    eventNotifications: [
      {
        realmId: "310687",
        dataChangeEvent: {
          entities: [
            { name: "Invoice", id: "130", operation: "Update", lastUpdated: "2026-03-02T10:00:00.000Z" },
            { name: "Customer", id: "27", operation: "Merge", lastUpdated: "2026-03-02T10:01:00.000Z", deletedId: "19" },
            { name: "Invoice", id: "131", operation: "Void", lastUpdated: "2026-03-02T10:02:00.000Z" },
            { name: "Payment", id: "140", operation: "Delete", lastUpdated: "2026-03-02T10:03:00.000Z" },
            { name: "Invoice", id: "132", operation: "Emailed", lastUpdated: "2026-03-02T10:04:00.000Z" },
            { name: "Bill", id: "150", operation: "Create", lastUpdated: "2026-03-02T10:05:00.000Z" },
          ],
        },
      },
    ],
  };

  it("legacy eventNotifications: one event per ledger entity; a merge updates the survivor and deletes the merged-away customer", () => {
    const events = toQuickBooksChangeEvents(legacy);
    expect(events.map((e) => [e.entity, e.id, e.operation, e.occurredAt, e.tenantId])).toEqual([
      ["invoice", "130", "update", "2026-03-02T10:00:00.000Z", "310687"],
      ["customer", "27", "update", "2026-03-02T10:01:00.000Z", "310687"],
      ["customer", "19", "delete", "2026-03-02T10:01:00.000Z", "310687"],
      ["invoice", "131", "void", "2026-03-02T10:02:00.000Z", "310687"],
      ["payment", "140", "delete", "2026-03-02T10:03:00.000Z", "310687"],
    ]);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    // Stable ids: the same payload gives the same events (for dedupe).
    expect(toQuickBooksChangeEvents(Buffer.from(JSON.stringify(legacy))).map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
  });

  it("CloudEvents: the array, the raw body and the receiver's changes give the same events", () => {
    const cloud = [
      { specversion: "1.0", id: "ce-1", source: "intuit.x", type: "qbo.invoice.created.v1", time: "2026-03-02T10:00:00Z", intuitentityid: "130", intuitaccountid: "310687", data: {} },
      { specversion: "1.0", id: "ce-2", source: "intuit.x", type: "qbo.payment.voided.v1", time: "2026-03-02T10:01:00Z", intuitentityid: "140", intuitaccountid: "310687", data: {} },
    ];
    const fromArray = toQuickBooksChangeEvents(cloud);
    expect(fromArray.map((e) => [e.eventId, e.entity, e.id, e.operation])).toEqual([
      ["ce-1", "invoice", "130", "create"],
      ["ce-2", "payment", "140", "void"],
    ]);
    expect(toQuickBooksChangeEvents(JSON.stringify(cloud))).toEqual(fromArray);
    const changes = parseQuickBooksWebhook(JSON.stringify(cloud)).changes;
    expect(toQuickBooksChangeEvents(changes)).toEqual(fromArray);
    expect(toQuickBooksChangeEvents(changes[0])).toEqual([fromArray[0]]);
    expect(fromArray[0]!.raw).toEqual(changes[0]);
  });

  it("a change without a time gets the ledger's clock; a payload that is no webhook is a ValidationError", () => {
    const [event] = toQuickBooksChangeEvents([{ id: "ce-9", type: "qbo.customer.updated.v1", intuitentityid: "5", intuitaccountid: "1" }], () => Date.UTC(2026, 2, 2));
    expect(event?.occurredAt).toBe("2026-03-02T00:00:00.000Z");
    expect(() => toQuickBooksChangeEvents(42)).toThrow(ValidationError);
    expect(() => toQuickBooksChangeEvents({ nothing: true })).toThrow(ValidationError);
  });
});

describe("reference helpers", () => {
  it("customerDisplayName appends the reference once; refInDisplayName and refInNote read it back", () => {
    expect(customerDisplayName({ displayName: "Ana Borrower", externalRef: "LN-1" })).toBe("Ana Borrower (LN-1)");
    expect(customerDisplayName({ displayName: "Ana Borrower (LN-1)", externalRef: "LN-1" })).toBe("Ana Borrower (LN-1)");
    expect(refInDisplayName("Ana Borrower (LN-1)")).toBe("LN-1");
    expect(refInDisplayName("Ana Borrower")).toBeUndefined();
    expect(refInNote("Voided - Draw 3\n[ref:D-1]")).toBe("D-1");
    expect(refInNote(undefined)).toBeUndefined();
  });
});

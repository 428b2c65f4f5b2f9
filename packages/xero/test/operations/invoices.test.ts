import { ValidationError } from "@connect/core";
import { afterEach, describe, expect, it } from "vitest";
import { apiRequests, contactBody, setup, type Harness } from "../helpers.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function withContact(): Promise<string> {
  return (await h.client.contacts.create(contactBody())).ContactID;
}

const draw = (contactId: string, overrides: Record<string, unknown> = {}) => ({
  Contact: { ContactID: contactId },
  Date: "2026-03-01",
  DueDate: "2026-03-31",
  Reference: "DRAW-1",
  LineAmountTypes: "NoTax" as const,
  Status: "AUTHORISED" as const,
  LineItems: [{ Description: "Draw 1: foundation", Quantity: "1", UnitAmount: "12500.50", AccountCode: "200" }],
  ...overrides,
});

describe("invoices.create", () => {
  it("PUTs one ACCREC invoice with amounts as JSON numbers; Xero numbers it and computes the totals", async () => {
    h = await setup();
    const contactId = await withContact();
    const invoice = await h.client.invoices.create(draw(contactId, { LineItems: [{ Description: "Draw 1", Quantity: "2", UnitAmount: "0.10", AccountCode: "200" }, { Description: "Fee", LineAmount: "0.20", AccountCode: "260" }] }));
    expect(invoice).toMatchObject({ Type: "ACCREC", InvoiceNumber: "INV-0001", Reference: "DRAW-1", Status: "AUTHORISED", Total: 0.4, AmountDue: 0.4, AmountPaid: 0, DateString: "2026-03-01T00:00:00" });
    expect(invoice.Date).toBe(`/Date(${Date.UTC(2026, 2, 1)}+0000)/`);
    const sent = apiRequests(h.server).at(-1)!;
    expect(sent).toMatchObject({ method: "PUT", path: "/api.xro/2.0/Invoices" });
    expect((sent.body as { Invoices: Array<{ LineItems: unknown[] }> }).Invoices[0]!.LineItems).toEqual([
      { Description: "Draw 1", Quantity: 2, UnitAmount: 0.1, AccountCode: "200" },
      { Description: "Fee", LineAmount: 0.2, AccountCode: "260" },
    ]);
    expect(sent.headers["idempotency-key"]).toMatch(/^ck_[0-9a-f]{64}$/);
  });

  it("refuses unbalanced line amounts, a wrong LineAmountTypes casing, a non-ACCREC type and no lines before any request", async () => {
    h = await setup();
    const contactId = "430fa14a-f945-44d3-9f97-5df5e28441b8";
    const unbalanced = (await h.client.invoices.create(draw(contactId, { LineItems: [{ Description: "x", Quantity: "3", UnitAmount: "33.33", LineAmount: "100.00" }] })).catch((e: unknown) => e)) as ValidationError;
    expect(unbalanced).toBeInstanceOf(ValidationError);
    expect(unbalanced.issues).toEqual([expect.objectContaining({ path: "LineItems.0.LineAmount", message: expect.stringContaining("does not equal Quantity × UnitAmount") })]);
    const casing = (await h.client.invoices.create(draw(contactId, { LineAmountTypes: "NO_TAX" })).catch((e: unknown) => e)) as ValidationError;
    expect(casing.issues.map((i) => i.path)).toEqual(["LineAmountTypes"]);
    const bill = (await h.client.invoices.create(draw(contactId, { Type: "ACCPAY" })).catch((e: unknown) => e)) as ValidationError;
    expect(bill.issues.map((i) => i.path)).toEqual(["Type"]);
    const empty = (await h.client.invoices.create(draw(contactId, { LineItems: [] })).catch((e: unknown) => e)) as ValidationError;
    expect(empty.issues.map((i) => i.path)).toEqual(["LineItems"]);
    const float = (await h.client.invoices.create(draw(contactId, { LineItems: [{ Description: "x", UnitAmount: 12.345 }] })).catch((e: unknown) => e)) as ValidationError;
    expect(float.issues.map((i) => i.path)).toEqual(["LineItems.0.UnitAmount"]);
    expect(h.server.requests).toEqual([]);
  });

  it("a balanced LineAmount (3 × 33.33 = 99.99) is accepted", async () => {
    h = await setup();
    const contactId = await withContact();
    const invoice = await h.client.invoices.create(draw(contactId, { LineItems: [{ Description: "x", Quantity: "3", UnitAmount: "33.33", LineAmount: "99.99", AccountCode: "200" }] }));
    expect(invoice.Total).toBe(99.99);
  });

  it("maps Xero's ValidationErrors to ValidationError issues, one per message", async () => {
    h = await setup();
    const contactId = await withContact();
    const error = (await h.client.invoices.create(draw(contactId, { LineItems: [{ Description: "x", UnitAmount: "5.00", AccountCode: "999" }, { Description: "y", UnitAmount: "1.00", AccountCode: "998" }] })).catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 400, vendorCode: "10", retryable: false, operation: "invoices.create" });
    expect(error.issues).toEqual([
      { path: "Elements.0", message: "Account code '999' is not a valid code for this document.", code: "xero_validation" },
      { path: "Elements.0", message: "Account code '998' is not a valid code for this document.", code: "xero_validation" },
    ]);
    expect(h.fake.books(h.tenantId).invoices.all(true)).toEqual([]);
  });

  it("a duplicate ACCREC InvoiceNumber is refused by Xero", async () => {
    h = await setup();
    const contactId = await withContact();
    await h.client.invoices.create(draw(contactId, { InvoiceNumber: "D-1" }));
    const error = (await h.client.invoices.create(draw(contactId, { InvoiceNumber: "D-1", Reference: "DRAW-2" })).catch((e: unknown) => e)) as ValidationError;
    expect(error.issues.map((i) => i.message)).toEqual(["Invoice # must be unique."]);
  });
});

describe("Idempotency-Key", () => {
  it("is minted once per logical call: a retry after a lost answer reuses it and Xero replays the first result", async () => {
    h = await setup();
    const contactId = await withContact();
    h.fake.failNext({ status: 503, path: "/Invoices", method: "PUT", afterWrite: true, body: "Service unavailable" });
    const invoice = await h.client.invoices.create(draw(contactId));
    const puts = h.fake.requests.filter((r) => r.method === "PUT" && r.path === "/Invoices");
    expect(puts.map((r) => [r.status, r.replayed])).toEqual([
      [503, false],
      [200, true],
    ]);
    expect(puts[0]!.idempotencyKey).toBe(puts[1]!.idempotencyKey);
    expect(h.fake.books(h.tenantId).invoices.all(true).map((i) => i.view.InvoiceID)).toEqual([invoice.InvoiceID]);
  });

  it("the host's idempotency key is sent as is; two logical calls with one key get one invoice", async () => {
    h = await setup();
    const contactId = await withContact();
    const first = await h.client.invoices.create(draw(contactId), { idempotencyKey: "draw-disbursed:D-77" });
    const second = await h.client.invoices.create(draw(contactId), { idempotencyKey: "draw-disbursed:D-77" });
    expect(second.InvoiceID).toBe(first.InvoiceID);
    expect(h.fake.requests.filter((r) => r.method === "PUT" && r.path === "/Invoices").map((r) => [r.idempotencyKey, r.replayed])).toEqual([
      ["draw-disbursed:D-77", false],
      ["draw-disbursed:D-77", true],
    ]);
  });

  it("a key over 128 characters is hashed down to one Xero accepts", async () => {
    h = await setup();
    const contactId = await withContact();
    await h.client.invoices.create(draw(contactId), { idempotencyKey: "k".repeat(300) });
    expect(h.fake.requests.at(-1)!.idempotencyKey).toMatch(/^xk_[0-9a-f]{64}$/);
  });

  it("reads carry no Idempotency-Key", async () => {
    h = await setup();
    await h.client.invoices.list({ page: 1 });
    expect(apiRequests(h.server)[0]!.headers["idempotency-key"]).toBeUndefined();
  });
});

describe("invoices.get / list / void", () => {
  it("lists by status and contact, pages with line items, and the unpaged list omits them", async () => {
    h = await setup();
    const contactId = await withContact();
    const other = (await h.client.contacts.create(contactBody("Bo", "L-2"))).ContactID;
    const a = await h.client.invoices.create(draw(contactId));
    await h.client.invoices.create(draw(contactId, { Status: "DRAFT", Reference: "DRAW-2" }));
    await h.client.invoices.create(draw(other, { Reference: "DRAW-3" }));
    h.server.requests.length = 0;
    const page = await h.client.invoices.list({ page: 1, statuses: ["AUTHORISED"], contactIds: [contactId] });
    expect(page.items.map((i) => i.InvoiceID)).toEqual([a.InvoiceID]);
    expect(page.items[0]!.LineItems).toHaveLength(1);
    const query = apiRequests(h.server)[0]!.query;
    expect([query.get("Statuses"), query.get("ContactIDs"), query.get("page")]).toEqual(["AUTHORISED", contactId, "1"]);
    const unpaged = await h.client.invoices.list({ where: 'Type=="ACCREC" AND Reference=="DRAW-3"' });
    expect(unpaged.items).toHaveLength(1);
    expect(unpaged.items[0]!.LineItems).toBeUndefined();
    expect((await h.client.invoices.get({ id: a.InvoiceID })).LineItems).toHaveLength(1);
    expect((await h.client.invoices.get({ id: "INV-0001" })).InvoiceID).toBe(a.InvoiceID);
  });

  it("voids an AUTHORISED invoice; a DRAFT one cannot be voided", async () => {
    h = await setup();
    const contactId = await withContact();
    const authorised = await h.client.invoices.create(draw(contactId));
    const voided = await h.client.invoices.void({ invoiceId: authorised.InvoiceID });
    expect(voided.Status).toBe("VOIDED");
    expect(apiRequests(h.server).at(-1)).toMatchObject({ method: "POST", path: `/api.xro/2.0/Invoices/${authorised.InvoiceID}`, body: { Invoices: [{ InvoiceID: authorised.InvoiceID, Status: "VOIDED" }] } });
    const draft = await h.client.invoices.create(draw(contactId, { Status: "DRAFT", Reference: "D2" }));
    const error = (await h.client.invoices.void({ invoiceId: draft.InvoiceID }).catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i) => i.message)).toEqual(["Invoice not of valid status for modification"]);
  });

  it("a where filter the fake cannot run answers core's 501, not a vendor error", async () => {
    h = await setup();
    const error = await h.client.invoices.list({ where: 'Reference.StartsWith("DRAW")' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 501, vendorMessage: expect.stringContaining("not implemented by @connect/xero/testing fake") });
  });
});

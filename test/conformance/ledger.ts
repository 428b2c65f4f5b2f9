// One conformance suite for core's shared accounting interface (Ledger). It is written against
// the interface only; every provider package runs it against its own fake on loopback:
//
//   // packages/<provider>/test/ledger-conformance.test.ts
//   import { describeLedgerConformance } from "../../../test/conformance/ledger.js";
//   describeLedgerConformance("quickbooks", async () => { …start the fake, build the ledger…; return harness; });
//
// The file is named *.ts (not *.test.ts) so it is imported by the providers' tests, never run
// on its own. `setup` runs before every case and `close` after it, so each case starts with an
// empty company.
//
// What a harness provides (provider-neutral):
// - `ledger`: the provider's Ledger, pointed at the fake, with whatever defaults the provider needs
//   configured (the item / account code lines book to, the deposit account payments book to).
// - `records()`: what the fake holds now, in one shape: customers (id, display name), invoices
//   (id, customer id, total and balance as decimal strings) and payments (id, invoice id, amount).
//   Amounts as the fake stores them, normalised to two decimals ("12.5" → "12.50").
// - `requestCount()`: how many HTTP requests reached the fake so far (for "before any I/O").
// - `deliverChange(entity, id, operation)`: make the fake emit one change notification about a
//   record it holds and return the payload as the provider's webhook receiver hands it on after
//   verification — what a host passes to `ledger.toChangeEvents`. Harnesses should post the
//   signed notification to a real receiver on loopback and return what it delivered.
// - `tenantId`: the company (QuickBooks realm, Xero tenant) the fake's events come from, when known.
// - `changeEntities`: the entities the provider sends change notifications for (default customer,
//   invoice and payment; Xero's webhooks cover contacts and invoices only).
// - `close()`: stop the fake and anything the harness started.
import { IntegrationError, ValidationError, type Ledger, type LedgerEntity, type LedgerInvoiceInput } from "@connect/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

/** What the fake holds, in the suite's provider-neutral shape. */
export interface LedgerRecords {
  customers: Array<{ id: string; displayName: string }>;
  invoices: Array<{ id: string; customerId: string; total: string; balance: string }>;
  payments: Array<{ id: string; invoiceId?: string | undefined; amount: string }>;
}

/** What `setup` returns; see the comment at the top of this file. */
export interface LedgerHarness {
  ledger: Ledger;
  records(): Promise<LedgerRecords>;
  requestCount(): number;
  deliverChange(entity: LedgerEntity, id: string, operation: "create" | "update" | "delete" | "void"): Promise<unknown>;
  tenantId?: string | undefined;
  /** Entities `deliverChange` can notify about; default every LedgerEntity. */
  changeEntities?: readonly LedgerEntity[] | undefined;
  close(): Promise<void>;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

function expectIso(value: string | undefined): void {
  expect(typeof value).toBe("string");
  expect(Number.isNaN(Date.parse(value!))).toBe(false);
}

/** Register the Ledger conformance cases for one provider. */
export function describeLedgerConformance(name: string, setup: () => Promise<LedgerHarness>): void {
  describe(`Ledger conformance: ${name}`, () => {
    let h: LedgerHarness;
    beforeEach(async () => {
      h = await setup();
    });
    afterEach(async () => {
      await h?.close();
    });

    const customer = (ref = "borrower-LN1001") => ({ externalRef: ref, displayName: `Ana Borrower (${ref})`, email: "ana.borrower@example.com" });
    const invoice = (customerId: string, overrides: Partial<LedgerInvoiceInput> = {}): LedgerInvoiceInput => ({
      externalRef: "draw-LN1001-3",
      customerId,
      issueDate: "2026-03-02",
      dueDate: "2026-04-01",
      lines: [
        { description: "Draw 3 interest", amount: "0.10" },
        { description: "Draw 3 inspection fee", amount: "0.20" },
      ],
      memo: "Draw 3 of loan LN-1001",
      ...overrides,
    });

    it("createCustomer, then findCustomer by externalRef", async () => {
      const created = await h.ledger.createCustomer(customer());
      expect(h.ledger.provider).toBe(name);
      expect(created).toMatchObject({ provider: name, id: expect.stringMatching(/\S/), externalRef: "borrower-LN1001", displayName: "Ana Borrower (borrower-LN1001)" });
      const found = await h.ledger.findCustomer("borrower-LN1001");
      expect(found).toMatchObject({ provider: name, id: created.id, externalRef: "borrower-LN1001", displayName: created.displayName });
      await expect(h.ledger.findCustomer("borrower-LN9999")).resolves.toBeUndefined();
      expect((await h.records()).customers.map((c) => c.id)).toEqual([created.id]);
    });

    it("createCustomer twice with the same externalRef makes one customer (the retry finds the first)", async () => {
      const first = await h.ledger.createCustomer(customer());
      const second = await h.ledger.createCustomer(customer());
      expect(second.id).toBe(first.id);
      expect((await h.records()).customers).toHaveLength(1);
    });

    it("createInvoice: open, total exact in decimal strings (0.10 + 0.20 = 0.30), balance = total", async () => {
      const c = await h.ledger.createCustomer(customer());
      const created = await h.ledger.createInvoice(invoice(c.id));
      expect(created).toMatchObject({ provider: name, id: expect.stringMatching(/\S/), externalRef: "draw-LN1001-3", customerId: c.id, status: "open", total: "0.30", balance: "0.30" });
      const got = await h.ledger.getInvoice(created.id);
      expect(got).toMatchObject({ id: created.id, customerId: c.id, status: "open", total: "0.30", balance: "0.30" });
      expect((await h.records()).invoices).toEqual([expect.objectContaining({ id: created.id, customerId: c.id, total: "0.30", balance: "0.30" })]);
    });

    it("createInvoice twice with the same externalRef makes one invoice", async () => {
      const c = await h.ledger.createCustomer(customer());
      const first = await h.ledger.createInvoice(invoice(c.id));
      const second = await h.ledger.createInvoice(invoice(c.id));
      expect(second.id).toBe(first.id);
      expect((await h.records()).invoices).toHaveLength(1);
    });

    it("findInvoice by externalRef; an unknown ref is undefined", async () => {
      const c = await h.ledger.createCustomer(customer());
      const created = await h.ledger.createInvoice(invoice(c.id, { lines: [{ description: "Draw 3", amount: "12500.50" }] }));
      const found = await h.ledger.findInvoice("draw-LN1001-3");
      expect(found).toMatchObject({ provider: name, id: created.id, externalRef: "draw-LN1001-3", total: "12500.50", balance: "12500.50", status: "open" });
      await expect(h.ledger.findInvoice("draw-LN1001-99")).resolves.toBeUndefined();
    });

    it("recordPayment: a partial payment leaves partially-paid with the exact balance; the rest makes it paid", async () => {
      const c = await h.ledger.createCustomer(customer());
      const inv = await h.ledger.createInvoice(invoice(c.id, { lines: [{ description: "Draw 3", amount: "12500.50" }, { description: "Fee", amount: "0.25" }] }));
      expect(inv.total).toBe("12500.75");
      const first = await h.ledger.recordPayment({ externalRef: "pay-1", customerId: c.id, invoiceId: inv.id, amount: "5000.25", date: "2026-03-10", reference: "WIRE-881" });
      expect(first).toMatchObject({ provider: name, id: expect.stringMatching(/\S/), amount: "5000.25" });
      expect(await h.ledger.getInvoice(inv.id)).toMatchObject({ status: "partially-paid", total: "12500.75", balance: "7500.50" });
      await h.ledger.recordPayment({ externalRef: "pay-2", customerId: c.id, invoiceId: inv.id, amount: "7500.50", date: "2026-03-20" });
      expect(await h.ledger.getInvoice(inv.id)).toMatchObject({ status: "paid", total: "12500.75", balance: "0.00" });
      const held = await h.records();
      expect(held.payments.map((p) => p.amount).sort()).toEqual(["5000.25", "7500.50"]);
      expect(held.invoices.find((i) => i.id === inv.id)?.balance).toBe("0.00");
    });

    it("recordPayment twice with the same externalRef records one payment", async () => {
      const c = await h.ledger.createCustomer(customer());
      const inv = await h.ledger.createInvoice(invoice(c.id, { lines: [{ description: "Draw 3", amount: "100.00" }] }));
      const input = { externalRef: "pay-1", customerId: c.id, invoiceId: inv.id, amount: "40.00", date: "2026-03-10" };
      const first = await h.ledger.recordPayment(input);
      const second = await h.ledger.recordPayment(input);
      expect(second.id).toBe(first.id);
      expect((await h.records()).payments).toHaveLength(1);
      expect(await h.ledger.getInvoice(inv.id)).toMatchObject({ status: "partially-paid", balance: "60.00" });
    });

    it("balance(customerId) sums the open invoices' balances exactly", async () => {
      const c = await h.ledger.createCustomer(customer());
      const other = await h.ledger.createCustomer(customer("borrower-LN2002"));
      const a = await h.ledger.createInvoice(invoice(c.id, { externalRef: "draw-a", lines: [{ description: "A", amount: "0.10" }] }));
      await h.ledger.createInvoice(invoice(c.id, { externalRef: "draw-b", lines: [{ description: "B", amount: "0.20" }] }));
      const paid = await h.ledger.createInvoice(invoice(c.id, { externalRef: "draw-c", lines: [{ description: "C", amount: "50.00" }] }));
      await h.ledger.createInvoice(invoice(other.id, { externalRef: "draw-other", lines: [{ description: "Other", amount: "999.00" }] }));
      await h.ledger.recordPayment({ externalRef: "pay-c", customerId: c.id, invoiceId: paid.id, amount: "50.00", date: "2026-03-10" });
      await h.ledger.recordPayment({ externalRef: "pay-a", customerId: c.id, invoiceId: a.id, amount: "0.05", date: "2026-03-10" });
      const balance = await h.ledger.balance(c.id);
      expect(balance).toMatchObject({ provider: name, customerId: c.id, outstanding: "0.25", openInvoices: 2 });
      expectIso(balance.asOf);
      const none = await h.ledger.createCustomer(customer("borrower-LN3003"));
      await expect(h.ledger.balance(none.id)).resolves.toMatchObject({ outstanding: "0.00", openInvoices: 0 });
    });

    it("bad input is a ValidationError before any request reaches the fake", async () => {
      const c = await h.ledger.createCustomer(customer());
      const before = h.requestCount();
      const bad: Array<() => Promise<unknown>> = [
        () => h.ledger.createInvoice(invoice(c.id, { lines: [{ description: "Refund?", amount: "-5.00" }] })),
        () => h.ledger.createInvoice(invoice(c.id, { lines: [] })),
        () => h.ledger.createInvoice(invoice(c.id, { issueDate: "2026-02-30" })),
        () => h.ledger.createInvoice(invoice(c.id, { issueDate: "03/02/2026" })),
        () => h.ledger.createInvoice(invoice(c.id, { lines: [{ description: "Float", amount: "0.125" }] })),
        () => h.ledger.createInvoice(invoice(c.id, { externalRef: "" })),
        () => h.ledger.createCustomer({ externalRef: "borrower-x", displayName: "" }),
        () => h.ledger.createCustomer({ externalRef: "borrower-x", displayName: "X", email: "not-an-email" }),
        () => h.ledger.recordPayment({ externalRef: "pay-x", customerId: c.id, invoiceId: "1", amount: "-1.00", date: "2026-03-10" }),
        () => h.ledger.recordPayment({ externalRef: "pay-x", customerId: c.id, invoiceId: "1", amount: "0.00", date: "2026-03-10" }),
        () => h.ledger.recordPayment({ externalRef: "pay-x", customerId: c.id, invoiceId: "1", amount: "10.00", date: "yesterday" }),
      ];
      for (const [i, call] of bad.entries()) {
        const error = await rejection(call());
        expect(error, `case ${i}`).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).issues.length, `case ${i}`).toBeGreaterThan(0);
        expect((error as IntegrationError).vendor, `case ${i}`).toBe(name);
      }
      expect(h.requestCount()).toBe(before);
    });

    it("toChangeEvents normalises a customer create, an invoice update and a payment create", async () => {
      const c = await h.ledger.createCustomer(customer());
      const inv = await h.ledger.createInvoice(invoice(c.id));
      const pay = await h.ledger.recordPayment({ externalRef: "pay-1", customerId: c.id, invoiceId: inv.id, amount: "0.10", date: "2026-03-10" });
      const cases: Array<[LedgerEntity, string, "create" | "update"]> = [
        ["customer", c.id, "create"],
        ["invoice", inv.id, "update"],
        ["payment", pay.id, "create"],
      ];
      const ids: string[] = [];
      const supported = h.changeEntities ?? ["customer", "invoice", "payment"];
      for (const [entity, id, operation] of cases.filter(([entity]) => supported.includes(entity))) {
        const events = h.ledger.toChangeEvents(await h.deliverChange(entity, id, operation));
        const matching = events.filter((e) => e.entity === entity && e.id === id);
        expect(matching, `${entity} ${operation}`).toHaveLength(1);
        const event = matching[0]!;
        expect(event).toMatchObject({ provider: name, entity, id, operation });
        expect(event.eventId).toMatch(/\S/);
        expectIso(event.occurredAt);
        expect(event.raw).toBeDefined();
        if (h.tenantId !== undefined) expect(event.tenantId).toBe(h.tenantId);
        ids.push(event.eventId);
      }
      expect(ids.length).toBeGreaterThan(0);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it("healthCheck is healthy against the fake", async () => {
      await expect(h.ledger.healthCheck()).resolves.toMatchObject({ status: "healthy" });
    });
  });
}

/**
 * One tenant's books in the fake: contacts, ACCREC/ACCPAY invoices and payments with Xero's rules
 * (shared/vendors/xero.md §4–6) — unique active contact names, ACCREC number auto-generation and
 * uniqueness, the status machine (VOIDED only from AUTHORISED without payments, DELETED only from
 * DRAFT/SUBMITTED), AmountDue/AmountPaid → PAID, the overpayment error, payment deletion — and a
 * change log the webhook emitter reads. Amounts are kept in cents (bigint), never floats.
 */
import { randomUUID } from "node:crypto";

/** A rule violation, answered as Xero's 400 ValidationException (or ErrorNumber 14 for bad post data). @internal */
export class FakeValidation extends Error {
  constructor(
    readonly messages: string[],
    readonly element: Record<string, unknown>,
    readonly postDataInvalid = false,
  ) {
    super(messages.join("; "));
  }
}

/** A record the fake does not hold (plain-text 404). @internal */
export class FakeNotFound extends Error {}

/** A change, as a webhook event will carry it. @public */
export interface FakeXeroChange {
  tenantId: string;
  eventCategory: "CONTACT" | "INVOICE";
  eventType: "CREATE" | "UPDATE";
  resourceId: string;
  /** UTC without a zone, as Xero sends it. */
  eventDateUtc: string;
}

/** An account of the fake's chart (seeded: 090 bank, 200/260 revenue, 400 expense). @public */
export interface FakeAccount {
  AccountID: string;
  Code: string;
  Name: string;
  Type: "BANK" | "REVENUE" | "EXPENSE" | "CURRLIAB";
  EnablePaymentsToAccount: boolean;
}

const msDate = (ms: number): string => `/Date(${ms}+0000)/`;
const utcNoZone = (ms: number): string => new Date(ms).toISOString().slice(0, 23);
const cents = (value: unknown): bigint | undefined => {
  if (typeof value !== "number" && typeof value !== "string") return undefined;
  const text = String(value).trim();
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return undefined;
  const frac = (m[3] ?? "").padEnd(2, "0");
  // Half away from zero past the second decimal, as Xero rounds line amounts.
  const extra = frac.length > 2 && Number(frac[2]) >= 5 ? 1n : 0n;
  const v = BigInt(m[2]!) * 100n + BigInt(frac.slice(0, 2)) + extra;
  return m[1] ? -v : v;
};
const num = (c: bigint): number => Number(c) / 100;
const LINE_AMOUNT_TYPES = new Set(["Exclusive", "Inclusive", "NoTax"]);

interface Stored {
  record: Record<string, unknown>;
  updatedAt: number;
}

/** @internal */
export function createBooks(options: { tenantId: string; now: () => number; accounts: FakeAccount[]; organisationName: string; changes: FakeXeroChange[] }) {
  const { now, tenantId } = options;
  const contacts = new Map<string, Stored>();
  const invoices = new Map<string, Stored>();
  const payments = new Map<string, Stored>();
  let invoiceSeq = 0;
  // The organisation id is the tenant id (xero-node matches connections to organisations on it).
  const organisation = { OrganisationID: tenantId, Name: options.organisationName, BaseCurrency: "USD", OrganisationType: "COMPANY", CountryCode: "US" };

  const record = (category: FakeXeroChange["eventCategory"], eventType: FakeXeroChange["eventType"], resourceId: string): void => {
    options.changes.push({ tenantId, eventCategory: category, eventType, resourceId, eventDateUtc: utcNoZone(now()) });
  };
  const today = (): string => new Date(now()).toISOString().slice(0, 10);
  const dateOf = (ymd: string): number => Date.parse(`${ymd}T00:00:00Z`);

  function activeNameTaken(name: string, except?: string): boolean {
    const wanted = name.trim().toLowerCase();
    return [...contacts.values()].some((c) => c.record.ContactID !== except && c.record.ContactStatus === "ACTIVE" && String(c.record.Name).trim().toLowerCase() === wanted);
  }

  function contactErrors(body: Record<string, unknown>, except?: string): string[] {
    const errors: string[] = [];
    const name = body.Name;
    if (name !== undefined || !except) {
      if (typeof name !== "string" || name.trim() === "") errors.push("The contact name must be specified.");
      else if (name.length > 255) errors.push("The contact name must not exceed 255 characters.");
      else if (activeNameTaken(name, except)) errors.push(`The contact name ${name} is already assigned to another contact. The contact name must be unique across all active contacts.`);
    }
    if (typeof body.ContactNumber === "string" && body.ContactNumber.length > 50) errors.push("The Contact Number must not exceed 50 characters.");
    if (typeof body.EmailAddress === "string" && (!/^[\x21-\x7e]+@[\x21-\x7e]+\.[\x21-\x7e]+$/.test(body.EmailAddress) || body.EmailAddress.length > 255)) errors.push("Email address must be valid.");
    return errors;
  }

  const CONTACT_FIELDS = ["Name", "ContactNumber", "AccountNumber", "EmailAddress", "FirstName", "LastName", "ContactStatus", "Phones", "Addresses"];

  function createContact(body: Record<string, unknown>): Record<string, unknown> {
    const errors = contactErrors(body);
    if (errors.length > 0) throw new FakeValidation(errors, body);
    const id = randomUUID();
    const contact: Record<string, unknown> = { ContactID: id, ContactStatus: "ACTIVE", IsSupplier: false, IsCustomer: false, Addresses: [], Phones: [], HasAttachments: false };
    for (const key of CONTACT_FIELDS) if (body[key] !== undefined) contact[key] = body[key];
    contacts.set(id, { record: contact, updatedAt: now() });
    record("CONTACT", "CREATE", id);
    return viewContact(id);
  }

  function findContact(idOrNumber: string): Stored | undefined {
    return contacts.get(idOrNumber.toLowerCase()) ?? [...contacts.values()].find((c) => c.record.ContactNumber === idOrNumber);
  }

  function updateContact(id: string, body: Record<string, unknown>): Record<string, unknown> {
    const stored = findContact(id);
    if (!stored) throw new FakeNotFound();
    const errors = contactErrors(body, String(stored.record.ContactID));
    if (errors.length > 0) throw new FakeValidation(errors, body);
    for (const key of CONTACT_FIELDS) if (body[key] !== undefined) stored.record[key] = body[key];
    stored.updatedAt = now();
    record("CONTACT", "UPDATE", String(stored.record.ContactID));
    return viewContact(String(stored.record.ContactID));
  }

  /** `POST /Contacts`: matched by ContactID or ContactNumber, else created. */
  function upsertContact(body: Record<string, unknown>): Record<string, unknown> {
    const match = typeof body.ContactID === "string" ? findContact(body.ContactID) : typeof body.ContactNumber === "string" ? findContact(body.ContactNumber) : undefined;
    if (typeof body.ContactID === "string" && !match) throw new FakeValidation([`The contact with ID ${body.ContactID} could not be found.`], body);
    return match ? updateContact(String(match.record.ContactID), body) : createContact(body);
  }

  function viewContact(id: string): Record<string, unknown> {
    const stored = contacts.get(id);
    if (!stored) throw new FakeNotFound();
    return { ...structuredClone(stored.record), UpdatedDateUTC: msDate(stored.updatedAt) };
  }

  // ── Invoices ──────────────────────────────────────────────────────────────────────────

  function resolveContact(ref: unknown, element: Record<string, unknown>): Stored {
    const c = ref && typeof ref === "object" ? (ref as Record<string, unknown>) : undefined;
    if (typeof c?.ContactID === "string") {
      const found = contacts.get(c.ContactID.toLowerCase());
      if (!found) throw new FakeValidation([`The contact with ID ${c.ContactID} could not be found.`], element);
      return found;
    }
    if (typeof c?.Name === "string" && c.Name.trim() !== "") {
      // An unknown name makes a contact (shared/vendors/xero.md §4).
      const byName = [...contacts.values()].find((s) => s.record.ContactStatus === "ACTIVE" && String(s.record.Name).toLowerCase() === c.Name!.toString().toLowerCase());
      return byName ?? contacts.get(String(createContact({ Name: c.Name }).ContactID))!;
    }
    throw new FakeValidation(["A Contact must be specified for this type of transaction"], element);
  }

  function totals(invoice: Record<string, unknown>): void {
    const lines = (invoice.LineItems as Array<Record<string, unknown>>) ?? [];
    let sub = 0n;
    let tax = 0n;
    for (const line of lines) {
      sub += cents(line.LineAmount) ?? 0n;
      tax += cents(line.TaxAmount) ?? 0n;
    }
    const inclusive = invoice.LineAmountTypes === "Inclusive";
    const total = inclusive ? sub : sub + tax;
    const paid = ((invoice.Payments as Array<Record<string, unknown>>) ?? []).reduce((s, p) => s + (cents(p.Amount) ?? 0n), 0n);
    invoice.SubTotal = num(inclusive ? sub - tax : sub);
    invoice.TotalTax = num(tax);
    invoice.Total = num(total);
    invoice.AmountPaid = num(paid);
    invoice.AmountCredited = 0;
    invoice.AmountDue = num(total - paid);
  }

  function lineItems(raw: unknown, element: Record<string, unknown>): Array<Record<string, unknown>> {
    if (!Array.isArray(raw) || raw.length === 0) throw new FakeValidation(["Invoices must have at least one line item."], element);
    const errors: string[] = [];
    const lines = raw.map((entry) => {
      const line = entry && typeof entry === "object" ? { ...(entry as Record<string, unknown>) } : {};
      if (typeof line.Description !== "string" || line.Description === "") errors.push("Description is required for a line item.");
      const quantity = line.Quantity === undefined ? 1 : line.Quantity;
      const unit = line.UnitAmount;
      let amount = cents(line.LineAmount);
      if (unit !== undefined) {
        const q = cents(quantity);
        const u = cents(unit);
        if (q !== undefined && u !== undefined) {
          // q and u in cents: q·u has 4 decimals; round half away from zero to cents.
          const product = q * u;
          const abs = product < 0n ? -product : product;
          const rounded = (abs + 50n) / 100n;
          const expected = product < 0n ? -rounded : rounded;
          const discount = typeof line.DiscountRate === "number" ? BigInt(Math.round(line.DiscountRate * 100)) : 0n;
          const discounted = discount ? (expected * (10_000n - discount) + 5_000n) / 10_000n : expected;
          if (amount !== undefined && amount !== discounted) errors.push(`The line total ${num(amount).toFixed(2)} does not match the expected line total ${num(discounted).toFixed(2)}`);
          amount = discounted;
        }
      }
      if (typeof line.AccountCode === "string" && !options.accounts.some((a) => a.Code === line.AccountCode && a.Type !== "BANK")) {
        errors.push(`Account code '${line.AccountCode}' is not a valid code for this document.`);
      }
      return {
        LineItemID: typeof line.LineItemID === "string" ? line.LineItemID : randomUUID(),
        Description: line.Description,
        Quantity: Number(quantity),
        ...(unit !== undefined ? { UnitAmount: Number(unit) } : {}),
        ...(line.AccountCode !== undefined ? { AccountCode: line.AccountCode } : {}),
        ...(line.ItemCode !== undefined ? { ItemCode: line.ItemCode } : {}),
        TaxType: line.TaxType ?? "NONE",
        TaxAmount: Number(line.TaxAmount ?? 0),
        LineAmount: num(amount ?? 0n),
        ...(line.DiscountRate !== undefined ? { DiscountRate: line.DiscountRate } : {}),
        Tracking: [],
      };
    });
    if (errors.length > 0) throw new FakeValidation(errors, element);
    return lines;
  }

  function createInvoice(body: Record<string, unknown>): Record<string, unknown> {
    if (body.LineAmountTypes !== undefined && !LINE_AMOUNT_TYPES.has(String(body.LineAmountTypes))) throw new FakeValidation([`Invalid LineAmountTypes ${String(body.LineAmountTypes)}`], body, true);
    if (body.Type !== "ACCREC" && body.Type !== "ACCPAY") throw new FakeValidation(["Invoice Type must be specified (ACCREC or ACCPAY)."], body);
    const status = (body.Status as string | undefined) ?? "DRAFT";
    if (!["DRAFT", "SUBMITTED", "AUTHORISED"].includes(status)) throw new FakeValidation([`Invoice status ${status} is not valid for a new invoice.`], body);
    for (const key of ["Date", "DueDate"] as const) {
      if (body[key] !== undefined && (typeof body[key] !== "string" || Number.isNaN(Date.parse(String(body[key]))))) throw new FakeValidation([`${key} is not a valid date`], body, true);
    }
    const contact = resolveContact(body.Contact, body);
    const lines = lineItems(body.LineItems, body);
    let number = typeof body.InvoiceNumber === "string" ? body.InvoiceNumber : undefined;
    if (body.Type === "ACCREC") {
      if (number && [...invoices.values()].some((i) => i.record.Type === "ACCREC" && i.record.InvoiceNumber === number)) throw new FakeValidation(["Invoice # must be unique."], body);
      if (!number) {
        do number = `INV-${String(++invoiceSeq).padStart(4, "0")}`;
        while ([...invoices.values()].some((i) => i.record.Type === "ACCREC" && i.record.InvoiceNumber === number));
      }
    }
    const id = randomUUID();
    const date = typeof body.Date === "string" ? body.Date.slice(0, 10) : today();
    const invoice: Record<string, unknown> = {
      InvoiceID: id,
      Type: body.Type,
      InvoiceNumber: number ?? "",
      Reference: typeof body.Reference === "string" && body.Type === "ACCREC" ? body.Reference : "",
      Contact: { ContactID: contact.record.ContactID, Name: contact.record.Name },
      Status: status,
      LineAmountTypes: body.LineAmountTypes ?? "Exclusive",
      LineItems: lines,
      CurrencyCode: body.CurrencyCode ?? "USD",
      CurrencyRate: 1,
      _date: date,
      _due: typeof body.DueDate === "string" ? body.DueDate.slice(0, 10) : undefined,
      Payments: [],
      HasAttachments: false,
    };
    totals(invoice);
    invoices.set(id, { record: invoice, updatedAt: now() });
    if (body.Type === "ACCREC") contact.record.IsCustomer = true;
    else contact.record.IsSupplier = true;
    record("INVOICE", "CREATE", id);
    return viewInvoice(id);
  }

  function findInvoice(idOrNumber: string): Stored | undefined {
    return invoices.get(idOrNumber.toLowerCase()) ?? [...invoices.values()].find((i) => i.record.InvoiceNumber === idOrNumber);
  }

  const TRANSITIONS: Record<string, string[]> = {
    DRAFT: ["DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"],
    SUBMITTED: ["DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"],
    AUTHORISED: ["AUTHORISED", "VOIDED"],
    PAID: ["PAID"],
    VOIDED: [],
    DELETED: [],
  };

  function updateInvoice(id: string, body: Record<string, unknown>): Record<string, unknown> {
    const stored = findInvoice(id);
    if (!stored) throw new FakeNotFound();
    const invoice = stored.record;
    const current = String(invoice.Status);
    const next = typeof body.Status === "string" ? body.Status : current;
    const hasPayments = ((invoice.Payments as unknown[]) ?? []).length > 0;
    if (!TRANSITIONS[current]?.includes(next) || (next === "VOIDED" && hasPayments)) {
      throw new FakeValidation([next === "VOIDED" && hasPayments ? "This document cannot be voided as it has payments allocated to it." : "Invoice not of valid status for modification"], body);
    }
    const editable = current === "DRAFT" || current === "SUBMITTED";
    if (body.LineItems !== undefined) {
      if (!editable) throw new FakeValidation(["Invoice not of valid status for modification"], body);
      invoice.LineItems = lineItems(body.LineItems, body);
    }
    if (typeof body.Reference === "string") invoice.Reference = body.Reference;
    if (typeof body.DueDate === "string") invoice._due = body.DueDate.slice(0, 10);
    if (typeof body.Date === "string" && editable) invoice._date = body.Date.slice(0, 10);
    invoice.Status = next;
    totals(invoice);
    stored.updatedAt = now();
    record("INVOICE", "UPDATE", String(invoice.InvoiceID));
    return viewInvoice(String(invoice.InvoiceID));
  }

  function viewInvoice(id: string, withLines = true): Record<string, unknown> {
    const stored = invoices.get(id);
    if (!stored) throw new FakeNotFound();
    const { _date, _due, ...rest } = structuredClone(stored.record);
    const view: Record<string, unknown> = {
      ...rest,
      Date: msDate(dateOf(String(_date))),
      DateString: `${String(_date)}T00:00:00`,
      ...(_due ? { DueDate: msDate(dateOf(String(_due))), DueDateString: `${String(_due)}T00:00:00` } : {}),
      UpdatedDateUTC: msDate(stored.updatedAt),
    };
    if (!withLines) delete view.LineItems;
    return view;
  }

  // ── Payments ──────────────────────────────────────────────────────────────────────────

  function createPayment(body: Record<string, unknown>): Record<string, unknown> {
    const ref = body.Invoice && typeof body.Invoice === "object" ? (body.Invoice as Record<string, unknown>) : {};
    const stored = typeof ref.InvoiceID === "string" ? invoices.get(ref.InvoiceID.toLowerCase()) : typeof ref.InvoiceNumber === "string" ? findInvoice(ref.InvoiceNumber) : undefined;
    if (!stored) throw new FakeValidation(["Invoice could not be found"], body);
    const acc = body.Account && typeof body.Account === "object" ? (body.Account as Record<string, unknown>) : {};
    const account = options.accounts.find((a) => (typeof acc.Code === "string" && a.Code === acc.Code) || (typeof acc.AccountID === "string" && a.AccountID === acc.AccountID.toLowerCase()));
    const errors: string[] = [];
    if (!account) errors.push("Account could not be found");
    else if (account.Type !== "BANK" && !account.EnablePaymentsToAccount) errors.push("Payments can only be made to accounts of type BANK or with EnablePaymentsToAccount set");
    const invoice = stored.record;
    if (invoice.Status !== "AUTHORISED") errors.push("Payment can only be applied to an AUTHORISED document");
    const amount = cents(body.Amount);
    if (amount === undefined || amount <= 0n) errors.push("Payment amount must be greater than zero");
    else if (amount > (cents(invoice.AmountDue) ?? 0n)) errors.push("Payment amount exceeds the amount outstanding on this document");
    if (typeof body.Date !== "string" || Number.isNaN(Date.parse(body.Date))) errors.push("Payment date must be specified");
    if (errors.length > 0) throw new FakeValidation(errors, body);
    const id = randomUUID();
    const date = String(body.Date).slice(0, 10);
    const payment: Record<string, unknown> = {
      PaymentID: id,
      _date: date,
      Amount: num(amount!),
      BankAmount: num(amount!),
      CurrencyRate: 1,
      Reference: typeof body.Reference === "string" ? body.Reference : "",
      Status: "AUTHORISED",
      PaymentType: invoice.Type === "ACCPAY" ? "ACCPAYPAYMENT" : "ACCRECPAYMENT",
      IsReconciled: false,
      HasAccount: true,
      Account: { AccountID: account!.AccountID, Code: account!.Code },
      _invoiceId: invoice.InvoiceID,
    };
    payments.set(id, { record: payment, updatedAt: now() });
    (invoice.Payments as Array<Record<string, unknown>>).push({ PaymentID: id, Date: msDate(dateOf(date)), Amount: num(amount!), Reference: payment.Reference });
    totals(invoice);
    if ((cents(invoice.AmountDue) ?? 0n) === 0n) {
      invoice.Status = "PAID";
      invoice.FullyPaidOnDate = msDate(dateOf(date));
    }
    stored.updatedAt = now();
    record("INVOICE", "UPDATE", String(invoice.InvoiceID));
    return viewPayment(id);
  }

  function updatePayment(id: string, body: Record<string, unknown>): Record<string, unknown> {
    const stored = payments.get(id.toLowerCase());
    if (!stored) throw new FakeNotFound();
    if (body.Status !== "DELETED") throw new FakeValidation(["Only the Status of a payment can be changed, to DELETED"], body);
    if (stored.record.Status !== "DELETED") {
      stored.record.Status = "DELETED";
      stored.updatedAt = now();
      const invoice = invoices.get(String(stored.record._invoiceId));
      if (invoice) {
        invoice.record.Payments = (invoice.record.Payments as Array<Record<string, unknown>>).filter((p) => p.PaymentID !== id.toLowerCase());
        totals(invoice.record);
        if (invoice.record.Status === "PAID") {
          invoice.record.Status = "AUTHORISED";
          delete invoice.record.FullyPaidOnDate;
        }
        invoice.updatedAt = now();
        record("INVOICE", "UPDATE", String(invoice.record.InvoiceID));
      }
    }
    return viewPayment(String(stored.record.PaymentID));
  }

  function viewPayment(id: string): Record<string, unknown> {
    const stored = payments.get(id);
    if (!stored) throw new FakeNotFound();
    const { _date, _invoiceId, ...rest } = structuredClone(stored.record);
    const invoice = invoices.get(String(_invoiceId))?.record;
    return {
      ...rest,
      Date: msDate(dateOf(String(_date))),
      UpdatedDateUTC: msDate(stored.updatedAt),
      Invoice: invoice
        ? { InvoiceID: invoice.InvoiceID, InvoiceNumber: invoice.InvoiceNumber, Type: invoice.Type, Contact: structuredClone(invoice.Contact) }
        : { InvoiceID: _invoiceId },
    };
  }

  return {
    organisation: () => ({ ...organisation }),
    contacts: {
      create: createContact,
      update: updateContact,
      upsert: upsertContact,
      get: (id: string) => {
        const stored = findContact(id);
        if (!stored) throw new FakeNotFound();
        return viewContact(String(stored.record.ContactID));
      },
      all: () => [...contacts.entries()].map(([id, s]) => ({ view: viewContact(id), updatedAt: s.updatedAt })),
    },
    invoices: {
      create: createInvoice,
      update: updateInvoice,
      get: (id: string) => {
        const stored = findInvoice(id);
        if (!stored) throw new FakeNotFound();
        return viewInvoice(String(stored.record.InvoiceID));
      },
      all: (withLines: boolean) => [...invoices.entries()].map(([id, s]) => ({ view: viewInvoice(id, withLines), updatedAt: s.updatedAt })),
    },
    payments: {
      create: createPayment,
      update: updatePayment,
      get: (id: string) => {
        if (!payments.has(id.toLowerCase())) throw new FakeNotFound();
        return viewPayment(id.toLowerCase());
      },
      all: () => [...payments.entries()].map(([id, s]) => ({ view: viewPayment(id), updatedAt: s.updatedAt })),
    },
  };
}

/** One tenant's books. @internal */
export type FakeBooks = ReturnType<typeof createBooks>;

/**
 * `createXeroLedger`: core's provider-neutral `Ledger` on a Xero client. Customers are contacts
 * (the platform's reference in `ContactNumber`), invoices are ACCREC invoices (the reference in
 * `Reference`, or `InvoiceNumber`, which Xero keeps unique), payments carry the reference in
 * `Reference`. Every create looks for what an earlier attempt made before writing, and the write
 * itself carries an Idempotency-Key — so a retried call never books twice.
 */
import {
  ledgerInvoiceStatus,
  parseUntrusted,
  ValidationError,
  type HealthResult,
  type IntegrationContext,
  type Ledger,
  type LedgerBalance,
  type LedgerChangeEvent,
  type LedgerCustomer,
  type LedgerCustomerInput,
  type LedgerInvoice,
  type LedgerInvoiceInput,
  type LedgerInvoiceStatus,
  type LedgerPayment,
  type LedgerPaymentInput, lazySchema, unlazy } from "@connect/core";
import { z } from "zod";
import type { XeroClient } from "./client.js";
import { DuplicateContactNameError } from "./errors.js";
import { toCents, unitsToDecimal, wireToDecimal } from "./money.js";
import { parseXeroDate, XeroDateInput, type XeroContact, type XeroInvoice, type XeroPayment } from "./schemas.js";
import { parseXeroWebhook, toXeroEvent, XeroWebhookEventWire, type XeroWebhookEvent } from "./webhooks/events.js";
import { whereEquals } from "./where.js";

/** Options of {@link createXeroLedger}. @public */
export interface XeroLedgerOptions {
  /** Revenue account code of invoice lines without `itemRef`. Default `200` (Xero's demo "Sales"). */
  salesAccountCode?: string | undefined;
  /** Bank account code payments are booked to without `accountRef`. Default `090`. */
  paymentAccountCode?: string | undefined;
  /** Status new invoices get. Default `AUTHORISED` (payments need it). */
  invoiceStatus?: "DRAFT" | "SUBMITTED" | "AUTHORISED" | undefined;
  /** `LineAmountTypes` of new invoices. Default `NoTax`. */
  lineAmountTypes?: "Exclusive" | "Inclusive" | "NoTax" | undefined;
  /** `TaxType` of new invoice lines (e.g. `NONE`); Xero's account default when omitted. */
  taxType?: string | undefined;
  /** Contact field holding the customer's external reference. Default `ContactNumber`. */
  customerRefField?: "ContactNumber" | "AccountNumber" | undefined;
  /** Invoice field holding the invoice's external reference. Default `Reference`. */
  invoiceRefField?: "Reference" | "InvoiceNumber" | undefined;
  /** Clock (epoch ms), for `asOf`. */
  now?: (() => number) | undefined;
}

const Uuid = lazySchema(() =>
  z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a Xero id (a UUID)"),
);
const Amount = lazySchema(() =>
  z.string().refine((v) => /^\d{1,13}(\.\d{1,2})?$/.test(v.trim()), { message: 'must be a decimal string with at most 2 decimals ("12500.50")' }),
);
const PositiveAmount = lazySchema(() =>
  unlazy(Amount).refine((v) => (toCents(v) ?? 0n) > 0n, { message: "must be more than 0" }),
);
const Ymd = XeroDateInput;

const CustomerInput = lazySchema(() =>
  z.object({
  externalRef: z.string().trim().min(1).max(50),
  displayName: z.string().trim().min(1).max(255),
  email: z.email().max(255).optional(),
  phone: z.string().min(1).max(50).optional(),
  address: z
    .object({ line1: z.string().max(500).optional(), line2: z.string().max(500).optional(), city: z.string().max(255).optional(), region: z.string().max(255).optional(), postalCode: z.string().max(50).optional(), country: z.string().max(50).optional() })
    .optional(),
}),
);
const InvoiceInput = lazySchema(() =>
  z.object({
  externalRef: z.string().trim().min(1).max(255),
  customerId: unlazy(Uuid),
  issueDate: Ymd,
  dueDate: Ymd.optional(),
  currency: z.string().regex(/^[A-Z]{3}$/).optional(),
  lines: z.array(z.object({ description: z.string().min(1).max(4000), amount: unlazy(PositiveAmount), itemRef: z.string().min(1).max(10).optional() })).min(1),
  memo: z.string().max(255).optional(),
}),
);
const PaymentInput = lazySchema(() =>
  z.object({
  externalRef: z.string().trim().min(1).max(255),
  customerId: unlazy(Uuid),
  invoiceId: unlazy(Uuid),
  amount: unlazy(PositiveAmount),
  date: Ymd,
  accountRef: z.string().min(1).max(10).optional(),
  reference: z.string().max(255).optional(),
}),
);

function checked<T extends z.ZodType>(schema: T, value: unknown, operation: string): z.output<T> {
  const parsed = parseUntrusted(schema, value);
  if (parsed.success) return parsed.data;
  throw new ValidationError(`xero ledger.${operation}: invalid input — ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, {
    vendor: "xero",
    operation: `ledger.${operation}`,
    issues: parsed.issues,
  });
}

const iso = (value: string | undefined): string | undefined => parseXeroDate(value)?.toISOString();
/** The calendar date of a Xero date (its `…String` twin when present: it is the org-local date). */
const ymdOf = (twin: string | undefined, value: string | undefined): string | undefined => twin?.slice(0, 10) ?? parseXeroDate(value)?.toISOString().slice(0, 10);

/** Xero's invoice status in the ledger's words. @public */
export function xeroInvoiceStatus(status: string | undefined, total: string, balance: string): LedgerInvoiceStatus {
  switch (status) {
    case "DRAFT":
    case "SUBMITTED":
      return "draft";
    case "PAID":
      return "paid";
    case "VOIDED":
    case "DELETED":
      return "voided";
    default:
      return ledgerInvoiceStatus(total, balance);
  }
}

/**
 * A `Ledger` over a Xero client (one tenant).
 * @example
 * const ledger = createXeroLedger(createXeroClient({ tenantId, tokens, clientId, clientSecret }), { salesAccountCode: "260" });
 * const customer = await ledger.createCustomer({ externalRef: "L-1001", displayName: "Ana Builder" });
 * @public
 */
export function createXeroLedger(client: XeroClient, options: XeroLedgerOptions = {}): Ledger {
  const salesAccountCode = options.salesAccountCode ?? "200";
  const paymentAccountCode = options.paymentAccountCode ?? "090";
  const customerRef = options.customerRefField ?? "ContactNumber";
  const invoiceRef = options.invoiceRefField ?? "Reference";
  const now = options.now ?? Date.now;

  const customerOf = (contact: XeroContact): LedgerCustomer => ({
    provider: "xero",
    id: contact.ContactID,
    externalRef: contact[customerRef],
    displayName: contact.Name ?? "",
    email: contact.EmailAddress,
    updatedAt: iso(contact.UpdatedDateUTC),
  });

  const invoiceOf = (invoice: XeroInvoice): LedgerInvoice => {
    const total = wireToDecimal(invoice.Total);
    const balance = invoice.Status === "VOIDED" || invoice.Status === "DELETED" ? "0.00" : wireToDecimal(invoice.AmountDue ?? invoice.Total);
    return {
      provider: "xero",
      id: invoice.InvoiceID,
      number: invoice.InvoiceNumber,
      externalRef: invoice[invoiceRef],
      customerId: invoice.Contact?.ContactID ?? "",
      status: xeroInvoiceStatus(invoice.Status, total, balance),
      total,
      balance,
      currency: invoice.CurrencyCode,
      issueDate: ymdOf(invoice.DateString as string | undefined, invoice.Date),
      dueDate: ymdOf(invoice.DueDateString as string | undefined, invoice.DueDate),
      updatedAt: iso(invoice.UpdatedDateUTC),
    };
  };

  const paymentOf = (payment: XeroPayment, externalRef?: string): LedgerPayment => ({
    provider: "xero",
    id: payment.PaymentID,
    externalRef: payment.Reference ?? externalRef,
    customerId: payment.Invoice?.Contact?.ContactID,
    invoiceId: payment.Invoice?.InvoiceID,
    amount: wireToDecimal(payment.Amount),
    date: parseXeroDate(payment.Date)?.toISOString().slice(0, 10),
  });

  async function findCustomer(externalRef: string, ctx?: IntegrationContext): Promise<LedgerCustomer | undefined> {
    const found = await client.contacts.findByExternalRef({ externalRef, field: customerRef }, ctx);
    return found ? customerOf(found) : undefined;
  }

  async function findInvoiceRaw(externalRef: string, ctx?: IntegrationContext): Promise<XeroInvoice | undefined> {
    const page =
      invoiceRef === "InvoiceNumber"
        ? await client.invoices.list({ invoiceNumbers: [externalRef], page: 1 }, ctx)
        : await client.invoices.list({ where: `Type=="ACCREC" AND ${whereEquals("Reference", externalRef)}`, page: 1 }, ctx);
    const live = page.items.filter((i) => i.Type !== "ACCPAY" && i.Status !== "DELETED" && i[invoiceRef] === externalRef);
    // A voided invoice with the reference counts only when no live one has it.
    return live.find((i) => i.Status !== "VOIDED") ?? live[0];
  }

  return {
    provider: "xero",

    async createCustomer(raw: LedgerCustomerInput, ctx) {
      const input = checked(CustomerInput, raw, "createCustomer");
      const existing = await findCustomer(input.externalRef, ctx);
      if (existing) return existing;
      const address = input.address;
      try {
        const contact = await client.contacts.create(
          {
            Name: input.displayName,
            [customerRef]: input.externalRef,
            ...(input.email ? { EmailAddress: input.email } : {}),
            ...(input.phone ? { Phones: [{ PhoneType: "DEFAULT" as const, PhoneNumber: input.phone }] } : {}),
            ...(address
              ? { Addresses: [{ AddressType: "STREET" as const, AddressLine1: address.line1, AddressLine2: address.line2, City: address.city, Region: address.region, PostalCode: address.postalCode, Country: address.country }] }
              : {}),
          },
          ctx,
        );
        return customerOf(contact);
      } catch (error) {
        // Another attempt (a worker racing this one) may have made it under the same name.
        if (error instanceof DuplicateContactNameError) {
          const made = await findCustomer(input.externalRef, ctx);
          if (made) return made;
        }
        throw error;
      }
    },

    findCustomer: async (externalRef, ctx) => findCustomer(checked(CustomerInput.shape.externalRef, externalRef, "findCustomer"), ctx),

    async createInvoice(raw: LedgerInvoiceInput, ctx) {
      const input = checked(InvoiceInput, raw, "createInvoice");
      const existing = await findInvoiceRaw(input.externalRef, ctx);
      if (existing) return invoiceOf(existing);
      const invoice = await client.invoices.create(
        {
          Type: "ACCREC",
          Contact: { ContactID: input.customerId },
          Date: input.issueDate,
          // Xero needs a due date to approve an invoice.
          DueDate: input.dueDate ?? input.issueDate,
          LineAmountTypes: options.lineAmountTypes ?? "NoTax",
          Status: options.invoiceStatus ?? "AUTHORISED",
          ...(input.currency ? { CurrencyCode: input.currency } : {}),
          ...(invoiceRef === "InvoiceNumber" ? { InvoiceNumber: input.externalRef, ...(input.memo ? { Reference: input.memo } : {}) } : { Reference: input.externalRef }),
          LineItems: input.lines.map((line) => ({
            Description: line.description,
            Quantity: "1",
            UnitAmount: line.amount,
            AccountCode: line.itemRef ?? salesAccountCode,
            ...(options.taxType ? { TaxType: options.taxType } : {}),
          })),
        },
        ctx,
      );
      return invoiceOf(invoice);
    },

    getInvoice: async (id, ctx) => invoiceOf(await client.invoices.get({ id: checked(Uuid, id, "getInvoice") }, ctx)),

    async findInvoice(externalRef, ctx) {
      const found = await findInvoiceRaw(checked(InvoiceInput.shape.externalRef, externalRef, "findInvoice"), ctx);
      return found ? invoiceOf(found) : undefined;
    },

    async recordPayment(raw: LedgerPaymentInput, ctx) {
      const input = checked(PaymentInput, raw, "recordPayment");
      const existing = await client.payments.findByReference({ reference: input.externalRef }, ctx);
      if (existing) return paymentOf(existing, input.externalRef);
      const invoice = await client.invoices.get({ id: input.invoiceId }, ctx);
      if (invoice.Contact?.ContactID && invoice.Contact.ContactID.toLowerCase() !== input.customerId.toLowerCase()) {
        throw new ValidationError(`xero ledger.recordPayment: invoice ${input.invoiceId} belongs to another customer (${invoice.Contact.ContactID}), not ${input.customerId}`, {
          vendor: "xero",
          operation: "ledger.recordPayment",
          issues: [{ path: "customerId", message: "does not own the invoice" }],
        });
      }
      const due = toCents(invoice.AmountDue ?? 0) ?? 0n;
      const amount = toCents(input.amount)!;
      if (amount > due) {
        throw new ValidationError(`xero ledger.recordPayment: ${input.amount} is more than the ${unitsToDecimal(due)} outstanding on invoice ${input.invoiceId}`, {
          vendor: "xero",
          operation: "ledger.recordPayment",
          issues: [{ path: "amount", message: `exceeds the amount outstanding (${unitsToDecimal(due)})` }],
        });
      }
      const payment = await client.payments.create(
        { Invoice: { InvoiceID: input.invoiceId }, Account: { Code: input.accountRef ?? paymentAccountCode }, Date: input.date, Amount: input.amount, Reference: input.externalRef },
        ctx,
      );
      return paymentOf(payment, input.externalRef);
    },

    async balance(customerId, ctx): Promise<LedgerBalance> {
      const id = checked(Uuid, customerId, "balance");
      let outstanding = 0n;
      let openInvoices = 0;
      let currency: string | undefined;
      for await (const invoice of client.invoices.all({ contactIds: [id], statuses: ["AUTHORISED"] }, ctx)) {
        if (invoice.Type === "ACCPAY") continue;
        const due = toCents(invoice.AmountDue ?? 0) ?? 0n;
        if (due <= 0n) continue;
        outstanding += due;
        openInvoices += 1;
        currency ??= invoice.CurrencyCode;
      }
      return { provider: "xero", customerId: id, outstanding: unitsToDecimal(outstanding), openInvoices, currency, asOf: new Date(now()).toISOString() };
    },

    toChangeEvents(payload: unknown): LedgerChangeEvent[] {
      return eventsOf(payload).flatMap((event): LedgerChangeEvent[] => {
        const entity = event.eventCategory === "CONTACT" ? "customer" : event.eventCategory === "INVOICE" ? "invoice" : undefined;
        if (!entity) return [];
        return [
          {
            provider: "xero",
            eventId: event.id,
            entity,
            id: event.resourceId,
            operation: event.eventType === "CREATE" ? "create" : "update",
            occurredAt: event.occurredAt,
            tenantId: event.tenantId,
            raw: event.raw,
          },
        ];
      });
    },

    healthCheck: (): Promise<HealthResult> => client.healthCheck(),
  };
}

/** The events of what a receiver hands over: parsed events, one event, or the raw payload. */
function eventsOf(payload: unknown): XeroWebhookEvent[] {
  const one = (value: unknown): XeroWebhookEvent | undefined => {
    if (value && typeof value === "object" && "occurredAt" in value && "id" in value && "raw" in value) return value as XeroWebhookEvent;
    const parsed = parseUntrusted(XeroWebhookEventWire, value);
    return parsed.success ? toXeroEvent(parsed.data) : undefined;
  };
  if (Array.isArray(payload)) return payload.map(one).filter((e): e is XeroWebhookEvent => e !== undefined);
  if (payload && typeof payload === "object" && Array.isArray((payload as { events?: unknown }).events)) {
    // A ParsedXeroWebhook holds parsed events; anything else with `events` is the raw payload.
    if ("intentToReceive" in payload) return (payload as unknown as { events: unknown[] }).events.map(one).filter((e): e is XeroWebhookEvent => e !== undefined);
    return parseXeroWebhook(payload).events;
  }
  if (typeof payload === "string" || Buffer.isBuffer(payload)) return parseXeroWebhook(payload).events;
  const single = one(payload);
  return single ? [single] : [];
}

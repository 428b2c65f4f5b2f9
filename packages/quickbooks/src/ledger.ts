/**
 * QuickBooks Online as core's provider-neutral `Ledger` (packages/core/src/ledger.ts): a
 * customer is a Customer, an invoice an Invoice with one sales line per ledger line, a payment a
 * Payment applied to one invoice. QuickBooks has no external-id field, so the platform's
 * reference is kept where QuickBooks can find it again:
 *
 * - customer: at the end of the DisplayName, `Ana Borrower (LN-1001)` — the loan-servicing
 *   helpers' convention (`(Loan L-1001)`), which also keeps DisplayName unique as QuickBooks
 *   requires — found with `DisplayName LIKE '%(<ref>)'`;
 * - invoice: the DocNumber (≤ 21 characters, queryable), and `[ref:<ref>]` in the PrivateNote;
 * - payment: `[ref:<ref>]` in the PrivateNote, found among the customer's payments.
 *
 * Amounts go through money.ts (digit strings to cents and back), never float arithmetic.
 */
import {
  ConflictError,
  ledgerInvoiceStatus,
  NotFoundError,
  toFieldIssues,
  ValidationError,
  type HealthResult,
  type IntegrationContext,
  type Ledger,
  type LedgerBalance,
  type LedgerChangeEvent,
  type LedgerCustomer,
  type LedgerCustomerInput,
  type LedgerEntity,
  type LedgerInvoice,
  type LedgerInvoiceInput,
  type LedgerPayment,
  type LedgerPaymentInput, lazySchema, unlazy } from "@connect/core";
import { z } from "zod";
import type { QuickBooksClient } from "./client.js";
import { FAULT_CODES } from "./errors.js";
import { centsToDecimal, centsToWire, toCents, wireToCents } from "./money.js";
import type { Customer, Invoice, Payment } from "./schemas.js";
import { parseQuickBooksWebhook, type QuickBooksEntityChange } from "./webhooks/events.js";

/** What the ledger needs of a QuickBooks client: its entities, query helper and health check. @public */
export type QuickBooksLedgerClient = Pick<QuickBooksClient, "customers" | "invoices" | "payments" | "query" | "healthCheck">;

/** Options of {@link createQuickBooksLedger}. @public */
export interface QuickBooksLedgerOptions {
  /** Item that lines without `itemRef` book to. Default: the item named `itemName`, looked up once. */
  itemId?: string | undefined;
  /** Name of the default item when `itemId` is not given. Default `Services`. */
  itemName?: string | undefined;
  /** Deposit account payments without `accountRef` book to. Default: QuickBooks' own (Undeposited Funds). */
  depositAccountId?: string | undefined;
  /** The DocNumber of an invoice's externalRef (≤ 21 characters). Default: the externalRef itself. */
  invoiceNumber?: ((externalRef: string) => string) | undefined;
  /** Clock (epoch ms) for `balance().asOf` and change events without a time. */
  now?: (() => number) | undefined;
}

const VENDOR = "quickbooks";

// ── Input checks (before any request) ───────────────────────────────────────────────────
const AMOUNT = /^\d{1,13}(?:\.\d{1,2})?$/;
const isCalendarDate = (value: string): boolean => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.getUTCFullYear() === Number(match[1]) && date.getUTCMonth() === Number(match[2]) - 1 && date.getUTCDate() === Number(match[3]);
};
const Amount = lazySchema(() =>
  z
  .string()
  .regex(AMOUNT, "must be a positive decimal string with at most 2 decimals (\"12500.50\")")
  .refine((value) => !AMOUNT.test(value) || toCents(value) > 0, "must be more than zero"),
);
const DateOnly = lazySchema(() =>
  z.string().refine(isCalendarDate, "must be a calendar date YYYY-MM-DD"),
);
const Id = lazySchema(() =>
  z.string().regex(/^\d{1,20}$/, "must be a QuickBooks id (a string of digits)"),
);
const Ref = lazySchema(() =>
  z
  .string()
  .min(1)
  .max(100)
  .refine((ref) => !/[[\]()%\r\n]/.test(ref) && ref.trim() === ref, "may not contain [ ] ( ) %, line breaks or surrounding spaces"),
);

const CustomerInput = lazySchema(() =>
  z.strictObject({
  externalRef: unlazy(Ref).refine((ref) => !ref.includes(":"), "may not contain ':' (it becomes part of the DisplayName)"),
  displayName: z.string().trim().min(1).max(400).refine((name) => !name.includes(":"), "may not contain ':'"),
  email: z.email().optional(),
  phone: z.string().min(1).max(30).optional(),
  address: z
    .strictObject({
      line1: z.string().max(500).optional(),
      line2: z.string().max(500).optional(),
      city: z.string().max(255).optional(),
      region: z.string().max(255).optional(),
      postalCode: z.string().max(30).optional(),
      country: z.string().max(255).optional(),
    })
    .optional(),
}),
);

const InvoiceInput = lazySchema(() =>
  z
  .strictObject({
    externalRef: unlazy(Ref),
    customerId: unlazy(Id),
    issueDate: unlazy(DateOnly),
    dueDate: unlazy(DateOnly).optional(),
    currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code").optional(),
    lines: z.array(z.strictObject({ description: z.string().min(1).max(4000), amount: unlazy(Amount), itemRef: unlazy(Id).optional() })).min(1, "an invoice needs at least one line"),
    memo: z.string().max(3800).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.dueDate && isCalendarDate(input.dueDate) && isCalendarDate(input.issueDate) && input.dueDate < input.issueDate) {
      ctx.addIssue({ code: "custom", path: ["dueDate"], message: "must not be before issueDate" });
    }
  }),
);

const PaymentInput = lazySchema(() =>
  z.strictObject({
  externalRef: unlazy(Ref),
  customerId: unlazy(Id),
  invoiceId: unlazy(Id),
  amount: unlazy(Amount),
  date: unlazy(DateOnly),
  accountRef: unlazy(Id).optional(),
  reference: z.string().min(1).max(21, "QuickBooks keeps at most 21 characters (PaymentRefNum)").optional(),
}),
);

function invalid(operation: string, issues: Array<{ path: string; message: string }>): ValidationError {
  return new ValidationError(`${VENDOR} ${operation}: invalid input — ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, { vendor: VENDOR, operation, issues });
}

function check<T extends z.ZodType>(schema: T, input: unknown, operation: string): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalid(operation, toFieldIssues(parsed.error));
  return parsed.data;
}

// ── Where the reference lives ────────────────────────────────────────────────────────────
const marker = (ref: string): string => `[ref:${ref}]`;
/** The `[ref:…]` kept in a PrivateNote. @internal */
export function refInNote(note: unknown): string | undefined {
  return typeof note === "string" ? /\[ref:([^\]\r\n]+)\]/.exec(note)?.[1] : undefined;
}
/** The externalRef at the end of a DisplayName: `Ana Borrower (LN-1001)` → `LN-1001`. @internal */
export function refInDisplayName(displayName: string): string | undefined {
  return /\(([^()]+)\)$/.exec(displayName)?.[1];
}
/** The DisplayName a customer gets: the name, then the reference in parentheses (unless the name already ends with it). @internal */
export function customerDisplayName(input: { displayName: string; externalRef: string }): string {
  const name = input.displayName.trim();
  return name.endsWith(`(${input.externalRef})`) ? name : `${name} (${input.externalRef})`;
}

const isVoided = (invoice: Invoice): boolean => wireToCents(invoice.TotalAmt) === 0 && typeof invoice.PrivateNote === "string" && /^Voided\b/.test(invoice.PrivateNote);
const refValue = (value: unknown): string | undefined => (value && typeof value === "object" && typeof (value as { value?: unknown }).value === "string" ? (value as { value: string }).value : undefined);

/** A QuickBooks Customer as a LedgerCustomer. @internal */
export function toLedgerCustomer(customer: Customer): LedgerCustomer {
  const externalRef = refInDisplayName(customer.DisplayName);
  const email = customer.PrimaryEmailAddr?.Address;
  return {
    provider: VENDOR,
    id: customer.Id,
    ...(externalRef ? { externalRef } : {}),
    displayName: customer.DisplayName,
    ...(email ? { email } : {}),
    ...(customer.MetaData?.LastUpdatedTime ? { updatedAt: customer.MetaData.LastUpdatedTime } : {}),
  };
}

/** A QuickBooks Invoice as a LedgerInvoice: status from TotalAmt and Balance, `voided` for a voided one. @internal */
export function toLedgerInvoice(invoice: Invoice, externalRefOf: (invoice: Invoice) => string | undefined = (i) => refInNote(i.PrivateNote) ?? i.DocNumber): LedgerInvoice {
  const total = centsToDecimal(wireToCents(invoice.TotalAmt));
  const balance = centsToDecimal(wireToCents(invoice.Balance));
  const externalRef = externalRefOf(invoice);
  const currency = refValue((invoice as Record<string, unknown>).CurrencyRef);
  return {
    provider: VENDOR,
    id: invoice.Id,
    ...(invoice.DocNumber ? { number: invoice.DocNumber } : {}),
    ...(externalRef ? { externalRef } : {}),
    customerId: invoice.CustomerRef.value,
    status: isVoided(invoice) ? "voided" : ledgerInvoiceStatus(total, balance),
    total,
    balance,
    ...(currency ? { currency } : {}),
    ...(invoice.TxnDate ? { issueDate: invoice.TxnDate } : {}),
    ...(invoice.DueDate ? { dueDate: invoice.DueDate } : {}),
    ...(invoice.MetaData?.LastUpdatedTime ? { updatedAt: invoice.MetaData.LastUpdatedTime } : {}),
  };
}

/** A QuickBooks Payment as a LedgerPayment (the first invoice it is applied to). @internal */
export function toLedgerPayment(payment: Payment): LedgerPayment {
  const invoiceId = payment.Line?.flatMap((l) => l.LinkedTxn).find((t) => t.TxnType === "Invoice")?.TxnId;
  const externalRef = refInNote(payment.PrivateNote);
  return {
    provider: VENDOR,
    id: payment.Id,
    ...(externalRef ? { externalRef } : {}),
    customerId: payment.CustomerRef.value,
    ...(invoiceId ? { invoiceId } : {}),
    amount: centsToDecimal(wireToCents(payment.TotalAmt)),
    ...(payment.TxnDate ? { date: payment.TxnDate } : {}),
  };
}

// ── Change events ──────────────────────────────────────────────────────────────────────
const ENTITIES: Partial<Record<string, LedgerEntity>> = { Customer: "customer", Invoice: "invoice", Payment: "payment" };
const OPERATIONS = { Create: "create", Update: "update", Delete: "delete", Void: "void" } as const;

const isChange = (value: unknown): value is QuickBooksEntityChange =>
  !!value && typeof value === "object" && typeof (value as QuickBooksEntityChange).entityId === "string" && typeof (value as QuickBooksEntityChange).format === "string";

/**
 * Change events of a verified webhook payload: the raw body (either format), its parsed JSON
 * (a CloudEvents array or a legacy `eventNotifications` object), or the changes
 * `createQuickBooksWebhookHandler` put on its queue (one or an array). Customers, invoices and
 * payments only; a merge is an update of the survivor and a delete of the merged-away record;
 * `Emailed` changes nothing in the books and is left out.
 * @internal
 */
export function toQuickBooksChangeEvents(payload: unknown, now: () => number = Date.now): LedgerChangeEvent[] {
  let changes: QuickBooksEntityChange[];
  if (typeof payload === "string" || Buffer.isBuffer(payload)) changes = parseQuickBooksWebhook(payload).changes;
  else if (payload instanceof Uint8Array) changes = parseQuickBooksWebhook(Buffer.from(payload)).changes;
  else if (isChange(payload)) changes = [payload];
  else if (Array.isArray(payload) && payload.length > 0 && payload.every(isChange)) changes = payload;
  else if (Array.isArray(payload) || (payload && typeof payload === "object")) changes = parseQuickBooksWebhook(JSON.stringify(payload)).changes;
  else throw invalid("ledger.toChangeEvents", [{ path: "(root)", message: "expected a QuickBooks webhook body, its JSON, or the receiver's changes" }]);
  const out: LedgerChangeEvent[] = [];
  for (const change of changes) {
    const entity = ENTITIES[change.entity];
    if (!entity) continue;
    const occurredAt = change.occurredAt && !Number.isNaN(Date.parse(change.occurredAt)) ? new Date(change.occurredAt).toISOString() : new Date(now()).toISOString();
    const base = { provider: VENDOR, entity, occurredAt, tenantId: change.realmId, raw: change };
    if (change.operation === "Merge") {
      out.push({ ...base, eventId: change.id, id: change.entityId, operation: "update" });
      if (change.deletedId) out.push({ ...base, eventId: `${change.id}:merged-away`, id: change.deletedId, operation: "delete" });
      continue;
    }
    if (change.operation === "Emailed") continue;
    out.push({ ...base, eventId: change.id, id: change.entityId, operation: OPERATIONS[change.operation] });
  }
  return out;
}

// ── The ledger ─────────────────────────────────────────────────────────────────────────
/** The caller's key wins; otherwise one derived from the platform reference. */
const keyed = (ctx: IntegrationContext | undefined, key: string): IntegrationContext => ({ ...ctx, idempotencyKey: ctx?.idempotencyKey ?? key });

/**
 * QuickBooks Online behind core's `Ledger`.
 * @example
 * const qbo = createQuickBooksClient({ realmId, tokens, environment: "production", clientId, clientSecret });
 * const ledger: Ledger = createQuickBooksLedger(qbo, { itemId: "2", depositAccountId: "35" });
 * const customer = await ledger.createCustomer({ externalRef: "LN-1001", displayName: "Ana Borrower" });
 * @public
 */
export function createQuickBooksLedger(client: QuickBooksLedgerClient, options: QuickBooksLedgerOptions = {}): Ledger {
  const now = options.now ?? Date.now;
  const itemName = options.itemName ?? "Services";
  const invoiceNumber = options.invoiceNumber ?? ((ref: string) => ref);
  let defaultItem: Promise<string> | undefined = options.itemId ? Promise.resolve(options.itemId) : undefined;

  const invoiceRefOf = (invoice: Invoice): string | undefined => refInNote(invoice.PrivateNote) ?? (options.invoiceNumber ? undefined : invoice.DocNumber);
  const ledgerInvoice = (invoice: Invoice): LedgerInvoice => toLedgerInvoice(invoice, invoiceRefOf);

  function itemId(ctx?: IntegrationContext): Promise<string> {
    defaultItem ??= (async () => {
      const rows = await client.query.page("Item", { where: { Name: itemName }, maxResults: 1 }, ctx);
      const id = rows[0]?.Id;
      if (typeof id !== "string") {
        throw new NotFoundError(`${VENDOR} ledger.createInvoice: no item named "${itemName}" in this company; create it in QuickBooks (a service item), or pass itemId / a line's itemRef`, {
          vendor: VENDOR,
          operation: "ledger.createInvoice",
        });
      }
      return id;
    })().catch((error: unknown) => {
      defaultItem = undefined;
      throw error;
    });
    return defaultItem;
  }

  function docNumberOf(ref: string, operation: string): string {
    const number = invoiceNumber(ref);
    if (typeof number !== "string" || number.length === 0 || number.length > 21) {
      throw invalid(operation, [{ path: "externalRef", message: `QuickBooks keeps the reference as DocNumber, at most 21 characters (got "${String(number)}"); pass options.invoiceNumber to map longer references` }]);
    }
    return number;
  }

  async function findCustomerRow(ref: string, ctx?: IntegrationContext): Promise<Customer | undefined> {
    // Active IN (true, false): an inactive customer still holds its name (6240) and its history.
    const rows = await client.customers.page({ where: { DisplayName: { like: `%(${ref})` }, Active: { in: [true, false] } }, maxResults: 50 }, ctx);
    return rows.find((c) => refInDisplayName(c.DisplayName) === ref);
  }

  async function findInvoiceRow(ref: string, docNumber: string, ctx?: IntegrationContext): Promise<Invoice | undefined> {
    const rows = await client.invoices.page({ where: { DocNumber: docNumber }, maxResults: 50 }, ctx);
    return rows.find((i) => invoiceRefOf(i) === ref);
  }

  async function findPaymentRow(ref: string, customerId: string, ctx?: IntegrationContext): Promise<Payment | undefined> {
    for await (const payment of client.payments.query({ where: { CustomerRef: customerId } }, ctx)) {
      if (refInNote(payment.PrivateNote) === ref) return payment;
    }
    return undefined;
  }

  const ledger: Ledger = {
    provider: VENDOR,

    async createCustomer(raw: LedgerCustomerInput, ctx?: IntegrationContext): Promise<LedgerCustomer> {
      const input = check(CustomerInput, raw, "ledger.createCustomer");
      const displayName = customerDisplayName(input);
      if (displayName.length > 500) throw invalid("ledger.createCustomer", [{ path: "displayName", message: "with the reference it is over QuickBooks' 500 characters" }]);
      const existing = await findCustomerRow(input.externalRef, ctx);
      if (existing) return toLedgerCustomer(existing);
      const a = input.address;
      try {
        const created = await client.customers.create(
          {
            DisplayName: displayName,
            ...(input.email ? { PrimaryEmailAddr: { Address: input.email } } : {}),
            ...(input.phone ? { PrimaryPhone: { FreeFormNumber: input.phone } } : {}),
            ...(a
              ? {
                  BillAddr: {
                    ...(a.line1 ? { Line1: a.line1 } : {}),
                    ...(a.line2 ? { Line2: a.line2 } : {}),
                    ...(a.city ? { City: a.city } : {}),
                    ...(a.region ? { CountrySubDivisionCode: a.region } : {}),
                    ...(a.postalCode ? { PostalCode: a.postalCode } : {}),
                    ...(a.country ? { Country: a.country } : {}),
                  },
                }
              : {}),
            Notes: `externalRef ${marker(input.externalRef)}`,
          },
          keyed(ctx, `ledger.createCustomer:${input.externalRef}`),
        );
        return toLedgerCustomer(created);
      } catch (error) {
        // Another worker made it between the look-up and the create.
        if (error instanceof ConflictError && error.vendorCode === FAULT_CODES.duplicateName) {
          const raced = await findCustomerRow(input.externalRef, ctx);
          if (raced) return toLedgerCustomer(raced);
        }
        throw error;
      }
    },

    async findCustomer(externalRef: string, ctx?: IntegrationContext): Promise<LedgerCustomer | undefined> {
      const ref = check(Ref, externalRef, "ledger.findCustomer");
      const row = await findCustomerRow(ref, ctx);
      return row ? toLedgerCustomer(row) : undefined;
    },

    async createInvoice(raw: LedgerInvoiceInput, ctx?: IntegrationContext): Promise<LedgerInvoice> {
      const input = check(InvoiceInput, raw, "ledger.createInvoice");
      const docNumber = docNumberOf(input.externalRef, "ledger.createInvoice");
      const cents = input.lines.map((l) => toCents(l.amount, "amount"));
      const total = cents.reduce((sum, c) => sum + c, 0);
      const existing = await findInvoiceRow(input.externalRef, docNumber, ctx);
      const same = (invoice: Invoice): Invoice => {
        if (invoice.CustomerRef.value !== input.customerId || (!isVoided(invoice) && wireToCents(invoice.TotalAmt) !== total)) {
          throw new ConflictError(`${VENDOR} ledger.createInvoice: invoice ${invoice.Id} already has externalRef ${input.externalRef} with another customer or total`, { vendor: VENDOR, operation: "ledger.createInvoice" });
        }
        return invoice;
      };
      if (existing) return ledgerInvoice(same(existing));
      const needsDefault = input.lines.some((l) => !l.itemRef);
      const fallbackItem = needsDefault ? await itemId(ctx) : undefined;
      const note = input.memo ? `${input.memo}\n${marker(input.externalRef)}` : marker(input.externalRef);
      try {
        const created = await client.invoices.create(
          {
            CustomerRef: { value: input.customerId },
            DocNumber: docNumber,
            TxnDate: input.issueDate,
            ...(input.dueDate ? { DueDate: input.dueDate } : {}),
            ...(input.currency ? { CurrencyRef: { value: input.currency } } : {}),
            PrivateNote: note,
            Line: input.lines.map((line, i) => {
              const amount = centsToWire(cents[i]!);
              return {
                DetailType: "SalesItemLineDetail" as const,
                Amount: amount,
                Description: line.description,
                SalesItemLineDetail: { ItemRef: { value: line.itemRef ?? fallbackItem! }, Qty: 1, UnitPrice: amount },
              };
            }),
          },
          keyed(ctx, `ledger.createInvoice:${input.externalRef}`),
        );
        return ledgerInvoice(created);
      } catch (error) {
        // Made by an earlier attempt past Intuit's requestid window, or by another worker.
        if (error instanceof ConflictError && error.vendorCode === FAULT_CODES.duplicateDocNumber) {
          const raced = await findInvoiceRow(input.externalRef, docNumber, ctx);
          if (raced) return ledgerInvoice(same(raced));
        }
        throw error;
      }
    },

    async getInvoice(id: string, ctx?: IntegrationContext): Promise<LedgerInvoice> {
      const checked = check(Id, id, "ledger.getInvoice");
      return ledgerInvoice(await client.invoices.get({ id: checked }, ctx));
    },

    async findInvoice(externalRef: string, ctx?: IntegrationContext): Promise<LedgerInvoice | undefined> {
      const ref = check(Ref, externalRef, "ledger.findInvoice");
      const row = await findInvoiceRow(ref, docNumberOf(ref, "ledger.findInvoice"), ctx);
      return row ? ledgerInvoice(row) : undefined;
    },

    async recordPayment(raw: LedgerPaymentInput, ctx?: IntegrationContext): Promise<LedgerPayment> {
      const input = check(PaymentInput, raw, "ledger.recordPayment");
      const cents = toCents(input.amount, "amount");
      const existing = await findPaymentRow(input.externalRef, input.customerId, ctx);
      if (existing) {
        if (wireToCents(existing.TotalAmt) !== cents) {
          throw new ConflictError(`${VENDOR} ledger.recordPayment: payment ${existing.Id} already has externalRef ${input.externalRef} with another amount`, { vendor: VENDOR, operation: "ledger.recordPayment" });
        }
        return toLedgerPayment(existing);
      }
      const invoice = await client.invoices.get({ id: input.invoiceId }, ctx);
      if (invoice.CustomerRef.value !== input.customerId) {
        throw invalid("ledger.recordPayment", [{ path: "invoiceId", message: `invoice ${input.invoiceId} belongs to customer ${invoice.CustomerRef.value}, not ${input.customerId}` }]);
      }
      if (isVoided(invoice)) throw new ConflictError(`${VENDOR} ledger.recordPayment: invoice ${input.invoiceId} is voided`, { vendor: VENDOR, operation: "ledger.recordPayment" });
      const owed = wireToCents(invoice.Balance);
      if (cents > owed) {
        throw invalid("ledger.recordPayment", [{ path: "amount", message: `${input.amount} is more than the invoice's balance ${centsToDecimal(owed)}` }]);
      }
      const amount = centsToWire(cents);
      const created = await client.payments.create(
        {
          CustomerRef: { value: input.customerId },
          TotalAmt: amount,
          TxnDate: input.date,
          ...(input.reference ? { PaymentRefNum: input.reference } : {}),
          ...((input.accountRef ?? options.depositAccountId) ? { DepositToAccountRef: { value: (input.accountRef ?? options.depositAccountId)! } } : {}),
          PrivateNote: input.reference ? `${input.reference} ${marker(input.externalRef)}` : marker(input.externalRef),
          Line: [{ Amount: amount, LinkedTxn: [{ TxnId: input.invoiceId, TxnType: "Invoice" as const }] }],
        },
        keyed(ctx, `ledger.recordPayment:${input.externalRef}`),
      );
      return toLedgerPayment(created);
    },

    async balance(customerId: string, ctx?: IntegrationContext): Promise<LedgerBalance> {
      const id = check(Id, customerId, "ledger.balance");
      let outstanding = 0;
      let openInvoices = 0;
      let currency: string | undefined;
      for await (const invoice of client.invoices.query({ where: { CustomerRef: id } }, ctx)) {
        if (isVoided(invoice)) continue;
        const owed = wireToCents(invoice.Balance);
        if (owed <= 0) continue;
        outstanding += owed;
        openInvoices += 1;
        currency ??= refValue((invoice as Record<string, unknown>).CurrencyRef);
      }
      return { provider: VENDOR, customerId: id, outstanding: centsToDecimal(outstanding), openInvoices, ...(currency ? { currency } : {}), asOf: new Date(now()).toISOString() };
    },

    toChangeEvents: (payload: unknown) => toQuickBooksChangeEvents(payload, now),

    healthCheck: (): Promise<HealthResult> => client.healthCheck(),
  };
  return ledger;
}

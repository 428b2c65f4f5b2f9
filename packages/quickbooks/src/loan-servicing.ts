/**
 * The platform's loan-servicing events as QuickBooks writes: a funded loan becomes a customer
 * (found or created), a disbursed draw an invoice with the draw line, a received payment a
 * payment applied to that invoice, a paid-off loan a closing journal entry. Each write is keyed
 * by the platform's own ids (`draw-disbursed:<loan>:<draw>` …), so the same event handled twice
 * — a webhook redelivery, a retried job — sends the same `requestid` and writes once.
 * Amounts are integer cents or decimal strings (see money.ts).
 */
import { ConflictError, NotFoundError, toFieldIssues, ValidationError, type IntegrationContext, lazySchema, unlazy } from "@connect/core";
import { z } from "zod";
import type { QuickBooksAccounting } from "./client.js";
import { FAULT_CODES } from "./errors.js";
import { centsToDecimal, centsToWire, isMoney, toCents, wireToCents, type Money } from "./money.js";
import type { Customer, Invoice, JournalEntry, Payment } from "./schemas.js";

/** Naming, item and accounts of the helpers. @public */
export interface LoanServicingOptions {
  /** Name of the item on draw lines. Default "Construction Draw". */
  drawItemName?: string | undefined;
  /** Its id, to skip the look-up by name. */
  drawItemId?: string | undefined;
  /** Accounts of the payoff closing entry: the loans receivable (AR) account and the payoff clearing account. */
  accounts?: { receivable?: string | undefined; payoffClearing?: string | undefined } | undefined;
  /** DisplayName of a loan's customer. Default `<borrower> (Loan <loanId>)`. */
  customerName?: ((loan: { loanId: string; borrowerName: string }) => string) | undefined;
  /** The loan id a customer stands for (the inverse of `customerName`), for reconciliation. */
  loanIdOf?: ((customer: { DisplayName: string }) => string | undefined) | undefined;
}

const LoanId = lazySchema(() =>
  z.string().regex(/^[A-Za-z0-9._-]{1,40}$/, "must be 1–40 letters, digits, '.', '_' or '-'"),
);
const MoneyInput = lazySchema(() =>
  z.custom<Money>(isMoney, 'must be a decimal string ("12500.50") or { cents: <integer> }'),
);
const DateOnly = lazySchema(() =>
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD"),
);

/** A funded loan. @public */
export const LoanFundedInput = lazySchema(() =>
  z.strictObject({
  loanId: unlazy(LoanId),
  borrowerName: z.string().min(1).max(400),
  email: z.email().optional(),
  phone: z.string().min(1).max(30).optional(),
  companyName: z.string().max(100).optional(),
  billingAddress: z.strictObject({ line1: z.string().max(500), city: z.string().max(255).optional(), region: z.string().max(255).optional(), postalCode: z.string().max(30).optional(), country: z.string().max(255).optional() }).optional(),
}),
);
/** @public */
export type LoanFundedInput = z.input<typeof LoanFundedInput>;

/** A disbursed draw. @public */
export const DrawDisbursedInput = lazySchema(() =>
  z.strictObject({
  loanId: unlazy(LoanId),
  drawId: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/),
  customerId: z.string().regex(/^\d+$/),
  amount: unlazy(MoneyInput),
  description: z.string().min(1).max(4000),
  dueDate: unlazy(DateOnly),
  txnDate: unlazy(DateOnly).optional(),
  /** Invoice number (≤ 21 characters). Default `D-<drawId>`. */
  docNumber: z.string().min(1).max(21).optional(),
}),
);
/** @public */
export type DrawDisbursedInput = z.input<typeof DrawDisbursedInput>;

/** A payment received from the borrower, applied to a draw invoice. @public */
export const PaymentReceivedInput = lazySchema(() =>
  z.strictObject({
  loanId: unlazy(LoanId),
  paymentId: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/),
  customerId: z.string().regex(/^\d+$/),
  invoiceId: z.string().regex(/^\d+$/),
  amount: unlazy(MoneyInput),
  receivedDate: unlazy(DateOnly).optional(),
  /** Reference shown on the payment (≤ 21). Default the payment id. */
  reference: z.string().min(1).max(21).optional(),
}),
);
/** @public */
export type PaymentReceivedInput = z.input<typeof PaymentReceivedInput>;

/** A loan paid off. @public */
export const LoanPaidOffInput = lazySchema(() =>
  z.strictObject({
  loanId: unlazy(LoanId),
  customerId: z.string().regex(/^\d+$/),
  payoffDate: unlazy(DateOnly),
  /** Amount closed out of receivables by the closing entry. Default: the customer's remaining QuickBooks balance. */
  closingAmount: unlazy(MoneyInput).optional(),
  /** Make the customer inactive afterwards. Default true. */
  deactivate: z.boolean().optional(),
  memo: z.string().max(4000).optional(),
}),
);
/** @public */
export type LoanPaidOffInput = z.input<typeof LoanPaidOffInput>;

/** What `loanPaidOff` did. @public */
export interface LoanPaidOffResult {
  /** The closing entry, unless nothing was left to close. */
  journalEntry: JournalEntry | undefined;
  /** Cents moved out of receivables. */
  closedCents: number;
  /** The customer afterwards. */
  customer: Customer;
}

/** The helpers. @public */
export interface LoanServicing {
  /** Find the loan's customer by DisplayName (inactive ones too, reactivated) or create it. */
  loanFunded(input: LoanFundedInput, ctx?: IntegrationContext): Promise<{ customer: Customer; created: boolean }>;
  /** An invoice with one "Construction Draw" line for the draw. */
  drawDisbursed(input: DrawDisbursedInput, ctx?: IntegrationContext): Promise<Invoice>;
  /** A payment applied to the draw invoice. */
  paymentReceived(input: PaymentReceivedInput, ctx?: IntegrationContext): Promise<Payment>;
  /** A closing journal entry (AR credited, payoff clearing debited) and, by default, the customer deactivated. */
  loanPaidOff(input: LoanPaidOffInput, ctx?: IntegrationContext): Promise<LoanPaidOffResult>;
  /** The customer DisplayName of a loan. */
  customerName(loan: { loanId: string; borrowerName: string }): string;
  /** The loan id a customer stands for, or undefined. */
  loanIdOf(customer: { DisplayName: string }): string | undefined;
}

function parse<T extends z.ZodType>(schema: T, input: unknown, operation: string): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = toFieldIssues(parsed.error);
  throw new ValidationError(`quickbooks ${operation}: invalid input — ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, { vendor: "quickbooks", operation, issues });
}

/** The caller's key wins; otherwise the platform event's own. */
function keyed(ctx: IntegrationContext | undefined, key: string): IntegrationContext {
  return { ...ctx, idempotencyKey: ctx?.idempotencyKey ?? key };
}

const defaultName = (loan: { loanId: string; borrowerName: string }): string => `${loan.borrowerName} (Loan ${loan.loanId})`;
const defaultLoanIdOf = (customer: { DisplayName: string }): string | undefined => /\(Loan ([A-Za-z0-9._-]+)\)$/.exec(customer.DisplayName)?.[1];

/**
 * Build the helpers over a client's accounting operations.
 * @internal
 */
export function createLoanServicing(qbo: QuickBooksAccounting, options: LoanServicingOptions = {}): LoanServicing {
  const itemName = options.drawItemName ?? "Construction Draw";
  const customerName = options.customerName ?? defaultName;
  const loanIdOf = options.loanIdOf ?? defaultLoanIdOf;
  let drawItemId: Promise<string> | undefined = options.drawItemId ? Promise.resolve(options.drawItemId) : undefined;

  async function findCustomer(displayName: string, ctx?: IntegrationContext): Promise<Customer | undefined> {
    // Active IN (true, false) includes inactive customers, whose name still blocks a new one (6240).
    const rows = await qbo.customers.page({ where: { DisplayName: displayName, Active: { in: [true, false] } }, maxResults: 1 }, ctx);
    return rows[0];
  }

  function itemId(ctx?: IntegrationContext): Promise<string> {
    drawItemId ??= (async () => {
      const rows = await qbo.query.page("Item", { where: { Name: itemName }, maxResults: 1 }, ctx);
      const id = rows[0]?.Id;
      if (typeof id !== "string") {
        throw new NotFoundError(`quickbooks servicing.drawDisbursed: no item named "${itemName}" in this company; create it in QuickBooks (a service item) or pass servicing.drawItemId`, {
          vendor: "quickbooks",
          operation: "servicing.drawDisbursed",
        });
      }
      return id;
    })().catch((error: unknown) => {
      drawItemId = undefined;
      throw error;
    });
    return drawItemId;
  }

  return {
    customerName,
    loanIdOf,

    async loanFunded(raw, ctx) {
      const loan = parse(LoanFundedInput, raw, "servicing.loanFunded");
      const displayName = customerName(loan);
      const existing = await findCustomer(displayName, ctx);
      if (existing) {
        if (existing.Active === false) {
          const customer = await qbo.customers.update({ Id: existing.Id, SyncToken: existing.SyncToken, Active: true }, keyed(ctx, `loan-funded:${loan.loanId}:reactivate:${existing.SyncToken}`));
          return { customer, created: false };
        }
        return { customer: existing, created: false };
      }
      try {
        const customer = await qbo.customers.create(
          {
            DisplayName: displayName,
            ...(loan.companyName ? { CompanyName: loan.companyName } : {}),
            ...(loan.email ? { PrimaryEmailAddr: { Address: loan.email } } : {}),
            ...(loan.phone ? { PrimaryPhone: { FreeFormNumber: loan.phone } } : {}),
            ...(loan.billingAddress
              ? { BillAddr: { Line1: loan.billingAddress.line1, City: loan.billingAddress.city, CountrySubDivisionCode: loan.billingAddress.region, PostalCode: loan.billingAddress.postalCode, Country: loan.billingAddress.country } }
              : {}),
            Notes: `Loan ${loan.loanId}`,
          },
          keyed(ctx, `loan-funded:${loan.loanId}`),
        );
        return { customer, created: true };
      } catch (error) {
        // Another worker created it between our look-up and our create.
        if (error instanceof ConflictError && error.vendorCode === FAULT_CODES.duplicateName) {
          const raced = await findCustomer(displayName, ctx);
          if (raced) return { customer: raced, created: false };
        }
        throw error;
      }
    },

    async drawDisbursed(raw, ctx) {
      const draw = parse(DrawDisbursedInput, raw, "servicing.drawDisbursed");
      const cents = toCents(draw.amount, "amount");
      if (cents <= 0) throw new ValidationError("quickbooks servicing.drawDisbursed: amount must be positive", { vendor: "quickbooks", operation: "servicing.drawDisbursed", issues: [{ path: "amount", message: "must be positive" }] });
      const docNumber = draw.docNumber ?? `D-${draw.drawId}`;
      if (docNumber.length > 21) {
        throw new ValidationError(`quickbooks servicing.drawDisbursed: doc number "${docNumber}" is longer than 21 characters; pass docNumber`, { vendor: "quickbooks", operation: "servicing.drawDisbursed", issues: [{ path: "docNumber", message: "at most 21 characters" }] });
      }
      const amount = centsToWire(cents);
      const input = {
        CustomerRef: { value: draw.customerId },
        DocNumber: docNumber,
        ...(draw.txnDate ? { TxnDate: draw.txnDate } : {}),
        DueDate: draw.dueDate,
        PrivateNote: `Loan ${draw.loanId}, draw ${draw.drawId}`,
        Line: [
          {
            DetailType: "SalesItemLineDetail" as const,
            Amount: amount,
            Description: draw.description,
            SalesItemLineDetail: { ItemRef: { value: await itemId(ctx), name: itemName }, Qty: 1, UnitPrice: amount },
          },
        ],
      };
      try {
        return await qbo.invoices.create(input, keyed(ctx, `draw-disbursed:${draw.loanId}:${draw.drawId}`));
      } catch (error) {
        // The draw was invoiced before (past Intuit's requestid window): return that invoice.
        if (error instanceof ConflictError && error.vendorCode === FAULT_CODES.duplicateDocNumber) {
          const [existing] = await qbo.invoices.page({ where: { DocNumber: docNumber }, maxResults: 1 }, ctx);
          if (existing && existing.CustomerRef.value === draw.customerId && wireToCents(existing.TotalAmt) === cents) return existing;
        }
        throw error;
      }
    },

    async paymentReceived(raw, ctx) {
      const payment = parse(PaymentReceivedInput, raw, "servicing.paymentReceived");
      const cents = toCents(payment.amount, "amount");
      if (cents <= 0) throw new ValidationError("quickbooks servicing.paymentReceived: amount must be positive", { vendor: "quickbooks", operation: "servicing.paymentReceived", issues: [{ path: "amount", message: "must be positive" }] });
      const amount = centsToWire(cents);
      return qbo.payments.create(
        {
          CustomerRef: { value: payment.customerId },
          TotalAmt: amount,
          ...(payment.receivedDate ? { TxnDate: payment.receivedDate } : {}),
          PaymentRefNum: payment.reference ?? payment.paymentId.slice(0, 21),
          PrivateNote: `Loan ${payment.loanId}, payment ${payment.paymentId}`,
          Line: [{ Amount: amount, LinkedTxn: [{ TxnId: payment.invoiceId, TxnType: "Invoice" as const }] }],
        },
        keyed(ctx, `payment-received:${payment.loanId}:${payment.paymentId}`),
      );
    },

    async loanPaidOff(raw, ctx) {
      const payoff = parse(LoanPaidOffInput, raw, "servicing.loanPaidOff");
      const requested = payoff.closingAmount === undefined ? undefined : toCents(payoff.closingAmount, "closingAmount");
      const receivable = options.accounts?.receivable;
      const clearing = options.accounts?.payoffClearing;
      let customer = await qbo.customers.get({ id: payoff.customerId }, ctx);
      const closedCents = requested ?? wireToCents(customer.Balance);
      let journalEntry: JournalEntry | undefined;
      if (closedCents > 0) {
        if (!receivable || !clearing) {
          throw new ValidationError("quickbooks servicing.loanPaidOff: set servicing.accounts.receivable and servicing.accounts.payoffClearing to post the closing entry", {
            vendor: "quickbooks",
            operation: "servicing.loanPaidOff",
            issues: [{ path: "servicing.accounts", message: "receivable and payoffClearing account ids are required" }],
          });
        }
        const amount = centsToWire(closedCents);
        const description = payoff.memo ?? `Loan ${payoff.loanId} paid off: ${centsToDecimal(closedCents)} closed out of receivables`;
        journalEntry = await qbo.journalEntries.create(
          {
            TxnDate: payoff.payoffDate,
            DocNumber: `PO-${payoff.loanId}`.slice(0, 21),
            PrivateNote: description,
            Line: [
              { DetailType: "JournalEntryLineDetail", Amount: amount, Description: description, JournalEntryLineDetail: { PostingType: "Debit", AccountRef: { value: clearing } } },
              {
                DetailType: "JournalEntryLineDetail",
                Amount: amount,
                Description: description,
                JournalEntryLineDetail: { PostingType: "Credit", AccountRef: { value: receivable }, Entity: { Type: "Customer", EntityRef: { value: payoff.customerId } } },
              },
            ],
          },
          keyed(ctx, `loan-paid-off:${payoff.loanId}`),
        );
      }
      if (payoff.deactivate ?? true) {
        customer = await qbo.customers.modify(payoff.customerId, () => ({ Active: false }), {}, keyed(ctx, `loan-paid-off:${payoff.loanId}:deactivate`));
      } else if (journalEntry) {
        customer = await qbo.customers.get({ id: payoff.customerId }, ctx);
      }
      return { journalEntry, closedCents, customer };
    },
  };
}

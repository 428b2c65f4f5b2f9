/**
 * The shared accounting interface. QuickBooks Online and Xero keep the same books with
 * different words (Customer / Contact, Invoice / ACCREC invoice, Payment); a host that has not
 * chosen a ledger codes against `Ledger` and switches by configuration. Every record carries the
 * platform's own reference (a loan id, a draw id) so a retried write is found instead of made
 * twice. Types only, plus the status table every implementation shares.
 *
 * Amounts are decimal strings with at most two decimals (`"12500.50"`), never floats.
 */
import type { IntegrationContext } from "./context.js";
import type { HealthResult } from "./contract.js";

/** A decimal amount as a string, at most two decimals: `"12500.50"`. @public */
export type LedgerAmount = string;

/** A postal address. @public */
export interface LedgerAddress {
  line1?: string | undefined;
  line2?: string | undefined;
  city?: string | undefined;
  region?: string | undefined;
  postalCode?: string | undefined;
  country?: string | undefined;
}

/** A customer (the borrower) to create. @public */
export interface LedgerCustomerInput {
  /** The platform's reference (a loan or borrower id); unique per ledger. */
  externalRef: string;
  /** The name shown on invoices; ledgers require it unique. */
  displayName: string;
  email?: string | undefined;
  phone?: string | undefined;
  address?: LedgerAddress | undefined;
}

/** A customer as the ledger holds it. @public */
export interface LedgerCustomer {
  /** `quickbooks`, `xero`. */
  provider: string;
  /** The ledger's id (QuickBooks `Id`, Xero `ContactID`). */
  id: string;
  externalRef?: string | undefined;
  displayName: string;
  email?: string | undefined;
  /** ISO 8601 of the ledger's last change. */
  updatedAt?: string | undefined;
}

/** One invoice line. @public */
export interface LedgerLine {
  description: string;
  /** Line total. */
  amount: LedgerAmount;
  /** The ledger's item (QuickBooks) or account code (Xero) to book it to; a configured default when omitted. */
  itemRef?: string | undefined;
}

/** An invoice to create: in lending, one per draw. @public */
export interface LedgerInvoiceInput {
  /** The platform's reference (the draw id); unique per ledger. */
  externalRef: string;
  /** The ledger's customer id. */
  customerId: string;
  /** `YYYY-MM-DD`. */
  issueDate: string;
  /** `YYYY-MM-DD`. */
  dueDate?: string | undefined;
  /** ISO 4217; the ledger's home currency when omitted. */
  currency?: string | undefined;
  /** At least one line. */
  lines: LedgerLine[];
  memo?: string | undefined;
}

/** Lifecycle of an invoice, the same words for every ledger. @public */
export type LedgerInvoiceStatus = "draft" | "open" | "partially-paid" | "paid" | "voided";

/** An invoice as the ledger holds it. @public */
export interface LedgerInvoice {
  provider: string;
  id: string;
  /** The ledger's invoice number, when it assigns one. */
  number?: string | undefined;
  externalRef?: string | undefined;
  customerId: string;
  status: LedgerInvoiceStatus;
  total: LedgerAmount;
  /** What is still owed. */
  balance: LedgerAmount;
  currency?: string | undefined;
  issueDate?: string | undefined;
  dueDate?: string | undefined;
  updatedAt?: string | undefined;
}

/** A payment received against an invoice. @public */
export interface LedgerPaymentInput {
  /** The platform's reference (the payment id); unique per ledger. */
  externalRef: string;
  customerId: string;
  invoiceId: string;
  amount: LedgerAmount;
  /** `YYYY-MM-DD`. */
  date: string;
  /** The ledger's deposit / bank account to book it to; a configured default when omitted. */
  accountRef?: string | undefined;
  /** Free text, e.g. the wire reference. */
  reference?: string | undefined;
}

/** A payment as the ledger holds it. @public */
export interface LedgerPayment {
  provider: string;
  id: string;
  externalRef?: string | undefined;
  customerId?: string | undefined;
  invoiceId?: string | undefined;
  amount: LedgerAmount;
  date?: string | undefined;
}

/** What one customer owes, for reconciliation against the platform's own balance. @public */
export interface LedgerBalance {
  provider: string;
  customerId: string;
  /** Sum of the balances of the customer's open invoices. */
  outstanding: LedgerAmount;
  /** The open invoices behind it. */
  openInvoices: number;
  currency?: string | undefined;
  /** ISO 8601 of when it was read. */
  asOf: string;
}

/** The kinds of record a change event is about. @public */
export type LedgerEntity = "customer" | "invoice" | "payment";

/** One change in the ledger, normalised across webhook formats. @public */
export interface LedgerChangeEvent {
  provider: string;
  /** Stable id for dedupe. */
  eventId: string;
  entity: LedgerEntity;
  /** The ledger's id of the changed record. */
  id: string;
  operation: "create" | "update" | "delete" | "void";
  /** ISO 8601 of the change. */
  occurredAt: string;
  /** The company (QuickBooks realm id, Xero tenant id) it happened in. */
  tenantId?: string | undefined;
  /** The provider's event as it arrived. */
  raw: unknown;
}

/** What every accounting ledger offers, whoever the vendor. @public */
export interface Ledger {
  /** `quickbooks`, `xero`. */
  readonly provider: string;
  /** Create a customer; a retry finds the one the first attempt made (by `externalRef`). */
  createCustomer(input: LedgerCustomerInput, ctx?: IntegrationContext): Promise<LedgerCustomer>;
  /** The customer with this platform reference, or undefined. */
  findCustomer(externalRef: string, ctx?: IntegrationContext): Promise<LedgerCustomer | undefined>;
  /** Create an invoice; a retry finds the one the first attempt made (by `externalRef`). */
  createInvoice(input: LedgerInvoiceInput, ctx?: IntegrationContext): Promise<LedgerInvoice>;
  /** One invoice by the ledger's id. */
  getInvoice(id: string, ctx?: IntegrationContext): Promise<LedgerInvoice>;
  /** The invoice with this platform reference, or undefined. */
  findInvoice(externalRef: string, ctx?: IntegrationContext): Promise<LedgerInvoice | undefined>;
  /** Record a payment against an invoice; a retry finds the one the first attempt made. */
  recordPayment(input: LedgerPaymentInput, ctx?: IntegrationContext): Promise<LedgerPayment>;
  /** What a customer owes now. */
  balance(customerId: string, ctx?: IntegrationContext): Promise<LedgerBalance>;
  /** Normalise a verified webhook payload (as the provider's receiver parsed it) into change events. */
  toChangeEvents(payload: unknown): LedgerChangeEvent[];
  /** A cheap authenticated call. */
  healthCheck(): Promise<HealthResult>;
}

/** Order of the invoice statuses; paid and voided are terminal. @public */
export const LEDGER_INVOICE_STATUS_RANK: Readonly<Record<LedgerInvoiceStatus, number>> = {
  draft: 0,
  open: 1,
  "partially-paid": 2,
  paid: 3,
  voided: 3,
};

/** The status of an invoice from its total and balance (a void is reported by the ledger, not derived). @public */
export function ledgerInvoiceStatus(total: LedgerAmount, balance: LedgerAmount): Exclude<LedgerInvoiceStatus, "draft" | "voided"> {
  const cents = (amount: string): bigint => {
    const match = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim());
    if (!match) throw new TypeError(`ledgerInvoiceStatus: not a decimal amount: ${JSON.stringify(amount)}`);
    const value = BigInt(match[2]!) * 100n + BigInt((match[3] ?? "").padEnd(2, "0"));
    return match[1] ? -value : value;
  };
  const billed = cents(total);
  const owed = cents(balance);
  if (owed <= 0n) return "paid";
  return owed < billed ? "partially-paid" : "open";
}

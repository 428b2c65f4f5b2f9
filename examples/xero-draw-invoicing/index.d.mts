/** Types of index.mjs, for the example's test. */
import type { LedgerEntity, LedgerInvoiceStatus } from "@connect/core";
import type { LedgerName } from "./ledgers.mjs";

export interface XeroDrawsOutcome {
  tenantId: string;
  /** Xero's intent-to-receive handshake passed against the receiver. */
  intentPassed: boolean;
  contactId: string;
  invoices: Array<{ id: string; number: string; type: string; reference: string; total: number; status: string }>;
  /** The InvoiceID answered to the redelivered draw-1 write (same Idempotency-Key). */
  replayedInvoiceId: string;
  /** Every write the fake received: method, path, Idempotency-Key, answered from Xero's replay cache. */
  idempotencyKeys: Array<[string, string, string | undefined, boolean]>;
  payment: { id: string; amount: number };
  paidStatus: string;
  /** What the borrower still owes, `0.00`. */
  outstanding: string;
  webhookStatus: number;
  forgedStatus: number;
  events: Array<{ category: string; type: string; resourceId: string; tenantId: string }>;
}

export interface LedgerDrawsOutcome {
  provider: LedgerName;
  customer: { id: string; externalRef: string | undefined; displayName: string };
  invoices: Array<{ id: string; externalRef: string | undefined; total: string; balance: string; status: LedgerInvoiceStatus }>;
  retryFoundSame: boolean;
  payment: { id: string; externalRef: string | undefined; amount: string; invoiceId: string | undefined };
  paid: { status: LedgerInvoiceStatus; balance: string };
  balance: { outstanding: string; openInvoices: number };
  webhookStatus: number;
  changes: Array<{ entity: LedgerEntity; id: string; operation: string; tenantId: string | undefined }>;
  counts: { customers: number; invoices: number; payments: number };
  tenantId: string;
}

/** LEDGER_PROVIDER, validated (unset: both). */
export function ledgersFromEnv(env?: Record<string, string | undefined>): LedgerName[];

/** The Xero client itself against the Xero fake: OAuth, contact, invoices, payment, balance, webhooks. */
export function runXeroDraws(options?: { log?: (line: string) => void }): Promise<XeroDrawsOutcome>;

/** The same servicing flow through core's Ledger. */
export function runLedgerDraws(options: { provider: LedgerName; log?: (line: string) => void }): Promise<LedgerDrawsOutcome>;

/** Both parts. */
export function runDrawInvoicing(options?: { ledgers?: LedgerName[]; log?: (line: string) => void }): Promise<{ xero: XeroDrawsOutcome; ledgers: LedgerDrawsOutcome[] }>;

/**
 * Nightly reconciliation: the host's loan balances against the customers' open balances in
 * QuickBooks. Host rows in, a report out — matches, mismatches (with the difference), loans
 * missing in QuickBooks, loan customers the host did not list, and host rows that could not be
 * read (one bad row never drops the others). All arithmetic is in integer cents.
 */
import type { IntegrationContext } from "@connect/core";
import type { QuickBooksAccounting } from "./client.js";
import { centsToDecimal, toCents, wireToCents, type Money } from "./money.js";
import type { Customer } from "./schemas.js";

/** One host loan balance. @public */
export interface HostLoanBalance {
  loanId: string;
  /** The balance the host holds for the loan (what the borrower owes). */
  balance: Money;
  /** The QuickBooks customer id, when the host stored it; otherwise the customer is found by loan id. */
  customerId?: string | undefined;
}

/** Input of `reconcile`. @public */
export interface ReconcileInput {
  balances: readonly HostLoanBalance[];
  /** Differences up to this amount count as a match. Default 0. */
  tolerance?: Money | undefined;
  /** Also consider inactive (paid-off) customers. Default true. */
  includeInactive?: boolean | undefined;
}

/** A loan found on both sides. @public */
export interface ReconciledLoan {
  loanId: string;
  customerId: string;
  displayName: string;
  hostCents: number;
  quickBooksCents: number;
  /** QuickBooks minus host, in cents. */
  differenceCents: number;
  /** The same three as decimal strings, for display. */
  host: string;
  quickBooks: string;
  difference: string;
}

/** The report. @public */
export interface ReconciliationReport {
  /** When the QuickBooks side was read (ISO). */
  asOf: string;
  matched: ReconciledLoan[];
  mismatched: ReconciledLoan[];
  /** Host loans with no QuickBooks customer. */
  missingInQuickBooks: Array<{ loanId: string; hostCents: number; host: string; customerId: string | undefined }>;
  /** QuickBooks loan customers the host did not list. */
  missingInHost: Array<{ loanId: string; customerId: string; displayName: string; quickBooksCents: number; quickBooks: string; active: boolean }>;
  /** Host rows that could not be reconciled (bad amount, duplicate loan id). */
  invalid: Array<{ index: number; loanId: string | undefined; reason: string }>;
  totals: { hostCents: number; quickBooksCents: number; matched: number; mismatched: number; missingInQuickBooks: number; missingInHost: number; invalid: number };
}

/** Compare host balances with QuickBooks. @internal */
export async function reconcileBalances(
  qbo: Pick<QuickBooksAccounting, "customers">,
  loanIdOf: (customer: { DisplayName: string }) => string | undefined,
  input: ReconcileInput,
  options: { ctx?: IntegrationContext | undefined; now?: (() => number) | undefined } = {},
): Promise<ReconciliationReport> {
  const tolerance = input.tolerance === undefined ? 0 : Math.abs(toCents(input.tolerance, "tolerance"));
  const report: ReconciliationReport = {
    asOf: new Date((options.now ?? Date.now)()).toISOString(),
    matched: [],
    mismatched: [],
    missingInQuickBooks: [],
    missingInHost: [],
    invalid: [],
    totals: { hostCents: 0, quickBooksCents: 0, matched: 0, mismatched: 0, missingInQuickBooks: 0, missingInHost: 0, invalid: 0 },
  };

  // Read every customer once (paged), then match in memory: one query per night, not one per loan.
  const where = (input.includeInactive ?? true) ? { Active: { in: [true, false] } } : undefined;
  const byId = new Map<string, Customer>();
  const byLoan = new Map<string, Customer>();
  for await (const customer of qbo.customers.query({ where, orderBy: "Id" }, options.ctx)) {
    byId.set(customer.Id, customer);
    const loanId = loanIdOf(customer);
    if (loanId !== undefined) byLoan.set(loanId, customer);
  }

  const seenLoans = new Set<string>();
  const usedCustomers = new Set<string>();
  input.balances.forEach((row, index) => {
    const loanId = typeof row?.loanId === "string" && row.loanId !== "" ? row.loanId : undefined;
    if (!loanId) return void report.invalid.push({ index, loanId: undefined, reason: "loanId is missing" });
    if (seenLoans.has(loanId)) return void report.invalid.push({ index, loanId, reason: "duplicate loanId in the host balances" });
    let hostCents: number;
    try {
      hostCents = toCents(row.balance, `balances.${index}.balance`);
    } catch (error) {
      return void report.invalid.push({ index, loanId, reason: (error as Error).message });
    }
    seenLoans.add(loanId);
    report.totals.hostCents += hostCents;
    const customer = row.customerId ? byId.get(row.customerId) : byLoan.get(loanId);
    if (!customer) {
      report.missingInQuickBooks.push({ loanId, hostCents, host: centsToDecimal(hostCents), customerId: row.customerId });
      return;
    }
    usedCustomers.add(customer.Id);
    const quickBooksCents = wireToCents(customer.Balance);
    report.totals.quickBooksCents += quickBooksCents;
    const differenceCents = quickBooksCents - hostCents;
    const entry: ReconciledLoan = {
      loanId,
      customerId: customer.Id,
      displayName: customer.DisplayName,
      hostCents,
      quickBooksCents,
      differenceCents,
      host: centsToDecimal(hostCents),
      quickBooks: centsToDecimal(quickBooksCents),
      difference: centsToDecimal(differenceCents),
    };
    (Math.abs(differenceCents) <= tolerance ? report.matched : report.mismatched).push(entry);
  });

  for (const [loanId, customer] of byLoan) {
    if (seenLoans.has(loanId) || usedCustomers.has(customer.Id)) continue;
    const quickBooksCents = wireToCents(customer.Balance);
    report.totals.quickBooksCents += quickBooksCents;
    report.missingInHost.push({ loanId, customerId: customer.Id, displayName: customer.DisplayName, quickBooksCents, quickBooks: centsToDecimal(quickBooksCents), active: customer.Active !== false });
  }
  report.totals.matched = report.matched.length;
  report.totals.mismatched = report.mismatched.length;
  report.totals.missingInQuickBooks = report.missingInQuickBooks.length;
  report.totals.missingInHost = report.missingInHost.length;
  report.totals.invalid = report.invalid.length;
  return report;
}

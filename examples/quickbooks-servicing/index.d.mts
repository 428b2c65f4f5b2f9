/** Types of index.mjs, for the example's test. */
import type { DeadLetter } from "@connect/core";
import type { Invoice, Payment, ReconciliationReport } from "@connect/quickbooks";

export interface ServicingOutcome {
  realmId: string;
  customerId: string;
  /** The redelivered "loan funded" event found the same customer. */
  foundAgain: boolean;
  invoices: Invoice[];
  payment: Payment;
  webhookStatus: number;
  changes: Array<{ entity: string; operation: string; entityId: string; balance?: number | undefined }>;
  report: ReconciliationReport;
  deadLetters: DeadLetter[];
}

/** Run loan funded → draws → payment → webhooks → reconciliation against the QuickBooks fake. */
export function runServicing(options?: { log?: (line: string) => void }): Promise<ServicingOutcome>;

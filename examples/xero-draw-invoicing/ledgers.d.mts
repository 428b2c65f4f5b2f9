/** Types of ledgers.mjs, for the example's test. */
import type { Ledger } from "@connect/core";

export type LedgerName = "xero" | "quickbooks";

export const LEDGERS: LedgerName[];

export interface LedgerFixture {
  name: LedgerName;
  tenantId: string;
  ledger: Ledger;
  /** The vendor posts its signed change notifications; the verified, provider-shaped changes. */
  notify(): Promise<{ status: number; changes: unknown[] }>;
  counts(): { customers: number; invoices: number; payments: number };
  close(): Promise<void>;
}

export function startLedger(name: LedgerName): Promise<LedgerFixture>;
export function listen(receiver: { node(req: unknown, res: unknown): unknown }, path: string): Promise<{ url: string; close(): Promise<void> }>;
export function connectXero(options: { fake: unknown; apiUrl: string; grantId?: string }): Promise<unknown>;

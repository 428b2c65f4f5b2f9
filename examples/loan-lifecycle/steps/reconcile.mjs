// Step 6 — reconciliation: QuickBooks' balances against the platform's ledger, the platform's
// own end-to-end checks (every lead, the signed PDF, the invoice, both notifications, the
// reply), and a review of the dead-letter sink: every letter is either explained (a health probe
// during an outage, a call another provider served) or open work that needs a replay.
import { stat } from "node:fs/promises";
import { centsToDecimal } from "@connect/quickbooks";

/** Why a dead letter is there, and whether work was lost. */
function reviewLetter(letter, outcomes) {
  // Health probes never reach the sink (core keeps them out), so every letter is business work.
  const base = { id: letter.id, adapterId: letter.adapterId, operation: letter.operation, error: letter.error?.name, attempts: letter.attempts };
  const served = outcomes.fallbacks.find((f) => f.provider === letter.adapterId && letter.correlationId === f.correlationId);
  if (served) return { ...base, resolution: `sent through ${served.servedBy} instead (fallback)`, open: false };
  return { ...base, resolution: "open: replay it once the vendor is back", open: true };
}

/** Every letter in the dead-letter sink, with its explanation (`open: true` means work to replay). */
export async function reviewDeadLetters(app, signing) {
  const fallbacks = signing.fellBackFrom.map((f) => ({ provider: f.provider, servedBy: signing.servedBy, correlationId: app.context("signing").correlationId }));
  return (await app.deadLetters.list()).map((letter) => reviewLetter(letter, { fallbacks }));
}

/** Reconcile; `ok` is false when anything was lost. */
export async function reconcile(app, loan, { leads, signing }) {
  const { quickbooks } = app.vendors;
  const ctx = app.context("reconcile");
  const balanceCents = loan.draws.reduce((sum, draw) => sum + draw.amountCents, 0);
  const report = await quickbooks.client.reconcile({ balances: [{ loanId: loan.number, balance: centsToDecimal(balanceCents) }] }, ctx);

  const saved = loan.signature?.savedTo ? await stat(loan.signature.savedTo).catch(() => undefined) : undefined;
  const checks = {
    leadsImported: leads.created === leads.expected.valid - leads.expected.duplicates && leads.rejected === leads.expected.rejected && leads.failed === 0,
    surveyExtracted: loan.survey?.PARCEL_NUMBER !== undefined,
    documentsSigned: loan.signature?.status === "completed" && saved !== undefined && saved.size === loan.signature.bytes && loan.signature.saves === 1,
    ledgerMatches: report.totals.matched === 1 && report.totals.mismatched === 0 && report.totals.missingInQuickBooks === 0,
    emailDelivered: loan.notifications.email.every((m) => m.status === "delivered") && loan.notifications.email.length === 1,
    smsDelivered: loan.notifications.sms.every((m) => m.status === "delivered") && loan.notifications.sms.length === 1,
    borrowerConfirmed: loan.confirmed,
  };

  const deadLetters = await reviewDeadLetters(app, signing);
  const letters = deadLetters;
  const open = deadLetters.filter((letter) => letter.open);
  const failedChecks = Object.entries(checks).filter(([, ok]) => !ok).map(([name]) => name);
  const ok = failedChecks.length === 0 && open.length === 0;

  return {
    line: `QuickBooks ${report.totals.matched} matched / ${report.totals.mismatched} mismatched (balance ${centsToDecimal(balanceCents)}); platform checks ${Object.keys(checks).length - failedChecks.length}/${Object.keys(checks).length}${failedChecks.length ? ` (failed: ${failedChecks.join(", ")})` : ""}; dead letters so far ${letters.length} (${open.length} open)`,
    result: { ok, quickbooks: report.totals, checks, deadLetters },
  };
}

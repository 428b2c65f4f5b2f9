// Step 6 — reconciliation: the ledger's balance (QuickBooks or Xero, through core's `Ledger`)
// against the platform's own, the platform's end-to-end checks (every lead, the signed PDF, the
// invoice, the email sent exactly once across every email provider's fake, the SMS, the reply),
// and a review of the dead-letter sink: every letter is either explained (a call another
// provider served) or open work that needs a replay.
import { stat } from "node:fs/promises";
import { centsOf, decimal } from "../platform.mjs";
import { LEDGER_NAMES } from "./funding.mjs";

/** Why a dead letter is there, and whether work was lost. */
function reviewLetter(letter, outcomes) {
  // Health probes never reach the sink (core keeps them out), so every letter is business work.
  const base = { id: letter.id, adapterId: letter.adapterId, operation: letter.operation, error: letter.error?.name, attempts: letter.attempts };
  const served = outcomes.fallbacks.find((f) => f.provider === letter.adapterId && letter.correlationId === f.correlationId);
  if (served) return { ...base, resolution: `sent through ${served.servedBy} instead (fallback)`, open: false };
  return { ...base, resolution: "open: replay it once the vendor is back", open: true };
}

/** Every fallback of the run (signing and the email), with the step's correlation id. */
export function fallbacksOf(app, { signing, notify }) {
  const of = (step, outcome) => (outcome?.fellBackFrom ?? []).map((f) => ({ provider: f.provider, error: f.error, servedBy: outcome.servedBy, correlationId: app.context(step).correlationId }));
  return [...of("signing", signing), ...of("notify", notify?.email)];
}

/** Every letter in the dead-letter sink, with its explanation (`open: true` means work to replay). */
export async function reviewDeadLetters(app, steps) {
  const fallbacks = fallbacksOf(app, steps);
  return (await app.deadLetters.list()).map((letter) => reviewLetter(letter, { fallbacks }));
}

/** How many messages each email provider's fake accepted for the borrower (the run's exactly-once check). */
export function emailCounts(app, loan) {
  return Object.fromEntries(Object.values(app.vendors.mail).map((m) => [m.provider, m.accepted(loan.borrower.email)]));
}

/** Reconcile; `ok` is false when anything was lost. */
export async function reconcile(app, loan, { leads, signing, notify }) {
  const { ledger: books } = app.vendors;
  const ctx = app.context("reconcile");
  const balanceCents = loan.draws.reduce((sum, draw) => sum + draw.amountCents, 0);
  const balance = await books.ledger.balance(loan.ledger.customerId, ctx);
  const outstandingCents = centsOf(balance.outstanding);
  const emails = emailCounts(app, loan);
  const emailsAccepted = Object.values(emails).reduce((a, b) => a + b, 0);

  const saved = loan.signature?.savedTo ? await stat(loan.signature.savedTo).catch(() => undefined) : undefined;
  const checks = {
    leadsImported: leads.created === leads.expected.valid - leads.expected.duplicates && leads.rejected === leads.expected.rejected && leads.failed === 0,
    surveyExtracted: loan.survey?.PARCEL_NUMBER !== undefined,
    documentsSigned: loan.signature?.status === "completed" && saved !== undefined && saved.size === loan.signature.bytes && loan.signature.saves === 1,
    ledgerMatches: outstandingCents === balanceCents && balance.openInvoices === loan.draws.length,
    emailDelivered: loan.notifications.email.every((m) => m.status === "delivered") && loan.notifications.email.length === 1,
    emailSentOnce: emailsAccepted === 1,
    smsDelivered: loan.notifications.sms.every((m) => m.status === "delivered") && loan.notifications.sms.length === 1,
    borrowerConfirmed: loan.confirmed,
  };

  const deadLetters = await reviewDeadLetters(app, { signing, notify });
  const open = deadLetters.filter((letter) => letter.open);
  const failedChecks = Object.entries(checks).filter(([, ok]) => !ok).map(([name]) => name);
  const ok = failedChecks.length === 0 && open.length === 0;
  const matched = outstandingCents === balanceCents ? 1 : 0;

  return {
    line: `${LEDGER_NAMES[books.provider]} ${matched} matched / ${1 - matched} mismatched (outstanding ${balance.outstanding}, platform ${decimal(balanceCents)}); borrower email accepted ${emailsAccepted}× in total (${Object.entries(emails).map(([p, n]) => `${p} ${n}`).join(", ")}); platform checks ${Object.keys(checks).length - failedChecks.length}/${Object.keys(checks).length}${failedChecks.length ? ` (failed: ${failedChecks.join(", ")})` : ""}; dead letters so far ${deadLetters.length} (${open.length} open)`,
    result: {
      ok,
      ledger: { provider: books.provider, matched, mismatched: 1 - matched, outstanding: balance.outstanding, openInvoices: balance.openInvoices, platformBalance: decimal(balanceCents) },
      emails: { accepted: emails, total: emailsAccepted },
      checks,
      deadLetters,
    },
  };
}

// Step 1 — the nightly BPO import: BPO's batch job drops `bpo_export_<date>.csv` into a folder;
// the platform imports the latest file row by row (bad rows reported with their line, never
// fatal), then takes one new lead into underwriting and syncs that project back to BPO.
import { join } from "node:path";
import { folderExportReader, importLatestBpoExport } from "@connect/bpo";

export const EXPORT_DATE = "2024-06-03";
const EXPORT_ROWS = 2_000;

/** Import the export, open loan `loanNumber` on the first new lead, sync it to BPO. */
export async function importLeads(app, { loanNumber, borrower, amountCents }) {
  const { bpo } = app.vendors;
  const ctx = app.context("leads");

  // What BPO's nightly job delivers: its projects as a CSV with the usual mess (every 10th row).
  bpo.fake.seedProjects({ count: EXPORT_ROWS, seed: 5, start: "2024-05-01T08:00:00Z" });
  const dir = join(app.outDir, "bpo-exports");
  const written = await bpo.fake.writeExport({ dir, date: EXPORT_DATE, messy: true });

  const report = await importLatestBpoExport(folderExportReader(dir), {
    store: app.platform.leads,
    progressEvery: 250,
    onProgress: (p) => app.progress(`importing ${p.file}: ${p.rows}/${written.rows} rows`),
    telemetry: app.telemetry.options,
    correlationId: ctx.correlationId,
  });
  const created = [...app.platform.leads.records.values()].filter((lead) => lead.importedAs === "created");
  const newLeads = created.filter((lead) => lead.status === "LEAD");
  const firstProblem = report.rejectedRows[0];

  // Underwriting takes the oldest new lead; the platform now owns it (FEASIBILITY) and tells BPO.
  const lead = newLeads.sort((a, b) => (a.submittedAt ?? "").localeCompare(b.submittedAt ?? ""))[0];
  const loan = app.platform.openLoan({ number: loanNumber, lead, borrower, amountCents });
  app.chaos?.leads(bpo.fake);
  const synced = await bpo.client.projects.upsert(
    {
      external_id: loan.projectId,
      address: lead.address,
      ...(lead.city ? { city: lead.city } : {}),
      ...(lead.state && /^[A-Z]{2}$/.test(lead.state) ? { state: lead.state } : {}),
      ...(lead.zip ? { zip: lead.zip } : {}),
      status: "FEASIBILITY",
      assigned_to: "lou.officer@acme-lending.test",
      ...(lead.purchasePrice !== null ? { purchase_price: lead.purchasePrice } : {}),
    },
    ctx,
  );

  return {
    line: `${report.file}: ${report.rows} rows → ${report.created} projects (${newLeads.length} new leads), ${report.skipped} older duplicates skipped, ${report.rejected} rejected${firstProblem ? ` (line ${firstProblem.line}: ${firstProblem.reason})` : ""}; lead ${lead.externalId.slice(0, 8)}… → loan ${loan.number}, synced to BPO as ${synced.external_id}`,
    result: {
      file: report.file,
      rows: report.rows,
      created: report.created,
      updated: report.updated,
      skipped: report.skipped,
      rejected: report.rejected,
      failed: report.failed,
      newLeads: newLeads.length,
      expected: { valid: written.valid, rejected: written.rejected, duplicates: written.duplicates },
      leadId: lead.externalId,
      bpoProject: { id: synced.id, externalId: synced.external_id },
    },
    loan,
  };
}

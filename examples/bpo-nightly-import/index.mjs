// BPO nightly import: BPO's batch job delivers yesterday's and tonight's exports into a drop
// folder (tonight's as a messy spreadsheet-style CSV: BOM, CRLF, "Project ID" headers, bad
// numbers, missing columns, duplicate ids …); the platform imports yesterday's, works on some
// projects, then the nightly job imports the latest file and prints the report. The rows it
// rejects land in a dead-letter sink; a re-run shows the import is idempotent. Finally the
// platform reads what changed since over REST from the BPO fake.
// Runs offline: `npm run build && node examples/bpo-nightly-import/index.mjs`.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createMemoryDeadLetterSink } from "@connect/core";
import { serveHandlers } from "@connect/core/testing";
import { createBpoClient, folderExportReader, importBpoExport, importLatestBpoExport } from "@connect/bpo";
import { createBpoFake, createMemoryImportStore } from "@connect/bpo/testing";

const n = (value) => value.toLocaleString("en-US");

/** Run the whole flow; returns what happened so a test can assert it. */
export async function runBpoNightlyImport({ log = console.log } = {}) {
  const drop = await mkdtemp(join(tmpdir(), "bpo-drop-"));
  // 1. BPO: the fake holds 1,000 projects; its batch job writes the nightly export into the drop folder.
  const bpo = createBpoFake({ seed: 7 });
  bpo.seedProjects({ count: 1000, seed: 2024, start: "2024-05-01T08:00:00Z" });
  const yesterday = await bpo.writeExport({ dir: drop, date: "2024-06-02" });

  // During the day BPO's users edit 60 projects and submit 40 new leads.
  const projects = [...bpo.projects.values()];
  projects.slice(0, 60).forEach((project, i) => {
    project.updated_at = new Date(Date.parse("2024-06-02T12:00:00Z") + i * 60_000).toISOString();
    project.purchase_price = (project.purchase_price ?? 400_000) + 5_000;
  });
  for (let i = 0; i < 40; i++) bpo.addProject({ status: "LEAD", updated_at: new Date(Date.parse("2024-06-02T15:00:00Z") + i * 60_000).toISOString() });
  const tonight = await bpo.writeExport({ dir: drop, date: "2024-06-03", messy: { every: 25 }, headers: "legacy", bom: true, lineEnding: "\r\n" });
  log(`BPO delivered ${yesterday.name} (${n(yesterday.rows)} rows) and ${tonight.name} (${n(tonight.rows)} rows, ${tonight.rejected} of them unreadable or invalid)`);

  // 2. The platform's store. Yesterday's file was imported last night.
  const store = createMemoryImportStore();
  const first = await importBpoExport(yesterday.path, { store });
  log(`last night: ${n(first.created)} projects created from ${yesterday.name}`);

  // The platform moves ten leads into feasibility (it owns them from now on) and edits a closed deal.
  const leads = store.snapshot().filter((r) => r.status === "LEAD");
  for (const lead of leads.slice(0, 10)) store.edit(lead.externalId, { status: "FEASIBILITY", updatedAt: "2024-06-02T18:00:00Z" });
  log("platform: 10 leads moved to FEASIBILITY during the day");

  // 3. Tonight's job: the latest file in the drop folder, bad rows to the dead-letter sink.
  const deadLetters = createMemoryDeadLetterSink();
  const progress = [];
  const report = await importLatestBpoExport(folderExportReader(drop), {
    store,
    deadLetters,
    correlationId: "nightly-2024-06-03",
    progressEvery: 250,
    onProgress: (p) => progress.push(p),
  });
  log(`nightly import of ${report.file}: ${progress.map((p) => (p.done ? "done" : n(p.rows))).join(" → ")} rows`);
  log(`  rows      ${n(report.rows)}`);
  log(`  created   ${n(report.created)}`);
  log(`  updated   ${n(report.updated)}`);
  log(`  skipped   ${n(report.skipped)} (older ${report.skippedBy.older}, unchanged ${report.skippedBy.unchanged}, platform-owned ${report.skippedBy.platformOwned})`);
  log(`  rejected  ${n(report.rejected)} → ${(await deadLetters.list()).length} dead letters`);
  for (const problem of report.rejectedRows.slice(0, 5)) log(`    row ${problem.row} (line ${problem.line}): ${problem.reason}`);
  if (report.rejectedRows.length > 5) log(`    … and ${report.rejectedRows.length - 5} more`);

  // 4. Running it again (a retried job) changes nothing.
  const rerun = await importBpoExport(tonight.path, { store, deadLetters, correlationId: "nightly-2024-06-03" });
  log(`re-run: ${rerun.created} created, ${rerun.updated} updated, ${n(rerun.skipped)} skipped; still ${(await deadLetters.list()).length} dead letters`);

  // 5. REST: what changed in BPO since tonight's export, straight from the API (the fake here).
  const api = await serveHandlers(bpo.handlers);
  const client = createBpoClient({ baseUrl: api.url, apiKey: bpo.apiKey });
  try {
    bpo.addProject({ status: "LEAD", updated_at: "2024-06-03T09:15:00Z" });
    const since = [];
    for await (const project of client.projects.listAll({ updatedSince: "2024-06-03T00:00:00Z", status: ["LEAD"] })) since.push(project);
    log(`REST: ${since.length} lead(s) changed since the export (${since.map((p) => p.address).join("; ")})`);
    return { yesterday, tonight, first, report, rerun, progress, deadLetters: await deadLetters.list(), store: store.snapshot(), sinceExport: since };
  } finally {
    await client.close();
    await api.close();
    await rm(drop, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runBpoNightlyImport();
}

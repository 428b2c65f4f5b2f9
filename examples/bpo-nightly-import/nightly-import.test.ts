import { describe, expect, it } from "vitest";
import { runBpoNightlyImport } from "./index.mjs";

describe("example: bpo nightly import", () => {
  it("imports the latest messy export with the conflict rule, reports every bad row, and is idempotent on a re-run", async () => {
    const lines: string[] = [];
    const outcome = await runBpoNightlyImport({ log: (line) => lines.push(line) });
    const { report, tonight, rerun } = outcome;

    expect(outcome.first).toMatchObject({ rows: 1000, created: 1000, rejected: 0 });
    expect(report).toMatchObject({
      file: "bpo_export_2024-06-03.csv",
      complete: true,
      rows: 1040,
      created: 39,
      updated: 40,
      skipped: 939,
      skippedBy: { older: 5, unchanged: 636, platformOwned: 298 },
      rejected: 22,
      failed: 0,
      fileErrors: [],
      ignoredColumns: [],
    });
    // What the generator says it wrote is what the import rejected.
    expect(report.rejected).toBe(tonight.rejected);
    expect(report.rows).toBe(report.created + report.updated + report.skipped + report.rejected);
    expect(report.rejectedRows.slice(0, 2)).toEqual([
      { row: 50, line: 61, externalId: expect.any(String), stage: "validate", reason: 'purchase_price: "TBD" is not a number', issues: [expect.objectContaining({ path: "purchase_price" })] },
      expect.objectContaining({ row: 100, line: 115, stage: "parse", reason: "the row has 10 fields but the header has 13 (a missing column, or a line break outside quotes?)" }),
    ]);
    expect(outcome.deadLetters).toHaveLength(22);
    expect(outcome.deadLetters[0]).toMatchObject({ id: "bpo:bpo_export_2024-06-03.csv:row-50", operation: "export.row", correlationId: "nightly-2024-06-03" });
    expect(outcome.progress.map((p) => [p.rows, p.done])).toEqual([
      [250, false],
      [500, false],
      [750, false],
      [1000, false],
      [1040, true],
    ]);

    expect(rerun).toMatchObject({ created: 0, updated: 0, skipped: 1018, rejected: 22 });
    expect(outcome.store).toHaveLength(1039);
    expect(outcome.store.filter((r) => r.status === "FEASIBILITY").length).toBeGreaterThanOrEqual(10);
    expect(outcome.sinceExport.map((p) => p.updated_at)).toEqual(["2024-06-03T09:15:00Z"]);

    expect(lines).toEqual([
      "BPO delivered bpo_export_2024-06-02.csv (1,000 rows) and bpo_export_2024-06-03.csv (1,040 rows, 22 of them unreadable or invalid)",
      "last night: 1,000 projects created from bpo_export_2024-06-02.csv",
      "platform: 10 leads moved to FEASIBILITY during the day",
      "nightly import of bpo_export_2024-06-03.csv: 250 → 500 → 750 → 1,000 → done rows",
      "  rows      1,040",
      "  created   39",
      "  updated   40",
      "  skipped   939 (older 5, unchanged 636, platform-owned 298)",
      "  rejected  22 → 22 dead letters",
      '    row 50 (line 61): purchase_price: "TBD" is not a number',
      "    row 100 (line 115): the row has 10 fields but the header has 13 (a missing column, or a line break outside quotes?)",
      '    row 150 (line 171): submitted_at: "2024-13-45" is not a calendar date',
      "    row 200 (line 231): id: is required",
      '    row 225 (line 259): purchase_price: "TBD" is not a number',
      "    … and 17 more",
      "re-run: 0 created, 0 updated, 1,018 skipped; still 22 dead letters",
      `REST: 1 lead(s) changed since the export (${outcome.sinceExport[0]!.address})`,
    ]);
  });
});

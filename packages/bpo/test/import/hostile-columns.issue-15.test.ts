/**
 * Regression (issue 15): a column (or JSON key) named like an Object member is not mapped to an
 * inherited alias. `constructor` fed a field named after Object's constructor, was missing from
 * `ignoredColumns`, and two such columns failed the whole file as "two columns feed the same field".
 */
import { exportFileFromContent, importBpoExport } from "@connect/bpo";
import { createMemoryImportStore } from "@connect/bpo/testing";
import { describe, expect, it } from "vitest";

describe("issue 15: hostile column names", () => {
  it("CSV columns constructor / Constructor / __proto__ / toString are ignored and reported, the rows imported", async () => {
    const store = createMemoryImportStore();
    const text = ["id,address,status,constructor,Constructor,__proto__,toString", "bpo_1,1 Main St,LEAD,a,b,c,d", "bpo_2,2 Main St,LEAD,e,f,g,h"].join("\n");
    const report = await importBpoExport(exportFileFromContent("bpo_export_2024-06-03.csv", text), { store });

    expect(report).toMatchObject({ rows: 2, created: 2, rejected: 0, fileErrors: [] });
    expect([...report.ignoredColumns].sort()).toEqual(["Constructor", "__proto__", "constructor", "toString"]);
    expect(Object.keys(store.records.get("bpo_1")!).sort()).toEqual(
      ["address", "assignedTo", "city", "externalId", "listPrice", "notes", "platformId", "purchasePrice", "sourceUpdatedAt", "state", "status", "submittedAt", "submittedBy", "updatedAt", "zip"].sort(),
    );
  });

  it("a JSON record with a constructor key imports with the key reported as ignored", async () => {
    const store = createMemoryImportStore();
    const text = JSON.stringify([{ id: "bpo_3", address: "3 Main St", status: "LEAD", constructor: "x" }]);
    const report = await importBpoExport(exportFileFromContent("bpo_export_2024-06-03.json", text), { store });
    expect(report).toMatchObject({ rows: 1, created: 1, rejected: 0 });
    expect(report.ignoredColumns).toContain("constructor");
  });
});

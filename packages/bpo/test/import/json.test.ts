import { exportFile, exportFileFromContent, importBpoExport } from "@connect/bpo";
import { createMemoryImportStore } from "@connect/bpo/testing";
import { describe, expect, it } from "vitest";

const file = (text: string, name = "bpo_export_2024-06-03.json") => exportFileFromContent(name, text);

const r1 = { id: "j1", address: "1 Oak St", city: "Austin", state: "TX", zip: "78704", status: "LEAD", submitted_by: { email: "ana@brokerage.example", name: "Ana Reyes" }, submitted_at: { _seconds: 1714550400, _nanoseconds: 0 }, purchase_price: 450000, list_price: null, notes: "a, \"quoted\"\nnote", updated_at: "2024-06-01T10:00:00Z" };
const r2 = { id: "j2", address: "2 Oak St", status: "FEASIBILITY", purchase_price: "$610,000", updated_at: "2024-06-01T11:00:00Z" };

describe("importBpoExport: JSON exports", () => {
  it("reads a top-level array, with nested submitted_by and Firestore timestamps", async () => {
    const store = createMemoryImportStore();
    const report = await importBpoExport(file(JSON.stringify([r1, r2], null, 2)), { store });

    expect(report).toMatchObject({ format: "json", rows: 2, created: 2, rejected: 0, fileErrors: [] });
    expect(store.records.get("j1")).toMatchObject({
      submittedBy: { email: "ana@brokerage.example", name: "Ana Reyes" },
      submittedAt: "2024-05-01T08:00:00.000Z",
      notes: 'a, "quoted"\nnote',
      listPrice: null,
    });
    expect(store.records.get("j2")!.purchasePrice).toBe(610_000);
  });

  it("reads the records of a wrapper object ({ data: [...] }) and ignores the rest of it", async () => {
    const store = createMemoryImportStore();
    const text = JSON.stringify({ exported_at: "2024-06-03T02:00:00Z", source: { system: "bpo", data: "not records" }, data: [r1, r2], pagination: { total: 2 } });
    const report = await importBpoExport(file(text), { store });
    expect(report).toMatchObject({ rows: 2, created: 2, rejected: 0, fileErrors: [] });
  });

  it("reads newline-delimited JSON", async () => {
    const store = createMemoryImportStore();
    const report = await importBpoExport(file(`${JSON.stringify(r1)}\n${JSON.stringify(r2)}\n`), { store });
    expect(report).toMatchObject({ rows: 2, created: 2, rejected: 0, fileErrors: [] });
  });

  it("rejects a malformed record with its position and line, and reads the records after it", async () => {
    const text = ["[", JSON.stringify(r1) + ",", '{"id": "bad", "address": "3 Oak St", "purchase_price": 12..5},', '"just a string",', JSON.stringify({ ...r2, purchase_price: "TBD" }) + ",", JSON.stringify({ id: "j4", address: "4 Oak St", status: "LEAD", updated_at: "2024-06-01T12:00:00Z" }), "]"].join("\n");
    const store = createMemoryImportStore();
    const report = await importBpoExport(file(text), { store });

    expect(report).toMatchObject({ rows: 5, created: 2, rejected: 3, fileErrors: [] });
    expect(report.rejectedRows.map(({ row, line, stage, externalId }) => ({ row, line, stage, externalId }))).toEqual([
      { row: 2, line: 3, stage: "parse", externalId: undefined },
      { row: 3, line: 4, stage: "parse", externalId: undefined },
      { row: 4, line: 5, stage: "validate", externalId: "j2" },
    ]);
    expect(report.rejectedRows[0]!.reason).toMatch(/^malformed JSON: /);
    expect(report.rejectedRows[1]!.reason).toBe("expected an object, found string");
    expect(report.rejectedRows[2]!.reason).toBe('purchase_price: "TBD" is not a number');
    expect(store.snapshot().map((r) => r.externalId)).toEqual(["j1", "j4"]);
  });

  it("imports the records of a truncated file and reports the truncation", async () => {
    const text = "[\n" + JSON.stringify(r1) + ",\n" + JSON.stringify(r2).slice(0, 30);
    const store = createMemoryImportStore();
    const report = await importBpoExport(file(text), { store });
    expect(report).toMatchObject({ rows: 1, created: 1, complete: true });
    expect(report.fileErrors).toEqual([{ line: 3, reason: "the file ends inside the record starting on line 3 (a truncated export?)" }]);
  });

  it("reports a missing closing bracket", async () => {
    const report = await importBpoExport(file("[\n" + JSON.stringify(r1) + "\n"), { store: createMemoryImportStore() });
    expect(report.created).toBe(1);
    expect(report.fileErrors).toEqual([{ line: 3, reason: "the file ends before the closing bracket of the export (a truncated export?)" }]);
  });

  it("rejects an oversized record, whether it arrives in one chunk or spans several", async () => {
    const text = "[" + JSON.stringify(r1) + ',{"id":"big","notes":"' + "x".repeat(5000) + '"},' + JSON.stringify(r2) + "]";
    const store = createMemoryImportStore();
    const report = await importBpoExport(file(text), { store, maxRecordChars: 1000 });
    expect(report).toMatchObject({ rows: 3, created: 2, rejected: 1 });
    expect(report.rejectedRows[0]).toMatchObject({ row: 2, reason: "record is larger than 1000 characters (an unbalanced bracket?)" });

    const chunked = exportFile({ name: "bpo_export_2024-06-03.json", open: async function* () {
      for (let i = 0; i < text.length; i += 256) yield Buffer.from(text.slice(i, i + 256));
    } });
    const again = await importBpoExport(chunked, { store: createMemoryImportStore(), maxRecordChars: 1000 });
    expect(again).toMatchObject({ rows: 3, created: 2, rejected: 1 });
    expect(again.rejectedRows[0]).toMatchObject({ row: 2, reason: "record is larger than 1000 characters (an unbalanced bracket?)" });
  });

  it("splits records correctly across chunk boundaries, escapes and brackets inside strings", async () => {
    const tricky = { id: "t1", address: 'Bracket } ] [ { St "\\"', status: "LEAD", notes: "emoji 🏗️ and \\u escapes \u00e9", updated_at: "2024-06-01T00:00:00Z" };
    const bytes = Buffer.from(JSON.stringify([tricky, r2]));
    // One byte at a time: every split point, including inside a multi-byte character.
    const source = exportFile({ name: "bpo_export_2024-06-03.json", open: async function* () {
      for (const byte of bytes) yield Uint8Array.of(byte);
    } });
    const store = createMemoryImportStore();
    const report = await importBpoExport(source, { store });
    expect(report).toMatchObject({ rows: 2, created: 2, rejected: 0, bytesRead: bytes.byteLength });
    expect(store.records.get("t1")).toMatchObject({ address: tricky.address, notes: tricky.notes });
  });

  it("reads a JSON export with a byte order mark", async () => {
    const report = await importBpoExport(file("\uFEFF" + JSON.stringify([r1])), { store: createMemoryImportStore() });
    expect(report).toMatchObject({ rows: 1, created: 1, fileErrors: [] });
  });

  it("reports content that is not JSON at all", async () => {
    const report = await importBpoExport(file("id,address\n1,2\n"), { store: createMemoryImportStore() });
    expect(report).toMatchObject({ rows: 0, created: 0 });
    expect(report.fileErrors).toEqual([{ line: 1, reason: 'unexpected "i" where a JSON array or object should start' }]);
  });
});

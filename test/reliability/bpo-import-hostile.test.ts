/**
 * Issue 15 — hostile input, property-based, against the BPO nightly importer: random and
 * adversarial CSV and JSON exports (hostile header and key names, quotes, line breaks, invalid
 * UTF-8, deep nesting, unterminated quotes and brackets swallowing the file) end in a report
 * whose counts add up, or a typed error — never a crash, a hang, a polluted prototype, a
 * record of the wrong shape in the store, or memory that grows with the damage.
 */
import { Readable } from "node:stream";
import { exportFile, exportFileFromContent, importBpoExport, type BpoImportReport } from "@connect/bpo";
import { createMemoryImportStore } from "@connect/bpo/testing";
import { createMemoryDeadLetterSink, type DeadLetter } from "@connect/core";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { assertNoPollution, assertPlainData, deepJson, HOSTILE_KEYS, hostileKey, invalidUtf8, isTyped, jsonText, prototypeSnapshot, within } from "./hostile.js";

const RUNS = { numRuns: Number(process.env.HOSTILE_RUNS ?? 60) } as const;
const NAME = "bpo_export_2024-06-03";
const before = prototypeSnapshot();

afterAll(() => {
  expect(prototypeSnapshot()).toBe(before);
  assertNoPollution();
});

const COLUMNS = ["id", "address", "city", "state", "zip", "status", "submitted_by", "submitted_at", "purchase_price", "notes", "Project ID", "Street Address", "ZIP Code", "Last Updated"];
const cell = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom("bpo_001", "bpo_002", "12 Oak St", "TX", "Texas", "02134", "2134", "LEAD", "Under contract", "$1,250,000", "TBD", "12..5", "-5", "2024-02-30", "6/3/2024 5:30 PM", "1717380000", "NULL", "N/A", "-", "", "ana@example.com"),
  fc.constantFrom('"', '""', 'a"b', "line\nbreak", "cr\r\nlf", "a,b", "\u0000", "\ufeff", "x".repeat(20_000), "=cmd|' /C calc'!A0", "__proto__", "constructor"),
);
const quote = (value: string): string => (/[",\r\n]/.test(value) || value === "" ? `"${value.replace(/"/g, '""')}"` : value);

/** A CSV export: a header mixing real, aliased and hostile columns, then rows of any width. */
const csvExport = fc
  .tuple(fc.array(fc.oneof(fc.constantFrom(...COLUMNS), hostileKey), { minLength: 1, maxLength: 12 }), fc.array(fc.array(cell, { maxLength: 14 }), { maxLength: 12 }), fc.boolean(), fc.boolean())
  .map(([header, rows, crlf, rawQuotes]) => {
    const eol = crlf ? "\r\n" : "\n";
    const line = (cells: string[]) => cells.map((c) => (rawQuotes ? c : quote(c))).join(",");
    return [line(header), ...rows.map(line)].join(eol);
  });

/** A JSON export: an array, a wrapper object or NDJSON of records with hostile keys and values. */
const record = fc
  .tuple(fc.array(fc.tuple(fc.oneof(fc.constantFrom(...COLUMNS), hostileKey), fc.oneof(jsonText, cell.map((c) => JSON.stringify(c)))), { maxLength: 10 }))
  .map(([entries]) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`);
const jsonExport = fc.oneof(
  fc.array(record, { maxLength: 8 }).map((r) => `[${r.join(",")}]`),
  fc.tuple(fc.constantFrom("data", "projects", "records", "items", "rows", "__proto__"), fc.array(record, { maxLength: 6 })).map(([key, r]) => `{"exported_at":"2024-06-03T02:00:00Z",${JSON.stringify(key)}:[${r.join(",")}]}`),
  fc.array(record, { maxLength: 8 }).map((r) => r.join("\n")),
  jsonText,
  deepJson,
  deepJson.map((d) => `[{"id":"bpo_1","address":"1 Main","status":"LEAD","notes":${d}}]`),
);

/** Import and check the answer: a report whose counts add up, or a typed error. */
async function importChecked(file: Parameters<typeof importBpoExport>[0], letters: DeadLetter[] = []): Promise<BpoImportReport | undefined> {
  const store = createMemoryImportStore();
  const deadLetters = createMemoryDeadLetterSink();
  let report: BpoImportReport;
  try {
    report = await within(importBpoExport(file, { store, deadLetters }), 10_000);
  } catch (error) {
    if (!isTyped(error)) throw new Error(`the import crashed with an untyped ${(error as Error)?.name}: ${(error as Error)?.message}`);
    assertNoPollution();
    return undefined;
  }
  expect(report.rows).toBe(report.created + report.updated + report.skipped + report.rejected + report.failed);
  // Every rejected row is in the dead-letter sink (none dropped silently).
  letters.push(...(await deadLetters.list()));
  expect(letters.length).toBe(report.rejected);
  for (const stored of store.records.values()) {
    assertPlainData(stored);
    expect(typeof stored.externalId).toBe("string");
    expect(Object.keys(stored).filter((k) => (HOSTILE_KEYS as readonly string[]).includes(k))).toEqual([]);
  }
  assertNoPollution();
  return report;
}

describe("BPO nightly import: hostile exports", () => {
  it("random and adversarial CSV exports: a consistent report or a typed error", async () => {
    await fc.assert(fc.asyncProperty(csvExport, async (text) => void (await importChecked(exportFileFromContent(`${NAME}.csv`, text)))), RUNS);
  });

  it("CSV bytes that are not valid UTF-8 (and latin1 declared as UTF-8)", async () => {
    await fc.assert(
      fc.asyncProperty(invalidUtf8, async (bytes) => {
        const body = Buffer.concat([Buffer.from("id,address,status\n"), bytes, Buffer.from("\nbpo_9,1 Main,LEAD\n")]);
        await importChecked(exportFile({ name: `${NAME}.csv`, open: () => Readable.from([body]) }));
      }),
      RUNS,
    );
  });

  it("random and adversarial JSON exports (wrappers, NDJSON, hostile keys, deep nesting)", async () => {
    await fc.assert(fc.asyncProperty(jsonExport, async (text) => void (await importChecked(exportFileFromContent(`${NAME}.json`, text)))), RUNS);
  });

  it("a header with __proto__ / constructor / toString columns maps nothing onto the record's prototype", async () => {
    const text = ["id,address,status,__proto__,constructor,toString,hasOwnProperty", "bpo_1,1 Main St,LEAD,{},x,y,z", "bpo_2,2 Main St,LEAD,a,b,c,d"].join("\n");
    const report = await importChecked(exportFileFromContent(`${NAME}.csv`, text));
    expect(report).toMatchObject({ rows: 2, created: 2, rejected: 0 });
    expect(report!.ignoredColumns.sort()).toEqual(["__proto__", "constructor", "hasOwnProperty", "toString"].sort());
  });

  it("an unterminated quote or bracket early in a large file costs one row (kept in its dead letter), with bounded memory", async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `bpo_${i},${i} Main St,Austin,TX,78704,LEAD,ana@example.com,2024-06-01,450000,"note ${i}"`);
    const csv = ["id,address,city,state,zip,status,submitted_by,submitted_at,purchase_price,notes", 'bpo_x,"1 Main St,Austin,TX', ...rows].join("\n");
    const json = `[{"id":"bpo_x","address":"1 Main","notes":"${"x".repeat(2_000_000)}`;
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const letters: DeadLetter[] = [];
    const fromCsv = await importChecked(exportFileFromContent(`${NAME}.csv`, csv), letters);
    const fromJson = await importChecked(exportFileFromContent(`${NAME}.json`, json));
    // The broken row is rejected and the rows after it are imported; the one line its open quote
    // swallowed (up to the next quote) is inside that rejected row, whose dead letter keeps it.
    expect(fromCsv!.rejectedRows.map((r) => [r.row, r.externalId, r.stage])).toEqual([[1, "bpo_x", "parse"]]);
    expect(fromCsv!.created).toBe(39_999);
    expect(JSON.stringify(letters[0]!.payload)).toContain("bpo_0");
    // The JSON record that never ends is cut at maxRecordChars, not buffered to the end of the file.
    expect(fromJson!.rejectedRows[0]!.reason).toMatch(/larger than 1000000 characters/);
    expect(fromJson!.fileErrors.map((e) => e.reason)).toEqual(["the file ends inside the record starting on line 1 (a truncated export?)"]);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * 1024 * 1024);
  });
});

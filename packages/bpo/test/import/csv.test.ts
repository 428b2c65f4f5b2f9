import { BpoExportFormatError, exportFileFromContent, importBpoExport } from "@connect/bpo";
import { createMemoryImportStore } from "@connect/bpo/testing";
import { ValidationError } from "@connect/core";
import { describe, expect, it } from "vitest";

const HEADER = "\uFEFFProject ID,Street Address,City,ST,Zip Code,Status,Submitted By,Submitted By Email,Date Submitted,Purchase Price,List Price,Notes,Last Updated";

/** One physical line per entry (the header is line 1); CRLF line ends, a BOM, no newline at the end. */
const MESSY_LINES = [
  HEADER,
  'bpo_001,120 Oak St,Austin,tx,78704,Lead,Ana Reyes,ANA@brokerage.example,2024-05-01,"$1,250,000.00",1300000,Corner lot,2024-06-01T10:00:00Z',
  'bpo_002,"55 Mission St, Unit 4",San Francisco,CA,94110,FEASIBILITY,Ben Kim,ben@brokerage.example,5/3/2024,850000,,"Seller said ""call first""',
  'Second line, with a comma",2024-06-01T11:00:00Z',
  "bpo_003,9 Elm Rd,Denver,CO,80205,LEAD,,,2024-05-02,TBD,,,2024-06-01T12:00:00Z",
  "bpo_004,1 Ridge Way,Boise,ID,83702,LEAD",
  "",
  "bpo_001,120 Oak St,Austin,TX,78704,LEAD,Ana Reyes,ana@brokerage.example,2024-05-01,1200000,,older copy,2024-05-20T09:00:00Z",
  "bpo_005,3 Harbor Dr,Portland,OR,97214,LEAD,Omar Haddad,omar@brokerage.example,2024-05-10,610000,,,2024-06-01T09:00:00Z",
  "bpo_005,3 Harbor Dr,Portland,OR,97214,LEAD,Omar Haddad,omar@brokerage.example,2024-05-10,595000,,price cut,2024-06-02T09:00:00Z",
  "bpo_006,8 Sunset Blvd,Phoenix,AZ,85004,LEAD,,,2024-02-30,400000,,,2024-06-01T13:00:00Z",
  ",77 Juniper Ln,Raleigh,NC,27601,LEAD,,,2024-05-11,300000,,,2024-06-01T14:00:00Z",
  "bpo_007,4 Willow Ct,Nashville,TN,ABCDE,LEAD,Nia Cohen,nia.at.example,2024-05-12,350000,-5,,2024-06-01T15:00:00Z",
  "bpo_008,6 Granite Way,Denver,CO,80205,ENTITLEMENT,,,2024-05-13,720000,,,2024-06-01T16:00:00Z,,",
  "bpo_009,12 Main St, Apt 2,Austin,TX,78704,LEAD,,,2024-05-14,500000,,,2024-06-01T17:00:00Z",
  "bpo_010,2 Lakeview Rd,Boise,ID,83702,Under Contract,,,2024-05-15,,,,",
  "bpo_011,40 Cedar St,Boston,MA,2134,LEAD,,,2024-05-16,\"1,100,000\",,,2024-06-01T18:00:00Z",
];
const MESSY_CSV = MESSY_LINES.join("\r\n");
const file = (text = MESSY_CSV, name = "bpo_export_2024-06-03.csv") => exportFileFromContent(name, text);

describe("importBpoExport: a messy CSV", () => {
  it("reports exact counts: quotes, commas, newlines in notes, BOM, missing columns, bad numbers and dates, duplicate ids", async () => {
    const store = createMemoryImportStore();
    const report = await importBpoExport(file(), { store });

    expect(report).toMatchObject({
      file: "bpo_export_2024-06-03.csv",
      format: "csv",
      exportDate: "2024-06-03",
      complete: true,
      rows: 14,
      created: 6,
      updated: 1,
      skipped: 1,
      skippedBy: { older: 1, unchanged: 0, platformOwned: 0 },
      rejected: 6,
      failed: 0,
      failedRows: [],
      problemsTruncated: false,
      fileErrors: [],
      ignoredColumns: [],
      bytesRead: Buffer.byteLength(MESSY_CSV),
    });
    expect(report.rows).toBe(report.created + report.updated + report.skipped + report.rejected + report.failed);
    expect(report.rejectedRows).toEqual([
      { row: 3, line: 5, externalId: "bpo_003", stage: "validate", reason: 'purchase_price: "TBD" is not a number', issues: [{ path: "purchase_price", message: '"TBD" is not a number', code: "invalid_value" }] },
      {
        row: 4,
        line: 6,
        externalId: "bpo_004",
        stage: "parse",
        reason: "the row has 6 fields but the header has 13 (a missing column, or a line break outside quotes?)",
        issues: [{ path: "(row)", message: "expected 13 fields, found 6", code: "column_count" }],
      },
      { row: 8, line: 11, externalId: "bpo_006", stage: "validate", reason: 'submitted_at: "2024-02-30" is not a calendar date', issues: [expect.objectContaining({ path: "submitted_at" })] },
      { row: 9, line: 12, externalId: undefined, stage: "validate", reason: "id: is required", issues: [{ path: "id", message: "is required", code: "required" }] },
      {
        row: 10,
        line: 13,
        externalId: "bpo_007",
        stage: "validate",
        reason: 'submitted_by_email: "nia.at.example" is not an email address; zip: "ABCDE" is not a ZIP code; list_price: "-5" is negative',
        issues: [expect.objectContaining({ path: "submitted_by_email" }), expect.objectContaining({ path: "zip" }), expect.objectContaining({ path: "list_price" })],
      },
      {
        row: 12,
        line: 15,
        externalId: "bpo_009",
        stage: "parse",
        reason: "the row has 14 fields but the header has 13 (an unquoted comma?)",
        issues: [{ path: "(row)", message: "expected 13 fields, found 14", code: "column_count" }],
      },
    ]);
  });

  it("stores typed, cleaned records (header variants mapped, money, dates, ZIP, status and notes normalised)", async () => {
    const store = createMemoryImportStore();
    await importBpoExport(file(), { store });

    expect(store.snapshot().map((r) => r.externalId)).toEqual(["bpo_001", "bpo_002", "bpo_005", "bpo_008", "bpo_010", "bpo_011"]);
    expect(store.records.get("bpo_001")).toEqual({
      externalId: "bpo_001",
      platformId: null,
      address: "120 Oak St",
      city: "Austin",
      state: "TX",
      zip: "78704",
      status: "LEAD",
      submittedBy: { email: "ana@brokerage.example", name: "Ana Reyes" },
      submittedAt: "2024-05-01T00:00:00.000Z",
      purchasePrice: 1_250_000,
      listPrice: 1_300_000,
      notes: "Corner lot",
      assignedTo: null,
      sourceUpdatedAt: "2024-06-01T10:00:00.000Z",
      updatedAt: "2024-06-01T10:00:00.000Z",
    });
    expect(store.records.get("bpo_002")).toMatchObject({ address: "55 Mission St, Unit 4", submittedAt: "2024-05-03T00:00:00.000Z", notes: 'Seller said "call first"\nSecond line, with a comma', listPrice: null });
    // The newer duplicate of a lead replaced the first; the older duplicate of bpo_001 did not.
    expect(store.records.get("bpo_005")).toMatchObject({ purchasePrice: 595_000, notes: "price cut", sourceUpdatedAt: "2024-06-02T09:00:00.000Z" });
    expect(store.records.get("bpo_001")!.purchasePrice).toBe(1_250_000);
    // No updated_at: dated by the export (midnight UTC of the date in the file name).
    expect(store.records.get("bpo_010")).toMatchObject({ status: "UNDER_CONTRACT", sourceUpdatedAt: "2024-06-03T00:00:00.000Z", purchasePrice: null });
    expect(store.records.get("bpo_011")).toMatchObject({ zip: "02134", purchasePrice: 1_100_000 });
    expect(store.writes.map((w) => `${w.op} ${w.externalId} row ${w.row}`)).toEqual([
      "create bpo_001 row 1",
      "create bpo_002 row 2",
      "create bpo_005 row 6",
      "update bpo_005 row 7",
      "create bpo_008 row 11",
      "create bpo_010 row 13",
      "create bpo_011 row 14",
    ]);
  });

  it("re-importing the same file changes nothing and says why each row was skipped", async () => {
    const store = createMemoryImportStore();
    await importBpoExport(file(), { store });
    const before = store.snapshot();
    const again = await importBpoExport(file(), { store });

    expect(again).toMatchObject({ rows: 14, created: 0, updated: 0, skipped: 8, skippedBy: { unchanged: 4, older: 2, platformOwned: 2 }, rejected: 6 });
    expect(store.snapshot()).toEqual(before);
    expect(store.writes).toHaveLength(7);
  });

  it("reads LF line ends, no BOM and canonical headers the same way", async () => {
    const store = createMemoryImportStore();
    const canonical = ["id,address,status,purchase_price,notes,updated_at", 'a1,1 Oak St,LEAD,100,"two\nlines",2024-06-01T00:00:00Z', "a2,2 Oak St,LEAD,200,,2024-06-01T00:00:00Z", ""].join("\n");
    const report = await importBpoExport(file(canonical), { store });
    expect(report).toMatchObject({ rows: 2, created: 2, rejected: 0 });
    expect(store.records.get("a1")!.notes).toBe("two\nlines");
  });

  it("reports an unclosed quote with the line it starts on and how much it swallowed", async () => {
    const text = ["id,address,status,notes,updated_at", "b1,1 Oak St,LEAD,ok,2024-06-01T00:00:00Z", 'b2,2 Oak St,LEAD,"never closed,2024-06-01T00:00:00Z', "b3,3 Oak St,LEAD,,2024-06-01T00:00:00Z", ""].join("\n");
    const store = createMemoryImportStore();
    const report = await importBpoExport(file(text), { store });
    expect(report).toMatchObject({ rows: 2, created: 1, rejected: 1 });
    expect(report.rejectedRows).toEqual([
      { row: 2, line: 3, externalId: undefined, stage: "parse", reason: "a quoted field is never closed: this record and the 1 line(s) after its first line could not be read (an unescaped quote or a truncated export?)", issues: [] },
    ]);
  });

  it("keeps a stray quote inside an unquoted field as text", async () => {
    const text = ["id,address,status,updated_at", 'c1,12 "Old Mill" Rd,LEAD,2024-06-01T00:00:00Z'].join("\n");
    const store = createMemoryImportStore();
    await importBpoExport(file(text), { store });
    expect(store.records.get("c1")!.address).toBe('12 "Old Mill" Rd');
  });

  it("lists columns that feed no field", async () => {
    const text = ["id,address,status,updated_at,Lead Source,Internal Ref", "d1,1 Oak St,LEAD,2024-06-01T00:00:00Z,web,42"].join("\n");
    const report = await importBpoExport(file(text), { store: createMemoryImportStore() });
    expect(report.ignoredColumns).toEqual(["Lead Source", "Internal Ref"]);
  });
});

describe("importBpoExport: mapping", () => {
  it("renames columns and status values, and ignores a column mapped to null", async () => {
    const text = ["Parcel Key,Site,Pipeline Stage,Street Address,Changed", "e1,1 Oak St,New Lead,ignored,2024-06-01T00:00:00Z", "e2,2 Oak St,In Feasibility,ignored,2024-06-01T00:00:00Z"].join("\n");
    const store = createMemoryImportStore();
    const report = await importBpoExport(file(text), {
      store,
      mapping: {
        columns: { "Parcel Key": "id", Site: "address", "Pipeline Stage": "status", "Street Address": null, changed: "updated_at" },
        statuses: { "New Lead": "LEAD", "In Feasibility": "FEASIBILITY" },
      },
    });
    expect(report).toMatchObject({ created: 2, rejected: 0, ignoredColumns: [] });
    expect(store.snapshot().map((r) => [r.externalId, r.address, r.status])).toEqual([
      ["e1", "1 Oak St", "LEAD"],
      ["e2", "2 Oak St", "FEASIBILITY"],
    ]);
  });

  it("uses submitted_at for rows without updated_at when asked to", async () => {
    const text = ["id,address,status,submitted_at", "f1,1 Oak St,LEAD,2024-05-01T08:30:00Z"].join("\n");
    const store = createMemoryImportStore();
    await importBpoExport(file(text), { store, fallbackUpdatedAt: "submitted-at" });
    expect(store.records.get("f1")!.sourceUpdatedAt).toBe("2024-05-01T08:30:00.000Z");
  });

  it("rejects a row it cannot date (no updated_at, no export date in the name, no submitted_at)", async () => {
    const text = ["id,address,status", "g1,1 Oak St,LEAD"].join("\n");
    const report = await importBpoExport(file(text, "leads.csv"), { store: createMemoryImportStore() });
    expect(report.rejectedRows.map((r) => r.reason)).toEqual(["updated_at: is missing and there is no export date or submitted_at to date the row by"]);
  });
});

describe("importBpoExport: files that cannot be imported", () => {
  const untouched = () => {
    const store = createMemoryImportStore();
    let calls = 0;
    const counted = { ...store, findByExternalId: async (...args: Parameters<typeof store.findByExternalId>) => (calls++, store.findByExternalId(...args)) };
    return { store: counted, calls: () => calls };
  };

  it("refuses a header without a required column before touching the store", async () => {
    const { store, calls } = untouched();
    const error = await importBpoExport(file("id,city,status\nh1,Austin,LEAD\n"), { store }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BpoExportFormatError);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as BpoExportFormatError).issues).toEqual([{ path: "address", message: "no column maps to address (map yours with mapping.columns)", code: "missing_column" }]);
    expect(calls()).toBe(0);
  });

  it("refuses two columns that map to the same field", async () => {
    const error = await importBpoExport(file("id,address,status,zip,Postal Code\n"), { store: createMemoryImportStore() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BpoExportFormatError);
    expect((error as BpoExportFormatError).issues[0]!.message).toBe('columns 4 ("zip") and 5 ("Postal Code") both map to zip; map one of them to null in mapping.columns');
  });

  it("refuses an empty file", async () => {
    const error = await importBpoExport(file(""), { store: createMemoryImportStore() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BpoExportFormatError);
    expect((error as Error).message).toBe("bpo_export_2024-06-03.csv: the file is empty (no header row)");
  });

  it("refuses a bad store or options before reading anything", async () => {
    let opened = false;
    const source = { ...file(), open: async () => ((opened = true), file().open()) };
    const error = await importBpoExport(source, { store: { findByExternalId: async () => undefined } as never, delimiter: ";;" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(["store.create", "store.update", "delimiter"]);
    expect(opened).toBe(false);
  });
});

describe("importBpoExport: delimiter and encoding", () => {
  it("reads a semicolon-separated latin1 export", async () => {
    const text = "id;address;city;status;updated_at\nk1;5 Rue Saint-Étienne;Montréal;LEAD;2024-06-01T00:00:00Z\n";
    const store = createMemoryImportStore();
    await importBpoExport(exportFileFromContent("bpo_export_2024-06-03.csv", Buffer.from(text, "latin1")), { store, delimiter: ";", encoding: "latin1" });
    expect(store.records.get("k1")).toMatchObject({ address: "5 Rue Saint-Étienne", city: "Montréal" });
  });
});

describe("importBpoExport: a row over maxRecordChars", () => {
  it("rejects that row with its line and imports every row after it", async () => {
    const text = [
      HEADER,
      "bpo_101,1 A St,Austin,TX,78704,LEAD,,,2024-05-01,100000,,,2024-06-01T10:00:00Z",
      `bpo_102,2 B St,Austin,TX,78704,LEAD,,,2024-05-01,100000,,${"n".repeat(600)},2024-06-01T10:00:00Z`,
      "bpo_103,3 C St,Austin,TX,78704,LEAD,,,2024-05-01,100000,,,2024-06-01T10:00:00Z",
      "bpo_104,4 D St,Austin,TX,78704,LEAD,,,2024-05-01,100000,,,2024-06-01T10:00:00Z",
    ].join("\r\n");
    const store = createMemoryImportStore();
    const report = await importBpoExport(file(text), { store, maxRecordChars: 400 });
    expect(report).toMatchObject({ rows: 4, created: 3, rejected: 1 });
    expect(report.rejectedRows.map((r) => [r.row, r.line, r.stage])).toEqual([[2, 3, "parse"]]);
    expect([...store.records.keys()].sort()).toEqual(["bpo_101", "bpo_103", "bpo_104"]);
  });
});

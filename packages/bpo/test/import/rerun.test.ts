import { createMemoryDeadLetterSink } from "@connect/core";
import { BpoImportAbortedError, exportFile, exportFileFromContent, importBpoExport, localExportFile, type BpoImportProgress, type BpoImportStore, type RowProblem } from "@connect/bpo";
import { createMemoryImportStore, renderBpoExport, writeBpoExport, type MemoryImportStore } from "@connect/bpo/testing";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
let path: string;
let reference: MemoryImportStore;
let referenceCreated: number;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  ({ path } = await writeBpoExport({ dir, date: "2024-06-03", rows: 3000, messy: { every: 7 }, seed: 42 }));
  reference = createMemoryImportStore();
  referenceCreated = (await importBpoExport(path, { store: reference })).created;
});
afterAll(async () => {
  await cleanup();
});

/** Creates per id: an id created twice would mean a re-run wrote what was already there. */
function createsPerId(store: MemoryImportStore): number {
  const counts = new Map<string, number>();
  for (const w of store.writes) if (w.op === "create") counts.set(w.externalId, (counts.get(w.externalId) ?? 0) + 1);
  return Math.max(...counts.values());
}

describe("interrupted and re-run imports", () => {
  it("an import aborted midway and run again ends in the same state as one uninterrupted import", async () => {
    const store = createMemoryImportStore();
    const controller = new AbortController();
    const error = await importBpoExport(path, {
      store,
      signal: controller.signal,
      progressEvery: 500,
      onProgress: (p) => {
        if (p.rows === 1500) controller.abort(new Error("deploy: worker shutting down"));
      },
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BpoImportAbortedError);
    const partial = (error as BpoImportAbortedError).report;
    expect(partial).toMatchObject({ complete: false, rows: 1500 });
    expect((error as Error).message).toContain("aborted after 1500 rows (deploy: worker shutting down)");
    expect(store.records.size).toBeLessThan(reference.records.size);

    const rerun = await importBpoExport(path, { store });
    expect(rerun.complete).toBe(true);
    expect(store.snapshot()).toEqual(reference.snapshot());
    expect(partial.created + rerun.created).toBe(referenceCreated);
    expect(createsPerId(store)).toBe(1);
  });

  it("a store that goes down midway stops the import after 10 failures in a row; the re-run completes the same state", async () => {
    const store = createMemoryImportStore();
    let down = false;
    let calls = 0;
    const flaky: BpoImportStore = {
      findByExternalId: (id, ctx) => store.findByExternalId(id, ctx),
      async create(record, ctx) {
        if (++calls === 1000) down = true;
        if (down) throw new Error("connect ECONNREFUSED 10.0.0.5:5432");
        return store.create(record, ctx);
      },
      update: (id, record, ctx) => store.update(id, record, ctx),
    };
    const error = (await importBpoExport(path, { store: flaky }).catch((e: unknown) => e)) as BpoImportAbortedError;

    expect(error).toBeInstanceOf(BpoImportAbortedError);
    expect(error.retryable).toBe(true);
    expect(error.report).toMatchObject({ complete: false, failed: 10 });
    expect(error.report.failedRows).toHaveLength(10);
    expect(error.report.failedRows[0]).toMatchObject({ stage: "store", reason: "the store failed: connect ECONNREFUSED 10.0.0.5:5432" });
    expect(error.message).toContain("stopped after 10 store failures in a row");

    down = false;
    calls = -Infinity;
    await importBpoExport(path, { store: flaky });
    expect(store.snapshot()).toEqual(reference.snapshot());
    expect(createsPerId(store)).toBe(1);
  });

  it("re-importing a finished file writes nothing", async () => {
    const store = createMemoryImportStore();
    const first = await importBpoExport(path, { store });
    const writes = store.writes.length;
    const second = await importBpoExport(path, { store });
    expect(second).toMatchObject({ created: 0, updated: 0, rejected: first.rejected, skipped: first.rows - first.rejected });
    expect(store.writes).toHaveLength(writes);
  });

  it("a store failure on one row is reported and the rows after it are imported", async () => {
    const store = createMemoryImportStore();
    const text = ["id,address,status,updated_at", "s1,1 A St,LEAD,2024-06-01T00:00:00Z", "s2,2 A St,LEAD,2024-06-01T00:00:00Z", "s3,3 A St,LEAD,2024-06-01T00:00:00Z"].join("\n");
    const picky: BpoImportStore = { ...store, create: async (record, ctx) => (record.externalId === "s2" ? Promise.reject(new Error("unique violation on address")) : store.create(record, ctx)) };
    const report = await importBpoExport(exportFileFromContent("bpo_export_2024-06-03.csv", text), { store: picky });
    expect(report).toMatchObject({ rows: 3, created: 2, failed: 1, complete: true });
    expect(report.failedRows).toEqual([{ row: 2, line: 3, externalId: "s2", stage: "store", reason: "the store failed: unique violation on address", issues: [] }]);
  });
});

describe("bad rows are never silently dropped", () => {
  it("puts every rejected row in the dead letters, keyed by file and row, so a re-run replaces rather than repeats", async () => {
    const deadLetters = createMemoryDeadLetterSink();
    const store = createMemoryImportStore();
    const first = await importBpoExport(path, { store, deadLetters, tenantId: "t_1", correlationId: "nightly-2024-06-03" });
    const letters = await deadLetters.list();

    expect(letters).toHaveLength(first.rejected);
    const byRow = letters.find((l) => l.id === `bpo:bpo_export_2024-06-03.csv:row-${first.rejectedRows[0]!.row}`)!;
    expect(byRow).toMatchObject({
      kind: "call",
      adapterId: "bpo",
      operation: "export.row",
      correlationId: "nightly-2024-06-03",
      tenantId: "t_1",
      attempts: 1,
      payload: { file: "bpo_export_2024-06-03.csv", row: first.rejectedRows[0]!.row, line: first.rejectedRows[0]!.line, stage: first.rejectedRows[0]!.stage },
      error: { name: "ValidationError", vendor: "bpo", operation: "export.row" },
    });
    expect(Object.keys((byRow.payload as { data: Record<string, unknown> }).data)).toContain("purchase_price");

    await importBpoExport(path, { store, deadLetters });
    expect(await deadLetters.list()).toHaveLength(first.rejected);
  });

  it("redacts credentials a legacy export carries in extra columns before a row is dead-lettered", async () => {
    const deadLetters = createMemoryDeadLetterSink();
    const text = ["id,address,status,updated_at,api_key,notes", "r1,1 A St,LEAD,2024-06-01T00:00:00Z,tok_live_5f8a1c2e,Authorization: Bearer sk_live_abcdef0123456789"].join("\n");
    const report = await importBpoExport(exportFileFromContent("bpo_export_2024-06-03.csv", text.replace("LEAD", "lead?")), { store: createMemoryImportStore(), deadLetters });
    expect(report.rejected).toBe(1);
    const [letter] = await deadLetters.list();
    const stored = JSON.stringify(letter);
    expect(stored).not.toContain("tok_live_5f8a1c2e");
    expect(stored).not.toContain("sk_live_abcdef0123456789");
    expect((letter!.payload as { data: Record<string, string> }).data).toMatchObject({ id: "r1", api_key: "[REDACTED]" });
  });

  it("hands every problem to onProblem even when the report lists only the first ones", async () => {
    const problems: RowProblem[] = [];
    const report = await importBpoExport(path, { store: createMemoryImportStore(), maxReportedProblems: 5, onProblem: (p) => void problems.push(p) });
    expect(report.rejectedRows).toHaveLength(5);
    expect(report.problemsTruncated).toBe(true);
    expect(problems).toHaveLength(report.rejected);
    expect(problems.slice(0, 5)).toEqual(report.rejectedRows);
    expect(problems.map((p) => p.row)).toEqual([...problems.map((p) => p.row)].sort((a, b) => a - b));
  });
});

describe("streaming", () => {
  it("reaches the store before the file is read to the end, and an abort stops reading", async () => {
    const { text } = renderBpoExport({ rows: 2000, seed: 3 });
    const bytes = Buffer.from(text);
    const chunkSize = 4096;
    const total = Math.ceil(bytes.length / chunkSize);
    let chunksRead = 0;
    let chunksAtFirstWrite: number | undefined;
    const source = exportFile({ name: "bpo_export_2024-06-03.csv", open: async function* () {
      for (let i = 0; i < bytes.length; i += chunkSize) {
        chunksRead += 1;
        yield bytes.subarray(i, i + chunkSize);
      }
    } });
    const store = createMemoryImportStore();
    const controller = new AbortController();
    const watched: BpoImportStore = {
      ...store,
      async create(record, ctx) {
        chunksAtFirstWrite ??= chunksRead;
        if (ctx.row === 300) controller.abort();
        return store.create(record, ctx);
      },
    };
    await importBpoExport(source, { store: watched, signal: controller.signal }).catch(() => undefined);

    expect(total).toBeGreaterThan(90);
    // Stream buffers read a bounded distance ahead (well under 128 KiB), never the whole file.
    expect(chunksAtFirstWrite! * chunkSize).toBeLessThanOrEqual(128 * 1024);
    expect(chunksRead).toBeLessThan(total / 2);
  });

  it("reports progress every N rows with bytes read, and a last event when done", async () => {
    const events: BpoImportProgress[] = [];
    const file = localExportFile(path);
    const { size } = await import("node:fs/promises").then((fs) => fs.stat(path));
    await importBpoExport({ ...file, size }, { store: createMemoryImportStore(), progressEvery: 1000, onProgress: (p) => events.push(p) });

    expect(events.map((e) => [e.rows, e.done])).toEqual([
      [1000, false],
      [2000, false],
      [3000, false],
      [3000, true],
    ]);
    expect(events.at(-1)).toMatchObject({ bytesRead: size, totalBytes: size, fraction: 1 });
    expect(events[0]!.bytesRead).toBeGreaterThan(0);
    expect(events[0]!.bytesRead).toBeLessThanOrEqual(events[1]!.bytesRead);
  });
});

describe("telemetry", () => {
  it("records one span bpo.export.import with the counts", async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const lines: Array<[Record<string, unknown>, string | undefined]> = [];
    const logger = { debug: () => undefined, info: (o: Record<string, unknown>, m?: string) => lines.push([o, m]), warn: (o: Record<string, unknown>, m?: string) => lines.push([o, m]), error: () => undefined };
    const report = await importBpoExport(path, { store: createMemoryImportStore(), telemetry: { tracerProvider, logger }, maxReportedProblems: 2 });

    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(["bpo.export.import"]);
    expect(spans[0]!.attributes).toMatchObject({
      "connect.adapter.id": "bpo",
      "bpo.export.file": "bpo_export_2024-06-03.csv",
      "bpo.import.rows": report.rows,
      "bpo.import.created": report.created,
      "bpo.import.rejected": report.rejected,
      "bpo.import.complete": true,
    });
    expect(lines.map(([, m]) => m)).toEqual([
      "bpo import of bpo_export_2024-06-03.csv started",
      `bpo import: row ${report.rejectedRows[0]!.row} (line ${report.rejectedRows[0]!.line}) not imported`,
      `bpo import: row ${report.rejectedRows[1]!.row} (line ${report.rejectedRows[1]!.line}) not imported`,
      "bpo import of bpo_export_2024-06-03.csv finished",
    ]);
  });
});

describe("a failing dead-letter sink", () => {
  it("stops the import rather than lose a rejected row", async () => {
    const deadLetters = { ...createMemoryDeadLetterSink(), put: async () => Promise.reject(new Error("redis down")) };
    const error = await importBpoExport(path, { store: createMemoryImportStore(), deadLetters }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BpoImportAbortedError);
    expect((error as Error).message).toContain("redis down");
    expect((error as BpoImportAbortedError).report).toMatchObject({ complete: false, rejected: 1 });
  });
});

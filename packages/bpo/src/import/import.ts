/**
 * importBpoExport: stream a nightly export (CSV or JSON) row by row into the host's store —
 * parse, validate and map each row, apply the conflict rule against what the store holds, and
 * create or update. A bad row is reported (row number, line, reason; optionally dead-lettered)
 * and the import goes on; memory stays flat whatever the file size (nothing is kept per row
 * beyond a capped list of problems). Re-running an import, whole or after an interruption,
 * converges on the same stored state: an imported version is never written twice.
 */
import { SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import {
  IntegrationError,
  noopLogger,
  redactText,
  redactValue,
  ValidationError,
  type DeadLetterSink,
  type FieldIssue,
  type Logger,
  type TelemetryOptions,
} from "@connect/core";
import pkg from "../../package.json" with { type: "json" };
import { BPO_VENDOR, BpoExportFormatError, BpoImportAbortedError } from "../errors.js";
import { localExportFile, type BpoExportFile, type BpoExportFormat, type BpoExportReader } from "../exports/files.js";
import { DEFAULT_CONFLICT_RULES, resolveConflict, type ConflictReason, type ConflictRules, type StoredProjectState } from "./conflict.js";
import { csvRecordBatches } from "./csv-records.js";
import { jsonRecords } from "./json-records.js";
import { statusLookup } from "./values.js";
import {
  cellsFromObject,
  cellsFromRow,
  fieldForColumn,
  fieldSlots,
  REQUIRED_EXPORT_FIELDS,
  RowError,
  toProjectRecord,
  type BpoExportField,
  type BpoExportMapping,
  type BpoProjectRecord,
  type RowContext,
} from "./row.js";

/** Operation id of the import (span `bpo.export.import`). @public */
export const IMPORT_OPERATION = "export.import";
/** Operation id of a dead-lettered row. @public */
export const ROW_OPERATION = "export.row";

/** Where a store call comes from. @public */
export interface StoreCallContext {
  /** Export file name. */
  file: string;
  /** 1-based data row (the header is not a row). */
  row: number;
  /** Line of the file the row starts on. */
  line: number;
  signal: AbortSignal | undefined;
}

/**
 * The host's store of projects, keyed by BPO's project id (the "external id" from the
 * platform's side). The import reads before it writes and never deletes.
 * @public
 */
export interface BpoImportStore {
  /** What the platform holds for a BPO project id, or null/undefined when nothing. */
  findByExternalId(externalId: string, ctx: StoreCallContext): Promise<StoredProjectState | null | undefined>;
  /** Store a new project. Keep `record.sourceUpdatedAt`: the next import compares against it. */
  create(record: BpoProjectRecord, ctx: StoreCallContext): Promise<unknown>;
  /** Overwrite the project with BPO's version (the conflict rule decided BPO wins). */
  update(externalId: string, record: BpoProjectRecord, ctx: StoreCallContext & { existing: StoredProjectState; reason: ConflictReason }): Promise<unknown>;
}

/** A row that was not imported. @public */
export interface RowProblem {
  /** 1-based data row (the header is not a row; JSON: the record's position). */
  row: number;
  /** Line of the file the row starts on (1-based; the CSV header is line 1). */
  line: number;
  /** BPO project id, when the row had a readable one. */
  externalId: string | undefined;
  /** `parse` (unreadable), `validate` (bad values) or `store` (the store failed). */
  stage: "parse" | "validate" | "store";
  /** Why, in one line. */
  reason: string;
  /** The bad fields (validate stage). */
  issues: FieldIssue[];
}

/** Progress of a running import. @public */
export interface BpoImportProgress {
  file: string;
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
  failed: number;
  /** Bytes read from the file so far. */
  bytesRead: number;
  /** The file's size, when the source knows it. */
  totalBytes: number | undefined;
  /** bytesRead / totalBytes, when known. */
  fraction: number | undefined;
  /** True on the last event of an import that finished. */
  done: boolean;
}

/** The outcome of one import. Invariant: `rows = created + updated + skipped + rejected + failed`. @public */
export interface BpoImportReport {
  file: string;
  location: string;
  format: BpoExportFormat;
  exportDate: string | undefined;
  /** False when the import stopped early (the report then covers the rows up to that point). */
  complete: boolean;
  /** Data rows seen (good and bad). */
  rows: number;
  created: number;
  updated: number;
  /** Rows the conflict rule kept out: `skippedBy` breaks them down. */
  skipped: number;
  skippedBy: { older: number; unchanged: number; platformOwned: number };
  /** Rows that could not be read or failed validation. */
  rejected: number;
  /** Rows whose store call failed. */
  failed: number;
  /** Rejected rows in file order, up to `maxReportedProblems` (all go to `onProblem` and the dead letters). */
  rejectedRows: RowProblem[];
  /** Failed rows in file order, up to `maxReportedProblems`. */
  failedRows: RowProblem[];
  /** True when more problems happened than the report lists. */
  problemsTruncated: boolean;
  /** Problems with the file rather than a row (truncated JSON, content after the end). */
  fileErrors: Array<{ line: number; reason: string }>;
  /** Columns (CSV) or keys (JSON) that feed no field. */
  ignoredColumns: string[];
  bytesRead: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

/**
 * Where an import stood, saved before each write to the store so a crashed import resumes exactly:
 * rows up to `row` are not handled again and the counts go on from here; the row that was being
 * written (`inFlight`) is checked again and counted once, whether or not its write took effect.
 * JSON-safe, for a job's checkpoint.
 * @public
 */
export interface BpoImportCheckpoint {
  /** The export file's name (a checkpoint of another file is refused). */
  file: string;
  /** Data rows fully handled. */
  row: number;
  /** The report's counts after `row`. */
  counts: Pick<BpoImportReport, "rows" | "created" | "updated" | "skipped" | "skippedBy" | "rejected" | "failed">;
  /** The report's problem lists after `row`. */
  rejectedRows: RowProblem[];
  failedRows: RowProblem[];
  problemsTruncated: boolean;
  /** The write about to be made when the checkpoint was saved. */
  inFlight?: { row: number; externalId: string; action: "create" | "update" } | undefined;
}

/** Options of {@link importBpoExport}. @public */
export interface BpoImportOptions {
  /** The platform's store the rows go into. */
  store: BpoImportStore;
  /** Column and status renames, before the built-in header aliases. */
  mapping?: BpoExportMapping | undefined;
  /** Which statuses BPO and the platform own. Default: BPO owns LEAD; the platform FEASIBILITY and ENTITLEMENT. */
  conflict?: Partial<ConflictRules> | undefined;
  /**
   * The time of a row without `updated_at`: `export-date` (default: midnight UTC of the date in
   * the file name — the export is a snapshot of that night) or `submitted-at`. Either falls back
   * to the other when missing.
   */
  fallbackUpdatedAt?: "export-date" | "submitted-at" | undefined;
  /** Called every `progressEvery` rows and once at the end. */
  onProgress?: ((progress: BpoImportProgress) => void) | undefined;
  /** Rows between progress events. Default 10 000. */
  progressEvery?: number | undefined;
  /** Called for every rejected or failed row (the report keeps only the first `maxReportedProblems`). */
  onProblem?: ((problem: RowProblem) => void | Promise<void>) | undefined;
  /** Every rejected or failed row is put here (id `bpo:<file>:row-<n>`, so a re-run replaces, not repeats). */
  deadLetters?: DeadLetterSink | undefined;
  /** Problems listed in the report. Default 1000. */
  maxReportedProblems?: number | undefined;
  /** Stop after this many store failures in a row (the store is down, not the row bad). Default 10. */
  maxConsecutiveStoreFailures?: number | undefined;
  /** Stops the import after the current row; it then rejects with BpoImportAbortedError carrying the report. */
  signal?: AbortSignal | undefined;
  /** CSV field delimiter. Default `,`. */
  delimiter?: string | undefined;
  /** CSV text encoding. Default `utf8`. */
  encoding?: "utf8" | "latin1" | undefined;
  /** Largest record in characters. Default 1 000 000. */
  maxRecordChars?: number | undefined;
  /** Tracer (span `bpo.export.import`) and logger (a line at start, end and per listed problem). */
  telemetry?: TelemetryOptions | undefined;
  /** Carried into dead letters and logs. */
  correlationId?: string | undefined;
  tenantId?: string | undefined;
  /** Saved (and awaited) before each write to the store; persist it to resume after a crash. */
  onCheckpoint?: ((checkpoint: BpoImportCheckpoint) => Promise<void>) | undefined;
  /** Resume an import of the same file from its last checkpoint; the report then covers the whole file, exactly. */
  resumeFrom?: BpoImportCheckpoint | undefined;
}

const DEFAULT_PROGRESS_EVERY = 10_000;
const JSON_WRAPPER_KEYS = ["data", "projects", "records", "items", "rows"];

interface Counts {
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
  failed: number;
  skippedBy: { older: number; unchanged: number; platformOwned: number };
}

/** A raw row on its way to validation. */
type RawRow =
  | { kind: "cells"; row: number; line: number; cells: Partial<Record<BpoExportField, unknown>>; raw: () => unknown }
  | { kind: "csv"; row: number; line: number; cells: Partial<Record<BpoExportField, unknown>>; header: string[]; values: string[] }
  | { kind: "unreadable"; row: number; line: number; reason: string; issues?: FieldIssue[]; externalId?: string | undefined; raw?: (() => unknown) | undefined };

/** The raw row (header → cell), built only for rows that end up in a problem report or dead letter. */
function csvRaw(header: string[], values: string[]): Record<string, unknown> {
  return Object.fromEntries(header.map((name, i) => [name, values[i]]));
}

function counting(source: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const chunk of source) {
        onBytes(chunk.byteLength);
        yield chunk;
      }
    },
  };
}

/** CSV rows, a batch per chunk read: the header decides which column feeds which field. */
async function* csvRows(bytes: AsyncIterable<Uint8Array>, file: BpoExportFile, options: BpoImportOptions, ignored: Set<string>): AsyncGenerator<RawRow[]> {
  let columns: Array<BpoExportField | null> | undefined;
  let slots: ReturnType<typeof fieldSlots> | undefined;
  let header: string[] = [];
  for await (const items of csvRecordBatches(bytes, { delimiter: options.delimiter, encoding: options.encoding, maxRecordChars: options.maxRecordChars ?? 1_000_000 })) {
    const rows: RawRow[] = [];
    for (const item of items) {
      if (!columns) {
        if (item.kind === "bad-record") throw new BpoExportFormatError(`${file.name}: the header cannot be read — ${item.reason}`, { vendor: BPO_VENDOR, operation: IMPORT_OPERATION });
        header = item.cells;
        columns = headerColumns(header, file, options.mapping, ignored);
        slots = fieldSlots(columns);
        continue;
      }
      const row = item.index - 1;
      if (item.kind === "bad-record") {
        rows.push({ kind: "unreadable", row, line: item.line, reason: item.reason });
        continue;
      }
      const cells = item.cells;
      if (cells.length !== header.length && (cells.length < header.length || cells.slice(header.length).some((c) => c.trim() !== ""))) {
        const extra = cells.slice(header.length);
        const idColumn = columns.indexOf("id");
        const externalId = idColumn >= 0 && idColumn < cells.length ? cells[idColumn]?.trim() || undefined : undefined;
        const why = cells.length < header.length ? "a missing column, or a line break outside quotes?" : "an unquoted comma?";
        const fields = header;
        rows.push({
          kind: "unreadable",
          row,
          line: item.line,
          reason: `the row has ${cells.length} fields but the header has ${header.length} (${why})`,
          issues: [{ path: "(row)", message: `expected ${header.length} fields, found ${cells.length}`, code: "column_count" }],
          externalId,
          raw: () => ({ ...csvRaw(fields, cells), ...(extra.length > 0 ? { "(extra)": extra } : {}) }),
        });
        continue;
      }
      rows.push({ kind: "csv", row, line: item.line, cells: cellsFromRow(cells, slots!), header, values: cells });
    }
    if (rows.length > 0) yield rows;
  }
  if (!columns) throw new BpoExportFormatError(`${file.name}: the file is empty (no header row)`, { vendor: BPO_VENDOR, operation: IMPORT_OPERATION });
}

function headerColumns(header: string[], file: BpoExportFile, mapping: BpoExportMapping | undefined, ignored: Set<string>): Array<BpoExportField | null> {
  const columns = header.map((name) => fieldForColumn(name, mapping) ?? null);
  const issues: FieldIssue[] = [];
  const seen = new Map<BpoExportField, number>();
  columns.forEach((field, i) => {
    const name = header[i]!;
    if (field === null) {
      if (fieldForColumn(name, mapping) === undefined && name.trim() !== "") ignored.add(name);
      return;
    }
    const first = seen.get(field);
    if (first !== undefined) {
      issues.push({ path: field, message: `columns ${first + 1} (${JSON.stringify(header[first])}) and ${i + 1} (${JSON.stringify(name)}) both map to ${field}; map one of them to null in mapping.columns`, code: "duplicate_column" });
    } else seen.set(field, i);
  });
  for (const field of REQUIRED_EXPORT_FIELDS) {
    if (!seen.has(field)) issues.push({ path: field, message: `no column maps to ${field} (map yours with mapping.columns)`, code: "missing_column" });
  }
  if (issues.length > 0) {
    throw new BpoExportFormatError(`${file.name}: the header cannot be imported — ${issues.map((i) => i.message).join("; ")}. Header: ${header.map((h) => JSON.stringify(h)).join(", ")}`, {
      vendor: BPO_VENDOR,
      operation: IMPORT_OPERATION,
      issues,
    });
  }
  return columns;
}

/** JSON rows: each record's keys are mapped like CSV headers. */
async function* jsonRows(bytes: AsyncIterable<Uint8Array>, options: BpoImportOptions, ignored: Set<string>, fileErrors: BpoImportReport["fileErrors"]): AsyncGenerator<RawRow[]> {
  for await (const item of jsonRecords(bytes, { maxRecordChars: options.maxRecordChars ?? 1_000_000, wrapperKeys: JSON_WRAPPER_KEYS })) {
    if (item.kind === "file-error") {
      fileErrors.push({ line: item.line, reason: item.reason });
      continue;
    }
    if (item.kind === "bad-record") {
      yield [{ kind: "unreadable", row: item.index, line: item.line, reason: item.reason }];
      continue;
    }
    const value = item.value;
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      yield [{ kind: "unreadable", row: item.index, line: item.line, reason: `expected an object, found ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}`, raw: () => value }];
      continue;
    }
    yield [{ kind: "cells", row: item.index, line: item.line, cells: cellsFromObject(value as Record<string, unknown>, options.mapping, ignored), raw: () => value }];
  }
}

/** The rule's verdict for a row the store does not hold. */
const CREATE_NEW: ReturnType<typeof resolveConflict> = Object.freeze({ action: "create", reason: "new" });

/** The row as read, for a problem report's dead letter. */
function rawOf(item: RawRow): (() => unknown) | undefined {
  if (item.kind === "csv") {
    const { header, values } = item;
    return () => csvRaw(header, values);
  }
  return item.raw;
}

function abortMessage(reason: unknown): string {
  return reason instanceof Error && reason.message ? reason.message : "aborted";
}

/**
 * Import one export file into the store.
 * @example
 * const reader = folderExportReader("/srv/bpo/outgoing");
 * const file = await reader.latest();
 * if (file) {
 *   const report = await importBpoExport(file, { store, onProgress: (p) => log.info(p, "bpo import") });
 *   // report.created, report.updated, report.skipped, report.rejectedRows[0] → { row, line, reason }
 * }
 * @public
 */
export async function importBpoExport(source: BpoExportFile | string, options: BpoImportOptions): Promise<BpoImportReport> {
  const file = typeof source === "string" ? localExportFile(source) : source;
  checkImportOptions(file, options);
  const store = options.store;
  const rules: ConflictRules = { ...DEFAULT_CONFLICT_RULES, ...options.conflict };
  const rowContext: RowContext = {
    statuses: statusLookup(options.mapping?.statuses),
    exportDate: file.exportDate ? `${file.exportDate}T00:00:00.000Z` : undefined,
    fallbackUpdatedAt: options.fallbackUpdatedAt ?? "export-date",
  };
  const maxProblems = options.maxReportedProblems ?? 1000;
  const maxStoreFailures = options.maxConsecutiveStoreFailures ?? 10;
  const progressEvery = options.progressEvery ?? DEFAULT_PROGRESS_EVERY;
  const logger: Logger = options.telemetry?.logger ?? noopLogger;
  const tracer = (options.telemetry?.tracerProvider ?? trace.getTracerProvider()).getTracer("@connect/bpo", pkg.version);
  const signal = options.signal;
  const correlationId = options.correlationId ?? crypto.randomUUID();

  const started = performance.now();
  const startedAt = new Date();
  const resume = options.resumeFrom;
  const counts: Counts = resume
    ? { ...resume.counts, skippedBy: { ...resume.counts.skippedBy } }
    : { rows: 0, created: 0, updated: 0, skipped: 0, rejected: 0, failed: 0, skippedBy: { older: 0, unchanged: 0, platformOwned: 0 } };
  const rejectedRows: RowProblem[] = resume ? [...resume.rejectedRows] : [];
  const failedRows: RowProblem[] = resume ? [...resume.failedRows] : [];
  const fileErrors: BpoImportReport["fileErrors"] = [];
  const ignored = new Set<string>();
  let problemsTruncated = resume?.problemsTruncated ?? false;
  const checkpoint = (row: number, inFlight: BpoImportCheckpoint["inFlight"]): Promise<void> | undefined =>
    options.onCheckpoint?.({
      file: file.name,
      row,
      // The row being written is counted in `rows` already but in nothing else: the checkpoint is "after `row`".
      counts: { ...counts, rows: row, skippedBy: { ...counts.skippedBy } },
      rejectedRows: [...rejectedRows],
      failedRows: [...failedRows],
      problemsTruncated,
      inFlight,
    });
  let bytesRead = 0;
  let consecutiveStoreFailures = 0;

  const report = (complete: boolean): BpoImportReport => ({
    file: file.name,
    location: file.location,
    format: file.format,
    exportDate: file.exportDate,
    complete,
    ...counts,
    skippedBy: { ...counts.skippedBy },
    rejectedRows: [...rejectedRows],
    failedRows: [...failedRows],
    problemsTruncated,
    fileErrors: [...fileErrors],
    ignoredColumns: [...ignored],
    bytesRead,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
  });
  const progress = (done: boolean): void => {
    if (!options.onProgress) return;
    const { skippedBy: _skippedBy, ...flat } = counts;
    options.onProgress({ file: file.name, ...flat, bytesRead, totalBytes: file.size, fraction: file.size ? Math.min(1, bytesRead / file.size) : undefined, done });
  };

  const problem = async (entry: RowProblem, raw: (() => unknown) | undefined): Promise<void> => {
    const list = entry.stage === "store" ? failedRows : rejectedRows;
    if (entry.stage === "store") counts.failed += 1;
    else counts.rejected += 1;
    if (list.length < maxProblems) {
      list.push(entry);
      logger.warn(redactValue({ vendor: BPO_VENDOR, operation: IMPORT_OPERATION, correlationId, file: file.name, row: entry.row, line: entry.line, stage: entry.stage, reason: entry.reason }) as Record<string, unknown>, `bpo import: row ${entry.row} (line ${entry.line}) not imported`);
    } else problemsTruncated = true;
    await options.onProblem?.(entry);
    if (options.deadLetters) {
      const now = new Date().toISOString();
      const error = new ValidationError(`bpo ${ROW_OPERATION}: ${file.name} row ${entry.row} (line ${entry.line}) not imported — ${entry.reason}`, {
        vendor: BPO_VENDOR,
        operation: ROW_OPERATION,
        correlationId,
        issues: entry.issues,
        vendorCode: entry.stage === "store" ? "STORE_FAILED" : entry.stage === "parse" ? "UNREADABLE_ROW" : "INVALID_ROW",
      });
      await options.deadLetters.put({
        id: `bpo:${file.name}:row-${entry.row}`,
        kind: "call",
        adapterId: BPO_VENDOR,
        operation: ROW_OPERATION,
        correlationId,
        tenantId: options.tenantId,
        payload: { file: file.name, location: file.location, exportDate: file.exportDate, row: entry.row, line: entry.line, stage: entry.stage, externalId: entry.externalId, data: raw?.() ?? null },
        error: error.toJSON(),
        attempts: 1,
        firstAttemptAt: now,
        lastAttemptAt: now,
      });
    }
  };

  /** A store call failed: a problem row, or the stop when the store looks down. */
  const storeFailed = async (item: RawRow, record: BpoProjectRecord, error: unknown): Promise<void> => {
    if (signal?.aborted) throw error;
    consecutiveStoreFailures += 1;
    const message = redactText(error instanceof Error ? error.message : String(error));
    await problem({ row: item.row, line: item.line, externalId: record.externalId, stage: "store", reason: `the store failed: ${message}`, issues: [] }, rawOf(item));
    if (consecutiveStoreFailures >= maxStoreFailures) {
      throw new BpoImportAbortedError(
        `bpo ${IMPORT_OPERATION}: ${file.name} stopped after ${consecutiveStoreFailures} store failures in a row (last: ${message}); ${counts.rows} rows were handled. Fix the store and import the file again — rows already imported are skipped as unchanged`,
        { report: report(false), cause: error, correlationId, retryable: true },
      );
    }
  };

  /** Apply the conflict rule to a valid row against the store, and write it. */
  const write = async (item: RawRow, record: BpoProjectRecord): Promise<void> => {
    const ctx: StoreCallContext = { file: file.name, row: item.row, line: item.line, signal };
    let existing: StoredProjectState | undefined;
    let decision: ReturnType<typeof resolveConflict>;
    try {
      existing = (await store.findByExternalId(record.externalId, ctx)) ?? undefined;
      // Nothing stored: the rule's answer is "create" (resolveConflict's first line), without asking it.
      decision = existing === undefined ? CREATE_NEW : resolveConflict({ status: record.status, updatedAt: record.sourceUpdatedAt }, existing, rules);
    } catch (error) {
      return storeFailed(item, record, error);
    }
    // Outside the store's try: a checkpoint that cannot be saved stops the import (it could not resume exactly).
    if (options.onCheckpoint && (decision.action === "create" || decision.action === "update")) await checkpoint(item.row - 1, { row: item.row, externalId: record.externalId, action: decision.action });
    try {
      if (decision.action === "create") {
        await store.create(record, ctx);
        counts.created += 1;
      } else if (decision.action === "update") {
        await store.update(record.externalId, record, { ...ctx, existing: existing!, reason: decision.reason });
        counts.updated += 1;
      } else if (decision.reason === "unchanged" && resume?.inFlight?.row === item.row && resume.inFlight.externalId === record.externalId) {
        // The crashed run's write of this row took effect before it could count it.
        counts[resume.inFlight.action === "create" ? "created" : "updated"] += 1;
      } else {
        counts.skipped += 1;
        if (decision.reason === "platform-owned") counts.skippedBy.platformOwned += 1;
        else if (decision.reason === "unchanged") counts.skippedBy.unchanged += 1;
        else counts.skippedBy.older += 1;
      }
      consecutiveStoreFailures = 0;
    } catch (error) {
      await storeFailed(item, record, error);
    }
  };

  /** One row: validated here; a promise only when there is something to wait for (a write, a problem's sinks). */
  const handle = (item: RawRow): Promise<void> | undefined => {
    // Resuming: rows before the checkpoint were handled (and counted) by the crashed run.
    if (resume && item.row <= resume.row) return undefined;
    counts.rows += 1;
    if (item.kind === "unreadable") {
      return problem({ row: item.row, line: item.line, externalId: item.externalId, stage: "parse", reason: item.reason, issues: item.issues ?? [] }, item.raw);
    }
    let record: BpoProjectRecord;
    try {
      record = toProjectRecord(item.cells, rowContext);
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      return problem({ row: item.row, line: item.line, externalId: error.externalId, stage: "validate", reason: error.message, issues: error.issues }, rawOf(item));
    }
    return write(item, record);
  };

  return tracer.startActiveSpan(`${BPO_VENDOR}.${IMPORT_OPERATION}`, { attributes: { "connect.adapter.id": BPO_VENDOR, "connect.operation": IMPORT_OPERATION, "connect.correlation_id": correlationId, "bpo.export.file": file.name, "bpo.export.format": file.format } }, async (span: Span) => {
    logger.info({ vendor: BPO_VENDOR, operation: IMPORT_OPERATION, correlationId, file: file.name, location: redactText(file.location), format: file.format, exportDate: file.exportDate }, `bpo import of ${file.name} started`);
    const finish = (final: BpoImportReport): BpoImportReport => {
      span.setAttributes({
        "bpo.import.rows": final.rows,
        "bpo.import.created": final.created,
        "bpo.import.updated": final.updated,
        "bpo.import.skipped": final.skipped,
        "bpo.import.rejected": final.rejected,
        "bpo.import.failed": final.failed,
        "bpo.import.complete": final.complete,
      });
      return final;
    };
    try {
      signal?.throwIfAborted();
      const opened = await file.open(signal);
      const bytes = counting(opened, (n) => (bytesRead += n));
      const rows = file.format === "csv" ? csvRows(bytes, file, options, ignored) : jsonRows(bytes, options, ignored, fileErrors);
      rows: for await (const batch of rows) {
        for (const item of batch) {
          if (signal?.aborted) break rows;
          const pending = handle(item);
          if (pending !== undefined) await pending;
          if (counts.rows % progressEvery === 0) {
            progress(false);
            span.addEvent("progress", { "bpo.import.rows": counts.rows, "bpo.import.bytes_read": bytesRead });
          }
        }
      }
      if (signal?.aborted) {
        throw new BpoImportAbortedError(`bpo ${IMPORT_OPERATION}: ${file.name} aborted after ${counts.rows} rows (${abortMessage(signal.reason)}); importing it again finishes the job — rows already imported are skipped as unchanged`, {
          report: report(false),
          cause: signal.reason,
          correlationId,
        });
      }
      const final = finish(report(true));
      progress(true);
      span.setStatus({ code: SpanStatusCode.OK });
      logger.info({ vendor: BPO_VENDOR, operation: IMPORT_OPERATION, correlationId, file: file.name, rows: final.rows, created: final.created, updated: final.updated, skipped: final.skipped, rejected: final.rejected, failed: final.failed, fileErrors: final.fileErrors.length, durationMs: final.durationMs }, `bpo import of ${file.name} finished`);
      return final;
    } catch (caught) {
      let error: unknown = caught;
      // Everything but a refused file and an already-wrapped stop becomes a stop with the partial report.
      if (!(error instanceof BpoExportFormatError) && !(error instanceof BpoImportAbortedError)) {
        const aborted = signal?.aborted ?? false;
        error = new BpoImportAbortedError(
          aborted
            ? `bpo ${IMPORT_OPERATION}: ${file.name} aborted after ${counts.rows} rows (${abortMessage(signal?.reason)})`
            : `bpo ${IMPORT_OPERATION}: ${file.name} stopped after ${counts.rows} rows: ${redactText((caught as Error)?.message ?? String(caught))}. Import it again — rows already imported are skipped as unchanged`,
          { report: report(false), cause: caught, correlationId, retryable: !aborted && !(caught instanceof ValidationError) },
        );
      }
      const failure = error as IntegrationError;
      if (failure instanceof BpoImportAbortedError) finish(failure.report);
      span.recordException({ name: failure.name, message: failure.message });
      span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
      logger.warn({ vendor: BPO_VENDOR, operation: IMPORT_OPERATION, correlationId, file: file.name, rows: counts.rows, error: failure.toJSON() }, `bpo import of ${file.name} failed`);
      throw failure;
    } finally {
      span.end();
    }
  });
}

function checkImportOptions(file: BpoExportFile, options: BpoImportOptions): void {
  const issues: FieldIssue[] = [];
  const resume = options?.resumeFrom;
  if (resume !== undefined && (typeof resume !== "object" || resume === null || resume.file !== file?.name || !Number.isInteger(resume.row) || resume.row < 0)) {
    issues.push({ path: "resumeFrom", message: `must be a checkpoint of ${file?.name ?? "this file"}` });
  }
  if (!file || typeof file.open !== "function" || (file.format !== "csv" && file.format !== "json")) issues.push({ path: "source", message: "must be an export file (exportFile, localExportFile, a reader's list/latest) or a path" });
  const store = options?.store as Partial<BpoImportStore> | undefined;
  for (const method of ["findByExternalId", "create", "update"] as const) {
    if (typeof store?.[method] !== "function") issues.push({ path: `store.${method}`, message: "must be a function" });
  }
  if (options?.progressEvery !== undefined && (!Number.isInteger(options.progressEvery) || options.progressEvery < 1)) issues.push({ path: "progressEvery", message: "must be a positive integer" });
  if (options?.delimiter !== undefined && (typeof options.delimiter !== "string" || options.delimiter.length !== 1)) issues.push({ path: "delimiter", message: "must be one character" });
  if (issues.length > 0) {
    throw new ValidationError(`bpo ${IMPORT_OPERATION}: invalid options — ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, { vendor: BPO_VENDOR, operation: IMPORT_OPERATION, issues });
  }
}

/**
 * Import the newest delivery a reader finds (the nightly job). Resolves to undefined when there is none.
 * @public
 */
export async function importLatestBpoExport(reader: BpoExportReader, options: BpoImportOptions): Promise<BpoImportReport | undefined> {
  const file = await reader.latest(options.signal);
  return file ? importBpoExport(file, options) : undefined;
}

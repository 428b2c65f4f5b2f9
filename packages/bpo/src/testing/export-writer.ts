/**
 * The export generator: writes `bpo_export_YYYY-MM-DD.csv|json` the way a legacy nightly job
 * does — optionally with a byte order mark, CRLF line ends, spreadsheet-style headers, and
 * messy rows mixed in (bad numbers, missing columns, unreadable dates, duplicate ids, broken
 * JSON). It says how many rows of each kind it wrote, so a test can predict the report exactly.
 * Files are streamed (a million rows cost no memory) and delivered atomically (`.part`, rename).
 */
import { createWriteStream } from "node:fs";
import { mkdir, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { once } from "node:events";
import { createGzip } from "node:zlib";
import type { Writable } from "node:stream";
import type { BpoExportFormat } from "@connect/bpo";
import { generateProjects, type FakeProject } from "./data.js";

/** Kinds of messy rows. `valid: true` ones import fine; the others are rejected. @public */
export const MESSY_KINDS = {
  /** `$1,250,000.00` (valid). */
  "currency-format": { valid: true },
  /** `6/3/2024` dates (valid). */
  "us-date": { valid: true },
  /** Notes with a line break, a quote and a comma (valid). */
  "multiline-notes": { valid: true },
  /** The id of an earlier row again, with an older `updated_at` (valid, skipped as older). */
  "duplicate-id": { valid: true },
  /** `purchase_price` of `TBD` (rejected). */
  "bad-number": { valid: false },
  /** Fewer fields than the header (CSV) / no `address` key (JSON) (rejected). */
  "missing-columns": { valid: false },
  /** `submitted_at` of `2024-13-45` (rejected). */
  "bad-date": { valid: false },
  /** An empty id (rejected). */
  "missing-id": { valid: false },
  /** JSON only: a record that is not valid JSON (rejected); CSV writes a bad number instead. */
  "malformed-record": { valid: false },
} as const;

/** A kind of messy row. @public */
export type MessyKind = keyof typeof MESSY_KINDS;

/** Header spellings. @public */
export type ExportHeaderStyle = "canonical" | "legacy";

/** Options of {@link writeBpoExport} and {@link renderBpoExport}. @public */
export interface BpoExportOptions {
  /** `csv` (default) or `json`. */
  format?: BpoExportFormat | undefined;
  /** Generated rows when `projects` is not given. Default 100. */
  rows?: number | undefined;
  /** Write these projects instead of generated ones. */
  projects?: Iterable<FakeProject> | undefined;
  /** PRNG seed of generated projects. Default 1. */
  seed?: number | undefined;
  /** Mix in messy rows: `true` makes every 10th row messy, cycling through `kinds`. */
  messy?: boolean | { every?: number | undefined; kinds?: readonly MessyKind[] | undefined } | undefined;
  /** `canonical` snake_case (default) or `legacy` spreadsheet headers (`Project ID`, `ZIP Code` …). */
  headers?: ExportHeaderStyle | undefined;
  /** Start with a UTF-8 byte order mark. Default false. */
  bom?: boolean | undefined;
  /** Default `\n`. */
  lineEnding?: "\n" | "\r\n" | undefined;
  /** JSON layout: `array` (default), `wrapped` (`{ "data": [...], "exported_at": ... }`) or `ndjson`. */
  jsonShape?: "array" | "wrapped" | "ndjson" | undefined;
  /** Leave the `updated_at` column out (exports that have only the spec's fields). */
  omitUpdatedAt?: boolean | undefined;
}

/** What the generator wrote. @public */
export interface ExportStats {
  /** Data rows written. */
  rows: number;
  /** Rows an import accepts (created, or skipped as older duplicates). */
  valid: number;
  /** Rows an import rejects. */
  rejected: number;
  /** Valid rows that repeat an earlier id with an older `updated_at`. */
  duplicates: number;
  /** Messy rows by kind. */
  messy: Partial<Record<MessyKind, number>>;
}

/** A written export file. @public */
export interface WrittenExport extends ExportStats {
  path: string;
  name: string;
  format: BpoExportFormat;
  bytes: number;
}

const COLUMNS = ["id", "address", "city", "state", "zip", "status", "submitted_by_email", "submitted_by_name", "submitted_at", "purchase_price", "list_price", "notes", "updated_at"] as const;
const LEGACY: Record<(typeof COLUMNS)[number], string> = {
  id: "Project ID",
  address: "Street Address",
  city: "City",
  state: "State",
  zip: "ZIP Code",
  status: "Status",
  submitted_by_email: "Submitted By Email",
  submitted_by_name: "Submitted By",
  submitted_at: "Date Submitted",
  purchase_price: "Purchase Price",
  list_price: "List Price",
  notes: "Notes",
  updated_at: "Last Updated",
};
const DEFAULT_KINDS: readonly MessyKind[] = ["currency-format", "bad-number", "multiline-notes", "missing-columns", "duplicate-id", "bad-date", "us-date", "missing-id", "malformed-record"];

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function usDate(iso: string): string {
  const d = new Date(iso);
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
}

/** Yield the file's text in chunks, counting what was written into `stats`. */
function* exportText(options: BpoExportOptions, stats: ExportStats): Generator<string, void, undefined> {
  const format = options.format ?? "csv";
  const nl = options.lineEnding ?? "\n";
  const columns = COLUMNS.filter((c) => !(options.omitUpdatedAt && c === "updated_at"));
  const messy = options.messy === true ? {} : options.messy || undefined;
  const every = messy ? Math.max(2, messy.every ?? 10) : 0;
  const kinds = messy?.kinds ?? DEFAULT_KINDS;
  const projects = options.projects ?? generateProjects({ count: options.rows ?? 100, seed: options.seed });
  const shape = options.jsonShape ?? "array";
  let previous: FakeProject | undefined;
  let kindIndex = 0;
  let buffer = options.bom ? "\uFEFF" : "";

  if (format === "csv") buffer += columns.map((c) => (options.headers === "legacy" ? LEGACY[c] : c)).join(",") + nl;
  else if (shape === "array") buffer += "[" + nl;
  else if (shape === "wrapped") buffer += `{"exported_at":"${new Date().toISOString()}","data":[${nl}`;

  for (const source of projects) {
    let project: FakeProject = source;
    let kind: MessyKind | undefined;
    if (every > 0 && (stats.rows + 1) % every === 0) {
      kind = kinds[kindIndex++ % kinds.length]!;
      if (kind === "duplicate-id" && !previous) kind = "currency-format";
      if (kind === "malformed-record" && format === "csv") kind = "bad-number";
    }
    const cells: Record<string, unknown> = {
      id: project.id,
      address: project.address,
      city: project.city,
      state: project.state,
      zip: project.zip,
      status: project.status,
      submitted_by_email: project.submitted_by?.email ?? null,
      submitted_by_name: project.submitted_by?.name ?? null,
      submitted_at: project.submitted_at,
      purchase_price: project.purchase_price,
      list_price: project.list_price,
      notes: project.notes,
      updated_at: project.updated_at,
    };
    switch (kind) {
      case "currency-format":
        cells.purchase_price = `$${(project.purchase_price ?? 425_000).toLocaleString("en-US")}.00`;
        break;
      case "us-date":
        cells.submitted_at = project.submitted_at ? usDate(project.submitted_at) : "6/3/2024";
        break;
      case "multiline-notes":
        cells.notes = 'Seller: "call first, evenings"\nSecond line, with a comma';
        break;
      case "duplicate-id":
        project = { ...previous!, updated_at: new Date(Date.parse(previous!.updated_at) - 86_400_000).toISOString() };
        Object.assign(cells, { id: project.id, address: project.address, status: project.status, updated_at: project.updated_at });
        break;
      case "bad-number":
        cells.purchase_price = "TBD";
        break;
      case "bad-date":
        cells.submitted_at = "2024-13-45";
        break;
      case "missing-id":
        cells.id = "";
        break;
      default:
        break;
    }
    stats.rows += 1;
    if (kind) stats.messy[kind] = (stats.messy[kind] ?? 0) + 1;
    if (kind && !MESSY_KINDS[kind].valid) stats.rejected += 1;
    else stats.valid += 1;
    if (kind === "duplicate-id") stats.duplicates += 1;
    // A duplicate repeats a row that was imported, so it is skipped rather than created.
    if (kind !== "duplicate-id" && (!kind || MESSY_KINDS[kind].valid)) previous = project;

    if (format === "csv") {
      let fields = columns.map((c) => csvCell(cells[c]));
      if (kind === "missing-columns") fields = fields.slice(0, fields.length - 3);
      buffer += fields.join(",") + nl;
    } else {
      const sep = shape === "ndjson" || stats.rows === 1 ? "" : ",";
      let text: string;
      if (kind === "malformed-record") text = `{"id":"${project.id}","address":"${project.address}","purchase_price":,}`;
      else {
        const object: Record<string, unknown> = {
          id: cells.id,
          address: cells.address,
          city: cells.city,
          state: cells.state,
          zip: cells.zip,
          status: cells.status,
          submitted_by: project.submitted_by,
          submitted_at: kind === "us-date" || kind === "bad-date" ? cells.submitted_at : { _seconds: Math.floor(Date.parse(project.submitted_at ?? project.created_at) / 1000), _nanoseconds: 0 },
          purchase_price: cells.purchase_price,
          list_price: cells.list_price,
          notes: cells.notes,
          ...(options.omitUpdatedAt ? {} : { updated_at: cells.updated_at }),
        };
        if (kind === "missing-columns") delete object.address;
        text = JSON.stringify(object);
      }
      buffer += sep + text + nl;
    }
    if (buffer.length > 64 * 1024) {
      yield buffer;
      buffer = "";
    }
  }
  if (format === "json") {
    if (shape === "array") buffer += "]" + nl;
    else if (shape === "wrapped") buffer += `],"pagination":{"total":${stats.rows}}}` + nl;
  }
  if (buffer) yield buffer;
}

function emptyStats(): ExportStats {
  return { rows: 0, valid: 0, rejected: 0, duplicates: 0, messy: {} };
}

/** Render an export in memory (small files for tests). @public */
export function renderBpoExport(options: BpoExportOptions = {}): { text: string } & ExportStats {
  const stats = emptyStats();
  const text = [...exportText(options, stats)].join("");
  return { text, ...stats };
}

/** Options of {@link writeBpoExport}. @public */
export interface WriteBpoExportOptions extends BpoExportOptions {
  /** Folder to deliver into (created when missing). */
  dir: string;
  /** Export date, `YYYY-MM-DD`: the file is `bpo_export_<date>.<format>`. */
  date: string;
  /** gzip the file (`….csv.gz`). Default false. */
  gzip?: boolean | undefined;
  /** File name instead of the convention's. */
  fileName?: string | undefined;
}

async function writeAll(stream: Writable, chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (!stream.write(chunk)) await once(stream, "drain");
  }
  stream.end();
}

/**
 * Write an export file into a folder, streaming, and deliver it atomically.
 * @example
 * const file = await writeBpoExport({ dir, date: "2024-06-03", rows: 5000, messy: true });
 * // file.rows 5000, file.rejected → what the import will reject
 * @public
 */
export async function writeBpoExport(options: WriteBpoExportOptions): Promise<WrittenExport> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.date)) throw new TypeError(`writeBpoExport: date must be YYYY-MM-DD, got ${JSON.stringify(options.date)}`);
  const format = options.format ?? "csv";
  const name = options.fileName ?? `bpo_export_${options.date}.${format}${options.gzip ? ".gz" : ""}`;
  await mkdir(options.dir, { recursive: true });
  const path = join(options.dir, name);
  const partial = `${path}.part`;
  const stats = emptyStats();
  const file = createWriteStream(partial);
  const done = once(file, "close");
  if (options.gzip) {
    const gzip = createGzip();
    gzip.pipe(file);
    await writeAll(gzip, exportText({ ...options, format }, stats));
  } else {
    await writeAll(file, exportText({ ...options, format }, stats));
  }
  await done;
  await rename(partial, path);
  return { path, name, format, bytes: (await stat(path)).size, ...stats };
}

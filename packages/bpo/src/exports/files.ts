/**
 * Export files: BPO delivers `bpo_export_YYYY-MM-DD.csv` (or `.json`, optionally gzipped) each
 * night to a folder, an S3 bucket or an SFTP server. A reader lists the deliveries and opens one
 * as a byte stream; `latest()` picks the newest by the date in its name. Readers for a local
 * folder and S3 ship here; anything else (SFTP) plugs in through {@link createExportReader}.
 */
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { pipeline, Readable } from "node:stream";
import { createGunzip } from "node:zlib";

/** Export file formats. @public */
export type BpoExportFormat = "csv" | "json";

/** One export file, ready to be opened. @public */
export interface BpoExportFile {
  /** File name, e.g. `bpo_export_2024-06-03.csv`. */
  name: string;
  /** `csv` or `json`. */
  format: BpoExportFormat;
  /** The date in the name (`YYYY-MM-DD`), when it follows the naming convention. */
  exportDate: string | undefined;
  /** Size in bytes, when the source knows it (progress events report a fraction then). */
  size?: number | undefined;
  /** Where it came from, for reports and logs (`/data/bpo/…`, `s3://bucket/key`). */
  location: string;
  /** Open the file as a byte stream (decompressed when the name ends in `.gz`). */
  open(signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
}

/** Lists and opens export deliveries. @public */
export interface BpoExportReader {
  /** Every delivery whose name follows the convention, oldest first. */
  list(signal?: AbortSignal): Promise<BpoExportFile[]>;
  /** The newest delivery, or undefined when there is none. */
  latest(signal?: AbortSignal): Promise<BpoExportFile | undefined>;
  /** The delivery of one date (`YYYY-MM-DD`), or undefined. */
  forDate(date: string, signal?: AbortSignal): Promise<BpoExportFile | undefined>;
}

/** The naming convention: `bpo_export_YYYY-MM-DD.csv|json`, optionally `.gz`. @public */
export const EXPORT_FILE_PATTERN = /^bpo_export_(\d{4}-\d{2}-\d{2})\.(csv|json)(\.gz)?$/i;

/** What a file name says: export date, format, compression; undefined when it does not follow the convention or the date is not a calendar date. @public */
export function parseExportFileName(name: string): { exportDate: string; format: BpoExportFormat; gzip: boolean } | undefined {
  const match = EXPORT_FILE_PATTERN.exec(basename(name));
  if (!match) return undefined;
  const date = match[1]!;
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) return undefined;
  return { exportDate: date, format: match[2]!.toLowerCase() as BpoExportFormat, gzip: match[3] !== undefined };
}

function formatOf(name: string): { format: BpoExportFormat; gzip: boolean } {
  const lower = name.toLowerCase();
  const gzip = lower.endsWith(".gz");
  const bare = gzip ? lower.slice(0, -3) : lower;
  if (bare.endsWith(".json") || bare.endsWith(".ndjson") || bare.endsWith(".jsonl")) return { format: "json", gzip };
  if (bare.endsWith(".csv") || bare.endsWith(".txt")) return { format: "csv", gzip };
  throw new TypeError(`cannot tell the export format of ${JSON.stringify(name)}: name it .csv or .json (optionally .gz), or pass format`);
}

function toAsyncIterable(stream: Readable | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  if (stream instanceof Readable) return stream;
  if (typeof (stream as ReadableStream<Uint8Array>).getReader === "function" && !(Symbol.asyncIterator in stream)) {
    return Readable.fromWeb(stream as never);
  }
  return stream as AsyncIterable<Uint8Array>;
}

/** What {@link exportFile} needs: a name and a way to open the bytes. @public */
export interface ExportFileSource {
  name: string;
  /** Default: from the name's extension. */
  format?: BpoExportFormat | undefined;
  /** Default: from `.gz` in the name. */
  gzip?: boolean | undefined;
  size?: number | undefined;
  location?: string | undefined;
  open(signal?: AbortSignal): Promise<Readable | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>> | Readable | AsyncIterable<Uint8Array>;
}

/**
 * Describe an export file from any source (an SFTP stream, an upload, a test string).
 * @example
 * const file = exportFile({ name: "bpo_export_2024-06-03.csv", open: () => sftp.createReadStream("/out/bpo_export_2024-06-03.csv") });
 * @public
 */
export function exportFile(source: ExportFileSource): BpoExportFile {
  const detected = source.format === undefined ? formatOf(source.name) : { format: source.format, gzip: source.name.toLowerCase().endsWith(".gz") };
  const gzip = source.gzip ?? detected.gzip;
  return {
    name: basename(source.name),
    format: detected.format,
    exportDate: parseExportFileName(source.name)?.exportDate,
    // A compressed size says nothing about how far through the rows the import is.
    size: gzip ? undefined : source.size,
    location: source.location ?? source.name,
    async open(signal) {
      signal?.throwIfAborted();
      const opened = toAsyncIterable(await source.open(signal));
      if (!gzip) return opened;
      // pipeline (not pipe) so a source that fails mid-file fails the decompressed stream too.
      const gunzip = createGunzip();
      pipeline(Readable.from(opened), gunzip, () => undefined);
      return gunzip;
    },
  };
}

/** An export file held in memory (tests, uploads). @public */
export function exportFileFromContent(name: string, content: string | Uint8Array, options: { format?: BpoExportFormat } = {}): BpoExportFile {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  return exportFile({ name, format: options.format, size: bytes.byteLength, location: `memory:${name}`, open: () => Readable.from([bytes]) });
}

/** A local export file by path. @public */
export function localExportFile(path: string, options: { format?: BpoExportFormat; size?: number } = {}): BpoExportFile {
  return exportFile({
    name: basename(path),
    format: options.format,
    size: options.size,
    location: path,
    open: (signal) => createReadStream(path, { signal, highWaterMark: 256 * 1024 }),
  });
}

/** What {@link createExportReader} needs from a storage backend. @public */
export interface ExportStorage {
  /** Names (with size when known) of the files in the delivery location. */
  list(signal?: AbortSignal): Promise<Array<string | { name: string; size?: number | undefined; location?: string | undefined }>>;
  /** Open one file by the name `list` gave. */
  open(name: string, signal?: AbortSignal): Promise<Readable | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>> | Readable | AsyncIterable<Uint8Array>;
}

/** Options of {@link createExportReader} and the readers built on it. @public */
export interface ExportReaderOptions {
  /** When a date was delivered as both CSV and JSON, which one to use. Default `csv`. */
  prefer?: BpoExportFormat | undefined;
}

/**
 * Build a reader on any storage: list names, open by name. Names that do not follow the
 * convention (`.part` files, other exports) are ignored.
 * @example
 * // SFTP with ssh2-sftp-client (not a dependency of this package):
 * const reader = createExportReader({
 *   list: async () => (await sftp.list("/outgoing")).map((f) => ({ name: f.name, size: f.size })),
 *   open: (name) => sftp.createReadStream(`/outgoing/${name}`),
 * });
 * @public
 */
export function createExportReader(storage: ExportStorage, options: ExportReaderOptions = {}): BpoExportReader {
  const prefer = options.prefer ?? "csv";
  async function list(signal?: AbortSignal): Promise<BpoExportFile[]> {
    const entries = await storage.list(signal);
    const byDate = new Map<string, BpoExportFile>();
    for (const entry of entries) {
      const { name, size, location } = typeof entry === "string" ? { name: entry, size: undefined, location: undefined } : entry;
      const parsed = parseExportFileName(name);
      if (!parsed) continue;
      const file = exportFile({ name, format: parsed.format, gzip: parsed.gzip, size, location, open: (s) => storage.open(name, s) });
      const other = byDate.get(parsed.exportDate);
      if (!other || (other.format !== prefer && file.format === prefer) || (other.format === file.format && name < other.name)) byDate.set(parsed.exportDate, file);
    }
    return [...byDate.values()].sort((a, b) => (a.exportDate! < b.exportDate! ? -1 : a.exportDate! > b.exportDate! ? 1 : 0));
  }
  return {
    list,
    async latest(signal) {
      return (await list(signal)).at(-1);
    },
    async forDate(date, signal) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new TypeError(`forDate: expected YYYY-MM-DD, got ${JSON.stringify(date)}`);
      return (await list(signal)).find((f) => f.exportDate === date);
    },
  };
}

/**
 * Read deliveries from a local folder (a mounted share, or where an SFTP sync drops them).
 * Deliver atomically — write `….csv.part`, then rename — so a half-written file is never read.
 * @public
 */
export function folderExportReader(dir: string, options: ExportReaderOptions = {}): BpoExportReader {
  return createExportReader(
    {
      async list() {
        const names = await readdir(dir);
        const files = await Promise.all(
          names
            .filter((name) => EXPORT_FILE_PATTERN.test(name))
            .map(async (name) => {
              const info = await stat(join(dir, name));
              return info.isFile() ? { name, size: info.size, location: join(dir, name) } : undefined;
            }),
        );
        return files.filter((f): f is { name: string; size: number; location: string } => f !== undefined);
      },
      open: (name, signal) => createReadStream(join(dir, name), { signal, highWaterMark: 256 * 1024 }),
    },
    options,
  );
}

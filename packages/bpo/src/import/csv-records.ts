/**
 * A streaming reader of CSV exports on csv-parse: quoted fields, embedded line breaks, `""`
 * escapes, a UTF-8 byte order mark, CRLF or LF, stray quotes inside unquoted fields. Records
 * come out in batches (one per chunk of input, in file order) with the line each starts on; a
 * record the parser cannot read is reported in its place and parsing goes on with the next one.
 *
 * Speed: csv-parse's parser core is fed each chunk directly (no object-mode stream between it
 * and the import, no `raw` copy of each record, no per-record `on_record` call), and line
 * numbers are counted from the bytes themselves with `Buffer#indexOf`. csv-parse's own
 * `info.lines` is not used: it counts a CRLF inside a quoted field as two lines and drifts.
 */
import { Parser, type CsvError, type Options } from "csv-parse";

/** One item of the stream. @internal */
export type CsvItem =
  | { kind: "record"; index: number; line: number; cells: string[] }
  | { kind: "bad-record"; index: number; line: number; reason: string };

/** Options of {@link csvRecordBatches}. @internal */
export interface CsvRecordOptions {
  delimiter?: string | undefined;
  encoding?: "utf8" | "latin1" | undefined;
  /** Largest record in characters before csv-parse gives up on it. */
  maxRecordChars: number;
}

function describe(error: CsvError, extraLines: number): string {
  switch (error.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return `a quoted field is never closed: this record and the ${extraLines} line(s) after its first line could not be read (an unescaped quote or a truncated export?)`;
    case "CSV_MAX_RECORD_SIZE":
      return "the record is too large (an unescaped quote swallowing the following lines?)";
    default:
      return `unreadable CSV record: ${error.message}`;
  }
}

/** The parser core behind csv-parse's `Parser` stream (what its `_transform` and `_flush` call). */
interface ParserCore {
  parse(chunk: Buffer | undefined, end: boolean, push: (record: string[]) => void, close: () => void): Error | undefined;
}

const LF = 0x0a;
const CR = 0x0d;
/** Not a line break (a UTF-16 unit that is no CR or LF). */
const OTHER = 0x100;
/** Bytes at the end of a chunk whose counting waits for the next chunk: more than csv-parse ever holds back to look ahead. */
const LOOKAHEAD = 64;
const EMPTY = Buffer.alloc(0);
/** Bytes handed to the parser at a time. */
const PIECE_BYTES = 32 * 1024;

/**
 * Counts line breaks as the lines of each record's raw text count them (what csv-parse's `raw`
 * option gives, which this reader does not pay for): CRLF, a lone CR and a lone LF each once,
 * each record on its own. It reads the bytes between the ends of records as csv-parse reports
 * them (`info.bytes`). The line a record starts on is 1 + the breaks of every record before it +
 * the empty lines csv-parse skipped just before it.
 */
class LineCounter {
  /** Breaks of the records before the open one. */
  private before = 0;
  /** The chunk being parsed, and where it starts in the stream. */
  private buf: Buffer = Buffer.alloc(0);
  private bufStart = 0;
  /** The previous chunk's last bytes, not counted yet (a copy), and where they start. */
  private tail: Buffer = Buffer.alloc(0);
  private tailStart = 0;
  /** Counted up to here (a stream offset). */
  private pos = 0;
  /** The open record so far: its breaks, how many of them lead it (empty lines), whether still in that run, its last unit. */
  private breaks = 0;
  private leading = 0;
  private inLeading = true;
  private last = -1;
  /**
   * With a CRLF record delimiter csv-parse drops the LF of each empty line it skips from the
   * record's raw text, so an LF right after such lines pairs with the last one's CR there:
   * 0 = expecting the CR of a CRLF, 1 = expecting its LF, 2 = past the skipped empty lines.
   */
  private pairs = 0;
  private pairCount = 0;
  /** Next LF / CR at or after `pos` in `buf` (buf.length when none). */
  private nextLf = -1;
  private nextCr = -1;
  private crlf: boolean | undefined;

  constructor(private readonly options: { encoding?: unknown; record_delimiter?: unknown }) {}

  /** Take the next chunk (at `offset` in the stream); the few bytes of the last one not counted yet are kept. */
  feed(chunk: Buffer, offset: number): void {
    const end = this.bufStart + this.buf.length;
    if (this.pos < this.tailStart + this.tail.length) {
      // Still in the kept bytes (nothing closed since): keep them and the new ones not counted.
      this.tail = Buffer.concat([this.tail.subarray(this.pos - this.tailStart), this.buf]);
    } else this.tail = Buffer.from(this.buf.subarray(Math.max(0, this.pos - this.bufStart)));
    this.tailStart = end - this.tail.length;
    this.buf = chunk;
    this.bufStart = offset;
    this.nextLf = -1;
    this.nextCr = -1;
  }

  /** After the parser had the chunk: count all but its last bytes, so only a few bytes are ever held. */
  settle(): void {
    const end = this.bufStart + this.buf.length - LOOKAHEAD;
    if (end > this.pos) this.scanTo(end);
    if (this.pos >= this.bufStart && this.tail.length > 0) this.tail = EMPTY;
  }

  /** The open record ends at `offset` (after its delimiter): its first line; counting moves past it. */
  close(offset: number): number {
    this.scanTo(offset);
    const line = 1 + this.before + this.leading;
    this.before += this.breaks;
    this.reset();
    return line;
  }

  /** A record csv-parse skipped, counted to `offset`: its first line and the lines it spans after that one. */
  closeSkipped(offset: number): { line: number; span: number } {
    // Found mid-record (too large): its first line is after the empty lines before it, whatever `offset` is.
    if (this.inLeading) this.scanTo(this.leadingEnd());
    this.scanTo(offset);
    const line = 1 + this.before + this.leading;
    const trailing = this.last === LF || this.last === CR ? 1 : 0;
    const span = Math.max(0, this.breaks - this.leading - (this.inLeading ? 0 : trailing));
    this.before += this.breaks;
    this.reset();
    return { line, span };
  }

  /** csv-parse's offsets never go back past what was counted, nor past the bytes fed (only after it dropped bytes). */
  clamp(offset: number): number {
    return Math.max(this.pos, Math.min(offset, this.bufStart + this.buf.length));
  }

  private reset(): void {
    this.breaks = 0;
    this.leading = 0;
    this.inLeading = true;
    this.last = -1;
    this.pairs = 0;
    this.pairCount = 0;
  }

  private get wide(): boolean {
    // A UTF-16 byte order mark switches csv-parse to UTF-16LE: count 16-bit units.
    return this.options.encoding === "utf16le";
  }

  /** Whether the record delimiter is CRLF (known once csv-parse saw the first line break). */
  private isCrlf(): boolean {
    if (this.crlf !== undefined) return this.crlf;
    const delimiters = this.options.record_delimiter;
    if (!Array.isArray(delimiters) || delimiters.length === 0) return false;
    const crlf = Buffer.from("\r\n", this.wide ? "utf16le" : "latin1");
    this.crlf = delimiters.length === 1 && Buffer.isBuffer(delimiters[0]) && crlf.equals(delimiters[0]);
    return this.crlf;
  }

  /** Where the run of CR / LF at `pos` ends (in the bytes held). */
  private leadingEnd(): number {
    const step = this.wide ? 2 : 1;
    let at = this.pos;
    for (;;) {
      const inTail = at < this.bufStart;
      const b = inTail ? this.tail : this.buf;
      const i = at - (inTail ? this.tailStart : this.bufStart);
      if (i + step - 1 >= b.length || !(b[i] === LF || b[i] === CR) || (step === 2 && b[i + 1] !== 0)) return at;
      at += step;
    }
  }

  /** One unit of the open record: a CR, an LF or OTHER. */
  private unit(c: number): void {
    if (this.inLeading) {
      if (c === OTHER) {
        this.inLeading = false;
        this.pairs = 2;
      } else {
        if (c === CR || this.last !== CR) {
          this.breaks += 1;
          this.leading += 1;
        }
        if (this.pairs !== 2 && this.isCrlf()) {
          if (this.pairs === 0) {
            if (c === CR) this.pairs = 1;
            else {
              // An LF right after skipped CRLF lines: in the raw text it follows their last CR (one break for both).
              if (this.pairCount > 0) {
                this.breaks -= 1;
                this.leading -= 1;
              }
              this.pairs = 2;
            }
          } else if (c === LF) {
            this.pairCount += 1;
            this.pairs = 0;
          } else this.pairs = 2;
        }
        this.last = c;
        return;
      }
    }
    if (c === CR || (c === LF && this.last !== CR)) this.breaks += 1;
    this.last = c;
  }

  /** Count the open record up to `offset`: the kept bytes of the last chunk first, then this one's. */
  private scanTo(offset: number): void {
    if (this.pos < this.bufStart) {
      this.scanIn(this.tail, this.tailStart, Math.min(offset, this.bufStart), false);
      if (this.pos === this.bufStart - 1 && this.wide && offset > this.pos && this.buf.length > 0) {
        // A UTF-16 unit split between the chunks.
        const lo = this.tail[this.tail.length - 1]!;
        this.unit(this.buf[0] === 0 && (lo === LF || lo === CR) ? lo : OTHER);
        this.pos += 2;
      }
      if (this.pos < this.bufStart) return;
    }
    this.scanIn(this.buf, this.bufStart, offset, true);
  }

  /** Count `b` (starting at stream offset `start`) from `pos` to `offset`; `indexed`: keep the next LF / CR found. */
  private scanIn(b: Buffer, start: number, offset: number, indexed: boolean): void {
    let i = this.pos - start;
    const j = Math.min(offset - start, b.length);
    if (i >= j) return;
    if (this.wide) {
      for (; i + 1 < b.length && i < j; i += 2) {
        const lo = b[i]!;
        this.unit(b[i + 1] === 0 && (lo === LF || lo === CR) ? lo : OTHER);
      }
      this.pos = start + i;
      return;
    }
    // The empty lines before the record, byte by byte (rare).
    while (this.inLeading && i < j) {
      const c = b[i]!;
      this.unit(c === LF || c === CR ? c : OTHER);
      i += 1;
    }
    if (i < j) {
      // The record's own bytes: every CR, and every LF not right after a CR, found with indexOf.
      let at = indexed && this.nextLf >= i ? this.nextLf : indexOrEnd(b, LF, i);
      while (at < j) {
        if (at === i ? this.last !== CR : b[at - 1] !== CR) this.breaks += 1;
        at = indexOrEnd(b, LF, at + 1);
      }
      if (indexed) this.nextLf = at;
      at = indexed && this.nextCr >= i ? this.nextCr : indexOrEnd(b, CR, i);
      while (at < j) {
        this.breaks += 1;
        at = indexOrEnd(b, CR, at + 1);
      }
      if (indexed) this.nextCr = at;
      this.last = b[j - 1]!;
    }
    this.pos = start + j;
  }
}

function indexOrEnd(b: Buffer, byte: number, from: number): number {
  const at = b.indexOf(byte, from);
  return at === -1 ? b.length : at;
}

/** Read CSV records (the header first) from a byte stream, a batch per chunk. @internal */
export async function* csvRecordBatches(input: AsyncIterable<Uint8Array | string>, options: CsvRecordOptions): AsyncGenerator<CsvItem[], void, undefined> {
  let batch: CsvItem[] = [];
  let index = 0;
  let offset = 0;
  // csv-parse stops reading for good after a record over `max_record_size` (it reports that one
  // and emits nothing more), so that error ends its parser here: the rest of the oversize record
  // is skipped to its next line break and a new parser reads on from there. `base` is where the
  // current parser's input starts in the stream; `oversizeAt` where its oversize record was cut.
  let base = 0;
  let oversizeAt: number | undefined;
  let encoding: Options["encoding"] = options.encoding ?? "utf8";

  interface CsvParser {
    core: ParserCore;
    info: { bytes: number };
    options: { encoding?: unknown; record_delimiter?: unknown };
  }
  const open = (first: boolean): CsvParser => {
    const self = {} as CsvParser;
    const csvOptions: Options = {
      bom: first,
      delimiter: options.delimiter ?? ",",
      encoding,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: options.maxRecordChars,
      on_skip: (error: CsvError | undefined) => {
        if (!error || self !== current || oversizeAt !== undefined) return;
        // An unclosed quote is found at the end: the record is the rest of the input. Any other
        // error is found mid-record: it starts where the last record ended.
        const at = lines.clamp(base + self.info.bytes);
        const { line, span } = lines.closeSkipped(error.code === "CSV_QUOTE_NOT_CLOSED" ? Number.POSITIVE_INFINITY : at);
        batch.push({ kind: "bad-record", index: ++index, line, reason: describe(error, span) });
        if (error.code === "CSV_MAX_RECORD_SIZE") oversizeAt = at;
      },
    };
    const parser = new Parser(csvOptions);
    const core = (parser as unknown as { api?: ParserCore }).api;
    if (!core || typeof core.parse !== "function") throw new TypeError("csv-parse: this version's Parser has no parser core (`api.parse`); @connect/bpo needs csv-parse 7");
    self.core = core;
    self.info = parser.info;
    self.options = parser.options as CsvParser["options"];
    return self;
  };
  let current = open(true);
  const lines = new LineCounter(current.options);
  const push = (cells: string[]): void => {
    if (oversizeAt !== undefined) return;
    batch.push({ kind: "record", index: ++index, line: lines.close(lines.clamp(base + current.info.bytes)), cells });
  };
  const close = (): void => undefined;
  const parse = (chunk: Buffer | undefined): void => {
    const error = current.core.parse(chunk, chunk === undefined, push, close);
    if (error !== undefined) throw error;
  };
  /** After an oversize record: skip `part` (at `partStart`) to the record's next line break and read on with a new parser. */
  const resume = (part: Buffer, partStart: number, from: number): void => {
    const lf = part.indexOf(LF, Math.max(0, from - partStart));
    if (lf === -1) return;
    const next = partStart + lf + 1;
    // The skipped tail's line breaks belong to the oversize record: counted, no line reported.
    lines.close(next);
    // A UTF-16 byte order mark switched the first parser's encoding: the next one reads the same.
    encoding = (current.options.encoding as Options["encoding"]) ?? encoding;
    current = open(false);
    base = next;
    oversizeAt = undefined;
    const rest = part.subarray(lf + 1);
    if (rest.length > 0) step(rest, next);
  };
  const step = (part: Buffer, partStart: number): void => {
    parse(part);
    if (oversizeAt !== undefined) resume(part, partStart, oversizeAt);
  };
  for await (const item of input) {
    const chunk = typeof item === "string" ? Buffer.from(item, "utf8") : Buffer.isBuffer(item) ? item : Buffer.from(item.buffer, item.byteOffset, item.byteLength);
    // A stream never hands csv-parse an empty chunk.
    if (chunk.length === 0) continue;
    // A read chunk (256 KiB) is parsed in pieces: a batch of a few hundred records is handled
    // while it is young, instead of thousands surviving into the old generation.
    for (let from = 0; from < chunk.length; from += PIECE_BYTES) {
      const part = from === 0 && chunk.length <= PIECE_BYTES ? chunk : chunk.subarray(from, from + PIECE_BYTES);
      lines.feed(part, offset);
      const partStart = offset;
      offset += part.length;
      // Still inside an oversize record's tail: look for its line break first.
      if (oversizeAt !== undefined) resume(part, partStart, partStart);
      else step(part, partStart);
      lines.settle();
      if (batch.length > 0) {
        const ready = batch;
        batch = [];
        yield ready;
      }
    }
  }
  if (oversizeAt === undefined) parse(undefined);
  if (batch.length > 0) yield batch;
}

/**
 * A streaming reader of CSV exports on csv-parse: quoted fields, embedded line breaks, `""`
 * escapes, a UTF-8 byte order mark, CRLF or LF, stray quotes inside unquoted fields. Records
 * come out one by one with the line they start on; a record the parser cannot read is reported
 * in file order and parsing goes on with the next one.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parse, type CsvError, type Options } from "csv-parse";

/** One item of the stream. @internal */
export type CsvItem =
  | { kind: "record"; index: number; line: number; cells: string[] }
  | { kind: "bad-record"; index: number; line: number; reason: string };

/** Options of {@link csvRecords}. @internal */
export interface CsvRecordOptions {
  delimiter?: string | undefined;
  encoding?: "utf8" | "latin1" | undefined;
  /** Largest record in characters before csv-parse gives up on it. */
  maxRecordChars: number;
}

/** Line breaks in raw CSV text: CRLF, a lone CR and a lone LF each count once. */
function countBreaks(text: string): number {
  // Most records hold no CR: count the LFs with indexOf instead of looking at every character.
  if (!text.includes("\r")) {
    let count = 0;
    for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) count += 1;
    return count;
  }
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) count += 1;
    else if (c === 0x0d) {
      count += 1;
      if (text.charCodeAt(i + 1) === 0x0a) i += 1;
    }
  }
  return count;
}

function leadingBreaks(raw: string): number {
  const match = /^[\r\n]+/.exec(raw);
  return match ? countBreaks(match[0]) : 0;
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

/** Read CSV records (the header first) from a byte stream. @internal */
export async function* csvRecords(input: AsyncIterable<Uint8Array | string> | Readable, options: CsvRecordOptions): AsyncGenerator<CsvItem, void, undefined> {
  // Bad records are reported by csv-parse through a callback while it reads ahead; they are
  // queued and handed out in file order, before the first good record that follows them.
  const skipped: Array<{ line: number; reason: string }> = [];
  // Line numbers are counted here from each record's raw text, in parse order: csv-parse's own
  // `info.lines` counts a CRLF inside a quoted field as two lines and drifts after it.
  let linesBefore = 0;
  /** The line a record starts on; advances the count past it. */
  const lineOf = (text: string): number => {
    const line = 1 + linesBefore + (text.charCodeAt(0) === 0x0a || text.charCodeAt(0) === 0x0d ? leadingBreaks(text) : 0);
    linesBefore += countBreaks(text);
    return line;
  };
  /** Its line, and how many lines it spans after the first (for a skipped record's message only). */
  const place = (raw: string | undefined): { line: number; span: number } => {
    const text = raw ?? "";
    const line = lineOf(text);
    const body = text.replace(/^[\r\n]+/, "").replace(/(\r\n|\r|\n)$/, "");
    return { line, span: countBreaks(body) };
  };
  // With `raw: true` each record reaches on_record as { record, raw }; on_record turns it into { cells, line }.
  const csvOptions: Options<{ cells: string[]; line: number }, { record: string[]; raw: string }> = {
    bom: true,
    delimiter: options.delimiter ?? ",",
    encoding: options.encoding ?? "utf8",
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    raw: true,
    max_record_size: options.maxRecordChars,
    on_record: ({ record: cells, raw }) => ({ cells, line: lineOf(raw ?? "") }),
    on_skip: (error: CsvError | undefined, raw: string | undefined) => {
      if (!error) return;
      const { line, span } = place(raw);
      skipped.push({ line, reason: describe(error, span) });
    },
  };
  const parser = parse(csvOptions as unknown as Options);
  const source = input instanceof Readable ? input : Readable.from(input, { objectMode: false });
  let failure: unknown;
  const piping = pipeline(source, parser).catch((error: unknown) => {
    failure = error;
  });
  let index = 0;
  let finished = false;
  try {
    for await (const { cells, line } of parser as AsyncIterable<{ cells: string[]; line: number }>) {
      while (skipped.length > 0 && skipped[0]!.line < line) {
        const bad = skipped.shift()!;
        yield { kind: "bad-record", index: ++index, line: bad.line, reason: bad.reason };
      }
      yield { kind: "record", index: ++index, line, cells };
    }
    finished = true;
  } catch (error) {
    failure ??= error;
    finished = true;
  } finally {
    // The consumer stopped early (an abort): stop reading the source too.
    if (!finished) parser.destroy();
  }
  await piping;
  for (const bad of skipped.splice(0)) yield { kind: "bad-record", index: ++index, line: bad.line, reason: bad.reason };
  if (failure !== undefined) throw failure;
}

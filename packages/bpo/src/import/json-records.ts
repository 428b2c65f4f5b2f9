/**
 * A streaming reader of JSON exports: splits a top-level array (`[ {...}, ... ]`), an object
 * wrapping one (`{ "data": [ ... ], "exported_at": ... }`) or newline-delimited objects into
 * records without holding the file, and parses each record on its own. A malformed record is
 * reported with its position and the next one is read; memory is bounded by the largest record.
 */

/** One item of the stream: a parsed record, a record that could not be parsed, or a file-level problem. @internal */
export type JsonItem =
  | { kind: "record"; index: number; line: number; value: unknown }
  | { kind: "bad-record"; index: number; line: number; reason: string }
  | { kind: "file-error"; line: number; reason: string };

/** Options of {@link jsonRecords}. @internal */
export interface JsonRecordOptions {
  /** Largest record in characters; a larger one is reported and skipped. */
  maxRecordChars: number;
  /** Keys of a wrapper object whose array holds the records. */
  wrapperKeys: readonly string[];
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const NEWLINE = 0x0a;

type Mode = "start" | "between" | "element" | "scalar" | "skip" | "top" | "rest" | "after" | "done" | "broken";

class Splitter {
  readonly out: JsonItem[] = [];
  private mode: Mode = "start";
  private depth = 0;
  /** Depth of the array whose children are records; 0 for top-level (NDJSON) objects. */
  private base = 0;
  private inString = false;
  private escape = false;
  private line = 1;
  private index = 0;
  private parts: string[] = [];
  private partsLength = 0;
  private from = -1;
  private recordLine = 1;
  // Wrapper detection inside a top-level object: the last string seen at depth 1 and whether it was a key.
  private stringStart = -1;
  private stringParts: string[] = [];
  private lastString: string | undefined;
  private pendingKey: string | undefined;
  private seenAnything = false;

  constructor(private readonly options: JsonRecordOptions) {}

  private startCapture(i: number): void {
    this.parts = [];
    this.partsLength = 0;
    this.from = i;
    this.recordLine = this.line;
  }

  private finishCapture(chunk: string, end: number): string {
    const text = this.parts.length === 0 ? chunk.slice(this.from, end) : this.parts.join("") + chunk.slice(this.from, end);
    this.parts = [];
    this.partsLength = 0;
    this.from = -1;
    return text;
  }

  private emitRecord(text: string): void {
    this.index += 1;
    if (text.length > this.options.maxRecordChars) {
      this.out.push({ kind: "bad-record", index: this.index, line: this.recordLine, reason: this.tooLargeReason() });
      return;
    }
    try {
      this.out.push({ kind: "record", index: this.index, line: this.recordLine, value: JSON.parse(text) as unknown });
    } catch (error) {
      this.out.push({ kind: "bad-record", index: this.index, line: this.recordLine, reason: `malformed JSON: ${(error as Error).message}` });
    }
  }

  private tooLargeReason(): string {
    return `record is larger than ${this.options.maxRecordChars} characters (an unbalanced bracket?)`;
  }

  private tooLarge(): void {
    this.index += 1;
    this.out.push({ kind: "bad-record", index: this.index, line: this.recordLine, reason: this.tooLargeReason() });
    this.parts = [];
    this.partsLength = 0;
    this.from = -1;
    this.mode = "skip";
  }

  /** Track strings; returns true when the character was inside (or closed) a string. */
  private stringChar(c: number): boolean {
    if (!this.inString) return false;
    if (this.escape) this.escape = false;
    else if (c === BACKSLASH) this.escape = true;
    else if (c === QUOTE) this.inString = false;
    return true;
  }

  feed(chunk: string): void {
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (c === NEWLINE) this.line += 1;
      switch (this.mode) {
        case "start":
        case "after":
          if (WS.has(c)) continue;
          if (this.mode === "start" && c === OPEN_ARRAY) {
            this.seenAnything = true;
            this.depth = 1;
            this.base = 1;
            this.mode = "between";
          } else if (c === OPEN_OBJECT) {
            this.seenAnything = true;
            this.depth = 1;
            this.base = 0;
            this.lastString = undefined;
            this.pendingKey = undefined;
            this.startCapture(i);
            this.mode = "top";
          } else {
            this.out.push({ kind: "file-error", line: this.line, reason: `unexpected ${JSON.stringify(chunk[i])} where a JSON array or object should start` });
            this.mode = "broken";
          }
          continue;
        case "between":
          if (WS.has(c) || c === COMMA) continue;
          if (c === CLOSE_ARRAY) {
            this.depth -= 1;
            this.mode = this.base === 1 ? "done" : "rest";
            continue;
          }
          this.startCapture(i);
          if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
            this.depth += 1;
            this.mode = "element";
          } else if (c === QUOTE) {
            this.inString = true;
            this.mode = "element";
          } else {
            this.mode = "scalar";
          }
          continue;
        case "element":
        case "skip": {
          if (this.stringChar(c)) {
            if (!this.inString && this.depth === this.base && this.mode === "element") {
              this.emitRecord(this.finishCapture(chunk, i + 1));
              this.mode = "between";
            }
            continue;
          }
          if (c === QUOTE) this.inString = true;
          else if (c === OPEN_OBJECT || c === OPEN_ARRAY) this.depth += 1;
          else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
            this.depth -= 1;
            if (this.depth === this.base) {
              if (this.mode === "element") this.emitRecord(this.finishCapture(chunk, i + 1));
              this.mode = "between";
            } else if (this.depth < this.base) {
              // A closing bracket with no opening one: the array itself ended early.
              this.out.push({ kind: "file-error", line: this.line, reason: "unbalanced closing bracket" });
              this.mode = "broken";
            }
          }
          continue;
        }
        case "scalar":
          if (c === COMMA || c === CLOSE_ARRAY || WS.has(c)) {
            this.emitRecord(this.finishCapture(chunk, i));
            this.mode = "between";
            i -= 1;
            if (c === NEWLINE) this.line -= 1;
          }
          continue;
        case "top": {
          if (this.inString) {
            this.stringChar(c);
            if (!this.inString && this.depth === 1 && this.stringStart >= 0) {
              this.lastString = this.stringParts.join("") + chunk.slice(this.stringStart, i);
              this.stringParts = [];
              this.stringStart = -1;
            }
            continue;
          }
          if (c === QUOTE) {
            this.inString = true;
            if (this.depth === 1) {
              this.stringStart = i + 1;
              this.stringParts = [];
            }
          } else if (c === COLON && this.depth === 1) {
            this.pendingKey = this.lastString;
          } else if (c === OPEN_ARRAY && this.depth === 1 && this.pendingKey !== undefined && this.options.wrapperKeys.includes(this.pendingKey)) {
            // `{ "data": [ ... ] }`: the records are the array's elements; drop the wrapper's text.
            this.parts = [];
            this.partsLength = 0;
            this.from = -1;
            this.depth = 2;
            this.base = 2;
            this.mode = "between";
          } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
            this.depth += 1;
          } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
            this.depth -= 1;
            if (this.depth === 0) {
              this.emitRecord(this.finishCapture(chunk, i + 1));
              this.mode = "after";
            }
          } else if (c === COMMA && this.depth === 1) {
            this.pendingKey = undefined;
          }
          continue;
        }
        case "rest":
          // The rest of a wrapper object after its records (`"pagination": {...}`): read, not kept.
          if (this.stringChar(c)) continue;
          if (c === QUOTE) this.inString = true;
          else if (c === OPEN_OBJECT || c === OPEN_ARRAY) this.depth += 1;
          else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
            this.depth -= 1;
            if (this.depth === 0) this.mode = "after";
          }
          continue;
        case "done":
          if (!WS.has(c)) {
            this.out.push({ kind: "file-error", line: this.line, reason: "unexpected content after the closing ] of the export" });
            this.mode = "broken";
          }
          continue;
        case "broken":
          return;
      }
    }
    if (this.from >= 0) {
      const rest = chunk.slice(this.from);
      this.parts.push(rest);
      this.partsLength += rest.length;
      this.from = 0;
      if (this.partsLength > this.options.maxRecordChars) {
        if (this.mode === "top") {
          this.out.push({ kind: "file-error", line: this.recordLine, reason: `top-level object is larger than ${this.options.maxRecordChars} characters and holds no "${this.options.wrapperKeys.join('" / "')}" array of records` });
          this.mode = "broken";
        } else this.tooLarge();
      }
    }
    if (this.stringStart >= 0) {
      this.stringParts.push(chunk.slice(this.stringStart));
      this.stringStart = 0;
    }
  }

  end(): void {
    if (this.mode === "scalar") {
      this.emitRecord(this.finishCapture("", 0));
      this.mode = "between";
    }
    if (!this.seenAnything && this.mode === "start") {
      this.out.push({ kind: "file-error", line: this.line, reason: "the file is empty" });
      return;
    }
    if (this.mode === "element" || this.mode === "skip" || this.mode === "top") {
      this.out.push({ kind: "file-error", line: this.recordLine, reason: `the file ends inside the record starting on line ${this.recordLine} (a truncated export?)` });
    } else if (this.mode === "between" || this.mode === "rest") {
      this.out.push({ kind: "file-error", line: this.line, reason: "the file ends before the closing bracket of the export (a truncated export?)" });
    }
  }
}

/** Read records from a JSON export stream. @internal */
export async function* jsonRecords(input: AsyncIterable<Uint8Array | string>, options: JsonRecordOptions): AsyncGenerator<JsonItem, void, undefined> {
  const splitter = new Splitter(options);
  const decoder = new TextDecoder("utf-8", { ignoreBOM: false });
  for await (const chunk of input) {
    splitter.feed(typeof chunk === "string" ? chunk.replace(/^\uFEFF/, "") : decoder.decode(chunk, { stream: true }));
    if (splitter.out.length > 0) yield* splitter.out.splice(0);
  }
  const tail = decoder.decode();
  if (tail) splitter.feed(tail);
  splitter.end();
  yield* splitter.out.splice(0);
}

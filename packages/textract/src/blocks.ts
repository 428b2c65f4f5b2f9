/**
 * The Textract block graph → pages, lines, key–value pairs, tables (with merged cells) and
 * query answers. Rules from shared/vendors/textract.md §3.
 *
 * `parseBlockStream` works page by page on the paginated `GetDocumentAnalysis` stream: blocks
 * are buffered per document page and a page is resolved and emitted as soon as a later result
 * page starts beyond it, so a 1,000-page job is never held whole in memory. A relationship to a
 * block that is not in the buffer is a soft error (a warning on the page), never a throw.
 */
import type { WireGeometry } from "./geometry.js";

/** One Textract block as on the wire (only the fields the parser reads). @public */
export interface Block {
  BlockType?: string | undefined;
  Id?: string | undefined;
  Confidence?: number | undefined;
  Text?: string | undefined;
  TextType?: string | undefined;
  RowIndex?: number | undefined;
  ColumnIndex?: number | undefined;
  RowSpan?: number | undefined;
  ColumnSpan?: number | undefined;
  EntityTypes?: string[] | undefined;
  SelectionStatus?: string | undefined;
  Page?: number | undefined;
  Relationships?: { Type?: string | undefined; Ids?: string[] | undefined }[] | undefined;
  Query?: { Text?: string | undefined; Alias?: string | undefined; Pages?: string[] | undefined } | undefined;
  Geometry?: WireGeometry | undefined;
}

/** One result page of GetDocumentAnalysis (or an AnalyzeDocument response). @public */
export interface BlockPage {
  Blocks?: Block[] | undefined;
}

/** A LINE of text. @public */
export interface Line {
  text: string;
  confidence: number;
  page: number;
}

/** A form key–value pair; keys can repeat, so pairs are a list. @public */
export interface KeyValue {
  key: string;
  value: string;
  /** Checkbox state when the value holds a selection element. */
  selected?: boolean | undefined;
  keyConfidence: number;
  valueConfidence: number;
  page: number;
}

/** One cell of a table grid; a merged cell appears once, at its top-left position, with its spans. @public */
export interface TableCell {
  row: number;
  column: number;
  rowSpan: number;
  columnSpan: number;
  text: string;
  confidence: number;
  isHeader: boolean;
  selected?: boolean | undefined;
}

/** A table on one page (a table spanning pages is one table per page). @public */
export interface Table {
  page: number;
  confidence: number;
  rowCount: number;
  columnCount: number;
  cells: TableCell[];
  /** Text grid; a merged cell's text fills every position it covers. */
  rows: string[][];
  title?: string | undefined;
  footer?: string | undefined;
}

/** The answer to a query (highest-confidence QUERY_RESULT), or `undefined` text when unanswered. @public */
export interface QueryAnswer {
  /** The query's alias (or its text when no alias was given). */
  alias: string;
  question: string;
  text: string | undefined;
  confidence: number | undefined;
  page: number;
}

/** Everything parsed from one document page. @public */
export interface ParsedPage {
  page: number;
  confidence: number | undefined;
  lines: Line[];
  keyValues: KeyValue[];
  tables: Table[];
  queries: QueryAnswer[];
  /** Soft errors: relationships to blocks that were not delivered. */
  warnings: string[];
}

/** A whole parsed document (used for single-page responses and small jobs). @public */
export interface ParsedDocument {
  pages: ParsedPage[];
  lines: Line[];
  keyValues: KeyValue[];
  tables: Table[];
  queries: QueryAnswer[];
  warnings: string[];
}

type BlockMap = Map<string, Block>;

function ids(block: Block, type: string): string[] {
  const out: string[] = [];
  for (const rel of block.Relationships ?? []) if (rel.Type === type) out.push(...(rel.Ids ?? []));
  return out;
}

function resolve(map: BlockMap, id: string, warnings: string[], from: Block): Block | undefined {
  const found = map.get(id);
  if (!found) warnings.push(`block ${from.Id ?? "?"} (${from.BlockType}) references missing block ${id}`);
  return found;
}

/** Text and checkbox state of a block's CHILD words and selection elements. */
function childText(map: BlockMap, block: Block, warnings: string[]): { text: string; selected: boolean | undefined } {
  const words: string[] = [];
  let selected: boolean | undefined;
  for (const id of ids(block, "CHILD")) {
    const child = resolve(map, id, warnings, block);
    if (!child) continue;
    if (child.BlockType === "WORD" && child.Text !== undefined) words.push(child.Text);
    else if (child.BlockType === "SELECTION_ELEMENT") selected = child.SelectionStatus === "SELECTED";
  }
  return { text: words.join(" "), selected };
}

function parseKeyValue(map: BlockMap, key: Block, page: number, warnings: string[]): KeyValue {
  const keyText = childText(map, key, warnings).text;
  let value = "";
  let selected: boolean | undefined;
  let valueConfidence = 0;
  for (const id of ids(key, "VALUE")) {
    const valueBlock = resolve(map, id, warnings, key);
    if (!valueBlock) continue;
    const child = childText(map, valueBlock, warnings);
    value = value ? `${value} ${child.text}` : child.text;
    selected ??= child.selected;
    valueConfidence = valueBlock.Confidence ?? 0;
  }
  return { key: keyText, value, selected, keyConfidence: key.Confidence ?? 0, valueConfidence, page };
}

function parseTable(map: BlockMap, table: Block, page: number, warnings: string[]): Table {
  const cells: TableCell[] = [];
  const covered = new Set<string>();
  const merged: TableCell[] = [];
  for (const id of ids(table, "MERGED_CELL")) {
    const m = resolve(map, id, warnings, table);
    if (!m) continue;
    const parts: string[] = [];
    let isHeader = false;
    for (const cid of ids(m, "CHILD")) {
      const cell = resolve(map, cid, warnings, m);
      if (!cell) continue;
      covered.add(cid);
      const t = childText(map, cell, warnings).text;
      if (t) parts.push(t);
      if (cell.EntityTypes?.includes("COLUMN_HEADER")) isHeader = true;
    }
    merged.push({
      row: m.RowIndex ?? 1,
      column: m.ColumnIndex ?? 1,
      rowSpan: m.RowSpan ?? 1,
      columnSpan: m.ColumnSpan ?? 1,
      text: parts.join(" "),
      confidence: m.Confidence ?? 0,
      isHeader: isHeader || (m.EntityTypes?.includes("COLUMN_HEADER") ?? false),
    });
  }
  let rowCount = 0;
  let columnCount = 0;
  for (const id of ids(table, "CHILD")) {
    const cell = resolve(map, id, warnings, table);
    if (!cell || cell.BlockType !== "CELL") continue;
    const row = cell.RowIndex ?? 1;
    const column = cell.ColumnIndex ?? 1;
    rowCount = Math.max(rowCount, row + (cell.RowSpan ?? 1) - 1);
    columnCount = Math.max(columnCount, column + (cell.ColumnSpan ?? 1) - 1);
    if (covered.has(id)) continue;
    const { text, selected } = childText(map, cell, warnings);
    cells.push({
      row,
      column,
      rowSpan: cell.RowSpan ?? 1,
      columnSpan: cell.ColumnSpan ?? 1,
      text,
      confidence: cell.Confidence ?? 0,
      isHeader: cell.EntityTypes?.includes("COLUMN_HEADER") ?? false,
      ...(selected === undefined ? {} : { selected }),
    });
  }
  cells.push(...merged);
  cells.sort((a, b) => a.row - b.row || a.column - b.column);
  const rows: string[][] = Array.from({ length: rowCount }, () => Array.from({ length: columnCount }, () => ""));
  for (const cell of cells) {
    for (let r = 0; r < cell.rowSpan; r++) {
      for (let c = 0; c < cell.columnSpan; c++) {
        const target = rows[cell.row - 1 + r];
        if (target && cell.column - 1 + c < columnCount) target[cell.column - 1 + c] = cell.text;
      }
    }
  }
  const sideText = (type: string): string | undefined => {
    const found = ids(table, type).map((id) => resolve(map, id, warnings, table)).filter((b): b is Block => b !== undefined);
    return found.length ? found.map((b) => childText(map, b, warnings).text).join(" ") : undefined;
  };
  return { page, confidence: table.Confidence ?? 0, rowCount, columnCount, cells, rows, title: sideText("TABLE_TITLE"), footer: sideText("TABLE_FOOTER") };
}

function parseQuery(map: BlockMap, query: Block, page: number, warnings: string[]): QueryAnswer {
  let best: Block | undefined;
  for (const id of ids(query, "ANSWER")) {
    const answer = resolve(map, id, warnings, query);
    if (answer && (best === undefined || (answer.Confidence ?? 0) > (best.Confidence ?? 0))) best = answer;
  }
  const question = query.Query?.Text ?? "";
  return { alias: query.Query?.Alias ?? question, question, text: best?.Text, confidence: best?.Confidence, page };
}

/** Resolve the blocks of one document page (`map` may hold neighbouring pages' blocks too). */
function parsePage(page: number, blocks: Block[], map: BlockMap): ParsedPage {
  const warnings: string[] = [];
  const result: ParsedPage = { page, confidence: undefined, lines: [], keyValues: [], tables: [], queries: [], warnings };
  for (const block of blocks) {
    switch (block.BlockType) {
      case "PAGE":
        result.confidence = block.Confidence;
        break;
      case "LINE":
        result.lines.push({ text: block.Text ?? "", confidence: block.Confidence ?? 0, page });
        break;
      case "KEY_VALUE_SET":
        if (block.EntityTypes?.includes("KEY")) result.keyValues.push(parseKeyValue(map, block, page, warnings));
        break;
      case "TABLE":
        result.tables.push(parseTable(map, block, page, warnings));
        break;
      case "QUERY":
        result.queries.push(parseQuery(map, block, page, warnings));
        break;
      default:
        break;
    }
  }
  return result;
}

/**
 * Parse result pages as they arrive, yielding each document page once it is complete.
 * Memory holds only the document pages still open (the current result page's span).
 * @public
 */
export async function* parseBlockStream(results: AsyncIterable<BlockPage> | Iterable<BlockPage>): AsyncGenerator<ParsedPage> {
  const byPage = new Map<number, Block[]>();
  const map: BlockMap = new Map();
  function* flush(upTo: number): Generator<ParsedPage> {
    const ready = [...byPage.keys()].filter((p) => p < upTo).sort((a, b) => a - b);
    for (const p of ready) {
      const blocks = byPage.get(p)!;
      const parsed = parsePage(p, blocks, map);
      byPage.delete(p);
      for (const b of blocks) if (b.Id) map.delete(b.Id);
      yield parsed;
    }
  }
  for await (const result of results) {
    let lowest = Number.POSITIVE_INFINITY;
    for (const block of result.Blocks ?? []) {
      const page = block.Page ?? 1;
      if (page < lowest) lowest = page;
      let list = byPage.get(page);
      if (!list) byPage.set(page, (list = []));
      list.push(block);
      if (block.Id) map.set(block.Id, block);
    }
    // Blocks arrive in page order; pages before the lowest one in this result page are complete.
    if (lowest !== Number.POSITIVE_INFINITY) yield* flush(lowest);
  }
  yield* flush(Number.POSITIVE_INFINITY);
}

/** Collect parsed pages into one document. @public */
export function collectDocument(pages: Iterable<ParsedPage>): ParsedDocument {
  const doc: ParsedDocument = { pages: [], lines: [], keyValues: [], tables: [], queries: [], warnings: [] };
  for (const page of pages) {
    doc.pages.push(page);
    doc.lines.push(...page.lines);
    doc.keyValues.push(...page.keyValues);
    doc.tables.push(...page.tables);
    doc.queries.push(...page.queries);
    doc.warnings.push(...page.warnings.map((w) => `page ${page.page}: ${w}`));
  }
  return doc;
}

/**
 * Parse a complete block list (an AnalyzeDocument response, or all pages of a small job).
 * @public
 */
export function parseBlocks(blocks: readonly Block[]): ParsedDocument {
  const map: BlockMap = new Map();
  const byPage = new Map<number, Block[]>();
  for (const block of blocks) {
    if (block.Id) map.set(block.Id, block);
    const page = block.Page ?? 1;
    let list = byPage.get(page);
    if (!list) byPage.set(page, (list = []));
    list.push(block);
  }
  const pages = [...byPage.keys()].sort((a, b) => a - b).map((p) => parsePage(p, byPage.get(p)!, map));
  return collectDocument(pages);
}

/**
 * The Textract block graph → pages, lines, key–value pairs, tables (every CELL, with merged
 * cells reported beside them) and query answers, each with its block `Id`, page and geometry.
 * Rules from shared/vendors/textract.md §3.
 *
 * `parseBlockStream` works page by page on the paginated `GetDocumentAnalysis` stream: blocks
 * are buffered per document page and a page is resolved and emitted as soon as a later result
 * page starts beyond it, so a 1,000-page job is never held whole in memory. The parsed objects
 * copy what they need from the blocks (no reference to a block survives its page). A
 * relationship to a block that is not in the buffer is a soft error (a warning on the page),
 * never a throw.
 */
import { toGeometry, type Geometry, type WireGeometry } from "./geometry.js";

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
  /** The LINE block's `Id`. */
  id: string;
  text: string;
  confidence: number;
  page: number;
  /** Where the line is on its page, when the block carries `Geometry`. */
  geometry?: Geometry | undefined;
}

/** A SELECTION_ELEMENT (checkbox or radio button) inside a form value or a table cell. @public */
export interface SelectionElement {
  /** The SELECTION_ELEMENT block's `Id`. */
  id: string;
  /** `SelectionStatus` is `SELECTED`. */
  selected: boolean;
  confidence: number;
  page: number;
  geometry?: Geometry | undefined;
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
  /** The KEY block's `Id` (a `KEY_VALUE_SET` with EntityTypes `KEY`). */
  keyId: string;
  /** The VALUE block's `Id`; `undefined` when the key has no VALUE relationship or that block was not delivered. */
  valueId: string | undefined;
  keyGeometry?: Geometry | undefined;
  valueGeometry?: Geometry | undefined;
  /** The selection element behind `selected`, when the value holds one. */
  selection?: SelectionElement | undefined;
}

/** EntityTypes Textract puts on CELL and MERGED_CELL blocks; other strings pass through as sent. @public */
export type CellEntityType = "COLUMN_HEADER" | "TABLE_TITLE" | "TABLE_FOOTER" | "TABLE_SECTION_TITLE" | "TABLE_SUMMARY" | (string & {});

/**
 * One CELL block of a table grid, as Textract sent it: every grid position has its own cell,
 * including the positions a merged cell covers (see {@link Table.mergedCells}). @public
 */
export interface TableCell {
  /** The CELL block's `Id`. */
  id: string;
  page: number;
  row: number;
  column: number;
  rowSpan: number;
  columnSpan: number;
  /** The cell's own words (a cell covered by a merged cell keeps only its own, often none). */
  text: string;
  confidence: number;
  /** The cell's EntityTypes include `COLUMN_HEADER`. */
  isHeader: boolean;
  /** The CELL block's EntityTypes as sent (`COLUMN_HEADER`, `TABLE_SECTION_TITLE`, `TABLE_SUMMARY`…); empty when none. */
  entityTypes: CellEntityType[];
  selected?: boolean | undefined;
  selection?: SelectionElement | undefined;
  /** The `Id` of the MERGED_CELL that covers this cell, when one does. */
  mergedCellId?: string | undefined;
  geometry?: Geometry | undefined;
}

/** A grid position a merged cell covers, with the CELL block found there. @public */
export interface CoveredCell {
  /** The CELL block's `Id`. */
  id: string;
  row: number;
  column: number;
}

/** A MERGED_CELL block: a rectangle of grid cells Textract reads as one. @public */
export interface MergedCell {
  /** The MERGED_CELL block's `Id`. */
  id: string;
  page: number;
  /** Top-left position of the rectangle (1-based). */
  row: number;
  column: number;
  rowSpan: number;
  columnSpan: number;
  /** The covered cells' words, in Textract's order. */
  text: string;
  confidence: number;
  /** The merged cell or any cell it covers is a `COLUMN_HEADER`. */
  isHeader: boolean;
  entityTypes: CellEntityType[];
  /** Ids of the CELL blocks it covers, as in its CHILD relationship. */
  cellIds: string[];
  /** Positions of the covered cells that were delivered. */
  covers: CoveredCell[];
  geometry?: Geometry | undefined;
}

/** A TABLE_TITLE or TABLE_FOOTER block of a table. @public */
export interface TableCaption {
  /** The TABLE_TITLE / TABLE_FOOTER block's `Id`. */
  id: string;
  text: string;
  confidence: number;
  geometry?: Geometry | undefined;
}

/** A table on one page (a table spanning pages is one table per page). @public */
export interface Table {
  /** The TABLE block's `Id`. */
  id: string;
  page: number;
  confidence: number;
  rowCount: number;
  columnCount: number;
  /** Every CELL block of the table, row by row (a merged cell does not replace the cells it covers). */
  cells: TableCell[];
  /** The MERGED_CELL blocks, beside the cells they cover. */
  mergedCells: MergedCell[];
  /** Text grid: each position holds its cell's text, except that a merged cell's text fills every position it covers. */
  rows: string[][];
  /** Text of the table's TABLE_TITLE blocks, joined by a space. */
  title?: string | undefined;
  /** Text of the table's TABLE_FOOTER blocks, joined by a space. */
  footer?: string | undefined;
  /** The TABLE_TITLE blocks behind `title`. */
  titles: TableCaption[];
  /** The TABLE_FOOTER blocks behind `footer`. */
  footers: TableCaption[];
  /** The TABLE block's EntityTypes (`STRUCTURED_TABLE`, `SEMI_STRUCTURED_TABLE`); empty when none. */
  entityTypes: string[];
  geometry?: Geometry | undefined;
}

/** One QUERY_RESULT block: a candidate answer to a query. @public */
export interface QueryResult {
  /** The QUERY_RESULT block's `Id`. */
  id: string;
  text: string | undefined;
  confidence: number | undefined;
  page: number;
  geometry?: Geometry | undefined;
}

/** The answer to a query (highest-confidence QUERY_RESULT), or `undefined` text when unanswered. @public */
export interface QueryAnswer {
  /** The query's alias (or its text when no alias was given). */
  alias: string;
  question: string;
  text: string | undefined;
  confidence: number | undefined;
  page: number;
  /** The QUERY block's `Id`. */
  queryId: string;
  /** The chosen QUERY_RESULT's `Id`; `undefined` when unanswered. */
  answerId: string | undefined;
  /** The chosen answer's geometry (QUERY blocks carry none). */
  geometry?: Geometry | undefined;
  /** Every delivered QUERY_RESULT of the query, highest confidence first (the first is the answer). */
  answers: QueryResult[];
}

/** Everything parsed from one document page. @public */
export interface ParsedPage {
  page: number;
  /** The PAGE block's `Id`; `undefined` when no PAGE block was delivered for this page. */
  id: string | undefined;
  confidence: number | undefined;
  geometry?: Geometry | undefined;
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

/** A 1-based grid index or span; anything else (absent, 0, fractional) reads as 1. */
function gridIndex(value: number | undefined): number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 ? value : 1;
}

function selectionOf(block: Block, page: number): SelectionElement {
  return { id: block.Id ?? "", selected: block.SelectionStatus === "SELECTED", confidence: block.Confidence ?? 0, page: block.Page ?? page, geometry: toGeometry(block.Geometry) };
}

/** Text of a block's CHILD words, and the selection element among its children (the last, if several). */
function childContent(map: BlockMap, block: Block, page: number, warnings: string[]): { text: string; selection: SelectionElement | undefined } {
  const words: string[] = [];
  let selection: SelectionElement | undefined;
  for (const id of ids(block, "CHILD")) {
    const child = resolve(map, id, warnings, block);
    if (!child) continue;
    if (child.BlockType === "WORD" && child.Text !== undefined) words.push(child.Text);
    else if (child.BlockType === "SELECTION_ELEMENT") selection = selectionOf(child, page);
  }
  return { text: words.join(" "), selection };
}

function parseKeyValue(map: BlockMap, key: Block, page: number, warnings: string[]): KeyValue {
  const keyText = childContent(map, key, page, warnings).text;
  let value = "";
  let selection: SelectionElement | undefined;
  let valueBlock: Block | undefined;
  for (const id of ids(key, "VALUE")) {
    const found = resolve(map, id, warnings, key);
    if (!found) continue;
    const child = childContent(map, found, page, warnings);
    value = value ? `${value} ${child.text}` : child.text;
    selection ??= child.selection;
    // Textract relates a KEY to one VALUE; with several, the last one's id and confidence are reported.
    valueBlock = found;
  }
  return {
    key: keyText,
    value,
    selected: selection?.selected,
    keyConfidence: key.Confidence ?? 0,
    valueConfidence: valueBlock?.Confidence ?? 0,
    page,
    keyId: key.Id ?? "",
    valueId: valueBlock?.Id,
    keyGeometry: toGeometry(key.Geometry),
    valueGeometry: toGeometry(valueBlock?.Geometry),
    selection,
  };
}

const byPosition = (a: { row: number; column: number }, b: { row: number; column: number }): number => a.row - b.row || a.column - b.column;

function parseCells(map: BlockMap, table: Block, page: number, warnings: string[]): TableCell[] {
  const cells: TableCell[] = [];
  const seen = new Set<string>();
  for (const id of ids(table, "CHILD")) {
    const block = resolve(map, id, warnings, table);
    if (!block || block.BlockType !== "CELL" || seen.has(id)) continue;
    seen.add(id);
    const { text, selection } = childContent(map, block, page, warnings);
    const entityTypes: CellEntityType[] = [...(block.EntityTypes ?? [])];
    cells.push({
      id,
      page: block.Page ?? page,
      row: gridIndex(block.RowIndex),
      column: gridIndex(block.ColumnIndex),
      rowSpan: gridIndex(block.RowSpan),
      columnSpan: gridIndex(block.ColumnSpan),
      text,
      confidence: block.Confidence ?? 0,
      isHeader: entityTypes.includes("COLUMN_HEADER"),
      entityTypes,
      selected: selection?.selected,
      selection,
      mergedCellId: undefined,
      geometry: toGeometry(block.Geometry),
    });
  }
  return cells.sort(byPosition);
}

function parseMergedCells(map: BlockMap, table: Block, cells: readonly TableCell[], page: number, warnings: string[]): MergedCell[] {
  const cellById = new Map(cells.map((c) => [c.id, c]));
  const merged: MergedCell[] = [];
  for (const id of ids(table, "MERGED_CELL")) {
    const block = resolve(map, id, warnings, table);
    if (!block) continue;
    const cellIds = ids(block, "CHILD");
    const entityTypes: CellEntityType[] = [...(block.EntityTypes ?? [])];
    let isHeader = entityTypes.includes("COLUMN_HEADER");
    const parts: string[] = [];
    const covers: CoveredCell[] = [];
    for (const cid of cellIds) {
      let cell: Pick<TableCell, "row" | "column" | "text" | "isHeader"> | undefined = cellById.get(cid);
      if (cell) cellById.get(cid)!.mergedCellId = block.Id ?? id;
      else {
        // A covered cell that is not among the table's own CHILD cells: read it where it is.
        const found = resolve(map, cid, warnings, block);
        if (!found) continue;
        cell = { row: gridIndex(found.RowIndex), column: gridIndex(found.ColumnIndex), text: childContent(map, found, page, warnings).text, isHeader: found.EntityTypes?.includes("COLUMN_HEADER") ?? false };
      }
      covers.push({ id: cid, row: cell.row, column: cell.column });
      if (cell.text) parts.push(cell.text);
      if (cell.isHeader) isHeader = true;
    }
    merged.push({
      id: block.Id ?? id,
      page: block.Page ?? page,
      row: gridIndex(block.RowIndex),
      column: gridIndex(block.ColumnIndex),
      rowSpan: gridIndex(block.RowSpan),
      columnSpan: gridIndex(block.ColumnSpan),
      text: parts.join(" "),
      confidence: block.Confidence ?? 0,
      isHeader,
      entityTypes,
      cellIds,
      covers,
      geometry: toGeometry(block.Geometry),
    });
  }
  return merged.sort(byPosition);
}

function parseTable(map: BlockMap, table: Block, page: number, warnings: string[]): Table {
  const cells = parseCells(map, table, page, warnings);
  const mergedCells = parseMergedCells(map, table, cells, page, warnings);
  let rowCount = 0;
  let columnCount = 0;
  for (const c of [...cells, ...mergedCells]) {
    rowCount = Math.max(rowCount, c.row + c.rowSpan - 1);
    columnCount = Math.max(columnCount, c.column + c.columnSpan - 1);
  }
  // The text grid: every cell at its position, then each merged cell's text over the positions it covers.
  const rows: string[][] = Array.from({ length: rowCount }, () => Array.from({ length: columnCount }, () => ""));
  for (const c of [...cells, ...mergedCells]) {
    for (let r = c.row - 1; r < c.row - 1 + c.rowSpan; r++) {
      for (let col = c.column - 1; col < c.column - 1 + c.columnSpan; col++) rows[r]![col] = c.text;
    }
  }
  const captions = (type: string): TableCaption[] =>
    ids(table, type)
      .map((id) => resolve(map, id, warnings, table))
      .filter((b): b is Block => b !== undefined)
      .map((b) => ({ id: b.Id ?? "", text: childContent(map, b, page, warnings).text, confidence: b.Confidence ?? 0, geometry: toGeometry(b.Geometry) }));
  const titles = captions("TABLE_TITLE");
  const footers = captions("TABLE_FOOTER");
  return {
    id: table.Id ?? "",
    page,
    confidence: table.Confidence ?? 0,
    rowCount,
    columnCount,
    cells,
    mergedCells,
    rows,
    title: titles.length ? titles.map((t) => t.text).join(" ") : undefined,
    footer: footers.length ? footers.map((t) => t.text).join(" ") : undefined,
    titles,
    footers,
    entityTypes: [...(table.EntityTypes ?? [])],
    geometry: toGeometry(table.Geometry),
  };
}

function parseQuery(map: BlockMap, query: Block, page: number, warnings: string[]): QueryAnswer {
  const answers: QueryResult[] = [];
  for (const id of ids(query, "ANSWER")) {
    const found = resolve(map, id, warnings, query);
    if (found) answers.push({ id: found.Id ?? id, text: found.Text, confidence: found.Confidence, page: found.Page ?? page, geometry: toGeometry(found.Geometry) });
  }
  // Highest confidence first; the sort is stable, so of equal answers the first delivered wins.
  answers.sort((a, b) => (b.confidence ?? 0) - (a.confidence ?? 0));
  const best = answers[0];
  const question = query.Query?.Text ?? "";
  return {
    alias: query.Query?.Alias ?? question,
    question,
    text: best?.text,
    confidence: best?.confidence,
    page,
    queryId: query.Id ?? "",
    answerId: best?.id,
    geometry: best?.geometry,
    answers,
  };
}

/** Resolve the blocks of one document page (`map` may hold neighbouring pages' blocks too). */
function parsePage(page: number, blocks: Block[], map: BlockMap): ParsedPage {
  const warnings: string[] = [];
  const result: ParsedPage = { page, id: undefined, confidence: undefined, geometry: undefined, lines: [], keyValues: [], tables: [], queries: [], warnings };
  for (const block of blocks) {
    switch (block.BlockType) {
      case "PAGE":
        result.id = block.Id;
        result.confidence = block.Confidence;
        result.geometry = toGeometry(block.Geometry);
        break;
      case "LINE":
        result.lines.push({ id: block.Id ?? "", text: block.Text ?? "", confidence: block.Confidence ?? 0, page, geometry: toGeometry(block.Geometry) });
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

/**
 * Fixture documents for the fake and a block generator that turns a page description (lines,
 * form fields, tables, query answers) into Textract blocks the way Textract shapes them.
 */
import type { Block } from "../blocks.js";

/** An answer the fake gives to a query alias, with its confidence (default 95). @public */
export type FakeAnswer = string | { text: string; confidence: number };

/** What one fake page contains. @public */
export interface FakePage {
  lines?: readonly string[];
  /** Form key → value; a boolean value is a checkbox. */
  forms?: Readonly<Record<string, string | boolean>>;
  /** Tables as rows of cell text, or with merged cells, a title and a footer. */
  tables?: readonly FakeTable[];
  /** Answers by query alias. */
  answers?: Readonly<Record<string, FakeAnswer>>;
  /** Answers by adapter id, then query alias: used instead of `answers` where that adapter applies to the page. */
  adapterAnswers?: Readonly<Record<string, Readonly<Record<string, FakeAnswer>>>>;
}

/** A merged cell of a fake table (1-based top-left cell and spans; the text stays in the top-left cell). @public */
export interface FakeMergedCell {
  row: number;
  column: number;
  rowSpan?: number;
  columnSpan?: number;
}

/** A fake table: rows of cell text, or rows with merged cells, a title and a footer. @public */
export type FakeTable =
  | readonly (readonly string[])[]
  | { rows: readonly (readonly string[])[]; merged?: readonly FakeMergedCell[]; title?: string; footer?: string };

/** A document the fake can analyse; pages are produced on demand (1,000-page documents stay cheap). @public */
export interface FakeDocument {
  pageCount: number;
  page(n: number): FakePage;
  /** Final job status (default SUCCEEDED). */
  status?: "SUCCEEDED" | "FAILED" | "PARTIAL_SUCCESS";
  /** StatusMessage of a FAILED job. */
  statusMessage?: string;
  /** Warnings of a PARTIAL_SUCCESS job. */
  warnings?: { ErrorCode: string; Pages: number[] }[];
}

/** A document from a list of pages. @public */
export function fakeDocument(pages: readonly FakePage[], extra: Omit<FakeDocument, "pageCount" | "page"> = {}): FakeDocument {
  return { pageCount: pages.length, page: (n) => pages[n - 1] ?? {}, ...extra };
}

/** A generated document of `pageCount` pages, each with lines, form fields and a table. @public */
export function generatedDocument(pageCount: number, answers: Readonly<Record<string, FakeAnswer>> = {}): FakeDocument {
  return {
    pageCount,
    page: (n) => ({
      lines: [`Page ${n} of ${pageCount}`, `Section ${n}: lot and structure details`],
      forms: { [`Field ${n}:`]: `Value ${n}`, "Reviewed:": n % 2 === 0 },
      tables: [
        [
          ["Item", "Quantity", "Amount"],
          [`Row ${n}`, String(n), `$${(n * 10).toLocaleString("en-US")}.00`],
        ],
      ],
      answers: n === pageCount ? answers : {},
    }),
  };
}

/** Sample documents of the five platform types, answering the built-in query aliases. @public */
export const sampleDocuments = {
  SURVEY: fakeDocument([
    {
      lines: ["BOUNDARY AND TOPOGRAPHIC SURVEY", "Lot 14, Block 3, Meadow Creek Subdivision"],
      forms: { "Parcel Number:": "042 - 118 - 07", "Flood Zone:": "Zone AE" },
      answers: { PARCEL_NUMBER: "042 - 118 - 07", FLOOD_ZONE: "Zone AE", OWNER: "Jordan  Reyes", SURVEY_DATE: "March 14, 2024" },
    },
    {
      lines: ["SETBACK AND EASEMENT NOTES"],
      tables: [
        [
          ["Setback", "Required", "Provided"],
          ["Front", "25 ft", "27.5 ft"],
          ["Side", "7.5 ft", "8 ft"],
        ],
      ],
      answers: {
        LOT_SIZE_SQFT: { text: "0.25 acres", confidence: 91.2 },
        FRONT_SETBACK_FT: "25 ft",
        SIDE_SETBACK_FT: "7.5'",
        REAR_SETBACK_FT: { text: "20 ft", confidence: 62.5 },
        EASEMENTS: "10' utility easement (rear); 5' drainage easement, access easement",
      },
    },
  ]),
  TITLE_REPORT: fakeDocument([
    {
      lines: ["PRELIMINARY TITLE REPORT"],
      answers: {
        PARCEL_NUMBER: "APN 042-118-07",
        OWNER: "Jordan Reyes and Sam Reyes",
        LEGAL_DESCRIPTION: "Lot 14, Block 3, Meadow Creek",
        EFFECTIVE_DATE: "02/01/2024",
      },
    },
    {
      answers: {
        LIENS: "Deed of Trust to First Bank; Mechanics lien - Ace Roofing",
        TOTAL_LIEN_AMOUNT: "$312,450.00",
        EASEMENTS: "Utility easement, Drainage easement",
      },
    },
  ]),
  ARBORIST_REPORT: fakeDocument([
    {
      answers: {
        TREE_COUNT: "14 trees",
        PROTECTED_TREE_COUNT: "3",
        TREES_TO_REMOVE: "2",
        SPECIES: "Coast live oak; Valley oak; Monterey pine",
        MITIGATION_REQUIRED: "Yes",
        ARBORIST: "Dana Whitfield, ISA WE-1234A",
        REPORT_DATE: "2024-01-22",
      },
    },
  ]),
  PERMIT_APPLICATION: fakeDocument([
    {
      answers: {
        PERMIT_NUMBER: "BLD-2024-00123",
        APPLICANT: "Reyes Construction LLC",
        PROJECT_ADDRESS: "118 Meadow Creek Rd",
        PARCEL_NUMBER: "042-118-07",
        PERMIT_FEE: "$4,218.50",
        VALUATION: "USD 650,000",
        OWNER_BUILDER: "No",
        APPLICATION_DATE: "1/5/24",
      },
    },
  ]),
  INSPECTION_REPORT: fakeDocument([
    {
      answers: {
        INSPECTOR: "Pat Lee",
        INSPECTION_DATE: "04/30/2024",
        COMPLETION_PERCENTAGE: "65%",
        PASSED: "Passed",
        DEFICIENCIES: "Missing hurricane straps; GFCI at kitchen island",
        NEXT_INSPECTION_DATE: "May 28, 2024",
      },
    },
  ]),
} as const;

/** Which pages a query's `Pages` list covers (default ["1"], as Textract). @public */
export function queryCoversPage(pages: readonly string[] | undefined, page: number, pageCount: number): boolean {
  for (const spec of pages ?? ["1"]) {
    if (spec === "*") return true;
    const [from, to] = spec.split("-");
    const start = Number(from);
    const end = to === undefined ? start : to === "*" ? pageCount : Number(to);
    if (page >= start && page <= end) return true;
  }
  return false;
}

/** A query as sent in QueriesConfig. */
export interface FakeQuery {
  Text: string;
  Alias?: string | undefined;
  Pages?: string[] | undefined;
}

/** An adapter as sent in AdaptersConfig. */
export interface FakeAdapter {
  AdapterId: string;
  Version: string;
  Pages?: string[] | undefined;
}

type Box = { left: number; top: number; width: number; height: number };

/** Wire geometry of a box: BoundingBox and the four-point Polygon, clockwise from top-left. */
function geometry(box: Box): NonNullable<Block["Geometry"]> {
  const r = (v: number): number => Math.round(v * 1e6) / 1e6;
  const [l, t, w, h] = [r(box.left), r(box.top), r(box.width), r(box.height)];
  return {
    BoundingBox: { Width: w, Height: h, Left: l, Top: t },
    Polygon: [
      { X: l, Y: t },
      { X: r(l + w), Y: t },
      { X: r(l + w), Y: r(t + h) },
      { X: l, Y: r(t + h) },
    ],
  };
}

/** The smallest box holding all of `boxes`. */
function union(boxes: readonly Box[]): Box {
  const left = Math.min(...boxes.map((b) => b.left));
  const top = Math.min(...boxes.map((b) => b.top));
  const right = Math.max(...boxes.map((b) => b.left + b.width));
  const bottom = Math.max(...boxes.map((b) => b.top + b.height));
  return { left, top, width: right - left, height: bottom - top };
}

function tableSpec(table: FakeTable): { rows: readonly (readonly string[])[]; merged: readonly FakeMergedCell[]; title?: string | undefined; footer?: string | undefined } {
  return "rows" in table ? { merged: [], ...table } : { rows: table as readonly (readonly string[])[], merged: [] };
}

// Layout of a generated page: one text row per line, form field, table row, title/footer and
// answer, top to bottom inside a 5 % margin; text 1.2 % of the page width per character.
const MARGIN = 0.05;
const CHAR = 0.012;

/**
 * Blocks of one page, the way Textract relates them: PAGE → LINE → WORD; KEY_VALUE_SET KEY
 * –VALUE→ VALUE –CHILD→ WORD/SELECTION_ELEMENT; TABLE → CELL → WORD (+ MERGED_CELL → CELL,
 * TABLE_TITLE / TABLE_FOOTER → WORD); QUERY –ANSWER→ QUERY_RESULT. Every block but QUERY carries
 * Geometry (bounding box and polygon as page ratios), as in Textract's responses.
 * @public
 */
export function pageBlocks(
  prefix: string,
  page: number,
  spec: FakePage,
  options: { features: readonly string[]; queries: readonly FakeQuery[]; pageCount: number; adapters?: readonly FakeAdapter[] | undefined },
): Block[] {
  let n = 0;
  const id = (): string => `${prefix}-${page}-${++n}`;
  const blocks: Block[] = [];
  const forms = options.features.includes("FORMS") ? Object.entries(spec.forms ?? {}) : [];
  const tables = options.features.includes("TABLES") ? (spec.tables ?? []).map(tableSpec) : [];
  const queries = options.features.includes("QUERIES") ? options.queries.filter((q) => queryCoversPage(q.Pages, page, options.pageCount)) : [];
  const rowCount =
    (spec.lines?.length ?? 0) + forms.length + tables.reduce((sum, t) => sum + t.rows.length + (t.title ? 1 : 0) + (t.footer ? 1 : 0), 0) + queries.length;
  const step = Math.min(0.03, (1 - 2 * MARGIN) / Math.max(1, rowCount));
  let row = 0;
  const nextRow = (): number => MARGIN + step * row++;
  const rowHeight = step * 0.7;

  const pageBlock: Block = { BlockType: "PAGE", Id: id(), Page: page, Confidence: 99.9, Geometry: geometry({ left: 0, top: 0, width: 1, height: 1 }), Relationships: [{ Type: "CHILD", Ids: [] }] };
  blocks.push(pageBlock);
  const pageChildren = pageBlock.Relationships![0]!.Ids!;
  const textBox = (left: number, top: number, text: string, maxWidth: number): Box => ({ left, top, width: Math.min(maxWidth, Math.max(CHAR, CHAR * text.length)), height: rowHeight });
  /** WORD blocks of `text` laid out left to right across `box`, each as wide as its share of the characters. */
  const words = (text: string, box: Box, confidence = 99): string[] => {
    const list = text.split(/\s+/).filter(Boolean);
    const chars = Math.max(1, text.trim().length);
    let at = 0;
    return list.map((w) => {
      const start = text.indexOf(w, at);
      at = start + w.length;
      const b: Block = {
        BlockType: "WORD",
        Id: id(),
        Page: page,
        Text: w,
        Confidence: confidence,
        TextType: "PRINTED",
        Geometry: geometry({ left: box.left + (box.width * start) / chars, top: box.top, width: (box.width * w.length) / chars, height: box.height }),
      };
      blocks.push(b);
      return b.Id!;
    });
  };
  for (const text of spec.lines ?? []) {
    const box = textBox(0.1, nextRow(), text, 0.8);
    const line: Block = { BlockType: "LINE", Id: id(), Page: page, Text: text, Confidence: 99.1, Geometry: geometry(box) };
    blocks.push(line);
    pageChildren.push(line.Id!);
    line.Relationships = [{ Type: "CHILD", Ids: words(text, box) }];
  }
  for (const [key, value] of forms) {
    const top = nextRow();
    const keyBox = textBox(0.1, top, key, 0.35);
    const valueBox = typeof value === "boolean" ? { left: 0.5, top, width: 0.02, height: rowHeight } : textBox(0.5, top, value, 0.4);
    const valueBlock: Block = { BlockType: "KEY_VALUE_SET", Id: id(), Page: page, EntityTypes: ["VALUE"], Confidence: 93.4, Geometry: geometry(valueBox) };
    const keyBlock: Block = { BlockType: "KEY_VALUE_SET", Id: id(), Page: page, EntityTypes: ["KEY"], Confidence: 94.2, Geometry: geometry(keyBox) };
    blocks.push(keyBlock, valueBlock);
    keyBlock.Relationships = [
      { Type: "VALUE", Ids: [valueBlock.Id!] },
      { Type: "CHILD", Ids: words(key, keyBox) },
    ];
    if (typeof value === "boolean") {
      const sel: Block = { BlockType: "SELECTION_ELEMENT", Id: id(), Page: page, SelectionStatus: value ? "SELECTED" : "NOT_SELECTED", Confidence: 98, Geometry: geometry(valueBox) };
      blocks.push(sel);
      valueBlock.Relationships = [{ Type: "CHILD", Ids: [sel.Id!] }];
    } else {
      valueBlock.Relationships = [{ Type: "CHILD", Ids: words(value, valueBox) }];
    }
    pageChildren.push(keyBlock.Id!, valueBlock.Id!);
  }
  for (const t of tables) {
    const titleTop = t.title ? nextRow() : undefined;
    const columns = Math.max(1, ...t.rows.map((r) => r.length));
    const cellWidth = 0.8 / columns;
    const top = MARGIN + step * row;
    const boxes = t.rows.map(() => {
      const rowTop = nextRow();
      return Array.from({ length: columns }, (_, c): Box => ({ left: 0.1 + c * cellWidth, top: rowTop, width: cellWidth, height: step }));
    });
    const tableBox: Box = { left: 0.1, top, width: 0.8, height: step * t.rows.length };
    const table: Block = { BlockType: "TABLE", Id: id(), Page: page, Confidence: 97, EntityTypes: ["STRUCTURED_TABLE"], Geometry: geometry(tableBox), Relationships: [{ Type: "CHILD", Ids: [] }] };
    blocks.push(table);
    pageChildren.push(table.Id!);
    const cellIds: string[][] = [];
    t.rows.forEach((cells, r) => {
      cellIds.push([]);
      for (let c = 0; c < columns; c++) {
        const text = cells[c] ?? "";
        const box = boxes[r]![c]!;
        const cell: Block = {
          BlockType: "CELL",
          Id: id(),
          Page: page,
          RowIndex: r + 1,
          ColumnIndex: c + 1,
          RowSpan: 1,
          ColumnSpan: 1,
          Confidence: 96,
          Geometry: geometry(box),
          ...(r === 0 ? { EntityTypes: ["COLUMN_HEADER"] } : {}),
        };
        const children = words(text, { left: box.left + 0.005, top: box.top, width: Math.min(box.width - 0.01, CHAR * text.length), height: rowHeight });
        if (children.length) cell.Relationships = [{ Type: "CHILD", Ids: children }];
        blocks.push(cell);
        table.Relationships![0]!.Ids!.push(cell.Id!);
        cellIds[r]!.push(cell.Id!);
      }
    });
    const merged: string[] = [];
    for (const m of t.merged) {
      const rowSpan = m.rowSpan ?? 1;
      const columnSpan = m.columnSpan ?? 1;
      const covered: string[] = [];
      const coveredBoxes: Box[] = [];
      for (let r = m.row - 1; r < m.row - 1 + rowSpan; r++) {
        for (let c = m.column - 1; c < m.column - 1 + columnSpan; c++) {
          const cid = cellIds[r]?.[c];
          if (cid === undefined) throw new Error(`fake table: merged cell at row ${m.row}, column ${m.column} reaches past the table`);
          covered.push(cid);
          coveredBoxes.push(boxes[r]![c]!);
        }
      }
      const mb: Block = {
        BlockType: "MERGED_CELL",
        Id: id(),
        Page: page,
        RowIndex: m.row,
        ColumnIndex: m.column,
        RowSpan: rowSpan,
        ColumnSpan: columnSpan,
        Confidence: 95,
        Geometry: geometry(union(coveredBoxes)),
        ...(m.row === 1 ? { EntityTypes: ["COLUMN_HEADER"] } : {}),
        Relationships: [{ Type: "CHILD", Ids: covered }],
      };
      blocks.push(mb);
      merged.push(mb.Id!);
    }
    if (merged.length) table.Relationships!.push({ Type: "MERGED_CELL", Ids: merged });
    for (const [kind, text, at] of [
      ["TABLE_TITLE", t.title, titleTop],
      ["TABLE_FOOTER", t.footer, t.footer ? nextRow() : undefined],
    ] as const) {
      if (text === undefined || at === undefined) continue;
      const box = textBox(0.1, at, text, 0.8);
      const b: Block = { BlockType: kind, Id: id(), Page: page, Confidence: 90, Geometry: geometry(box), Relationships: [{ Type: "CHILD", Ids: words(text, box) }] };
      blocks.push(b);
      table.Relationships!.push({ Type: kind, Ids: [b.Id!] });
    }
  }
  const adapter = options.adapters?.find((a) => queryCoversPage(a.Pages, page, options.pageCount) && spec.adapterAnswers?.[a.AdapterId] !== undefined);
  const answers = adapter ? spec.adapterAnswers![adapter.AdapterId] : spec.answers;
  for (const query of queries) {
    // QUERY blocks carry no Geometry in Textract's responses (the fixtures agree); answers do.
    const qb: Block = { BlockType: "QUERY", Id: id(), Page: page, Query: { ...query } };
    blocks.push(qb);
    const top = nextRow();
    const answer = answers?.[query.Alias ?? query.Text];
    if (answer !== undefined) {
      const { text, confidence } = typeof answer === "string" ? { text: answer, confidence: 95 } : answer;
      const rb: Block = { BlockType: "QUERY_RESULT", Id: id(), Page: page, Text: text, Confidence: confidence, Geometry: geometry(textBox(0.1, top, text, 0.8)) };
      blocks.push(rb);
      qb.Relationships = [{ Type: "ANSWER", Ids: [rb.Id!] }];
    }
  }
  return blocks;
}

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
  /** Tables as rows of cell text. */
  tables?: readonly (readonly (readonly string[])[])[];
  /** Answers by query alias. */
  answers?: Readonly<Record<string, FakeAnswer>>;
}

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

/**
 * Blocks of one page, the way Textract relates them: PAGE → LINE → WORD; KEY_VALUE_SET KEY
 * –VALUE→ VALUE –CHILD→ WORD/SELECTION_ELEMENT; TABLE → CELL → WORD; QUERY –ANSWER→ QUERY_RESULT.
 * @public
 */
export function pageBlocks(
  prefix: string,
  page: number,
  spec: FakePage,
  options: { features: readonly string[]; queries: readonly FakeQuery[]; pageCount: number },
): Block[] {
  let n = 0;
  const id = (): string => `${prefix}-${page}-${++n}`;
  const blocks: Block[] = [];
  const pageBlock: Block = { BlockType: "PAGE", Id: id(), Page: page, Confidence: 99.9, Relationships: [{ Type: "CHILD", Ids: [] }] };
  blocks.push(pageBlock);
  const pageChildren = pageBlock.Relationships![0]!.Ids!;
  const words = (text: string, confidence = 99): string[] =>
    text
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => {
        const b: Block = { BlockType: "WORD", Id: id(), Page: page, Text: w, Confidence: confidence, TextType: "PRINTED" };
        blocks.push(b);
        return b.Id!;
      });
  for (const text of spec.lines ?? []) {
    const line: Block = { BlockType: "LINE", Id: id(), Page: page, Text: text, Confidence: 99.1 };
    blocks.push(line);
    pageChildren.push(line.Id!);
    line.Relationships = [{ Type: "CHILD", Ids: words(text) }];
  }
  if (options.features.includes("FORMS")) {
    for (const [key, value] of Object.entries(spec.forms ?? {})) {
      const valueBlock: Block = { BlockType: "KEY_VALUE_SET", Id: id(), Page: page, EntityTypes: ["VALUE"], Confidence: 93.4 };
      const keyBlock: Block = { BlockType: "KEY_VALUE_SET", Id: id(), Page: page, EntityTypes: ["KEY"], Confidence: 94.2 };
      blocks.push(keyBlock, valueBlock);
      keyBlock.Relationships = [
        { Type: "VALUE", Ids: [valueBlock.Id!] },
        { Type: "CHILD", Ids: words(key) },
      ];
      if (typeof value === "boolean") {
        const sel: Block = { BlockType: "SELECTION_ELEMENT", Id: id(), Page: page, SelectionStatus: value ? "SELECTED" : "NOT_SELECTED", Confidence: 98 };
        blocks.push(sel);
        valueBlock.Relationships = [{ Type: "CHILD", Ids: [sel.Id!] }];
      } else {
        valueBlock.Relationships = [{ Type: "CHILD", Ids: words(value) }];
      }
      pageChildren.push(keyBlock.Id!, valueBlock.Id!);
    }
  }
  if (options.features.includes("TABLES")) {
    for (const rows of spec.tables ?? []) {
      const table: Block = { BlockType: "TABLE", Id: id(), Page: page, Confidence: 97, EntityTypes: ["STRUCTURED_TABLE"], Relationships: [{ Type: "CHILD", Ids: [] }] };
      blocks.push(table);
      pageChildren.push(table.Id!);
      rows.forEach((row, r) =>
        row.forEach((text, c) => {
          const cell: Block = {
            BlockType: "CELL",
            Id: id(),
            Page: page,
            RowIndex: r + 1,
            ColumnIndex: c + 1,
            RowSpan: 1,
            ColumnSpan: 1,
            Confidence: 96,
            ...(r === 0 ? { EntityTypes: ["COLUMN_HEADER"] } : {}),
            Relationships: [{ Type: "CHILD", Ids: words(text) }],
          };
          blocks.push(cell);
          table.Relationships![0]!.Ids!.push(cell.Id!);
        }),
      );
    }
  }
  if (options.features.includes("QUERIES")) {
    for (const query of options.queries) {
      if (!queryCoversPage(query.Pages, page, options.pageCount)) continue;
      const qb: Block = { BlockType: "QUERY", Id: id(), Page: page, Query: { ...query } };
      blocks.push(qb);
      const answer = spec.answers?.[query.Alias ?? query.Text];
      if (answer !== undefined) {
        const { text, confidence } = typeof answer === "string" ? { text: answer, confidence: 95 } : answer;
        const rb: Block = { BlockType: "QUERY_RESULT", Id: id(), Page: page, Text: text, Confidence: confidence };
        blocks.push(rb);
        qb.Relationships = [{ Type: "ANSWER", Ids: [rb.Id!] }];
      }
    }
  }
  return blocks;
}

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { collectDocument, parseBlocks, parseBlockStream, type Block, type ParsedPage } from "../src/blocks.js";
import { generatedDocument, pageBlocks } from "../src/testing/documents.js";

const load = (name: string): { Blocks: Block[] } => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));

async function collect(stream: AsyncIterable<ParsedPage>): Promise<ParsedPage[]> {
  const out: ParsedPage[] = [];
  for await (const page of stream) out.push(page);
  return out;
}

describe("parseBlocks on real Textract responses", () => {
  it("reads key-values, checkboxes and a table with a merged cell (AnalyzeDocument FORMS+TABLES)", () => {
    const doc = parseBlocks(load("analyze-document-forms-tables-checkboxes.json").Blocks);
    expect(doc.pages.map((p) => p.page)).toEqual([1]);
    expect(doc.keyValues.map((kv) => [kv.key, kv.value, kv.selected])).toEqual([
      ["Un-Selected Checkbox", "", false],
      ["Selected Checkbox", "", true],
      ["Date :", "08/14/2022", undefined],
      ["Name of package:", "Textractor", undefined],
      ["Table", "1", undefined],
    ]);
    expect(doc.keyValues[3]!.keyConfidence).toBeCloseTo(66.5408, 3);
    expect(doc.tables).toHaveLength(1);
    const table = doc.tables[0]!;
    expect([table.rowCount, table.columnCount]).toEqual([3, 5]);
    expect(table.rows).toEqual([
      ["Cell 1", "Cell 2", "Cell 2", "Cell 4", "Cell 5"],
      ["Cell 6", "Cell 7", "Cell 8", "Cell 9", "Cell 10"],
      ["Cell 11", "Cell 12", "Cell 13", "Cell 14", "Cell 15"],
    ]);
    // issue 21: every CELL block is kept (15 grid positions, 15 cells); the MERGED_CELL over
    // (1,2)–(1,3) is reported beside them, not folded into one cell.
    expect(table.cells).toHaveLength(15);
    expect(table.cells.every((c) => c.rowSpan === 1 && c.columnSpan === 1)).toBe(true);
    expect(table.mergedCells).toEqual([expect.objectContaining({ row: 1, column: 2, rowSpan: 1, columnSpan: 2, text: "Cell 2", isHeader: true })]);
    expect(doc.warnings).toEqual([]);
  });

  it("reads answered queries with confidence, keyed by the question when no alias was given", () => {
    const doc = parseBlocks(load("analyze-document-queries-answered.json").Blocks);
    expect(doc.queries.map(({ alias, question, text, confidence, page }) => ({ alias, question, text, confidence, page }))).toEqual([
      { alias: "What is the name of the package?", question: "What is the name of the package?", text: "Textractor", confidence: 92, page: 1 },
      { alias: "What is the title of the document?", question: "What is the title of the document?", text: "Textractor Test Document", confidence: 87, page: 1 },
    ]);
  });

  it("reports unanswered queries with undefined text", () => {
    const doc = parseBlocks(load("analyze-document-queries-unanswered.json").Blocks);
    expect(doc.queries.map((q) => [q.alias, q.text, q.confidence])).toEqual([
      ["Lorem ipsum?", undefined, undefined],
      ["The quick brown fox jumps over the lazy dog?", undefined, undefined],
    ]);
  });

  it("keeps repeated keys as a list across pages of a GetDocumentAnalysis result", () => {
    const doc = parseBlocks(load("get-document-analysis-2page-forms-tables.json").Blocks);
    expect(doc.pages.map((p) => p.page)).toEqual([1, 2]);
    expect(doc.keyValues.filter((kv) => kv.page === 1)).toHaveLength(4);
    expect(doc.keyValues.filter((kv) => kv.page === 2)).toHaveLength(3);
    expect(doc.keyValues.filter((kv) => kv.key === "Name of package:").map((kv) => kv.page)).toEqual([1, 2]);
    expect(doc.tables.map((t) => [t.page, t.rows[2]![4]])).toEqual([
      [1, "Cell 15"],
      [2, "Cell 15"],
    ]);
  });

  it("picks the highest-confidence answer when a query has several", () => {
    const blocks: Block[] = [
      { BlockType: "QUERY", Id: "q", Page: 1, Query: { Text: "Fee?", Alias: "FEE" }, Relationships: [{ Type: "ANSWER", Ids: ["a", "b"] }] },
      { BlockType: "QUERY_RESULT", Id: "a", Page: 1, Text: "$10", Confidence: 40 },
      { BlockType: "QUERY_RESULT", Id: "b", Page: 1, Text: "$12", Confidence: 88 },
    ];
    expect(parseBlocks(blocks).queries).toEqual([
      {
        alias: "FEE",
        question: "Fee?",
        text: "$12",
        confidence: 88,
        page: 1,
        queryId: "q",
        answerId: "b",
        geometry: undefined,
        answers: [
          { id: "b", text: "$12", confidence: 88, page: 1, geometry: undefined },
          { id: "a", text: "$10", confidence: 40, page: 1, geometry: undefined },
        ],
      },
    ]);
  });

  it("treats a relationship to a missing block as a soft warning", () => {
    const blocks: Block[] = [
      { BlockType: "KEY_VALUE_SET", Id: "k", Page: 1, EntityTypes: ["KEY"], Confidence: 90, Relationships: [{ Type: "VALUE", Ids: ["gone"] }, { Type: "CHILD", Ids: ["w"] }] },
      { BlockType: "WORD", Id: "w", Page: 1, Text: "Owner:" },
    ];
    const doc = parseBlocks(blocks);
    expect(doc.keyValues).toStrictEqual([
      {
        key: "Owner:",
        value: "",
        selected: undefined,
        keyConfidence: 90,
        valueConfidence: 0,
        page: 1,
        keyId: "k",
        valueId: undefined,
        keyGeometry: undefined,
        valueGeometry: undefined,
        selection: undefined,
      },
    ]);
    expect(doc.warnings).toEqual(["page 1: block k (KEY_VALUE_SET) references missing block gone"]);
  });
});

describe("parseBlockStream (page by page)", () => {
  it("gives the same result as parseBlocks when a real 2-page result arrives in small NextToken pages", async () => {
    const blocks = load("get-document-analysis-2page-forms-tables.json").Blocks;
    const chunks = [];
    for (let i = 0; i < blocks.length; i += 37) chunks.push({ Blocks: blocks.slice(i, i + 37) });
    const pages = await collect(parseBlockStream(chunks));
    expect(collectDocument(pages)).toEqual(parseBlocks(blocks));
  });

  it("emits a page as soon as a later result page moves past it", async () => {
    const features = ["FORMS", "TABLES"];
    const doc = generatedDocument(3);
    const results = [1, 2, 3].map((p) => ({ Blocks: pageBlocks("t", p, doc.page(p), { features, queries: [], pageCount: 3 }) }));
    const seen: string[] = [];
    async function* source() {
      for (const [i, r] of results.entries()) {
        seen.push(`result ${i + 1}`);
        yield r;
      }
    }
    for await (const page of parseBlockStream(source())) seen.push(`page ${page.page}`);
    expect(seen).toEqual(["result 1", "result 2", "page 1", "result 3", "page 2", "page 3"]);
  });

  it("resolves a page whose blocks are split over two result pages", async () => {
    const blocks = pageBlocks("s", 1, { forms: { "Owner:": "Jordan Reyes" }, tables: [[["A", "B"], ["1", "2"]]] }, { features: ["FORMS", "TABLES"], queries: [], pageCount: 1 });
    const pages = await collect(parseBlockStream([{ Blocks: blocks.slice(0, 4) }, { Blocks: blocks.slice(4) }]));
    expect(pages).toHaveLength(1);
    expect(pages[0]!.keyValues.map((kv) => [kv.key, kv.value])).toEqual([["Owner:", "Jordan Reyes"]]);
    expect(pages[0]!.tables[0]!.rows).toEqual([["A", "B"], ["1", "2"]]);
    expect(pages[0]!.warnings).toEqual([]);
  });
});

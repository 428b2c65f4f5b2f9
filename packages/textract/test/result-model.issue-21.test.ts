/**
 * Issue 21 (item 3): the parsed Textract result keeps every CELL, reports MERGED_CELLs beside
 * the cells they cover, and carries the block Id, page and Geometry of what it reports. Block
 * model per shared/vendors/textract.md §3 (botocore's Block shape: Id, Page, Geometry with
 * BoundingBox, Polygon and RotationAngle; MERGED_CELL –CHILD→ the CELLs it covers). The numbers
 * below are copied from the real responses in test/fixtures.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { collectDocument, parseBlocks, parseBlockStream, type Block, type ParsedPage } from "../src/blocks.js";
import { extractFields, type DocumentType } from "../src/document-types.js";
import { toGeometry } from "../src/geometry.js";
import { toText } from "../src/normalise.js";

const load = (name: string): { Blocks: Block[] } => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));
const FORMS = "analyze-document-forms-tables-checkboxes.json";

async function collect(stream: AsyncIterable<ParsedPage>): Promise<ParsedPage[]> {
  const out: ParsedPage[] = [];
  for await (const page of stream) out.push(page);
  return out;
}

describe("tables: every CELL kept, MERGED_CELL beside the cells (real AnalyzeDocument FORMS+TABLES response)", () => {
  const table = parseBlocks(load(FORMS).Blocks).tables[0]!;

  it("keeps the five COLUMN_HEADER cells of the header row although a MERGED_CELL covers two of them", () => {
    expect(table.cells.filter((c) => c.row === 1).map((c) => [c.id, c.column, c.text, c.isHeader, c.entityTypes, c.mergedCellId])).toEqual([
      ["d45909bc-628c-4591-b45d-607b35f6dbdb", 1, "Cell 1", true, ["COLUMN_HEADER"], undefined],
      ["7c620b4f-d9d7-45bf-800e-6852efdab9e4", 2, "Cell 2", true, ["COLUMN_HEADER"], "301cf79a-b754-4c71-a8d0-ab06e197c99c"],
      // the covered cell has no words of its own: its text is empty, the merged cell holds "Cell 2"
      ["47f967ca-263e-40b8-8046-919e697a7969", 3, "", true, ["COLUMN_HEADER"], "301cf79a-b754-4c71-a8d0-ab06e197c99c"],
      ["5d02f862-eccf-4734-b911-96076d252b9a", 4, "Cell 4", true, ["COLUMN_HEADER"], undefined],
      ["b06561be-5b32-4fa5-b843-5e121f112c8a", 5, "Cell 5", true, ["COLUMN_HEADER"], undefined],
    ]);
    expect(table.cells).toHaveLength(15);
    expect(table.cells.map((c) => `${c.row},${c.column}`)).toEqual(["1,1", "1,2", "1,3", "1,4", "1,5", "2,1", "2,2", "2,3", "2,4", "2,5", "3,1", "3,2", "3,3", "3,4", "3,5"]);
  });

  it("reports the MERGED_CELL with its id, spans, text, the cells it covers and its geometry", () => {
    expect(table.mergedCells).toStrictEqual([
      {
        id: "301cf79a-b754-4c71-a8d0-ab06e197c99c",
        page: 1,
        row: 1,
        column: 2,
        rowSpan: 1,
        columnSpan: 2,
        text: "Cell 2",
        confidence: 92.21083068847656,
        isHeader: true,
        entityTypes: ["COLUMN_HEADER"],
        cellIds: ["7c620b4f-d9d7-45bf-800e-6852efdab9e4", "47f967ca-263e-40b8-8046-919e697a7969"],
        covers: [
          { id: "7c620b4f-d9d7-45bf-800e-6852efdab9e4", row: 1, column: 2 },
          { id: "47f967ca-263e-40b8-8046-919e697a7969", row: 1, column: 3 },
        ],
        geometry: {
          boundingBox: { width: 0.3169233500957489, height: 0.05945342779159546, left: 0.27558037638664246, top: 0.6133260130882263 },
          polygon: [
            { x: 0.27558037638664246, y: 0.6133318543434143 },
            { x: 0.5924443602561951, y: 0.6133260130882263 },
            { x: 0.5925037264823914, y: 0.6727756857872009 },
            { x: 0.2756352126598358, y: 0.6727794408798218 },
          ],
        },
      },
    ]);
  });

  it("gives a covered cell its own CELL id, confidence and geometry", () => {
    expect(table.cells.find((c) => c.row === 1 && c.column === 3)).toStrictEqual({
      id: "47f967ca-263e-40b8-8046-919e697a7969",
      page: 1,
      row: 1,
      column: 3,
      rowSpan: 1,
      columnSpan: 1,
      text: "",
      confidence: 92.21083068847656,
      isHeader: true,
      entityTypes: ["COLUMN_HEADER"],
      selected: undefined,
      selection: undefined,
      mergedCellId: "301cf79a-b754-4c71-a8d0-ab06e197c99c",
      geometry: {
        boundingBox: { width: 0.15767742693424225, height: 0.05949421226978302, left: 0.4348263144493103, top: 0.6132833361625671 },
        polygon: [
          { x: 0.4348263144493103, y: 0.6132862567901611 },
          { x: 0.5924443006515503, y: 0.6132833361625671 },
          { x: 0.5925037264823914, y: 0.6727756857872009 },
          { x: 0.4348834455013275, y: 0.672777533531189 },
        ],
      },
    });
  });

  it("keeps the rows grid filling a merged cell's text into every position it covers", () => {
    expect(table.rows[0]).toEqual(["Cell 1", "Cell 2", "Cell 2", "Cell 4", "Cell 5"]);
  });

  it("carries the TABLE block's id, confidence and geometry", () => {
    expect([table.id, table.page, table.confidence, table.entityTypes, table.titles, table.footers]).toEqual(["67a73830-2d78-4435-a733-d4c1c27cbfa6", 1, 99.74238586425781, [], [], []]);
    expect(table.geometry).toStrictEqual({
      boundingBox: { width: 0.7943673133850098, height: 0.17556482553482056, left: 0.11601327359676361, top: 0.6133202314376831 },
      polygon: [
        { x: 0.11601327359676361, y: 0.6133347749710083 },
        { x: 0.9101919531822205, y: 0.6133202314376831 },
        { x: 0.9103806018829346, y: 0.7888850569725037 },
        { x: 0.11616849899291992, y: 0.7888845801353455 },
      ],
    });
  });
});

describe("a header row of five COLUMN_HEADER cells with a MERGED_CELL over two of them (synthetic block graph)", () => {
  const cell = (n: number, extra: Partial<Block> = {}): Block => ({
    BlockType: "CELL",
    Id: `c${n}`,
    Page: 1,
    RowIndex: 1,
    ColumnIndex: n,
    RowSpan: 1,
    ColumnSpan: 1,
    Confidence: 90 + n,
    EntityTypes: ["COLUMN_HEADER"],
    Relationships: [{ Type: "CHILD", Ids: [`w${n}`] }],
    ...extra,
  });
  const blocks: Block[] = [
    { BlockType: "PAGE", Id: "p", Page: 1, Relationships: [{ Type: "CHILD", Ids: ["t"] }] },
    {
      BlockType: "TABLE",
      Id: "t",
      Page: 1,
      Confidence: 99,
      EntityTypes: ["STRUCTURED_TABLE"],
      Relationships: [
        { Type: "CHILD", Ids: ["c1", "c2", "c3", "c4", "c5"] },
        { Type: "MERGED_CELL", Ids: ["m"] },
        { Type: "TABLE_TITLE", Ids: ["tt"] },
        { Type: "TABLE_FOOTER", Ids: ["tf"] },
      ],
    },
    cell(1),
    cell(2),
    cell(3, { Relationships: [] }),
    cell(4),
    cell(5),
    { BlockType: "MERGED_CELL", Id: "m", Page: 1, RowIndex: 1, ColumnIndex: 2, RowSpan: 1, ColumnSpan: 2, Confidence: 88, EntityTypes: ["COLUMN_HEADER"], Relationships: [{ Type: "CHILD", Ids: ["c2", "c3"] }] },
    ...[1, 2, 4, 5].map((n): Block => ({ BlockType: "WORD", Id: `w${n}`, Page: 1, Text: ["", "Item", "Amount", "", "Tax", "Total"][n] })),
    { BlockType: "TABLE_TITLE", Id: "tt", Page: 1, Confidence: 80, Relationships: [{ Type: "CHILD", Ids: ["wt"] }] },
    { BlockType: "WORD", Id: "wt", Page: 1, Text: "Draws" },
    { BlockType: "TABLE_FOOTER", Id: "tf", Page: 1, Confidence: 70, Relationships: [{ Type: "CHILD", Ids: ["wf"] }] },
    { BlockType: "WORD", Id: "wf", Page: 1, Text: "Totals" },
  ];
  const doc = parseBlocks(blocks);
  const table = doc.tables[0]!;

  it("yields five header cells and one merged cell referencing the two it covers", () => {
    expect(table.cells.map((c) => [c.id, c.column, c.text, c.isHeader, c.mergedCellId])).toEqual([
      ["c1", 1, "Item", true, undefined],
      ["c2", 2, "Amount", true, "m"],
      ["c3", 3, "", true, "m"],
      ["c4", 4, "Tax", true, undefined],
      ["c5", 5, "Total", true, undefined],
    ]);
    expect(table.mergedCells.map((m) => [m.id, m.row, m.column, m.rowSpan, m.columnSpan, m.text, m.isHeader, m.cellIds, m.covers])).toEqual([
      ["m", 1, 2, 1, 2, "Amount", true, ["c2", "c3"], [{ id: "c2", row: 1, column: 2 }, { id: "c3", row: 1, column: 3 }]],
    ]);
    expect([table.rowCount, table.columnCount, table.rows]).toEqual([1, 5, [["Item", "Amount", "Amount", "Tax", "Total"]]]);
    expect(doc.warnings).toEqual([]);
  });

  it("reports TABLE_TITLE and TABLE_FOOTER blocks with their ids beside the joined title and footer text", () => {
    expect([table.title, table.footer]).toEqual(["Draws", "Totals"]);
    expect(table.titles).toEqual([{ id: "tt", text: "Draws", confidence: 80, geometry: undefined }]);
    expect(table.footers).toEqual([{ id: "tf", text: "Totals", confidence: 70, geometry: undefined }]);
    expect(table.entityTypes).toEqual(["STRUCTURED_TABLE"]);
  });

  it("keeps cell EntityTypes other than COLUMN_HEADER (TABLE_TITLE, TABLE_SECTION_TITLE, TABLE_SUMMARY, TABLE_FOOTER)", () => {
    const kinds = ["TABLE_TITLE", "TABLE_SECTION_TITLE", "TABLE_SUMMARY", "TABLE_FOOTER"];
    const graph: Block[] = [
      { BlockType: "TABLE", Id: "t", Page: 1, Relationships: [{ Type: "CHILD", Ids: kinds.map((_, i) => `r${i + 1}`) }] },
      ...kinds.map((kind, i): Block => ({ BlockType: "CELL", Id: `r${i + 1}`, Page: 1, RowIndex: i + 1, ColumnIndex: 1, EntityTypes: [kind] })),
    ];
    const cells = parseBlocks(graph).tables[0]!.cells;
    expect(cells.map((c) => [c.id, c.row, c.entityTypes, c.isHeader])).toEqual([
      ["r1", 1, ["TABLE_TITLE"], false],
      ["r2", 2, ["TABLE_SECTION_TITLE"], false],
      ["r3", 3, ["TABLE_SUMMARY"], false],
      ["r4", 4, ["TABLE_FOOTER"], false],
    ]);
  });

  it("fills a merged cell spanning two rows into both rows of the text grid", () => {
    const graph: Block[] = [
      { BlockType: "TABLE", Id: "t", Page: 1, Relationships: [{ Type: "CHILD", Ids: ["a", "b", "c", "d"] }, { Type: "MERGED_CELL", Ids: ["m"] }] },
      { BlockType: "CELL", Id: "a", Page: 1, RowIndex: 1, ColumnIndex: 1, Relationships: [{ Type: "CHILD", Ids: ["wa"] }] },
      { BlockType: "CELL", Id: "b", Page: 1, RowIndex: 1, ColumnIndex: 2, Relationships: [{ Type: "CHILD", Ids: ["wb"] }] },
      { BlockType: "CELL", Id: "c", Page: 1, RowIndex: 2, ColumnIndex: 1 },
      { BlockType: "CELL", Id: "d", Page: 1, RowIndex: 2, ColumnIndex: 2, Relationships: [{ Type: "CHILD", Ids: ["wd"] }] },
      { BlockType: "MERGED_CELL", Id: "m", Page: 1, RowIndex: 1, ColumnIndex: 1, RowSpan: 2, ColumnSpan: 1, Relationships: [{ Type: "CHILD", Ids: ["a", "c"] }] },
      { BlockType: "WORD", Id: "wa", Page: 1, Text: "Lot 7" },
      { BlockType: "WORD", Id: "wb", Page: 1, Text: "north" },
      { BlockType: "WORD", Id: "wd", Page: 1, Text: "south" },
    ];
    const t = parseBlocks(graph).tables[0]!;
    expect(t.rows).toEqual([
      ["Lot 7", "north"],
      ["Lot 7", "south"],
    ]);
    expect(t.cells.map((c) => [c.id, c.text, c.mergedCellId])).toEqual([
      ["a", "Lot 7", "m"],
      ["b", "north", undefined],
      ["c", "", "m"],
      ["d", "south", undefined],
    ]);
    expect(t.mergedCells[0]!.covers).toEqual([{ id: "a", row: 1, column: 1 }, { id: "c", row: 2, column: 1 }]);
  });

  it("lists a covered cell that was never delivered in cellIds but not in covers, with a warning", () => {
    const graph: Block[] = [
      { BlockType: "TABLE", Id: "t", Page: 1, Relationships: [{ Type: "CHILD", Ids: ["a"] }, { Type: "MERGED_CELL", Ids: ["m"] }] },
      { BlockType: "CELL", Id: "a", Page: 1, RowIndex: 1, ColumnIndex: 1 },
      { BlockType: "MERGED_CELL", Id: "m", Page: 1, RowIndex: 1, ColumnIndex: 1, RowSpan: 1, ColumnSpan: 2, Relationships: [{ Type: "CHILD", Ids: ["a", "gone"] }] },
    ];
    const parsed = parseBlocks(graph);
    expect(parsed.tables[0]!.mergedCells.map((m) => [m.cellIds, m.covers])).toEqual([[["a", "gone"], [{ id: "a", row: 1, column: 1 }]]]);
    expect(parsed.warnings).toEqual(["page 1: block m (MERGED_CELL) references missing block gone"]);
  });
});

describe("block ids and geometry on key-values, selection elements, lines and pages (real AnalyzeDocument FORMS+TABLES response)", () => {
  const doc = parseBlocks(load(FORMS).Blocks);

  it("gives a key-value its KEY and VALUE block ids and both geometries", () => {
    expect(doc.keyValues.find((kv) => kv.key === "Name of package:")).toStrictEqual({
      key: "Name of package:",
      value: "Textractor",
      selected: undefined,
      keyConfidence: expect.closeTo(66.5408, 3),
      valueConfidence: 66.54078674316406,
      page: 1,
      keyId: "468e6822-671b-43ea-8f85-b6033d09003f",
      valueId: "9bebe888-4a0d-4a6b-855d-0cfef6fa214b",
      keyGeometry: {
        boundingBox: { width: 0.2098378837108612, height: 0.023002564907073975, left: 0.11857922375202179, top: 0.4671604335308075 },
        polygon: [
          { x: 0.11857922375202179, y: 0.46716755628585815 },
          { x: 0.3283956050872803, y: 0.4671604335308075 },
          { x: 0.3284170925617218, y: 0.4901563823223114 },
          { x: 0.11859957128763199, y: 0.49016299843788147 },
        ],
      },
      valueGeometry: {
        boundingBox: { width: 0.12285664677619934, height: 0.017365649342536926, left: 0.33515870571136475, top: 0.4688256084918976 },
        polygon: [
          { x: 0.33515870571136475, y: 0.46882978081703186 },
          { x: 0.4579985737800598, y: 0.4688256084918976 },
          { x: 0.4580153524875641, y: 0.4861873388290405 },
          { x: 0.33517494797706604, y: 0.4861912429332733 },
        ],
      },
      selection: undefined,
    });
  });

  it("gives a checkbox value its SELECTION_ELEMENT id, status, confidence and geometry", () => {
    const kv = doc.keyValues.find((k) => k.key === "Selected Checkbox")!;
    expect([kv.selected, kv.valueId]).toEqual([true, "901e7186-0fa2-4eb4-a29f-d4fbd33357e2"]);
    expect(kv.selection).toStrictEqual({
      id: "ace5f247-b682-4499-9c92-8e39a73b01d6",
      selected: true,
      confidence: 99.90876770019531,
      page: 1,
      geometry: {
        boundingBox: { width: 0.03598053380846977, height: 0.02776564285159111, left: 0.12175296992063522, top: 0.8741632699966431 },
        polygon: [
          { x: 0.12175296992063522, y: 0.8741632699966431 },
          { x: 0.15770867466926575, y: 0.8741635680198669 },
          { x: 0.1577335000038147, y: 0.9019289016723633 },
          { x: 0.12177755683660507, y: 0.9019284248352051 },
        ],
      },
    });
    const unselected = doc.keyValues.find((k) => k.key === "Un-Selected Checkbox")!.selection!;
    expect([unselected.id, unselected.selected, unselected.confidence]).toEqual(["9fdd8639-38cb-4644-b198-c74bcac0e38b", false, 99.94615936279297]);
  });

  it("gives a line its LINE block id and geometry", () => {
    expect(doc.lines[0]).toStrictEqual({
      id: "37cb836f-32c2-4829-b722-37ec2dcf8f94",
      text: "Textractor Test",
      confidence: 99.92634582519531,
      page: 1,
      geometry: {
        boundingBox: { width: 0.6751319169998169, height: 0.06469825655221939, left: 0.16011537611484528, top: 0.10356966406106949 },
        polygon: [
          { x: 0.16011537611484528, y: 0.10361900925636292 },
          { x: 0.8351789712905884, y: 0.10356966406106949 },
          { x: 0.835247278213501, y: 0.16822326183319092 },
          { x: 0.1601732224225998, y: 0.16826792061328888 },
        ],
      },
    });
    // every one of the 24 LINE blocks, in order, with its own id
    const lineIds = load(FORMS).Blocks.filter((b) => b.BlockType === "LINE").map((b) => b.Id);
    expect(doc.lines.map((l) => l.id)).toEqual(lineIds);
    expect(lineIds).toHaveLength(24);
  });

  it("gives the page its PAGE block id and geometry", () => {
    const page = doc.pages[0]!;
    expect([page.id, page.geometry?.boundingBox]).toEqual(["13d4817a-16b7-4c79-bde2-9427fbe49901", { width: 0.9995970726013184, height: 1, left: 0, top: 0 }]);
  });
});

describe("query answers carry the QUERY and QUERY_RESULT ids and the answer's geometry (real AnalyzeDocument QUERIES responses)", () => {
  it("an answered query", () => {
    const doc = parseBlocks(load("analyze-document-queries-answered.json").Blocks);
    const geometry = {
      boundingBox: { width: 0.12316476553678513, height: 0.01783355325460434, left: 0.3352365493774414, top: 0.4682959020137787 },
      polygon: [
        { x: 0.3352365493774414, y: 0.4682959020137787 },
        { x: 0.45840129256248474, y: 0.4682959020137787 },
        { x: 0.45840129256248474, y: 0.4861294627189636 },
        { x: 0.3352365493774414, y: 0.4861294627189636 },
      ],
    };
    expect(doc.queries[0]).toStrictEqual({
      alias: "What is the name of the package?",
      question: "What is the name of the package?",
      text: "Textractor",
      confidence: 92,
      page: 1,
      queryId: "f9a9a914-60be-4b6f-b08f-2e7a6f06fec3",
      answerId: "7f3cc0fb-761f-4d50-b4fe-a7654dad95ff",
      geometry,
      answers: [{ id: "7f3cc0fb-761f-4d50-b4fe-a7654dad95ff", text: "Textractor", confidence: 92, page: 1, geometry }],
    });
    expect(doc.queries[1]!.answerId).toBe("295828e5-309f-491f-a647-1c60aac34d3d");
  });

  it("an unanswered query keeps its QUERY id and has no answer id, geometry or answers", () => {
    const doc = parseBlocks(load("analyze-document-queries-unanswered.json").Blocks);
    const queryIds = load("analyze-document-queries-unanswered.json").Blocks.filter((b) => b.BlockType === "QUERY").map((b) => b.Id);
    expect(doc.queries.map((q) => [q.queryId, q.answerId, q.geometry, q.answers])).toEqual(queryIds.map((id) => [id, undefined, undefined, []]));
    expect(queryIds).toHaveLength(2);
  });
});

describe("ids and pages across a 2-page GetDocumentAnalysis result (real response)", () => {
  const raw = load("get-document-analysis-2page-forms-tables.json").Blocks;
  const byId = new Map(raw.map((b) => [b.Id, b]));

  it("each key-value's keyId is a KEY block and its valueId a VALUE block, both on the key-value's page", () => {
    const doc = parseBlocks(raw);
    expect(doc.keyValues).toHaveLength(7);
    for (const kv of doc.keyValues) {
      expect([byId.get(kv.keyId)?.EntityTypes, byId.get(kv.keyId)?.Page]).toEqual([["KEY"], kv.page]);
      expect([byId.get(kv.valueId)?.EntityTypes, byId.get(kv.valueId)?.Page]).toEqual([["VALUE"], kv.page]);
    }
  });

  it("each page and table carries its own block id", () => {
    const doc = parseBlocks(raw);
    expect(doc.pages.map((p) => [p.page, p.id])).toEqual([
      [1, "8d3c68a4-4dc6-4689-a583-dd423f206115"],
      [2, "2f63748a-1de2-4521-96f6-067a93a8bc4c"],
    ]);
    expect(doc.tables.map((t) => [t.page, t.id, t.cells.length, t.cells.every((c) => c.page === t.page)])).toEqual([
      [1, "94ee8759-22e2-4719-957c-2289da118ec5", 15, true],
      [2, "6fa7e295-2cff-4a0a-a6f4-14b7f5e75ff6", 15, true],
    ]);
  });
});

describe("streaming keeps the whole model and no reference to the blocks", () => {
  it("parseBlockStream in 7-block result pages gives the same cells, merged cells, ids and geometry as parseBlocks", async () => {
    const blocks = load(FORMS).Blocks;
    const chunks = [];
    for (let i = 0; i < blocks.length; i += 7) chunks.push({ Blocks: blocks.slice(i, i + 7) });
    expect(collectDocument(await collect(parseBlockStream(chunks)))).toStrictEqual(parseBlocks(blocks));
  });

  it("parsed objects are copies: changing the blocks afterwards changes nothing parsed (no block outlives its page)", () => {
    const blocks = load(FORMS).Blocks;
    const before = parseBlocks(blocks);
    const snapshot = structuredClone(before);
    for (const b of blocks) {
      if (b.Geometry?.BoundingBox) b.Geometry.BoundingBox.Left = -1;
      if (b.Geometry?.Polygon?.[0]) b.Geometry.Polygon[0].X = -1;
      b.EntityTypes?.push("CHANGED");
      for (const rel of b.Relationships ?? []) rel.Ids?.push("changed");
    }
    expect(before).toStrictEqual(snapshot);
  });
});

describe("toGeometry", () => {
  it("keeps RotationAngle when Textract sends it (botocore Geometry.RotationAngle)", () => {
    expect(toGeometry({ BoundingBox: { Left: 0.1, Top: 0.2, Width: 0.3, Height: 0.4 }, Polygon: [{ X: 0.1, Y: 0.2 }], RotationAngle: -2.5 })).toStrictEqual({
      boundingBox: { left: 0.1, top: 0.2, width: 0.3, height: 0.4 },
      polygon: [{ x: 0.1, y: 0.2 }],
      rotationAngle: -2.5,
    });
  });

  it("reads a malformed Polygon as no points and non-numbers as 0 instead of throwing mid-stream", () => {
    const wire = { BoundingBox: { Left: "x", Top: Number.NaN, Width: 0.5, Height: null }, Polygon: "oops", RotationAngle: "9" } as never;
    expect(toGeometry(wire)).toStrictEqual({ boundingBox: { left: 0, top: 0, width: 0.5, height: 0 }, polygon: [] });
    expect(toGeometry({ Polygon: [{ X: 1, Y: 1 }] })).toBeUndefined();
  });
});

describe("extracted fields name the block they were read from (real AnalyzeDocument responses)", () => {
  const type: DocumentType = {
    id: "PACKAGE",
    schema: z.object({ PACKAGE: z.string().optional(), NAME: z.string().optional() }),
    fields: [
      // the fixture's queries were sent without an alias, so the question text is the alias
      { alias: "What is the name of the package?", question: "What is the name of the package?", normalise: toText },
      { alias: "NAME", question: "What is the package called?", normalise: toText, keys: ["Name of package"] },
    ],
  };

  it("a query answer gives the QUERY_RESULT id and geometry", () => {
    const doc = parseBlocks(load("analyze-document-queries-answered.json").Blocks);
    const field = extractFields(type, doc).fields["What is the name of the package?"]!;
    expect([field.source, field.raw, field.blockId, field.geometry?.boundingBox]).toEqual([
      "query",
      "Textractor",
      "7f3cc0fb-761f-4d50-b4fe-a7654dad95ff",
      { width: 0.12316476553678513, height: 0.01783355325460434, left: 0.3352365493774414, top: 0.4682959020137787 },
    ]);
  });

  it("a form fallback gives the VALUE block id and geometry", () => {
    const doc = parseBlocks(load(FORMS).Blocks);
    const field = extractFields(type, doc).fields.NAME!;
    expect([field.source, field.raw, field.blockId, field.geometry?.boundingBox]).toEqual([
      "form",
      "Textractor",
      "9bebe888-4a0d-4a6b-855d-0cfef6fa214b",
      { width: 0.12285664677619934, height: 0.017365649342536926, left: 0.33515870571136475, top: 0.4688256084918976 },
    ]);
  });

  it("answers built by hand (no block ids) still extract, with no block id", () => {
    const out = extractFields(type, { queries: [{ alias: "NAME", question: "?", text: "Textractor", confidence: 95, page: 1 }] });
    expect(out.fields.NAME).toStrictEqual({ value: "Textractor", raw: "Textractor", confidence: 95, page: 1, source: "query", needsReview: false, blockId: undefined, geometry: undefined });
  });
});

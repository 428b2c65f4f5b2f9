import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseBlocks, type Block } from "../src/blocks.js";
import { createDocumentTypeRegistry, documentTypes, extractFields, queriesFor, type DocumentType } from "../src/document-types.js";
import { toGeometry } from "../src/geometry.js";
import { toCurrency, toText } from "../src/normalise.js";
import { pageBlocks, sampleDocuments, type FakeDocument } from "../src/testing/documents.js";

function analyse(doc: FakeDocument, type: DocumentType): Block[] {
  const queries = queriesFor(type);
  const blocks: Block[] = [];
  for (let p = 1; p <= doc.pageCount; p++) blocks.push(...pageBlocks("d", p, doc.page(p), { features: ["FORMS", "QUERIES"], queries, pageCount: doc.pageCount }));
  return blocks;
}

describe("document types", () => {
  it("ask every query on every page (Pages ['*'])", () => {
    const queries = queriesFor(documentTypes.SURVEY);
    expect(queries).toHaveLength(9);
    expect(queries.every((q) => q.Pages.length === 1 && q.Pages[0] === "*")).toBe(true);
    expect(queries[0]).toEqual({ Text: "What is the parcel number (APN)?", Alias: "PARCEL_NUMBER", Pages: ["*"] });
  });

  it("SURVEY maps answers from both pages to typed fields and flags the low-confidence one", () => {
    const blocks = analyse(sampleDocuments.SURVEY, documentTypes.SURVEY);
    const doc = parseBlocks(blocks);
    const result = extractFields(documentTypes.SURVEY, doc);
    expect(result.data).toEqual({
      PARCEL_NUMBER: "042-118-07",
      LOT_SIZE_SQFT: 10890,
      FLOOD_ZONE: "AE",
      FRONT_SETBACK_FT: 25,
      SIDE_SETBACK_FT: 7.5,
      REAR_SETBACK_FT: 20,
      EASEMENTS: ["10' utility easement (rear)", "5' drainage easement", "access easement"],
      OWNER: "Jordan Reyes",
      SURVEY_DATE: "2024-03-14",
    });
    expect(result.needsReview).toEqual(["REAR_SETBACK_FT"]);
    // issue 21: the field names the QUERY_RESULT block it was read from, and where it is
    const lotAnswer = blocks.find((b) => b.BlockType === "QUERY_RESULT" && b.Text === "0.25 acres")!;
    expect(result.fields.LOT_SIZE_SQFT).toStrictEqual({
      value: 10890,
      raw: "0.25 acres",
      confidence: 91.2,
      page: 2,
      source: "query",
      needsReview: false,
      blockId: lotAnswer.Id,
      geometry: toGeometry(lotAnswer.Geometry),
    });
    expect(lotAnswer.Page).toBe(2);
    // (7 × 95 + 91.2 + 62.5) / 9
    expect(result.averageConfidence).toBe(90.97);
  });

  it("TITLE_REPORT, ARBORIST_REPORT, PERMIT_APPLICATION and INSPECTION_REPORT map to their schemas", () => {
    const run = (id: keyof typeof documentTypes) => {
      const type: DocumentType = documentTypes[id];
      return extractFields(type, parseBlocks(analyse(sampleDocuments[id], type))).data;
    };
    expect(run("TITLE_REPORT")).toEqual({
      PARCEL_NUMBER: "APN 042-118-07",
      OWNER: "Jordan Reyes and Sam Reyes",
      LEGAL_DESCRIPTION: "Lot 14, Block 3, Meadow Creek",
      LIENS: ["Deed of Trust to First Bank", "Mechanics lien - Ace Roofing"],
      TOTAL_LIEN_AMOUNT: 312450,
      EASEMENTS: ["Utility easement", "Drainage easement"],
      EFFECTIVE_DATE: "2024-02-01",
    });
    expect(run("ARBORIST_REPORT")).toEqual({
      TREE_COUNT: 14,
      PROTECTED_TREE_COUNT: 3,
      TREES_TO_REMOVE: 2,
      SPECIES: ["Coast live oak", "Valley oak", "Monterey pine"],
      MITIGATION_REQUIRED: true,
      ARBORIST: "Dana Whitfield, ISA WE-1234A",
      REPORT_DATE: "2024-01-22",
    });
    expect(run("PERMIT_APPLICATION")).toEqual({
      PERMIT_NUMBER: "BLD-2024-00123",
      APPLICANT: "Reyes Construction LLC",
      PROJECT_ADDRESS: "118 Meadow Creek Rd",
      PARCEL_NUMBER: "042-118-07",
      PERMIT_FEE: 4218.5,
      VALUATION: 650000,
      OWNER_BUILDER: false,
      APPLICATION_DATE: "2024-01-05",
    });
    expect(run("INSPECTION_REPORT")).toEqual({
      INSPECTOR: "Pat Lee",
      INSPECTION_DATE: "2024-04-30",
      COMPLETION_PERCENTAGE: 65,
      PASSED: true,
      DEFICIENCIES: ["Missing hurricane straps", "GFCI at kitchen island"],
      NEXT_INSPECTION_DATE: "2024-05-28",
    });
  });

  it("falls back to form key-values when a query has no answer, and flags unrecognisable values", () => {
    const result = extractFields(documentTypes.SURVEY, {
      queries: [{ alias: "SURVEY_DATE", question: "?", text: "sometime in spring", confidence: 99, page: 1 }],
      keyValues: [{ key: "Flood Zone:", value: "Zone X", keyConfidence: 90, valueConfidence: 85, page: 3 }],
    });
    expect(result.fields.FLOOD_ZONE).toEqual({ value: "X", raw: "Zone X", confidence: 85, page: 3, source: "form", needsReview: false });
    expect(result.fields.SURVEY_DATE).toEqual({ value: undefined, raw: "sometime in spring", confidence: 99, page: 1, source: "query", needsReview: true });
    expect(result.data).toEqual({ FLOOD_ZONE: "X" });
    expect(result.needsReview).toContain("PARCEL_NUMBER");
    expect(result.averageConfidence).toBe(92);
  });

  it("honours a custom low-confidence threshold", () => {
    const result = extractFields(documentTypes.INSPECTION_REPORT, { queries: [{ alias: "INSPECTOR", question: "?", text: "Pat", confidence: 90, page: 1 }] }, { lowConfidenceThreshold: 95 });
    expect(result.fields.INSPECTOR!.needsReview).toBe(true);
  });

  it("lets hosts register their own document type and rejects bad aliases", () => {
    const Appraisal = z.object({ APPRAISED_VALUE: z.number().optional(), APPRAISER: z.string().optional() });
    const registry = createDocumentTypeRegistry([
      {
        id: "APPRAISAL",
        schema: Appraisal,
        fields: [
          { alias: "APPRAISED_VALUE", question: "What is the appraised value?", normalise: toCurrency },
          { alias: "APPRAISER", question: "Who is the appraiser?", normalise: toText },
        ],
      },
    ]);
    expect(registry.ids()).toEqual(["SURVEY", "TITLE_REPORT", "ARBORIST_REPORT", "PERMIT_APPLICATION", "INSPECTION_REPORT", "APPRAISAL"]);
    const out = extractFields(registry.get("APPRAISAL")!, { queries: [{ alias: "APPRAISED_VALUE", question: "", text: "$815,000", confidence: 97, page: 1 }] });
    expect(out.data).toEqual({ APPRAISED_VALUE: 815000 });
    expect(() => registry.register({ id: "X", schema: z.object({}), fields: [{ alias: "bad alias", question: "q", normalise: toText }] })).toThrow(
      'document type X: alias "bad alias" must be A-Z, 0-9 or _',
    );
  });
});

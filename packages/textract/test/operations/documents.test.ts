import { ValidationError } from "@connect/core";
import { describe, expect, it } from "vitest";
import { fakeDocument, sampleDocuments } from "../../src/testing/index.js";
import { bodies, useTextract } from "../helpers.js";

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

describe("documents.analyze (AnalyzeDocument)", () => {
  const t = useTextract();

  it("sends the bytes base64 with features and queries, and returns the parsed page with typed fields", async () => {
    t.fake.putBytes(PNG, sampleDocuments.INSPECTION_REPORT);
    const result = await t.client.documents.analyze({ document: { bytes: PNG }, features: ["FORMS"], documentType: "INSPECTION_REPORT" });
    const [body] = bodies(t.server, "AnalyzeDocument");
    expect(body!.Document).toEqual({ Bytes: Buffer.from(PNG).toString("base64") });
    expect(body!.FeatureTypes).toEqual(["FORMS", "QUERIES"]);
    expect((body!.QueriesConfig as { Queries: unknown[] }).Queries[0]).toEqual({ Text: "What is the inspector's name?", Alias: "INSPECTOR" });
    expect(result.pageCount).toBe(1);
    expect(result.document.queries).toHaveLength(6);
    expect(result.extraction?.data).toEqual({
      INSPECTOR: "Pat Lee",
      INSPECTION_DATE: "2024-04-30",
      COMPLETION_PERCENTAGE: 65,
      PASSED: true,
      DEFICIENCIES: ["Missing hurricane straps", "GFCI at kitchen island"],
      NEXT_INSPECTION_DATE: "2024-05-28",
    });
    expect(result.extraction?.averageConfidence).toBe(95);
  });

  it("reads an S3 object with forms and tables", async () => {
    t.fake.putDocument("in-bucket", "one.png", fakeDocument([{ forms: { "Owner:": "Jordan Reyes" }, tables: [[["A"], ["1"]]] }]));
    const result = await t.client.documents.analyze({ document: { s3: { bucket: "in-bucket", name: "one.png" } }, features: ["FORMS", "TABLES"] });
    expect(bodies(t.server, "AnalyzeDocument")[0]!.Document).toEqual({ S3Object: { Bucket: "in-bucket", Name: "one.png" } });
    expect(result.document.keyValues.map((kv) => [kv.key, kv.value])).toEqual([["Owner:", "Jordan Reyes"]]);
    expect(result.document.tables[0]!.rows).toEqual([["A"], ["1"]]);
    expect(result.extraction).toBeUndefined();
  });

  it("maps UnsupportedDocumentException and BadDocumentException to ValidationError without retrying", async () => {
    // GIF is not one of Textract's four formats (PNG, JPEG, PDF, TIFF); PDF bytes are accepted since the fake reads them.
    const gif = new TextEncoder().encode("GIF89a...");
    const unsupported = await t.client.documents.analyze({ document: { bytes: gif }, features: ["FORMS"] }).catch((e: unknown) => e);
    expect(unsupported).toBeInstanceOf(ValidationError);
    expect(unsupported).toMatchObject({ vendorCode: "UnsupportedDocumentException", status: 400, retryable: false, operation: "documents.analyze" });
    const bad = await t.client.documents.analyze({ document: { bytes: PNG }, features: ["FORMS"] }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ name: "ValidationError", vendorCode: "BadDocumentException" });
    expect(bodies(t.server, "AnalyzeDocument")).toHaveLength(2);
  });

  it("rejects an empty document and more than 15 queries before any request", async () => {
    const queries = Array.from({ length: 16 }, (_, i) => ({ text: `Q${i}?` }));
    const error = await t.client.documents.analyze({ document: { bytes: new Uint8Array() }, features: ["QUERIES"], queries }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(["document.bytes", "queries"]);
    expect(t.server.requests).toEqual([]);
  });
});

import { ValidationError } from "@connect/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createMemoryExtractionCache, toText, type DocumentType } from "../src/index.js";
import { fakeDocument } from "../src/testing/index.js";
import { bodies, useTextract } from "./helpers.js";

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7, 7]);
const ADAPTER = { id: "a1b2c3d4e5f6", version: "3", pages: ["*"] };
const DRAW_REQUEST: DocumentType = {
  id: "DRAW_REQUEST",
  fields: [{ alias: "AMOUNT", question: "What is the amount requested?", normalise: toText }],
  schema: z.object({ AMOUNT: z.string().optional() }),
  adapter: { id: "drawreq0adapter", version: "2" },
};
const DOC = fakeDocument([{ answers: { AMOUNT: "$1,000" }, adapterAnswers: { drawreq0adapter: { AMOUNT: "$12,500.00" }, a1b2c3d4e5f6: { AMOUNT: "$9" } } }]);

describe("custom adapters (AdaptersConfig: AdapterId, Version, Pages)", () => {
  const t = useTextract({ inProgressPolls: 0 }, { documentTypes: [DRAW_REQUEST] });

  it("sends the adapters of analyze and start as AdaptersConfig, and the fake answers with the adapter's answers", async () => {
    t.fake.putBytes(PNG, DOC);
    const result = await t.client.documents.analyze({ document: { bytes: PNG }, features: ["QUERIES"], queries: [{ text: "Amount?", alias: "AMOUNT" }], adapters: [ADAPTER] });
    expect(bodies(t.server, "AnalyzeDocument")[0]!.AdaptersConfig).toEqual({ Adapters: [{ AdapterId: "a1b2c3d4e5f6", Version: "3", Pages: ["*"] }] });
    expect(result.document.queries.map((q) => q.text)).toEqual(["$9"]);
    t.fake.putDocument("in-bucket", "draw.pdf", DOC);
    await t.client.analyses.start({ document: { bucket: "in-bucket", name: "draw.pdf" }, features: ["FORMS"], queries: [{ text: "Amount?", alias: "AMOUNT" }], adapters: [ADAPTER, { id: "second0adapter", version: "1" }] });
    expect(bodies(t.server, "StartDocumentAnalysis")[0]!.AdaptersConfig).toEqual({
      Adapters: [
        { AdapterId: "a1b2c3d4e5f6", Version: "3", Pages: ["*"] },
        { AdapterId: "second0adapter", Version: "1" },
      ],
    });
  });

  it("a document type names its adapter: used when the call names none, overridden when it does", async () => {
    t.fake.putDocument("in-bucket", "draw.pdf", DOC);
    const { jobId } = await t.client.analyses.start({ document: { bucket: "in-bucket", name: "draw.pdf" }, features: ["FORMS"], documentType: "DRAW_REQUEST" });
    expect(bodies(t.server, "StartDocumentAnalysis")[0]).toMatchObject({ FeatureTypes: ["FORMS", "QUERIES"], AdaptersConfig: { Adapters: [{ AdapterId: "drawreq0adapter", Version: "2" }] } });
    const extraction = await t.client.analyses.extract(jobId, "DRAW_REQUEST");
    expect(extraction.data).toEqual({ AMOUNT: "$12,500.00" });
    await t.client.analyses.start({ document: { bucket: "in-bucket", name: "draw.pdf" }, features: ["FORMS"], documentType: "DRAW_REQUEST", adapters: [ADAPTER] });
    expect(bodies(t.server, "StartDocumentAnalysis")[1]!.AdaptersConfig).toEqual({ Adapters: [{ AdapterId: "a1b2c3d4e5f6", Version: "3", Pages: ["*"] }] });
  });

  it("refuses, before any request, adapters without queries (AWS: adapters tune QUERIES only) and ids or pages AWS rejects", async () => {
    const attempts = [
      { document: { bytes: PNG }, features: ["FORMS" as const], adapters: [ADAPTER] },
      { document: { bytes: PNG }, features: ["QUERIES" as const], queries: [{ text: "Q?" }], adapters: [{ id: "short", version: "1" }] },
      { document: { bytes: PNG }, features: ["QUERIES" as const], queries: [{ text: "Q?" }], adapters: [{ ...ADAPTER, pages: ["*", "2"] }] },
      { document: { bytes: PNG }, features: ["QUERIES" as const], queries: [{ text: "Q?" }], adapters: [{ id: ADAPTER.id, version: "" }] },
    ];
    const paths = [];
    for (const input of attempts) {
      const error = await t.client.documents.analyze(input).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      paths.push((error as ValidationError).issues.map((i) => i.path).join());
    }
    expect(paths).toEqual(["adapters", "adapters.0.id", "adapters.0.pages", "adapters.0.version"]);
    expect(t.server.requests).toEqual([]);
  });
});

describe("extraction cache (same document, same request → one Textract call)", () => {
  const cache = createMemoryExtractionCache({ maxEntries: 2 });
  const t = useTextract({ inProgressPolls: 0 }, { cache });

  it("a second analyze of the same bytes and features makes no Textract call; other features or bytes do", async () => {
    cache.clear();
    t.fake.putBytes(PNG, fakeDocument([{ forms: { "Owner:": "Ana" } }]));
    const first = await t.client.documents.analyze({ document: { bytes: PNG }, features: ["FORMS", "TABLES"] });
    const callsAfterFirst = t.fake.calls.length;
    const second = await t.client.documents.analyze({ document: { bytes: Uint8Array.from(PNG) }, features: ["TABLES", "FORMS"] });
    expect(t.fake.calls.length).toBe(callsAfterFirst);
    expect(callsAfterFirst).toBe(1);
    expect([first.cached, second.cached]).toEqual([false, true]);
    expect(second.document.keyValues.map((kv) => [kv.key, kv.value])).toEqual([["Owner:", "Ana"]]);
    await t.client.documents.analyze({ document: { bytes: PNG }, features: ["FORMS"] });
    const text = await t.client.documents.detectText({ document: { bytes: PNG } });
    expect(text.cached).toBe(false);
    expect(t.fake.calls.map((c) => c.operation)).toEqual(["AnalyzeDocument", "AnalyzeDocument", "DetectDocumentText"]);
    expect(cache.size).toBe(2); // bounded: the oldest of three entries was dropped
  });

  it("S3 inputs are keyed by ETag + version: same ETag hits, a new version misses, no ETag/version is never cached", async () => {
    cache.clear();
    t.fake.putDocument("in-bucket", "one.png", fakeDocument([{ lines: ["hello"] }]));
    const s3 = { bucket: "in-bucket", name: "one.png", etag: '"9b2cf535f27731c974343645a3985328"', version: "v1" };
    await t.client.documents.detectText({ document: { s3 } });
    const hit = await t.client.documents.detectText({ document: { s3: { ...s3, etag: "9b2cf535f27731c974343645a3985328" } } });
    expect(hit.cached).toBe(true);
    expect(hit.text).toBe("hello");
    await t.client.documents.detectText({ document: { s3: { ...s3, version: "v2" } } });
    await t.client.documents.detectText({ document: { s3: { bucket: "in-bucket", name: "one.png" } } });
    await t.client.documents.detectText({ document: { s3: { bucket: "in-bucket", name: "one.png" } } });
    expect(t.fake.calls.map((c) => c.body.Document)).toEqual([
      { S3Object: { Bucket: "in-bucket", Name: "one.png", Version: "v1" } },
      { S3Object: { Bucket: "in-bucket", Name: "one.png", Version: "v2" } },
      { S3Object: { Bucket: "in-bucket", Name: "one.png" } },
      { S3Object: { Bucket: "in-bucket", Name: "one.png" } },
    ]);
  });

  it("a cache of size 0 is refused at construction", () => {
    expect(() => createMemoryExtractionCache({ maxEntries: 0 })).toThrow(RangeError);
  });
});

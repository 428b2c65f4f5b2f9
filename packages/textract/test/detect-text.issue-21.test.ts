import { NotFoundError, ValidationError } from "@connect/core";
import { describe, expect, it } from "vitest";
import { TextractJobFailedError } from "../src/index.js";
import { fakeDocument, minimalPdf } from "../src/testing/index.js";
import { bodies, useTextract } from "./helpers.js";

const PAGES = [{ lines: ["BOUNDARY SURVEY", "Lot 14 Block 3"] }, { lines: ["Setback notes"] }, { lines: ["Signed J. Reyes"] }];

describe("documents.detectText (DetectDocumentText)", () => {
  const t = useTextract();

  it("sends only Document and returns lines with their words and geometry", async () => {
    const pdf = minimalPdf(1);
    t.fake.putBytes(pdf, fakeDocument([PAGES[0]!]));
    const result = await t.client.documents.detectText({ document: { bytes: pdf } });
    expect(bodies(t.server, "DetectDocumentText")).toEqual([{ Document: { Bytes: Buffer.from(pdf).toString("base64") } }]);
    expect(result).toMatchObject({ pageCount: 1, modelVersion: "1.0", cached: false, text: "BOUNDARY SURVEY\nLot 14 Block 3", warnings: [] });
    const [first] = result.lines;
    expect(first!.words.map((w) => [w.text, w.textType, w.page])).toEqual([
      ["BOUNDARY", "PRINTED", 1],
      ["SURVEY", "PRINTED", 1],
    ]);
    expect(first!.geometry!.polygon).toHaveLength(4);
    expect(first!.words[1]!.geometry!.boundingBox.left).toBeGreaterThan(first!.words[0]!.geometry!.boundingBox.left);
    expect(first!.id).toMatch(/^text\d+-1-\d+$/);
  });

  it("maps Textract's UnsupportedDocumentException for a two-page PDF to ValidationError, and refuses empty bytes before I/O", async () => {
    const two = minimalPdf(2);
    t.fake.putBytes(two, fakeDocument([{}]));
    const error = await t.client.documents.detectText({ document: { bytes: two } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ vendorCode: "UnsupportedDocumentException", operation: "documents.detectText", status: 400 });
    const before = t.server.requests.length;
    const empty = await t.client.documents.detectText({ document: { bytes: new Uint8Array() } }).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(ValidationError);
    expect((empty as ValidationError).issues.map((i) => i.path)).toEqual(["document.bytes"]);
    expect(t.server.requests.length).toBe(before);
  });
});

describe("textDetections (StartDocumentTextDetection + GetDocumentTextDetection)", () => {
  const t = useTextract({ inProgressPolls: 1 });

  it("starts with the idempotency key as ClientRequestToken, waits, and reads every NextToken page", async () => {
    t.fake.putDocument("in-bucket", "three.pdf", fakeDocument(PAGES));
    const { jobId } = await t.client.textDetections.start({ document: { bucket: "in-bucket", name: "three.pdf" }, jobTag: "doc-9" }, { idempotencyKey: "text-doc-9" });
    expect(bodies(t.server, "StartDocumentTextDetection")).toEqual([
      { DocumentLocation: { S3Object: { Bucket: "in-bucket", Name: "three.pdf" } }, ClientRequestToken: "text-doc-9", JobTag: "doc-9" },
    ]);
    const done = await t.client.textDetections.waitFor(jobId, {}, { minDelayMs: 1, sleep: async () => undefined });
    expect(done).toMatchObject({ status: "SUCCEEDED", pageCount: 3, polls: 2 });
    const pages = [];
    for await (const page of t.client.textDetections.parsed(jobId, {}, { maxResults: 3 })) pages.push(page);
    expect(pages.map((p) => [p.page, p.lines.map((l) => l.text)])).toEqual([
      [1, ["BOUNDARY SURVEY", "Lot 14 Block 3"]],
      [2, ["Setback notes"]],
      [3, ["Signed J. Reyes"]],
    ]);
    const gets = bodies(t.server, "GetDocumentTextDetection").filter((b) => b.MaxResults === 3);
    // 9 + 4 + 4 blocks (PAGE, LINEs, WORDs), 3 per call: six calls, each continuing where the last stopped.
    expect(gets.map((b) => b.NextToken ?? null)).toEqual([null, "p1o3", "p1o6", "p2o0", "p2o3", "p3o2"]);
    const all = await t.client.textDetections.text(jobId);
    expect(all.lines.map((l) => l.words.length)).toEqual([2, 4, 2, 3]);
  });

  it("reading a job that has not finished is a typed error naming textDetections.getPage; an analysis job id is NotFoundError", async () => {
    t.fake.putDocument("in-bucket", "one.pdf", fakeDocument([PAGES[0]!]));
    const { jobId } = await t.client.textDetections.start({ document: { bucket: "in-bucket", name: "one.pdf" } });
    const early = await t.client.textDetections.text(jobId).catch((e: unknown) => e);
    expect(early).toMatchObject({ operation: "textDetections.getPage", vendorCode: "IN_PROGRESS", retryable: false });
    const analysis = await t.client.analyses.start({ document: { bucket: "in-bucket", name: "one.pdf" }, features: ["FORMS"] });
    const wrong = await t.client.textDetections.getPage({ jobId: analysis.jobId }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(NotFoundError);
    expect(wrong).toMatchObject({ vendorCode: "InvalidJobIdException", operation: "textDetections.getPage" });
  });

  it("a FAILED text detection job ends in TextractJobFailedError from waitFor", async () => {
    t.fake.putDocument("in-bucket", "bad.pdf", fakeDocument([{}], { status: "FAILED", statusMessage: "UNSUPPORTED_DOCUMENT" }));
    const { jobId } = await t.client.textDetections.start({ document: { bucket: "in-bucket", name: "bad.pdf" } });
    const error = await t.client.textDetections.waitFor(jobId, {}, { minDelayMs: 1, sleep: async () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TextractJobFailedError);
    expect(error).toMatchObject({ jobStatus: "FAILED", statusMessage: "UNSUPPORTED_DOCUMENT", operation: "textDetections.getPage" });
  });
});

describe("parseTextStream", () => {
  it("emits each page once; a block for a page already emitted is a warning, not a second page", async () => {
    const { collectText, parseTextStream } = await import("../src/index.js");
    const line = (id: string, page: number, text: string) => ({ BlockType: "LINE", Id: id, Page: page, Text: text, Relationships: [{ Type: "CHILD", Ids: [`${id}w`] }] });
    const word = (id: string, page: number, text: string) => ({ BlockType: "WORD", Id: id, Page: page, Text: text });
    const out = await collectText(
      parseTextStream([{ Blocks: [line("a", 1, "one"), word("aw", 1, "one"), line("b", 2, "two")] }, { Blocks: [word("bw", 2, "two"), line("c", 1, "late")] }]),
    );
    expect(out.pages.map((p) => [p.page, p.lines.map((l) => l.words.map((w) => w.text))])).toEqual([
      [1, [["one"]]],
      [2, [["two"]]],
    ]);
    expect(out.warnings).toEqual(["page 1: LINE c arrived after the page was emitted"]);
  });
});

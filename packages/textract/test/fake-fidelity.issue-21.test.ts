import { createHash, createHmac } from "node:crypto";
import {
  AnalyzeDocumentCommand,
  DetectDocumentTextCommand,
  GetDocumentAnalysisCommand,
  GetDocumentTextDetectionCommand,
  StartDocumentAnalysisCommand,
  StartDocumentTextDetectionCommand,
  TextractClient,
  type Block as SdkBlock,
} from "@aws-sdk/client-textract";
import { NOT_IMPLEMENTED_HEADER, serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countPages, createTextractFake, detectFormat, fakeDocument, minimalPdf, minimalTiff, pageBlocks, type TextractFake } from "../src/testing/index.js";

const CREDS = { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret-access-key-0123" };
const PAGE = { lines: ["Lot 14 survey"], forms: { "Owner:": "Ana Reyes", "Reviewed:": true }, tables: [{ rows: [["Item", "Qty", ""], ["Front", "25 ft", "27 ft"]], merged: [{ row: 1, column: 2, columnSpan: 2 }], title: "Setbacks", footer: "All in feet" }], answers: { OWNER: "Ana Reyes" } };
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2]);

function sdkFor(url: string, credentials = CREDS): TextractClient {
  return new TextractClient({ region: "us-east-1", endpoint: url, maxAttempts: 1, credentials });
}

describe("fake blocks carry Geometry where Textract's responses do (fixtures in shared/fixtures/textract)", () => {
  const blocks = pageBlocks("g", 1, PAGE, { features: ["FORMS", "TABLES", "QUERIES"], queries: [{ Text: "Who owns it?", Alias: "OWNER" }], pageCount: 1 });

  it("every block type but QUERY has a BoundingBox and a four-point clockwise Polygon inside the page", () => {
    const types = new Set(blocks.map((b) => b.BlockType));
    expect([...types].sort()).toEqual(["CELL", "KEY_VALUE_SET", "LINE", "MERGED_CELL", "PAGE", "QUERY", "QUERY_RESULT", "SELECTION_ELEMENT", "TABLE", "TABLE_FOOTER", "TABLE_TITLE", "WORD"]);
    for (const b of blocks) {
      if (b.BlockType === "QUERY") {
        expect(b.Geometry).toBeUndefined();
        continue;
      }
      const box = b.Geometry!.BoundingBox!;
      const poly = b.Geometry!.Polygon!;
      expect(poly).toEqual([
        { X: box.Left, Y: box.Top },
        { X: expect.closeTo(box.Left! + box.Width!, 5), Y: box.Top },
        { X: expect.closeTo(box.Left! + box.Width!, 5), Y: expect.closeTo(box.Top! + box.Height!, 5) },
        { X: box.Left, Y: expect.closeTo(box.Top! + box.Height!, 5) },
      ]);
      expect(box.Left! + box.Width!).toBeLessThanOrEqual(1);
      expect(box.Top! + box.Height!).toBeLessThanOrEqual(1);
    }
    expect(blocks[0]!.Geometry!.BoundingBox).toEqual({ Width: 1, Height: 1, Left: 0, Top: 0 });
  });

  it("words sit inside their line, and a MERGED_CELL covers exactly the union of its CELL children", () => {
    const byId = new Map(blocks.map((b) => [b.Id!, b]));
    const line = blocks.find((b) => b.BlockType === "LINE")!;
    const lb = line.Geometry!.BoundingBox!;
    for (const id of line.Relationships![0]!.Ids!) {
      const wb = byId.get(id)!.Geometry!.BoundingBox!;
      expect(wb.Left!).toBeGreaterThanOrEqual(lb.Left!);
      expect(wb.Left! + wb.Width!).toBeLessThanOrEqual(lb.Left! + lb.Width! + 1e-6);
      expect(wb.Top).toBe(lb.Top);
    }
    const merged = blocks.find((b) => b.BlockType === "MERGED_CELL")!;
    expect(merged).toMatchObject({ RowIndex: 1, ColumnIndex: 2, RowSpan: 1, ColumnSpan: 2, EntityTypes: ["COLUMN_HEADER"] });
    const cells = merged.Relationships![0]!.Ids!.map((id) => byId.get(id)!);
    expect(cells.map((c) => [c.BlockType, c.RowIndex, c.ColumnIndex])).toEqual([
      ["CELL", 1, 2],
      ["CELL", 1, 3],
    ]);
    const [a, b] = cells.map((c) => c.Geometry!.BoundingBox!);
    expect(merged.Geometry!.BoundingBox).toEqual({ Left: a!.Left, Top: a!.Top, Width: expect.closeTo(b!.Left! + b!.Width! - a!.Left!, 5), Height: a!.Height });
    const table = blocks.find((b) => b.BlockType === "TABLE")!;
    expect(table.Relationships!.map((r) => r.Type)).toEqual(["CHILD", "MERGED_CELL", "TABLE_TITLE", "TABLE_FOOTER"]);
    // The empty CELL (row 1, column 3) has no CHILD relationship, as in Textract's output.
    expect(cells[1]!.Relationships).toBeUndefined();
  });
});

describe("document formats by magic bytes (Textract reads PNG, JPEG, PDF, TIFF)", () => {
  it("detects each format and counts PDF pages and TIFF image directories", () => {
    expect([PNG, JPEG, minimalPdf(), minimalTiff(), minimalTiff(1, { bigEndian: true }), new TextEncoder().encode("GIF89a")].map(detectFormat)).toEqual([
      "PNG",
      "JPEG",
      "PDF",
      "TIFF",
      "TIFF",
      undefined,
    ]);
    expect(countPages(minimalPdf(3), "PDF")).toBe(3);
    expect(countPages(minimalTiff(2), "TIFF")).toBe(2);
    expect(countPages(minimalTiff(4, { bigEndian: true }), "TIFF")).toBe(4);
    expect(countPages(new TextEncoder().encode("%PDF-1.7 truncated"), "PDF")).toBeUndefined();
  });
});

describe("the fake over the raw AWS SDK", () => {
  let fake: TextractFake;
  let server: ServedHandlers;
  let sdk: TextractClient;
  beforeEach(async () => {
    fake = createTextractFake({ inProgressPolls: 0 });
    server = await serveHandlers(fake.handlers);
    sdk = sdkFor(server.url);
  });
  afterEach(async () => {
    sdk.destroy();
    await server.close();
  });

  it("AnalyzeDocument reads single-page PDF and TIFF bytes; a multi-page one is UnsupportedDocumentException (sync is one page)", async () => {
    const pdf = minimalPdf(1);
    const tiff = minimalTiff(1, { bigEndian: true });
    fake.putBytes(pdf, fakeDocument([{ forms: { "Owner:": "Ana" } }]));
    fake.putBytes(tiff, fakeDocument([{ forms: { "Owner:": "Bo" } }]));
    const a = await sdk.send(new AnalyzeDocumentCommand({ Document: { Bytes: pdf }, FeatureTypes: ["FORMS"] }));
    const b = await sdk.send(new AnalyzeDocumentCommand({ Document: { Bytes: tiff }, FeatureTypes: ["FORMS"] }));
    expect([a, b].map((r) => r.Blocks!.filter((x) => x.BlockType === "WORD").map((w) => w.Text))).toEqual([
      ["Owner:", "Ana"],
      ["Owner:", "Bo"],
    ]);
    for (const bytes of [minimalPdf(2), minimalTiff(3)]) {
      fake.putBytes(bytes, fakeDocument([{}]));
      const error = await sdk.send(new AnalyzeDocumentCommand({ Document: { Bytes: bytes }, FeatureTypes: ["FORMS"] })).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "UnsupportedDocumentException", $metadata: { httpStatusCode: 400 } });
    }
    const corrupt = await sdk.send(new AnalyzeDocumentCommand({ Document: { Bytes: new TextEncoder().encode("%PDF-1.7 cut") }, FeatureTypes: ["FORMS"] })).catch((e: unknown) => e);
    expect(corrupt).toMatchObject({ name: "BadDocumentException" });
  });

  it("DetectDocumentText answers PAGE, LINE and WORD blocks only, with DetectDocumentTextModelVersion", async () => {
    fake.putBytes(JPEG, fakeDocument([PAGE]));
    const out = await sdk.send(new DetectDocumentTextCommand({ Document: { Bytes: JPEG } }));
    expect(new Set(out.Blocks!.map((b) => b.BlockType))).toEqual(new Set(["PAGE", "LINE", "WORD"]));
    expect(out).toMatchObject({ DocumentMetadata: { Pages: 1 }, DetectDocumentTextModelVersion: "1.0" });
    expect(out.Blocks!.every((b) => b.Geometry?.BoundingBox !== undefined)).toBe(true);
  });

  it("text detection jobs page by NextToken and are unknown to GetDocumentAnalysis (InvalidJobIdException)", async () => {
    fake.putDocument("b", "three.pdf", fakeDocument([{ lines: ["one a"] }, { lines: ["two b"] }, { lines: ["three c"] }]));
    const { JobId } = await sdk.send(new StartDocumentTextDetectionCommand({ DocumentLocation: { S3Object: { Bucket: "b", Name: "three.pdf" } } }));
    const seen: SdkBlock[] = [];
    let token: string | undefined;
    let calls = 0;
    do {
      const out = await sdk.send(new GetDocumentTextDetectionCommand({ JobId, MaxResults: 2, ...(token ? { NextToken: token } : {}) }));
      expect(out).toMatchObject({ JobStatus: "SUCCEEDED", DocumentMetadata: { Pages: 3 }, DetectDocumentTextModelVersion: "1.0" });
      seen.push(...out.Blocks!);
      token = out.NextToken;
      calls++;
    } while (token);
    expect(calls).toBe(6); // 3 pages × (PAGE + LINE + 2 WORDs) = 12 blocks, 2 per call
    expect(seen.filter((b) => b.BlockType === "LINE").map((b) => [b.Page, b.Text])).toEqual([
      [1, "one a"],
      [2, "two b"],
      [3, "three c"],
    ]);
    const cross = await sdk.send(new GetDocumentAnalysisCommand({ JobId })).catch((e: unknown) => e);
    expect(cross).toMatchObject({ name: "InvalidJobIdException" });
    expect(fake.jobs.get(JobId!)?.api).toBe("StartDocumentTextDetection");
  });

  it("validates AdaptersConfig as AWS documents it (AdapterId 12..1011, Version required, * alone, QUERIES required)", async () => {
    fake.putDocument("b", "a.pdf", fakeDocument([{}]));
    const send = (AdaptersConfig: unknown, FeatureTypes: ("QUERIES" | "FORMS")[] = ["QUERIES"]) =>
      sdk
        .send(
          new StartDocumentAnalysisCommand({
            DocumentLocation: { S3Object: { Bucket: "b", Name: "a.pdf" } },
            FeatureTypes,
            ...(FeatureTypes.includes("QUERIES") ? { QueriesConfig: { Queries: [{ Text: "Who?", Alias: "WHO" }] } } : {}),
            AdaptersConfig: AdaptersConfig as never,
          }),
        )
        .then(() => "ok", (e: { name: string; message: string }) => `${e.name}: ${e.message}`);
    expect(await send({ Adapters: [{ AdapterId: "abc123def456", Version: "1", Pages: ["*"] }] })).toBe("ok");
    expect(await send({ Adapters: [{ AdapterId: "short", Version: "1" }] })).toBe("InvalidParameterException: Adapter AdapterId must be 12..1011 characters");
    expect(await send({ Adapters: [{ AdapterId: "abc123def456" }] })).toBe("InvalidParameterException: Adapter Version must be 1..128 characters");
    expect(await send({ Adapters: [{ AdapterId: "abc123def456", Version: "1", Pages: ["*", "2"] }] })).toBe("InvalidParameterException: Adapter Pages: * must be the only element");
    expect(await send({ Adapters: [] })).toBe("InvalidParameterException: AdaptersConfig.Adapters must contain 1..100 adapters");
    expect(await send({ Adapters: [{ AdapterId: "abc123def456", Version: "1" }] }, ["FORMS"])).toBe("InvalidParameterException: AdaptersConfig requires QUERIES in FeatureTypes");
  });

  it("answers an X-Amz-Target it does not implement with core's 501 naming the fake (not a Textract error)", async () => {
    const res = await fetch(`${server.url}/`, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Textract.AnalyzeExpense" },
      body: "{}",
    });
    expect(res.status).toBe(501);
    expect(res.headers.get(NOT_IMPLEMENTED_HEADER)).toBe("@connect/textract/testing");
    expect(await res.json()).toEqual({
      error: "not_implemented_by_fake",
      message: "not implemented by @connect/textract/testing fake: POST /",
      fake: "@connect/textract/testing",
      method: "POST",
      path: "/",
    });
    const other = await fetch(`${server.url}/2018-06-27/anything`);
    expect(other.status).toBe(501);
    expect(fake.calls).toEqual([]);
  });
});

describe("SigV4 is checked when the fake has credentials (AWS Signature Version 4 spec)", () => {
  let fake: TextractFake;
  let server: ServedHandlers;
  beforeEach(async () => {
    fake = createTextractFake({ inProgressPolls: 0, credentials: CREDS, region: "us-east-1" });
    fake.putDocument("b", "a.pdf", fakeDocument([{}]));
    server = await serveHandlers(fake.handlers);
  });
  afterEach(() => server.close());

  const start = (sdk: TextractClient) =>
    sdk.send(new StartDocumentTextDetectionCommand({ DocumentLocation: { S3Object: { Bucket: "b", Name: "a.pdf" } } })).then(
      (out) => out.JobId,
      (e: unknown) => e,
    );

  it("accepts the SDK's signature made with the configured secret", async () => {
    const sdk = sdkFor(server.url);
    expect(await start(sdk)).toMatch(/^[0-9a-f]{64}$/);
    sdk.destroy();
  });

  it("refuses a wrong secret with InvalidSignatureException and an unknown key with UnrecognizedClientException, both 400", async () => {
    const wrong = sdkFor(server.url, { ...CREDS, secretAccessKey: "not-the-secret" });
    const unknown = sdkFor(server.url, { ...CREDS, accessKeyId: "AKIDOTHER" });
    expect(await start(wrong)).toMatchObject({ name: "InvalidSignatureException", $metadata: { httpStatusCode: 400 } });
    expect(await start(unknown)).toMatchObject({ name: "UnrecognizedClientException", message: "The security token included in the request is invalid.", $metadata: { httpStatusCode: 400 } });
    wrong.destroy();
    unknown.destroy();
    expect(fake.calls).toEqual([]);
  });

  it("recomputes over the body: a signed request whose body was changed afterwards is refused", async () => {
    const body = JSON.stringify({ DocumentLocation: { S3Object: { Bucket: "b", Name: "a.pdf" } } });
    const amzDate = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const date = amzDate.slice(0, 8);
    const host = new URL(server.url).host;
    const headers: Record<string, string> = { "content-type": "application/x-amz-json-1.1", host, "x-amz-date": amzDate, "x-amz-target": "Textract.StartDocumentTextDetection" };
    const signed = Object.keys(headers).sort();
    const canonical = ["POST", "/", "", signed.map((h) => `${h}:${headers[h]}\n`).join(""), signed.join(";"), createHash("sha256").update(body).digest("hex")].join("\n");
    const scope = `${date}/us-east-1/textract/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, createHash("sha256").update(canonical).digest("hex")].join("\n");
    let key: Buffer = createHmac("sha256", `AWS4${CREDS.secretAccessKey}`).update(date).digest();
    for (const part of ["us-east-1", "textract", "aws4_request"]) key = createHmac("sha256", key).update(part).digest();
    const signature = createHmac("sha256", key).update(toSign).digest("hex");
    const authorization = `AWS4-HMAC-SHA256 Credential=${CREDS.accessKeyId}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${signature}`;
    const post = (b: string) => fetch(`${server.url}/`, { method: "POST", headers: { ...headers, authorization }, body: b });
    const good = await post(body);
    expect(good.status).toBe(200);
    const tampered = await post(body.replace("a.pdf", "b.pdf"));
    expect(tampered.status).toBe(400);
    expect(await tampered.json()).toMatchObject({ __type: "InvalidSignatureException" });
    const unsigned = await fetch(`${server.url}/`, { method: "POST", headers, body });
    expect(await unsigned.json()).toMatchObject({ __type: "MissingAuthenticationTokenException" });
  });
});

/**
 * Interop (issue 21): AWS's official client — @aws-sdk/client-textract 3.1178 — driven against
 * @connect/textract/testing over a loopback socket (endpoint = the fake's URL, static
 * credentials, us-east-1). The fake is created with the same credentials, so every request's
 * SigV4 signature is recomputed and checked. Whatever the SDK sends must be answered as
 * Textract would; the blocks it returns must parse to what our own client returns.
 *
 * No quirk to work around: the SDK takes `endpoint`, and its own retries are turned off
 * (maxAttempts 1) so an expected error is one request.
 */
import {
  AnalyzeDocumentCommand,
  DetectDocumentTextCommand,
  GetDocumentAnalysisCommand,
  GetDocumentTextDetectionCommand,
  InvalidParameterException,
  InvalidJobIdException,
  StartDocumentAnalysisCommand,
  StartDocumentTextDetectionCommand,
  TextractClient,
  TextractServiceException,
  type Block as SdkBlock,
} from "@aws-sdk/client-textract";
import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { createTextractClient, parseBlocks, type Block, type TextractClientInstance } from "@connect/textract";
import { createTextractFake, fakeDocument, minimalPdf, minimalTiff, type FakePage, type TextractFake } from "@connect/textract/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const CREDS = { accessKeyId: "AKIDINTEROP", secretAccessKey: "interop-secret-access-key-0123" };
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 4, 5, 6]);
const PAGE: FakePage = {
  lines: ["BOUNDARY SURVEY", "Lot 14 Block 3"],
  forms: { "Owner:": "Jordan Reyes", "Flood zone checked:": true },
  tables: [{ rows: [["Setback", "Required", ""], ["Front", "25 ft", "27.5 ft"]], merged: [{ row: 1, column: 2, columnSpan: 2 }] }],
  answers: { OWNER: "Jordan Reyes" },
  adapterAnswers: { survey0adapter: { OWNER: "J. Reyes (adapter)" } },
};
const QUERIES = { Queries: [{ Text: "Who is the owner?", Alias: "OWNER" }] };

describe("@aws-sdk/client-textract against the Textract fake", () => {
  let fake: TextractFake;
  let server: ServedHandlers;
  let sdk: TextractClient;
  let ours: TextractClientInstance;
  beforeEach(async () => {
    fake = createTextractFake({ inProgressPolls: 0, credentials: CREDS, region: "us-east-1" });
    server = await serveHandlers(fake.handlers);
    sdk = new TextractClient({ region: "us-east-1", endpoint: server.url, credentials: CREDS, maxAttempts: 1 });
    ours = createTextractClient({
      region: "us-east-1",
      endpoint: server.url,
      credentials: CREDS,
      policy: { retry: { attempts: 1 }, limiter: false, breaker: false },
    });
  });
  afterEach(async () => {
    sdk.destroy();
    await ours.close();
    await server.close();
  });

  it("AnalyzeDocument with PNG, JPEG, single-page PDF and TIFF bytes (FORMS + TABLES + QUERIES)", async () => {
    const inputs = { PNG, JPEG, PDF: minimalPdf(1), TIFF: minimalTiff(1) };
    for (const [format, bytes] of Object.entries(inputs)) {
      fake.putBytes(bytes, fakeDocument([PAGE]));
      const out = await sdk.send(new AnalyzeDocumentCommand({ Document: { Bytes: bytes }, FeatureTypes: ["FORMS", "TABLES", "QUERIES"], QueriesConfig: QUERIES }));
      expect(out.DocumentMetadata, format).toEqual({ Pages: 1 });
      expect(out.AnalyzeDocumentModelVersion).toBe("1.0");
      const parsed = parseBlocks(out.Blocks as Block[]);
      expect(parsed.keyValues.map((kv) => [kv.key, kv.value, kv.selected])).toEqual([
        ["Owner:", "Jordan Reyes", undefined],
        ["Flood zone checked:", "", true],
      ]);
      expect(parsed.queries.map((q) => [q.alias, q.text])).toEqual([["OWNER", "Jordan Reyes"]]);
      expect(parsed.tables).toHaveLength(1);
      // Every block the SDK deserialised but QUERY carries Geometry.
      expect(out.Blocks!.filter((b) => b.BlockType !== "QUERY").every((b) => b.Geometry?.BoundingBox && b.Geometry.Polygon?.length === 4)).toBe(true);
    }
  });

  it("AnalyzeDocument with AdaptersConfig: the adapter's answer comes back", async () => {
    fake.putBytes(PNG, fakeDocument([PAGE]));
    const out = await sdk.send(
      new AnalyzeDocumentCommand({
        Document: { Bytes: PNG },
        FeatureTypes: ["QUERIES"],
        QueriesConfig: QUERIES,
        AdaptersConfig: { Adapters: [{ AdapterId: "survey0adapter", Version: "1", Pages: ["1"] }] },
      }),
    );
    expect(out.Blocks!.filter((b) => b.BlockType === "QUERY_RESULT").map((b) => b.Text)).toEqual(["J. Reyes (adapter)"]);
  });

  it("the SDK's blocks fed into parseBlocks give what our client returns for the same document", async () => {
    fake.putBytes(PNG, fakeDocument([PAGE]));
    const out = await sdk.send(new AnalyzeDocumentCommand({ Document: { Bytes: PNG }, FeatureTypes: ["FORMS", "TABLES", "QUERIES"], QueriesConfig: QUERIES }));
    const mine = await ours.documents.analyze({ document: { bytes: PNG }, features: ["FORMS", "TABLES"], queries: [{ text: "Who is the owner?", alias: "OWNER" }] });
    // Block ids differ per response (as with Textract); everything else must agree.
    const strip = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (k, v: unknown) => (/^(id|keyId|valueId|.*Ids?)$/.test(k) ? undefined : v)));
    expect(strip(parseBlocks(out.Blocks as Block[]))).toEqual(strip(mine.document));
  });

  it("DetectDocumentText: PAGE/LINE/WORD blocks; our detectText returns the same lines", async () => {
    fake.putBytes(JPEG, fakeDocument([PAGE]));
    const out = await sdk.send(new DetectDocumentTextCommand({ Document: { Bytes: JPEG } }));
    expect(out.DetectDocumentTextModelVersion).toBe("1.0");
    expect([...new Set(out.Blocks!.map((b) => b.BlockType))]).toEqual(["PAGE", "LINE", "WORD"]);
    const mine = await ours.documents.detectText({ document: { bytes: JPEG } });
    expect(mine.lines.map((l) => [l.text, l.geometry?.boundingBox.top])).toEqual(
      out.Blocks!.filter((b) => b.BlockType === "LINE").map((b) => [b.Text, b.Geometry?.BoundingBox?.Top]),
    );
  });

  it("StartDocumentAnalysis + GetDocumentAnalysis, following NextToken to the last page", async () => {
    fake.putDocument("in-bucket", "survey.pdf", fakeDocument([PAGE, { lines: ["page two"] }, { forms: { "Signed:": "yes" } }]));
    const { JobId } = await sdk.send(
      new StartDocumentAnalysisCommand({
        DocumentLocation: { S3Object: { Bucket: "in-bucket", Name: "survey.pdf" } },
        FeatureTypes: ["FORMS", "TABLES"],
        ClientRequestToken: "interop-1",
        JobTag: "tenant-t_1:doc-9",
      }),
    );
    const again = await sdk.send(
      new StartDocumentAnalysisCommand({ DocumentLocation: { S3Object: { Bucket: "in-bucket", Name: "survey.pdf" } }, FeatureTypes: ["FORMS", "TABLES"], ClientRequestToken: "interop-1", JobTag: "tenant-t_1:doc-9" }),
    );
    expect(again.JobId).toBe(JobId);
    const blocks: SdkBlock[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const out = await sdk.send(new GetDocumentAnalysisCommand({ JobId, MaxResults: 10, ...(NextToken ? { NextToken } : {}) }));
      expect(out.JobStatus).toBe("SUCCEEDED");
      expect(out.DocumentMetadata?.Pages).toBe(3);
      blocks.push(...(out.Blocks ?? []));
      NextToken = out.NextToken;
      pages++;
    } while (NextToken && pages < 50);
    expect(pages).toBeGreaterThan(2);
    expect(NextToken).toBeUndefined();
    const parsed = parseBlocks(blocks as Block[]);
    expect(parsed.keyValues.map((kv) => [kv.page, kv.key])).toEqual([
      [1, "Owner:"],
      [1, "Flood zone checked:"],
      [3, "Signed:"],
    ]);
    // Our client reads the same job through its own paging and parses the same key-values.
    const mine = [];
    for await (const page of ours.analyses.parsed(JobId!, {}, { maxResults: 7 })) mine.push(...page.keyValues.map((kv) => [kv.page, kv.key]));
    expect(mine).toEqual(parsed.keyValues.map((kv) => [kv.page, kv.key]));
  });

  it("StartDocumentTextDetection + GetDocumentTextDetection", async () => {
    fake.putDocument("in-bucket", "notes.tiff", fakeDocument([{ lines: ["first page"] }, { lines: ["second page"] }]));
    const { JobId } = await sdk.send(new StartDocumentTextDetectionCommand({ DocumentLocation: { S3Object: { Bucket: "in-bucket", Name: "notes.tiff" } } }));
    const lines: string[] = [];
    let NextToken: string | undefined;
    do {
      const out = await sdk.send(new GetDocumentTextDetectionCommand({ JobId, MaxResults: 3, ...(NextToken ? { NextToken } : {}) }));
      expect(out).toMatchObject({ JobStatus: "SUCCEEDED", DetectDocumentTextModelVersion: "1.0" });
      lines.push(...(out.Blocks ?? []).filter((b) => b.BlockType === "LINE").map((b) => b.Text!));
      NextToken = out.NextToken;
    } while (NextToken);
    expect(lines).toEqual(["first page", "second page"]);
    expect((await ours.textDetections.text(JobId!)).text).toBe("first page\nsecond page");
  });

  it("an InvalidParameterException is the SDK's typed exception with $metadata.httpStatusCode 400", async () => {
    const error = await sdk
      .send(new StartDocumentAnalysisCommand({ DocumentLocation: { S3Object: { Bucket: "in-bucket", Name: "x.pdf" } }, FeatureTypes: ["QUERIES"] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error).toMatchObject({ name: "InvalidParameterException", message: "QueriesConfig is required when FeatureTypes contains QUERIES", $fault: "client", $metadata: { httpStatusCode: 400 } });
    const unknownJob = await sdk.send(new GetDocumentAnalysisCommand({ JobId: "no-such-job" })).catch((e: unknown) => e);
    expect(unknownJob).toBeInstanceOf(InvalidJobIdException);
  });

  it("SigV4 is enforced: a wrong secret is the SDK's InvalidSignatureException, an unknown key UnrecognizedClientException", async () => {
    const wrong = new TextractClient({ region: "us-east-1", endpoint: server.url, credentials: { ...CREDS, secretAccessKey: "wrong-secret" }, maxAttempts: 1 });
    const stranger = new TextractClient({ region: "us-east-1", endpoint: server.url, credentials: { ...CREDS, accessKeyId: "AKIDSTRANGER" }, maxAttempts: 1 });
    const bad = await wrong.send(new DetectDocumentTextCommand({ Document: { Bytes: PNG } })).catch((e: unknown) => e);
    const unknown = await stranger.send(new DetectDocumentTextCommand({ Document: { Bytes: PNG } })).catch((e: unknown) => e);
    wrong.destroy();
    stranger.destroy();
    // Neither is a modelled Textract error, so the SDK raises its service exception base class with the wire code as name.
    expect(bad).toBeInstanceOf(TextractServiceException);
    expect(bad).toMatchObject({ name: "InvalidSignatureException", $metadata: { httpStatusCode: 400 } });
    expect(unknown).toBeInstanceOf(TextractServiceException);
    expect(unknown).toMatchObject({ name: "UnrecognizedClientException", $metadata: { httpStatusCode: 400 } });
    expect(fake.calls).toEqual([]);
  });
});

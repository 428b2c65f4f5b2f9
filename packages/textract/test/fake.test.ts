import { GetDocumentAnalysisCommand, StartDocumentAnalysisCommand, TextractClient } from "@aws-sdk/client-textract";
import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseBlocks, type Block } from "../src/blocks.js";
import { createTextractFake, fakeDocument, queryCoversPage, type TextractFake } from "../src/testing/index.js";

describe("the fake refuses what Textract refuses (raw SDK calls)", () => {
  let fake: TextractFake;
  let server: ServedHandlers;
  let sdk: TextractClient;
  beforeEach(async () => {
    fake = createTextractFake({ inProgressPolls: 0 });
    fake.putDocument("b", "two.pdf", fakeDocument([{ answers: { OWNER: "Ana" } }, { answers: { OWNER: "Ana (page 2)" } }]));
    server = await serveHandlers(fake.handlers);
    sdk = new TextractClient({ region: "us-east-1", endpoint: server.url, maxAttempts: 1, credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret-key" } });
  });
  afterEach(async () => {
    sdk.destroy();
    await server.close();
  });

  it("QUERIES without QueriesConfig is InvalidParameterException with Textract's error body", async () => {
    const error = await sdk.send(new StartDocumentAnalysisCommand({ DocumentLocation: { S3Object: { Bucket: "b", Name: "two.pdf" } }, FeatureTypes: ["QUERIES"] })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "InvalidParameterException", message: "QueriesConfig is required when FeatureTypes contains QUERIES", $metadata: { httpStatusCode: 400 } });
  });

  it("a token longer than 64 characters is refused", async () => {
    const error = await sdk
      .send(new StartDocumentAnalysisCommand({ DocumentLocation: { S3Object: { Bucket: "b", Name: "two.pdf" } }, FeatureTypes: ["FORMS"], ClientRequestToken: "x".repeat(65) }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "InvalidParameterException" });
  });

  it("answers a query without Pages on page 1 only — why the package always sends Pages ['*']", async () => {
    const run = async (Pages?: string[]) => {
      const { JobId } = await sdk.send(
        new StartDocumentAnalysisCommand({
          DocumentLocation: { S3Object: { Bucket: "b", Name: "two.pdf" } },
          FeatureTypes: ["QUERIES"],
          QueriesConfig: { Queries: [{ Text: "Who is the owner?", Alias: "OWNER", ...(Pages ? { Pages } : {}) }] },
        }),
      );
      const out = await sdk.send(new GetDocumentAnalysisCommand({ JobId }));
      return parseBlocks(out.Blocks as Block[]).queries.map((q) => [q.page, q.text]);
    };
    expect(await run()).toEqual([[1, "Ana"]]);
    expect(await run(["*"])).toEqual([[1, "Ana"], [2, "Ana (page 2)"]]);
    expect(await run(["2-*"])).toEqual([[2, "Ana (page 2)"]]);
  });

  it("an unknown job id is InvalidJobIdException", async () => {
    const error = await sdk.send(new GetDocumentAnalysisCommand({ JobId: "missing" })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "InvalidJobIdException", $metadata: { httpStatusCode: 400 } });
  });

  it("parses query page ranges as Textract does", () => {
    expect([1, 2, 3, 4].map((p) => queryCoversPage(["1", "3-*"], p, 4))).toEqual([true, false, true, true]);
    expect([1, 2, 3].map((p) => queryCoversPage(["2-3"], p, 3))).toEqual([false, true, true]);
    expect(queryCoversPage(undefined, 2, 3)).toBe(false);
  });
});

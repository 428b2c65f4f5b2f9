/**
 * The SDK's schema deserializer is replaced by JSON.parse for 2xx answers (src/sdk.ts
 * withJsonOutput): the output must be what the SDK itself produces for the same bytes, and an
 * error answer must still become the SDK's typed exception.
 */
import { readFileSync } from "node:fs";
import { AnalyzeDocumentCommand, TextractClient } from "@aws-sdk/client-textract";
import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { http, HttpResponse } from "msw";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { withJsonOutput } from "../src/sdk.js";

const fixture = readFileSync(new URL("./fixtures/analyze-document-forms-tables-checkboxes.json", import.meta.url), "utf8");

describe("withJsonOutput", () => {
  let server: ServedHandlers;
  let client: TextractClient;
  let answer: { status: number; body: string; headers?: Record<string, string> };
  beforeEach(async () => {
    server = await serveHandlers([http.post("*/", () => new HttpResponse(answer.body, { status: answer.status, headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "req-42", ...answer.headers } }))]);
    client = new TextractClient({ region: "us-east-1", endpoint: server.url, maxAttempts: 1, credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" } });
  });
  afterEach(async () => {
    client.destroy();
    await server.close();
  });

  const input = { Document: { Bytes: new Uint8Array([0x25, 0x50, 0x44, 0x46]) }, FeatureTypes: ["FORMS" as const, "TABLES" as const] };

  it("gives the output the SDK gives for a real AnalyzeDocument answer, with its $metadata", async () => {
    answer = { status: 200, body: fixture };
    const theirs = await client.send(new AnalyzeDocumentCommand(input));
    const ours = await client.send(withJsonOutput(new AnalyzeDocumentCommand(input)));
    const { $metadata: theirMeta, ...theirOutput } = theirs;
    const { $metadata: ourMeta, ...ourOutput } = ours;
    // One difference: a member Textract's model lacks (this capture carries boto3's
    // ResponseMetadata) is kept, where the SDK drops it; the client's output schemas drop it next.
    expect(ourOutput).toEqual({ ...theirOutput, ResponseMetadata: (JSON.parse(fixture) as { ResponseMetadata: unknown }).ResponseMetadata });
    expect(ourOutput.Blocks!.length).toBeGreaterThan(50);
    expect(ourMeta).toMatchObject({ httpStatusCode: 200, requestId: "req-42" });
    expect(ourMeta.requestId).toBe(theirMeta.requestId);
  });

  it("leaves an error answer to the SDK: the typed exception with its status and request id", async () => {
    answer = { status: 400, body: JSON.stringify({ __type: "InvalidParameterException", message: "Request has invalid parameters" }) };
    const error = await client.send(withJsonOutput(new AnalyzeDocumentCommand(input))).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "InvalidParameterException", message: "Request has invalid parameters", $metadata: { httpStatusCode: 400, requestId: "req-42" } });
  });

  it("refuses a 2xx answer that is not a JSON object", async () => {
    answer = { status: 200, body: "[1,2]" };
    await expect(client.send(withJsonOutput(new AnalyzeDocumentCommand(input)))).rejects.toThrow("textract: the answer is not a JSON object");
  });
});

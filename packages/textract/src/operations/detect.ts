/**
 * Text detection operations: DetectDocumentText (one page, synchronous) and the asynchronous
 * StartDocumentTextDetection / GetDocumentTextDetection, which share the analysis job model
 * (ClientRequestToken from the idempotency key, result pages by NextToken).
 */
import { defineOperation } from "@connect/core";
import { AnalysisPage, AnalyzeDocumentOutput, DetectTextInput, GetAnalysisPageInput, StartAnalysisOutput, StartTextDetectionInput } from "../schemas.js";
import { withJsonOutput, type LazyTextractSdk } from "../sdk.js";
import { getPageRequest, jobPage, signal, startJobFields, wireDocument } from "./analysis.js";

/** Build the text detection operations around one SDK client. @internal */
export function createTextDetectionOperations(sdk: LazyTextractSdk) {
  const detectText = defineOperation({
    id: "documents.detectText",
    input: DetectTextInput,
    output: AnalyzeDocumentOutput,
    idempotent: true,
    execute: async (input, ctx) => {
      const { client, aws } = await sdk.get();
      const out = await client.send(withJsonOutput(new aws.DetectDocumentTextCommand({ Document: wireDocument(input.document) })), signal(ctx));
      return { pageCount: out.DocumentMetadata?.Pages ?? 0, blocks: out.Blocks ?? [], modelVersion: out.DetectDocumentTextModelVersion };
    },
  });

  const startTextDetection = defineOperation({
    id: "textDetections.start",
    input: StartTextDetectionInput,
    output: StartAnalysisOutput,
    // Same 7-day ClientRequestToken dedupe as StartDocumentAnalysis, in its own token space.
    safety: "keyed",
    execute: async (input, ctx) => {
      const { client, aws } = await sdk.get();
      const out = await client.send(withJsonOutput(new aws.StartDocumentTextDetectionCommand(startJobFields(input, ctx))), signal(ctx));
      return { jobId: out.JobId };
    },
  });

  const getTextDetectionPage = defineOperation({
    id: "textDetections.getPage",
    input: GetAnalysisPageInput,
    output: AnalysisPage,
    idempotent: true,
    execute: async (input, ctx) => {
      const { client, aws } = await sdk.get();
      const out = await client.send(withJsonOutput(new aws.GetDocumentTextDetectionCommand(getPageRequest(input))), signal(ctx));
      return jobPage(out, out.DetectDocumentTextModelVersion);
    },
  });

  return { detectText, startTextDetection, getTextDetectionPage };
}

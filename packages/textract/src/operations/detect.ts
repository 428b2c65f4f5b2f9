/**
 * Text detection operations: DetectDocumentText (one page, synchronous) and the asynchronous
 * StartDocumentTextDetection / GetDocumentTextDetection, which share the analysis job model
 * (ClientRequestToken from the idempotency key, result pages by NextToken).
 */
import {
  DetectDocumentTextCommand,
  GetDocumentTextDetectionCommand,
  StartDocumentTextDetectionCommand,
  type TextractClient,
} from "@aws-sdk/client-textract";
import { defineOperation, type OperationContext } from "@connect/core";
import { AnalysisPage, AnalyzeDocumentOutput, DetectTextInput, GetAnalysisPageInput, StartAnalysisOutput, StartTextDetectionInput } from "../schemas.js";
import { clientRequestToken, wireDocument } from "./analysis.js";

function signal(ctx: OperationContext): { abortSignal: AbortSignal } | undefined {
  return ctx.signal ? { abortSignal: ctx.signal } : undefined;
}

/** Build the text detection operations around one SDK client. @internal */
export function createTextDetectionOperations(sdk: TextractClient) {
  const detectText = defineOperation({
    id: "documents.detectText",
    input: DetectTextInput,
    output: AnalyzeDocumentOutput,
    idempotent: true,
    execute: async (input, ctx) => {
      const out = await sdk.send(new DetectDocumentTextCommand({ Document: wireDocument(input.document) }), signal(ctx));
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
      const out = await sdk.send(
        new StartDocumentTextDetectionCommand({
          DocumentLocation: {
            S3Object: { Bucket: input.document.bucket, Name: input.document.name, ...(input.document.version ? { Version: input.document.version } : {}) },
          },
          ClientRequestToken: clientRequestToken(ctx.idempotencyKey),
          ...(input.jobTag !== undefined ? { JobTag: input.jobTag } : {}),
          ...(input.notification ? { NotificationChannel: { SNSTopicArn: input.notification.snsTopicArn, RoleArn: input.notification.roleArn } } : {}),
          ...(input.output ? { OutputConfig: { S3Bucket: input.output.bucket, ...(input.output.prefix ? { S3Prefix: input.output.prefix } : {}) } } : {}),
          ...(input.kmsKeyId !== undefined ? { KMSKeyId: input.kmsKeyId } : {}),
        }),
        signal(ctx),
      );
      return { jobId: out.JobId };
    },
  });

  const getTextDetectionPage = defineOperation({
    id: "textDetections.getPage",
    input: GetAnalysisPageInput,
    output: AnalysisPage,
    idempotent: true,
    execute: async (input, ctx) => {
      const out = await sdk.send(
        new GetDocumentTextDetectionCommand({
          JobId: input.jobId,
          ...(input.maxResults !== undefined ? { MaxResults: input.maxResults } : {}),
          ...(input.nextToken !== undefined ? { NextToken: input.nextToken } : {}),
        }),
        signal(ctx),
      );
      return {
        status: out.JobStatus,
        ...(out.StatusMessage !== undefined ? { statusMessage: out.StatusMessage } : {}),
        ...(out.DocumentMetadata?.Pages !== undefined ? { pageCount: out.DocumentMetadata.Pages } : {}),
        blocks: out.Blocks ?? [],
        ...(out.NextToken !== undefined ? { nextToken: out.NextToken } : {}),
        warnings: (out.Warnings ?? []).map((w) => ({ ...(w.ErrorCode !== undefined ? { errorCode: w.ErrorCode } : {}), pages: w.Pages ?? [] })),
        ...(out.DetectDocumentTextModelVersion !== undefined ? { modelVersion: out.DetectDocumentTextModelVersion } : {}),
      };
    },
  });

  return { detectText, startTextDetection, getTextDetectionPage };
}

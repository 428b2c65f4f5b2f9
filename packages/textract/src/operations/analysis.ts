/**
 * Textract operations, run through core's `execute` hook with the AWS SDK client (SigV4 is the
 * SDK's job; the SDK's own retries are off so core's policy is the only retry layer).
 */
import { createHash } from "node:crypto";
import {
  AnalyzeDocumentCommand,
  GetDocumentAnalysisCommand,
  StartDocumentAnalysisCommand,
  type FeatureType as SdkFeatureType,
  type TextractClient,
} from "@aws-sdk/client-textract";
import { defineOperation, ValidationError, type OperationContext } from "@connect/core";
import { queriesFor, type DocumentTypeRegistry } from "../document-types.js";
import {
  AnalysisPage,
  AnalyzeDocumentInput,
  AnalyzeDocumentOutput,
  GetAnalysisPageInput,
  StartAnalysisInput,
  StartAnalysisOutput,
  type FeatureType,
  type Query,
} from "../schemas.js";

const TOKEN_RE = /^[a-zA-Z0-9-_]{1,64}$/;

/**
 * ClientRequestToken from the idempotency key: used as is when it fits Textract's 1..64
 * `[a-zA-Z0-9-_]`, otherwise its SHA-256 in hex (64 chars). Same key → same token on every attempt.
 * @public
 */
export function clientRequestToken(idempotencyKey: string): string {
  return TOKEN_RE.test(idempotencyKey) ? idempotencyKey : createHash("sha256").update(idempotencyKey).digest("hex");
}

function wireQueries(
  input: { queries?: Query[] | undefined; documentType?: string | undefined },
  registry: DocumentTypeRegistry,
  operation: string,
): { Text: string; Alias?: string; Pages: string[] }[] {
  const out: { Text: string; Alias?: string; Pages: string[] }[] = [];
  if (input.documentType !== undefined) {
    const type = registry.get(input.documentType);
    if (!type) {
      throw new ValidationError(`unknown document type "${input.documentType}" (known: ${registry.ids().join(", ")})`, {
        operation,
        issues: [{ path: "documentType", message: "not a registered document type" }],
      });
    }
    out.push(...queriesFor(type));
  }
  for (const q of input.queries ?? []) out.push({ Text: q.text, ...(q.alias !== undefined ? { Alias: q.alias } : {}), Pages: q.pages ?? ["*"] });
  return out;
}

function features(list: FeatureType[], queries: unknown[]): SdkFeatureType[] {
  const set = new Set<FeatureType>(list);
  if (queries.length) set.add("QUERIES");
  return [...set];
}

function signal(ctx: OperationContext): { abortSignal: AbortSignal } | undefined {
  return ctx.signal ? { abortSignal: ctx.signal } : undefined;
}

/** Build the operations around one SDK client and document-type registry. @internal */
export function createTextractOperations(sdk: TextractClient, registry: DocumentTypeRegistry) {
  const analyzeDocument = defineOperation({
    id: "documents.analyze",
    input: AnalyzeDocumentInput,
    output: AnalyzeDocumentOutput,
    idempotent: true,
    execute: async (input, ctx) => {
      const queries = wireQueries(input, registry, "documents.analyze");
      const doc =
        "bytes" in input.document
          ? { Bytes: input.document.bytes }
          : { S3Object: { Bucket: input.document.s3.bucket, Name: input.document.s3.name, ...(input.document.s3.version ? { Version: input.document.s3.version } : {}) } };
      const out = await sdk.send(
        new AnalyzeDocumentCommand({
          Document: doc,
          FeatureTypes: features(input.features, queries),
          ...(queries.length ? { QueriesConfig: { Queries: queries.map(({ Pages: _p, ...q }) => q) } } : {}),
        }),
        signal(ctx),
      );
      return { pageCount: out.DocumentMetadata?.Pages ?? 0, blocks: out.Blocks ?? [], modelVersion: out.AnalyzeDocumentModelVersion };
    },
  });

  const startAnalysis = defineOperation({
    id: "analyses.start",
    input: StartAnalysisInput,
    output: StartAnalysisOutput,
    // Textract dedupes on ClientRequestToken for 7 days: same token + same params → same JobId.
    safety: "keyed",
    execute: async (input, ctx) => {
      const queries = wireQueries(input, registry, "analyses.start");
      const out = await sdk.send(
        new StartDocumentAnalysisCommand({
          DocumentLocation: {
            S3Object: { Bucket: input.document.bucket, Name: input.document.name, ...(input.document.version ? { Version: input.document.version } : {}) },
          },
          FeatureTypes: features(input.features, queries),
          ...(queries.length ? { QueriesConfig: { Queries: queries } } : {}),
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

  const getAnalysisPage = defineOperation({
    id: "analyses.getPage",
    input: GetAnalysisPageInput,
    output: AnalysisPage,
    idempotent: true,
    execute: async (input, ctx) => {
      const out = await sdk.send(
        new GetDocumentAnalysisCommand({
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
        ...(out.AnalyzeDocumentModelVersion !== undefined ? { modelVersion: out.AnalyzeDocumentModelVersion } : {}),
      };
    },
  });

  return { analyzeDocument, startAnalysis, getAnalysisPage };
}

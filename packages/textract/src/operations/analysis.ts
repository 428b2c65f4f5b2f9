/**
 * Textract operations, run through core's `execute` hook with the AWS SDK client (SigV4 is the
 * SDK's job; the SDK's own retries are off so core's policy is the only retry layer).
 */
import { createHash } from "node:crypto";
import type { AnalyzeDocumentCommandInput, Document, FeatureType as SdkFeatureType } from "@aws-sdk/client-textract";
import { defineOperation, ValidationError, type OperationContext } from "@connect/core";
import type { z } from "zod";
import type { Block } from "../blocks.js";
import { queriesFor, type DocumentTypeRegistry } from "../document-types.js";
import { withJsonOutput, type LazyTextractSdk } from "../sdk.js";
import {
  AnalysisPage,
  AnalyzeDocumentInput,
  AnalyzeDocumentOutput,
  GetAnalysisPageInput,
  StartAnalysisInput,
  StartAnalysisOutput,
  type StartTextDetectionInput,
  type Adapter,
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

/**
 * AdaptersConfig of a call: the adapters it names, else its document type's adapter (the
 * type is known to exist: wireQueries has checked it). Textract applies an adapter to page 1
 * unless Pages says otherwise; the package passes `pages` through as given.
 * @internal
 */
export function wireAdapters(
  input: { adapters?: Adapter[] | undefined; documentType?: string | undefined },
  registry: DocumentTypeRegistry,
): { Adapters: { AdapterId: string; Version: string; Pages?: string[] }[] } | undefined {
  const list = input.adapters ?? (input.documentType !== undefined ? [registry.get(input.documentType)?.adapter].filter((a): a is Adapter => a !== undefined) : []);
  if (!list.length) return undefined;
  return { Adapters: list.map((a) => ({ AdapterId: a.id, Version: a.version, ...(a.pages ? { Pages: [...a.pages] } : {}) })) };
}

function features(list: FeatureType[], queries: unknown[]): SdkFeatureType[] {
  const set = new Set<FeatureType>(list);
  if (queries.length) set.add("QUERIES");
  return [...set];
}

/** The SDK's send options carrying the call's abort signal. @internal */
export function signal(ctx: OperationContext): { abortSignal: AbortSignal } | undefined {
  return ctx.signal ? { abortSignal: ctx.signal } : undefined;
}

/** The Document of a synchronous call: Bytes, or an S3Object (the ETag is the cache's, not Textract's). @internal */
export function wireDocument(document: { bytes: Uint8Array } | { s3: { bucket: string; name: string; version?: string | undefined } }): Document {
  return "bytes" in document
    ? { Bytes: document.bytes }
    : { S3Object: { Bucket: document.s3.bucket, Name: document.s3.name, ...(document.s3.version ? { Version: document.s3.version } : {}) } };
}

/** The AnalyzeDocument request for a validated input (also what the extraction cache keys on). @internal */
export function analyzeDocumentRequest(input: z.output<typeof AnalyzeDocumentInput>, registry: DocumentTypeRegistry): AnalyzeDocumentCommandInput {
  const queries = wireQueries(input, registry, "documents.analyze");
  const adapters = wireAdapters(input, registry);
  return {
    Document: wireDocument(input.document),
    FeatureTypes: features(input.features, queries),
    // AnalyzeDocument reads one page: Pages is for the asynchronous API.
    ...(queries.length ? { QueriesConfig: { Queries: queries.map(({ Pages: _p, ...q }) => q) } } : {}),
    ...(adapters ? { AdaptersConfig: adapters } : {}),
  };
}

/** What a Start call of either job API (analysis, text detection) sends besides its features. @internal */
export function startJobFields(input: z.output<typeof StartTextDetectionInput>, ctx: OperationContext) {
  return {
    DocumentLocation: {
      S3Object: { Bucket: input.document.bucket, Name: input.document.name, ...(input.document.version ? { Version: input.document.version } : {}) },
    },
    ClientRequestToken: clientRequestToken(ctx.idempotencyKey),
    ...(input.jobTag !== undefined ? { JobTag: input.jobTag } : {}),
    ...(input.notification ? { NotificationChannel: { SNSTopicArn: input.notification.snsTopicArn, RoleArn: input.notification.roleArn } } : {}),
    ...(input.output ? { OutputConfig: { S3Bucket: input.output.bucket, ...(input.output.prefix ? { S3Prefix: input.output.prefix } : {}) } } : {}),
    ...(input.kmsKeyId !== undefined ? { KMSKeyId: input.kmsKeyId } : {}),
  };
}

/** The request for one result page of either job API. @internal */
export function getPageRequest(input: z.output<typeof GetAnalysisPageInput>) {
  return {
    JobId: input.jobId,
    ...(input.maxResults !== undefined ? { MaxResults: input.maxResults } : {}),
    ...(input.nextToken !== undefined ? { NextToken: input.nextToken } : {}),
  };
}

/** The fields both job APIs' Get answers share (model version named per API). */
interface JobPageOutput {
  JobStatus?: string | undefined;
  StatusMessage?: string | undefined;
  DocumentMetadata?: { Pages?: number | undefined } | undefined;
  Blocks?: Block[] | undefined;
  NextToken?: string | undefined;
  Warnings?: { ErrorCode?: string | undefined; Pages?: number[] | undefined }[] | undefined;
}

/** One result page of either job API as an {@link AnalysisPage}. @internal */
export function jobPage(out: JobPageOutput, modelVersion: string | undefined) {
  return {
    status: out.JobStatus,
    ...(out.StatusMessage !== undefined ? { statusMessage: out.StatusMessage } : {}),
    ...(out.DocumentMetadata?.Pages !== undefined ? { pageCount: out.DocumentMetadata.Pages } : {}),
    blocks: out.Blocks ?? [],
    ...(out.NextToken !== undefined ? { nextToken: out.NextToken } : {}),
    warnings: (out.Warnings ?? []).map((w) => ({ ...(w.ErrorCode !== undefined ? { errorCode: w.ErrorCode } : {}), pages: w.Pages ?? [] })),
    ...(modelVersion !== undefined ? { modelVersion } : {}),
  };
}

/** Build the operations around one SDK client and document-type registry. @internal */
export function createTextractOperations(sdk: LazyTextractSdk, registry: DocumentTypeRegistry) {
  const analyzeDocument = defineOperation({
    id: "documents.analyze",
    input: AnalyzeDocumentInput,
    output: AnalyzeDocumentOutput,
    idempotent: true,
    execute: async (input, ctx) => {
      const { client, aws } = await sdk.get();
      const out = await client.send(withJsonOutput(new aws.AnalyzeDocumentCommand(analyzeDocumentRequest(input, registry))), signal(ctx));
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
      const adapters = wireAdapters(input, registry);
      const { client, aws } = await sdk.get();
      const out = await client.send(
        withJsonOutput(new aws.StartDocumentAnalysisCommand({
          ...startJobFields(input, ctx),
          FeatureTypes: features(input.features, queries),
          ...(queries.length ? { QueriesConfig: { Queries: queries } } : {}),
          ...(adapters ? { AdaptersConfig: adapters } : {}),
        })),
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
      const { client, aws } = await sdk.get();
      const out = await client.send(
        withJsonOutput(new aws.GetDocumentAnalysisCommand(getPageRequest(input))),
        signal(ctx),
      );
      return jobPage(out, out.AnalyzeDocumentModelVersion);
    },
  });

  return { analyzeDocument, startAnalysis, getAnalysisPage };
}

/** Zod schemas of the operations' inputs and outputs (shared/vendors/textract.md §2). */
import { lazySchema, unlazy } from "@connect/core";
import { z } from "zod";

/** Analysis features. @public */
export const FeatureType = lazySchema(() =>
  z.enum(["TABLES", "FORMS", "QUERIES", "SIGNATURES", "LAYOUT"]),
);
/** An analysis feature. @public */
export type FeatureType = z.infer<typeof FeatureType>;

/** A query; `pages` defaults to every page (`["*"]`), not Textract's page-1-only default. @public */
export const Query = lazySchema(() =>
  z.strictObject({
  text: z.string().min(1).max(200),
  alias: z.string().min(1).max(200).optional(),
  pages: z.array(z.string().regex(/^(\*|\d+(-(\d+|\*))?)$/, "a page number, a range like 2-5, 3-*, or *")).min(1).optional(),
}),
);
/** A query. @public */
export type Query = z.infer<typeof Query>;

/** An object in S3. @public */
export const S3Location = lazySchema(() =>
  z.strictObject({
  bucket: z.string().min(3).max(255),
  name: z.string().min(1).max(1024),
  version: z.string().min(1).max(1024).optional(),
  /** The object's ETag (from your upload or a HeadObject): with `version`, it keys the extraction cache; never sent to Textract. */
  etag: z.string().min(1).max(1024).optional(),
}),
);
/** An object in S3. @public */
export type S3Location = z.infer<typeof S3Location>;

/**
 * A custom adapter (Textract `Adapter`): its id, version and the pages it applies to (Textract's
 * default is page 1 only). @public
 */
export const Adapter = lazySchema(() =>
  z.strictObject({
  id: z.string().min(12).max(1011),
  version: z.string().min(1).max(128),
  pages: z
    .array(z.string().max(9).regex(/^(\*|\d+(-(\d+|\*))?)$/, "a page number, a range like 2-5, 3-*, or *"))
    .min(1)
    .refine((pages) => !pages.includes("*") || pages.length === 1, "* must be the only page entry")
    .optional(),
}),
);
/** A custom adapter. @public */
export type Adapter = z.infer<typeof Adapter>;

const withQueries = <T extends { features: FeatureType[]; queries?: Query[] | undefined; documentType?: string | undefined; adapters?: Adapter[] | undefined }>(
  value: T,
  ctx: z.RefinementCtx,
) => {
  const hasQueries = (value.queries?.length ?? 0) > 0 || value.documentType !== undefined;
  if (value.features.includes("QUERIES") && !hasQueries) {
    ctx.addIssue({ code: "custom", path: ["queries"], message: "QUERIES needs queries or a documentType" });
  }
  // Adapters tune the Queries feature only (AWS API_CreateAdapter: "the only supported feature type is QUERIES").
  if ((value.adapters?.length ?? 0) > 0 && !hasQueries) {
    ctx.addIssue({ code: "custom", path: ["adapters"], message: "adapters apply to queries: add queries or a documentType" });
  }
  if ((value.queries?.length ?? 0) > 30) ctx.addIssue({ code: "custom", path: ["queries"], message: "at most 30 queries per page (async limit)" });
};

/** Input of `documents.analyze` (AnalyzeDocument, one page, synchronous). @public */
export const AnalyzeDocumentInput = lazySchema(() =>
  z
  .strictObject({
    document: z.union([
      z.strictObject({ bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength > 0 && b.byteLength <= 5 * 1024 * 1024, "1 byte to 5 MB") }),
      z.strictObject({ s3: unlazy(S3Location) }),
    ]),
    features: z.array(unlazy(FeatureType)).min(1),
    queries: z.array(unlazy(Query)).max(15, "at most 15 queries per page (sync limit)").optional(),
    /** A registered document type: its queries are added, and its adapter unless `adapters` is given. */
    documentType: z.string().min(1).optional(),
    /** Custom adapters (AdaptersConfig), 1..100. */
    adapters: z.array(unlazy(Adapter)).min(1).max(100).optional(),
  })
  .superRefine(withQueries),
);
/** Input of `documents.analyze`. @public */
export type AnalyzeDocumentInput = z.input<typeof AnalyzeDocumentInput>;

/** Input of `analyses.start` (StartDocumentAnalysis). @public */
export const StartAnalysisInput = lazySchema(() =>
  z
  .strictObject({
    document: unlazy(S3Location),
    features: z.array(unlazy(FeatureType)).min(1),
    queries: z.array(unlazy(Query)).optional(),
    documentType: z.string().min(1).optional(),
    /** Custom adapters (AdaptersConfig), 1..100; default: the document type's adapter. */
    adapters: z.array(unlazy(Adapter)).min(1).max(100).optional(),
    /** Echoed in the SNS notification (route tenant/document with it). */
    jobTag: z.string().min(1).max(64).regex(/^[a-zA-Z0-9_.\-:]+$/, "letters, digits and _ . - :").optional(),
    notification: z.strictObject({ snsTopicArn: z.string().startsWith("arn:"), roleArn: z.string().startsWith("arn:") }).optional(),
    output: z.strictObject({ bucket: z.string().min(3), prefix: z.string().min(1).max(1024).optional() }).optional(),
    kmsKeyId: z.string().min(1).max(2048).optional(),
  })
  .superRefine(withQueries),
);
/** Input of `analyses.start`. @public */
export type StartAnalysisInput = z.input<typeof StartAnalysisInput>;

const jobOptions = {
  /** Echoed in the SNS notification (route tenant/document with it). */
  jobTag: z.string().min(1).max(64).regex(/^[a-zA-Z0-9_.\-:]+$/, "letters, digits and _ . - :").optional(),
  notification: z.strictObject({ snsTopicArn: z.string().startsWith("arn:"), roleArn: z.string().startsWith("arn:") }).optional(),
  output: z.strictObject({ bucket: z.string().min(3), prefix: z.string().min(1).max(1024).optional() }).optional(),
  kmsKeyId: z.string().min(1).max(2048).optional(),
};

/** Input of `documents.detectText` (DetectDocumentText, one page, synchronous). @public */
export const DetectTextInput = lazySchema(() =>
  z.strictObject({
  document: z.union([
    z.strictObject({ bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength > 0 && b.byteLength <= 5 * 1024 * 1024, "1 byte to 5 MB") }),
    z.strictObject({ s3: unlazy(S3Location) }),
  ]),
}),
);
/** Input of `documents.detectText`. @public */
export type DetectTextInput = z.input<typeof DetectTextInput>;

/** Input of `textDetections.start` (StartDocumentTextDetection). @public */
export const StartTextDetectionInput = lazySchema(() =>
  z.strictObject({ document: unlazy(S3Location), ...jobOptions }),
);
/** Input of `textDetections.start`. @public */
export type StartTextDetectionInput = z.input<typeof StartTextDetectionInput>;

/** Output of `analyses.start`. @public */
export const StartAnalysisOutput = lazySchema(() =>
  z.object({ jobId: z.string().min(1).max(64) }),
);
/** Output of `analyses.start`. @public */
export type StartAnalysisOutput = z.infer<typeof StartAnalysisOutput>;

/** Input of `analyses.getPage` (GetDocumentAnalysis, one result page). @public */
export const GetAnalysisPageInput = lazySchema(() =>
  z.strictObject({
  jobId: z.string().min(1).max(64),
  maxResults: z.number().int().min(1).max(1000).optional(),
  nextToken: z.string().min(1).max(1024).optional(),
}),
);
/** Input of `analyses.getPage`. @public */
export type GetAnalysisPageInput = z.input<typeof GetAnalysisPageInput>;

/** A wire block (loosely validated: unknown fields pass through). @public */
export const WireBlock = lazySchema(() =>
  z.looseObject({ BlockType: z.string(), Id: z.string() }),
);

/** Job status of GetDocumentAnalysis. @public */
export const JobStatus = lazySchema(() =>
  z.enum(["IN_PROGRESS", "SUCCEEDED", "FAILED", "PARTIAL_SUCCESS"]),
);
/** Job status. @public */
export type JobStatus = z.infer<typeof JobStatus>;

/** One result page of an analysis job. @public */
export const AnalysisPage = lazySchema(() =>
  z.object({
  status: unlazy(JobStatus),
  statusMessage: z.string().optional(),
  pageCount: z.number().int().nonnegative().optional(),
  blocks: z.array(unlazy(WireBlock)),
  nextToken: z.string().optional(),
  warnings: z.array(z.object({ errorCode: z.string().optional(), pages: z.array(z.number()) })),
  modelVersion: z.string().optional(),
}),
);
/** One result page of an analysis job. @public */
export type AnalysisPage = z.infer<typeof AnalysisPage>;

/** Raw output of AnalyzeDocument. @public */
export const AnalyzeDocumentOutput = lazySchema(() =>
  z.object({
  pageCount: z.number().int().nonnegative(),
  blocks: z.array(unlazy(WireBlock)),
  modelVersion: z.string().optional(),
}),
);
/** Raw output of AnalyzeDocument. @public */
export type AnalyzeDocumentOutput = z.infer<typeof AnalyzeDocumentOutput>;

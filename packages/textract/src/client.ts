/**
 * createTextractClient: synchronous analysis and text detection (with an optional extraction
 * cache), asynchronous analysis and text detection jobs (start, result pages, a waiter with
 * backoff up to a deadline, page-by-page parsing and typed extraction), a health check.
 */
import type { TextractClient } from "@aws-sdk/client-textract";
import {
  type ClientOptionsBase,
  createRuntime,
  type HealthResult,
  type IntegrationContext,
  IntegrationError,
  NotFoundError,
  type Operation,
  type PolicyOptions,
  registerSecret,
  TimeoutError,
} from "@connect/core";
import type { z } from "zod";
import pkg from "../package.json" with { type: "json" };
import { collectDocument, parseBlockStream, type Block, type KeyValue, type ParsedDocument, type ParsedPage, type QueryAnswer } from "./blocks.js";
import {
  createDocumentTypeRegistry,
  extractFields,
  type BuiltInDocumentType,
  type DocumentType,
  type DocumentTypeRegistry,
  type ExtractOptions,
  type Extraction,
  documentTypes,
} from "./document-types.js";
import { extractionCacheKey, type CachedExtraction, type ExtractionCache } from "./cache.js";
import { mapTextractError, TextractJobFailedError } from "./errors.js";
import { analyzeDocumentRequest, createTextractOperations } from "./operations/analysis.js";
import { createTextDetectionOperations } from "./operations/detect.js";
import { lazyTextractSdk } from "./sdk.js";
import {
  AnalyzeDocumentInput as AnalyzeDocumentInputSchema,
  DetectTextInput as DetectTextInputSchema,
  type AnalysisPage,
  type AnalyzeDocumentInput,
  type AnalyzeDocumentOutput,
  type DetectTextInput,
  type GetAnalysisPageInput,
  type StartAnalysisInput,
  type StartAnalysisOutput,
  type StartTextDetectionInput,
} from "./schemas.js";
import { collectText, parseTextStream, type DetectedText, type TextPage } from "./text.js";

/**
 * Textract policy defaults: AWS recommends ~5 attempts with exponential backoff (§4); TPS quotas
 * are region-specific and adjustable (§5), so the limiter is a conservative default to override.
 * @public
 */
export const TEXTRACT_POLICY_DEFAULTS: PolicyOptions = {
  retry: { attempts: 5, minDelayMs: 500, maxDelayMs: 20_000 },
  breaker: { failureThreshold: 5, successThreshold: 2, resetTimeoutMs: 60_000 },
  limiter: { perSecond: 5, burst: 10 },
  timeout: { attemptMs: 60_000, totalMs: 300_000 },
};

/** Options of {@link createTextractClient}. @public */
export interface TextractClientOptions extends Omit<ClientOptionsBase, "transport" | "idempotencyStore"> {
  /** AWS region, e.g. `us-east-1`. */
  region: string;
  /** Static credentials or a provider (default: the SDK's default chain). */
  credentials?: ConstructorParameters<typeof TextractClient>[0] extends infer C ? (C extends { credentials?: infer X } ? X : never) : never;
  /** Endpoint override (FIPS, VPC endpoint, or the fake on 127.0.0.1). */
  endpoint?: string | undefined;
  /** A Textract SDK client you own (then region/endpoint/credentials are ignored; set its maxAttempts to 1). */
  sdkClient?: TextractClient | undefined;
  /** Extra document types (the five built-ins are always registered). */
  documentTypes?: readonly DocumentType[] | undefined;
  /** Confidence below which extracted fields are flagged for review. Default 80. */
  lowConfidenceThreshold?: number | undefined;
  /**
   * Keep synchronous results (`documents.analyze`, `documents.detectText`) so the same document
   * with the same features, queries and adapters is not analysed, and paid for, twice. Bytes are
   * keyed by their SHA-256; S3 objects by the `etag` and/or `version` you pass (no HeadObject is
   * made; an S3 input with neither is not cached). See `createMemoryExtractionCache`.
   */
  cache?: ExtractionCache | undefined;
}

/** Options of `analyses.waitFor`. @public */
export interface WaitOptions {
  /** Give up after this long (default 10 min); ends in `TimeoutError` (phase `deadline`). */
  deadlineMs?: number;
  /** First delay between polls (default 2 s), growing by `factor` (default 2) up to `maxDelayMs` (default 30 s). */
  minDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
  /** `return` (default): PARTIAL_SUCCESS resolves with `partial: true`; `throw`: it is a TextractJobFailedError. */
  partial?: "return" | "throw";
  /** Clock and sleep, for tests. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Where a finished job stands. @public */
export interface JobResult {
  jobId: string;
  status: "SUCCEEDED" | "PARTIAL_SUCCESS";
  partial: boolean;
  pageCount: number | undefined;
  warnings: { errorCode?: string | undefined; pages: number[] }[];
  /** Status polls made. */
  polls: number;
}

/** A synchronous analysis: the parsed page and, with a document type, its typed fields. @public */
export interface AnalyzeResult {
  pageCount: number;
  modelVersion: string | undefined;
  document: ParsedDocument;
  extraction: Extraction | undefined;
  /** The result came from the extraction cache (no Textract call was made). */
  cached: boolean;
}

/** A synchronous text detection: lines with their words and geometry. @public */
export interface DetectTextResult extends DetectedText {
  pageCount: number;
  modelVersion: string | undefined;
  /** The result came from the extraction cache (no Textract call was made). */
  cached: boolean;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

const VENDOR = "textract";

/**
 * Create a Textract client.
 * @example
 * const textract = createTextractClient({ region: "us-east-1" });
 * const { jobId } = await textract.analyses.start({ document: { bucket, name }, features: ["FORMS"], documentType: "SURVEY" });
 * await textract.analyses.waitFor(jobId);
 * const survey = await textract.analyses.extract(jobId, "SURVEY");
 * @public
 */
export function createTextractClient(options: TextractClientOptions) {
  const ownsSdk = options.sdkClient === undefined;
  // Static keys are scrubbed from every error, log line and dead letter.
  const creds = options.credentials as { secretAccessKey?: unknown; sessionToken?: unknown } | undefined;
  if (creds && typeof creds === "object") {
    if (typeof creds.secretAccessKey === "string") registerSecret(creds.secretAccessKey);
    if (typeof creds.sessionToken === "string") registerSecret(creds.sessionToken);
  }
  // The SDK loads on the first call (src/sdk.ts); the client is built then, with this config.
  const sdk = lazyTextractSdk(
    {
      region: options.region,
      // core's policy is the only retry layer (the SDK would otherwise retry throttling 3×)
      maxAttempts: 1,
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    },
    options.sdkClient,
  );
  const registry: DocumentTypeRegistry = createDocumentTypeRegistry(options.documentTypes ?? []);
  const ops = createTextractOperations(sdk, registry);
  const textOps = createTextDetectionOperations(sdk);
  const cache = options.cache;
  const runtime = createRuntime({
    adapter: { id: VENDOR, version: pkg.version },
    ready: () => (sdk.loaded ? undefined : sdk.load()),
    defaults: TEXTRACT_POLICY_DEFAULTS,
    policy: options.policy,
    telemetry: options.telemetry,
    drift: options.drift,
    deadLetters: options.deadLetters,
    mapError: (error) => mapTextractError(error),
    healthCheck: async (rt) => {
      // An unknown job id is answered InvalidJobIdException only after SigV4 was accepted.
      try {
        await rt.run(ops.getAnalysisPage, { jobId: "connect-health-check" }, { idempotencyKey: "health" });
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
    },
  });
  const getPage = runtime.bind(ops.getAnalysisPage);
  const getTextPage = runtime.bind(textOps.getTextDetectionPage);
  type GetPage = typeof getPage;
  const threshold = options.lowConfidenceThreshold;
  const extractOptions = (opts?: ExtractOptions): ExtractOptions => ({ ...(threshold !== undefined ? { lowConfidenceThreshold: threshold } : {}), ...opts });

  function typeOf(id: string): DocumentType {
    const type = registry.get(id);
    if (!type) throw new IntegrationError(`${VENDOR}: unknown document type "${id}" (known: ${registry.ids().join(", ")})`, { vendor: VENDOR, retryable: false });
    return type;
  }

  function failed(jobId: string, page: AnalysisPage, operation: string): TextractJobFailedError {
    return new TextractJobFailedError(`${VENDOR}: job ${jobId} ended ${page.status}${page.statusMessage ? ` (${page.statusMessage})` : ""}`, {
      vendor: VENDOR,
      operation,
      vendorCode: page.statusMessage ?? page.status,
      jobStatus: page.status,
      statusMessage: page.statusMessage,
    });
  }

  /**
   * Every result page of a finished job, following NextToken; one call per page, each under the
   * policy. One code path for analysis and text detection jobs (`get` and `operation` differ).
   */
  async function* jobPages(get: GetPage, operation: string, jobId: string, ctx?: IntegrationContext, pageOptions: { maxResults?: number } = {}): AsyncGenerator<AnalysisPage> {
    let nextToken: string | undefined;
    do {
      const input: GetAnalysisPageInput = { jobId, ...(pageOptions.maxResults ? { maxResults: pageOptions.maxResults } : {}), ...(nextToken ? { nextToken } : {}) };
      const page = await get(input, ctx);
      if (page.status === "FAILED") throw failed(jobId, page, operation);
      if (page.status === "IN_PROGRESS") {
        throw new IntegrationError(`${VENDOR}: job ${jobId} is still in progress; wait for it (waitFor or its SNS notification) first`, {
          vendor: VENDOR,
          operation,
          vendorCode: "IN_PROGRESS",
          retryable: false,
        });
      }
      yield page;
      nextToken = page.nextToken;
    } while (nextToken);
  }

  const pages = (jobId: string, ctx?: IntegrationContext, pageOptions: { maxResults?: number } = {}): AsyncGenerator<AnalysisPage> =>
    jobPages(getPage, "analyses.getPage", jobId, ctx, pageOptions);
  const textPages = (jobId: string, ctx?: IntegrationContext, pageOptions: { maxResults?: number } = {}): AsyncGenerator<AnalysisPage> =>
    jobPages(getTextPage, "textDetections.getPage", jobId, ctx, pageOptions);

  /** Text pages of a finished text detection job, page by page as result pages arrive. */
  function textParsed(jobId: string, ctx?: IntegrationContext, pageOptions: { maxResults?: number } = {}): AsyncGenerator<TextPage> {
    async function* blockPages() {
      for await (const page of textPages(jobId, ctx, pageOptions)) yield { Blocks: page.blocks as Block[] };
    }
    return parseTextStream(blockPages());
  }

  /** Parsed document pages of a finished job, resolved page by page as result pages arrive. */
  function parsed(jobId: string, ctx?: IntegrationContext, pageOptions: { maxResults?: number } = {}): AsyncGenerator<ParsedPage> {
    async function* blockPages() {
      for await (const page of pages(jobId, ctx, pageOptions)) yield { Blocks: page.blocks as Block[] };
    }
    return parseBlockStream(blockPages());
  }

  async function extract<K extends BuiltInDocumentType>(
    jobId: string,
    documentType: K | (string & {}),
    ctx?: IntegrationContext,
    opts?: ExtractOptions,
  ): Promise<Extraction<z.infer<(typeof documentTypes)[K]["schema"]>> & { status: AnalysisPage["status"]; partial: boolean }> {
    const type = typeOf(documentType);
    const queries: QueryAnswer[] = [];
    const keyValues: KeyValue[] = [];
    let status = "SUCCEEDED" as AnalysisPage["status"];
    async function* blockPages() {
      for await (const page of pages(jobId, ctx)) {
        status = page.status;
        yield { Blocks: page.blocks as Block[] };
      }
    }
    // Only query answers and key-values are kept; lines, tables and blocks of finished pages are dropped.
    for await (const page of parseBlockStream(blockPages())) {
      queries.push(...page.queries);
      keyValues.push(...page.keyValues);
    }
    const extraction = extractFields(type, { queries, keyValues }, extractOptions(opts));
    return { ...(extraction as Extraction<z.infer<(typeof documentTypes)[K]["schema"]>>), status, partial: status === "PARTIAL_SUCCESS" };
  }

  async function waitForJob(get: GetPage, operation: string, jobId: string, ctx: IntegrationContext = {}, wait: WaitOptions = {}): Promise<JobResult> {
    const now = wait.now ?? Date.now;
    const sleep = wait.sleep ?? defaultSleep;
    const deadlineMs = wait.deadlineMs ?? 600_000;
    const factor = wait.factor ?? 2;
    const maxDelay = wait.maxDelayMs ?? 30_000;
    const started = now();
    let delay = wait.minDelayMs ?? 2_000;
    for (let polls = 1; ; polls++) {
      // MaxResults 1: a status poll should not download a thousand blocks.
      const page = await get({ jobId, maxResults: 1 }, ctx);
      if (page.status === "FAILED") throw failed(jobId, page, operation);
      if (page.status === "PARTIAL_SUCCESS" && wait.partial === "throw") throw failed(jobId, page, operation);
      if (page.status !== "IN_PROGRESS") {
        return { jobId, status: page.status, partial: page.status === "PARTIAL_SUCCESS", pageCount: page.pageCount, warnings: page.warnings, polls };
      }
      const elapsed = now() - started;
      if (elapsed + delay > deadlineMs) {
        throw new TimeoutError(`${VENDOR}: job ${jobId} still IN_PROGRESS after ${elapsed} ms and ${polls} polls (deadline ${deadlineMs} ms)`, {
          vendor: VENDOR,
          operation: operation.replace(/getPage$/, "waitFor"),
          phase: "deadline",
          timeoutMs: deadlineMs,
          retryable: false,
        });
      }
      await sleep(delay, ctx.signal);
      delay = Math.min(maxDelay, delay * factor);
    }
  }

  const waitFor = (jobId: string, ctx?: IntegrationContext, wait?: WaitOptions): Promise<JobResult> => waitForJob(getPage, "analyses.getPage", jobId, ctx, wait);

  const analyzeBound = runtime.bind(ops.analyzeDocument);
  const detectBound = runtime.bind(textOps.detectText);
  const operations: Record<string, Operation> = {
    [ops.analyzeDocument.id]: ops.analyzeDocument as unknown as Operation,
    [ops.startAnalysis.id]: ops.startAnalysis as unknown as Operation,
    [ops.getAnalysisPage.id]: ops.getAnalysisPage as unknown as Operation,
    [textOps.detectText.id]: textOps.detectText as unknown as Operation,
    [textOps.startTextDetection.id]: textOps.startTextDetection as unknown as Operation,
    [textOps.getTextDetectionPage.id]: textOps.getTextDetectionPage as unknown as Operation,
  };

  /**
   * Run a synchronous call through the cache: a hit returns the stored response without calling
   * Textract; a miss calls and stores. Input that fails validation skips the cache, so the
   * runtime reports it as a ValidationError before any I/O, as without a cache.
   */
  async function cached(
    operation: CachedExtraction["operation"],
    key: () => string | undefined,
    call: () => Promise<AnalyzeDocumentOutput>,
  ): Promise<{ out: AnalyzeDocumentOutput; cached: boolean }> {
    const k = cache ? key() : undefined;
    if (cache && k !== undefined) {
      const hit = await cache.get(k);
      if (hit !== undefined && hit.operation === operation) return { out: { pageCount: hit.pageCount, blocks: hit.blocks as AnalyzeDocumentOutput["blocks"], modelVersion: hit.modelVersion }, cached: true };
    }
    const out = await call();
    if (cache && k !== undefined) await cache.set(k, { operation, pageCount: out.pageCount, blocks: out.blocks, modelVersion: out.modelVersion });
    return { out, cached: false };
  }

  function analyzeKey(input: AnalyzeDocumentInput): string | undefined {
    const parsed = AnalyzeDocumentInputSchema.safeParse(input);
    if (!parsed.success) return undefined;
    let request;
    try {
      request = analyzeDocumentRequest(parsed.data, registry);
    } catch {
      return undefined; // an unknown document type: the runtime reports it
    }
    const { Document: _d, ...params } = request;
    return extractionCacheKey("AnalyzeDocument", parsed.data.document, { ...params, FeatureTypes: [...(params.FeatureTypes ?? [])].sort() });
  }

  function detectKey(input: DetectTextInput): string | undefined {
    const parsed = DetectTextInputSchema.safeParse(input);
    return parsed.success ? extractionCacheKey("DetectDocumentText", parsed.data.document, {}) : undefined;
  }

  return {
    id: VENDOR as typeof VENDOR,
    version: pkg.version,
    operations: operations as Readonly<Record<string, Operation>>,
    /** The document types this client knows (built-ins plus registered ones). */
    documentTypes: registry,
    documents: {
      /** AnalyzeDocument (one page, synchronous): parsed blocks and, with `documentType`, typed fields. */
      async analyze(input: AnalyzeDocumentInput, ctx?: IntegrationContext, opts?: ExtractOptions): Promise<AnalyzeResult> {
        const { out, cached: hit } = await cached("AnalyzeDocument", () => analyzeKey(input), () => analyzeBound(input, ctx));
        const document = collectDocument(
          await (async () => {
            const list: ParsedPage[] = [];
            for await (const p of parseBlockStream([{ Blocks: out.blocks as Block[] }])) list.push(p);
            return list;
          })(),
        );
        const extraction = input.documentType !== undefined ? (extractFields(typeOf(input.documentType), document, extractOptions(opts)) as Extraction) : undefined;
        return { pageCount: out.pageCount, modelVersion: out.modelVersion, document, extraction, cached: hit };
      },
      /** DetectDocumentText (one page, synchronous): lines with their words and geometry. */
      async detectText(input: DetectTextInput, ctx?: IntegrationContext): Promise<DetectTextResult> {
        const { out, cached: hit } = await cached("DetectDocumentText", () => detectKey(input), () => detectBound(input, ctx));
        const text = await collectText(parseTextStream([{ Blocks: out.blocks as Block[] }]));
        return { ...text, pageCount: out.pageCount, modelVersion: out.modelVersion, cached: hit };
      },
    },
    textDetections: {
      /** StartDocumentTextDetection; ClientRequestToken comes from the idempotency key (same key → same JobId). */
      start: runtime.bind(textOps.startTextDetection) as (input: StartTextDetectionInput, ctx?: IntegrationContext) => Promise<StartAnalysisOutput>,
      /** One GetDocumentTextDetection result page. */
      getPage: getTextPage,
      /** Every result page of a finished job (async iterator over NextToken). */
      pages: textPages,
      /** Text pages of a finished job, page by page. */
      parsed: textParsed,
      /** Every line of a finished job, its words and geometry, gathered from all result pages. */
      text: (jobId: string, ctx?: IntegrationContext): Promise<DetectedText> => collectText(textParsed(jobId, ctx)),
      /** Poll with backoff until the job leaves IN_PROGRESS, up to a deadline. */
      waitFor: (jobId: string, ctx?: IntegrationContext, wait?: WaitOptions): Promise<JobResult> => waitForJob(getTextPage, "textDetections.getPage", jobId, ctx, wait),
    },
    analyses: {
      /** StartDocumentAnalysis; ClientRequestToken comes from the idempotency key (same key → same JobId). */
      start: runtime.bind(ops.startAnalysis) as (input: StartAnalysisInput, ctx?: IntegrationContext) => Promise<StartAnalysisOutput>,
      /** One GetDocumentAnalysis result page. */
      getPage,
      /** Every result page of a finished job (async iterator over NextToken). */
      pages,
      /** Parsed document pages of a finished job, page by page. */
      parsed,
      /** Poll with backoff until the job leaves IN_PROGRESS, up to a deadline. */
      waitFor,
      /** Typed fields of a finished job for a document type (streaming; the Get status decides partial results). */
      extract,
    },
    /** Run the health check (GetDocumentAnalysis on an unknown job id). */
    healthCheck: (): Promise<HealthResult> => runtime.healthCheck(),
    /** Close the runtime and the SDK client (when the client created it). */
    async close(): Promise<void> {
      await runtime.close();
      if (ownsSdk) sdk.destroy();
    },
  };
}

/** A Textract client. @public */
export type TextractClientInstance = ReturnType<typeof createTextractClient>;

/**
 * createTextractClient: synchronous analysis, asynchronous jobs (start, result pages, a waiter
 * with backoff up to a deadline, page-by-page parsing and typed extraction), a health check.
 */
import { TextractClient } from "@aws-sdk/client-textract";
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
import { mapTextractError, TextractJobFailedError } from "./errors.js";
import { createTextractOperations } from "./operations/analysis.js";
import type { AnalysisPage, AnalyzeDocumentInput, GetAnalysisPageInput, StartAnalysisInput, StartAnalysisOutput } from "./schemas.js";

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
  const sdk =
    options.sdkClient ??
    new TextractClient({
      region: options.region,
      // core's policy is the only retry layer (the SDK would otherwise retry throttling 3×)
      maxAttempts: 1,
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    });
  const registry: DocumentTypeRegistry = createDocumentTypeRegistry(options.documentTypes ?? []);
  const ops = createTextractOperations(sdk, registry);
  const runtime = createRuntime({
    adapter: { id: VENDOR, version: pkg.version },
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
  const threshold = options.lowConfidenceThreshold;
  const extractOptions = (opts?: ExtractOptions): ExtractOptions => ({ ...(threshold !== undefined ? { lowConfidenceThreshold: threshold } : {}), ...opts });

  function typeOf(id: string): DocumentType {
    const type = registry.get(id);
    if (!type) throw new IntegrationError(`${VENDOR}: unknown document type "${id}" (known: ${registry.ids().join(", ")})`, { vendor: VENDOR, retryable: false });
    return type;
  }

  function failed(jobId: string, page: AnalysisPage): TextractJobFailedError {
    return new TextractJobFailedError(`${VENDOR}: job ${jobId} ended ${page.status}${page.statusMessage ? ` (${page.statusMessage})` : ""}`, {
      vendor: VENDOR,
      operation: "analyses.getPage",
      vendorCode: page.statusMessage ?? page.status,
      jobStatus: page.status,
      statusMessage: page.statusMessage,
    });
  }

  /** Every result page of a finished job, following NextToken; one call per page, each under the policy. */
  async function* pages(jobId: string, ctx?: IntegrationContext, pageOptions: { maxResults?: number } = {}): AsyncGenerator<AnalysisPage> {
    let nextToken: string | undefined;
    do {
      const input: GetAnalysisPageInput = { jobId, ...(pageOptions.maxResults ? { maxResults: pageOptions.maxResults } : {}), ...(nextToken ? { nextToken } : {}) };
      const page = await getPage(input, ctx);
      if (page.status === "FAILED") throw failed(jobId, page);
      if (page.status === "IN_PROGRESS") {
        throw new IntegrationError(`${VENDOR}: job ${jobId} is still in progress; wait for it (waitFor or its SNS notification) first`, {
          vendor: VENDOR,
          operation: "analyses.getPage",
          vendorCode: "IN_PROGRESS",
          retryable: false,
        });
      }
      yield page;
      nextToken = page.nextToken;
    } while (nextToken);
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

  async function waitFor(jobId: string, ctx: IntegrationContext = {}, wait: WaitOptions = {}): Promise<JobResult> {
    const now = wait.now ?? Date.now;
    const sleep = wait.sleep ?? defaultSleep;
    const deadlineMs = wait.deadlineMs ?? 600_000;
    const factor = wait.factor ?? 2;
    const maxDelay = wait.maxDelayMs ?? 30_000;
    const started = now();
    let delay = wait.minDelayMs ?? 2_000;
    for (let polls = 1; ; polls++) {
      // MaxResults 1: a status poll should not download a thousand blocks.
      const page = await getPage({ jobId, maxResults: 1 }, ctx);
      if (page.status === "FAILED") throw failed(jobId, page);
      if (page.status === "PARTIAL_SUCCESS" && wait.partial === "throw") throw failed(jobId, page);
      if (page.status !== "IN_PROGRESS") {
        return { jobId, status: page.status, partial: page.status === "PARTIAL_SUCCESS", pageCount: page.pageCount, warnings: page.warnings, polls };
      }
      const elapsed = now() - started;
      if (elapsed + delay > deadlineMs) {
        throw new TimeoutError(`${VENDOR}: job ${jobId} still IN_PROGRESS after ${elapsed} ms and ${polls} polls (deadline ${deadlineMs} ms)`, {
          vendor: VENDOR,
          operation: "analyses.waitFor",
          phase: "deadline",
          timeoutMs: deadlineMs,
          retryable: false,
        });
      }
      await sleep(delay, ctx.signal);
      delay = Math.min(maxDelay, delay * factor);
    }
  }

  const analyzeBound = runtime.bind(ops.analyzeDocument);
  const operations: Record<string, Operation> = {
    [ops.analyzeDocument.id]: ops.analyzeDocument as unknown as Operation,
    [ops.startAnalysis.id]: ops.startAnalysis as unknown as Operation,
    [ops.getAnalysisPage.id]: ops.getAnalysisPage as unknown as Operation,
  };

  return {
    id: VENDOR as typeof VENDOR,
    version: pkg.version,
    operations: operations as Readonly<Record<string, Operation>>,
    /** The document types this client knows (built-ins plus registered ones). */
    documentTypes: registry,
    documents: {
      /** AnalyzeDocument (one page, synchronous): parsed blocks and, with `documentType`, typed fields. */
      async analyze(input: AnalyzeDocumentInput, ctx?: IntegrationContext, opts?: ExtractOptions): Promise<AnalyzeResult> {
        const out = await analyzeBound(input, ctx);
        const document = collectDocument(
          await (async () => {
            const list: ParsedPage[] = [];
            for await (const p of parseBlockStream([{ Blocks: out.blocks as Block[] }])) list.push(p);
            return list;
          })(),
        );
        const extraction = input.documentType !== undefined ? (extractFields(typeOf(input.documentType), document, extractOptions(opts)) as Extraction) : undefined;
        return { pageCount: out.pageCount, modelVersion: out.modelVersion, document, extraction };
      },
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

/**
 * A stateful fake of Textract (AWS JSON 1.1: POST /, dispatch on X-Amz-Target) as msw handlers.
 * Analysis and text detection, synchronous and as jobs: jobs go IN_PROGRESS → SUCCEEDED / FAILED /
 * PARTIAL_SUCCESS, results page by NextToken with MaxResults capped at 1000 blocks,
 * ClientRequestToken dedupes Start calls per operation (same JobId, no second notification;
 * different parameters → IdempotentParameterMismatchException), and completion is announced with
 * a signed SNS notification posted to a host URL. Document bytes are recognised by their magic
 * bytes (PNG, JPEG, PDF, TIFF; one page for synchronous calls). With credentials configured,
 * every request's SigV4 signature is checked; a target it does not implement answers 501.
 */
import { createHash } from "node:crypto";
import { notImplementedByFake, notImplementedHandler, verifySigV4, type FakeCredentials } from "@connect/core/testing";
import { http, HttpResponse, type RequestHandler } from "msw";
import { pageBlocks, type FakeAdapter, type FakeDocument, type FakeQuery } from "./documents.js";
import { countPages, detectFormat } from "./formats.js";
import { postSnsEnvelope, signSnsEnvelope } from "./sns-signer.js";

/** The fake's name in its "not implemented" answers. @public */
export const TEXTRACT_FAKE_NAME = "@connect/textract/testing";

/** A Textract call the fake received. @public */
export interface FakeCall {
  /** Operation name, e.g. `StartDocumentAnalysis`. */
  operation: string;
  body: Record<string, unknown>;
}

/** A fake job. @public */
export interface FakeJob {
  jobId: string;
  /** The Start operation that created it; results are read with the matching Get only. */
  api: "StartDocumentAnalysis" | "StartDocumentTextDetection";
  status: "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "PARTIAL_SUCCESS";
  document: FakeDocument;
  features: string[];
  queries: FakeQuery[];
  adapters: FakeAdapter[];
  jobTag: string | undefined;
  topicArn: string | undefined;
  location: { bucket: string; name: string };
  getCalls: number;
  notificationsSent: number;
}

/** Options of {@link createTextractFake}. @public */
export interface TextractFakeOptions {
  /** Get calls answered IN_PROGRESS before a job completes on its own (default 1; 0 = done at once). */
  inProgressPolls?: number;
  /** Where to POST signed SNS notifications when a job with a NotificationChannel completes. */
  snsEndpoint?: string;
  /** SNS SignatureVersion of notifications (default "2"). */
  signatureVersion?: "1" | "2";
  /** Delay before a job with a NotificationChannel completes by itself when `snsEndpoint` is set (default 5 ms). */
  completeAfterMs?: number;
  /**
   * Credentials whose SigV4 signatures are accepted. When set, a request without a valid
   * signature is refused as AWS refuses it (MissingAuthenticationTokenException,
   * UnrecognizedClientException, InvalidSignatureException); unset, the fake accepts any request.
   */
  credentials?: FakeCredentials | readonly FakeCredentials[];
  /** Region the credential scope must name when `credentials` is set (default: any). */
  region?: string;
  /**
   * Refuse AdaptersConfig unless FeatureTypes includes QUERIES (default true). AWS documents
   * QUERIES as the only feature adapters support (API_CreateAdapter) [docs-only], hence a switch.
   */
  adaptersRequireQueries?: boolean;
  /** Clock for the signature's 15-minute window (default Date.now). */
  now?: () => number;
}

/** The fake and its controls. @public */
export interface TextractFake {
  handlers: RequestHandler[];
  calls: FakeCall[];
  jobs: Map<string, FakeJob>;
  /** Make a document readable at s3://bucket/name. */
  putDocument(bucket: string, name: string, document: FakeDocument): void;
  /** Make a document analysable from these bytes (AnalyzeDocument / DetectDocumentText `Document.Bytes`). */
  putBytes(bytes: Uint8Array, document: FakeDocument): void;
  /** Fail the next call of `operation` with an AWS error. */
  failNext(operation: string, error: { code: string; status?: number; message?: string }): void;
  /** Finish a job now (its document's final status) and send its notification if configured. */
  complete(jobId: string): Promise<void>;
  /** Sign and POST the job's SNS notification to `url`. */
  notify(jobId: string, url: string, options?: { signatureVersion?: "1" | "2" }): Promise<Response>;
  /** Completions still sending notifications (await in tests). */
  settled(): Promise<void>;
}

const JSON_TYPE = "application/x-amz-json-1.1";
const TOKEN_RE = /^[a-zA-Z0-9-_]+$/;

function awsError(code: string, message: string, status = 400): Response {
  return HttpResponse.json({ __type: code, message }, { status, headers: { "content-type": JSON_TYPE, "x-amzn-errortype": code } });
}

function ok(body: unknown): Response {
  return HttpResponse.json(body as Record<string, unknown>, { headers: { "content-type": JSON_TYPE, "x-amzn-requestid": crypto.randomUUID() } });
}

const FEATURES = ["TABLES", "FORMS", "QUERIES", "SIGNATURES", "LAYOUT"];

/** AdaptersConfig as AWS constrains it (API_Adapter, API_AdaptersConfig); undefined when valid. */
function validateAdapters(config: unknown, features: readonly unknown[], requireQueries: boolean): string | undefined {
  if (config === undefined) return undefined;
  const adapters = (config as { Adapters?: unknown } | null)?.Adapters;
  if (!Array.isArray(adapters) || adapters.length < 1 || adapters.length > 100) return "AdaptersConfig.Adapters must contain 1..100 adapters";
  for (const a of adapters as { AdapterId?: unknown; Version?: unknown; Pages?: unknown }[]) {
    if (typeof a?.AdapterId !== "string" || a.AdapterId.length < 12 || a.AdapterId.length > 1011) return "Adapter AdapterId must be 12..1011 characters";
    if (typeof a.Version !== "string" || a.Version.length < 1 || a.Version.length > 128) return "Adapter Version must be 1..128 characters";
    if (a.Pages !== undefined) {
      if (!Array.isArray(a.Pages) || a.Pages.length < 1) return "Adapter Pages must contain at least 1 item";
      for (const p of a.Pages as unknown[]) {
        if (typeof p !== "string" || p.length < 1 || p.length > 9 || !/^[0-9*-]+$/.test(p)) return `Adapter Pages value ${String(p)} is invalid`;
      }
      if (a.Pages.includes("*") && a.Pages.length > 1) return "Adapter Pages: * must be the only element";
    }
  }
  if (requireQueries && !features.includes("QUERIES")) return "AdaptersConfig requires QUERIES in FeatureTypes";
  return undefined;
}

/** Create a fake Textract. @public */
export function createTextractFake(options: TextractFakeOptions = {}): TextractFake {
  const documents = new Map<string, FakeDocument>();
  const jobs = new Map<string, FakeJob>();
  const tokens = new Map<string, { jobId: string; fingerprint: string }>();
  const failures = new Map<string, { code: string; status?: number; message?: string }[]>();
  const calls: FakeCall[] = [];
  const pending = new Set<Promise<unknown>>();
  let counter = 0;

  function validateFeatures(body: Record<string, unknown>): string | undefined {
    const features = body.FeatureTypes;
    if (!Array.isArray(features) || features.length === 0) return "FeatureTypes is required";
    for (const f of features) if (!FEATURES.includes(f as string)) return `FeatureTypes value ${String(f)} is invalid`;
    const queries = (body.QueriesConfig as { Queries?: FakeQuery[] } | undefined)?.Queries;
    if (features.includes("QUERIES") && (!queries || queries.length === 0)) return "QueriesConfig is required when FeatureTypes contains QUERIES";
    for (const q of queries ?? []) {
      if (typeof q.Text !== "string" || q.Text.length < 1 || q.Text.length > 200) return "Query Text must be 1..200 characters";
      if (q.Alias !== undefined && (q.Alias.length < 1 || q.Alias.length > 200)) return "Query Alias must be 1..200 characters";
      for (const p of q.Pages ?? []) if (!/^[0-9*-]+$/.test(p)) return `Query Pages value ${p} is invalid`;
    }
    return validateAdapters(body.AdaptersConfig, features, options.adaptersRequireQueries ?? true);
  }

  function notificationMessage(job: FakeJob): string {
    return JSON.stringify({
      JobId: job.jobId,
      Status: job.status === "FAILED" ? "FAILED" : "SUCCEEDED",
      API: job.api,
      ...(job.jobTag !== undefined ? { JobTag: job.jobTag } : {}),
      Timestamp: Date.now(),
      DocumentLocation: { S3ObjectName: job.location.name, S3Bucket: job.location.bucket },
    });
  }

  async function notify(jobId: string, url: string, opts: { signatureVersion?: "1" | "2" } = {}): Promise<Response> {
    const job = jobs.get(jobId);
    if (!job) throw new Error(`fake textract: no job ${jobId}`);
    job.notificationsSent++;
    const envelope = signSnsEnvelope({
      message: notificationMessage(job),
      topicArn: job.topicArn ?? "arn:aws:sns:us-east-1:111122223333:textract",
      signatureVersion: opts.signatureVersion ?? options.signatureVersion ?? "2",
    });
    return postSnsEnvelope(url, envelope);
  }

  async function complete(jobId: string): Promise<void> {
    const job = jobs.get(jobId);
    if (!job) throw new Error(`fake textract: no job ${jobId}`);
    if (job.status !== "IN_PROGRESS") return;
    job.status = job.document.status ?? "SUCCEEDED";
    if (options.snsEndpoint && job.topicArn) {
      const res = await notify(jobId, options.snsEndpoint);
      await res.arrayBuffer();
    }
  }

  function track(promise: Promise<unknown>): void {
    const p = promise.catch(() => undefined).finally(() => pending.delete(p));
    pending.add(p);
  }

  type StartApi = FakeJob["api"];

  function start(api: StartApi, body: Record<string, unknown>): Response {
    if (api === "StartDocumentAnalysis") {
      const invalid = validateFeatures(body);
      if (invalid) return awsError("InvalidParameterException", invalid);
    }
    const s3 = (body.DocumentLocation as { S3Object?: { Bucket?: string; Name?: string } } | undefined)?.S3Object;
    if (!s3?.Bucket || !s3.Name) return awsError("InvalidParameterException", "DocumentLocation.S3Object with Bucket and Name is required");
    const token = body.ClientRequestToken as string | undefined;
    if (token !== undefined && (token.length < 1 || token.length > 64 || !TOKEN_RE.test(token))) {
      return awsError("InvalidParameterException", "ClientRequestToken must be 1..64 characters of [a-zA-Z0-9-_]");
    }
    const jobTag = body.JobTag as string | undefined;
    if (jobTag !== undefined && (jobTag.length < 1 || jobTag.length > 64 || !/^[a-zA-Z0-9_.\-:]+$/.test(jobTag))) {
      return awsError("InvalidParameterException", "JobTag must be 1..64 characters of [a-zA-Z0-9_.-:]");
    }
    const { ClientRequestToken: _t, ...params } = body;
    const fingerprint = createHash("sha256").update(JSON.stringify(params)).digest("hex");
    // A token is scoped to its Start operation (shared/vendors/textract.md §2).
    const tokenKey = `${api}:${token}`;
    if (token !== undefined) {
      const seen = tokens.get(tokenKey);
      if (seen && seen.fingerprint !== fingerprint) {
        return awsError("IdempotentParameterMismatchException", "The ClientRequestToken was used with different parameters");
      }
      if (seen) return ok({ JobId: seen.jobId });
    }
    const document = documents.get(`${s3.Bucket}/${s3.Name}`);
    if (!document) return awsError("InvalidS3ObjectException", "Unable to get object metadata from S3. Check object key, region and/or access permissions.");
    const jobId = `${createHash("sha256").update(`${++counter}:${s3.Bucket}/${s3.Name}`).digest("hex").slice(0, 64)}`;
    const job: FakeJob = {
      jobId,
      api,
      status: "IN_PROGRESS",
      document,
      features: api === "StartDocumentAnalysis" ? (body.FeatureTypes as string[]) : [],
      queries: (body.QueriesConfig as { Queries?: FakeQuery[] } | undefined)?.Queries ?? [],
      adapters: (body.AdaptersConfig as { Adapters?: FakeAdapter[] } | undefined)?.Adapters ?? [],
      jobTag,
      topicArn: (body.NotificationChannel as { SNSTopicArn?: string } | undefined)?.SNSTopicArn,
      location: { bucket: s3.Bucket, name: s3.Name },
      getCalls: 0,
      notificationsSent: 0,
    };
    jobs.set(jobId, job);
    if (token !== undefined) tokens.set(tokenKey, { jobId, fingerprint });
    if (options.snsEndpoint && job.topicArn) {
      track(new Promise((resolve) => setTimeout(resolve, options.completeAfterMs ?? 5)).then(() => complete(jobId)));
    }
    return ok({ JobId: jobId });
  }

  function get(api: StartApi, body: Record<string, unknown>): Response {
    const found = typeof body.JobId === "string" ? jobs.get(body.JobId) : undefined;
    // A job id of the other API is unknown to this Get, as in Textract.
    const job = found?.api === api ? found : undefined;
    if (!job) return awsError("InvalidJobIdException", "Request has invalid Job Id");
    job.getCalls++;
    if (job.status === "IN_PROGRESS" && !(options.snsEndpoint && job.topicArn) && job.getCalls > (options.inProgressPolls ?? 1)) {
      job.status = job.document.status ?? "SUCCEEDED";
    }
    const version = api === "StartDocumentAnalysis" ? { AnalyzeDocumentModelVersion: "1.0" } : { DetectDocumentTextModelVersion: "1.0" };
    const meta = { DocumentMetadata: { Pages: job.document.pageCount }, ...version };
    if (job.status === "IN_PROGRESS") return ok({ JobStatus: "IN_PROGRESS", ...meta });
    if (job.status === "FAILED") return ok({ JobStatus: "FAILED", StatusMessage: job.document.statusMessage ?? "UNSUPPORTED_DOCUMENT", ...meta });
    const max = Math.min(typeof body.MaxResults === "number" ? body.MaxResults : 1000, 1000);
    let page = 1;
    let offset = 0;
    if (typeof body.NextToken === "string") {
      const m = /^p(\d+)o(\d+)$/.exec(body.NextToken);
      if (!m) return awsError("InvalidParameterException", "NextToken is invalid");
      page = Number(m[1]);
      offset = Number(m[2]);
    }
    const blocks = [];
    while (blocks.length < max && page <= job.document.pageCount) {
      const all = pageBlocks(job.jobId.slice(0, 8), page, job.document.page(page), {
        features: job.features,
        queries: job.queries,
        adapters: job.adapters,
        pageCount: job.document.pageCount,
      });
      const taken = all.slice(offset, offset + (max - blocks.length));
      blocks.push(...taken);
      if (offset + taken.length >= all.length) {
        page++;
        offset = 0;
      } else offset += taken.length;
    }
    const more = page <= job.document.pageCount;
    return ok({
      JobStatus: job.status,
      ...meta,
      Blocks: blocks,
      ...(more ? { NextToken: `p${page}o${offset}` } : {}),
      ...(job.status === "PARTIAL_SUCCESS" ? { Warnings: job.document.warnings ?? [] } : {}),
    });
  }

  /** The document of a synchronous call (Bytes or S3Object), or the error Textract answers. */
  function syncDocument(body: Record<string, unknown>): FakeDocument | Response {
    const doc = body.Document as { Bytes?: string; S3Object?: { Bucket?: string; Name?: string } } | undefined;
    let document: FakeDocument | undefined;
    if (doc?.Bytes !== undefined) {
      const bytes = Buffer.from(doc.Bytes, "base64");
      if (bytes.length > 10 * 1024 * 1024) return awsError("DocumentTooLargeException", "S3 object size or document bytes exceed the limit");
      const format = detectFormat(bytes);
      if (!format) return awsError("UnsupportedDocumentException", "Request has unsupported document format");
      const pages = countPages(bytes, format);
      if (pages === undefined) return awsError("BadDocumentException", "Unable to read the document");
      // Synchronous operations take single-page PDF and TIFF only (shared/vendors/textract.md §5).
      if (pages > 1) return awsError("UnsupportedDocumentException", "Request has unsupported document format");
      document = documents.get(`bytes:${createHash("sha256").update(bytes).digest("hex")}`);
      if (!document) return awsError("BadDocumentException", "Unable to read the document");
    } else if (doc?.S3Object?.Bucket && doc.S3Object.Name) {
      document = documents.get(`${doc.S3Object.Bucket}/${doc.S3Object.Name}`);
      if (!document) return awsError("InvalidS3ObjectException", "Unable to get object metadata from S3");
    } else {
      return awsError("InvalidParameterException", "Document must contain Bytes or S3Object");
    }
    if (document.pageCount !== 1) return awsError("UnsupportedDocumentException", "Request has unsupported document format");
    return document;
  }

  function analyze(body: Record<string, unknown>): Response {
    const invalid = validateFeatures(body);
    if (invalid) return awsError("InvalidParameterException", invalid);
    const document = syncDocument(body);
    if (document instanceof Response) return document;
    const features = body.FeatureTypes as string[];
    const queries = (body.QueriesConfig as { Queries?: FakeQuery[] } | undefined)?.Queries ?? [];
    const adapters = (body.AdaptersConfig as { Adapters?: FakeAdapter[] } | undefined)?.Adapters ?? [];
    return ok({
      DocumentMetadata: { Pages: 1 },
      Blocks: pageBlocks(`sync${++counter}`, 1, document.page(1), { features, queries, adapters, pageCount: 1 }),
      AnalyzeDocumentModelVersion: "1.0",
    });
  }

  function detect(body: Record<string, unknown>): Response {
    const document = syncDocument(body);
    if (document instanceof Response) return document;
    return ok({
      DocumentMetadata: { Pages: 1 },
      Blocks: pageBlocks(`text${++counter}`, 1, document.page(1), { features: [], queries: [], pageCount: 1 }),
      DetectDocumentTextModelVersion: "1.0",
    });
  }

  const credentials: readonly FakeCredentials[] | undefined =
    options.credentials === undefined ? undefined : Array.isArray(options.credentials) ? options.credentials : [options.credentials as FakeCredentials];

  const operations: Record<string, (body: Record<string, unknown>) => Response> = {
    AnalyzeDocument: analyze,
    DetectDocumentText: detect,
    StartDocumentAnalysis: (body) => start("StartDocumentAnalysis", body),
    GetDocumentAnalysis: (body) => get("StartDocumentAnalysis", body),
    StartDocumentTextDetection: (body) => start("StartDocumentTextDetection", body),
    GetDocumentTextDetection: (body) => get("StartDocumentTextDetection", body),
  };

  const handlers: RequestHandler[] = [
    http.post("*/", async ({ request }) => {
      const target = request.headers.get("x-amz-target") ?? "";
      const operation = target.startsWith("Textract.") ? target.slice("Textract.".length) : "";
      const run = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
      // A gap in the fake must not read as a Textract error in the caller's code.
      if (!run) return notImplementedByFake(TEXTRACT_FAKE_NAME, request);
      const raw = new Uint8Array(await request.arrayBuffer());
      if (credentials) {
        const failure = verifySigV4({
          method: request.method,
          url: new URL(request.url),
          headers: request.headers,
          body: raw,
          service: "textract",
          region: options.region,
          credentials,
          now: (options.now ?? Date.now)(),
        });
        // JSON-protocol AWS services answer authentication failures 400 with the code in __type.
        if (failure) return awsError(failure.code, failure.message);
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(new TextDecoder().decode(raw)) as Record<string, unknown>;
      } catch {
        return awsError("SerializationException", "body is not JSON");
      }
      calls.push({ operation, body });
      const failure = failures.get(operation)?.shift();
      if (failure) return awsError(failure.code, failure.message ?? failure.code, failure.status ?? 400);
      return run(body);
    }),
    notImplementedHandler(TEXTRACT_FAKE_NAME),
  ];

  return {
    handlers,
    calls,
    jobs,
    putDocument(bucket, name, document) {
      documents.set(`${bucket}/${name}`, document);
    },
    putBytes(bytes, document) {
      documents.set(`bytes:${createHash("sha256").update(bytes).digest("hex")}`, document);
    },
    failNext(operation, error) {
      const list = failures.get(operation) ?? [];
      list.push(error);
      failures.set(operation, list);
    },
    complete,
    notify,
    async settled() {
      while (pending.size) await Promise.all([...pending]);
    },
  };
}

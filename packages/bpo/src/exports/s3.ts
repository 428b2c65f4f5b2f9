/**
 * Export deliveries in an S3 bucket, through @aws-sdk/client-s3: ListObjectsV2 (every page)
 * finds the `bpo_export_YYYY-MM-DD.*` objects under a prefix, GetObject streams one. Both run
 * as operations of core's runtime (`bpo.exports.list`, `bpo.exports.open`: retries, breaker,
 * spans) with the SDK's own retries off. The SDK is an optional peer dependency, loaded on first
 * use: hosts that read exports from a folder neither install nor load it, and a reader used
 * without it fails with an error that says what to install. Tests point `endpoint` at a fake on
 * 127.0.0.1.
 */
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import {
  AuthError,
  createRuntime,
  defineOperation,
  ForbiddenError,
  IntegrationError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  registerSecret,
  ServerError,
  TimeoutError,
  ValidationError,
  type DeadLetterSink,
  type IntegrationErrorOptions,
  type PolicyOptions,
  type TelemetryOptions, lazySchema } from "@connect/core";
import { z } from "zod";
import pkg from "../../package.json" with { type: "json" };
import { BPO_VENDOR } from "../errors.js";
import { createExportReader, EXPORT_FILE_PATTERN, type BpoExportReader, type ExportReaderOptions } from "./files.js";

/** Options of {@link s3ExportReader}. @public */
export interface S3ExportReaderOptions extends ExportReaderOptions {
  /** Bucket BPO delivers to. */
  bucket: string;
  /** Key prefix of the deliveries, e.g. `bpo/outgoing/` (only keys directly below it are read). */
  prefix?: string | undefined;
  /** An S3 client you own (then region/endpoint/credentials are ignored; set its maxAttempts to 1). */
  client?: S3Client | undefined;
  /** AWS region. */
  region?: string | undefined;
  /** Endpoint override (MinIO, a VPC endpoint, or the fake on 127.0.0.1). */
  endpoint?: string | undefined;
  /** Credentials (default: the SDK's default chain). Static keys are registered for redaction. */
  credentials?: S3ClientConfig["credentials"] | undefined;
  /** Path-style addressing; default true when `endpoint` is given. */
  forcePathStyle?: boolean | undefined;
  /** Host overrides of the resilience policy of list/open. */
  policy?: PolicyOptions | undefined;
  /** Tracer, meter, logger. */
  telemetry?: TelemetryOptions | undefined;
  /** Receives list/open calls that exhausted their retries. */
  deadLetters?: DeadLetterSink | undefined;
}

/** An S3-backed reader; close() releases the SDK client it created. @public */
export interface S3ExportReader extends BpoExportReader {
  close(): Promise<void>;
}

/** Policy of the S3 calls: S3 asks for backoff on 503 SlowDown. @public */
export const S3_READER_POLICY_DEFAULTS: PolicyOptions = {
  retry: { attempts: 4, minDelayMs: 200, maxDelayMs: 10_000 },
  breaker: false,
  limiter: false,
  timeout: { attemptMs: 60_000, totalMs: 180_000 },
};

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH"]);

/**
 * Map an S3 SDK error to an IntegrationError (the SDK error is not kept as `cause`: its
 * `$response` could carry credentials-bearing headers).
 * @public
 */
export function mapS3Error(error: unknown, operation: string, where: string): IntegrationError | undefined {
  // `where` names the call and the object, e.g. `S3 GetObject of s3://bucket/key`.
  if (IntegrationError.is(error)) return error;
  if (typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError") return undefined;
  const e = (typeof error === "object" && error !== null ? error : {}) as { name?: unknown; message?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown; requestId?: unknown } };
  const code = typeof e.name === "string" ? e.name : "Error";
  where = `${BPO_VENDOR} ${operation}: ${where}`;
  const status = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;
  const options: IntegrationErrorOptions = {
    vendor: BPO_VENDOR,
    operation,
    status,
    vendorCode: code,
    vendorMessage: typeof e.message === "string" ? e.message : undefined,
    requestId: typeof e.$metadata?.requestId === "string" ? e.$metadata.requestId : undefined,
  };
  if (code === "NoSuchKey" || code === "NotFound") return new NotFoundError(`${where}: no such object (${code})`, options);
  if (code === "NoSuchBucket") return new NotFoundError(`${where}: the bucket does not exist (${code}); check the bucket name and region`, options);
  if (code === "InvalidAccessKeyId" || code === "SignatureDoesNotMatch" || code === "ExpiredToken" || code === "CredentialsProviderError") {
    return new AuthError(`${where}: the AWS credentials were rejected (${code})`, options);
  }
  if (code === "AccessDenied" || status === 403) return new ForbiddenError(`${where}: access denied (${code}); grant s3:ListBucket and s3:GetObject on the delivery prefix`, options);
  if (code === "SlowDown" || code === "Throttling" || status === 429) return new RateLimitedError(`${where}: throttled by S3 (${code})`, options);
  if (code === "TimeoutError" || e.code === "ETIMEDOUT") return new TimeoutError(`${where} timed out`, { ...options, phase: "attempt" });
  if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) {
    return new NetworkError(`${where}: network error (${e.code})`, { ...options, code: e.code, mayHaveReachedVendor: e.code !== "ECONNREFUSED" && e.code !== "ENOTFOUND" });
  }
  if (status !== undefined && status >= 500) return new ServerError(`${where} failed at S3 (${code})`, { ...options, retryable: true });
  if (status === 400) return new ValidationError(`${where} was rejected by S3 (${code})`, options);
  return new IntegrationError(`${where} failed (${code})`, options);
}

const ListInput = lazySchema(() =>
  z.strictObject({ bucket: z.string().min(3).max(63), prefix: z.string() }),
);
const Listed = lazySchema(() =>
  z.array(z.object({ name: z.string(), key: z.string(), size: z.number().optional() })),
);
const OpenInput = lazySchema(() =>
  z.strictObject({ bucket: z.string().min(3).max(63), key: z.string().min(1) }),
);
const Body = lazySchema(() =>
  z.custom<AsyncIterable<Uint8Array>>((value) => !!value && typeof value === "object" && Symbol.asyncIterator in value, "an object body stream"),
);

type Sdk = typeof import("@aws-sdk/client-s3");

const SDK_PACKAGE = "@aws-sdk/client-s3";

/** How the reader loads the SDK; a seam for the test of a host without it installed. @internal */
export const s3Sdk = { load: (): Promise<Sdk> => import("@aws-sdk/client-s3") };

/** True when `error` says the SDK package itself cannot be found (not a module it depends on). */
function isMissingSdk(error: unknown): boolean {
  const e = (typeof error === "object" && error !== null ? error : {}) as { code?: unknown; message?: unknown };
  return (e.code === "ERR_MODULE_NOT_FOUND" || e.code === "MODULE_NOT_FOUND") && typeof e.message === "string" && e.message.includes(`'${SDK_PACKAGE}'`);
}

function missingSdkError(operation: string, cause: unknown): IntegrationError {
  return new IntegrationError(
    `${BPO_VENDOR} ${operation}: s3ExportReader needs ${SDK_PACKAGE}, an optional peer dependency of @connect/bpo that is not installed; install it next to @connect/bpo (npm install ${SDK_PACKAGE})`,
    { vendor: BPO_VENDOR, operation, vendorCode: "S3_SDK_NOT_INSTALLED", retryable: false, cause },
  );
}

/**
 * Read deliveries from S3.
 * @example
 * const reader = s3ExportReader({ bucket: "acme-bpo-drop", prefix: "outgoing/", region: "us-east-1" });
 * const report = await importLatestBpoExport(reader, { store });
 * @public
 */
export function s3ExportReader(options: S3ExportReaderOptions): S3ExportReader {
  if (!options || typeof options.bucket !== "string" || options.bucket.trim() === "") throw new TypeError("s3ExportReader: bucket is required");
  const prefix = options.prefix ?? "";
  const credentials = options.credentials;
  if (credentials && typeof credentials === "object" && "secretAccessKey" in credentials) {
    registerSecret(credentials.secretAccessKey);
    if (credentials.sessionToken) registerSecret(credentials.sessionToken);
  }
  let sdk: Promise<Sdk> | undefined;
  let owned: S3Client | undefined;
  const load = (operation: string): Promise<Sdk> =>
    (sdk ??= s3Sdk.load().catch((error: unknown) => {
      // Not kept: the next call tries again (and builds its own error).
      sdk = undefined;
      throw isMissingSdk(error) ? missingSdkError(operation, error) : error;
    }));
  const client = async (operation: string): Promise<{ s3: S3Client; sdk: Sdk }> => {
    const loaded = await load(operation);
    if (options.client) return { s3: options.client, sdk: loaded };
    owned ??= new loaded.S3Client({
      region: options.region ?? "us-east-1",
      endpoint: options.endpoint,
      credentials: options.credentials,
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      // Core retries; two retry layers would multiply attempts.
      maxAttempts: 1,
    });
    return { s3: owned, sdk: loaded };
  };

  const listOperation = defineOperation({
    id: "exports.list",
    input: ListInput,
    output: Listed,
    idempotent: true,
    async execute(input, ctx) {
      const { s3, sdk: loaded } = await client("exports.list");
      const found: z.infer<typeof Listed> = [];
      let token: string | undefined;
      do {
        const page = await s3
          .send(new loaded.ListObjectsV2Command({ Bucket: input.bucket, Prefix: input.prefix || undefined, ContinuationToken: token }), { abortSignal: ctx.signal })
          .catch((error: unknown) => {
            throw mapS3Error(error, "exports.list", `S3 ListObjectsV2 of s3://${input.bucket}/${input.prefix}`) ?? error;
          });
        for (const object of page.Contents ?? []) {
          if (!object.Key) continue;
          const name = object.Key.slice(input.prefix.length);
          // Only deliveries directly under the prefix, named by the convention.
          if (name.includes("/") || !EXPORT_FILE_PATTERN.test(name)) continue;
          found.push({ name, key: object.Key, size: object.Size });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return found;
    },
  });

  const openOperation = defineOperation({
    id: "exports.open",
    input: OpenInput,
    output: Body,
    idempotent: true,
    async execute(input, ctx) {
      const { s3, sdk: loaded } = await client("exports.open");
      const object = await s3.send(new loaded.GetObjectCommand({ Bucket: input.bucket, Key: input.key }), { abortSignal: ctx.signal }).catch((error: unknown) => {
        throw mapS3Error(error, "exports.open", `S3 GetObject of s3://${input.bucket}/${input.key}`) ?? error;
      });
      if (!object.Body) throw new ServerError(`s3://${input.bucket}/${input.key}: GetObject answered without a body`, { vendor: BPO_VENDOR, operation: "exports.open", retryable: true });
      return object.Body as unknown as AsyncIterable<Uint8Array>;
    },
  });

  const runtime = createRuntime({
    adapter: { id: BPO_VENDOR, version: pkg.version },
    defaults: S3_READER_POLICY_DEFAULTS,
    policy: options.policy,
    telemetry: options.telemetry,
    deadLetters: options.deadLetters,
    mapError: (error, ctx) => mapS3Error(error, ctx.operation, `S3 call in s3://${options.bucket}/${prefix}`),
  });

  const reader = createExportReader(
    {
      async list(signal) {
        const listed = await runtime.run(listOperation, { bucket: options.bucket, prefix }, { signal });
        return listed.map((o) => ({ name: o.name, size: o.size, location: `s3://${options.bucket}/${o.key}` }));
      },
      open: (name, signal) => runtime.run(openOperation, { bucket: options.bucket, key: `${prefix}${name}` }, { signal }),
    },
    options,
  );
  return {
    ...reader,
    async close() {
      await runtime.close();
      owned?.destroy();
      owned = undefined;
    },
  };
}

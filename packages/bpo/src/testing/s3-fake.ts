/**
 * A small stateful S3 fake (REST-XML, path-style addressing) for the export readers:
 * ListObjectsV2 with prefix and continuation tokens, GetObject streaming an object (held in
 * memory or read from a file on disk), S3's XML error bodies (NoSuchBucket, NoSuchKey,
 * AccessDenied, SlowDown …), a SigV4 credential check, and scripted faults that reset.
 * Serve it on its own `serveHandlers` server and point the SDK's `endpoint` at it.
 */
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { http, HttpResponse, type RequestHandler } from "msw";

/** An object the fake holds. @public */
export interface FakeS3Object {
  key: string;
  size: number;
  lastModified: string;
  etag: string;
  /** In-memory bytes, or a path streamed on every GetObject. */
  body: Uint8Array | { path: string };
}

/** A scripted S3 error. @public */
export interface FakeS3Failure {
  /** S3 error code, e.g. `SlowDown`, `InternalError`, `AccessDenied`. */
  code: string;
  status: number;
  message?: string | undefined;
  /** Only `ListObjectsV2` or `GetObject`. */
  operation?: "ListObjectsV2" | "GetObject" | undefined;
  times?: number | undefined;
}

/** Options of {@link createS3Fake}. @public */
export interface S3FakeOptions {
  /** Buckets that exist. Default `["bpo-exports"]`. */
  buckets?: readonly string[] | undefined;
  /** The access key id the fake accepts in the SigV4 Authorization header. Default `AKIDBPOFAKE000000000`. */
  accessKeyId?: string | undefined;
  /** Largest page of ListObjectsV2 (S3's is 1000). */
  maxKeys?: number | undefined;
}

/** The S3 fake. @public */
export interface S3Fake {
  readonly handlers: RequestHandler[];
  readonly accessKeyId: string;
  /** Credentials for an S3Client pointed at the fake. */
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** Objects by `bucket/key`. */
  readonly objects: Map<string, FakeS3Object>;
  /** Operations received, in order (`ListObjectsV2 bpo-exports`, `GetObject bpo-exports/key`). */
  readonly calls: string[];
  /** Store bytes under a key. */
  putObject(bucket: string, key: string, body: string | Uint8Array, options?: { lastModified?: string }): void;
  /** Serve a file on disk under a key (streamed, so large exports cost no memory). */
  putFile(bucket: string, key: string, path: string): Promise<void>;
  /** Answer the next matching call(s) with an S3 error. */
  failNext(failure: FakeS3Failure): void;
  /** The next GetObject sends `afterBytes` of the body, then the connection drops. */
  dropConnectionNext(options: { afterBytes: number }): void;
  /** Drop objects, calls and failures. */
  reset(): void;
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]!);
}

function s3Error(status: number, code: string, message: string, resource: string): Response {
  const requestId = randomUUID().replaceAll("-", "").slice(0, 16).toUpperCase();
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><Resource>${xmlEscape(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`;
  return new HttpResponse(body, { status, headers: { "content-type": "application/xml", "x-amz-request-id": requestId } });
}

const MESSAGES: Record<string, string> = {
  NoSuchBucket: "The specified bucket does not exist",
  NoSuchKey: "The specified key does not exist.",
  AccessDenied: "Access Denied",
  InvalidAccessKeyId: "The AWS Access Key Id you provided does not exist in our records.",
  SlowDown: "Please reduce your request rate.",
  InternalError: "We encountered an internal error. Please try again.",
};

/**
 * Create an S3 fake.
 * @example
 * const s3 = createS3Fake();
 * await s3.putFile("bpo-exports", "outgoing/bpo_export_2024-06-03.csv", file.path);
 * const server = await serveHandlers(s3.handlers);
 * const reader = s3ExportReader({ bucket: "bpo-exports", prefix: "outgoing/", endpoint: server.url, credentials: s3.credentials });
 * @public
 */
export function createS3Fake(options: S3FakeOptions = {}): S3Fake {
  const buckets = new Set(options.buckets ?? ["bpo-exports"]);
  const accessKeyId = options.accessKeyId ?? "AKIDBPOFAKE000000000";
  const maxKeys = options.maxKeys ?? 1000;
  const objects = new Map<string, FakeS3Object>();
  const calls: string[] = [];
  let failures: Array<FakeS3Failure & { left: number }> = [];
  let dropAfter: number | undefined;

  const takeFailure = (operation: "ListObjectsV2" | "GetObject"): FakeS3Failure | undefined => {
    const failure = failures.find((f) => f.left > 0 && (!f.operation || f.operation === operation));
    if (failure) failure.left -= 1;
    return failure;
  };

  const handler = http.get("*", async ({ request }) => {
    const url = new URL(request.url);
    const [bucket = "", ...rest] = url.pathname.slice(1).split("/");
    const key = rest.map(decodeURIComponent).join("/");
    const operation = key === "" ? "ListObjectsV2" : "GetObject";
    calls.push(`${operation} ${bucket}${key ? `/${key}` : ""}`);
    const auth = request.headers.get("authorization") ?? "";
    if (!auth.startsWith("AWS4-HMAC-SHA256 ")) return s3Error(403, "AccessDenied", MESSAGES.AccessDenied!, url.pathname);
    if (!auth.includes(`Credential=${accessKeyId}/`)) return s3Error(403, "InvalidAccessKeyId", MESSAGES.InvalidAccessKeyId!, url.pathname);
    const failure = takeFailure(operation);
    if (failure) return s3Error(failure.status, failure.code, failure.message ?? MESSAGES[failure.code] ?? failure.code, url.pathname);
    if (!buckets.has(bucket)) return s3Error(404, "NoSuchBucket", MESSAGES.NoSuchBucket!, `/${bucket}`);

    if (operation === "ListObjectsV2") {
      if (url.searchParams.get("list-type") !== "2") return s3Error(400, "InvalidArgument", "Only ListObjectsV2 (list-type=2) is supported by the fake", url.pathname);
      const prefix = url.searchParams.get("prefix") ?? "";
      const limit = Math.min(maxKeys, Number(url.searchParams.get("max-keys") ?? maxKeys));
      const token = url.searchParams.get("continuation-token");
      const after = token ? Buffer.from(token, "base64url").toString("utf8") : "";
      const keys = [...objects.values()]
        .filter((o) => o.key.startsWith(`${bucket}/`))
        .map((o) => ({ ...o, key: o.key.slice(bucket.length + 1) }))
        .filter((o) => o.key.startsWith(prefix) && o.key > after)
        .sort((a, b) => (a.key < b.key ? -1 : 1));
      const pageKeys = keys.slice(0, limit);
      const truncated = keys.length > pageKeys.length;
      const contents = pageKeys
        .map((o) => `<Contents><Key>${xmlEscape(o.key)}</Key><LastModified>${o.lastModified}</LastModified><ETag>&quot;${o.etag}&quot;</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`)
        .join("");
      const next = truncated ? `<NextContinuationToken>${Buffer.from(pageKeys.at(-1)!.key).toString("base64url")}</NextContinuationToken>` : "";
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${pageKeys.length}</KeyCount><MaxKeys>${limit}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${token ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : ""}${contents}${next}</ListBucketResult>`;
      return new HttpResponse(body, { headers: { "content-type": "application/xml", "x-amz-request-id": randomUUID() } });
    }

    const object = objects.get(`${bucket}/${key}`);
    if (!object) return s3Error(404, "NoSuchKey", MESSAGES.NoSuchKey!, `/${bucket}/${key}`);
    const headers = { "content-type": "application/octet-stream", etag: `"${object.etag}"`, "last-modified": new Date(object.lastModified).toUTCString(), "x-amz-request-id": randomUUID() };
    if (dropAfter !== undefined) {
      const cut = dropAfter;
      dropAfter = undefined;
      const bytes = object.body instanceof Uint8Array ? object.body : await readFile(object.body.path);
      // Erroring the body stream makes the server destroy the socket mid-response.
      const broken = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.subarray(0, cut));
          setTimeout(() => controller.error(new Error("connection dropped by the fake")), 5);
        },
      });
      return new HttpResponse(broken, { headers });
    }
    if (object.body instanceof Uint8Array) return new HttpResponse(object.body, { headers });
    const stream = Readable.toWeb(createReadStream(object.body.path, { highWaterMark: 256 * 1024 })) as unknown as ReadableStream<Uint8Array>;
    return new HttpResponse(stream, { headers });
  });

  const etag = (): string => randomUUID().replaceAll("-", "");
  return {
    handlers: [handler],
    accessKeyId,
    credentials: { accessKeyId, secretAccessKey: "fake/S3+secret+key+for+tests+only0000000" },
    objects,
    calls,
    putObject(bucket, key, body, putOptions = {}) {
      const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
      objects.set(`${bucket}/${key}`, { key: `${bucket}/${key}`, size: bytes.byteLength, lastModified: putOptions.lastModified ?? new Date().toISOString(), etag: etag(), body: bytes });
    },
    async putFile(bucket, key, path) {
      const info = await stat(path);
      objects.set(`${bucket}/${key}`, { key: `${bucket}/${key}`, size: info.size, lastModified: info.mtime.toISOString(), etag: etag(), body: { path } });
    },
    failNext(failure) {
      failures.push({ ...failure, left: failure.times ?? 1 });
    },
    dropConnectionNext({ afterBytes }) {
      dropAfter = afterBytes;
    },
    reset() {
      objects.clear();
      calls.length = 0;
      failures = [];
      dropAfter = undefined;
    },
  };
}

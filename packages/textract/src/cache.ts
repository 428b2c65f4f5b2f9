/**
 * An extraction cache, so the same document is not analysed (and paid for) twice: synchronous
 * results are stored by a key that names the document's content and everything asked of it.
 * Bytes are identified by their SHA-256; an S3 object by bucket, name and the ETag and/or
 * VersionId the caller passes (the client makes no S3 HeadObject call, so an S3 input that
 * carries neither is not cached).
 */
import { createHash } from "node:crypto";

/** A cached synchronous Textract response (the raw blocks; parsing and extraction run again on a hit). @public */
export interface CachedExtraction {
  /** The Textract operation that produced it. */
  operation: "AnalyzeDocument" | "DetectDocumentText";
  pageCount: number;
  blocks: Record<string, unknown>[];
  modelVersion: string | undefined;
}

/** Where results are kept; `get` and `set` may be synchronous or return promises (Redis, a database). @public */
export interface ExtractionCache {
  get(key: string): CachedExtraction | undefined | Promise<CachedExtraction | undefined>;
  set(key: string, value: CachedExtraction): void | Promise<void>;
}

/** Options of {@link createMemoryExtractionCache}. @public */
export interface MemoryExtractionCacheOptions {
  /** Most results kept; the least recently used goes first (default 100). */
  maxEntries?: number;
}

/** An in-memory LRU {@link ExtractionCache} bounded by entry count. @public */
export function createMemoryExtractionCache(options: MemoryExtractionCacheOptions = {}): ExtractionCache & { readonly size: number; clear(): void } {
  const max = options.maxEntries ?? 100;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`createMemoryExtractionCache: maxEntries must be a positive integer (got ${String(max)})`);
  const entries = new Map<string, CachedExtraction>();
  return {
    get(key) {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      while (entries.size > max) entries.delete(entries.keys().next().value as string);
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
  };
}

/** What identifies a document's content for the cache. @internal */
export type CacheDocument = { bytes: Uint8Array } | { s3: { bucket: string; name: string; version?: string | undefined; etag?: string | undefined } };

/**
 * The cache key of a request: SHA-256 over the operation, the document's identity (content hash,
 * or S3 ETag + VersionId) and the wire parameters (features, queries, adapters), or `undefined`
 * when the document's content cannot be identified (S3 without ETag or VersionId).
 * @internal
 */
export function extractionCacheKey(operation: CachedExtraction["operation"], document: CacheDocument, params: Record<string, unknown>): string | undefined {
  let identity: Record<string, unknown>;
  if ("bytes" in document) {
    identity = { sha256: createHash("sha256").update(document.bytes).digest("hex") };
  } else {
    const { bucket, name, version, etag } = document.s3;
    if (version === undefined && etag === undefined) return undefined;
    // An ETag is sent quoted by S3; the quotes are not part of the identity.
    identity = { bucket, name, version: version ?? null, etag: etag?.replace(/^"|"$/g, "") ?? null };
  }
  return createHash("sha256").update(JSON.stringify({ v: 1, operation, identity, params })).digest("hex");
}

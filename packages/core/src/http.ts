/**
 * The transport: one undici Pool per origin with keep-alive, connect/headers/body
 * timeouts, AbortSignal, a response-size cap, and JSON, form, XML, binary and streamed
 * bodies. It knows nothing of vendors: it sends a request and reports what happened as
 * a response or a typed network/timeout error.
 */
import { Readable } from "node:stream";
import type { Dispatcher, Pool } from "undici";

type Undici = typeof import("undici");
let undici: Undici | undefined;
let undiciLoading: Promise<Undici> | undefined;

/**
 * undici, loaded on the first request rather than at import: it is most of the SDK's import
 * time (≈ 120 ms on a 2-core machine), and a process that never sends (a webhook receiver, a
 * CLI printing help, a test that only validates input) never pays it.
 */
function loadUndici(): Undici | Promise<Undici> {
  return (
    undici ??
    (undiciLoading ??= import("undici").then(
      // A bundler's import() of a CommonJS module may give its exports as `default` only.
      (loaded) => (undici = typeof loaded.Pool === "function" ? loaded : (loaded as unknown as { default: Undici }).default),
      (error: unknown) => {
        // Not kept: a later call tries again.
        undiciLoading = undefined;
        throw new IntegrationError(`could not load undici, the HTTP client (${error instanceof Error ? error.message : String(error)}); is the install complete?`, { retryable: false, vendorCode: "UNDICI_NOT_LOADED", mayHaveReachedVendor: false, cause: error });
      },
    ))
  );
}

/**
 * Resolves once the HTTP client is loaded; undefined when it already is. The runtime waits for
 * it before a call's first attempt, so loading code never counts against a vendor timeout.
 * @internal
 */
export function transportReady(): Promise<unknown> | undefined {
  return undici ? undefined : (loadUndici() as Promise<Undici>);
}
import { IntegrationError, NetworkError, TimeoutError, ValidationError } from "./errors.js";

/** A request body in one of the encodings vendors use. @public */
export type RequestBody =
  | { json: unknown }
  | { form: Record<string, string | number | boolean | undefined | Array<string | number>> }
  | { xml: string }
  | { text: string; contentType?: string }
  | { binary: Uint8Array; contentType?: string }
  | { stream: Readable | AsyncIterable<Uint8Array>; contentType?: string; contentLength?: number }
  | { multipart: FormData };

/** How the response body is read. @public */
export type ResponseType = "json" | "text" | "binary" | "stream" | "none";

/** One HTTP request as an operation describes it. @public */
export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";
  /** Path below the base URL (may include its own query string). */
  path: string;
  query?: Record<string, string | number | boolean | undefined | Array<string | number>> | undefined;
  headers?: Record<string, string | undefined> | undefined;
  body?: RequestBody | undefined;
  /** How to read the response; `json` by default. */
  responseType?: ResponseType | undefined;
}

/** A received response. `body` is parsed per `responseType`. @public */
export interface HttpResponse<TBody = unknown> {
  status: number;
  headers: Record<string, string>;
  body: TBody;
  /** The vendor's request id, from the first request-id header found. */
  requestId: string | undefined;
  /** Raw text of a body that failed to parse as JSON, for error mapping. */
  rawText?: string | undefined;
}

/** Transport limits. @public */
export interface TransportOptions {
  /** Time to establish the TCP/TLS connection (ms). Default 10 000. */
  connectTimeoutMs?: number;
  /** Time from sending the request to receiving the response headers (ms). Default 30 000. */
  headersTimeoutMs?: number;
  /** Maximum idle time between body chunks (ms). Default 30 000. */
  bodyTimeoutMs?: number;
  /** Largest buffered response body in bytes (streams are not capped). Default 10 MiB. */
  maxResponseBytes?: number;
  /** Connections per origin. Default 32. */
  connections?: number;
  /** Keep-alive idle timeout (ms). Default 4 000. */
  keepAliveTimeoutMs?: number;
  /** Header names that carry the vendor's request id, checked in order. */
  requestIdHeaders?: string[];
}

/** A transport error's raw description, before the runner adds vendor and operation. @internal */
const DEFAULT_REQUEST_ID_HEADERS = [
  "x-request-id",
  "x-amzn-requestid",
  "x-amz-request-id",
  "twilio-request-id",
  "x-docusign-tracetoken",
  "intuit_tid",
  "x-message-id",
];

/** Sends requests to one origin over a keep-alive undici Pool. @public */
export interface Transport {
  /** The base URL every path is resolved against. */
  readonly baseUrl: string;
  /** Send a request; the signal aborts it at any phase. */
  send(request: HttpRequest, signal?: AbortSignal): Promise<HttpResponse>;
  /** Close the pool's connections (in-flight requests get one second, then are destroyed). */
  close(): Promise<void>;
}

/** Serialise a query object: arrays repeat the key; undefined is skipped. @public */
export function toQueryString(query: HttpRequest["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Encode a form body as application/x-www-form-urlencoded (arrays repeat the key). @public */
export function encodeForm(form: Record<string, string | number | boolean | undefined | Array<string | number>>): string {
  return toQueryString(form).slice(1);
}

interface EncodedBody {
  body: Dispatcher.DispatchOptions["body"];
  contentType: string | undefined;
  contentLength?: number | undefined;
}

const NO_BODY: EncodedBody = Object.freeze({ body: undefined, contentType: undefined });

// Synchronous on purpose: every encoding is ready at once (streams are passed on, not read), and an
// async function here would cost every request a promise and a microtask turn.
function encodeBody(body: RequestBody | undefined): EncodedBody {
  if (!body) return NO_BODY;
  if ("json" in body) return { body: JSON.stringify(body.json), contentType: "application/json" };
  if ("form" in body) return { body: encodeForm(body.form), contentType: "application/x-www-form-urlencoded" };
  if ("xml" in body) return { body: body.xml, contentType: "application/xml" };
  if ("text" in body) return { body: body.text, contentType: body.contentType ?? "text/plain; charset=utf-8" };
  if ("binary" in body) return { body: body.binary, contentType: body.contentType ?? "application/octet-stream" };
  if ("multipart" in body) {
    // Let the Fetch Response encoder write the boundary and parts; the result is a stream.
    const encoded = new Response(body.multipart);
    const contentType = encoded.headers.get("content-type") ?? undefined;
    const stream = encoded.body ? Readable.fromWeb(encoded.body as never) : undefined;
    return { body: stream, contentType };
  }
  const stream = body.stream instanceof Readable ? body.stream : Readable.from(body.stream);
  return { body: stream, contentType: body.contentType ?? "application/octet-stream", contentLength: body.contentLength };
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in raw) {
    if (!Object.hasOwn(raw, key)) continue;
    const value = raw[key];
    if (value === undefined) continue;
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Translate an undici/system error into the SDK's typed errors. @internal */
export function mapTransportError(error: unknown, limits: Required<Pick<TransportOptions, "connectTimeoutMs" | "headersTimeoutMs" | "bodyTimeoutMs">>, signal?: AbortSignal): IntegrationError {
  if (IntegrationError.is(error)) return error;
  const err = error as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = err?.code ?? err?.cause?.code;
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (IntegrationError.is(reason)) return reason;
    return new IntegrationError(`request aborted by the caller${reason instanceof Error ? `: ${reason.message}` : ""}`, {
      cause: error,
      retryable: false,
    });
  }
  if (code === "UND_ERR_CONNECT_TIMEOUT") {
    return new TimeoutError(`connect timed out after ${limits.connectTimeoutMs} ms`, { phase: "connect", timeoutMs: limits.connectTimeoutMs, cause: error });
  }
  if (code === "UND_ERR_HEADERS_TIMEOUT") {
    return new TimeoutError(`no response headers within ${limits.headersTimeoutMs} ms`, { phase: "headers", timeoutMs: limits.headersTimeoutMs, cause: error });
  }
  if (code === "UND_ERR_BODY_TIMEOUT") {
    return new TimeoutError(`response body stalled for ${limits.bodyTimeoutMs} ms`, { phase: "body", timeoutMs: limits.bodyTimeoutMs, cause: error });
  }
  const neverSent = code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EHOSTUNREACH" || code === "ENETUNREACH";
  return new NetworkError(`network error${code ? ` (${code})` : ""}: ${err?.message ?? String(error)}`, {
    code,
    cause: error,
    mayHaveReachedVendor: !neverSent,
  });
}

/** The abort reason of a request that was never dispatched, marked as such (a retry of a write is then safe). */
function neverSent(reason: unknown): IntegrationError {
  if (reason instanceof TimeoutError) {
    return new TimeoutError(`${reason.message} (before the request was sent)`, { phase: reason.phase, timeoutMs: reason.timeoutMs, retryable: reason.retryable, mayHaveReachedVendor: false, cause: reason });
  }
  if (IntegrationError.is(reason)) return Object.assign(Object.create(Object.getPrototypeOf(reason) as object) as IntegrationError, reason, { mayHaveReachedVendor: false });
  return new IntegrationError(`request aborted by the caller before it was sent${reason instanceof Error ? `: ${reason.message}` : ""}`, { cause: reason, retryable: false, mayHaveReachedVendor: false });
}

/** Read a body stream into a Buffer, failing once it exceeds `limit` bytes. */
async function readCapped(stream: AsyncIterable<Uint8Array>, limit: number, destroy: () => void): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > limit) {
      destroy();
      throw new IntegrationError(`response body exceeded the ${limit}-byte cap; raise maxResponseBytes or stream it`, {
        retryable: false,
        vendorCode: "RESPONSE_TOO_LARGE",
      });
    }
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks, size);
}

/**
 * Create a transport for one base URL. Pools are per origin; the base URL's path is
 * prefixed to every request path.
 * @public
 */
export function createTransport(baseUrl: string, options: TransportOptions = {}): Transport {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ValidationError(`baseUrl "${baseUrl}" is not an absolute URL`, { issues: [{ path: "baseUrl", message: "not an absolute URL" }] });
  }
  const limits = {
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    headersTimeoutMs: options.headersTimeoutMs ?? 30_000,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 30_000,
  };
  const maxResponseBytes = options.maxResponseBytes ?? 10 * 1024 * 1024;
  const requestIdHeaders = (options.requestIdHeaders ?? DEFAULT_REQUEST_ID_HEADERS).map((h) => h.toLowerCase());
  const basePath = url.pathname.replace(/\/$/, "");
  let pool: Pool | undefined;
  let closed = false;
  const poolOf = (loaded: Undici): Pool =>
    (pool ??= new loaded.Pool(url.origin, {
      connections: options.connections ?? 32,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
      connect: { timeout: limits.connectTimeoutMs },
      headersTimeout: limits.headersTimeoutMs,
      bodyTimeout: limits.bodyTimeoutMs,
    }));

  async function send(request: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    const encoded = encodeBody(request.body);
    const headers: Record<string, string> = { "user-agent": "connect-sdk" };
    if (encoded.contentType) headers["content-type"] = encoded.contentType;
    if (encoded.contentLength !== undefined) headers["content-length"] = String(encoded.contentLength);
    const extra = request.headers;
    if (extra) {
      for (const [key, value] of Object.entries(extra)) {
        if (value !== undefined) headers[key.toLowerCase()] = value;
      }
    }
    const responseType = request.responseType ?? "json";
    if (responseType === "json" && !headers["accept"]) headers["accept"] = "application/json";
    const path = `${basePath}${request.path.startsWith("/") ? "" : "/"}${request.path}${toQueryString(request.query)}`;
    // Before the request is dispatched nothing can have reached the vendor: every failure up to
    // there is typed as never sent; only what undici's request throws goes to mapTransportError.
    if (closed) throw new IntegrationError("the transport is closed", { retryable: false, vendorCode: "TRANSPORT_CLOSED" });
    const loaded = undici ?? (await loadUndici());
    // Aborted while undici loaded: the vendor saw nothing.
    if (signal?.aborted) throw neverSent(signal.reason);
    let target: Pool;
    try {
      target = poolOf(loaded);
    } catch (error) {
      throw new IntegrationError(`could not create the HTTP connection pool for ${url.origin} (${error instanceof Error ? error.message : String(error)})`, { retryable: false, vendorCode: "TRANSPORT_UNAVAILABLE", mayHaveReachedVendor: false, cause: error });
    }
    let response: Dispatcher.ResponseData;
    try {
      response = await target.request({ method: request.method, path, headers, body: encoded.body ?? null, signal: signal ?? null });
    } catch (error) {
      throw mapTransportError(error, limits, signal);
    }
    const responseHeaders = flattenHeaders(response.headers as Record<string, string | string[] | undefined>);
    let requestId: string | undefined;
    for (const name of requestIdHeaders) {
      requestId = responseHeaders[name];
      if (requestId !== undefined) break;
    }
    const base = { status: response.statusCode, headers: responseHeaders, requestId };
    try {
      if (responseType === "stream" && response.statusCode < 400) {
        return { ...base, body: response.body };
      }
      // An error answer is read whatever the caller asked for: its body carries the vendor's code and message.
      if ((responseType === "none" && response.statusCode < 400) || request.method === "HEAD") {
        await response.body.dump();
        return { ...base, body: undefined };
      }
      const declared = Number(responseHeaders["content-length"]);
      // Fast path: a declared length within the cap is read in one go; otherwise count chunks.
      const buffer =
        Number.isFinite(declared) && declared <= maxResponseBytes
          ? Buffer.from(await response.body.arrayBuffer())
          : await readCapped(response.body, maxResponseBytes, () => response.body.destroy());
      if (responseType === "binary" && response.statusCode < 400) return { ...base, body: buffer };
      const text = buffer.toString("utf8");
      const contentType = responseHeaders["content-type"] ?? "";
      const wantsJson = responseType === "json" || contentType.includes("json");
      if (wantsJson && text.trim() !== "" && !contentType.includes("xml") && !contentType.startsWith("text/html")) {
        try {
          return { ...base, body: JSON.parse(text) as unknown };
        } catch (error) {
          if (response.statusCode >= 400) return { ...base, body: undefined, rawText: text };
          throw new IntegrationError(`response was not valid JSON (${(error as Error).message})`, {
            status: response.statusCode,
            requestId,
            retryable: false,
            vendorCode: "MALFORMED_RESPONSE",
            cause: error,
          });
        }
      }
      if (responseType === "json" && text.trim() === "") return { ...base, body: undefined };
      return { ...base, body: text, rawText: text };
    } catch (error) {
      if (IntegrationError.is(error)) {
        if (error.status === undefined) Object.assign(error, { status: response.statusCode, requestId });
        throw error;
      }
      throw Object.assign(mapTransportError(error, limits, signal), { requestId });
    }
  }

  return {
    baseUrl: url.toString().replace(/\/$/, ""),
    send,
    async close() {
      closed = true;
      // Never sent anything: there is no pool to close.
      if (!pool) return;
      // Graceful first; a request stuck on a dead peer must not hold shutdown forever.
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), 1_000);
        timer.unref();
      });
      const outcome = await Promise.race([pool.close().then(() => "closed" as const), grace]);
      clearTimeout(timer);
      if (outcome === "timeout") await pool.destroy();
    },
  };
}

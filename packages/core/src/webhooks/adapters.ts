/**
 * Turn a Node `IncomingMessage` or a Fetch `Request` into a {@link WebhookRequest}: the raw
 * body bytes (with a size cap), lower-case headers and the full URL the vendor called.
 */
import type { IncomingMessage } from "node:http";
import { ValidationError } from "../errors.js";
import { verificationError } from "./common.js";
import type { WebhookRequest } from "./types.js";

/** Default cap on a webhook body: 25 MiB (DocuSign Connect may include documents). @public */
export const DEFAULT_MAX_WEBHOOK_BODY_BYTES = 25 * 1024 * 1024;

/** Options of {@link fromNodeRequest}. @public */
export interface FromNodeRequestOptions {
  /** The raw body, when a framework already read it (e.g. `express.raw()` put it in `req.body`). */
  rawBody?: Buffer | string | undefined;
  /** Public origin the vendor calls (`https://hooks.example.com`), used instead of the Host header behind a proxy; `req.url` is appended. */
  baseUrl?: string | undefined;
  /** Take scheme and host from `X-Forwarded-Proto` / `X-Forwarded-Host` (only behind a proxy you trust). */
  trustProxy?: boolean | undefined;
  /** Largest body accepted; larger ones fail with a 413 `ValidationError` (default 25 MiB). */
  maxBytes?: number | undefined;
}

/** Options of {@link fromFetchRequest}. @public */
export interface FromFetchRequestOptions {
  /** Largest body accepted (default 25 MiB). */
  maxBytes?: number | undefined;
}

function tooLarge(maxBytes: number): ValidationError {
  return new ValidationError(`webhook body is larger than ${maxBytes} bytes`, { status: 413, issues: [{ path: "body", message: `larger than ${maxBytes} bytes`, code: "too_big" }] });
}

async function readLimited(chunks: AsyncIterable<Uint8Array | string>, maxBytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    size += buffer.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    parts.push(buffer);
  }
  return Buffer.concat(parts, size);
}

function first(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text?.split(",")[0]?.trim() || undefined;
}

/**
 * Read a Node request into a {@link WebhookRequest}. Uses `options.rawBody`, else a Buffer or
 * string a framework left in `req.rawBody` / `req.body`, else reads the stream. A parsed
 * `req.body` object fails with `WebhookVerificationError` (`body_parsed`) and an explanation.
 * Pass a Buffer or string as the second argument as a shorthand for `{ rawBody }`.
 * @public
 */
export async function fromNodeRequest(req: IncomingMessage, options: FromNodeRequestOptions | Buffer | string = {}): Promise<WebhookRequest> {
  const opts: FromNodeRequestOptions = typeof options === "string" || Buffer.isBuffer(options) ? { rawBody: options } : options;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_WEBHOOK_BODY_BYTES;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  const loose = req as IncomingMessage & { body?: unknown; rawBody?: unknown };
  let rawBody: Buffer;
  if (opts.rawBody !== undefined) {
    rawBody = typeof opts.rawBody === "string" ? Buffer.from(opts.rawBody, "utf8") : opts.rawBody;
  } else if (Buffer.isBuffer(loose.rawBody)) {
    rawBody = loose.rawBody;
  } else if (Buffer.isBuffer(loose.body) || typeof loose.body === "string") {
    rawBody = typeof loose.body === "string" ? Buffer.from(loose.body, "utf8") : loose.body;
  } else if (loose.body !== undefined && loose.body !== null && (loose.readableEnded || !loose.readable)) {
    throw verificationError(
      "body_parsed",
      "body was parsed before verification (req.body is an object and the stream is consumed). Mount the webhook route before the JSON body parser or use express.raw({ type: \"*/*\" })",
    );
  } else {
    rawBody = await readLimited(req, maxBytes);
  }
  if (rawBody.length > maxBytes) throw tooLarge(maxBytes);

  let origin: string;
  if (opts.baseUrl) {
    origin = opts.baseUrl.replace(/\/+$/, "");
  } else {
    const encrypted = Boolean((req.socket as { encrypted?: boolean } | undefined)?.encrypted);
    const proto = (opts.trustProxy ? first(req.headers["x-forwarded-proto"]) : undefined) ?? (encrypted ? "https" : "http");
    const host = (opts.trustProxy ? first(req.headers["x-forwarded-host"]) : undefined) ?? req.headers.host ?? "localhost";
    origin = `${proto}://${host}`;
  }
  return { method: (req.method ?? "POST").toUpperCase(), url: `${origin}${req.url ?? "/"}`, headers, rawBody };
}

/**
 * Read a Fetch `Request` into a {@link WebhookRequest}. A body that was already read fails
 * with `WebhookVerificationError` (`body_parsed`).
 * @public
 */
export async function fromFetchRequest(request: Request, options: FromFetchRequestOptions = {}): Promise<WebhookRequest> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_WEBHOOK_BODY_BYTES;
  if (request.bodyUsed) {
    throw verificationError("body_parsed", "body was parsed before verification (the Request body was already read); pass the request before calling .json() or .text()");
  }
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  const rawBody = request.body ? await readLimited(request.body as unknown as AsyncIterable<Uint8Array>, maxBytes) : Buffer.alloc(0);
  return { method: request.method.toUpperCase(), url: request.url, headers, rawBody };
}

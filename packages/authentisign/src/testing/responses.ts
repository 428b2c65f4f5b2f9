/**
 * The fake's response bodies: the declared `{ code, message, details }` error body, ASP.NET
 * ProblemDetails (served as application/json, never application/problem+json), and executed
 * documents streamed in 64 KiB chunks.
 */
import { HttpResponse } from "msw";

const MESSAGES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "An error occurred while processing your request.",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/** `{ code, message, details }` — the declared default error body. @public */
export function errorBody(status: number, message?: string, details: string[] = []): { code: number; message: string; details: string[] } {
  return { code: status, message: message ?? MESSAGES[status] ?? `Error ${status}`, details };
}

/** ASP.NET ProblemDetails, served as application/json (never application/problem+json). @public */
export function problem(status: number, title: string, detail: string, instance: string): Record<string, unknown> {
  const section = status === 404 ? "6.5.4" : status === 401 ? "3.1" : "6.5.1";
  return { type: `https://tools.ietf.org/html/rfc${status === 401 ? "7235" : "7231"}#section-${section}`, title, status, detail, instance };
}

/** A PDF body streamed chunk by chunk, with its Content-Disposition. @internal */
export function pdfResponse(bytes: Buffer, filename: string): Response {
  const chunk = 64 * 1024;
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(new Uint8Array(bytes.subarray(offset, offset + chunk)));
      offset += chunk;
    },
  });
  return new HttpResponse(stream, { status: 200, headers: { "content-type": "application/pdf", "content-disposition": `attachment; filename="${filename}"` } });
}

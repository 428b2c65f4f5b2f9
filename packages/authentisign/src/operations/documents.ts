/**
 * Executed documents (shared/vendors/authentisign.md §2): the signed package
 * (`/documents/s`), its certificate (`/sc`) and the latest partially signed package (`/ls`),
 * streamed: the body is handed over as it arrives, never buffered whole.
 */
import type { Readable } from "node:stream";
import { defineOperation } from "@connect/core";
import { DOCUMENT_KINDS, DownloadedDocument, DownloadInput } from "../schemas.js";
import { signingPath } from "./signings.js";

/** `filename="…"` / `filename*=UTF-8''…` of a Content-Disposition header. @internal */
export function filenameOf(disposition: string | undefined): string | undefined {
  if (!disposition) return undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (extended?.[1]) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      return undefined;
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(disposition);
  return plain?.[1]?.trim() || undefined;
}

/**
 * `documents.download`: `GET /api/v1/signings/{signingId}/documents/{s|sc|ls}`. The content type
 * is not declared by the docs; `application/pdf` is expected and used when absent.
 * @public
 */
export const downloadDocument = defineOperation({
  id: "documents.download",
  input: DownloadInput,
  output: DownloadedDocument,
  idempotent: true,
  request: ({ signingId, kind }) => ({
    method: "GET",
    path: signingPath(signingId, `/documents/${DOCUMENT_KINDS[kind]}`),
    headers: { accept: "application/pdf" },
    responseType: "stream",
  }),
  response: (response, { signingId, kind }) => {
    const length = Number(response.headers["content-length"]);
    return {
      filename: filenameOf(response.headers["content-disposition"]) ?? `${signingId}-${kind}.pdf`,
      contentType: response.headers["content-type"]?.split(";")[0]?.trim() || "application/pdf",
      contentLength: Number.isFinite(length) && length >= 0 ? length : undefined,
      body: response.body as Readable,
    };
  },
});

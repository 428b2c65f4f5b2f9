/**
 * Documents of an envelope (shared/vendors/docusign.md §3): the list, and downloads of one
 * document, the combined PDF, the ZIP archive or the certificate — as a stream, so a 20 MB
 * PDF never sits in memory whole. Retries cover the request up to the response headers;
 * once the body flows, a broken connection is an error on the stream.
 */
import type { Readable } from "node:stream";
import { defineOperation, lazySchema } from "@connect/core";
import { z } from "zod";
import { DownloadDocumentInput, EnvelopeDocuments, ListDocumentsInput } from "../schemas.js";
import { envelopePath, jsonBody, sendObserved } from "./common.js";

/** `documents.list`: the documents of an envelope. @public */
export const listDocuments = defineOperation({
  id: "documents.list",
  input: ListDocumentsInput,
  output: EnvelopeDocuments,
  idempotent: true,
  request: ({ envelopeId }, ctx) => ({ method: "GET", path: `${envelopePath(ctx, envelopeId)}/documents` }),
  response: jsonBody,
});

/** A downloaded document: metadata from the headers, the bytes as a stream. @public */
export const DownloadedDocument = lazySchema(() =>
  z.object({
  /** From `Content-Disposition` (`filename="Loan.pdf"`), else `<documentId>.pdf` / `.zip`. */
  filename: z.string(),
  contentType: z.string(),
  contentLength: z.number().int().nonnegative().optional(),
  /** From `Content-Disposition` (`documentid="1"`), when DocuSign names it. */
  documentId: z.string().optional(),
  /** The bytes. Read it to the end or destroy it: an unread stream holds a connection. */
  body: z.custom<Readable>((v) => typeof v === "object" && v !== null && typeof (v as Readable).pipe === "function", { message: "not a stream" }),
}),
);
/** A downloaded document. @public */
export type DownloadedDocument = z.output<typeof DownloadedDocument>;

/** Read `filename` and `documentid` from `Content-Disposition: file; filename="NDA.pdf"; documentid="1"`. @internal */
export function parseContentDisposition(value: string | undefined): { filename?: string; documentId?: string } {
  if (!value) return {};
  const param = (name: string): string | undefined => {
    const star = new RegExp(`${name}\\*=(?:UTF-8'')?([^;]+)`, "i").exec(value)?.[1];
    if (star) {
      try {
        return decodeURIComponent(star.trim().replace(/^"|"$/g, ""));
      } catch {
        return undefined;
      }
    }
    return new RegExp(`${name}=("([^"]*)"|[^;]+)`, "i").exec(value)?.[2] ?? new RegExp(`${name}=([^;]+)`, "i").exec(value)?.[1]?.trim();
  };
  const filename = param("filename");
  const documentId = param("documentid");
  return { ...(filename ? { filename: filename.replace(/[/\\]/g, "_") } : {}), ...(documentId ? { documentId } : {}) };
}

/**
 * `documents.download`: one document, `combined` (one PDF of all documents, plus the
 * certificate of completion per account setting; `certificate: false` drops it), `archive`
 * (ZIP) or `certificate`, streamed.
 * @public
 */
export const downloadDocument = defineOperation({
  id: "documents.download",
  input: DownloadDocumentInput,
  output: DownloadedDocument,
  idempotent: true,
  execute: async ({ envelopeId, documentId, certificate }, ctx) => {
    const response = await sendObserved(ctx, {
      method: "GET",
      path: `${envelopePath(ctx, envelopeId)}/documents/${encodeURIComponent(documentId)}`,
      query: certificate === undefined ? undefined : { certificate: String(certificate) },
      headers: { accept: documentId === "archive" ? "application/zip" : "application/pdf" },
      responseType: "stream",
    });
    const disposition = parseContentDisposition(response.headers["content-disposition"]);
    const contentType = response.headers["content-type"]?.split(";")[0]?.trim() || (documentId === "archive" ? "application/zip" : "application/pdf");
    const length = Number(response.headers["content-length"]);
    return {
      filename: disposition.filename ?? `${documentId}.${contentType === "application/zip" ? "zip" : "pdf"}`,
      contentType,
      ...(Number.isFinite(length) && response.headers["content-length"] !== undefined ? { contentLength: length } : {}),
      ...(disposition.documentId ? { documentId: disposition.documentId } : {}),
      body: response.body as Readable,
    };
  },
});

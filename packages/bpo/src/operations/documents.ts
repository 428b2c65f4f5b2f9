/**
 * Documents attached to projects [uncertain: the spec names the entity only]. Read-only: the
 * legacy system's files are listed (offset pages, filtered by `project_id`), never written.
 */
import { defineOperation } from "@connect/core";
import { DocumentPage, ListDocumentsInput } from "../schemas.js";
import { pageSize, resourcePath } from "./paths.js";

/** `documents.list`: one page of a project's documents. @public */
export const listDocuments = defineOperation({
  id: "documents.list",
  input: ListDocumentsInput,
  output: DocumentPage,
  idempotent: true,
  request: (q, ctx) => ({
    method: "GET",
    path: resourcePath(ctx.params, "documents"),
    query: { project_id: q.projectId, updated_since: q.updatedSince, limit: q.limit ?? pageSize(ctx.params), offset: q.offset ?? 0 },
  }),
});

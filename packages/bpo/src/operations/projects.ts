/**
 * Projects (issue 10's contract): `GET /api/v1/projects?updated_since&status&limit&offset`
 * answers `{ data, pagination: { total, limit, offset, has_more } }`; `POST /api/v1/projects`
 * with `external_id` is an upsert — the same `external_id` updates the same project, so the
 * write is idempotent and retried like a read.
 */
import { defineOperation } from "@connect/core";
import { ListProjectsInput, ProjectPage, UpsertProjectInput, UpsertResult } from "../schemas.js";
import { pageSize, resourcePath } from "./paths.js";

/** `projects.list`: one page of projects. @public */
export const listProjects = defineOperation({
  id: "projects.list",
  input: ListProjectsInput,
  output: ProjectPage,
  idempotent: true,
  request: (q, ctx) => ({
    method: "GET",
    path: resourcePath(ctx.params, "projects"),
    query: {
      updated_since: q.updatedSince,
      // The spec shows one comma-separated parameter (`status=LEAD,FEASIBILITY`), not a repeated key.
      status: q.status?.join(","),
      limit: q.limit ?? pageSize(ctx.params),
      offset: q.offset ?? 0,
    },
  }),
});

/** `projects.upsert`: POST /api/v1/projects keyed by `external_id` (create or update). @public */
export const upsertProject = defineOperation({
  id: "projects.upsert",
  input: UpsertProjectInput,
  output: UpsertResult,
  // An upsert on external_id: sending it twice leaves one project (spec: "treat as an upsert").
  idempotent: true,
  request: (body, ctx) => ({ method: "POST", path: resourcePath(ctx.params, "projects"), body: { json: body } }),
  keyFields: (body) => ({ external_id: body.external_id }),
});

/**
 * Corporate entities (the LLCs, corporations and trusts behind a project) [uncertain: the spec
 * names the entity, not its endpoints]. Offset pages with `updated_since`; upsert on `external_id`.
 */
import { defineOperation } from "@connect/core";
import { EntityPage, ListEntitiesInput, UpsertEntityInput, UpsertResult } from "../schemas.js";
import { pageSize, resourcePath } from "./paths.js";

/** `entities.list`: one page of corporate entities. @public */
export const listEntities = defineOperation({
  id: "entities.list",
  input: ListEntitiesInput,
  output: EntityPage,
  idempotent: true,
  request: (q, ctx) => ({
    method: "GET",
    path: resourcePath(ctx.params, "entities"),
    query: { updated_since: q.updatedSince, limit: q.limit ?? pageSize(ctx.params), offset: q.offset ?? 0 },
  }),
});

/** `entities.upsert`: POST keyed by `external_id`. @public */
export const upsertEntity = defineOperation({
  id: "entities.upsert",
  input: UpsertEntityInput,
  output: UpsertResult,
  idempotent: true,
  request: (body, ctx) => ({ method: "POST", path: resourcePath(ctx.params, "entities"), body: { json: body } }),
  keyFields: (body) => ({ external_id: body.external_id }),
});

/**
 * Contacts (builders, brokers, landowners) [uncertain: the spec names the entity, not its
 * endpoints]. Modelled on projects: offset pages with `updated_since` and a `type` filter, and
 * an upsert on `external_id`.
 */
import { defineOperation } from "@connect/core";
import { ContactPage, ListContactsInput, UpsertContactInput, UpsertResult } from "../schemas.js";
import { pageSize, resourcePath } from "./paths.js";

/** `contacts.list`: one page of contacts. @public */
export const listContacts = defineOperation({
  id: "contacts.list",
  input: ListContactsInput,
  output: ContactPage,
  idempotent: true,
  request: (q, ctx) => ({
    method: "GET",
    path: resourcePath(ctx.params, "contacts"),
    query: { updated_since: q.updatedSince, type: q.type?.join(","), limit: q.limit ?? pageSize(ctx.params), offset: q.offset ?? 0 },
  }),
});

/** `contacts.upsert`: POST keyed by `external_id`. @public */
export const upsertContact = defineOperation({
  id: "contacts.upsert",
  input: UpsertContactInput,
  output: UpsertResult,
  idempotent: true,
  request: (body, ctx) => ({ method: "POST", path: resourcePath(ctx.params, "contacts"), body: { json: body } }),
  keyFields: (body) => ({ external_id: body.external_id }),
});

/**
 * `GET /query?query=<statement>` (shared/vendors/quickbooks.md §4) and `companyinfo` (the
 * health check). Rows come back under the entity's name; no rows means the key is absent.
 */
import { defineOperation, lazySchema } from "@connect/core";
import { z } from "zod";
import { CompanyInfo } from "../schemas.js";
import { checkedBody, companyPath, readQuery, unwrapEntity } from "./common.js";

/** The `QueryResponse` of a statement: rows under the entity name, paging fields, or `totalCount`. @public */
export const QueryResponse = lazySchema(() =>
  z.looseObject({
  startPosition: z.number().optional(),
  maxResults: z.number().optional(),
  totalCount: z.number().optional(),
}),
);
/** @public */
export type QueryResponse = z.infer<typeof QueryResponse> & Record<string, unknown>;

/** `query.run`: run one statement (build it with `selectStatement` or `qbql`, never by pasting values). @public */
export const runQuery = defineOperation({
  id: "query.run",
  input: z.strictObject({ statement: z.string().min(1).max(100_000) }),
  output: QueryResponse,
  idempotent: true,
  request: (input, ctx) => ({ method: "GET", path: companyPath(ctx, "query"), query: readQuery(ctx, { query: input.statement }) }),
  response: (response, _input, ctx) => checkedBody(response, ctx).QueryResponse ?? {},
});

/** `companyInfo.get`: the connected company; a cheap authenticated call. @public */
export const getCompanyInfo = defineOperation({
  id: "companyInfo.get",
  input: z.strictObject({}),
  output: CompanyInfo,
  idempotent: true,
  request: (_input, ctx) => ({ method: "GET", path: companyPath(ctx, "companyinfo", ctx.params.realmId ?? ""), query: readQuery(ctx) }),
  response: (response, _input, ctx) => unwrapEntity(response, "CompanyInfo", ctx),
});

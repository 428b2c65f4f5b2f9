/** Recipients of an envelope (shared/vendors/docusign.md §3). */
import { defineOperation } from "@connect/core";
import { ListRecipientsInput, Recipients } from "../schemas.js";
import { envelopePath, jsonBody } from "./common.js";

/** `recipients.list`: signers and carbon copies with their status and routing order (numbers), tabs on request. @public */
export const listRecipients = defineOperation({
  id: "recipients.list",
  input: ListRecipientsInput,
  output: Recipients,
  idempotent: true,
  request: ({ envelopeId, includeTabs }, ctx) => ({
    method: "GET",
    path: `${envelopePath(ctx, envelopeId)}/recipients`,
    query: includeTabs ? { include_tabs: "true" } : undefined,
  }),
  response: jsonBody,
});

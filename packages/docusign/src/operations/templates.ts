/**
 * Envelopes from server templates (DocuSign eSignature REST: Envelopes: create with
 * `templateId` + `templateRoles`): the template brings the documents, tabs and routing; the
 * call names the people. Retried safely by `transactionId`, like `envelopes.create`.
 */
import { defineOperation } from "@connect/core";
import { CreateEnvelopeResult } from "../schemas.js";
import { CreateEnvelopeFromTemplateInput, toTemplateEnvelopeDefinition } from "../template-input.js";
import { accountPath, sendObserved } from "./common.js";
import { recoverCreate, transactionIdOf } from "./envelopes.js";

/**
 * `envelopes.createFromTemplate`: create (and by default send) an envelope from a template,
 * each role filled by the `templateRoles` entry of the same `roleName`. Safety `checkable`:
 * an attempt whose outcome is unknown is looked up by the envelope's `transactionId` before
 * any retry, so one call makes at most one envelope. An unknown template is a `NotFoundError`
 * (`TEMPLATE_ID_INVALID`).
 * @public
 */
export const createEnvelopeFromTemplate = defineOperation({
  id: "envelopes.createFromTemplate",
  input: CreateEnvelopeFromTemplateInput,
  output: CreateEnvelopeResult,
  safety: "checkable",
  execute: async (input, ctx) => {
    const transactionId = transactionIdOf(input, ctx);
    const response = await sendObserved(ctx, { method: "POST", path: `${accountPath(ctx)}/envelopes`, body: { json: toTemplateEnvelopeDefinition(input, transactionId) } });
    return { ...(response.body as object), transactionId };
  },
  check: (input, ctx) => recoverCreate(ctx, transactionIdOf(input, ctx)),
});

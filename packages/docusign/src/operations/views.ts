/**
 * Embedded signing (DocuSign eSignature REST: EnvelopeViews: createRecipient,
 * `POST …/envelopes/{envelopeId}/views/recipient`): a one-time URL that opens the signing
 * session for a recipient in your app's browser window.
 */
import { defineOperation } from "@connect/core";
import { CreateRecipientViewInput, RecipientView } from "../schemas.js";
import { envelopePath, jsonBody } from "./common.js";

/**
 * `envelopes.createRecipientView`: the signing URL for one recipient, named by `userName` and
 * `email` as on the envelope and the `clientUserId` it was created with. The URL works once,
 * for about 5 minutes; ask again for each session. Safe to retry: a repeat only mints another
 * URL. DocuSign refuses a recipient it cannot match (`UNKNOWN_ENVELOPE_RECIPIENT`, a
 * `ValidationError`) and one whose routing order has not come (`RECIPIENT_NOT_IN_SEQUENCE`, a
 * `ConflictError`).
 * @public
 */
export const createRecipientView = defineOperation({
  id: "envelopes.createRecipientView",
  input: CreateRecipientViewInput,
  output: RecipientView,
  idempotent: true,
  request: ({ envelopeId, ...view }, ctx) => ({
    method: "POST",
    path: `${envelopePath(ctx, envelopeId)}/views/recipient`,
    body: {
      json: {
        returnUrl: view.returnUrl,
        authenticationMethod: view.authenticationMethod,
        userName: view.userName,
        email: view.email,
        ...(view.clientUserId !== undefined ? { clientUserId: view.clientUserId } : {}),
        ...(view.recipientId !== undefined ? { recipientId: view.recipientId } : {}),
        ...(view.frameAncestors ? { frameAncestors: view.frameAncestors } : {}),
        ...(view.messageOrigins ? { messageOrigins: view.messageOrigins } : {}),
        ...(view.pingUrl ? { pingUrl: view.pingUrl } : {}),
        ...(view.pingFrequency !== undefined ? { pingFrequency: String(view.pingFrequency) } : {}),
      },
    },
  }),
  response: jsonBody,
});

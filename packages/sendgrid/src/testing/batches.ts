/**
 * The fake's mail batch ids (shared/vendors/sendgrid.md §3 `batch_id`): `POST /v3/mail/batch`
 * creates one, `GET /v3/mail/batch/{batch_id}` validates one, and mail/send accepts only ids
 * created here. Responses follow SendGrid's OpenAPI (sendgrid-oai `tsg_mail_v3.json`,
 * `MailBatch2xx` / `MailBatch400`) [D].
 */
import { randomBytes } from "node:crypto";
import { http, HttpResponse, type RequestHandler } from "msw";
import type { FakeErrorEntry } from "./mail-rules.js";

/** SendGrid's answer to an id it did not issue (`MailBatch400` in the OpenAPI spec) [D]. */
export const INVALID_BATCH_ID: FakeErrorEntry = { field: null, message: "invalid batch id" };

/** Batch ids look like the spec's example `HkJ5yLYULb7Rj8GKSx7u025ouWVlMgAi`: 32 letters and digits. */
function newBatchId(): string {
  let id = "";
  while (id.length < 32) id += randomBytes(32).toString("base64").replace(/[^A-Za-z0-9]/g, "");
  return id.slice(0, 32);
}

/** The fake's batch id store and its two endpoints. @internal */
export function batchEndpoints(headers: () => Record<string, string>): { ids: Set<string>; handlers: RequestHandler[] } {
  const ids = new Set<string>();
  const create = http.post("*/v3/mail/batch", () => {
    const id = newBatchId();
    ids.add(id);
    return HttpResponse.json({ batch_id: id }, { status: 201, headers: headers() });
  });
  const validate = http.get("*/v3/mail/batch/:batchId", ({ params }) => {
    const id = decodeURIComponent(String(params.batchId));
    // "If you provide an invalid batch ID, you will receive a 400 level status code and an error message" (Validate a batch ID).
    if (!ids.has(id)) return HttpResponse.json({ errors: [INVALID_BATCH_ID] }, { status: 400, headers: headers() });
    return HttpResponse.json({ batch_id: id }, { headers: headers() });
  });
  return { ids, handlers: [create, validate] };
}

/**
 * Embedded signing in the fake: `POST …/envelopes/{id}/views/recipient` (createRecipientView)
 * checks the request as DocuSign does and answers a one-time signing URL on the fake's own
 * origin; visiting it signs for that recipient and redirects to `returnUrl?event=…`.
 * Error codes: UNKNOWN_ENVELOPE_RECIPIENT and RECIPIENT_NOT_IN_SEQUENCE with DocuSign's
 * messages [3p: reported by many users of the API]; the codes for a missing returnUrl /
 * authenticationMethod and for an envelope that is not in progress are [docs-only/uncertain].
 * The URL lives 5 minutes and works once [doc: embedded signing]; the returnUrl `event`
 * values (`signing_complete`, `viewing_complete`, `decline`, `cancel`, `ttl_expired`,
 * `exception`) are DocuSign's [doc].
 */
import { randomBytes } from "node:crypto";
import { BAD_BODY, currentRoutingOrder, isBody, refusalOf, type FakeEnvelope, type FakeRecipient, type FakeRefusal } from "./state.js";

/** How long a signing URL works (DocuSign: 5 minutes). @internal */
export const SIGNING_URL_TTL_MS = 5 * 60_000;

/** A signing URL the fake issued. @public */
export interface FakeSigningSession {
  token: string;
  url: string;
  envelopeId: string;
  recipientId: string;
  returnUrl: string;
  /** `sign` while the recipient still has to sign; `view` for a recipient who has signed (or a completed envelope). */
  mode: "sign" | "view";
  expiresAt: number;
  used: boolean;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

const UNKNOWN_RECIPIENT =
  "The recipient you have identified is not a valid recipient of the specified envelope. Envelope recipient could not be determined. 'clientUserId', 'email', or 'userName' in request and envelope may not match.";

/** Which recipient a view request names, by DocuSign's rule: userName + email (+ clientUserId for an embedded recipient), or recipientId / clientUserId. */
function findRecipient(env: FakeEnvelope, body: Record<string, unknown>): FakeRecipient | undefined {
  const userName = text(body.userName);
  const email = text(body.email);
  const clientUserId = text(body.clientUserId);
  const recipientId = text(body.recipientId);
  if (!(userName && email) && !clientUserId) return undefined;
  return env.recipients.find(
    (r) =>
      (recipientId === undefined || r.recipientId === recipientId) &&
      // An embedded (captive) recipient is only reached with its clientUserId; a remote one has none.
      (r.clientUserId ?? undefined) === clientUserId &&
      (email === undefined || r.email.toLowerCase() === email.toLowerCase()) &&
      (userName === undefined || r.name.trim().toLowerCase() === userName.toLowerCase()),
  );
}

/** Check a recipient view request; the session to issue, or DocuSign's refusal. @internal */
export function recipientView(env: FakeEnvelope, body: unknown, options: { origin: string; now: number }): FakeSigningSession | FakeRefusal {
  if (!isBody(body)) return BAD_BODY;
  const returnUrl = text(body.returnUrl);
  let parsed: URL | undefined;
  try {
    parsed = returnUrl === undefined ? undefined : new URL(returnUrl);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) {
    return refusalOf("INVALID_REQUEST_PARAMETER", "The request contained at least one invalid parameter. 'returnUrl' must be an absolute http(s) URL.");
  }
  if (text(body.authenticationMethod) === undefined) {
    return refusalOf("INVALID_REQUEST_PARAMETER", "The request contained at least one invalid parameter. 'authenticationMethod' is required (e.g. 'none').");
  }
  if (env.status !== "sent" && env.status !== "delivered" && env.status !== "completed") {
    return refusalOf("ENVELOPE_INVALID_STATUS", `Invalid envelope status. The envelope is '${env.status}'; a recipient view needs an envelope that has been sent and is not voided or declined.`);
  }
  const recipient = findRecipient(env, body);
  if (!recipient) return refusalOf("UNKNOWN_ENVELOPE_RECIPIENT", UNKNOWN_RECIPIENT);
  const signed = recipient.status === "completed";
  if (!signed && recipient.type === "signer" && recipient.routingOrder !== currentRoutingOrder(env)) {
    return refusalOf("RECIPIENT_NOT_IN_SEQUENCE", "The token for an out of sequence recipient cannot be generated.");
  }
  const token = randomBytes(16).toString("hex");
  return {
    token,
    url: `${options.origin}/Signing/MTRedeem/v1/${token}?slt=${randomBytes(12).toString("base64url")}`,
    envelopeId: env.envelopeId,
    recipientId: recipient.recipientId,
    returnUrl: parsed.href,
    mode: signed || recipient.type !== "signer" ? "view" : "sign",
    expiresAt: options.now + SIGNING_URL_TTL_MS,
    used: false,
  };
}

/** `returnUrl` with DocuSign's `event` parameter. @internal */
export function returnTo(session: FakeSigningSession, event: string): string {
  const url = new URL(session.returnUrl);
  url.searchParams.set("event", event);
  return url.href;
}

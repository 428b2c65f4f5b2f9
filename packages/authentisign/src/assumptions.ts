/**
 * Every assumption this package makes where Lone Wolf's public documentation is silent, in
 * one module so it can be corrected in one place once Lone Wolf confirms the real contract
 * (shared/vendors/authentisign.md §4 and "Open questions"). Nothing outside this file guesses:
 * the client, the fake and the callback receiver read these tables and shapes.
 *
 * Documented facts (endpoints, the OAuth body, the `{code,message,details}` and ProblemDetails
 * error bodies, the `externalId` header, per-signing `CallbackUrl`) live next to their use.
 */
import { lazySchema, unlazy } from "@connect/core";
import { z } from "zod";

/** Vendor id used in errors, spans and events. @public */
export const AUTHENTISIGN = "authentisign";

// ── Authentication ───────────────────────────────────────────────────────────────────────

/**
 * The token response. Lone Wolf documents the request body and a 24 h lifetime but not the
 * response; a standard OAuth body (`access_token`, `token_type`, `expires_in` seconds) is assumed.
 * @public
 */
export const TokenResponse = lazySchema(() =>
  z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
}),
);

/** Lifetime used when the token response carries no `expires_in` (the documented 24 h). @public */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

// ── Status and participant code tables ───────────────────────────────────────────────────

/** The typed status of a signing. `unknown` keeps a `statusId` the table does not know. @public */
export type SigningStatus = "draft" | "sent" | "in_progress" | "completed" | "declined" | "deleted" | "expired" | "unknown";

/**
 * `StatusId` → status. Only 1 and 21 have been seen in Lone Wolf's docs (a list filter
 * `StatusId=1,21`); their meaning and every other row are ASSUMED.
 * @public
 */
export const SIGNING_STATUS_BY_ID: Readonly<Record<number, Exclude<SigningStatus, "unknown">>> = {
  1: "draft",
  21: "sent",
  22: "in_progress",
  23: "completed",
  24: "declined",
  25: "deleted",
  26: "expired",
};

/** Status → `StatusId` (the inverse of {@link SIGNING_STATUS_BY_ID}; the fake answers with it). @public */
export const SIGNING_STATUS_ID: Readonly<Record<Exclude<SigningStatus, "unknown">, number>> = {
  draft: 1,
  sent: 21,
  in_progress: 22,
  completed: 23,
  declined: 24,
  deleted: 25,
  expired: 26,
};

/** Map a wire `statusId` to the typed status (`unknown` for codes outside the table). @public */
export function signingStatusOf(statusId: number): SigningStatus {
  return SIGNING_STATUS_BY_ID[statusId] ?? "unknown";
}

/**
 * Participant `type` codes. 0 and 1 appear in Lone Wolf's samples, unexplained; 0 = signer is
 * ASSUMED (every sample signer uses it), 1 = a participant who receives but does not sign.
 * @public
 */
export const PARTICIPANT_TYPE = { signer: 0, viewer: 1 } as const;

/** Participant status words (ASSUMED: no participant status is published). @public */
export const PARTICIPANT_STATUSES = ["pending", "sent", "viewed", "signed", "declined"] as const;

/** The typed participant status. @public */
export type ParticipantStatus = (typeof PARTICIPANT_STATUSES)[number];

/**
 * Routing: participants with a lower `signerGroup` sign before higher groups when the signing
 * `IsOrdered` (ASSUMED; the docs name both fields without defining them). `displayOrder` is the
 * position in the list.
 * @public
 */
export const ROUTING = { orderField: "signerGroup", positionField: "displayOrder" } as const;

// ── Success bodies (unpublished; ASSUMED shapes, the fake answers exactly these) ─────────

/** A participant as the API returns it (the documented Participant plus id/status/dates). @public */
export const ParticipantWire = lazySchema(() =>
  z.looseObject({
  id: z.string(),
  signingId: z.string().optional(),
  firstName: z.string(),
  middleName: z.string().nullish(),
  lastName: z.string(),
  email: z.string().nullish(),
  participantRole: z.string().nullish(),
  type: z.number().int(),
  displayOrder: z.number().int().nullish(),
  signerGroup: z.number().int().nullish(),
  customInvitationSubject: z.string().nullish(),
  customInvitationMessage: z.string().nullish(),
  externalId: z.string().nullish(),
  language: z.string().nullish(),
  status: z.enum(PARTICIPANT_STATUSES),
  viewedDate: z.string().nullish(),
  signedDate: z.string().nullish(),
  declinedDate: z.string().nullish(),
  declineReason: z.string().nullish(),
}),
);

/** A signing as the API returns it. `externalId` echo is ASSUMED (used to reconcile). @public */
export const SigningWire = lazySchema(() =>
  z.looseObject({
  id: z.string(),
  name: z.string(),
  statusId: z.number().int(),
  isOrdered: z.boolean().optional(),
  transactionId: z.string().nullish(),
  callbackUrl: z.string().nullish(),
  externalId: z.string().nullish(),
  expirationDate: z.string().nullish(),
  createdDate: z.string(),
  lastModified: z.string(),
  participants: z.array(unlazy(ParticipantWire)).default([]),
}),
);

/** The list endpoint answers a bare JSON array of signings (ASSUMED). @public */
export const SigningListWire = lazySchema(() =>
  z.array(unlazy(SigningWire)),
);

// ── Multipart encoding of POST /api/v1/signings (ASSUMED: ASP.NET indexed form keys) ──

/** Form key of one participant field: `Participants[0].FirstName`. @public */
export function participantKey(index: number, field: string): string {
  return `Participants[${index}].${field}`;
}

/** Form key of one entry of the `Fields` map (ASP.NET dictionary binding): `Fields[loanNumber]`. @public */
export function fieldKey(name: string): string {
  return `Fields[${name}]`;
}

/** Files are repeated `Files` parts, sent as `application/pdf` unless told otherwise. @public */
export const FILE_PART = { name: "Files", contentType: "application/pdf" } as const;

// ── Errors ───────────────────────────────────────────────────────────────────────────────

/** Seconds in `Retry-After` on a 429 (ASSUMED: no rate limit or header is documented). @public */
export const RETRY_AFTER_UNIT = "seconds" as const;

// ── Callbacks (nothing about them is published) ─────────────────────────────────────────

/** Callback event types (ASSUMED). @public */
export const CALLBACK_EVENT_TYPES = [
  "signing.sent",
  "signing.completed",
  "signing.declined",
  "signing.deleted",
  "signing.expired",
  "participant.viewed",
  "participant.signed",
  "participant.declined",
] as const;

/** A callback event type. @public */
export type CallbackEventType = (typeof CALLBACK_EVENT_TYPES)[number];

/**
 * The callback body: `POST {CallbackUrl}`, `Content-Type: application/json` (ASSUMED). Unknown
 * types are kept as strings so a new type is acknowledged rather than refused.
 * @public
 */
export const CallbackPayload = lazySchema(() =>
  z.looseObject({
  id: z.string().min(1).optional(),
  type: z.string().min(1),
  createdAt: z.string().optional(),
  data: z.looseObject({
    signingId: z.string().min(1),
    status: z.string().optional(),
    participant: z
      .looseObject({
        email: z.string().optional(),
        status: z.string().optional(),
        reason: z.string().optional(),
      })
      .optional(),
  }),
}),
);

/** The parsed callback body. @public */
export type CallbackPayload = z.infer<typeof CallbackPayload>;

/**
 * Query parameters the SDK adds to a signing's `CallbackUrl` for the default (token) verifier:
 * the signing id and an unguessable token bound to it. Lone Wolf calls the URL as given.
 * @public
 */
export const CALLBACK_QUERY = { signingId: "as_signing", token: "as_token" } as const;

/**
 * The optional HMAC scheme, if Lone Wolf turns out to sign callbacks (ASSUMED shape):
 * `X-Authentisign-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>` and
 * `X-Authentisign-Timestamp: <unix seconds>`, within a 300 s window.
 * @public
 */
export const CALLBACK_HMAC = {
  signatureHeader: "x-authentisign-signature",
  timestampHeader: "x-authentisign-timestamp",
  prefix: "v1=",
  algorithm: "sha256",
  encoding: "hex",
  toleranceSec: 300,
} as const;

// ── Idempotency / reconciliation ────────────────────────────────────────────────────────

/**
 * Before re-creating a signing whose first attempt has an unknown outcome, the SDK lists
 * signings (with the same `externalId` header) and takes one whose `Name` equals the input's,
 * whose `externalId` (when echoed) equals the header, and which was created no earlier than
 * this long before the logical call could have started (clocks differ).
 * @public
 */
export const RECONCILE_CLOCK_SKEW_MS = 5 * 60_000;

/** Page size of the reconcile listing (the documented default `ItemLimit`). @public */
export const RECONCILE_PAGE_SIZE = 50;

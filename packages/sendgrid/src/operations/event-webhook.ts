/**
 * Signed Event Webhook key management (shared/vendors/sendgrid.md §6): read the
 * verification key, or turn signing on/off. Disabling deletes the key pair; enabling again
 * issues a new one — keep the old key in the receiver's list until its batches stop.
 */
import { defineOperation, lazySchema } from "@connect/core";
import { z } from "zod";
import { subuserHeaders } from "./mail.js";

const WebhookRef = lazySchema(() =>
  z.strictObject({
  /** Id of one webhook (multi-webhook accounts); omit for the account's single legacy webhook. */
  id: z.string().min(1).optional(),
}),
);

/** The webhook's verification key. @public */
export const SignedWebhookSettings = lazySchema(() =>
  z.object({
  /** Base64 DER SubjectPublicKeyInfo (starts `MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE`); empty when signing is off. */
  publicKey: z.string(),
  /** Webhook id, for multi-webhook accounts. */
  id: z.string().optional(),
}),
);
/** The webhook's verification key. @public */
export type SignedWebhookSettings = z.infer<typeof SignedWebhookSettings>;

const path = (id: string | undefined): string => `/v3/user/webhooks/event/settings/signed${id ? `/${encodeURIComponent(id)}` : ""}`;

// A missing key means signing is off; any other value is passed on as is, so a response of an
// unexpected shape meets the output schema (drift) instead of reading as "signing is off".
const toSettings = (body: unknown): unknown => {
  const b = (body ?? {}) as { public_key?: unknown; id?: unknown };
  return { publicKey: b.public_key ?? "", ...(b.id === undefined ? {} : { id: b.id }) };
};

/** `eventWebhook.getPublicKey`: GET /v3/user/webhooks/event/settings/signed[/{id}]. @public */
export const getEventWebhookPublicKey = defineOperation({
  id: "eventWebhook.getPublicKey",
  input: WebhookRef,
  output: SignedWebhookSettings,
  idempotent: true,
  request: ({ id }, ctx) => ({ method: "GET", path: path(id), headers: subuserHeaders(ctx) }),
  response: (response) => toSettings(response.body),
});

/**
 * `eventWebhook.setSigning`: PATCH …/settings/signed[/{id}] `{ enabled }`. Setting the same
 * state twice changes nothing, so it is retried like a read; enabling returns the (new) key.
 * @public
 */
export const setEventWebhookSigning = defineOperation({
  id: "eventWebhook.setSigning",
  input: lazySchema(() => WebhookRef.extend({ enabled: z.boolean() })),
  output: SignedWebhookSettings,
  idempotent: true,
  request: ({ id, enabled }, ctx) => ({ method: "PATCH", path: path(id), body: { json: { enabled } }, headers: subuserHeaders(ctx) }),
  response: (response) => toSettings(response.body),
});

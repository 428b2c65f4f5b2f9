/**
 * The JSON webhook body (shared/vendors/mailgun.md §7): `{ signature, "event-data" }`, where
 * `event-data` is an Events API item plus `account.id` and `domain.name`.
 */
import { parseUntrusted, ValidationError, lazySchema } from "@connect/core";
import { z } from "zod";
import { MailgunEvent } from "../schemas.js";

/** Event types Mailgun sends (Events API and webhooks). @public */
export const MAILGUN_EVENT_TYPES = Object.freeze([
  "accepted",
  "rejected",
  "delivered",
  "failed",
  "opened",
  "clicked",
  "unsubscribed",
  "complained",
  "stored",
] as const);

/** A Mailgun event type. @public */
export type MailgunEventType = (typeof MAILGUN_EVENT_TYPES)[number];

/** A webhook body. @public */
export const MailgunWebhookPayload = lazySchema(() =>
  z.looseObject({
  signature: z.looseObject({ timestamp: z.union([z.string(), z.number()]), token: z.string(), signature: z.string() }),
  "event-data": MailgunEvent,
}),
);
/** A webhook body. @public */
export type MailgunWebhookPayload = z.infer<typeof MailgunWebhookPayload>;

/** Parse a (verified) webhook body into its event; a body that is not one throws ValidationError. @public */
export function parseMailgunWebhook(rawBody: Buffer | string): MailgunEvent {
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === "string" ? rawBody : rawBody.toString("utf8"));
  } catch {
    throw new ValidationError("mailgun webhook: the body is not JSON", { vendor: "mailgun", operation: "webhook", issues: [{ path: "(root)", message: "not JSON" }] });
  }
  const parsed = parseUntrusted(MailgunWebhookPayload, json);
  if (!parsed.success) {
    throw new ValidationError(`mailgun webhook: the body is not a Mailgun event — ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, {
      vendor: "mailgun",
      operation: "webhook",
      issues: parsed.issues,
    });
  }
  return parsed.data["event-data"];
}

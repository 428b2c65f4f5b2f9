/**
 * Signed Xero webhook payloads for tests (shared/vendors/xero.md §8): `x-xero-signature` is base64
 * HMAC-SHA256 of the raw body with the app's webhook key; an intent-to-receive probe is a payload
 * with no events and sequences 0.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { FakeXeroChange } from "./books.js";

/** Sign a body as Xero does. @public */
export function signXeroPayload(rawBody: Uint8Array | string, webhookKey: string): string {
  return createHmac("sha256", webhookKey).update(typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody).digest("base64");
}

/** A webhook body for changes, with sequence numbers from `firstSequence`. @public */
export function xeroWebhookPayload(changes: readonly FakeXeroChange[], options: { firstSequence?: number; entropy?: string; apiBaseUrl?: string } = {}): Record<string, unknown> {
  const first = options.firstSequence ?? 1;
  const base = options.apiBaseUrl ?? "https://api.xero.com/api.xro/2.0";
  return {
    events: changes.map((change) => ({
      resourceUrl: `${base}/${change.eventCategory === "CONTACT" ? "Contacts" : "Invoices"}/${change.resourceId}`,
      resourceId: change.resourceId,
      eventDateUtc: change.eventDateUtc,
      eventType: change.eventType,
      eventCategory: change.eventCategory,
      tenantId: change.tenantId,
      tenantType: "ORGANISATION",
    })),
    firstEventSequence: first,
    lastEventSequence: first + Math.max(0, changes.length - 1),
    entropy: options.entropy ?? randomBytes(10).toString("base64url").toUpperCase(),
  };
}

/** An intent-to-receive probe body. @public */
export function intentToReceivePayload(entropy = randomBytes(10).toString("base64url").toUpperCase()): string {
  return JSON.stringify({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy });
}

/** One probe of an intent-to-receive run. @public */
export interface IntentToReceiveProbe {
  signature: "valid" | "invalid";
  status: number;
  body: string;
  /** Whether the answer set a cookie (Xero wants none). */
  setCookie: boolean;
  elapsedMs: number;
  /** 200 with an empty body and no cookie for a valid signature, 401 for an invalid one, within the time limit. */
  ok: boolean;
}

/** The result of an intent-to-receive run. @public */
export interface IntentToReceiveResult {
  /** Every probe answered as Xero requires. */
  passed: boolean;
  probes: IntentToReceiveProbe[];
}

/**
 * Xero webhook payloads (shared/vendors/xero.md §8): `{ events: [...], firstEventSequence,
 * lastEventSequence, entropy }`. Events are thin — ids only — so a handler reads the resource
 * afterwards. An intent-to-receive probe has no events. One bad entry never drops the others.
 */
import { parseUntrusted, ValidationError, type FieldIssue, lazySchema } from "@connect/core";
import { z } from "zod";

/** One event as Xero sends it. @public */
export const XeroWebhookEventWire = lazySchema(() =>
  z.looseObject({
  resourceUrl: z.string().optional(),
  resourceId: z.string().min(1),
  eventDateUtc: z.string().min(1),
  eventType: z.string().min(1),
  eventCategory: z.string().min(1),
  tenantId: z.string().min(1),
  tenantType: z.string().optional(),
  eventData: z.unknown().optional(),
}),
);

/** A verified webhook event. @public */
export interface XeroWebhookEvent {
  /** Dedupe key: tenant, category, resource, type and time (Xero sends no event id). */
  id: string;
  /** `CONTACT`, `INVOICE`, `CREDITNOTE`, `SUBSCRIPTION` … */
  eventCategory: string;
  /** `CREATE` or `UPDATE` (an archive is an UPDATE). */
  eventType: string;
  resourceId: string;
  resourceUrl: string | undefined;
  tenantId: string;
  tenantType: string | undefined;
  /** As sent: UTC without a `Z`. */
  eventDateUtc: string;
  /** The same instant as ISO 8601 with `Z`. */
  occurredAt: string;
  /** The entry as it arrived. */
  raw: Record<string, unknown>;
}

/** An entry that failed validation (the rest of the payload is still processed). @public */
export interface InvalidXeroEvent {
  index: number;
  issues: FieldIssue[];
  raw: unknown;
}

/** A parsed payload. @public */
export interface ParsedXeroWebhook {
  events: XeroWebhookEvent[];
  invalid: InvalidXeroEvent[];
  /** True for an intent-to-receive probe (no events). */
  intentToReceive: boolean;
  firstEventSequence: number | undefined;
  lastEventSequence: number | undefined;
}

function isoOf(value: string): string {
  const withZone = /[zZ]$|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(withZone);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

/** Read one event entry. @internal */
export function toXeroEvent(entry: z.infer<typeof XeroWebhookEventWire>): XeroWebhookEvent {
  const eventCategory = entry.eventCategory.toUpperCase();
  const eventType = entry.eventType.toUpperCase();
  return {
    id: `${entry.tenantId}:${eventCategory}:${entry.resourceId}:${eventType}:${entry.eventDateUtc}`,
    eventCategory,
    eventType,
    resourceId: entry.resourceId,
    resourceUrl: entry.resourceUrl,
    tenantId: entry.tenantId,
    tenantType: entry.tenantType,
    eventDateUtc: entry.eventDateUtc,
    occurredAt: isoOf(entry.eventDateUtc),
    raw: entry,
  };
}

/**
 * Parse a verified body (raw bytes, text, or the JSON value). Throws `ValidationError` when it is
 * not a Xero payload at all; bad entries are returned in `invalid`.
 * @public
 */
export function parseXeroWebhook(body: Buffer | string | unknown): ParsedXeroWebhook {
  let value: unknown = body;
  if (typeof body === "string" || Buffer.isBuffer(body)) {
    try {
      value = JSON.parse(Buffer.isBuffer(body) ? body.toString("utf8") : body);
    } catch {
      throw new ValidationError("xero webhook: the body is not JSON", { vendor: "xero", issues: [{ path: "(root)", message: "not JSON" }] });
    }
  }
  const events = value && typeof value === "object" ? (value as { events?: unknown }).events : undefined;
  if (!Array.isArray(events)) {
    throw new ValidationError("xero webhook: the body has no events array", { vendor: "xero", issues: [{ path: "events", message: "expected an array" }] });
  }
  const out: ParsedXeroWebhook = {
    events: [],
    invalid: [],
    intentToReceive: events.length === 0,
    firstEventSequence: numberOr((value as Record<string, unknown>).firstEventSequence),
    lastEventSequence: numberOr((value as Record<string, unknown>).lastEventSequence),
  };
  events.forEach((entry, index) => {
    const parsed = parseUntrusted(XeroWebhookEventWire, entry);
    if (parsed.success) out.events.push(toXeroEvent(parsed.data));
    else out.invalid.push({ index, issues: parsed.issues.map((i) => ({ ...i, path: `events.${index}.${i.path}` })), raw: entry });
  });
  return out;
}

function numberOr(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

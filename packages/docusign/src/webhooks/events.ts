/**
 * One typed Connect event, whatever the wire format: a JSON SIM message and a legacy XML
 * message about the same change normalise to the same event (only `meta` differs), with
 * lower-case statuses, UTC ISO 8601 times, numbers where DocuSign sends strings, and a
 * stable `eventId` for dedupe (DocuSign sends no event id; duplicates and re-deliveries carry
 * the same envelope, event, recipient and time).
 */
import { createHash } from "node:crypto";
import type { ConnectEventName } from "../envelope-input.js";
import type { EnvelopeStatus, RecipientStatus } from "../schemas.js";

/** A recipient as a Connect message reports it. @public */
export interface ConnectRecipient {
  /** `signer`, `carbonCopy`, `certifiedDelivery` …. */
  type: string;
  email: string;
  name?: string | undefined;
  routingOrder?: number | undefined;
  status: RecipientStatus;
  /** The recipient's GUID (XML's `RecipientId`; JSON's `recipientIdGuid`). */
  recipientIdGuid?: string | undefined;
  sentAt?: string | undefined;
  deliveredAt?: string | undefined;
  signedAt?: string | undefined;
  declinedAt?: string | undefined;
  declinedReason?: string | undefined;
}

/** A document carried in a message (when the Connect configuration includes documents). @public */
export interface ConnectDocument {
  documentId: string;
  name: string;
  /** The PDF, base64, when included. */
  pdfBase64?: string | undefined;
}

/** How the message arrived; the only part that differs between JSON and XML of one change. @public */
export interface ConnectEventMeta {
  format: "json" | "xml";
  /** When DocuSign generated the message (UTC ISO 8601). */
  generatedAt?: string | undefined;
  /** Delivery attempt counter (JSON). */
  retryCount?: number | undefined;
  /** The Connect configuration id (JSON; account-level configurations). */
  configurationId?: string | undefined;
  /** The account id (JSON `data.accountId`; XML messages do not carry it). */
  accountId?: string | undefined;
  /** False when a JSON message came without `envelopeSummary`: re-fetch the envelope for details. */
  summaryIncluded: boolean;
}

/** One Connect event. @public */
export interface DocuSignConnectEvent {
  /** Stable id for dedupe: envelope, event, recipient and time. */
  eventId: string;
  /** The event name; XML messages are named from the envelope status (`envelope-completed` …). */
  event: ConnectEventName | (string & {});
  envelopeId: string;
  /** Envelope status after the change (lower case). */
  status?: EnvelopeStatus | undefined;
  /** When the change happened (UTC ISO 8601). */
  occurredAt: string;
  emailSubject?: string | undefined;
  /** The recipient the event is about: recipient events, and the decliner of a declined envelope. */
  recipient?: (Partial<ConnectRecipient> & { recipientId?: string | undefined }) | undefined;
  /** Every recipient, ordered by routing order then email. */
  recipients: ConnectRecipient[];
  declinedReason?: string | undefined;
  voidedReason?: string | undefined;
  /** Text custom fields (e.g. `loanId`). */
  customFields: Record<string, string>;
  documents: ConnectDocument[];
  meta: ConnectEventMeta;
}

const DOCUSIGN_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether the fields name a time `Date.UTC` keeps as written (no roll-over, no 19xx mapping of years below 100). */
function isCalendarTime(y: string, mo: string, d: string, h: string, mi: string, s: string): boolean {
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 100 || month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0) && Number(h) <= 23 && Number(mi) <= 59 && Number(s) <= 59;
}

/**
 * Normalise a DocuSign time to UTC ISO 8601 with milliseconds. JSON times carry `Z` and up to 7
 * fraction digits; XML times carry no zone and are in `offsetHours` (the account's zone).
 * @internal
 */
export function normaliseTime(value: string | undefined, offsetHours = 0): string | undefined {
  if (value === undefined) return undefined;
  const match = DOCUSIGN_TIME.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const msText = ((fraction ?? "") + "000").slice(0, 3);
  // Already UTC and a real calendar time (what Connect JSON sends): the ISO string is the same
  // fields, written out, without a Date round trip. Anything else (an offset, a zone-less XML time,
  // a field out of range that Date.UTC would roll over, a year below 100) goes through Date.
  if ((zone === "Z" || (zone === undefined && offsetHours === 0)) && isCalendarTime(y!, mo!, d!, h!, mi!, s!)) {
    return `${y}-${mo}-${d}T${h}:${mi}:${s}.${msText}Z`;
  }
  const ms = Number(msText);
  let epoch = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone === undefined) epoch -= offsetHours * 3_600_000;
  else if (zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    epoch -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isNaN(epoch) ? undefined : new Date(epoch).toISOString();
}

/** Sort recipients by routing order, then email, so both formats list them alike. @internal */
export function sortRecipients(recipients: ConnectRecipient[]): ConnectRecipient[] {
  return [...recipients].sort((a, b) => (a.routingOrder ?? 0) - (b.routingOrder ?? 0) || a.email.localeCompare(b.email) || a.type.localeCompare(b.type));
}

/** The time of the change an event names, from the envelope's or the recipient's timestamps. @internal */
export function changeTime(event: string, times: Record<string, string | undefined>, recipient?: ConnectRecipient): string | undefined {
  if (event.startsWith("recipient-") && recipient) {
    const kind = event.slice("recipient-".length);
    const own = kind === "completed" ? recipient.signedAt : kind === "declined" ? recipient.declinedAt : kind === "delivered" ? recipient.deliveredAt : kind === "sent" ? recipient.sentAt : undefined;
    if (own) return own;
  }
  const kind = event.replace(/^(envelope|recipient)-/, "");
  return times[kind];
}

/**
 * The dedupe id of an event: envelope, event, recipient, time, and a short digest of the
 * recipients' statuses — legacy XML names a message after the envelope status only, so two
 * messages sent while the envelope stays `sent` (one per signer) differ only there.
 * @internal
 */
export function eventIdOf(parts: { envelopeId: string; event: string; recipientId?: string | undefined; occurredAt: string; recipients: readonly ConnectRecipient[] }): string {
  const digest = createHash("sha256")
    .update(parts.recipients.map((r) => `${r.type}:${r.email.toLowerCase()}:${r.status}`).join("|"))
    .digest("hex")
    .slice(0, 12);
  return `${parts.envelopeId}:${parts.event}:${parts.recipientId ?? ""}:${parts.occurredAt}:${digest}`;
}

/** The decliner of a declined envelope (or undefined). @internal */
export function declinerOf(recipients: ConnectRecipient[]): ConnectRecipient | undefined {
  return recipients.find((r) => r.status === "declined");
}

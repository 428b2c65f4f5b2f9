/**
 * Legacy XML Connect messages (`DocuSignEnvelopeInformation`, shared/vendors/docusign.md §5),
 * parsed with fast-xml-parser with entity processing off. A DTD is refused outright: DocuSign
 * never sends one, and a DTD is how entity-expansion ("billion laughs") and external-entity
 * payloads arrive. The five predefined entities and numeric character references are decoded
 * here, without any expansion. Statuses are capitalised and times carry no zone (the
 * account's zone, `TimeZoneOffset` hours when present); both are normalised.
 */
import { createRequire } from "node:module";
import { ValidationError } from "@connect/core";
import type { XMLParser as XmlParserClass, XMLValidator as XmlValidatorApi } from "fast-xml-parser";
import { changeTime, declinerOf, eventIdOf, normaliseTime, sortRecipients, type ConnectRecipient, type DocuSignConnectEvent } from "./events.js";

/** Options of {@link parseXmlConnectMessage}. @public */
export interface XmlConnectOptions {
  /** Hours from UTC of the account's time zone, used when the message carries no `TimeZoneOffset`. Default 0. */
  defaultTimeZoneOffsetHours?: number | undefined;
}

const ARRAYS = new Set(["RecipientStatus", "DocumentStatus", "DocumentPDF", "CustomField", "TabStatus"]);

// fast-xml-parser is loaded on the first XML message, not at import: hosts that receive only
// JSON Connect messages (the default since eventData v2.1) never load it (bench/cold-start.mjs).
let xml: { parser: XmlParserClass; validator: typeof XmlValidatorApi } | undefined;
function xmlTools(): { parser: XmlParserClass; validator: typeof XmlValidatorApi } {
  if (xml) return xml;
  // A require() from this module's own URL (tsup provides import.meta.url in the CommonJS build too).
  const { XMLParser, XMLValidator } = createRequire(import.meta.url)("fast-xml-parser") as typeof import("fast-xml-parser");
  const parser = new XMLParser({
    ignoreAttributes: true,
    removeNSPrefix: true,
    processEntities: false,
    htmlEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    isArray: (name) => ARRAYS.has(name),
  });
  xml = { parser, validator: XMLValidator };
  return xml;
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Decode the predefined entities and character references; anything else stays as written. @internal */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|amp|lt|gt|quot|apos);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

type Node = Record<string, unknown>;

function invalid(message: string): ValidationError {
  return new ValidationError(`docusign webhook: ${message}`, { vendor: "docusign", issues: [{ path: "(root)", message }] });
}

function text(node: unknown, key: string): string | undefined {
  if (!node || typeof node !== "object") return undefined;
  const value = (node as Node)[key];
  if (typeof value === "string") return value === "" ? undefined : decodeXmlText(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function child(node: unknown, key: string): Node | undefined {
  if (!node || typeof node !== "object") return undefined;
  const value = (node as Node)[key];
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Node) : undefined;
}

function list(node: unknown, container: string, item: string): Node[] {
  const value = child(node, container)?.[item];
  return Array.isArray(value) ? (value.filter((v) => v && typeof v === "object") as Node[]) : [];
}

function typeName(value: string | undefined): string {
  if (!value) return "signer";
  return value.charAt(0).toLowerCase() + value.slice(1);
}

/** Parse a legacy XML Connect message into a typed event; a ValidationError when it is not one (or carries a DTD). @public */
export function parseXmlConnectMessage(rawBody: Buffer | string, options: XmlConnectOptions = {}): DocuSignConnectEvent {
  const source = typeof rawBody === "string" ? rawBody : rawBody.toString("utf8");
  if (/<!DOCTYPE|<!ENTITY/i.test(source)) throw invalid("the XML carries a DTD (<!DOCTYPE>/<!ENTITY>), which DocuSign never sends; refused to prevent entity expansion");
  const { parser, validator } = xmlTools();
  const valid = validator.validate(source);
  if (valid !== true) throw invalid(`the body is not well-formed XML (${valid.err.msg} at line ${valid.err.line})`);
  let doc: Node;
  try {
    doc = parser.parse(source) as Node;
  } catch (error) {
    throw invalid(`the XML could not be parsed (${(error as Error).message})`);
  }
  const root = child(doc, "DocuSignEnvelopeInformation");
  const envelope = child(root, "EnvelopeStatus");
  const envelopeId = text(envelope, "EnvelopeID");
  if (!root || !envelope || !envelopeId) throw invalid("not a DocuSignEnvelopeInformation message with EnvelopeStatus/EnvelopeID");

  const offsetText = text(root, "TimeZoneOffset");
  const offset = offsetText !== undefined && /^[+-]?\d+(\.\d+)?$/.test(offsetText) ? Number(offsetText) : (options.defaultTimeZoneOffsetHours ?? 0);
  const time = (node: unknown, key: string): string | undefined => normaliseTime(text(node, key), offset);

  const recipients = sortRecipients(
    list(envelope, "RecipientStatuses", "RecipientStatus").map((r): ConnectRecipient => {
      const order = text(r, "RoutingOrder");
      const entry: ConnectRecipient = {
        type: typeName(text(r, "Type")),
        email: text(r, "Email") ?? "",
        status: (text(r, "Status") ?? "created").toLowerCase(),
      };
      const name = text(r, "UserName");
      if (name !== undefined) entry.name = name;
      if (order !== undefined && /^\d+$/.test(order)) entry.routingOrder = Number(order);
      const guid = text(r, "RecipientId");
      if (guid !== undefined) entry.recipientIdGuid = guid;
      const sent = time(r, "Sent");
      if (sent) entry.sentAt = sent;
      const delivered = time(r, "Delivered");
      if (delivered) entry.deliveredAt = delivered;
      const signed = time(r, "Signed");
      if (signed) entry.signedAt = signed;
      const declined = time(r, "Declined");
      if (declined) entry.declinedAt = declined;
      const reason = text(r, "DeclineReason");
      if (reason !== undefined) entry.declinedReason = reason;
      return entry;
    }),
  );

  const status = (text(envelope, "Status") ?? "sent").toLowerCase();
  // Legacy XML has no event name: it reports the envelope's status after the change.
  const event = `envelope-${status}`;
  const times: Record<string, string | undefined> = {
    created: time(envelope, "Created"),
    sent: time(envelope, "Sent"),
    delivered: time(envelope, "Delivered"),
    signed: time(envelope, "Signed"),
    completed: time(envelope, "Completed"),
    declined: time(envelope, "Declined"),
    voided: time(envelope, "Voided"),
  };
  const generatedAt = time(envelope, "TimeGenerated");
  const occurredAt = changeTime(event, times) ?? generatedAt ?? new Date(0).toISOString();
  const decliner = status === "declined" ? declinerOf(recipients) : undefined;
  const voidReason = text(envelope, "VoidReason");
  const subject = text(envelope, "Subject");
  const accountId = text(envelope, "AccountID") ?? text(envelope, "AccountId");
  const customFields = Object.fromEntries(
    list(envelope, "CustomFields", "CustomField").flatMap((f) => {
      const name = text(f, "Name");
      return name === undefined ? [] : [[name, text(f, "Value") ?? ""]];
    }),
  );
  const documents = list(root, "DocumentPDFs", "DocumentPDF").map((d) => ({
    documentId: text(d, "DocumentID") ?? "",
    name: text(d, "Name") ?? "",
    ...(text(d, "PDFBytes") ? { pdfBase64: text(d, "PDFBytes") } : {}),
  }));
  return {
    eventId: eventIdOf({ envelopeId, event, occurredAt, recipients }),
    event,
    envelopeId,
    status,
    occurredAt,
    ...(subject !== undefined ? { emailSubject: subject } : {}),
    ...(decliner ? { recipient: decliner } : {}),
    recipients,
    ...(decliner?.declinedReason !== undefined ? { declinedReason: decliner.declinedReason } : {}),
    ...(status === "voided" && voidReason !== undefined ? { voidedReason: voidReason } : {}),
    customFields,
    documents,
    meta: { format: "xml", ...(generatedAt ? { generatedAt } : {}), ...(accountId !== undefined ? { accountId } : {}), summaryIncluded: true },
  };
}

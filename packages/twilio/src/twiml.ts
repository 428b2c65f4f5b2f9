/**
 * A small TwiML builder for replies to inbound messages (shared/vendors/twilio.md §4 "TwiML
 * reply"): `<Response>` with `<Message>` elements, text and attributes escaped, and characters
 * XML 1.0 cannot carry at all (control characters, lone surrogates) removed.
 */

/** One `<Message>` of a reply: its text, or text, media and attributes. @public */
export type TwimlMessage =
  | string
  | {
      /** Text of the message (escaped). */
      body?: string | undefined;
      /** Media URLs (`<Media>`), at most 10. */
      media?: readonly string[] | undefined;
      /** Send to another number than the one that texted. */
      to?: string | undefined;
      /** Send from another of the account's numbers. */
      from?: string | undefined;
      /** URL Twilio posts this reply's status callbacks to. */
      action?: string | undefined;
      /** Method of `action`. */
      method?: "GET" | "POST" | undefined;
    };

/** What an inbound handler may return: one message, several, or nothing (an empty `<Response/>`). @public */
export type TwimlReply = TwimlMessage | readonly TwimlMessage[] | undefined | void;

/** The `Content-Type` of a TwiML response. @public */
export const TWIML_CONTENT_TYPE = "text/xml; charset=utf-8";

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

// Characters XML 1.0 does not allow even escaped: C0 controls except tab/LF/CR, U+FFFE/U+FFFF, lone surrogates.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escape text for XML element content and attribute values. @public */
export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

function messageXml(message: TwimlMessage): string {
  if (typeof message === "string") return `<Message>${escapeXml(message)}</Message>`;
  const attrs = (["to", "from", "action", "method"] as const)
    .filter((name) => message[name] !== undefined)
    .map((name) => ` ${name}="${escapeXml(String(message[name]))}"`)
    .join("");
  const media = message.media ?? [];
  if (media.length > 10) throw new TypeError(`twiml: a message has at most 10 media URLs (got ${media.length})`);
  if (media.length === 0) return `<Message${attrs}>${escapeXml(message.body ?? "")}</Message>`;
  const body = message.body === undefined ? "" : `<Body>${escapeXml(message.body)}</Body>`;
  return `<Message${attrs}>${body}${media.map((url) => `<Media>${escapeXml(url)}</Media>`).join("")}</Message>`;
}

/**
 * Build a TwiML `<Response>`; no messages gives `<Response/>` (acknowledge without replying).
 * @example twimlResponse("Thanks, <Ana> & co") // '<?xml …?><Response><Message>Thanks, &lt;Ana&gt; &amp; co</Message></Response>'
 * @public
 */
export function twimlResponse(reply?: TwimlReply): string {
  const messages: readonly TwimlMessage[] = reply === undefined || reply === null ? [] : Array.isArray(reply) ? reply : [reply as TwimlMessage];
  if (messages.length === 0) return `${XML_DECLARATION}<Response/>`;
  return `${XML_DECLARATION}<Response>${messages.map(messageXml).join("")}</Response>`;
}

/**
 * Builds the MIME message of a Raw send (shared/vendors/ses.md §3: headers, blank line, body; lines
 * ≤ 1000 characters; 8-bit content transfer-encoded). CRLF line ends; non-ASCII header text as
 * RFC 2047 encoded-words, non-ASCII file names as RFC 2231 parameters; text parts 7bit when they
 * are short-lined ASCII, otherwise base64; attachments base64 in 76-character lines; random
 * boundaries that are checked against the content they enclose.
 */
import { randomBytes } from "node:crypto";
import { encodeWords, formatAddress, isPrintableAscii, type ParsedAddress } from "./address.js";

/** A file of a MIME message. @internal */
export interface MimeAttachment {
  filename: string;
  content: Uint8Array | string;
  contentType?: string | undefined;
  disposition?: "attachment" | "inline" | undefined;
  contentId?: string | undefined;
}

/** What {@link buildMime} assembles. @internal */
export interface MimeMessage {
  from: ParsedAddress;
  to: ParsedAddress[];
  cc: ParsedAddress[];
  replyTo: ParsedAddress[];
  subject: string;
  text?: string | undefined;
  html?: string | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  attachments: MimeAttachment[];
  /** Date header (default now). */
  date?: Date | undefined;
  /** Boundary source, for tests (default 12 random bytes in hex). */
  boundary?: (() => string) | undefined;
}

const CRLF = "\r\n";

/** Base64 in lines of 76 characters (RFC 2045 §6.8). @internal */
export function base64Lines(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join(CRLF);
}

/** Base64 size of `n` bytes in 76-character CRLF lines. @internal */
export function base64LinesLength(n: number): number {
  const chars = Math.ceil(n / 3) * 4;
  return chars + Math.max(0, Math.ceil(chars / 76) - 1) * 2;
}

/** A header line, folded: encoded-words and list items go on continuation lines. */
function header(name: string, value: string): string {
  return `${name}: ${value}`;
}

function unstructured(name: string, value: string): string {
  if (isPrintableAscii(value) && name.length + 2 + value.length <= 998) return header(name, value);
  return header(name, encodeWords(value).join(`${CRLF} `));
}

function addressList(name: string, list: ParsedAddress[]): string {
  return header(name, list.map(formatAddress).join(`,${CRLF} `));
}

/** A MIME parameter: quoted ASCII, or RFC 2231 `name*=UTF-8''…` for non-ASCII. */
function parameter(name: string, value: string): string {
  if (isPrintableAscii(value)) return `${name}="${value.replace(/(["\\])/g, "\\$1")}"`;
  const encoded = [...Buffer.from(value, "utf8")]
    .map((b) => (/[A-Za-z0-9!#$&+.^_`|~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`))
    .join("");
  return `${name}*=UTF-8''${encoded}`;
}

/** A text part: 7bit when ASCII with lines ≤ 998, else base64 (never raw 8-bit). */
function textPart(subtype: "plain" | "html", text: string): { headers: string[]; body: string } {
  const normalised = text.replace(/\r\n|\r|\n/g, CRLF);
  const sevenBit = /^[\x00-\x7f]*$/.test(normalised) && normalised.split(CRLF).every((line) => line.length <= 998);
  return {
    headers: [`Content-Type: text/${subtype}; charset=UTF-8`, `Content-Transfer-Encoding: ${sevenBit ? "7bit" : "base64"}`],
    body: sevenBit ? normalised : base64Lines(Buffer.from(normalised, "utf8")),
  };
}

interface Part {
  headers: string[];
  body: string;
}

function attachmentPart(a: MimeAttachment): Part {
  const bytes = typeof a.content === "string" ? Buffer.from(a.content, "utf8") : a.content;
  const type = a.contentType ?? "application/octet-stream";
  const disposition = a.disposition ?? "attachment";
  const headers = [
    `Content-Type: ${type}; ${parameter("name", a.filename)}`,
    `Content-Disposition: ${disposition}; ${parameter("filename", a.filename)}`,
    "Content-Transfer-Encoding: base64",
  ];
  if (a.contentId !== undefined) headers.push(`Content-ID: <${a.contentId.replace(/^<|>$/g, "")}>`);
  return { headers, body: base64Lines(bytes) };
}

/** A multipart body with a boundary that occurs in none of its parts. */
function multipart(subtype: "mixed" | "alternative" | "related", parts: Part[], boundary: () => string): Part {
  let b = boundary();
  const contents = parts.map((p) => `${p.headers.join(CRLF)}${CRLF}${CRLF}${p.body}`);
  while (contents.some((c) => c.includes(b))) b = boundary();
  const body = `${contents.map((c) => `--${b}${CRLF}${c}${CRLF}`).join("")}--${b}--`;
  return { headers: [`Content-Type: multipart/${subtype}; boundary="${b}"`], body };
}

/** Assemble the whole message (headers, blank line, body) as bytes. @internal */
export function buildMime(message: MimeMessage): Buffer {
  const boundary = message.boundary ?? (() => `=_connect_${randomBytes(12).toString("hex")}`);
  const lines = [
    addressList("From", [message.from]),
    ...(message.to.length ? [addressList("To", message.to)] : []),
    ...(message.cc.length ? [addressList("Cc", message.cc)] : []),
    ...(message.replyTo.length ? [addressList("Reply-To", message.replyTo)] : []),
    unstructured("Subject", message.subject),
    header("Date", (message.date ?? new Date()).toUTCString().replace("GMT", "+0000")),
    "MIME-Version: 1.0",
    ...Object.entries(message.headers ?? {}).map(([name, value]) => unstructured(name, value)),
  ];
  const bodies: Part[] = [];
  if (message.text !== undefined) bodies.push(textPart("plain", message.text));
  if (message.html !== undefined) bodies.push(textPart("html", message.html));
  let body: Part = bodies.length === 1 ? bodies[0]! : multipart("alternative", bodies, boundary);
  const inline = message.attachments.filter((a) => a.disposition === "inline");
  const attached = message.attachments.filter((a) => a.disposition !== "inline");
  if (inline.length) body = multipart("related", [body, ...inline.map(attachmentPart)], boundary);
  if (attached.length) body = multipart("mixed", [body, ...attached.map(attachmentPart)], boundary);
  return Buffer.from(`${[...lines, ...body.headers].join(CRLF)}${CRLF}${CRLF}${body.body}${CRLF}`, "utf8");
}

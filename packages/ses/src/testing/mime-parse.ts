/**
 * A small MIME reader for the fake: splits a Raw message into headers and parts (multipart nested
 * any depth), undoes base64 / quoted-printable, decodes RFC 2047 encoded-words and RFC 2231
 * parameters, so tests can assert on the subject, bodies and attachments SES would have received.
 */

/** One leaf part of a MIME message. @public */
export interface FakeMimePart {
  /** Header names lower-case, values unfolded (encoded-words decoded). */
  headers: Record<string, string>;
  /** `type/subtype`, lower-case (default `text/plain`). */
  contentType: string;
  charset: string | undefined;
  /** `attachment`, `inline`, or undefined when the part has no Content-Disposition. */
  disposition: string | undefined;
  filename: string | undefined;
  contentId: string | undefined;
  transferEncoding: string;
  /** The decoded bytes. */
  content: Buffer;
}

/** A parsed MIME message. @public */
export interface FakeMimeMessage {
  headers: Record<string, string>;
  /** The lines of the raw header block as sent (folding kept), for line-length assertions. */
  rawHeaderLines: string[];
  /** Every leaf part, depth-first. */
  parts: FakeMimePart[];
  /** The first text/plain part that is not an attachment, decoded as UTF-8. */
  text: string | undefined;
  /** The first text/html part that is not an attachment, decoded as UTF-8. */
  html: string | undefined;
  /** Parts with a file name or an attachment disposition. */
  attachments: FakeMimePart[];
  /** The multipart/* types met on the way down, outermost first. */
  structure: string[];
}

/** Decode RFC 2047 encoded-words (B and Q) in a header value. @public */
export function decodeEncodedWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?[^?]+\?[BbQq]\?[^?]*\?=)/g, "$1")
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, charset: string, enc: string, text: string) => {
      const bytes = enc.toUpperCase() === "B" ? Buffer.from(text, "base64") : Buffer.from(text.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1");
      return new TextDecoder(charset.toLowerCase() === "utf-8" ? "utf-8" : charset).decode(bytes);
    });
}

function splitHead(raw: string): { head: string; body: string } {
  const at = raw.indexOf("\r\n\r\n");
  if (at >= 0) return { head: raw.slice(0, at), body: raw.slice(at + 4) };
  const lf = raw.indexOf("\n\n");
  return lf >= 0 ? { head: raw.slice(0, lf), body: raw.slice(lf + 2) } : { head: raw, body: "" };
}

function parseHeaders(head: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = decodeEncodedWords(line.slice(colon + 1).trim());
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}

/** Parameters of a structured header (`type/subtype; a="b"; c*=UTF-8''%E2…`). */
function parameters(value: string): { main: string; params: Record<string, string> } {
  const [main = "", ...rest] = value.split(/;(?=(?:[^"]*"[^"]*")*[^"]*$)/);
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf("=");
    if (eq < 0) continue;
    let name = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (name.endsWith("*")) {
      name = name.slice(0, -1);
      const m = /^([^']*)'[^']*'(.*)$/.exec(v);
      if (m) v = new TextDecoder((m[1] || "utf-8").toLowerCase()).decode(Buffer.from(m[2]!.replace(/%([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1"));
    } else if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, "$1");
    params[name] = v;
  }
  return { main: main.trim().toLowerCase(), params };
}

function decodeBody(body: string, encoding: string): Buffer {
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64");
  if (encoding === "quoted-printable") {
    const soft = body.replace(/=\r?\n/g, "");
    return Buffer.from(soft.replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1");
  }
  return Buffer.from(body, "latin1");
}

function walk(raw: string, parts: FakeMimePart[], structure: string[]): Record<string, string> {
  const { head, body } = splitHead(raw);
  const headers = parseHeaders(head);
  const type = parameters(headers["content-type"] ?? "text/plain");
  if (type.main.startsWith("multipart/") && type.params.boundary) {
    structure.push(type.main);
    const delimiter = `--${type.params.boundary}`;
    const sections = body.split(new RegExp(`(?:^|\\r?\\n)${delimiter.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    // sections[0] is the preamble; the last starts with "--" (the close delimiter) and is the epilogue.
    for (const section of sections.slice(1)) {
      if (section.startsWith("--")) break;
      walk(section.replace(/^[ \t]*\r?\n/, ""), parts, structure);
    }
    return headers;
  }
  const disposition = headers["content-disposition"] ? parameters(headers["content-disposition"]) : undefined;
  const encoding = (headers["content-transfer-encoding"] ?? "7bit").toLowerCase();
  parts.push({
    headers,
    contentType: type.main,
    charset: type.params.charset,
    disposition: disposition?.main,
    filename: disposition?.params.filename ?? type.params.name,
    contentId: headers["content-id"]?.replace(/^<|>$/g, ""),
    transferEncoding: encoding,
    content: decodeBody(body, encoding),
  });
  return headers;
}

/** Parse a whole MIME message. @public */
export function parseMime(message: Uint8Array | string): FakeMimeMessage {
  // latin1 keeps every byte as one character, so 8-bit content survives the split untouched.
  const raw = typeof message === "string" ? message : Buffer.from(message).toString("latin1");
  const parts: FakeMimePart[] = [];
  const structure: string[] = [];
  const headers = walk(raw, parts, structure);
  const rawHeaderLines = splitHead(raw).head.split(/\r?\n/);
  const isFile = (p: FakeMimePart) => p.disposition === "attachment" || p.filename !== undefined || (p.disposition === "inline" && p.contentId !== undefined);
  const body = (type: string) => {
    const part = parts.find((p) => p.contentType === type && !isFile(p));
    return part ? part.content.toString("utf8") : undefined;
  };
  return { headers, rawHeaderLines, parts, text: body("text/plain"), html: body("text/html"), attachments: parts.filter(isFile), structure };
}

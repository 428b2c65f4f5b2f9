/**
 * Email addresses as SES takes them (shared/vendors/ses.md §3): the local part 7-bit ASCII (SES
 * has no SMTPUTF8), an internationalised domain as Punycode, a display name with non-ASCII
 * characters as an RFC 2047 encoded-word.
 */
import { domainToASCII } from "node:url";

/** An address: `"ana@example.com"`, `"Ana <ana@example.com>"`, or `{ email, name }`. @public */
export type SesAddress = string | { email: string; name?: string | undefined };

/** A parsed address: the ASCII address SES accepts and the display name. @internal */
export interface ParsedAddress {
  email: string;
  name: string | undefined;
}

// RFC 5322 dot-atom local part (no quoted local parts: SES refuses most of them in practice).
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const NAME_AND_ADDRESS = /^\s*(.*?)\s*<([^<>]+)>\s*$/;

/** Parse and normalise an address; the reason when SES would refuse it. @internal */
export function parseAddress(value: SesAddress): ParsedAddress | { error: string } {
  let email: string;
  let name: string | undefined;
  if (typeof value === "string") {
    const m = NAME_AND_ADDRESS.exec(value);
    if (m) {
      email = m[2]!.trim();
      const raw = m[1]!;
      name = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw;
      if (name === "") name = undefined;
    } else email = value.trim();
  } else {
    email = value.email.trim();
    name = value.name === undefined || value.name === "" ? undefined : value.name;
  }
  const at = email.lastIndexOf("@");
  if (at <= 0 || at === email.length - 1) return { error: `"${email.slice(0, 80)}" is not an email address` };
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > 64) return { error: "the local part is longer than 64 characters" };
  if (!LOCAL.test(local)) return { error: `the local part of "${email.slice(0, 80)}" must be 7-bit ASCII without spaces or specials (SES has no SMTPUTF8)` };
  const ascii = domainToASCII(domain.toLowerCase());
  if (ascii === "" || ascii.length > 253 || !ascii.includes(".") || !ascii.split(".").every((l) => LABEL.test(l))) {
    return { error: `"${domain.slice(0, 80)}" is not a valid domain` };
  }
  if (name !== undefined && /[\r\n]/.test(name)) return { error: "a display name cannot contain line breaks" };
  return { email: `${local}@${ascii}`, name };
}

/** True when the text is printable 7-bit ASCII (tab allowed). @internal */
export function isPrintableAscii(text: string): boolean {
  return /^[\x20-\x7e\t]*$/.test(text);
}

/**
 * RFC 2047 encoded-words (`=?UTF-8?B?…?=`) for a header text with non-ASCII characters, each
 * word ≤ 75 characters and split on character boundaries; joined by a space (folded by the caller).
 * @internal
 */
export function encodeWords(text: string): string[] {
  const words: string[] = [];
  // 75 − "=?UTF-8?B?".length − "?=".length = 63 base64 characters → 45 bytes per word at most.
  const maxBytes = 45;
  let chunk = "";
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, "utf8");
    if (bytes + size > maxBytes && chunk !== "") {
      words.push(`=?UTF-8?B?${Buffer.from(chunk, "utf8").toString("base64")}?=`);
      chunk = "";
      bytes = 0;
    }
    chunk += char;
    bytes += size;
  }
  if (chunk !== "" || words.length === 0) words.push(`=?UTF-8?B?${Buffer.from(chunk, "utf8").toString("base64")}?=`);
  return words;
}

/** A header-safe display name: as is, quoted (specials), or encoded-words (non-ASCII). @internal */
export function encodeDisplayName(name: string): string {
  if (!isPrintableAscii(name)) return encodeWords(name).join(" ");
  if (/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/.test(name)) return name;
  return `"${name.replace(/(["\\])/g, "\\$1")}"`;
}

/** `Name <email>` (name encoded as needed) or the bare address. @internal */
export function formatAddress(address: ParsedAddress): string {
  return address.name === undefined ? address.email : `${encodeDisplayName(address.name)} <${address.email}>`;
}

/**
 * Mailgun addresses on the wire: `ana@example.com` or `Ana Builder <ana@example.com>`
 * (shared/vendors/mailgun.md §3). Checked here, before any request, so one bad address is a
 * ValidationError naming the field instead of a 400 after the upload of every attachment.
 */

// The dot-atom local part and an LDH domain with at least one dot; quoted local parts and IP
// literals are valid RFC 5322 but not accepted for sending by Mailgun in practice.
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const NAMED = /^\s*(?:"((?:[^"\\]|\\.)*)"|([^"<>]*?))\s*<([^<>\s]+)>\s*$/;

/** True for a bare email address Mailgun will take (`ana@example.com`). @public */
export function isEmailAddress(value: string): boolean {
  if (value.length > 254 || value.startsWith(".") || value.includes("..")) return false;
  const at = value.lastIndexOf("@");
  if (at < 1 || at > 64) return false;
  return EMAIL.test(value);
}

/** Split `Name <addr>` / `addr` into its parts; undefined when it is not one valid address. @public */
export function parseMailgunAddress(value: string): { email: string; name?: string } | undefined {
  const trimmed = value.trim();
  const named = NAMED.exec(trimmed);
  if (named) {
    const email = named[3]!;
    if (!isEmailAddress(email)) return undefined;
    const name = (named[1] !== undefined ? named[1].replace(/\\(.)/g, "$1") : named[2]!).trim();
    return name ? { email, name } : { email };
  }
  return isEmailAddress(trimmed) ? { email: trimmed } : undefined;
}

/** Format an address for a Mailgun field, quoting a display name that needs it. @public */
export function formatMailgunAddress(address: string | { email: string; name?: string | undefined }): string {
  if (typeof address === "string") return address;
  if (!address.name) return address.email;
  // atext and spaces go bare; anything else (a dot, a comma, non-ASCII) inside quotes.
  const name = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/.test(address.name) ? address.name : `"${address.name.replace(/(["\\])/g, "\\$1")}"`;
  return `${name} <${address.email}>`;
}

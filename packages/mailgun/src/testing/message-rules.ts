/**
 * What POST /v3/{domain}/messages refuses, with Mailgun's 400 texts where the contract quotes
 * them (shared/vendors/mailgun.md §3). Texts the contract does not quote (html with template,
 * too many tags, an unknown template) are the fake's own wording and marked so.
 */
import { bareAddress, splitAddresses, type FakeTemplate } from "./state.js";

/** Fake-side limits, as in shared/vendors/mailgun.md §3. @internal */
export const FAKE_LIMITS = { maxRecipients: 1000, maxTags: 10, maxTagLength: 128 } as const;

/** The recipients of a send, or the 400 message when one is not an address. @internal */
export function recipientsOf(fields: Record<string, string[]>): { recipients: string[] } | { error: string } {
  const recipients: string[] = [];
  for (const field of ["to", "cc", "bcc"] as const) {
    for (const value of fields[field] ?? []) {
      for (const one of splitAddresses(value)) {
        const address = bareAddress(one);
        if (!address) return { error: `${field} parameter is not a valid address. please check documentation` };
        // Duplicates are ignored (shared/vendors/mailgun.md §3).
        if (!recipients.includes(address)) recipients.push(address);
      }
    }
  }
  return { recipients };
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return !!value && typeof value === "object" && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** The first reason Mailgun would refuse this send with a 400, or undefined. @internal */
export function sendError(fields: Record<string, string[]>, templates: Map<string, FakeTemplate>): string | undefined {
  const one = (name: string) => fields[name]?.[0];
  const template = one("template");
  const stored = template === undefined ? undefined : templates.get(template.toLowerCase());
  if (one("from") === undefined && !stored?.headers.From) return "from parameter is missing";
  if (one("from") !== undefined && !bareAddress(one("from")!)) return "from parameter is not a valid address. please check documentation";
  if (!fields.to || fields.to.length === 0) return "to parameter is missing";
  const recipients = recipientsOf(fields);
  if ("error" in recipients) return recipients.error;
  if (recipients.recipients.length > FAKE_LIMITS.maxRecipients) return `Too many recipients, max is ${FAKE_LIMITS.maxRecipients}`;
  if (one("subject") === undefined && !stored?.headers.Subject) return "subject parameter is missing";
  if (!one("text") && !one("html") && !one("amp-html") && template === undefined) return "Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified";
  // [fake wording] the exclusivity is documented, its message is not.
  if (one("html") !== undefined && template !== undefined) return "'html' and 'template' parameters are mutually exclusive";
  // [fake wording] Mailgun's text for an unknown template is not in the contract.
  if (template !== undefined && !stored) return `template not found: ${template}`;
  const tags = fields["o:tag"] ?? [];
  if (tags.length > FAKE_LIMITS.maxTags) return `Too many tags, max is ${FAKE_LIMITS.maxTags}`;
  // eslint-disable-next-line no-control-regex
  if (tags.some((tag) => tag.length > FAKE_LIMITS.maxTagLength || !/^[\x20-\x7e]+$/.test(tag))) return "o:tag parameter is not valid: tags are ASCII, at most 128 characters";
  if (one("recipient-variables") !== undefined && !isJsonObject(one("recipient-variables")!)) return "'recipient-variables' parameter is not a valid JSON";
  if (one("t:variables") !== undefined && !isJsonObject(one("t:variables")!)) return "'t:variables' parameter is not a valid JSON";
  if (one("h:X-Mailgun-Variables") !== undefined && !isJsonObject(one("h:X-Mailgun-Variables")!)) return "'h:X-Mailgun-Variables' parameter is not a valid JSON";
  return undefined;
}

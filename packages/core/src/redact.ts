/**
 * Redaction of credentials from text and structured values. Applied when errors,
 * log lines, span attributes and dead letters are built, never left to the sink.
 */

/** What replaces a redacted value. @public */
export const REDACTED = "[REDACTED]";

const SENSITIVE_KEY =
  /^(authorization|proxy-authorization|x-api-key|api[-_]?key|apikey|x-twilio-signature|x-docusign-signature-\d+|intuit-signature|cookie|set-cookie|password|passwd|secret|client[-_]?secret|auth[-_]?token|access[-_]?token|refresh[-_]?token|id[-_]?token|token|private[-_]?key|assertion|x-amz-security-token|signature)$/i;

// Values that look like credentials wherever they appear in free text.
const TEXT_PATTERNS: RegExp[] = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi,
  // An AWS Signature V4 Authorization header (a vendor echoing the request's headers back).
  /\bAWS4-HMAC-SHA256\s+Credential=[^\s,]+,\s*SignedHeaders=[^\s,]+,\s*Signature=[0-9a-fA-F]+/g,
  /\bSG\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // SendGrid API keys
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, // JWTs
  /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, // AWS access key ids
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /((?:access_token|refresh_token|client_secret|api_key|apikey|password|token|secret)["']?\s*[:=]\s*["']?)(?!\[REDACTED\])[^"'&\s,;)\]}]+/gi,
];

// Kept on globalThis so every bundle of core in the process (main entry, subpaths, an
// ESM and a CJS copy) scrubs the same registered secrets.
const REGISTRY = Symbol.for("@connect/core.registeredSecrets");
const registered: Set<string> = ((globalThis as Record<symbol, unknown>)[REGISTRY] as Set<string> | undefined) ??
  ((globalThis as Record<symbol, unknown>)[REGISTRY] = new Set<string>());

/**
 * Register a secret value so it is scrubbed from every redacted text, even where it
 * does not look like a credential (a vendor echoing an auth token back in a message).
 * Secret providers and auth helpers call this with every value they hand out.
 * @public
 */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === "string" && value.length >= 6) registered.add(value);
}

/** Replace credentials in free text with {@link REDACTED}. @public */
export function redactText(text: string): string {
  let out = text;
  for (const secret of registered) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of TEXT_PATTERNS) {
    out = out.replace(pattern, (match, prefix: unknown) => {
      if (typeof prefix === "string" && /[:=]/.test(prefix)) return `${prefix}${REDACTED}`;
      if (/^(Bearer|Basic|AWS4-HMAC-SHA256)\s/i.test(match)) return `${match.split(/\s+/)[0]} ${REDACTED}`;
      return REDACTED;
    });
  }
  return out;
}

// Compound names: the last word (or two) of `crm_api_token`, `stripeSecretKey`, `db-password`.
const SENSITIVE_LAST_WORD = new Set(["token", "secret", "password", "passwd", "passphrase", "apikey", "credential", "credentials", "cookie", "authorization"]);
const SENSITIVE_LAST_TWO = new Set(["api key", "private key", "secret key", "access key", "signing key", "client secret", "session key"]);
// Tokens that are cursors and version stamps, not credentials: a dead letter must keep them to be replayable.
const NON_SECRET_TOKEN = new Set(["next", "page", "sync", "continuation", "request", "pagination", "cursor", "idempotency", "change", "delta"]);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** True when a header, field or attribute name holds a credential (`authorization`, `api_key`, `crm_api_token`, `stripeSecretKey` …). @public */
export function isSensitiveKey(key: string): boolean {
  const last = key.split(".").pop() ?? key;
  if (SENSITIVE_KEY.test(last)) return true;
  const parts = words(last);
  const final = parts.at(-1);
  if (final === undefined || parts.length < 2) return false;
  if (final === "token" && NON_SECRET_TOKEN.has(parts.at(-2)!)) return false;
  return SENSITIVE_LAST_WORD.has(final) || SENSITIVE_LAST_TWO.has(parts.slice(-2).join(" "));
}

/** Deep-copy a value with sensitive keys and credential-looking strings redacted. @public */
export function redactValue<T>(value: T, depth = 0): T {
  // Past this depth nothing is inspected, so nothing is passed through either.
  if (depth > 8) return (value !== null && typeof value === "object" ? "[TRUNCATED]" : typeof value === "string" ? redactText(value) : value) as T;
  if (typeof value === "string") return redactText(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1)) as T;
  if (value && typeof value === "object" && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      out[key] = isSensitiveKey(key) && inner !== undefined && inner !== null ? REDACTED : redactValue(inner, depth + 1);
    }
    return out as T;
  }
  return value;
}

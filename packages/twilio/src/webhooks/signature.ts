/**
 * `X-Twilio-Signature` (shared/vendors/twilio.md §4 "Signature"): base64 HMAC-SHA1, keyed on the
 * account's Auth Token, over the exact public URL Twilio called followed by the POST parameters
 * sorted by name (`name + value`, no separators). JSON bodies are signed differently: Twilio adds
 * `bodySHA256=<hex SHA-256 of the raw body>` to the URL query and signs the URL alone.
 * The URL is tried as given and in the variants twilio-node's validators also accept (with and
 * without the port, `%27` or `'`), never WHATWG-normalised. Core's HMAC verifier does the
 * constant-time comparisons, the URL as given first.
 */
import { createHash, createHmac } from "node:crypto";
import { hmacVerifier, timingSafeEqualStrings, WebhookVerificationError, type SecretSource, type WebhookRequest, type WebhookVerifier } from "@connect/core";

/** The signature header (lower case). @public */
export const SIGNATURE_HEADER = "x-twilio-signature";
/** The query parameter of the JSON-body variant. @public */
export const BODY_SHA256_PARAM = "bodySHA256";

/** Webhook parameters: a value per name, or several for a repeated name. @public */
export type TwilioParams = Readonly<Record<string, string | readonly string[]>>;

/**
 * The string Twilio signs: `url` followed by every parameter sorted by name (code-unit order);
 * a repeated name contributes each distinct value, sorted.
 * @public
 */
export function signatureBase(url: string, params: TwilioParams = {}): string {
  return url + sortedParams(params);
}

/** The part of the signature base after the URL: every parameter sorted by name, `name + value`. */
function sortedParams(params: TwilioParams): string {
  let out = "";
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    if (typeof value === "string") out += name + value;
    else for (const item of [...new Set(value)].sort()) out += name + item;
  }
  return out;
}

/**
 * Compute `X-Twilio-Signature` for a URL and POST parameters (none for GET and JSON bodies).
 * @example computeTwilioSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", { CallSid: "CA1234567890ABCDE", … })
 * @public
 */
export function computeTwilioSignature(authToken: string, url: string, params: TwilioParams = {}): string {
  return createHmac("sha1", authToken).update(Buffer.from(signatureBase(url, params), "utf8")).digest("base64");
}

/** Hex SHA-256 of a raw body, as in `bodySHA256`. @public */
export function bodySha256(rawBody: Buffer | string): string {
  return createHash("sha256").update(typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody).digest("hex");
}

/** A URL cut at its authority, every character kept as received. */
interface UrlParts {
  /** `https://`, as written. */
  scheme: string;
  /** `user:pass@` or "". */
  userInfo: string;
  /** The host, case kept. */
  host: string;
  /** `:8443` or "". */
  port: string;
  /** Path, query and fragment. */
  rest: string;
}

const SCHEME_AND_AUTHORITY = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i;

/**
 * Split without parsing: WHATWG `new URL` lower-cases the host and re-escapes the query, and
 * Twilio signs the URL exactly as configured, so nothing of it may be rewritten.
 */
function splitUrl(url: string): UrlParts | undefined {
  const match = SCHEME_AND_AUTHORITY.exec(url);
  if (!match) return undefined;
  const [prefix, scheme, authority] = match as unknown as [string, string, string];
  const at = authority.lastIndexOf("@");
  const hostAndPort = authority.slice(at + 1);
  // In an IPv6 literal (`[::1]:8443`) only a colon after the closing bracket starts the port.
  const colon = hostAndPort.indexOf(":", hostAndPort.lastIndexOf("]") + 1);
  return {
    scheme,
    userInfo: authority.slice(0, at + 1),
    host: colon === -1 ? hostAndPort : hostAndPort.slice(0, colon),
    port: colon === -1 ? "" : hostAndPort.slice(colon),
    rest: url.slice(prefix.length),
  };
}

/**
 * The port variant twilio-node's `validateRequest` also tries: a URL with a port without it,
 * a URL without one with `:443` (https) or `:80` (any other scheme, as twilio-node does).
 */
function portVariant(parts: UrlParts): string {
  const { scheme, userInfo, host, port, rest } = parts;
  if (port !== "") return `${scheme}${userInfo}${host}${rest}`;
  return `${scheme}${userInfo}${host}${scheme.toLowerCase() === "https://" ? ":443" : ":80"}${rest}`;
}

/**
 * The other spellings of an apostrophe after the authority: Twilio signs `'` as configured,
 * while a proxy or framework may hand the URL over with `%27` (and the other way round).
 */
function apostropheVariants(url: string, parts: UrlParts): string[] {
  const head = url.slice(0, url.length - parts.rest.length);
  const out: string[] = [];
  if (parts.rest.includes("%27")) out.push(head + parts.rest.replaceAll("%27", "'"));
  if (parts.rest.includes("'")) out.push(head + parts.rest.replaceAll("'", "%27"));
  return out;
}

/**
 * The URLs a signature may have been computed over, the URL as given first: with a port also
 * without it, without a port also with the scheme's default one (twilio-node's
 * `validateRequest` tries the same pair), and each with `%27` and `'` swapped. The URL is never
 * normalised: a signature over another host case, userinfo or scheme does not verify.
 * @public
 */
export function signatureUrlCandidates(url: string): string[] {
  return [...urlCandidates(url)];
}

// A webhook endpoint sees the same few URLs over and over: the candidates and the bodySHA256 value
// are pure functions of the URL string, so the last answer is kept instead of working it out again.
let lastCandidates: { url: string; candidates: readonly string[] } | undefined;

function urlCandidates(url: string): readonly string[] {
  if (lastCandidates?.url === url) return lastCandidates.candidates;
  const out = new Set<string>([url]);
  const parts = splitUrl(url);
  if (parts) {
    const ported = portVariant(parts);
    out.add(ported);
    for (const variant of [url, ported]) {
      const variantParts = variant === url ? parts : splitUrl(variant)!;
      for (const spelled of apostropheVariants(variant, variantParts)) out.add(spelled);
    }
  }
  const candidates = Object.freeze([...out]);
  lastCandidates = { url, candidates };
  return candidates;
}

/** Read a form-urlencoded body into parameters (a repeated name becomes an array). @public */
export function parseFormParams(rawBody: Buffer | string): Record<string, string | string[]> {
  const out = paramRecord<string | string[]>();
  for (const [name, value] of new URLSearchParams(typeof rawBody === "string" ? rawBody : rawBody.toString("utf8"))) {
    const prior = out[name];
    out[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return out;
}

/**
 * An empty record without a prototype: a parameter named `__proto__`, `constructor` or
 * `hasOwnProperty` is data, never an inherited member taken for an earlier value.
 * @internal
 */
export function paramRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

let lastBodyHash: { url: string; value: string | undefined } | undefined;

/** The `bodySHA256` query value of a URL, when it has one. @internal */
export function bodyHashParam(url: string): string | undefined {
  if (lastBodyHash?.url === url) return lastBodyHash.value;
  let value: string | undefined;
  try {
    value = new URL(url).searchParams.get(BODY_SHA256_PARAM) ?? undefined;
  } catch {
    value = undefined;
  }
  lastBodyHash = { url, value };
  return value;
}

// The webhook handler verifies a request and then parses it: while it has a slot open for the
// request, the form body is parsed once, by whichever needs it first, and only for that same body.
const formSlots = new WeakMap<WebhookRequest, { rawBody: unknown; params: Record<string, string | string[]> | undefined }>();

/** Share the form parameters of `req` between its verification and its parsing, until {@link closeFormSlot}. @internal */
export function openFormSlot(req: WebhookRequest): void {
  formSlots.set(req, { rawBody: req.rawBody, params: undefined });
}

/** End the sharing opened by {@link openFormSlot}. @internal */
export function closeFormSlot(req: WebhookRequest): void {
  formSlots.delete(req);
}

/** The form parameters of a request's body: parsed once per open slot, otherwise every time. @internal */
export function formParamsOf(req: WebhookRequest): Record<string, string | string[]> {
  const slot = formSlots.get(req);
  if (slot === undefined || slot.rawBody !== req.rawBody) return parseFormParams(req.rawBody);
  return (slot.params ??= parseFormParams(req.rawBody));
}

/** The signed payload candidates of a request (URL variants + sorted POST params), the URL as given first. @internal */
export function signedPayloads(req: WebhookRequest): string[] {
  const jsonVariant = bodyHashParam(req.url) !== undefined;
  const suffix = req.method === "GET" || req.method === "HEAD" || jsonVariant ? "" : sortedParams(formParamsOf(req));
  return urlCandidates(req.url).map((url) => url + suffix);
}

/** Options of {@link twilioSignatureVerifier}. @public */
export interface TwilioSignatureVerifierOptions {
  /** The account's Auth Token (not an API key secret); two during rotation (any may match), or a function reading them. */
  authToken: SecretSource;
}

/**
 * A core `WebhookVerifier` for `X-Twilio-Signature`. `req.url` must be the public URL Twilio
 * called (the webhook handler rewrites it from `publicBaseUrl` / `publicUrl` first). For the
 * JSON-body variant it then checks `bodySHA256` against the raw body.
 * @public
 */
export function twilioSignatureVerifier(options: TwilioSignatureVerifierOptions): WebhookVerifier {
  const hmac = hmacVerifier({
    vendor: "twilio",
    header: SIGNATURE_HEADER,
    algorithm: "sha1",
    encoding: "base64",
    secrets: options.authToken,
    payload: signedPayloads,
  });
  return {
    async verify(req) {
      await hmac.verify(req);
      const expected = bodyHashParam(req.url);
      if (expected === undefined) return;
      const actual = bodySha256(req.rawBody);
      if (!timingSafeEqualStrings(expected.toLowerCase(), actual)) {
        throw new WebhookVerificationError(
          "twilio webhook: the signed URL is authentic but the body does not match its bodySHA256; was the body changed (or re-serialised) after it arrived?",
          { reason: "bad_body_hash", vendor: "twilio" },
        );
      }
    },
  };
}

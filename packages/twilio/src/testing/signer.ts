/**
 * Signs webhook requests the way Twilio does (shared/vendors/twilio.md §4), written apart from
 * the SDK's verifier so the tests catch the two drifting apart: base64 HMAC-SHA1 with the Auth
 * Token over the URL + sorted `name + value` pairs; for JSON bodies, `bodySHA256` in the URL and
 * the URL alone signed.
 */
import { createHash, createHmac, randomUUID } from "node:crypto";

/** A request as Twilio would send it. @public */
export interface SignedTwilioRequest {
  /** Where to send it (for the JSON variant, with `bodySHA256` added to the query). */
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Options of {@link signTwilioRequest}. @public */
export interface SignTwilioRequestOptions {
  authToken: string;
  /** The URL Twilio calls. */
  url: string;
  /** The parameters of the callback. */
  params: Record<string, string>;
  /** Send the parameters as a JSON body with `bodySHA256` instead of a form. */
  json?: boolean | undefined;
  /** Sign over this URL instead of `url` (what a proxy in front of the host is reached at). */
  signedUrl?: string | undefined;
  /** Extra headers (e.g. a fixed `i-twilio-idempotency-token`). */
  headers?: Record<string, string> | undefined;
}

/** Base64 HMAC-SHA1 of `url` + sorted params with `authToken`. @public */
export function twilioSignature(authToken: string, url: string, params: Record<string, string> = {}): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, name) => acc + name + params[name], url);
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

function addQuery(url: string, name: string, value: string): string {
  const [beforeHash, hash] = url.split("#", 2) as [string, string | undefined];
  const joined = `${beforeHash}${beforeHash.includes("?") ? "&" : "?"}${name}=${value}`;
  return hash === undefined ? joined : `${joined}#${hash}`;
}

/**
 * Build a signed webhook request: form-encoded (the default) or JSON with `bodySHA256`.
 * @public
 */
export function signTwilioRequest(options: SignTwilioRequestOptions): SignedTwilioRequest {
  const base = { "user-agent": "TwilioProxy/1.1", "i-twilio-idempotency-token": randomUUID(), ...options.headers };
  if (options.json) {
    const body = JSON.stringify(options.params);
    const hash = createHash("sha256").update(body, "utf8").digest("hex");
    const url = addQuery(options.url, "bodySHA256", hash);
    const signed = addQuery(options.signedUrl ?? options.url, "bodySHA256", hash);
    return { url, body, headers: { ...base, "content-type": "application/json", "x-twilio-signature": twilioSignature(options.authToken, signed) } };
  }
  const body = new URLSearchParams(options.params).toString();
  return {
    url: options.url,
    body,
    headers: { ...base, "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilioSignature(options.authToken, options.signedUrl ?? options.url, options.params) },
  };
}

/** Sign and POST a webhook with `globalThis.fetch`, as Twilio would. @public */
export async function postTwilioWebhook(options: SignTwilioRequestOptions): Promise<Response> {
  const request = signTwilioRequest(options);
  return globalThis.fetch(request.url, { method: "POST", headers: request.headers, body: request.body });
}

/**
 * The answer every fake gives for an endpoint it does not implement: a 501 that names the fake
 * and the request, so a gap in the fake never reads as a vendor "not found" (a bug in the user's
 * code) — see the brief's rule on fakes.
 */
import { http, HttpResponse, type RequestHandler } from "msw";

/** The header carried by every "not implemented by the fake" answer (value: the fake's name). @public */
export const NOT_IMPLEMENTED_HEADER = "x-connect-fake-not-implemented";

/** The message of a "not implemented" answer: `not implemented by <fake> fake: <METHOD> <path>`. @public */
export function notImplementedMessage(fake: string, method: string, path: string): string {
  return `not implemented by ${fake} fake: ${method.toUpperCase()} ${path}`;
}

/** What a fake can add to its "not implemented" answer. @public */
export interface NotImplementedDetail {
  /** What exactly is missing when the path alone does not say (e.g. `compositeTemplates`); appended to the message in parentheses. */
  detail?: string;
  /** Extra body fields (e.g. `{ entity: "Estimate" }`). */
  fields?: Record<string, string>;
}

/**
 * A 501 answer for a request the fake `fake` (e.g. `"@connect/twilio/testing"`) does not
 * implement; body `{ error: "not_implemented_by_fake", message, fake, method, path }`. @public
 */
export function notImplementedByFake(fake: string, request: Request, extra: NotImplementedDetail = {}): Response {
  const url = new URL(request.url);
  const base = notImplementedMessage(fake, request.method, url.pathname);
  const message = extra.detail === undefined ? base : `${base} (${extra.detail})`;
  return HttpResponse.json(
    { error: "not_implemented_by_fake", message, fake, method: request.method, path: url.pathname, ...extra.fields },
    { status: 501, headers: { [NOT_IMPLEMENTED_HEADER]: fake } },
  );
}

/** A catch-all msw handler for `pattern` answering {@link notImplementedByFake}; put it last. @public */
export function notImplementedHandler(fake: string, pattern: string | RegExp = "*"): RequestHandler {
  return http.all(pattern, ({ request }) => notImplementedByFake(fake, request));
}

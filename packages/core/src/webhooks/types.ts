/** Shapes shared by the webhook verifiers, adapters and receiver. */

/** An inbound webhook request as every verifier and the receiver see it. @public */
export interface WebhookRequest {
  /** HTTP method, upper case. */
  method: string;
  /** The full URL as the vendor called it (scheme, host, path, query). */
  url: string;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body exactly as received; never a parsed or re-serialised object. */
  rawBody: Buffer;
}

/** Checks a request's signature; throws `WebhookVerificationError` with a `reason` when it does not hold. @public */
export interface WebhookVerifier {
  /** Resolve when the request is authentic; throw `WebhookVerificationError` otherwise. */
  verify(req: WebhookRequest): void | Promise<void>;
}

/**
 * One secret, several active secrets (rotation: any may match), or a function returning them
 * (read from a `SecretProvider` on each request, so a rotated secret is picked up).
 * @public
 */
export type SecretSource = string | readonly string[] | (() => string | readonly string[] | Promise<string | readonly string[]>);

/** What a payload builder returns: the signed bytes, or several candidates of which any may match. @public */
export type SignedPayload = Buffer | string | ReadonlyArray<Buffer | string>;

/**
 * SendGrid authenticates with `Authorization: Bearer <API key>` (shared/vendors/sendgrid.md §1).
 * The key is a string or comes from a SecretProvider; after a 401 the provider is asked for
 * a fresh value once (a rotated key), then the request is re-sent once.
 */
import { bearerAuth, registerSecret, secretValue, type AuthStrategy } from "@connect/core";

/** Where secrets come from (the shape of core's SecretProvider). @public */
export interface SecretProvider {
  /** Read a secret; `forceRefresh` bypasses any cache (after an auth failure). */
  get(name: string, options?: { forceRefresh?: boolean }): Promise<string>;
}

/** Default secret name read from a SecretProvider. @public */
export const DEFAULT_API_KEY_SECRET = "SENDGRID_API_KEY";

/** Build the auth strategy for an API key or a SecretProvider. @internal */
export function sendGridAuth(apiKey: string | SecretProvider, secretName: string = DEFAULT_API_KEY_SECRET): AuthStrategy {
  if (typeof apiKey === "string") {
    if (apiKey.trim() === "") throw new TypeError("createSendGridClient: apiKey is empty");
    registerSecret(apiKey);
    return bearerAuth(apiKey);
  }
  // Core's secretValue: read through the provider, re-read with forceRefresh after a 401.
  const key = secretValue(apiKey, secretName);
  return bearerAuth(key, () => key.refresh());
}

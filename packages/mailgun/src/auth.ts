/**
 * Mailgun authenticates with HTTP Basic, user `api`, password the API key
 * (shared/vendors/mailgun.md §1). The key is a string or comes from a SecretProvider; after a
 * 401 the provider is asked once for a fresh value (a rotated key), then the request is re-sent once.
 */
import { basicAuth, registerSecret, secretValue, type AuthStrategy, type SecretProvider } from "@connect/core";

/** Default secret name read from a SecretProvider. @public */
export const DEFAULT_API_KEY_SECRET = "MAILGUN_API_KEY";

/** Build the auth strategy for an API key or a SecretProvider. @internal */
export function mailgunAuth(apiKey: string | SecretProvider, secretName: string = DEFAULT_API_KEY_SECRET): AuthStrategy {
  if (typeof apiKey === "string") {
    if (apiKey.trim() === "") throw new TypeError("createMailgunClient: apiKey is empty");
    registerSecret(apiKey);
    return basicAuth("api", apiKey);
  }
  const key = secretValue(apiKey, secretName);
  return basicAuth("api", key, () => key.refresh());
}

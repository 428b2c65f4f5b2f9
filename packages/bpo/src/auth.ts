/**
 * BPO authenticates with `Authorization: Bearer <API key>` (issue 10's contract). The key is a
 * string or comes from a SecretProvider; after a 401 the provider is asked once for a fresh
 * value (a rotated key) and the request is re-sent once.
 */
import { bearerAuth, registerSecret, secretValue, type AuthStrategy, type SecretProvider } from "@connect/core";

/** Secret name read from a SecretProvider when none is given. @public */
export const DEFAULT_API_KEY_SECRET = "BPO_API_KEY";

/** Build the auth strategy for an API key or a SecretProvider. @internal */
export function bpoAuth(apiKey: string | SecretProvider, secretName: string = DEFAULT_API_KEY_SECRET): AuthStrategy {
  if (typeof apiKey === "string") {
    if (apiKey.trim() === "") throw new TypeError("createBpoClient: apiKey is empty");
    registerSecret(apiKey);
    return bearerAuth(apiKey);
  }
  if (!apiKey || typeof apiKey.get !== "function") throw new TypeError("createBpoClient: apiKey must be a string or a SecretProvider");
  // Core's secretValue: read through the provider, re-read with forceRefresh after a 401.
  const key = secretValue(apiKey, secretName);
  return bearerAuth(key, () => key.refresh());
}

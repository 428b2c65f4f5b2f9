/**
 * Twilio authenticates every REST call with HTTP Basic (shared/vendors/twilio.md §1):
 * `AccountSid:AuthToken`, or `ApiKeySid:ApiKeySecret` with the Account SID still in the URL
 * path. Webhook signatures are a separate matter: they are always keyed on the account's Auth
 * Token, even when REST calls use an API key — so the configuration names both.
 */
// core's basicAuth registers the secret and the encoded header, never the SID (an identifier);
// secretValue re-reads a provider's secret with forceRefresh after a 401.
import { basicAuth, registerSecret, secretValue, type AuthStrategy, type SecretProvider, type SecretSource } from "@connect/core";
import { ACCOUNT_SID, API_KEY_SID } from "./schemas.js";

/** Default secret names read from a SecretProvider. @public */
export const DEFAULT_SECRET_NAMES = { authToken: "TWILIO_AUTH_TOKEN", apiKeySecret: "TWILIO_API_KEY_SECRET" } as const;

/**
 * How REST calls authenticate:
 * - `{ authToken }` — Basic `AccountSid:AuthToken`;
 * - `{ apiKeySid, apiKeySecret }` — Basic `SK…:secret` (recommended: revocable, per service);
 * - `{ secrets }` — the Auth Token read from a SecretProvider (`authTokenName`, default `TWILIO_AUTH_TOKEN`);
 * - `{ secrets, apiKeySid }` — the API key secret read from a SecretProvider (`apiKeySecretName`, default `TWILIO_API_KEY_SECRET`).
 * With a provider, a 401 re-reads the secret once with `forceRefresh` (a rotated credential).
 * @public
 */
export type TwilioAuth =
  | { authToken: string }
  | { apiKeySid: string; apiKeySecret: string }
  | { secrets: SecretProvider; authTokenName?: string | undefined }
  | { secrets: SecretProvider; apiKeySid: string; apiKeySecretName?: string | undefined };

/** The pieces of a validated {@link TwilioAuth}. @internal */
export interface ResolvedTwilioAuth {
  strategy: AuthStrategy;
  /** `authToken` when REST calls use the Auth Token (which then also verifies webhooks). */
  kind: "authToken" | "apiKey";
  /** The Auth Token as a webhook secret source, when REST calls use it. */
  webhookToken: SecretSource | undefined;
}

function assertSecret(value: unknown, what: string): asserts value is string {
  if (typeof value !== "string" || value.trim() === "") throw new TypeError(`createTwilioClient: ${what} is empty`);
  if (value !== value.trim()) throw new TypeError(`createTwilioClient: ${what} has surrounding whitespace (a newline from an env file?)`);
}

/** Validate the Account SID (`AC…`); an API key SID there is a common mistake. @internal */
export function assertAccountSid(accountSid: unknown): asserts accountSid is string {
  if (typeof accountSid === "string" && API_KEY_SID.test(accountSid)) {
    throw new TypeError("createTwilioClient: accountSid is an API key SID (SK…); pass the Account SID (AC…) and the key as auth.apiKeySid");
  }
  if (typeof accountSid !== "string" || !ACCOUNT_SID.test(accountSid)) {
    throw new TypeError("createTwilioClient: accountSid must be AC followed by 32 hex digits");
  }
}

/** Build the REST auth strategy for an Account SID and a {@link TwilioAuth}. @internal */
export function twilioAuth(accountSid: string, auth: TwilioAuth): ResolvedTwilioAuth {
  if (!auth || typeof auth !== "object") throw new TypeError("createTwilioClient: auth is required ({ authToken } | { apiKeySid, apiKeySecret } | { secrets })");
  if ("apiKeySid" in auth && auth.apiKeySid !== undefined) {
    if (!API_KEY_SID.test(auth.apiKeySid)) throw new TypeError("createTwilioClient: auth.apiKeySid must be SK followed by 32 hex digits");
    if ("secrets" in auth && auth.secrets) {
      const secret = secretValue(auth.secrets, auth.apiKeySecretName ?? DEFAULT_SECRET_NAMES.apiKeySecret);
      return { kind: "apiKey", strategy: basicAuth(auth.apiKeySid, () => secret(), () => secret.refresh()), webhookToken: undefined };
    }
    const secret = (auth as { apiKeySecret?: unknown }).apiKeySecret;
    assertSecret(secret, "auth.apiKeySecret");
    registerSecret(secret);
    return { kind: "apiKey", strategy: basicAuth(auth.apiKeySid, secret), webhookToken: undefined };
  }
  if ("secrets" in auth && auth.secrets) {
    const name = (auth as { authTokenName?: string | undefined }).authTokenName ?? DEFAULT_SECRET_NAMES.authToken;
    const secret = secretValue(auth.secrets, name);
    const provider = auth.secrets;
    return { kind: "authToken", strategy: basicAuth(accountSid, () => secret(), () => secret.refresh()), webhookToken: () => provider.get(name) };
  }
  const token = (auth as { authToken?: unknown }).authToken;
  assertSecret(token, "auth.authToken");
  registerSecret(token);
  return { kind: "authToken", strategy: basicAuth(accountSid, token), webhookToken: token };
}

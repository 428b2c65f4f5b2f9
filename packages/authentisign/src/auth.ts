/**
 * OAuth 2.0 client credentials (shared/vendors/authentisign.md §1, "Authentication Token"):
 * `POST https://gateway.lwolf.com/oauth/token` with a JSON body `{ grant_type, client_id,
 * client_secret, audience, lwt_client_id? }`; the token lives 24 h and goes out as
 * `Authorization: Bearer`. The mint runs as its own operation (`oauth.token`: span, retries,
 * error mapping) on a small runtime for the token host; core's token manager caches it,
 * refreshes it shortly before expiry and shares one refresh between concurrent callers.
 */
import {
  AuthError,
  createRuntime,
  createTokenManager,
  defineOperation,
  IntegrationError,
  mergePolicies,
  registerSecret,
  withRotation,
  type AccessToken,
  type PolicyOptions,
  type SecretProvider,
  type TelemetryOptions,
  type TokenManager,
  type TransportOptions, lazySchema } from "@connect/core";
import { z } from "zod";
import { AUTHENTISIGN, DEFAULT_TOKEN_LIFETIME_SECONDS, TokenResponse } from "./assumptions.js";
import { classifyAuthentisignError, readAuthentisignError } from "./errors.js";

/** The documented token endpoint. @public */
export const AUTHENTISIGN_TOKEN_URL = "https://gateway.lwolf.com/oauth/token";

/** The documented `audience`. @public */
export const AUTHENTISIGN_AUDIENCE = "https://api.lwolf.com";

/** Default secret name read from a SecretProvider. @public */
export const DEFAULT_CLIENT_SECRET_NAME = "AUTHENTISIGN_CLIENT_SECRET";

/** What the token manager needs to mint tokens. @internal */
export interface ClientCredentialsOptions {
  clientId: string;
  clientSecret: string | SecretProvider;
  clientSecretName?: string | undefined;
  tokenUrl?: string | undefined;
  audience?: string | undefined;
  lwtClientId?: string | undefined;
  refreshSkewMs?: number | undefined;
  now?: (() => number) | undefined;
  policy?: PolicyOptions | undefined;
  telemetry?: TelemetryOptions | undefined;
  transport?: TransportOptions | undefined;
  version: string;
}

const MintInput = lazySchema(() =>
  z.object({ clientSecret: z.string().min(1) }),
);

/** The mint as an operation; the secret is registered for redaction before it is used. @internal */
export function tokenOperation(options: { clientId: string; path: string; audience: string; lwtClientId?: string | undefined; now: () => number }) {
  return defineOperation({
    id: "oauth.token",
    input: MintInput,
    output: z.object({ accessToken: z.string().min(1), expiresAt: z.number() }),
    // Minting twice is harmless: a second token is as good as the first.
    idempotent: true,
    keyFields: () => options.clientId,
    request: ({ clientSecret }) => ({
      method: "POST",
      path: options.path,
      body: {
        json: {
          grant_type: "client_credentials",
          client_id: options.clientId,
          client_secret: clientSecret,
          audience: options.audience,
          ...(options.lwtClientId ? { lwt_client_id: options.lwtClientId } : {}),
        },
      },
    }),
    response: (response) => {
      const parsed = TokenResponse.safeParse(response.body);
      if (!parsed.success) {
        throw new IntegrationError("the token endpoint answered without an access_token", { vendor: AUTHENTISIGN, operation: "oauth.token", status: response.status, retryable: false, vendorCode: "MALFORMED_TOKEN_RESPONSE" });
      }
      registerSecret(parsed.data.access_token);
      return { accessToken: parsed.data.access_token, expiresAt: options.now() + (parsed.data.expires_in ?? DEFAULT_TOKEN_LIFETIME_SECONDS) * 1000 };
    },
    // The token endpoint answers OAuth-style `{ error, error_description }`; 400/401/403 mean
    // the credentials (or the audience) are wrong: an AuthError the host must fix.
    classifyError: (response) => {
      if (response.status !== 400 && response.status !== 401 && response.status !== 403) return undefined;
      const body = response.body as { error?: unknown; error_description?: unknown } | undefined;
      const read = readAuthentisignError(response.body, response.rawText);
      const code = typeof body?.error === "string" ? body.error : read.code;
      const message = typeof body?.error_description === "string" ? body.error_description : read.message;
      return new AuthError(
        `the token endpoint rejected the client credentials (HTTP ${response.status}${code ? ` ${code}` : ""}${message ? `: ${message}` : ""}); check clientId, clientSecret and audience`,
        { vendor: AUTHENTISIGN, operation: "oauth.token", status: response.status, vendorCode: code, vendorMessage: message },
      );
    },
  });
}

/** The token manager and the runtime that mints (closed with the client). @internal */
export interface ClientCredentials {
  tokens: TokenManager;
  close(): Promise<void>;
}

/**
 * Build the token manager. With a SecretProvider, a rejected secret is fetched again once
 * with `forceRefresh` (a rotated secret) before the mint fails with `AuthError`.
 * @internal
 */
export function clientCredentials(options: ClientCredentialsOptions): ClientCredentials {
  if (options.clientId.trim() === "") throw new TypeError("createAuthentisignClient: clientId is empty");
  if (typeof options.clientSecret === "string") {
    if (options.clientSecret.trim() === "") throw new TypeError("createAuthentisignClient: clientSecret is empty");
    registerSecret(options.clientSecret);
  }
  const now = options.now ?? Date.now;
  const url = new URL(options.tokenUrl ?? AUTHENTISIGN_TOKEN_URL);
  const runtime = createRuntime({
    adapter: { id: AUTHENTISIGN, version: options.version },
    baseUrl: url.origin,
    // The API client's breaker and limiter guard the vendor; minting is rare and only retried.
    defaults: { retry: { attempts: 3, minDelayMs: 200, maxDelayMs: 5_000 } },
    policy: mergePolicies(options.policy, { breaker: false, limiter: false }),
    telemetry: options.telemetry,
    transport: options.transport,
    classifyError: (response, ctx) => classifyAuthentisignError(response, { operation: ctx.operation, now }),
  });
  const mint = tokenOperation({
    clientId: options.clientId,
    path: `${url.pathname}${url.search}`,
    audience: options.audience ?? AUTHENTISIGN_AUDIENCE,
    lwtClientId: options.lwtClientId,
    now,
  });
  const secretName = options.clientSecretName ?? DEFAULT_CLIENT_SECRET_NAME;
  // A client secret from a provider that Lone Wolf refuses is fetched again once (rotation): core's withRotation.
  const fetchToken = (signal?: AbortSignal): Promise<AccessToken> => {
    const mintWith = (clientSecret: string) => runtime.run(mint, { clientSecret }, { signal });
    const source = options.clientSecret;
    return typeof source === "string" ? mintWith(source) : withRotation(source, secretName, mintWith, { signal });
  };

  return {
    tokens: createTokenManager({ fetchToken, refreshSkewMs: options.refreshSkewMs ?? 5 * 60_000, now }),
    close: () => runtime.close(),
  };
}

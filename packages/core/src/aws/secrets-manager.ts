/**
 * AWS Secrets Manager as a SecretProvider: GetSecretValue by SecretId, cached for a TTL,
 * refreshed on demand after an auth failure, with an optional JSON field picked out of
 * the secret (`"name#field"` or the `jsonKey` option).
 */
import { createRequire } from "node:module";
// Types only at import time: the SDK itself is loaded on the first fetch, so loading
// @connect/core/aws (e.g. for the SNS verifier) never needs the optional peer installed.
import type { SecretsManagerClient, SecretsManagerClientConfig } from "@aws-sdk/client-secrets-manager";
// Through "@connect/core" (not ../errors.js) so the built aws entry shares the main entry's
// error classes and redaction registry; see ./errors.ts.
import { cachedSecrets, IntegrationError, registerSecret, ValidationError, type CachedSecretProvider, type SecretGetOptions, type SecretProvider } from "@connect/core";
import { assertSecretName } from "../secrets/provider.js";
import { GET_SECRET_OPERATION, mapSecretsManagerError, SECRETS_MANAGER_VENDOR } from "./errors.js";

type SecretsManagerSdk = typeof import("@aws-sdk/client-secrets-manager");

/**
 * Load the optional peer on first use. `require` (CJS build) or `createRequire` (ESM) keeps the
 * load synchronous, so `get()` sends in the same tick as before the load became lazy.
 */
function loadSecretsManagerSdk(): SecretsManagerSdk {
  try {
    const load = typeof require === "function" ? require : createRequire(import.meta.url);
    return load("@aws-sdk/client-secrets-manager") as SecretsManagerSdk;
  } catch (error) {
    throw new IntegrationError(
      `awsSecretsManager: @aws-sdk/client-secrets-manager could not be loaded (${error instanceof Error ? error.message : String(error)}); install it next to @connect/core`,
      { vendor: SECRETS_MANAGER_VENDOR, operation: GET_SECRET_OPERATION, retryable: false, mayHaveReachedVendor: false },
    );
  }
}

/** Options of {@link awsSecretsManager}. @public */
export interface AwsSecretsManagerOptions {
  /** AWS region, e.g. `us-east-1` (required unless `client` is given). */
  region?: string | undefined;
  /** Endpoint override (a VPC endpoint, LocalStack, or a test fake on 127.0.0.1). */
  endpoint?: string | undefined;
  /** Credentials or a credential provider; default is the SDK's default chain. */
  credentials?: SecretsManagerClientConfig["credentials"];
  /** A client you built and own (then `region`, `endpoint`, `credentials`, `maxAttempts` are ignored and `close()` leaves it open). */
  client?: SecretsManagerClient | undefined;
  /** How long a fetched secret is served from the cache, in ms. Default 300 000 (5 minutes). */
  ttlMs?: number | undefined;
  /** Clock in epoch ms for the cache (tests inject one). */
  now?: (() => number) | undefined;
  /** Default field to pick out of a JSON secret when the name has no `#field`. */
  jsonKey?: string | undefined;
  /** Version stage to read. Default `AWSCURRENT` (the SDK's default when omitted). */
  versionStage?: string | undefined;
  /** How a binary secret becomes a string: `base64` (default, lossless) or `utf8`. */
  binaryEncoding?: "base64" | "utf8" | undefined;
  /** SDK attempts per fetch, including the first (the SDK retries throttling and 5xx). Default: the SDK's (3). */
  maxAttempts?: number | undefined;
}

/** A Secrets Manager provider: a cached provider that can also release its SDK client. @public */
export interface AwsSecretsManagerProvider extends CachedSecretProvider {
  /** Destroy the SDK client when this provider created it. */
  close(): void;
}

/** Split `"secret-id#field"` into the SecretId and the field (the `#` is not allowed in secret names or ARNs). @internal */
export function parseSecretName(name: string, defaultKey: string | undefined): { secretId: string; key: string | undefined } {
  const hash = name.indexOf("#");
  if (hash === -1) return { secretId: name, key: defaultKey };
  const secretId = name.slice(0, hash);
  const key = name.slice(hash + 1);
  if (secretId === "" || key === "") {
    throw new ValidationError(`AWS Secrets Manager: "${name}" must be "secret-id" or "secret-id#field"`, {
      vendor: SECRETS_MANAGER_VENDOR,
      operation: GET_SECRET_OPERATION,
      issues: [{ path: "name", message: 'expected "secret-id" or "secret-id#field"', code: "invalid_secret_name" }],
    });
  }
  return { secretId, key };
}

function parseJsonObject(raw: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Pick `key` out of a JSON secret; errors name the secret and the key, never a value (not even JSON.parse's excerpt). */
function extractField(raw: string, secretId: string, key: string): string {
  const fail = (what: string): never => {
    throw new ValidationError(`AWS Secrets Manager secret "${secretId}": ${what}`, {
      vendor: SECRETS_MANAGER_VENDOR,
      operation: GET_SECRET_OPERATION,
      issues: [{ path: key, message: what, code: "invalid_secret_field" }],
    });
  };
  const object = parseJsonObject(raw);
  if (object === undefined) return fail(`field "${key}" was requested but the secret is not a JSON object`);
  if (!Object.hasOwn(object, key)) {
    return fail(`has no field "${key}" (fields: ${Object.keys(object).sort().join(", ") || "none"})`);
  }
  const value = object[key];
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return fail(`field "${key}" is ${value === null ? "null" : typeof value}, not a string`);
}

/** Register the secret and, for a JSON secret, each of its string fields, so a field is redacted even before it is looked up. */
function registerSecretString(raw: string): void {
  registerSecret(raw);
  const object = parseJsonObject(raw);
  if (object === undefined) return;
  for (const value of Object.values(object)) {
    if (typeof value === "string") registerSecret(value);
  }
}

/**
 * Secrets from AWS Secrets Manager, cached for `ttlMs` with one request per secret at a time.
 * `get("db#password")` (or `jsonKey: "password"`) picks a field out of a JSON secret; all
 * fields of one secret share one cached fetch. `forceRefresh` fetches again (rotation).
 * Errors: `NotFoundError`, `ForbiddenError`, `RateLimitedError`, `AuthError` (AWS
 * credentials), `ValidationError`, `ServerError`; none contains a secret value.
 * @example
 * import { awsSecretsManager } from "@connect/core/aws";
 * const secrets = awsSecretsManager({ region: "us-east-1", ttlMs: 60_000 });
 * const password = await secrets.get("prod/bpo#password");
 * @public
 */
export function awsSecretsManager(options: AwsSecretsManagerOptions): AwsSecretsManagerProvider {
  if (options.client === undefined && (typeof options.region !== "string" || options.region === "")) {
    throw new ValidationError("awsSecretsManager: `region` is required unless a `client` is given", {
      vendor: SECRETS_MANAGER_VENDOR,
      issues: [{ path: "region", message: "required", code: "invalid_option" }],
    });
  }
  const binaryEncoding = options.binaryEncoding ?? "base64";
  const owned = options.client === undefined;
  let client: SecretsManagerClient | undefined = options.client;
  let sdk: SecretsManagerSdk | undefined;
  let created: SecretsManagerClient | undefined;
  let closed = false;
  /** The SDK and the client, loaded on the first fetch (synchronously, so a call's first attempt starts at once). */
  const load = (): { client: SecretsManagerClient; sdk: SecretsManagerSdk } => {
    sdk ??= loadSecretsManagerSdk();
    client ??= created = new sdk.SecretsManagerClient({
      region: options.region,
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    });
    if (closed) created?.destroy();
    return { client, sdk };
  };

  // The raw source: one GetSecretValue per call, keyed by SecretId.
  const source: SecretProvider = {
    async get(secretId: string, getOptions?: SecretGetOptions): Promise<string> {
      const { client, sdk } = load();
      let output;
      try {
        output = await client.send(
          new sdk.GetSecretValueCommand({
            SecretId: secretId,
            ...(options.versionStage !== undefined ? { VersionStage: options.versionStage } : {}),
          }),
          getOptions?.signal ? { abortSignal: getOptions.signal } : {},
        );
      } catch (error) {
        throw mapSecretsManagerError(error, secretId);
      }
      let raw: string;
      if (typeof output.SecretString === "string") raw = output.SecretString;
      else if (output.SecretBinary !== undefined) raw = Buffer.from(output.SecretBinary).toString(binaryEncoding);
      else {
        throw new IntegrationError(`AWS Secrets Manager secret "${secretId}" has neither SecretString nor SecretBinary`, {
          vendor: SECRETS_MANAGER_VENDOR,
          operation: GET_SECRET_OPERATION,
          requestId: output.$metadata.requestId,
        });
      }
      registerSecretString(raw);
      return raw;
    },
  };
  const cache = cachedSecrets(source, { ttlMs: options.ttlMs, now: options.now });

  return {
    async get(name: string, getOptions?: SecretGetOptions): Promise<string> {
      assertSecretName(name, "awsSecretsManager");
      const { secretId, key } = parseSecretName(name, options.jsonKey);
      const raw = await cache.get(secretId, getOptions);
      if (key === undefined) return raw;
      const value = extractField(raw, secretId, key);
      registerSecret(value);
      return value;
    },
    peek(name: string): string | undefined {
      try {
        const { secretId, key } = parseSecretName(name, options.jsonKey);
        const raw = cache.peek(secretId);
        if (raw === undefined || key === undefined) return raw;
        return extractField(raw, secretId, key);
      } catch {
        return undefined;
      }
    },
    invalidate(name?: string): void {
      cache.invalidate(name === undefined ? undefined : parseSecretName(name, undefined).secretId);
    },
    close(): void {
      closed = true;
      if (owned) created?.destroy();
    },
  };
}

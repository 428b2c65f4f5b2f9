/**
 * Using a secret that may be rotated under us: resolve it lazily for auth strategies, and
 * retry once with a freshly fetched value when the vendor rejects the cached one.
 */
import { AuthError } from "../errors.js";
import { registerSecret } from "../redact.js";
import { assertSecretName, type SecretProvider } from "./provider.js";

/** A lazily resolved secret: call it for the current value, `refresh()` after the vendor rejected it. @public */
export interface SecretValue {
  /** The current value (cached by the provider when it caches). */
  (signal?: AbortSignal): Promise<string>;
  /** Make the next read fetch the value again from the source, bypassing caches (e.g. as an AuthStrategy's `refresh`). */
  refresh(signal?: AbortSignal): Promise<void>;
}

/**
 * Turn a literal secret or a provider lookup into a function that resolves it, for auth
 * strategies that take `() => Promise<string>`. Every value is registered for redaction.
 * @example
 * const key = secretValue(secrets, "sendgrid.api-key");
 * const auth = bearerAuth(key, () => key.refresh());
 * @public
 */
export function secretValue(source: string | SecretProvider, name: string): SecretValue {
  assertSecretName(name, "secretValue");
  if (typeof source === "string") {
    registerSecret(source);
    const literal = async (): Promise<string> => source;
    return Object.assign(literal, { refresh: async (): Promise<void> => undefined });
  }
  // After a rejection the NEXT read asks the source with forceRefresh, so a provider without a
  // cache of its own (a plain `get`) is asked for the new value too, not just a caching one.
  let forceNext = false;
  const lookup = async (signal?: AbortSignal): Promise<string> => {
    const force = forceNext;
    forceNext = false;
    const options = force ? { forceRefresh: true, ...(signal ? { signal } : {}) } : signal ? { signal } : undefined;
    const value = await source.get(name, options);
    registerSecret(value);
    return value;
  };
  return Object.assign(lookup, {
    refresh: async (): Promise<void> => {
      forceNext = true;
    },
  });
}

/** Options of {@link withRotation}. @public */
export interface WithRotationOptions {
  /** Abandon the secret lookups. */
  signal?: AbortSignal | undefined;
}

interface Peekable {
  peek(name: string): string | undefined;
}

function canPeek(provider: SecretProvider): provider is SecretProvider & Peekable {
  return typeof (provider as Partial<Peekable>).peek === "function";
}

/**
 * Call `use` with the secret `name`; when it throws an `AuthError`, fetch the secret again
 * with `forceRefresh` and call `use` once more with the new value. A second `AuthError`
 * propagates. When the source still returns the rejected value (not rotated yet), the
 * first `AuthError` is rethrown without a pointless second call. When a caching provider
 * already holds a newer value (another caller refreshed it), that value is used without
 * another fetch.
 * @example
 * const invoices = await withRotation(secrets, "qbo.client-secret", (secret) => listInvoices(secret));
 * @public
 */
export async function withRotation<T>(
  provider: SecretProvider,
  name: string,
  use: (secret: string) => Promise<T>,
  options: WithRotationOptions = {},
): Promise<T> {
  assertSecretName(name, "withRotation");
  const rejected = await provider.get(name, { signal: options.signal });
  registerSecret(rejected);
  try {
    return await use(rejected);
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    const peeked = canPeek(provider) ? provider.peek(name) : undefined;
    const next =
      peeked !== undefined && peeked !== rejected
        ? peeked
        : await provider.get(name, { forceRefresh: true, signal: options.signal });
    registerSecret(next);
    if (next === rejected) throw error;
    return use(next);
  }
}

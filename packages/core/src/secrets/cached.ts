/**
 * A TTL cache in front of any secret provider. Concurrent lookups of one name share a
 * single load; `forceRefresh` goes to the source and replaces the cached value, which is
 * how a rotated credential is picked up after the vendor rejects the old one.
 */
import { IntegrationError, ValidationError } from "../errors.js";
import { registerSecret } from "../redact.js";
import { abortReason, assertSecretName, throwIfAborted, type SecretGetOptions, type SecretProvider } from "./provider.js";

/** Options of {@link cachedSecrets}. @public */
export interface CachedSecretsOptions {
  /** How long a loaded value is served from the cache, in ms. Default 300 000 (5 minutes); 0 disables caching but keeps single-flight. */
  ttlMs?: number | undefined;
  /** Clock in epoch ms (tests inject one). Default `Date.now`. */
  now?: (() => number) | undefined;
}

/** A {@link SecretProvider} with a TTL cache. @public */
export interface CachedSecretProvider extends SecretProvider {
  /** The cached, unexpired value of `name`, without loading it; `undefined` when there is none. */
  peek(name: string): string | undefined;
  /** Drop the cached value of `name` (or of every name); an in-flight load is no longer stored. */
  invalidate(name?: string): void;
}

/** Default TTL of {@link cachedSecrets}: five minutes. @public */
export const DEFAULT_SECRET_TTL_MS = 5 * 60_000;

interface Entry {
  value: string;
  expiresAt: number;
}

interface Load {
  promise: Promise<string>;
  controller: AbortController;
  /** Callers still waiting that passed a signal, plus every caller without one (who never leaves). */
  waiters: number;
}

/**
 * Cache a provider's values for `ttlMs`, with one shared load per name. `forceRefresh`
 * bypasses the cache (joining a load already in flight, which is just as fresh) and
 * replaces the cached value. A failed load caches nothing and leaves the previous value.
 * @example
 * const secrets = cachedSecrets(vaultProvider, { ttlMs: 60_000 });
 * @public
 */
export function cachedSecrets(provider: SecretProvider, options: CachedSecretsOptions = {}): CachedSecretProvider {
  const ttlMs = options.ttlMs ?? DEFAULT_SECRET_TTL_MS;
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs < 0) {
    throw new ValidationError("cachedSecrets: ttlMs must be a finite number of milliseconds >= 0", {
      issues: [{ path: "ttlMs", message: "must be a finite number >= 0", code: "invalid_option" }],
    });
  }
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();
  const loads = new Map<string, Load>();

  function fresh(name: string): string | undefined {
    const entry = cache.get(name);
    return entry !== undefined && now() < entry.expiresAt ? entry.value : undefined;
  }

  function start(name: string, forceRefresh: boolean): Load {
    const controller = new AbortController();
    const load: Load = { controller, waiters: 0, promise: Promise.resolve("") };
    load.promise = (async () => {
      const value = await provider.get(name, { forceRefresh, signal: controller.signal });
      if (typeof value !== "string") {
        throw new IntegrationError(`Secret "${name}": the provider returned ${typeof value}, not a string`);
      }
      registerSecret(value);
      if (loads.get(name) === load) cache.set(name, { value, expiresAt: now() + ttlMs });
      return value;
    })().finally(() => {
      if (loads.get(name) === load) loads.delete(name);
    });
    // Every waiter may have left (aborted); the rejection is then nobody's to handle.
    load.promise.catch(() => undefined);
    loads.set(name, load);
    return load;
  }

  function wait(name: string, load: Load, signal: AbortSignal | undefined): Promise<string> {
    load.waiters += 1;
    if (signal === undefined) return load.promise;
    return new Promise<string>((resolve, reject) => {
      const onAbort = (): void => {
        load.waiters -= 1;
        if (load.waiters === 0) {
          // Nobody wants this load any more: cancel it and let the next caller start afresh.
          if (loads.get(name) === load) loads.delete(name);
          load.controller.abort(signal.reason);
        }
        reject(abortReason(signal));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      load.promise.then(
        (value) => {
          signal.removeEventListener("abort", onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(error);
        },
      );
    });
  }

  return {
    async get(name: string, getOptions?: SecretGetOptions): Promise<string> {
      assertSecretName(name, "cachedSecrets");
      throwIfAborted(getOptions?.signal);
      const forceRefresh = getOptions?.forceRefresh === true;
      if (!forceRefresh) {
        const cached = fresh(name);
        if (cached !== undefined) return cached;
      }
      const load = loads.get(name) ?? start(name, forceRefresh);
      return wait(name, load, getOptions?.signal);
    },
    peek: fresh,
    invalidate(name?: string): void {
      if (name === undefined) {
        cache.clear();
        loads.clear();
      } else {
        cache.delete(name);
        loads.delete(name);
      }
    },
  };
}

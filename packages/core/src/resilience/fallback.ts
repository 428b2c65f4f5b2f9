/**
 * An ordered provider waterfall: try A, then B, then C, and report which one served.
 */
import { IntegrationError } from "../errors.js";

/** One provider of a fallback chain. @public */
export interface FallbackProvider<T> {
  /** Name reported as `servedBy`. */
  name: string;
  /** The call. */
  run: (signal?: AbortSignal) => Promise<T>;
}

/** The result of {@link fallback}. @public */
export interface FallbackResult<T> {
  value: T;
  /** Name of the provider that served. */
  servedBy: string;
  /** Failures of the providers tried before it. */
  failures: Array<{ provider: string; error: unknown }>;
}

/** Options for {@link fallback}. @public */
export interface FallbackOptions {
  /** Whether to move on after this error; by default only when the failed provider provably did nothing (see `defaultShouldFallback`). */
  shouldFallback?: (error: unknown) => boolean;
  signal?: AbortSignal;
}

/**
 * Default fallback rule: move on only when the first provider provably did nothing — its
 * breaker is open, the request never reached it (refused connection, 429, an unreachable
 * shared store) or it refused our credentials. After a 5xx or a timeout the provider may have
 * acted (sent the envelope, the email), so doing the same work elsewhere could do it twice;
 * pass `shouldFallback` (e.g. `(e) => IntegrationError.is(e) && e.retryable` for reads) to widen it.
 * @internal
 */
export function defaultShouldFallback(error: unknown): boolean {
  if (!IntegrationError.is(error)) return false;
  if (error.name === "CircuitOpenError" || error.name === "AuthError" || error.name === "ForbiddenError") return true;
  return error.retryable && !error.mayHaveReachedVendor;
}

/**
 * Try providers in order until one succeeds.
 * @example
 * const { value, servedBy } = await fallback([
 *   { name: "docusign", run: () => docusign.sendForSignature(pkg) },
 *   { name: "authentisign", run: () => authentisign.sendForSignature(pkg) },
 * ]);
 * @public
 */
export async function fallback<T>(providers: FallbackProvider<T>[], options: FallbackOptions = {}): Promise<FallbackResult<T>> {
  const should = options.shouldFallback ?? defaultShouldFallback;
  const failures: Array<{ provider: string; error: unknown }> = [];
  for (const provider of providers) {
    try {
      const value = await provider.run(options.signal);
      return { value, servedBy: provider.name, failures };
    } catch (error) {
      failures.push({ provider: provider.name, error });
      if (!should(error) || options.signal?.aborted) throw error;
    }
  }
  const last = failures.at(-1)?.error;
  throw new IntegrationError(`every provider failed: ${failures.map((f) => `${f.provider} (${(f.error as Error)?.message ?? String(f.error)})`).join("; ")}`, {
    cause: last,
    retryable: false,
  });
}

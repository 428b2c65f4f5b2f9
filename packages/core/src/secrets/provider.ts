/**
 * The secret provider contract shared by every source of secrets (environment, a static
 * record, AWS Secrets Manager), and the checks every provider applies to a name.
 */
import { ValidationError } from "../errors.js";

/** Options of {@link SecretProvider.get}. @public */
export interface SecretGetOptions {
  /** Skip any cache and fetch from the source, replacing the cached value (after an AuthError: rotation). */
  forceRefresh?: boolean | undefined;
  /** Abandon the lookup; a shared load is cancelled only when every waiter has abandoned it. */
  signal?: AbortSignal | undefined;
}

/** A source of secrets by name. Every value it hands out is registered for redaction. @public */
export interface SecretProvider {
  /** The current value of the secret `name`; rejects with an IntegrationError that never contains a secret. */
  get(name: string, options?: SecretGetOptions): Promise<string>;
}

/** Reject an empty or non-string secret name before any lookup. @internal */
export function assertSecretName(name: unknown, source: string): asserts name is string {
  if (typeof name !== "string" || name.trim() === "") {
    throw new ValidationError(`${source}: a secret name must be a non-empty string`, {
      issues: [{ path: "name", message: "must be a non-empty string", code: "invalid_secret_name" }],
    });
  }
}

/** Throw the signal's reason when it is already aborted. @internal */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

/** The error an aborted lookup rejects with: the signal's reason, or an AbortError. @internal */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The secret lookup was aborted", "AbortError");
}

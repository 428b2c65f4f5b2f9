/** The options every vendor client takes besides its credentials and endpoints. */
import type { DriftMode } from "./contract.js";
import type { DeadLetterSink } from "./dlq.js";
import type { TransportOptions } from "./http.js";
import type { IdempotencyStore } from "./idempotency/index.js";
import type { PolicyOptions } from "./resilience/policy.js";
import type { TelemetryOptions } from "./telemetry.js";

/**
 * What every vendor client accepts besides its credentials and endpoints: policy overrides,
 * telemetry, drift mode, dead letters, an idempotency store and transport limits. Vendor option
 * types extend it, so the same names mean the same thing in every package.
 * @public
 */
export interface ClientOptionsBase {
  /** Host overrides of the resilience policy, merged over the vendor package's defaults. */
  policy?: PolicyOptions | undefined;
  /** Tracer, meter and logger (no-op by default). */
  telemetry?: TelemetryOptions | undefined;
  /** What a response that does not match its schema does: `warn` (default) or `strict`. */
  drift?: DriftMode | undefined;
  /** Receives calls that exhausted their attempts or whose outcome is unknown. */
  deadLetters?: DeadLetterSink | undefined;
  /**
   * Dedupes non-idempotent writes by idempotency key (24 h), so a repeated logical call returns
   * the first result; a call that ends in `UnknownOutcomeError` keeps its key and a repeat fails
   * without I/O. Share a Redis store (`@connect/core/redis`) across workers.
   */
  idempotencyStore?: IdempotencyStore | undefined;
  /** Transport limits (timeouts, response-size cap, connections). */
  transport?: TransportOptions | undefined;
}

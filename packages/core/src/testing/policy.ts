/** A resilience policy for tests against a fake. */
import type { PolicyOptions } from "@connect/core";

/**
 * Fast, deterministic policy for tests against a fake: three attempts with 1–5 ms backoff and no
 * jitter, no limiter, no breaker — so fault tests count attempts exactly without waiting.
 * @example
 * const client = createTwilioClient({ ..., baseUrl: server.url, policy: FAST_TEST_POLICY });
 * @public
 */
export const FAST_TEST_POLICY = {
  retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 5, jitter: false },
  limiter: false,
  breaker: false,
} as const satisfies PolicyOptions;

/**
 * A retry budget: a token bucket shared by every call of a client, like the AWS SDK's
 * retry quota. Each retry spends tokens; successes earn them back. When the bucket is
 * empty, failures are returned at once instead of retried, so an outage does not turn
 * into a retry storm.
 */

/** Retry budget settings (AWS SDK standard-mode numbers by default). @public */
export interface RetryBudgetOptions {
  /** Tokens in a full bucket. Default 500. */
  capacity?: number;
  /** Tokens one retry costs. Default 5. */
  retryCost?: number;
  /** Tokens a retry after a timeout costs. Default 10. */
  timeoutCost?: number;
  /** Tokens a first-attempt success earns back. Default 1. */
  successRefill?: number;
}

/** A retry budget. @public */
export interface RetryBudget {
  /** Try to spend tokens for one retry; false when the budget is exhausted. */
  tryAcquire(kind: "retry" | "timeout"): boolean;
  /** Record a success: a retried call refunds what it spent, a first-attempt success earns `successRefill`. */
  recordSuccess(spent: number): void;
  /** Tokens left. */
  readonly available: number;
  /** Cost of one retry of this kind. */
  cost(kind: "retry" | "timeout"): number;
}

/** Create a retry budget. @public */
export function createRetryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  const capacity = options.capacity ?? 500;
  const retryCost = options.retryCost ?? 5;
  const timeoutCost = options.timeoutCost ?? 10;
  const successRefill = options.successRefill ?? 1;
  let tokens = capacity;
  const cost = (kind: "retry" | "timeout"): number => (kind === "timeout" ? timeoutCost : retryCost);
  return {
    cost,
    tryAcquire(kind) {
      const price = cost(kind);
      if (tokens < price) return false;
      tokens -= price;
      return true;
    },
    recordSuccess(spent) {
      tokens = Math.min(capacity, tokens + (spent > 0 ? spent : successRefill));
    },
    get available() {
      return tokens;
    },
  };
}

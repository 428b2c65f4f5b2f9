/**
 * Errors of durable work. They extend core's `IntegrationError`, so `retryable`, `toJSON()` and
 * cross-copy `instanceof` work as everywhere else in the SDK; `vendor` is always `jobs`.
 */
import { IntegrationError, type IntegrationErrorOptions } from "@connect/core";

/** Fields of every jobs error. @public */
export interface JobErrorOptions extends IntegrationErrorOptions {
  /** Queue name. */
  queue?: string | undefined;
  /** Job id. */
  jobId?: string | undefined;
}

/** Base class of the errors this package throws. @public */
export class JobError extends IntegrationError {
  /** Queue name, when known. */
  readonly queue: string | undefined;
  /** Job id, when known. */
  readonly jobId: string | undefined;
  /** Create a jobs error. */
  constructor(message: string, options: JobErrorOptions = {}) {
    super(message, { vendor: "jobs", mayHaveReachedVendor: false, ...options });
    this.queue = options.queue;
    this.jobId = options.jobId;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), queue: this.queue, jobId: this.jobId };
  }
}

/** A job names a definition this queue does not have; it is dead-lettered at once. @public */
export class UnknownJobError extends JobError {
  /** The unknown name. */
  readonly jobName: string;
  /** Create an unknown-job error. */
  constructor(message: string, options: JobErrorOptions & { jobName: string }) {
    super(message, { ...options, retryable: false });
    this.jobName = options.jobName;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), jobName: this.jobName };
  }
}

/** A stored job is not a job record (a corrupt row, a foreign message); it is dead-lettered verbatim. @public */
export class CorruptJobError extends JobError {
  /** Create a corrupt-job error. */
  constructor(message: string, options: JobErrorOptions = {}) {
    super(message, { ...options, retryable: false });
  }
}

/** The worker lost a job's lease (it ran out, and another worker may hold the job now). @public */
export class LeaseLostError extends JobError {
  /** Create a lease-lost error. */
  constructor(message: string, options: JobErrorOptions = {}) {
    super(message, { ...options, retryable: true });
  }
}

/** An attempt ended without an outcome: its worker died, was killed or hung past its lease. @public */
export class LeaseExpiredError extends JobError {
  /** Create a lease-expired error. */
  constructor(message: string, options: JobErrorOptions = {}) {
    super(message, { ...options, retryable: true });
  }
}

/** A handler ran past its job's `timeoutMs`; its signal was aborted. @public */
export class JobTimeoutError extends JobError {
  /** The limit, in ms. */
  readonly timeoutMs: number;
  /** Create a job timeout error. */
  constructor(message: string, options: JobErrorOptions & { timeoutMs: number }) {
    super(message, { retryable: true, ...options });
    this.timeoutMs = options.timeoutMs;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeoutMs: this.timeoutMs };
  }
}

/**
 * Recurring schedules (cron with a time zone). Each schedule always has its next occurrence
 * enqueued as a delayed job with the id `schedule:<name>:<fire time>`; taking that job enqueues
 * the one after it. Job-id dedupe makes this safe with any number of processes running the same
 * schedules, and a fire time missed while every worker was down runs once, late, when one is back.
 */
import { ValidationError } from "@connect/core";
import { Cron } from "croner";
import type { JobDefinition } from "./define.js";

/** A recurring job. @public */
export interface JobSchedule {
  /** Unique among the queue's schedules, e.g. `bpo-nightly-import`. */
  name: string;
  /** The job to enqueue (a definition of this queue). */
  job: JobDefinition;
  /** Cron pattern (5 fields, or 6 with seconds), e.g. `0 2 * * *`. */
  cron: string;
  /** IANA time zone the pattern is read in (default `UTC`), e.g. `America/Los_Angeles`. */
  timezone?: string | undefined;
  /** The payload, or a function of the fire time that returns it. */
  payload?: unknown;
  /** Tenant of the scheduled jobs. */
  tenantId?: string | undefined;
}

/** A schedule checked and ready to compute fire times. @internal */
export interface CompiledSchedule {
  readonly schedule: JobSchedule;
  /** The first fire time strictly after `after`, or undefined when the pattern never fires again. */
  next(after: Date): Date | undefined;
  /** The payload for a fire time. */
  payloadFor(fireAt: Date): unknown;
}

/** Check a schedule (pattern and time zone) and compile it. @internal */
export function compileSchedule(schedule: JobSchedule): CompiledSchedule {
  const timezone = schedule.timezone ?? "UTC";
  let cron: Cron;
  try {
    // Checks the zone too: Intl rejects an unknown one.
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    cron = new Cron(schedule.cron, { timezone, paused: true });
  } catch (error) {
    throw new ValidationError(`schedule ${schedule.name}: ${error instanceof Error ? error.message : String(error)}`, {
      vendor: "jobs",
      operation: schedule.name,
      issues: [{ path: "cron", message: `invalid cron pattern ${JSON.stringify(schedule.cron)} or time zone ${JSON.stringify(timezone)}`, code: "invalid_format" }],
    });
  }
  return {
    schedule,
    next: (after) => cron.nextRun(after) ?? undefined,
    payloadFor: (fireAt) => (typeof schedule.payload === "function" ? (schedule.payload as (at: Date) => unknown)(fireAt) : (schedule.payload ?? {})),
  };
}

/** The job id of one occurrence. @internal */
export function occurrenceId(name: string, fireAt: Date): string {
  return `schedule:${name}:${fireAt.toISOString()}`;
}

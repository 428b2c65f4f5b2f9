/**
 * The job record: one envelope for every backend and for dead letters (shared/DURABLE-WORK.md).
 * `header` says what the job is and who it is for, `payload` is the validated input, `metadata`
 * says where it came from and what happened to it so far. Secrets never go in: a payload names
 * the credentials it needs (a connection, a tenant), it does not carry them.
 */
import { IntegrationError, redactValue } from "@connect/core";

/** Where a job came from. @public */
export type JobSource = "enqueue" | "webhook" | "outbox" | "schedule" | "redrive";

/** One attempt that did not succeed, kept in the record and in its dead letter. @public */
export interface JobAttempt {
  /** 1 for the first delivery. */
  attempt: number;
  /** ISO time the attempt started, when known (unknown for an attempt whose worker died). */
  startedAt?: string | undefined;
  /** ISO time the outcome was recorded. */
  endedAt: string;
  /** `failed`: the handler threw; `lease-expired`: the worker stopped renewing its lease (crash, kill, hang). */
  outcome: "failed" | "lease-expired";
  /** The error as `IntegrationError.toJSON()`, redacted. */
  error: Record<string, unknown>;
  /** When the next attempt was scheduled, if one was. */
  retryAt?: string | undefined;
  /** Whether the attempt may have reached a vendor (so the next one checks before writing again). */
  mayHaveReachedVendor?: boolean | undefined;
}

/** The identity of a job. @public */
export interface JobHeader {
  /** Unique within its queue; enqueueing an existing id again is a no-op. */
  id: string;
  /** The job definition's name, which selects the handler. */
  name: string;
  /** The queue the job was enqueued on. */
  queue: string;
  /** Version of the record layout (this file): 1. */
  schemaVersion: 1;
  /** Tenant the work is for, carried into the handler's context, logs and dead letters. */
  tenantId?: string | undefined;
  /** Ties the job's logs, spans and dead letter to the request that caused it. */
  correlationId: string;
  /** ISO time of the enqueue. */
  createdAt: string;
  /** Minted once at enqueue; every attempt in every process passes it to the vendor call. */
  idempotencyKey: string;
}

/** What happened to a job so far. @public */
export interface JobMetadata {
  /** Where the job came from. */
  source: JobSource;
  /** Failed attempts, oldest first. */
  history: JobAttempt[];
  /** The attempt number of the last recorded outcome (deliveries after it whose worker died are filled in as `lease-expired`). */
  lastAttempt?: number | undefined;
  /** Attempts made before a redrive reset the count (kept for the operator). */
  redriven?: number | undefined;
  /** For jobs fired by a schedule: the schedule's name and the fire time (ISO). */
  schedule?: { name: string; fireAt: string } | undefined;
  /** The handler's last saved checkpoint (JSON), for work that resumes where it stopped. */
  checkpoint?: unknown;
  /** W3C `traceparent` of the enqueue, so the job's span links to the request that caused it. */
  traceparent?: string | undefined;
}

/** The job envelope every backend stores. @public */
export interface JobRecord<P = unknown> {
  header: JobHeader;
  payload: P;
  metadata: JobMetadata;
}

/** Serialise a record for storage; for authors of backends. @public */
export function encodeRecord(record: JobRecord): string {
  return JSON.stringify(record);
}

/**
 * Read a stored record back; undefined when the text is not a job record (a corrupt row, a
 * message someone else put on the queue), which the worker dead-letters instead of crashing.
 * For authors of backends.
 * @public
 */
export function decodeRecord(text: string): JobRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  return value;
}

function isRecord(value: unknown): value is JobRecord {
  if (!value || typeof value !== "object") return false;
  const { header, metadata } = value as Partial<JobRecord>;
  if (!header || typeof header !== "object" || !metadata || typeof metadata !== "object") return false;
  return (
    typeof header.id === "string" &&
    typeof header.name === "string" &&
    typeof header.queue === "string" &&
    typeof header.correlationId === "string" &&
    typeof header.idempotencyKey === "string" &&
    Array.isArray(metadata.history) &&
    "payload" in value
  );
}

/** A redacted, JSON-safe copy of an error for the record's history. @internal */
export function errorJson(error: unknown): Record<string, unknown> {
  if (IntegrationError.is(error)) return redactValue(error.toJSON());
  if (error instanceof Error) return redactValue({ name: error.name, message: error.message });
  return redactValue({ name: "Error", message: String(error) });
}

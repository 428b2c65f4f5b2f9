/**
 * The per-call context: who is calling, for which tenant, under which correlation id
 * and idempotency key, with which abort signal.
 */
import { randomUUID } from "node:crypto";

/** What a host may pass as the last argument of any operation. @public */
export interface IntegrationContext {
  /** Ties logs, spans, errors and dead letters of one logical call together; generated when absent. */
  correlationId?: string | undefined;
  /** Tenant, for per-tenant limits and breakers. */
  tenantId?: string | undefined;
  /** Acting user, for audit logs. */
  userId?: string | undefined;
  /** Stable key of this logical call; derived from the input when absent. Same on every attempt. */
  idempotencyKey?: string | undefined;
  /** Aborts the call at any point, including during backoff. */
  signal?: AbortSignal | undefined;
  /** Free-form values carried into logs and dead letters. */
  metadata?: Record<string, string | number | boolean> | undefined;
  /**
   * An earlier attempt of this same logical call may have reached the vendor and its outcome was
   * never recorded (its worker died; `@connect/jobs` sets this). A checkable write then checks before
   * sending; with an idempotency store, a key still claimed by that attempt is taken over (keyed and
   * checkable writes) or ends in `UnknownOutcomeError` (unsafe writes), so nothing is sent twice.
   */
  resumed?: boolean | undefined;
}

/** The context as operations see it: every field resolved, plus the attempt number. @public */
export interface ResolvedContext extends IntegrationContext {
  correlationId: string;
  idempotencyKey: string;
  /** 1 for the first attempt. */
  attempt: number;
}

/** Resolve a caller's context: generate a correlation id when absent; a missing key falls back to one per call. @public */
export function resolveContext(ctx: IntegrationContext | undefined, idempotencyKey: string | undefined): ResolvedContext {
  const correlationId = ctx?.correlationId ?? randomUUID();
  return {
    ...ctx,
    correlationId,
    // Reads need no stable key: the correlation id serves as a per-call one.
    idempotencyKey: ctx?.idempotencyKey ?? idempotencyKey ?? `ck_${correlationId}`,
    attempt: 1,
  };
}

/**
 * The operation runner. One logical call:
 *
 *   validate input (no I/O) → idempotency key → [ deadline
 *     retry (p-retry, jitter, Retry-After, budget, retry safety)
 *       breaker (opossum, per vendor[+tenant])
 *         limiter (bottleneck)
 *           attempt timeout
 *             auth (refresh once on 401) → transport (undici) ]
 *   → error mapping → output validation (drift mode) — all inside one span, with metrics and a log line.
 *
 * The order is fixed here so no vendor package composes it differently.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { SpanKind, SpanStatusCode, type Attributes, type Span } from "@opentelemetry/api";
import pRetry from "p-retry";
import type { z } from "zod";
import type { AuthStrategy } from "./auth.js";
import type { ClientOptionsBase } from "./client-options.js";
import { resolveContext, type IntegrationContext, type ResolvedContext } from "./context.js";
import type { DriftMode, HealthResult, Operation, OperationContext } from "./contract.js";
import type { DeadLetterSink } from "./dlq.js";
import {
  CircuitOpenError,
  errorFromStatus,
  IntegrationError,
  parseRetryAfter,
  RateLimitedError,
  ServerError,
  TimeoutError,
  UnknownOutcomeError,
} from "./errors.js";
import { createTransport, transportReady, type HttpRequest, type HttpResponse, type Transport, type TransportOptions } from "./http.js";
import { deriveIdempotencyKey, withIdempotency, type IdempotencyStore } from "./idempotency/index.js";
import { redactValue } from "./redact.js";
import { createBreaker, type Breaker, type BreakerState } from "./resilience/breaker.js";
import { createRetryBudget, type RetryBudget } from "./resilience/budget.js";
import { createLimiter, type Limiter } from "./resilience/limiter.js";
import { mergePolicies, resolvePolicy, type PolicyOptions, type ResolvedPolicy } from "./resilience/policy.js";
import { createInstruments, noopLogger, type Instruments, type TelemetryOptions } from "./telemetry.js";

/** Options of {@link createRuntime}. @public */
export interface RuntimeOptions extends ClientOptionsBase {
  /** Adapter identity: vendor id and the vendor package's semver version. */
  adapter: { id: string; version: string };
  /** Base URL of the vendor API (HTTP operations). */
  baseUrl?: string | undefined;
  /** Client-level values operations read as `ctx.params` (account ids, realm ids …). */
  params?: Record<string, string> | undefined;
  /** How requests are authenticated. */
  auth?: AuthStrategy | undefined;
  /** The vendor package's policy defaults (from its wire contract); the host's `policy` is merged over them. */
  defaults?: PolicyOptions | undefined;
  /** Vendor error-body mapping, consulted before core's status table. */
  classifyError?: ((response: HttpResponse, ctx: OperationContext) => IntegrationError | undefined) | undefined;
  /** Maps errors thrown inside `execute` (an SDK's errors) to typed errors. */
  mapError?: ((error: unknown, ctx: OperationContext) => IntegrationError | undefined) | undefined;
  /** A cheap authenticated call for health checks. */
  healthCheck?: ((runtime: Runtime) => Promise<unknown>) | undefined;
  /** Latency above which a passing health check reports `degraded` (ms). Default 2 000. */
  degradedAfterMs?: number | undefined;
  /**
   * Code an `execute` needs that loads on demand (an SDK): a promise while it loads, undefined
   * once loaded. The runtime starts it at creation and waits for it before a call's first
   * attempt, so loading never counts against a timeout; a rejection fails the call as it is.
   */
  ready?: (() => Promise<unknown> | undefined) | undefined;
}

/** A bound operation: call it, or use the seeds' single-operation adapter shape. @public */
export interface BoundOperation<TInput extends z.ZodType, TOutput extends z.ZodType> {
  (input: z.input<TInput>, ctx?: IntegrationContext): Promise<z.output<TOutput>>;
  /** Same as calling it. */
  execute(input: z.input<TInput>, ctx?: IntegrationContext): Promise<z.output<TOutput>>;
  /** Validate input without I/O. */
  validate(input: unknown): z.output<TInput>;
  /** Validate a raw response body against the output schema. */
  transform(raw: unknown): z.output<TOutput>;
  /** The adapter's health check. */
  healthCheck(): Promise<HealthResult>;
  /** The operation's declaration. */
  readonly operation: Operation<TInput, TOutput>;
}

/** Runs operations for one vendor client. @public */
export interface Runtime {
  readonly adapter: { id: string; version: string };
  /** The merged policy (defaults + host overrides). */
  readonly policy: PolicyOptions;
  /** Telemetry instruments and the redacting logger. */
  readonly telemetry: Instruments;
  /** Run one operation. */
  run<TInput extends z.ZodType, TOutput extends z.ZodType>(
    operation: Operation<TInput, TOutput>,
    input: z.input<TInput>,
    ctx?: IntegrationContext,
  ): Promise<z.output<TOutput>>;
  /** Bind an operation to this runtime. */
  bind<TInput extends z.ZodType, TOutput extends z.ZodType>(operation: Operation<TInput, TOutput>): BoundOperation<TInput, TOutput>;
  /** Run the adapter's health check. */
  healthCheck(): Promise<HealthResult>;
  /** Breaker state for a tenant (or the vendor-wide breaker). */
  breakerState(tenantId?: string): BreakerState | undefined;
  /** Close connections and stop timers. */
  close(): Promise<void>;
}

/** Per-operation telemetry constants. */
interface OperationTelemetry {
  spanName: string;
  attrs: Attributes;
  success: Attributes;
  errorDuration: Attributes;
}

const TRANSIENT_TIMEOUT_PHASES = new Set(["connect", "headers", "body", "attempt", undefined]);

/** Marks an idempotency-store entry whose call ended in an unknown outcome (JSON-safe, for shared stores). */
const UNKNOWN_OUTCOME = "@connect/core.unknownOutcome";

interface UnknownOutcomeRecord {
  message: string;
  status: number | undefined;
  vendorCode: string | undefined;
  requestId: string | undefined;
  correlationId: string | undefined;
}

function unknownOutcomeRecord(error: UnknownOutcomeError): UnknownOutcomeRecord {
  return { message: error.message, status: error.status, vendorCode: error.vendorCode, requestId: error.requestId, correlationId: error.correlationId };
}

function isUnknownOutcome(value: unknown): value is { [UNKNOWN_OUTCOME]: UnknownOutcomeRecord } {
  return typeof value === "object" && value !== null && UNKNOWN_OUTCOME in value;
}

/** Pull a human message out of a typical JSON error body. @internal */
export function genericVendorMessage(body: unknown): { message?: string; code?: string } {
  if (!body || typeof body !== "object") return typeof body === "string" && body.length < 500 ? { message: body } : {};
  const b = body as Record<string, unknown>;
  const first = Array.isArray(b.errors) ? (b.errors[0] as Record<string, unknown> | undefined) : undefined;
  const message = [b.message, b.error_description, b.error, first?.message].find((v) => typeof v === "string") as string | undefined;
  const code = [b.code, b.errorCode, b.error, first?.code].find((v) => typeof v === "string" || typeof v === "number");
  return { message, code: code === undefined ? undefined : String(code) };
}

const unlinked = (): void => undefined;

/** Call `abort` with `source`'s reason when `source` aborts (at once if it has); returns the unlink function. */
function link(source: AbortSignal | undefined, abort: (reason: unknown) => void): () => void {
  if (!source) return unlinked;
  if (source.aborted) {
    abort(source.reason);
    return unlinked;
  }
  const onAbort = (): void => abort(source.reason);
  source.addEventListener("abort", onAbort, { once: true });
  return () => source.removeEventListener("abort", onAbort);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Create the runtime a vendor client is built on.
 * @example
 * const runtime = createRuntime({ adapter: { id: "twilio", version }, baseUrl, auth: basicAuth(sid, token), defaults });
 * const client = { messages: { send: runtime.bind(sendMessage) } };
 * @public
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const adapter = options.adapter;
  const policy = mergePolicies(options.defaults, options.policy);
  const telemetry = createInstruments(options.telemetry, adapter.version);
  const logger = telemetry.logger;
  // Log lines are built only for a real logger: the default no-op one would drop them unread.
  const logs = logger !== noopLogger;
  const drift: DriftMode = options.drift ?? "warn";
  let transport: Transport | undefined;
  // Code loaded on demand (undici for HTTP operations, an SDK for `execute`): a promise while it
  // loads, undefined once loaded. Started now, off the import path; awaited before a call's timers.
  const notReady = (): Promise<unknown> | undefined => {
    const http = options.baseUrl ? transportReady() : undefined;
    const own = options.ready?.();
    return http && own ? Promise.all([http, own]) : (http ?? own);
  };
  notReady()?.catch(() => undefined);
  const getTransport = (): Transport => {
    if (!options.baseUrl) throw new IntegrationError(`${adapter.id}: no baseUrl configured for HTTP operations`, { vendor: adapter.id });
    transport ??= createTransport(options.baseUrl, options.transport);
    return transport;
  };
  const serverUrl = options.baseUrl ? new URL(options.baseUrl) : undefined;
  const serverAttributes = serverUrl
    ? { "server.address": serverUrl.hostname, "server.port": Number(serverUrl.port || (serverUrl.protocol === "https:" ? 443 : 80)) }
    : {};
  // The merged policy does not change after creation: resolve it once for the vendor and once per
  // tenant that has overrides (other tenants share the vendor's), not on every call.
  const resolvedPolicies = new Map<string | undefined, ResolvedPolicy>();
  const resolvedFor = (tenantId: string | undefined): ResolvedPolicy => {
    const key = tenantId && policy.tenants?.[tenantId] ? tenantId : undefined;
    let resolved = resolvedPolicies.get(key);
    if (!resolved) {
      resolved = resolvePolicy(policy, key);
      resolvedPolicies.set(key, resolved);
    }
    return resolved;
  };
  const breakers = new Map<string, Breaker>();
  const limiters = new Map<string, Limiter>();
  const budgets = new Map<string, RetryBudget>();
  const driftWarned = new Set<string>();
  // Span names and metric attribute sets depend only on the operation: built once, shared by every
  // call (frozen, since exporters may keep a reference to the attributes they were given).
  const operationTelemetry = new Map<string, OperationTelemetry>();
  const telemetryOf = (operation: Operation): OperationTelemetry => {
    let found = operationTelemetry.get(operation.id);
    if (!found) {
      const attrs = { "connect.adapter.id": adapter.id, "connect.operation": operation.id };
      found = {
        spanName: `${adapter.id}.${operation.id}`,
        attrs: Object.freeze(attrs),
        success: Object.freeze({ ...attrs, outcome: "success" }),
        errorDuration: Object.freeze({ ...attrs, outcome: "error" }),
      };
      operationTelemetry.set(operation.id, found);
    }
    return found;
  };
  const breakerStates = new Map<string, BreakerState>();

  telemetry.meter
    .createObservableGauge("connect.breaker.state", { description: "Breaker state: 0 closed, 1 half-open, 2 open" })
    .addCallback((result) => {
      for (const [key, state] of breakerStates) {
        result.observe(state === "closed" ? 0 : state === "half-open" ? 1 : 2, { "connect.adapter.id": adapter.id, "connect.breaker.key": key });
      }
    });

  const scopeKey = (perTenant: boolean | undefined, tenantId: string | undefined): string =>
    perTenant && tenantId ? `${adapter.id}:${tenantId}` : adapter.id;

  function breakerFor(resolved: ResolvedPolicy, tenantId?: string): Breaker | undefined {
    if (!resolved.breaker) return undefined;
    const key = scopeKey(resolved.breaker.perTenant, tenantId);
    let breaker = breakers.get(key);
    if (!breaker) {
      breakerStates.set(key, "closed");
      breaker = createBreaker(resolved.breaker, {
        name: key,
        vendor: adapter.id,
        onStateChange: (state) => {
          breakerStates.set(key, state);
          logger.warn({ vendor: adapter.id, breaker: key, state }, `${adapter.id} circuit breaker is ${state}`);
        },
      });
      breakers.set(key, breaker);
    }
    return breaker;
  }

  function limiterFor(resolved: ResolvedPolicy, tenantId?: string): Limiter | undefined {
    if (!resolved.limiter) return undefined;
    const key = scopeKey(resolved.limiter.perTenant, tenantId);
    let limiter = limiters.get(key);
    if (!limiter) {
      limiter = createLimiter(resolved.limiter, `connect:${key}`);
      limiters.set(key, limiter);
    }
    return limiter;
  }

  function budgetFor(resolved: ResolvedPolicy, tenantId?: string): RetryBudget | undefined {
    if (!resolved.retryBudget) return undefined;
    const key = scopeKey(true, tenantId);
    let budget = budgets.get(key);
    if (!budget) {
      budget = createRetryBudget(resolved.retryBudget);
      budgets.set(key, budget);
    }
    return budget;
  }

  /** Send one request with auth, a single refresh-and-resend on 401, and error mapping. */
  async function send(operation: Operation, request: HttpRequest, ctx: OperationContext, span: Span): Promise<HttpResponse> {
    const t = getTransport();
    let refreshed = false;
    for (;;) {
      const authed = options.auth ? await options.auth.apply(request, ctx) : request;
      const response = await t.send(authed, ctx.signal);
      span.setAttribute("http.response.status_code", response.status);
      if (response.requestId) span.setAttribute("connect.vendor.request_id", response.requestId);
      if (response.status < 400) return response;
      if (response.status === 401 && options.auth?.refresh && !refreshed) {
        refreshed = true;
        span.addEvent("auth.refresh", { "connect.attempt": ctx.attempt });
        await options.auth.refresh(ctx);
        continue;
      }
      throw classify(operation, response, ctx);
    }
  }

  function classify(operation: Operation, response: HttpResponse, ctx: OperationContext): IntegrationError {
    const fromOp = operation.classifyError?.(response, ctx);
    const fromVendor = fromOp ?? options.classifyError?.(response, ctx);
    const error =
      fromVendor ??
      (() => {
        const generic = genericVendorMessage(response.body ?? response.rawText);
        return errorFromStatus({
          status: response.status,
          vendorCode: generic.code,
          vendorMessage: generic.message,
          retryAfterMs: parseRetryAfter(response.headers["retry-after"]),
        });
      })();
    return decorate(error, ctx, response);
  }

  function decorate(error: IntegrationError, ctx: { vendor?: string; operation?: string; correlationId?: string }, response?: HttpResponse): IntegrationError {
    error.vendor ??= adapter.id;
    error.operation ??= ctx.operation;
    error.correlationId ??= ctx.correlationId;
    if (response?.requestId) error.requestId ??= response.requestId;
    if (response && error.status === undefined) (error as { status: number | undefined }).status = response.status;
    if (error.message && !error.message.includes(adapter.id)) {
      error.message = `${adapter.id} ${ctx.operation}: ${error.message}`;
    }
    return error;
  }

  function toIntegrationError(error: unknown, ctx: OperationContext): IntegrationError {
    if (IntegrationError.is(error)) return decorate(error, ctx);
    const mapped = options.mapError?.(error, ctx);
    if (mapped) return decorate(mapped, ctx);
    return decorate(
      new IntegrationError(`unexpected failure: ${(error as Error)?.message ?? String(error)}`, { cause: error, retryable: false }),
      ctx,
    );
  }

  async function attemptOnce(
    operation: Operation,
    input: unknown,
    ctx: OperationContext,
    span: Span,
    checkFirst: boolean,
  ): Promise<unknown> {
    try {
      if (checkFirst && operation.check) {
        const found = await operation.check(input, ctx);
        if (found !== undefined) {
          span.addEvent("check.found", { "connect.attempt": ctx.attempt });
          return found;
        }
      }
      if (operation.execute) return await operation.execute(input, ctx);
      const request = operation.request!(input, ctx);
      const response = await send(operation, request, ctx, span);
      return operation.response ? operation.response(response, input, ctx) : response.body;
    } catch (error) {
      // An SDK inside `execute` aborted by the attempt's signal throws its own AbortError; what
      // happened is the signal's reason (the attempt timeout, the deadline), typed and retryable.
      if (!IntegrationError.is(error) && ctx.signal?.aborted && IntegrationError.is(ctx.signal.reason)) throw decorate(ctx.signal.reason, ctx);
      throw toIntegrationError(error, ctx);
    }
  }

  async function run<TInput extends z.ZodType, TOutput extends z.ZodType>(
    operation: Operation<TInput, TOutput>,
    rawInput: z.input<TInput>,
    callerCtx?: IntegrationContext,
  ): Promise<z.output<TOutput>> {
    const input = operation.validate(rawInput, { vendor: adapter.id });
    // The first call of a process may find that code still loading: wait here, before any timer
    // starts, so the load never eats into an attempt's time.
    const loading = notReady();
    if (loading) await loading;
    const store = options.idempotencyStore;
    // Reads need no stable key (nothing to dedupe); writes derive it from the input so the
    // same logical call gets the same key on every attempt and on a host-level retry.
    const needsKey = callerCtx?.idempotencyKey === undefined && (operation.safety !== "idempotent" || store !== undefined);
    const derivedKey = needsKey
      ? deriveIdempotencyKey({
          vendor: adapter.id,
          operation: operation.id,
          tenantId: callerCtx?.tenantId,
          input: operation.keyFields ? operation.keyFields(input) : input,
        })
      : callerCtx?.idempotencyKey;
    const base = resolveContext(callerCtx, derivedKey);
    if (store && operation.safety !== "idempotent") {
      const key = `${adapter.id}:${operation.id}:${base.idempotencyKey}`;
      let own: UnknownOutcomeError | undefined;
      // A claim left by an earlier attempt of this call that may have reached the vendor: a keyed or
      // checkable write takes it over (the vendor dedupes, or the check runs first); an unsafe one
      // cannot know and is not sent again.
      const abandoned = !base.resumed
        ? undefined
        : operation.safety === "unsafe"
          ? (): Error => {
              own = decorate(
                new UnknownOutcomeError(
                  `${adapter.id} ${operation.id}: an earlier attempt of this call (idempotency key ${base.idempotencyKey}) may have reached ${adapter.id} and did not record its outcome; it is not sent again — check the vendor, then retry under a new idempotency key if it did not happen`,
                  { attempts: 0 },
                ),
                { operation: operation.id, correlationId: base.correlationId },
              ) as UnknownOutcomeError;
              return own;
            }
          : ("take-over" as const);
      const result = await withIdempotency(store, key, async () => {
        try {
          return await runResilient(operation, input, base);
        } catch (error) {
          if (!(error instanceof UnknownOutcomeError)) throw error;
          // The write may have happened: keep the key (as an unknown outcome), so a repeat of this
          // logical call — a job retry, another worker — cannot make the vendor do it a second time.
          own = error;
          return { [UNKNOWN_OUTCOME]: unknownOutcomeRecord(error) };
        }
      }, { abandoned }).catch(async (error: unknown) => {
        // Keep the key as an unknown outcome, so no later attempt sends it either.
        if (error === own && own) await store.complete(key, { [UNKNOWN_OUTCOME]: unknownOutcomeRecord(own) }).catch(() => undefined);
        throw error;
      });
      if (isUnknownOutcome(result)) {
        if (own) throw own;
        const earlier = result[UNKNOWN_OUTCOME];
        logger.warn({ vendor: adapter.id, operation: operation.id, correlationId: base.correlationId, earlier }, `${adapter.id}.${operation.id} refused: an earlier call with this idempotency key has an unknown outcome`);
        throw new UnknownOutcomeError(
          `${adapter.id} ${operation.id}: an earlier call with this idempotency key may have reached ${adapter.id} (${earlier.message}); it is not sent again — check the vendor, then retry under a new idempotency key if it did not happen`,
          { vendor: adapter.id, operation: operation.id, correlationId: base.correlationId, status: earlier.status, vendorCode: earlier.vendorCode, requestId: earlier.requestId, attempts: 0 },
        );
      }
      return result as z.output<TOutput>;
    }
    return runResilient(operation, input, base);
  }

  async function runResilient<TInput extends z.ZodType, TOutput extends z.ZodType>(
    operation: Operation<TInput, TOutput>,
    input: z.output<TInput>,
    base: ResolvedContext,
  ): Promise<z.output<TOutput>> {
    const resolved = resolvedFor(base.tenantId);
    const { spanName, attrs, success, errorDuration } = telemetryOf(operation);
    const started = performance.now();
    const firstAttemptAt = Date.now();
    const deadline = new AbortController();
    // The running attempt's controller. The deadline (and the caller's signal) abort it directly,
    // rather than through a listener on the deadline signal added and removed on every attempt.
    let current: AbortController | undefined;
    const abortCall = (reason: unknown): void => {
      deadline.abort(reason);
      current?.abort(deadline.signal.reason);
    };
    const deadlineTimer = setTimeout(
      () =>
        abortCall(
          new TimeoutError(`${spanName} exceeded its total deadline of ${resolved.timeout.totalMs} ms`, {
            phase: "deadline",
            timeoutMs: resolved.timeout.totalMs,
            retryable: false,
            vendor: adapter.id,
            operation: operation.id,
            correlationId: base.correlationId,
          }),
        ),
      resolved.timeout.totalMs,
    );
    // Linked by a listener rather than AbortSignal.any, which costs more than the rest of the call path.
    const unlinkCaller = link(base.signal, abortCall);
    const callSignal = deadline.signal;
    const breaker = breakerFor(resolved, base.tenantId);
    const limiter = limiterFor(resolved, base.tenantId);
    const budget = budgetFor(resolved, base.tenantId);
    let spent = 0;
    let attempts = 0;
    let lastError: IntegrationError | undefined;

    return telemetry.tracer.startActiveSpan(spanName, { kind: SpanKind.CLIENT, attributes: attrs }, async (span) => {
      // A non-recording span (no tracer provider, or not sampled) ignores attributes: skip building them.
      if (span.isRecording()) {
        span.setAttributes({
          "connect.adapter.version": adapter.version,
          "connect.correlation_id": base.correlationId,
          ...(base.tenantId ? { "connect.tenant_id": base.tenantId } : {}),
          ...serverAttributes,
        });
      }

      const attempt = async (attemptNumber: number): Promise<unknown> => {
        attempts = attemptNumber;
        span.setAttribute("connect.attempt", attemptNumber);
        const attemptController = new AbortController();
        const attemptTimer = setTimeout(
          () =>
            attemptController.abort(
              new TimeoutError(`attempt ${attemptNumber} exceeded ${resolved.timeout.attemptMs} ms`, {
                phase: "attempt",
                timeoutMs: resolved.timeout.attemptMs,
              }),
            ),
          resolved.timeout.attemptMs,
        );
        if (callSignal.aborted) attemptController.abort(callSignal.reason);
        else current = attemptController;
        const ctx: OperationContext = {
          ...base,
          attempt: attemptNumber,
          signal: attemptController.signal,
          vendor: adapter.id,
          operation: operation.id,
          params: options.params ?? {},
          send: (request) => send(operation, request, ctx, span),
        };
        const checkFirst = operation.safety === "checkable" && (attemptNumber > 1 ? (lastError?.mayHaveReachedVendor ?? false) : base.resumed === true);
        const guarded = (): Promise<unknown> => attemptOnce(operation, input, ctx, span, checkFirst);
        const limited = limiter ? () => limiter.schedule(guarded, { signal: ctx.signal }) : guarded;
        try {
          return breaker ? await breaker.run(limited) : await limited();
        } catch (error) {
          const mapped = toIntegrationError(error, ctx);
          if (mapped instanceof CircuitOpenError) span.addEvent("breaker.rejected", { "connect.attempt": attemptNumber });
          // A write the vendor accepted (2xx) whose answer cannot be read has most likely taken
          // effect: not a plain failure to forget, but an outcome to check before sending again
          // (the idempotency key is kept and the call is dead-lettered).
          if (operation.safety !== "idempotent" && mapped.vendorCode === "MALFORMED_RESPONSE" && mapped.status !== undefined && mapped.status < 300) {
            throw decorate(
              new UnknownOutcomeError(
                `${spanName}: ${adapter.id} accepted the request (HTTP ${mapped.status}) but its answer could not be read; the write has probably taken effect — check the vendor before sending again`,
                { status: mapped.status, vendorCode: mapped.vendorCode, requestId: mapped.requestId, cause: mapped, attempts: attemptNumber },
              ),
              { operation: operation.id, correlationId: base.correlationId },
            );
          }
          throw mapped;
        } finally {
          clearTimeout(attemptTimer);
          if (current === attemptController) current = undefined;
        }
      };

      /** Decide whether a failed attempt is retried; throws the final error when not. */
      const onFailedAttempt = async ({ error: raw, attemptNumber, retriesLeft, retryDelay }: { error: Error; attemptNumber: number; retriesLeft: number; retryDelay: number }): Promise<void> => {
        // attempt() throws only IntegrationErrors; an abort surfaces through the signal below.
        const error = IntegrationError.is(raw) ? raw : abortError(callSignal, raw);
        lastError = error;
        error.attempts = attemptNumber;
        if (callSignal.aborted) throw abortError(callSignal, error);
        const stop = (final: IntegrationError): never => {
          final.attempts = attemptNumber;
          throw final;
        };
        if (!error.retryable || resolved.retry === false) stop(error);
        if (operation.safety === "unsafe" && error.mayHaveReachedVendor) {
          stop(
            decorate(
              new UnknownOutcomeError(
                `${spanName} failed after the request may have reached ${adapter.id} (${error.message}); it was not retried because the operation is not idempotent — check the vendor before sending again`,
                { status: error.status, vendorCode: error.vendorCode, requestId: error.requestId, cause: error, attempts: attemptNumber },
              ),
              { operation: operation.id, correlationId: base.correlationId },
            ),
          );
        }
        if (retriesLeft <= 0) stop(error);
        const retryAfterMs = (error as RateLimitedError | ServerError).retryAfterMs;
        const retryPolicy = resolved.retry as Exclude<typeof resolved.retry, false>;
        if (retryAfterMs !== undefined && retryAfterMs > retryPolicy.maxRetryAfterMs) stop(error);
        const kind = error instanceof TimeoutError && TRANSIENT_TIMEOUT_PHASES.has(error.phase) ? "timeout" : "retry";
        if (budget) {
          if (!budget.tryAcquire(kind)) {
            span.addEvent("retry.budget_exhausted", { "connect.attempt": attemptNumber });
            stop(error);
          }
          spent += budget.cost(kind);
        }
        const wait = Math.max(retryDelay, retryAfterMs ?? 0);
        telemetry.retries.add(1, { ...attrs, "error.type": error.name });
        span.addEvent("retry", { "connect.attempt": attemptNumber, "connect.retry.delay_ms": wait, "error.type": error.name, ...(error.status ? { "http.response.status_code": error.status } : {}) });
        if (logs) logger.info({ vendor: adapter.id, operation: operation.id, correlationId: base.correlationId, attempt: attemptNumber, delayMs: wait, error: error.toJSON() }, `${spanName} attempt ${attemptNumber} failed; retrying`);
        // p-retry waits `retryDelay`; wait the rest of a longer Retry-After here.
        if (wait > retryDelay) await sleep(wait - retryDelay, callSignal).catch((reason: unknown) => stop(abortError(callSignal, reason)));
      };

      try {
        const raw = await pRetry(attempt, {
          retries: resolved.retry === false ? 0 : Math.max(0, resolved.retry.attempts - 1),
          factor: resolved.retry === false ? 2 : resolved.retry.factor,
          minTimeout: resolved.retry === false ? 0 : resolved.retry.minDelayMs,
          maxTimeout: resolved.retry === false ? 0 : resolved.retry.maxDelayMs,
          randomize: resolved.retry === false ? false : resolved.retry.jitter,
          maxRetryTime: resolved.retry === false ? 0 : resolved.retry.maxElapsedMs,
          signal: callSignal,
          onFailedAttempt,
          shouldRetry: () => true,
        });
        const { value, issues } = operation.transform(raw, drift);
        if (issues.length > 0) {
          telemetry.drift.add(1, attrs);
          if (!driftWarned.has(operation.id)) {
            driftWarned.add(operation.id);
            logger.warn({ vendor: adapter.id, operation: operation.id, issues }, `${spanName}: response does not match the declared schema (drift)`);
          }
        }
        budget?.recordSuccess(spent);
        span.setStatus({ code: SpanStatusCode.OK });
        const durationMs = performance.now() - started;
        telemetry.requests.add(1, success);
        telemetry.duration.record(durationMs, success);
        if (logs) logger.info({ vendor: adapter.id, operation: operation.id, correlationId: base.correlationId, tenantId: base.tenantId, attempts, durationMs: Math.round(durationMs) }, `${spanName} succeeded`);
        return value;
      } catch (caught) {
        let error = IntegrationError.is(caught) ? caught : abortError(callSignal, caught);
        error = decorate(error, { operation: operation.id, correlationId: base.correlationId });
        error.attempts ??= attempts;
        const durationMs = performance.now() - started;
        span.recordException({ name: error.name, message: error.message });
        span.setAttribute("error.type", error.name);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        telemetry.requests.add(1, { ...attrs, outcome: "error", "error.type": error.name });
        telemetry.duration.record(durationMs, errorDuration);
        if (logs) logger.warn({ vendor: adapter.id, operation: operation.id, correlationId: base.correlationId, tenantId: base.tenantId, attempts, durationMs: Math.round(durationMs), error: error.toJSON() }, `${spanName} failed`);
        const exhausted = error.retryable || error instanceof UnknownOutcomeError || error instanceof CircuitOpenError || (error instanceof TimeoutError && error.phase === "deadline");
        // A failed health probe is a measurement, not lost work: it never becomes a dead letter.
        if (options.deadLetters && exhausted && !(base.signal?.aborted ?? false) && !healthProbe.getStore()) {
          await options.deadLetters
            .put({
              id: `${base.correlationId}:${operation.id}`,
              kind: "call",
              adapterId: adapter.id,
              operation: operation.id,
              correlationId: base.correlationId,
              tenantId: base.tenantId,
              payload: redactValue(input as unknown),
              error: error.toJSON(),
              attempts,
              firstAttemptAt: new Date(firstAttemptAt).toISOString(),
              lastAttemptAt: new Date().toISOString(),
            })
            .catch((dlqError: unknown) => logger.error({ error: String(dlqError) }, "dead-letter sink failed"));
        }
        throw error;
      } finally {
        clearTimeout(deadlineTimer);
        unlinkCaller();
        span.end();
      }
    });
  }

  function abortError(signal: AbortSignal, fallback: unknown): IntegrationError {
    const reason: unknown = signal.reason;
    if (IntegrationError.is(reason)) return reason;
    if (IntegrationError.is(fallback) && !signal.aborted) return fallback;
    return new IntegrationError(`call aborted by the caller${reason instanceof Error && reason.message ? `: ${reason.message}` : ""}`, {
      retryable: false,
      cause: reason ?? fallback,
      vendorCode: "ABORTED",
    });
  }

  // Marks calls made by the health check, across the awaits of the vendor's probe.
  const healthProbe = new AsyncLocalStorage<boolean>();

  async function healthCheck(): Promise<HealthResult> {
    const startedAt = performance.now();
    const state = (): BreakerState | undefined => breakers.get(adapter.id)?.state ?? (policy.breaker ? "closed" : undefined);
    try {
      if (options.healthCheck) await healthProbe.run(true, () => options.healthCheck!(runtime));
      const latencyMs = Math.round(performance.now() - startedAt);
      const breaker = state();
      const degraded = breaker === "half-open" || latencyMs > (options.degradedAfterMs ?? 2_000);
      return { status: breaker === "open" ? "unhealthy" : degraded ? "degraded" : "healthy", latencyMs, breaker };
    } catch (error) {
      return { status: "unhealthy", latencyMs: Math.round(performance.now() - startedAt), breaker: state(), error: (error as Error).message };
    }
  }

  function bind<TInput extends z.ZodType, TOutput extends z.ZodType>(operation: Operation<TInput, TOutput>): BoundOperation<TInput, TOutput> {
    const call = ((input: z.input<TInput>, ctx?: IntegrationContext) => run(operation, input, ctx)) as BoundOperation<TInput, TOutput>;
    return Object.assign(call, {
      execute: call,
      validate: (input: unknown) => operation.validate(input, { vendor: adapter.id }),
      transform: (raw: unknown) => operation.transform(raw, drift).value,
      healthCheck,
      operation,
    });
  }

  const runtime: Runtime = {
    adapter,
    policy,
    telemetry,
    run,
    bind,
    healthCheck,
    breakerState: (tenantId) => {
      const key = tenantId ? `${adapter.id}:${tenantId}` : adapter.id;
      return (breakers.get(key) ?? breakers.get(adapter.id))?.state;
    },
    async close() {
      for (const breaker of breakers.values()) breaker.shutdown();
      await Promise.all([...limiters.values()].map((l) => l.stop()));
      await transport?.close();
    },
  };
  return runtime;
}


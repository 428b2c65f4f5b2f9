/**
 * The fault matrix, as a function: install one fault on a write's route, run the write on a
 * fresh client, and compare what happened (outcome, requests, error class, attempts, dead
 * letter, effect in the fake, idempotency key on the wire) with what core's error table
 * promises for that fault and that write's retry safety.
 */
import { createMemoryDeadLetterSink, IntegrationError, type DeadLetter, type Logger } from "@connect/core";
import { always, malformedJson, rateLimited, resetMidBody, scripted, stalledBody, statusResponse } from "@connect/core/testing";
import type { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import type { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { HttpResponse } from "msw";
import { FAST_POLICY, FAST_TRANSPORT, settle } from "./harness.js";
import type { ClientOverrides, Expectation, FaultId, Kit, Route, WriteOp } from "./kits/types.js";

/** Every fault of the matrix, in table order. */
export const FAULTS: FaultId[] = [
  "500",
  "502",
  "503",
  "504",
  "429 + Retry-After",
  "429",
  "connect timeout",
  "body timeout",
  "reset mid-body",
  "malformed body",
  "schema violation",
  "401 expired token",
  "503 persistent",
];

/** The Retry-After the matrix sends (seconds; small so the suite stays quick). */
export const RETRY_AFTER_SECONDS = 0.02;

/** What core's error table promises for a fault on a write of the given safety (3 attempts). */
export function baseExpectation(fault: FaultId, op: WriteOp): Expectation {
  const attempts = FAST_POLICY.retry.attempts;
  const unsafe = op.safety === "unsafe";
  switch (fault) {
    case "500":
    case "502":
    case "503":
    case "504":
    case "body timeout":
    case "reset mid-body":
      // The request may have reached the vendor: retried unless the write is unsafe.
      return unsafe
        ? { outcome: "error", requests: 1, error: "UnknownOutcomeError", attempts: 1, deadLetter: true }
        : { outcome: "ok", requests: 2, deadLetter: false };
    case "429 + Retry-After":
    case "429":
      // A 429 was never processed: retried for every write.
      return { outcome: "ok", requests: 2, deadLetter: false };
    case "connect timeout":
      // Provably never sent: retried for every write, then exhausted.
      return { outcome: "error", requests: 0, error: "TimeoutError", attempts, deadLetter: true };
    case "malformed body":
      // A 2xx whose body cannot be read. An idempotent write can simply be repeated by the host; any other write
      // has probably taken effect, so it is an outcome to check (dead-lettered, key kept), not a failure to forget.
      return op.safety === "idempotent"
        ? { outcome: "error", requests: 1, error: "IntegrationError", vendorCode: "MALFORMED_RESPONSE", attempts: 1, deadLetter: false }
        : { outcome: "error", requests: 1, error: "UnknownOutcomeError", vendorCode: "MALFORMED_RESPONSE", attempts: 1, deadLetter: true };
    case "schema violation":
      return op.readsBody === false ? { outcome: "ok", requests: 1, deadLetter: false, note: "body not read" } : { outcome: "error", requests: 1, error: "ContractDriftError", attempts: 1, deadLetter: false };
    case "401 expired token":
      // One refresh, one resend.
      return { outcome: "ok", requests: 2, deadLetter: false };
    case "503 persistent":
      return unsafe
        ? { outcome: "error", requests: 1, error: "UnknownOutcomeError", attempts: 1, deadLetter: true }
        : { outcome: "error", requests: attempts, error: "ServerError", attempts, deadLetter: true };
  }
}

/** What a case observed. */
export interface Observed {
  outcome: "ok" | "error";
  requests: number;
  error?: string | undefined;
  attempts?: number | undefined;
  vendorCode?: string | undefined;
  deadLetter: boolean;
  effects: number;
  message?: string | undefined;
  /** Phase of the TimeoutError (itself or the cause of an UnknownOutcomeError). */
  phase?: string | undefined;
}

/** One row of the matrix. */
export interface CaseResult {
  /** The error the call ended with, when it failed. */
  error?: unknown;
  /** What the dead-letter sink received. */
  letters: DeadLetter[];
  vendor: string;
  op: string;
  safety: string;
  fault: FaultId;
  expected: Expectation;
  observed: Observed;
  problems: string[];
}

/** Shared telemetry and the loopback black hole. */
export interface MatrixEnv {
  blackholeUrl: string;
  tracerProvider: BasicTracerProvider;
  exporter: InMemorySpanExporter;
  logger: Logger;
}

function countRequests(kit: Kit, route: Route): number {
  return kit.server.requests.filter((r) => r.method === route.method.toUpperCase() && route.match.test(r.url) && (!route.header || r.headers[route.header[0]] === route.header[1])).length;
}

function install(kit: Kit, op: WriteOp, fault: FaultId): void {
  const { method, path } = op.route;
  const once = (answer: () => Response): void => kit.server.use(scripted(method, path, [answer]).handler);
  switch (fault) {
    case "500":
    case "502":
    case "503":
    case "504":
      return once(() => statusResponse(Number(fault)));
    case "429 + Retry-After":
      return once(() => rateLimited(RETRY_AFTER_SECONDS));
    case "429":
      return once(() => rateLimited());
    case "connect timeout":
      return;
    case "body timeout":
      return once(() => stalledBody(3_000));
    case "reset mid-body":
      return once(() => resetMidBody());
    case "malformed body":
      return once(() => malformedJson());
    case "schema violation":
      return once(() => op.schemaViolation?.() ?? HttpResponse.json({ unexpected: true }));
    case "401 expired token":
      return kit.expireAuth(op);
    case "503 persistent":
      kit.server.use(always(method, path, 503).handler);
  }
}

interface PreparedCase {
  kit: Kit;
  op: WriteOp;
  fault: FaultId;
  prepared: unknown;
  overrides: ClientOverrides;
  deadLetters: ReturnType<typeof createMemoryDeadLetterSink>;
}

/** Seed what one case needs, on a healthy client against the fake. */
async function prepareCase(kit: Kit, op: WriteOp, fault: FaultId, env: MatrixEnv, extra: ClientOverrides): Promise<PreparedCase> {
  const deadLetters = createMemoryDeadLetterSink();
  const overrides: ClientOverrides = {
    policy: FAST_POLICY,
    telemetry: { tracerProvider: env.tracerProvider, logger: env.logger },
    deadLetters,
    drift: "strict",
    transport: FAST_TRANSPORT,
    ...(fault === "connect timeout" ? { apiBaseUrl: env.blackholeUrl } : {}),
    ...(fault === "401 expired token" ? { rotatingSecret: true } : {}),
    // undici's body timer ticks every ~0.5 s; the attempt timeout bounds a stalled body (3 s)
    // sooner, with room for every healthy call of the case (a token grant, the retry) on a busy
    // machine: 150 ms and then 400 ms flaked for DocuSign's OAuth grant under a loaded CI run.
    ...(fault === "body timeout" ? { policy: { ...FAST_POLICY, timeout: { ...FAST_POLICY.timeout, attemptMs: 1_200 } } } : {}),
    ...extra,
  };
  const setupClient = kit.client({ ...overrides, apiBaseUrl: undefined, deadLetters: undefined });
  const prepared = op.prepare ? await op.prepare(setupClient) : undefined;
  await setupClient.close();
  return { kit, op, fault, prepared, overrides, deadLetters };
}

/** Run a prepared case's call (faults already installed) and compare with the expectation. */
async function executeCase(c: PreparedCase, env: MatrixEnv): Promise<CaseResult> {
  const { kit, op, fault, prepared, overrides, deadLetters } = c;
  const started = performance.now();
  const client = kit.client(overrides);
  const key = `matrix-${kit.vendor}-${op.label ?? op.id}-${fault.replace(/\W+/g, "-")}`;
  const result = await settle(op.call(client, prepared, { idempotencyKey: key, correlationId: key }));
  await client.close();
  const letters = await deadLetters.list();
  const observed: Observed = {
    outcome: result.ok ? "ok" : "error",
    requests: countRequests(kit, op.route),
    deadLetter: letters.length > 0,
    effects: op.effects(prepared),
  };
  if (!result.ok) {
    const error = result.error;
    observed.error = IntegrationError.is(error) ? error.name : `${(error as Error)?.name ?? typeof error} (untyped)`;
    observed.attempts = IntegrationError.is(error) ? error.attempts : undefined;
    observed.vendorCode = IntegrationError.is(error) ? error.vendorCode : undefined;
    observed.message = (error as Error)?.message;
    const timeout = [error, (error as { cause?: unknown })?.cause].find((e) => IntegrationError.is(e) && e.name === "TimeoutError") as { phase?: string } | undefined;
    observed.phase = timeout?.phase;
  }

  const base = baseExpectation(fault, op);
  const expected = kit.expect ? kit.expect(fault, op, base) : base;
  const problems: string[] = [];
  const expect = (what: string, actual: unknown, wanted: unknown): void => {
    if (actual !== wanted) problems.push(`${what}: expected ${String(wanted)}, got ${String(actual)}`);
  };
  expect("outcome", observed.outcome, expected.outcome);
  expect("requests", observed.requests, expected.requests);
  if (expected.outcome === "error") {
    expect("error", observed.error, expected.error);
    if (expected.attempts !== undefined) expect("attempts", observed.attempts, expected.attempts);
    if (expected.vendorCode !== undefined) expect("vendorCode", observed.vendorCode, expected.vendorCode);
  }
  expect("dead letter", observed.deadLetter, expected.deadLetter);
  if (letters.length > 0) {
    expect("dead letters", letters.length, 1);
    expect("dead letter operation", letters[0]!.operation, op.id);
    expect("dead letter error", (letters[0]!.error as { name?: string }).name, observed.error);
  }
  // The faulted attempt never reached the fake, so the write took effect exactly when the call succeeded.
  // (A schema-violating or malformed answer replaces the vendor's, so that write never reached the fake
  // either: it is "ok" only for an operation that never reads the body.)
  expect("effects", observed.effects, expected.outcome === "ok" && fault !== "schema violation" && fault !== "malformed body" ? 1 : 0);
  if (op.vendorKey) {
    const keys = kit.server.requests.filter((r) => r.method === op.route.method.toUpperCase() && op.route.match.test(r.url)).map((r) => op.vendorKey!(r));
    if (keys.some((k) => !k) || new Set(keys).size > 1) problems.push(`vendor idempotency key differs between attempts: ${JSON.stringify(keys)}`);
  }
  if (fault === "429 + Retry-After" && observed.outcome === "ok" && !expected.ignoresRetryAfter) {
    const delays = env.exporter
      .getFinishedSpans()
      .flatMap((s) => s.events)
      .filter((e) => e.name === "retry")
      .map((e) => Number(e.attributes?.["connect.retry.delay_ms"]));
    if (!delays.some((d) => d >= RETRY_AFTER_SECONDS * 1000)) problems.push(`Retry-After not honoured: retry delays ${JSON.stringify(delays)}`);
  }
  if (observed.message && problems.length > 0) problems.push(`message: ${observed.message}`);
  if (process.env.MATRIX_TIMING) console.log(`${kit.vendor} ${op.label ?? op.id} ${fault}: ${Math.round(performance.now() - started)} ms`);
  return { error: result.ok ? undefined : result.error, letters, vendor: kit.vendor, op: op.label ?? op.id, safety: op.safety, fault, expected, observed, problems };
}

/** Run one write under one fault and compare with the expectation. */
export async function runCase(kit: Kit, op: WriteOp, fault: FaultId, env: MatrixEnv, extra: ClientOverrides = {}, custom?: (kit: Kit, op: WriteOp) => void): Promise<CaseResult> {
  await kit.reset();
  const prepared = await prepareCase(kit, op, fault, env, extra);
  kit.server.requests.length = 0;
  env.exporter.reset();
  // A custom fault (the secrets suite's echoing vendor) replaces the matrix's; `fault` then only names the client setup.
  if (custom) custom(kit, op);
  else install(kit, op, fault);
  return executeCase(prepared, env);
}

/**
 * Run one fault on several writes at once (connect timeouts: nothing reaches the fake, and
 * undici's connect timer has a coarse resolution, so the cases wait in parallel).
 */
export async function runConcurrently(kit: Kit, ops: WriteOp[], fault: FaultId, env: MatrixEnv): Promise<CaseResult[]> {
  if (fault !== "connect timeout") throw new TypeError("runConcurrently: only for faults that never reach the fake");
  await kit.reset();
  const cases: PreparedCase[] = [];
  for (const op of ops) cases.push(await prepareCase(kit, op, fault, env, {}));
  kit.server.requests.length = 0;
  return Promise.all(cases.map((c) => executeCase(c, env)));
}

/** The matrix row as table cells. */
export function describeResult(r: CaseResult): string[] {
  const o = r.observed;
  const outcome = o.outcome === "ok" ? "ok" : `${o.error}${o.vendorCode ? ` ${o.vendorCode}` : ""}${o.phase ? ` (${o.phase})` : ""}`;
  return [
    r.vendor,
    r.op,
    r.safety,
    r.fault,
    outcome,
    String(o.requests),
    o.attempts === undefined ? "" : String(o.attempts),
    o.deadLetter ? "yes" : "",
    String(o.effects),
    r.problems.length === 0 ? "pass" : "FAIL",
    r.expected.note ?? "",
  ];
}

/** Column headers of the printed matrix. */
export const MATRIX_HEADER = ["vendor", "operation", "safety", "fault", "outcome", "requests", "attempts", "DLQ", "effects", "result", "note"];

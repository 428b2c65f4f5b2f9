/**
 * The adapter contract: an operation is data (input and output schemas, retry safety,
 * how to build the request and read the response); core runs it.
 */
import type { z } from "zod";
import type { ResolvedContext } from "./context.js";
import { ContractDriftError, ValidationError, type FieldIssue, type IntegrationError } from "./errors.js";
import type { HttpRequest, HttpResponse } from "./http.js";

/**
 * How safe an operation is to retry.
 * - `idempotent`: reads and naturally idempotent writes (PUT, DELETE, upserts) — retried on any retryable error.
 * - `keyed`: the vendor dedupes on a key we send (QuickBooks `requestid`, Textract `ClientRequestToken`).
 * - `checkable`: the operation's `check` can tell afterwards whether an attempt took effect (DocuSign `transactionId`).
 * - `unsafe`: no protection; retried only when the request provably never reached the vendor.
 * @public
 */
export type RetrySafety = "idempotent" | "keyed" | "checkable" | "unsafe";

/** What an operation's hooks receive besides the input. @public */
export interface OperationContext extends ResolvedContext {
  /** Adapter id. */
  vendor: string;
  /** Operation id. */
  operation: string;
  /** Client-level parameters (account ids, realm ids …). */
  params: Readonly<Record<string, string>>;
  /**
   * Send one HTTP request through auth, the transport and error mapping (inside the
   * current attempt; a 401 refreshes credentials and retries once). Resolves for 2xx/3xx.
   */
  send(request: HttpRequest): Promise<HttpResponse>;
}

/** The declaration passed to {@link defineOperation}. @public */
export interface OperationDefinition<TInput extends z.ZodType, TOutput extends z.ZodType> {
  /** `resource.verb`, e.g. `envelopes.create`; spans are named `<vendor>.<id>`. */
  id: string;
  /** Input schema; a failure is a `ValidationError` listing every field, before any I/O. */
  input: TInput;
  /** Output schema, applied to what `response` returns (drift mode decides what a mismatch does). */
  output: TOutput;
  /** Shorthand for `safety`: true = `idempotent`, false = `unsafe`. */
  idempotent?: boolean;
  /** Retry safety; defaults from `idempotent` (`unsafe` when neither is given). */
  safety?: RetrySafety;
  /** Build the HTTP request. Omit when `execute` is given. */
  request?: (input: z.output<TInput>, ctx: OperationContext) => HttpRequest;
  /** Turn the response into the output candidate; the JSON body by default. */
  response?: (response: HttpResponse, input: z.output<TInput>, ctx: OperationContext) => unknown;
  /** Custom execution (several requests, an SDK client, a stream): replaces `request`/`response`. */
  execute?: (input: z.output<TInput>, ctx: OperationContext) => Promise<unknown>;
  /** For `checkable` writes: look up whether an earlier attempt took effect; return its output or undefined. */
  check?: (input: z.output<TInput>, ctx: OperationContext) => Promise<unknown | undefined>;
  /** Classify an error response before the adapter's and core's status table. */
  classifyError?: (response: HttpResponse, ctx: OperationContext) => IntegrationError | undefined;
  /** Fields of the input that make up the derived idempotency key (all of it by default). */
  keyFields?: (input: z.output<TInput>) => unknown;
}

/** A defined operation: data plus its validate/transform steps. @public */
export interface Operation<TInput extends z.ZodType = z.ZodType, TOutput extends z.ZodType = z.ZodType>
  extends OperationDefinition<TInput, TOutput> {
  readonly safety: RetrySafety;
  /** Validate input, throwing `ValidationError` with every bad field. */
  validate(input: unknown, meta?: { vendor?: string }): z.output<TInput>;
  /** Validate output; in `strict` mode a mismatch throws `ContractDriftError`, in `warn` mode the data is returned with the issues. */
  transform(raw: unknown, mode?: DriftMode): { value: z.output<TOutput>; issues: FieldIssue[] };
}

/** What a response that does not match its schema does: throw, or return the data and warn. @public */
export type DriftMode = "strict" | "warn";

/** Turn zod issues into the SDK's field issues. @public */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
    code: issue.code,
  }));
}

/** The result of {@link parseUntrusted}: the data, or every problem as field issues. @public */
export type UntrustedParseResult<T> = { success: true; data: T } | { success: false; issues: FieldIssue[] };

/**
 * `schema.safeParse(value)` for values from outside (webhook bodies, vendor responses, host
 * input) that never throws: zod 4 can throw from a check on a hostile value (an object with a
 * `length` whose items have a non-function `toString`, against `.min()`), and that becomes a
 * failed parse here instead of a crash.
 * @public
 */
export function parseUntrusted<T extends z.ZodType>(schema: T, value: unknown): UntrustedParseResult<z.output<T>> {
  try {
    const parsed = schema.safeParse(value);
    return parsed.success ? { success: true, data: parsed.data } : { success: false, issues: toFieldIssues(parsed.error) };
  } catch (error) {
    return {
      success: false,
      issues: [{ path: "(root)", message: `the value could not be checked against the schema (${error instanceof Error ? error.message : String(error)})`, code: "unparseable" }],
    };
  }
}

/**
 * Declare an operation. Core validates, keys, retries, limits, sends, maps errors and
 * traces it; the declaration says only what is particular to the vendor call.
 * @example
 * export const getMessage = defineOperation({
 *   id: "messages.get", input: z.object({ sid: z.string() }), output: Message, idempotent: true,
 *   request: ({ sid }, ctx) => ({ method: "GET", path: `/Accounts/${ctx.params.accountSid}/Messages/${sid}.json` }),
 * });
 * @public
 */
export function defineOperation<TInput extends z.ZodType, TOutput extends z.ZodType>(
  definition: OperationDefinition<TInput, TOutput>,
): Operation<TInput, TOutput> {
  if (!definition.request && !definition.execute) {
    throw new TypeError(`operation ${definition.id} needs a request builder or an execute function`);
  }
  const safety: RetrySafety = definition.safety ?? (definition.idempotent ? "idempotent" : "unsafe");
  if (safety === "checkable" && !definition.check) {
    throw new TypeError(`operation ${definition.id} is checkable but declares no check()`);
  }
  return {
    ...definition,
    safety,
    validate(input: unknown, meta?: { vendor?: string }) {
      const parsed = parseUntrusted(definition.input, input);
      if (parsed.success) return parsed.data;
      const issues = parsed.issues;
      throw new ValidationError(
        `${meta?.vendor ? `${meta.vendor} ` : ""}${definition.id}: invalid input — ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
        { vendor: meta?.vendor, operation: definition.id, issues },
      );
    },
    transform(raw: unknown, mode: DriftMode = "warn") {
      const parsed = parseUntrusted(definition.output, raw);
      if (parsed.success) return { value: parsed.data, issues: [] };
      const issues = parsed.issues;
      if (mode === "strict") {
        throw new ContractDriftError(
          `${definition.id}: the vendor's response does not match the expected shape — ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
          { operation: definition.id, issues },
        );
      }
      return { value: raw as z.output<TOutput>, issues };
    },
  };
}

/** Health of one adapter. @public */
export interface HealthResult {
  status: "healthy" | "degraded" | "unhealthy";
  latencyMs: number;
  /** Breaker state(s) of the adapter. */
  breaker?: "closed" | "open" | "half-open" | undefined;
  error?: string | undefined;
}

/** What every vendor client is: id, semver version, its operations and a health check. @public */
export interface Adapter {
  /** Vendor id, e.g. `twilio`. */
  readonly id: string;
  /** The vendor package's own semver version. */
  readonly version: string;
  /** Every operation the client runs, by id. */
  readonly operations: Readonly<Record<string, Operation>>;
  /** A cheap authenticated call that tells whether the vendor is reachable. */
  healthCheck(): Promise<HealthResult>;
}

/**
 * A vendor kit: one vendor's fake served on loopback, a way to build clients with the options
 * a suite needs, and every write operation described as data (how to call it, where its
 * request goes, how to count its effect in the fake's state).
 */
import type { DeadLetterSink, DriftMode, IdempotencyStore, IntegrationContext, PolicyOptions, RetrySafety, TelemetryOptions, TransportOptions } from "@connect/core";
import type { RecordedRequest, ServedHandlers } from "@connect/core/testing";
import type { RequestHandler } from "msw";

/** What a suite may change on a client. */
export interface ClientOverrides {
  policy?: PolicyOptions | undefined;
  telemetry?: TelemetryOptions | undefined;
  deadLetters?: DeadLetterSink | undefined;
  idempotencyStore?: IdempotencyStore | undefined;
  drift?: DriftMode | undefined;
  transport?: TransportOptions | undefined;
  /** Send API requests (not token requests) to this origin instead of the fake. */
  apiBaseUrl?: string | undefined;
  /** Read the credential from a SecretProvider, so a 401 can re-read it (vendors with static keys). */
  rotatingSecret?: boolean | undefined;
}

/** A client as the suites see it. */
export interface KitClient {
  close(): Promise<void>;
}

/** The route a write's request takes: msw path for fault injection, and a pattern for counting. */
export interface Route {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** msw path, e.g. `*\/2010-04-01/Accounts/:account/Messages.json`. */
  path: string;
  /** Matched against a recorded request's `url` (path and query). */
  match: RegExp;
  /** For vendors that multiplex one path (AWS JSON): only requests with this header value. */
  header?: [string, string] | undefined;
}

/** One write operation of a vendor, as data. */
export interface WriteOp {
  /** Operation id, e.g. `messages.send` (spans, dead letters). */
  id: string;
  /** How the matrix names it when it differs from `id` (`mail.sendBatch` runs `mail.send` per chunk). */
  label?: string | undefined;
  /** The operation's declared retry safety. */
  safety: RetrySafety;
  route: Route;
  /** Seed what the write needs (an envelope to void); returns what `call` and `effects` get. */
  prepare?(client: KitClient): Promise<unknown>;
  /** Run the write once. */
  call(client: KitClient, prepared: unknown, ctx?: IntegrationContext): Promise<unknown>;
  /** How many times the vendor has applied this write (read from the fake's state). */
  effects(prepared: unknown): number;
  /** The vendor-side idempotency key a request carried (keyed writes). */
  vendorKey?(request: RecordedRequest): string | undefined;
  /** False when the operation does not read the response body (202/204 answers), so a schema violation cannot show. */
  readsBody?: boolean | undefined;
  /** A 2xx body that parses but violates the response schema. */
  schemaViolation?: (() => Response) | undefined;
}

/** An expected outcome of one matrix case. */
export interface Expectation {
  outcome: "ok" | "error";
  /** Requests on the write's route (attempts, plus a resend after a 401). */
  requests: number;
  /** Error class name (`error.name`), for an error outcome. */
  error?: string | undefined;
  /** `error.attempts`, for an error outcome. */
  attempts?: number | undefined;
  vendorCode?: string | undefined;
  /** Whether the dead-letter sink receives the call. */
  deadLetter: boolean;
  /** The vendor's client does not see Retry-After (it backs off instead). */
  ignoresRetryAfter?: boolean | undefined;
  /** Why a vendor differs from core's table. */
  note?: string | undefined;
}

/** A fault of the matrix. */
export type FaultId =
  | "500"
  | "502"
  | "503"
  | "504"
  | "429 + Retry-After"
  | "429"
  | "connect timeout"
  | "body timeout"
  | "reset mid-body"
  | "malformed body"
  | "schema violation"
  | "401 expired token"
  | "503 persistent";

/** A vendor's fake, served, with its clients and writes. */
export interface Kit {
  vendor: string;
  server: ServedHandlers;
  /** The fake's handlers (to answer a request through the fake from an override). */
  handlers: RequestHandler[];
  client(overrides?: ClientOverrides): KitClient;
  writes: WriteOp[];
  /**
   * Representative reads, described like writes (`effects` is 1 when the read returned the fake's
   * record). The fault matrix and the secrets scan run them; duplicates and soak count writes only.
   */
  reads?: WriteOp[] | undefined;
  /** The token endpoint, for vendors that mint tokens (DocuSign JWT, Authentisign and QuickBooks OAuth). */
  tokenRoute?: Route | undefined;
  /** Make the vendor refuse the current credential once, as it does when a token has expired. */
  expireAuth(op: WriteOp): void;
  /** Every credential value the kit's clients use; none may appear in logs, spans, errors or dead letters. */
  secrets(): string[];
  /** Forget state and overrides between cases. */
  reset(): Promise<void>;
  /** Forget everything the fake stores (entities, tokens), where `reset` keeps some; long-lived clients must recover. */
  forget?(): Promise<void>;
  /** Vendor-specific expectations that differ from core's table, with the reason. */
  expect?(fault: FaultId, op: WriteOp, base: Expectation): Expectation;
  close(): Promise<void>;
}

/** Options every kit factory takes. */
export interface KitOptions {
  /** Appended to every secret, so a test can tell its own secrets from any other. */
  secretTag?: string | undefined;
}

/**
 * createBpoClient: projects, contacts, corporate entities and documents of the BPO legacy lead
 * system over REST — offset pages as async iterators, idempotent upserts on `external_id`, a
 * read-only switch for the deprecation plan — run by @connect/core's runtime.
 */
import {
  CATEGORY_DEFAULTS,
  type ClientOptionsBase,
  createRuntime,
  type HealthResult,
  type IdempotencyStore,
  type IntegrationContext,
  IntegrationError,
  type Operation,
  type PolicyOptions,
  type Runtime,
  type SecretProvider,
} from "@connect/core";
import type { z } from "zod";
import pkg from "../package.json" with { type: "json" };
import { bpoAuth } from "./auth.js";
import { BPO_VENDOR, BpoReadOnlyError, classifyBpoError } from "./errors.js";
import { listContacts, upsertContact } from "./operations/contacts.js";
import { listDocuments } from "./operations/documents.js";
import { listEntities, upsertEntity } from "./operations/entities.js";
import { BPO_DEFAULT_PATHS, pathParam, type BpoPaths } from "./operations/paths.js";
import { listProjects, upsertProject } from "./operations/projects.js";
import { DEFAULT_PAGE_SIZE, type Pagination, type UpsertResult } from "./schemas.js";

/**
 * BPO's policy defaults. The spec publishes no rate limits, so the limiter and breaker take the
 * platform's `sales` category numbers (a lead system) and stay overridable [uncertain].
 * @public
 */
export const BPO_POLICY_DEFAULTS: PolicyOptions = {
  retry: { attempts: 3, minDelayMs: 250, maxDelayMs: 20_000 },
  breaker: CATEGORY_DEFAULTS.sales.breaker,
  limiter: CATEGORY_DEFAULTS.sales.limiter,
  timeout: { attemptMs: 30_000, totalMs: 120_000 },
};

/** Default `metadata.source` of upserts. @public */
export const DEFAULT_SYNC_SOURCE = "connect-platform";

/** Options of {@link createBpoClient}. @public */
export interface BpoClientOptions extends ClientOptionsBase {
  /** Base URL of the BPO API, e.g. `https://bpo.example.com` (paths start with `/api/v1`). */
  baseUrl: string;
  /** The API key (sent as `Authorization: Bearer`), or a SecretProvider that holds it. */
  apiKey: string | SecretProvider;
  /** Secret name read from a SecretProvider. Default `BPO_API_KEY`. */
  apiKeySecretName?: string | undefined;
  /**
   * Refuse every write with `BpoReadOnlyError` before any I/O (the deprecation plan's day-91
   * step); reads keep working. A function is asked on every write, so a feature flag can flip it.
   */
  readOnly?: boolean | (() => boolean) | undefined;
  /** `limit` of list calls that give none, and of the iterators. Default 100. */
  pageSize?: number | undefined;
  /** Override resource paths (contacts, entities and documents paths are not in the spec). */
  paths?: Partial<BpoPaths> | undefined;
  /** `metadata.source` of upserts that give none. Default `connect-platform`. */
  syncSource?: string | undefined;
  /** Remembers completed upserts by idempotency key (optional: upserts are idempotent anyway). */
  idempotencyStore?: IdempotencyStore | undefined;
  /** Clock (epoch ms) for `metadata.sync_timestamp` and Retry-After dates. */
  now?: (() => number) | undefined;
}

/** A list operation's page shape. @internal */
type PageOf<TRow> = { data: TRow[]; pagination: Pagination };

/** A paged BPO resource: one page, page by page, or row by row. @public */
export interface PagedResource<TQuery, TRow> {
  /** One page (`limit` defaults to the client's `pageSize`, `offset` to 0). */
  list(query: TQuery, ctx?: IntegrationContext): Promise<PageOf<TRow>>;
  /** Every page from `offset` on, until `has_more` is false (or a page comes back empty). */
  pages(query: TQuery, ctx?: IntegrationContext): AsyncGenerator<PageOf<TRow>, void, undefined>;
  /**
   * Every row, fetched page by page.
   * @example
   * for await (const project of bpo.projects.listAll({ updatedSince: lastSync, status: ["LEAD"] })) save(project);
   */
  listAll(query: Omit<TQuery, "offset">, ctx?: IntegrationContext): AsyncGenerator<TRow, void, undefined>;
}

function aborted(operation: string, reason: unknown): IntegrationError {
  const detail = reason instanceof Error && reason.message ? `: ${reason.message}` : "";
  return new IntegrationError(`bpo ${operation}: iteration aborted by the caller${detail}`, { vendor: BPO_VENDOR, operation, vendorCode: "ABORTED", retryable: false, cause: reason });
}

function paged<TInput extends z.ZodType, TRow>(
  runtime: Runtime,
  operation: Operation<TInput, z.ZodType<PageOf<TRow>>>,
): PagedResource<z.input<TInput>, TRow> {
  const bound = runtime.bind(operation);
  async function* pages(query: z.input<TInput>, ctx?: IntegrationContext): AsyncGenerator<PageOf<TRow>, void, undefined> {
    const q = (query ?? {}) as Record<string, unknown>;
    let offset = typeof q.offset === "number" ? q.offset : 0;
    for (;;) {
      const page = await bound({ ...q, offset } as z.input<TInput>, ctx);
      yield page;
      // Advance by what came back, not by `limit`: a server that caps the page size still pages correctly.
      offset += page.data.length;
      if (!page.pagination.has_more || page.data.length === 0 || offset >= page.pagination.total) return;
    }
  }
  return {
    list: (query, ctx) => bound(query ?? ({} as z.input<TInput>), ctx),
    pages,
    async *listAll(query, ctx) {
      for await (const page of pages(query as z.input<TInput>, ctx)) {
        for (const row of page.data) {
          // Stop at once on abort, not after the rest of the page.
          if (ctx?.signal?.aborted) throw aborted(operation.id, ctx.signal.reason);
          yield row;
        }
      }
    },
  };
}

function bindOperations(runtime: Runtime, write: <T extends z.ZodType>(operation: Operation<T, typeof upsertProject.output>) => Upsert<z.input<T>>) {
  return {
    /** Projects: list (paged, `updatedSince`, `status`) and upsert on `external_id`. */
    projects: { ...paged(runtime, listProjects), upsert: write(upsertProject) },
    /** Contacts (builders, brokers, landowners): list (paged, `type`) and upsert. */
    contacts: { ...paged(runtime, listContacts), upsert: write(upsertContact) },
    /** Corporate entities: list (paged) and upsert. */
    entities: { ...paged(runtime, listEntities), upsert: write(upsertEntity) },
    /** A project's documents: list only. */
    documents: paged(runtime, listDocuments),
  };
}

/** An upsert call. @public */
export type Upsert<TInput> = (input: TInput, ctx?: IntegrationContext) => Promise<UpsertResult>;

/** A BPO client: every resource, a health check, the read-only state and close(). @public */
export type BpoClient = ReturnType<typeof bindOperations> & {
  readonly id: "bpo";
  readonly version: string;
  readonly operations: Readonly<Record<string, Operation>>;
  /** Whether writes are refused right now. */
  readonly readOnly: boolean;
  /** A cheap authenticated call (one project). */
  healthCheck(): Promise<HealthResult>;
  /** Close connections and timers. */
  close(): Promise<void>;
};

function checkOptions(options: BpoClientOptions): void {
  if (!options || typeof options !== "object") throw new TypeError("createBpoClient: options are required");
  try {
    const url = new URL(options.baseUrl);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("protocol");
  } catch {
    throw new TypeError(`createBpoClient: baseUrl must be an http(s) URL, got ${JSON.stringify(options.baseUrl)}`);
  }
  if (options.pageSize !== undefined && (!Number.isInteger(options.pageSize) || options.pageSize < 1 || options.pageSize > 1000)) {
    throw new TypeError(`createBpoClient: pageSize must be an integer from 1 to 1000, got ${options.pageSize}`);
  }
  for (const [name, path] of Object.entries(options.paths ?? {})) {
    if (typeof path !== "string" || !path.startsWith("/")) throw new TypeError(`createBpoClient: paths.${name} must start with "/"`);
  }
}

/**
 * Create a BPO client.
 * @example
 * const bpo = createBpoClient({ baseUrl: "https://bpo.example.com", apiKey: secrets });
 * for await (const lead of bpo.projects.listAll({ updatedSince: "2024-06-01T00:00:00Z", status: ["LEAD"] })) {
 *   await platform.upsertLead(lead);
 * }
 * await bpo.projects.upsert({ external_id: "prj_123", address: "12 Oak St", status: "FEASIBILITY" });
 * @public
 */
export function createBpoClient(options: BpoClientOptions): BpoClient {
  checkOptions(options);
  const now = options.now ?? Date.now;
  const paths = { ...BPO_DEFAULT_PATHS, ...options.paths };
  const params: Record<string, string> = { pageSize: String(options.pageSize ?? DEFAULT_PAGE_SIZE) };
  for (const [resource, path] of Object.entries(paths)) params[pathParam(resource as keyof BpoPaths)] = path;
  const runtime = createRuntime({
    adapter: { id: BPO_VENDOR, version: pkg.version },
    baseUrl: options.baseUrl,
    params,
    auth: bpoAuth(options.apiKey, options.apiKeySecretName),
    defaults: BPO_POLICY_DEFAULTS,
    policy: options.policy,
    telemetry: options.telemetry,
    drift: options.drift,
    deadLetters: options.deadLetters,
    idempotencyStore: options.idempotencyStore,
    transport: options.transport,
    classifyError: (response, ctx) => classifyBpoError(response, { operation: ctx.operation, now }),
    healthCheck: (rt) => rt.run(listProjects, { limit: 1 }),
  });
  const readOnly = (): boolean => (typeof options.readOnly === "function" ? options.readOnly() : options.readOnly === true);
  const source = options.syncSource ?? DEFAULT_SYNC_SOURCE;

  const write = <T extends z.ZodType>(operation: Operation<T, typeof upsertProject.output>): Upsert<z.input<T>> => {
    const bound = runtime.bind(operation);
    return async (input, ctx) => {
      // Checked before validation and before any I/O: a read-only client never reaches BPO.
      if (readOnly()) throw new BpoReadOnlyError(operation.id);
      if (!input || typeof input !== "object" || Array.isArray(input)) return bound(input, ctx);
      const given = (input as { metadata?: Record<string, unknown> }).metadata;
      const metadata = given && typeof given === "object" ? given : {};
      // Filled once per logical call, so every retry sends the same body.
      return bound({ ...input, metadata: { source, sync_timestamp: new Date(now()).toISOString(), ...metadata } } as z.input<T>, ctx);
    };
  };

  const bound = bindOperations(runtime, write);
  const operations: Record<string, Operation> = Object.fromEntries(
    [listProjects, upsertProject, listContacts, upsertContact, listEntities, upsertEntity, listDocuments].map((op) => [op.id, op as unknown as Operation]),
  );
  return {
    id: BPO_VENDOR,
    version: pkg.version,
    operations,
    get readOnly() {
      return readOnly();
    },
    healthCheck: () => runtime.healthCheck(),
    close: () => runtime.close(),
    ...bound,
  };
}

/**
 * A stateful fake of the BPO REST API as msw handlers: Bearer auth, offset paging ordered by
 * `updated_at` with `updated_since` and `status` filters and a page-size cap, upserts on
 * `external_id` (201 on create, 200 on update, `updated_at` moves only when something changed),
 * contacts, entities and a project's documents, Firebase-style error bodies, scripted faults that
 * reset, a server-side read-only switch, and nightly export files written from its own state.
 */
import { randomUUID } from "node:crypto";
import { notImplementedHandler } from "@connect/core/testing";
import { http, HttpResponse, type RequestHandler } from "msw";
import { createRandom, firestoreId, generateProjects, type FakeProject, type GenerateProjectsOptions } from "./data.js";
import { writeBpoExport, type WriteBpoExportOptions, type WrittenExport } from "./export-writer.js";

/** A contact as the fake stores it. @public */
export interface FakeContact {
  id: string;
  external_id: string | null;
  type: string;
  name: string;
  email: string | null;
  phone: string | null;
  company: string | null;
  created_at: string;
  updated_at: string;
}

/** A corporate entity as the fake stores it. @public */
export interface FakeEntity {
  id: string;
  external_id: string | null;
  name: string;
  entity_type: string;
  state_of_formation: string | null;
  created_at: string;
  updated_at: string;
}

/** A document as the fake stores it. @public */
export interface FakeDocument {
  id: string;
  project_id: string;
  name: string;
  type: string | null;
  url: string | null;
  size_bytes: number | null;
  uploaded_at: string;
  updated_at: string;
}

/** One field error of a 400 body. @public */
export interface FakeErrorDetail {
  field: string;
  message: string;
}

/** A scripted failure for the next matching request(s). @public */
export interface FakeFailure {
  status: number;
  /** `error.code` of the body. Default: the Firebase-style code of the status. */
  code?: string | undefined;
  message?: string | undefined;
  /** Replace the whole body. */
  body?: unknown;
  headers?: Record<string, string> | undefined;
  /** Only this method (upper case). */
  method?: string | undefined;
  /** Only paths starting with this (e.g. `/api/v1/projects`). */
  path?: string | undefined;
  /** Only requests whose query has `offset=<n>`. */
  offset?: number | undefined;
  /** How many requests it answers. Default 1. */
  times?: number | undefined;
}

/** Options of {@link createBpoFake}. @public */
export interface BpoFakeOptions {
  /** The API key the fake accepts. Default `bpo_test_key_0000`. */
  apiKey?: string | undefined;
  /** Largest `limit` accepted; larger is a 400 [uncertain: the spec states none]. Default 100. */
  maxPageSize?: number | undefined;
  /** Answer at most this many rows per page whatever `limit` asks (a server that caps silently). */
  capPageSizeAt?: number | undefined;
  /** Clock (epoch ms) for `created_at`/`updated_at`. Each write is at least 1 ms after the previous one. */
  now?: (() => number) | undefined;
  /** PRNG seed for ids. Default 7. */
  seed?: number | undefined;
}

/** The fake and its controls. @public */
export interface BpoFake {
  /** msw handlers; serve them with `serveHandlers` from @connect/core/testing. */
  readonly handlers: RequestHandler[];
  readonly apiKey: string;
  /** Projects by BPO id. */
  readonly projects: Map<string, FakeProject>;
  readonly contacts: Map<string, FakeContact>;
  readonly entities: Map<string, FakeEntity>;
  readonly documents: Map<string, FakeDocument>;
  /** Upserts received, in order (`created` tells which made a new record). */
  readonly upserts: Array<{ resource: "projects" | "contacts" | "entities"; externalId: string; created: boolean; changed: boolean }>;
  /** Add generated projects (see `generateProjects`); returns them in `updated_at` order. */
  seedProjects(options: Omit<GenerateProjectsOptions, "count"> & { count: number }): FakeProject[];
  /** Add one project (missing fields get realistic values). */
  addProject(project?: Partial<FakeProject>): FakeProject;
  addContact(contact: Partial<FakeContact> & { name: string; type: string }): FakeContact;
  addEntity(entity: Partial<FakeEntity> & { name: string; entity_type: string }): FakeEntity;
  addDocument(document: Partial<FakeDocument> & { project_id: string; name: string }): FakeDocument;
  /** Answer the next matching request(s) with an error. */
  failNext(failure: FakeFailure): void;
  /** BPO's own read-only switch: POSTs answer 403 PERMISSION_DENIED while on. */
  setReadOnly(readOnly: boolean): void;
  /** Write the fake's projects as a nightly export file (what BPO's batch job would deliver). */
  writeExport(options: Omit<WriteBpoExportOptions, "projects" | "rows">): Promise<WrittenExport>;
  /** Forget every record, upsert, failure and the read-only switch. */
  reset(): void;
}

const CODES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ALREADY_EXISTS",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

const STATUS = /^[A-Z][A-Z0-9_]*$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function errorResponse(status: number, message: string, details?: FakeErrorDetail[], headers: Record<string, string> = {}, code = CODES[status] ?? "UNKNOWN"): Response {
  return HttpResponse.json(
    { error: { code, message, status, ...(details && details.length > 0 ? { details } : {}) } },
    { status, headers: { "x-request-id": randomUUID(), ...headers } },
  );
}

function json(body: unknown, status = 200): Response {
  return HttpResponse.json(body as never, { status, headers: { "x-request-id": randomUUID() } });
}

type Body = Record<string, unknown>;

function optionalString(body: Body, field: string, details: FakeErrorDetail[], check?: (v: string) => string | undefined): void {
  const value = body[field];
  if (value === undefined || value === null) return;
  if (typeof value !== "string" || value.trim() === "") {
    details.push({ field, message: "must be a non-empty string" });
    return;
  }
  const problem = check?.(value);
  if (problem) details.push({ field, message: problem });
}

function requiredString(body: Body, field: string, details: FakeErrorDetail[], check?: (v: string) => string | undefined): void {
  if (body[field] === undefined || body[field] === null) details.push({ field, message: "is required" });
  else optionalString(body, field, details, check);
}

interface ListQuery {
  limit: number;
  offset: number;
  updatedSince: number | undefined;
}

/**
 * Create a BPO fake.
 * @example
 * const fake = createBpoFake();
 * fake.seedProjects({ count: 250 });
 * const server = await serveHandlers(fake.handlers);
 * const bpo = createBpoClient({ baseUrl: server.url, apiKey: fake.apiKey });
 * @public
 */
export function createBpoFake(options: BpoFakeOptions = {}): BpoFake {
  const apiKey = options.apiKey ?? "bpo_test_key_0000";
  const maxPageSize = options.maxPageSize ?? 100;
  const clock = options.now ?? Date.now;
  let random = createRandom(options.seed ?? 7);
  let last = 0;
  /** Strictly increasing write times, so `updated_since` paging has a total order. */
  const stamp = (): string => {
    last = Math.max(clock(), last + 1);
    return new Date(last).toISOString();
  };
  const projects = new Map<string, FakeProject>();
  const contacts = new Map<string, FakeContact>();
  const entities = new Map<string, FakeEntity>();
  const documents = new Map<string, FakeDocument>();
  const upserts: BpoFake["upserts"] = [];
  let failures: Array<FakeFailure & { left: number }> = [];
  let readOnly = false;

  const readQuery = (url: URL): ListQuery | Response => {
    const details: FakeErrorDetail[] = [];
    const limitText = url.searchParams.get("limit") ?? "100";
    const offsetText = url.searchParams.get("offset") ?? "0";
    const limit = Number(limitText);
    const offset = Number(offsetText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > maxPageSize) details.push({ field: "limit", message: `must be an integer from 1 to ${maxPageSize}` });
    if (!/^\d+$/.test(offsetText)) details.push({ field: "offset", message: "must be a non-negative integer" });
    const since = url.searchParams.get("updated_since");
    if (since !== null && !ISO.test(since)) details.push({ field: "updated_since", message: "must be an ISO 8601 timestamp with a time zone" });
    if (details.length > 0) return errorResponse(400, "Invalid query parameters", details);
    return { limit: Math.min(limit, options.capPageSizeAt ?? limit), offset, updatedSince: since === null ? undefined : Date.parse(since) };
  };

  const page = <T extends { id: string; updated_at: string }>(rows: Iterable<T>, query: ListQuery, filter: (row: T) => boolean = () => true): Response => {
    const matching = [...rows]
      .filter((row) => (query.updatedSince === undefined || Date.parse(row.updated_at) >= query.updatedSince) && filter(row))
      .sort((a, b) => (a.updated_at < b.updated_at ? -1 : a.updated_at > b.updated_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const data = matching.slice(query.offset, query.offset + query.limit);
    return json({ data, pagination: { total: matching.length, limit: query.limit, offset: query.offset, has_more: query.offset + data.length < matching.length } });
  };

  const listFilter = (url: URL, param: string, valid: (value: string) => boolean): string[] | Response | undefined => {
    const raw = url.searchParams.get(param);
    if (raw === null) return undefined;
    const values = raw.split(",").map((s) => s.trim());
    const bad = values.filter((v) => !valid(v));
    if (bad.length > 0) return errorResponse(400, `Invalid ${param}: ${bad.join(", ")}`, [{ field: param, message: `unknown value ${bad.map((b) => JSON.stringify(b)).join(", ")}` }]);
    return values;
  };

  const readBody = async (request: Request): Promise<Body | Response> => {
    try {
      const body = (await request.json()) as unknown;
      if (!body || typeof body !== "object" || Array.isArray(body)) return errorResponse(400, "The request body must be a JSON object");
      return body as Body;
    } catch {
      return errorResponse(400, "The request body is not valid JSON");
    }
  };

  const metadataProblems = (body: Body, details: FakeErrorDetail[]): void => {
    const metadata = body.metadata;
    if (metadata === undefined) return;
    if (!metadata || typeof metadata !== "object") details.push({ field: "metadata", message: "must be an object" });
    else {
      const m = metadata as Body;
      optionalString(m, "source", details);
      if (m.sync_timestamp !== undefined && (typeof m.sync_timestamp !== "string" || !ISO.test(m.sync_timestamp))) details.push({ field: "metadata.sync_timestamp", message: "must be an ISO 8601 timestamp" });
    }
  };

  /** The shared upsert: find by external_id, create (201) or update (200); answer `{ id, external_id, created_at, updated_at }`. */
  const upsert = <T extends { id: string; external_id?: string | null; created_at: string; updated_at: string }>(
    resource: "projects" | "contacts" | "entities",
    store: Map<string, T>,
    body: Body,
    fields: readonly string[],
    build: (id: string, at: string) => T,
  ): Response => {
    const externalId = body.external_id as string;
    const existing = [...store.values()].find((r) => r.external_id === externalId);
    if (existing) {
      const record = existing as unknown as Record<string, unknown>;
      const changed = fields.some((f) => body[f] !== undefined && JSON.stringify(record[f]) !== JSON.stringify(body[f]));
      for (const f of fields) if (body[f] !== undefined) record[f] = body[f];
      if (body.metadata !== undefined) record.metadata = body.metadata;
      if (changed) existing.updated_at = stamp();
      upserts.push({ resource, externalId, created: false, changed });
      return json({ id: existing.id, external_id: externalId, created_at: existing.created_at, updated_at: existing.updated_at }, 200);
    }
    const at = stamp();
    const created = build(firestoreId(random), at);
    store.set(created.id, created);
    upserts.push({ resource, externalId, created: true, changed: true });
    return json({ id: created.id, external_id: externalId, created_at: created.created_at, updated_at: created.updated_at }, 201);
  };

  const gate = http.all("*/api/v1/*", ({ request }) => {
    const url = new URL(request.url);
    if (request.headers.get("authorization") !== `Bearer ${apiKey}`) return errorResponse(401, "Missing or invalid API key");
    const failure = failures.find(
      (f) => f.left > 0 && (!f.method || f.method === request.method) && (!f.path || url.pathname.startsWith(f.path)) && (f.offset === undefined || url.searchParams.get("offset") === String(f.offset)),
    );
    if (failure) {
      failure.left -= 1;
      if (failure.body !== undefined) return HttpResponse.json(failure.body as never, { status: failure.status, headers: failure.headers });
      return errorResponse(failure.status, failure.message ?? `Scripted failure ${failure.status}`, undefined, failure.headers, failure.code);
    }
    if (request.method === "POST" && readOnly) return errorResponse(403, "BPO is read-only: writes are disabled (deprecation plan)");
    return undefined;
  });

  const handlers: RequestHandler[] = [
    gate,
    http.get("*/api/v1/projects", ({ request }) => {
      const url = new URL(request.url);
      const query = readQuery(url);
      if (query instanceof Response) return query;
      const statuses = listFilter(url, "status", (v) => STATUS.test(v));
      if (statuses instanceof Response) return statuses;
      return page(projects.values(), query, (p) => !statuses || statuses.includes(p.status));
    }),
    http.post("*/api/v1/projects", async ({ request }) => {
      const body = await readBody(request);
      if (body instanceof Response) return body;
      const details: FakeErrorDetail[] = [];
      requiredString(body, "external_id", details);
      requiredString(body, "address", details);
      requiredString(body, "status", details, (v) => (STATUS.test(v) ? undefined : "must be an upper-case status"));
      optionalString(body, "city", details);
      optionalString(body, "state", details, (v) => (/^[A-Z]{2}$/.test(v) ? undefined : "must be a two-letter state code"));
      optionalString(body, "zip", details, (v) => (/^\d{5}(-\d{4})?$/.test(v) ? undefined : "must be a ZIP code"));
      optionalString(body, "assigned_to", details);
      if (body.purchase_price !== undefined && body.purchase_price !== null && (typeof body.purchase_price !== "number" || !(body.purchase_price >= 0))) {
        details.push({ field: "purchase_price", message: "must be a non-negative number" });
      }
      metadataProblems(body, details);
      if (details.length > 0) return errorResponse(400, "Invalid project", details);
      return upsert("projects", projects, body, ["address", "city", "state", "zip", "status", "assigned_to", "purchase_price"], (id, at) => ({
        id,
        external_id: body.external_id as string,
        address: body.address as string,
        city: (body.city as string | undefined) ?? null,
        state: (body.state as string | undefined) ?? null,
        zip: (body.zip as string | undefined) ?? null,
        status: body.status as string,
        submitted_by: null,
        submitted_at: null,
        purchase_price: (body.purchase_price as number | undefined) ?? null,
        list_price: null,
        notes: null,
        assigned_to: (body.assigned_to as string | undefined) ?? null,
        created_at: at,
        updated_at: at,
        ...(body.metadata ? { metadata: body.metadata } : {}),
      }));
    }),
    http.get("*/api/v1/contacts", ({ request }) => {
      const url = new URL(request.url);
      const query = readQuery(url);
      if (query instanceof Response) return query;
      const types = listFilter(url, "type", (v) => ["BUILDER", "BROKER", "LANDOWNER"].includes(v));
      if (types instanceof Response) return types;
      return page(contacts.values(), query, (c) => !types || types.includes(c.type));
    }),
    http.post("*/api/v1/contacts", async ({ request }) => {
      const body = await readBody(request);
      if (body instanceof Response) return body;
      const details: FakeErrorDetail[] = [];
      requiredString(body, "external_id", details);
      requiredString(body, "name", details);
      requiredString(body, "type", details, (v) => (["BUILDER", "BROKER", "LANDOWNER"].includes(v) ? undefined : "must be BUILDER, BROKER or LANDOWNER"));
      optionalString(body, "email", details, (v) => (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v) ? undefined : "must be an email address"));
      optionalString(body, "phone", details);
      optionalString(body, "company", details);
      metadataProblems(body, details);
      if (details.length > 0) return errorResponse(400, "Invalid contact", details);
      return upsert("contacts", contacts, body, ["type", "name", "email", "phone", "company"], (id, at) => ({
        id,
        external_id: body.external_id as string,
        type: body.type as string,
        name: body.name as string,
        email: (body.email as string | undefined) ?? null,
        phone: (body.phone as string | undefined) ?? null,
        company: (body.company as string | undefined) ?? null,
        created_at: at,
        updated_at: at,
      }));
    }),
    http.get("*/api/v1/entities", ({ request }) => {
      const query = readQuery(new URL(request.url));
      if (query instanceof Response) return query;
      return page(entities.values(), query);
    }),
    http.post("*/api/v1/entities", async ({ request }) => {
      const body = await readBody(request);
      if (body instanceof Response) return body;
      const details: FakeErrorDetail[] = [];
      requiredString(body, "external_id", details);
      requiredString(body, "name", details);
      requiredString(body, "entity_type", details);
      optionalString(body, "state_of_formation", details, (v) => (/^[A-Z]{2}$/.test(v) ? undefined : "must be a two-letter state code"));
      metadataProblems(body, details);
      if (details.length > 0) return errorResponse(400, "Invalid entity", details);
      return upsert("entities", entities, body, ["name", "entity_type", "state_of_formation"], (id, at) => ({
        id,
        external_id: body.external_id as string,
        name: body.name as string,
        entity_type: body.entity_type as string,
        state_of_formation: (body.state_of_formation as string | undefined) ?? null,
        created_at: at,
        updated_at: at,
      }));
    }),
    http.get("*/api/v1/documents", ({ request }) => {
      const url = new URL(request.url);
      const query = readQuery(url);
      if (query instanceof Response) return query;
      const projectId = url.searchParams.get("project_id");
      if (!projectId) return errorResponse(400, "project_id is required", [{ field: "project_id", message: "is required" }]);
      if (!projects.has(projectId)) return errorResponse(404, `Project ${projectId} not found`);
      return page(documents.values(), query, (d) => d.project_id === projectId);
    }),
    // An endpoint this fake lacks answers a distinctive 501, not a vendor-like 404 that reads as a bug in the caller (issue 21).
    notImplementedHandler("@connect/bpo/testing", "*/api/v1/*"),
  ];

  const fake: BpoFake = {
    handlers,
    apiKey,
    projects,
    contacts,
    entities,
    documents,
    upserts,
    seedProjects(seedOptions) {
      const added = [...generateProjects({ seed: options.seed, ...seedOptions })];
      for (const project of added) projects.set(project.id, project);
      return added;
    },
    addProject(partial = {}) {
      const [generated] = generateProjects({ count: 1, seed: Math.floor(random() * 2 ** 31) });
      const at = partial.updated_at ?? stamp();
      const project: FakeProject = { ...generated!, created_at: at, updated_at: at, ...partial, id: partial.id ?? firestoreId(random) };
      projects.set(project.id, project);
      return project;
    },
    addContact(partial) {
      const at = partial.updated_at ?? stamp();
      const contact: FakeContact = { external_id: null, email: null, phone: null, company: null, created_at: at, ...partial, updated_at: at, id: partial.id ?? firestoreId(random) };
      contacts.set(contact.id, contact);
      return contact;
    },
    addEntity(partial) {
      const at = partial.updated_at ?? stamp();
      const entity: FakeEntity = { external_id: null, state_of_formation: null, created_at: at, ...partial, updated_at: at, id: partial.id ?? firestoreId(random) };
      entities.set(entity.id, entity);
      return entity;
    },
    addDocument(partial) {
      const at = partial.updated_at ?? stamp();
      const document: FakeDocument = { type: null, url: null, size_bytes: null, uploaded_at: at, ...partial, updated_at: at, id: partial.id ?? firestoreId(random) };
      documents.set(document.id, document);
      return document;
    },
    failNext(failure) {
      failures.push({ ...failure, left: failure.times ?? 1 });
    },
    setReadOnly(value) {
      readOnly = value;
    },
    writeExport(exportOptions) {
      const sorted = [...projects.values()].sort((a, b) => (a.updated_at < b.updated_at ? -1 : a.updated_at > b.updated_at ? 1 : 0));
      return writeBpoExport({ ...exportOptions, projects: sorted });
    },
    reset() {
      projects.clear();
      contacts.clear();
      entities.clear();
      documents.clear();
      upserts.length = 0;
      failures = [];
      readOnly = false;
      last = 0;
      random = createRandom(options.seed ?? 7);
    },
  };
  return fake;
}

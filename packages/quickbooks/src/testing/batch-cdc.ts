/**
 * The fake's batch and change-data-capture endpoints (shared/vendors/quickbooks.md §5), as
 * node-quickbooks 2.0.50 calls them (`batch(items)` → `POST /batch`, `changeDataCapture(entities,
 * since)` → `GET /cdc?entities=…&changedSince=…`):
 * - batch items run one after another and cannot see each other's results; a failing item's
 *   Fault comes back inside the HTTP 200, beside the others' answers;
 * - CDC lists, per entity, what changed since a time (deleted rows as `status: "Deleted"` stubs),
 *   at most 1000 objects in all, looking back at most 30 days.
 * Before anything runs, a request naming something the fake lacks (an entity it does not store,
 * a create of an entity it does not write) is reported, so the fake answers its 501 instead of a
 * half-executed batch.
 */
import { FAKE_ENTITIES, FakeFault, FAULTS, WRITABLE, type FakeFaultEntry, type Ledger } from "./ledger.js";
import { parseQuery, QueryEntityNotStoredError, QueryParseError, QUICKBOOKS_QUERY_ENTITIES } from "./query-engine.js";

/** What the batch and CDC handlers need from the fake. @internal */
export interface BatchCdcContext {
  ledger: Ledger;
  /** One statement's `QueryResponse` (throws FakeFault on a bad statement). */
  runStatement(statement: string): Record<string, unknown>;
  now: () => number;
  /** Most items in one batch (Intuit: 30 [? an older page says 10]). */
  maxBatchItems: number;
  /** How far back CDC may look, in days (Intuit: 30). */
  cdcLookBackDays: number;
}

/** The request names something the fake does not implement; `detail` says what. @internal */
export class NotInFakeError extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

const BATCH_OPERATIONS = new Set(["create", "update", "delete"]);
const CDC_MAX_OBJECTS = 1000;

const canonical = (name: string): string | undefined => FAKE_ENTITIES.find((e) => e.toLowerCase() === name.toLowerCase());
const isQuickBooksEntity = (name: string): boolean => QUICKBOOKS_QUERY_ENTITIES.some((e) => e.toLowerCase() === name.toLowerCase());
const itemFault = (f: FakeFault): { type: string; Error: FakeFaultEntry[] } => ({ type: f.type, Error: f.errors.map((e) => ({ element: "", ...e })) });

interface PlannedItem {
  bId: string;
  query?: string;
  operation?: string;
  entity?: string;
  body?: unknown;
}

/** Check the whole batch before running any of it: shape, size, and whether the fake has what it names. */
function plan(ctx: BatchCdcContext, body: Record<string, unknown>): PlannedItem[] {
  const items = body.BatchItemRequest;
  if (!Array.isArray(items) || items.length === 0) throw FAULTS.required("BatchItemRequest");
  if (items.length > ctx.maxBatchItems) throw FAULTS.business(`a batch takes at most ${ctx.maxBatchItems} items; this one has ${items.length}`, "BatchItemRequest");
  const seen = new Set<string>();
  return items.map((raw: unknown, index): PlannedItem => {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw FAULTS.required(`BatchItemRequest.${index}`);
    const item = raw as Record<string, unknown>;
    if (typeof item.bId !== "string" || item.bId === "") throw FAULTS.required(`BatchItemRequest.${index}.bId`);
    if (seen.has(item.bId)) throw FAULTS.business(`bId ${item.bId} is used twice in one batch`, `BatchItemRequest.${index}.bId`);
    seen.add(item.bId);
    if (typeof item.Query === "string") {
      try {
        parseQuery(item.Query, FAKE_ENTITIES);
      } catch (error) {
        if (error instanceof QueryEntityNotStoredError) throw new NotInFakeError(`batch query on ${error.entity}`);
        if (!(error instanceof QueryParseError)) throw error;
        // A bad statement is that item's Fault, answered when the batch runs.
      }
      return { bId: item.bId, query: item.Query };
    }
    const names = Object.keys(item).filter((k) => k !== "bId" && k !== "operation" && k !== "optionsData");
    const operation = typeof item.operation === "string" ? item.operation : "";
    const name = names[0] ?? "";
    const entity = canonical(name);
    if (names.length === 1 && BATCH_OPERATIONS.has(operation)) {
      if (!entity && isQuickBooksEntity(name)) throw new NotInFakeError(`batch ${operation} of ${name}`);
      if (entity && operation !== "delete" && !WRITABLE.has(entity)) throw new NotInFakeError(`batch ${operation} of ${entity}`);
    }
    return { bId: item.bId, operation, entity: entity ?? name, body: names.length === 1 ? item[name] : undefined };
  });
}

function runItem(ctx: BatchCdcContext, item: PlannedItem): Record<string, unknown> {
  try {
    if (item.query !== undefined) return { bId: item.bId, QueryResponse: ctx.runStatement(item.query) };
    const entity = item.entity ?? "";
    if (!BATCH_OPERATIONS.has(item.operation ?? "") || !canonical(entity)) throw FAULTS.unsupported(`${item.operation || "(no operation)"} on ${entity || "(no entity)"} in a batch`);
    if (!item.body || typeof item.body !== "object" || Array.isArray(item.body)) throw FAULTS.required(entity);
    const body = item.body as Record<string, unknown>;
    if (item.operation === "delete") return { bId: item.bId, [entity]: ctx.ledger.remove(entity, body) };
    if (item.operation === "update") return { bId: item.bId, [entity]: ctx.ledger.update(entity, body) };
    return { bId: item.bId, [entity]: ctx.ledger.create(entity, body) };
  } catch (error) {
    if (error instanceof FakeFault) return { bId: item.bId, Fault: itemFault(error) };
    throw error;
  }
}

/**
 * `POST /batch`: the `BatchItemResponse` list, one answer per item in order. Throws FakeFault
 * for a malformed batch and NotInFakeError when it names something the fake lacks.
 * @internal
 */
export function runBatch(ctx: BatchCdcContext, body: Record<string, unknown>): Array<Record<string, unknown>> {
  return plan(ctx, body).map((item) => runItem(ctx, item));
}

/** `changedSince` as sent: node-quickbooks does not encode it, so a `+hh:mm` offset arrives as a space. */
function parseSince(value: string | null): number {
  if (!value) throw FAULTS.required("changedSince");
  const at = Date.parse(value);
  if (!Number.isNaN(at)) return at;
  const repaired = Date.parse(value.replace(" ", "+"));
  if (Number.isNaN(repaired)) throw FAULTS.business(`changedSince ${value} is not a date-time such as 2026-01-05T12:00:00-08:00`, "changedSince");
  return repaired;
}

/**
 * `GET /cdc`: per requested entity (in the order asked), the rows changed since `changedSince`,
 * the latest state of each, deleted ones as stubs. Throws FakeFault or NotInFakeError.
 * @internal
 */
export function runCdc(ctx: BatchCdcContext, url: URL): Record<string, unknown> {
  const requested = (url.searchParams.get("entities") ?? "").split(",").map((e) => e.trim()).filter(Boolean);
  if (requested.length === 0) throw FAULTS.required("entities");
  const entities = requested.map((name) => {
    const entity = canonical(name);
    if (entity) return entity;
    if (isQuickBooksEntity(name)) throw new NotInFakeError(`change data capture of ${name}`);
    throw new FakeFault(400, "ValidationFault", [{ Message: "Error parsing query", Detail: `QueryValidationError: Invalid context declaration : ${name}`, code: "4000" }]);
  });
  const since = parseSince(url.searchParams.get("changedSince"));
  if (ctx.now() - since > ctx.cdcLookBackDays * 86_400_000) {
    // Intuit documents the 30-day limit; the exact Fault it sends beyond it is not documented [?].
    throw FAULTS.business(`changedSince may look back at most ${ctx.cdcLookBackDays} days`, "changedSince");
  }
  let budget = CDC_MAX_OBJECTS;
  const responses = entities.map((entity) => {
    const latest = new Map<string, string>();
    for (const change of ctx.ledger.changes) {
      if (change.entity === entity && Date.parse(change.lastUpdated) >= since) latest.set(change.entityId, change.lastUpdated);
    }
    const rows = [...latest.entries()]
      .sort((a, b) => Date.parse(a[1]) - Date.parse(b[1]))
      .slice(0, Math.max(0, budget))
      .map(([id, lastUpdated]) => {
        const row = ctx.ledger.tables.get(entity)?.get(id);
        return row ? ctx.ledger.view(entity, row) : { Id: id, status: "Deleted", domain: "QBO", MetaData: { LastUpdatedTime: lastUpdated } };
      });
    budget -= rows.length;
    return rows.length === 0 ? {} : { [entity]: rows, startPosition: 1, maxResults: rows.length };
  });
  return { CDCResponse: [{ QueryResponse: responses }] };
}

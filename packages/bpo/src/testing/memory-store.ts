/**
 * An in-memory implementation of the import's store, for tests and demos: it keeps each
 * project with the platform's status and `updatedAt`, remembers the BPO version it imported,
 * and lets a test play the platform (move a project to FEASIBILITY, edit it later).
 */
import type { StoredProjectState, TimeValue } from "@connect/bpo";
import type { BpoImportStore } from "@connect/bpo";
import type { BpoProjectRecord } from "@connect/bpo";

/** A project as the memory store holds it. @public */
export interface MemoryStoredProject extends BpoProjectRecord {
  /** When the platform last changed it (ISO). */
  updatedAt: string;
}

/** The memory store and its controls. @public */
export interface MemoryImportStore extends BpoImportStore {
  /** Projects by BPO id. */
  readonly records: Map<string, MemoryStoredProject>;
  /** Every write in order. */
  readonly writes: Array<{ op: "create" | "update"; externalId: string; row: number }>;
  /** Play the platform: change a project's status and/or when it was last changed. */
  edit(externalId: string, changes: { status?: string; updatedAt?: TimeValue; [field: string]: unknown }): void;
  /** The stored projects sorted by id (to compare two stores). */
  snapshot(): MemoryStoredProject[];
}

/** Options of {@link createMemoryImportStore}. @public */
export interface MemoryImportStoreOptions {
  /**
   * The `updatedAt` a write stamps: `source` (default: BPO's `updated_at`, as a mirror would) or
   * `now` (the import time, as a platform database with an `updated_at` trigger would).
   */
  stamp?: "source" | "now" | undefined;
  /** Clock for `stamp: "now"`. */
  now?: (() => number) | undefined;
}

function iso(value: TimeValue): string {
  return new Date(value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(value)).toISOString();
}

/** Create an in-memory import store. @public */
export function createMemoryImportStore(options: MemoryImportStoreOptions = {}): MemoryImportStore {
  const records = new Map<string, MemoryStoredProject>();
  const writes: MemoryImportStore["writes"] = [];
  const now = options.now ?? Date.now;
  const stampOf = (record: BpoProjectRecord): string => (options.stamp === "now" ? new Date(now()).toISOString() : record.sourceUpdatedAt);
  return {
    records,
    writes,
    async findByExternalId(externalId): Promise<StoredProjectState | undefined> {
      const found = records.get(externalId);
      return found ? { status: found.status, updatedAt: found.updatedAt, sourceUpdatedAt: found.sourceUpdatedAt } : undefined;
    },
    async create(record, ctx) {
      if (records.has(record.externalId)) throw new Error(`duplicate key ${record.externalId}`);
      records.set(record.externalId, { ...record, updatedAt: stampOf(record) });
      writes.push({ op: "create", externalId: record.externalId, row: ctx.row });
    },
    async update(externalId, record, ctx) {
      if (!records.has(externalId)) throw new Error(`no record ${externalId}`);
      records.set(externalId, { ...record, updatedAt: stampOf(record) });
      writes.push({ op: "update", externalId, row: ctx.row });
    },
    edit(externalId, changes) {
      const found = records.get(externalId);
      if (!found) throw new Error(`no record ${externalId}`);
      const { updatedAt, ...rest } = changes;
      Object.assign(found, rest, updatedAt === undefined ? {} : { updatedAt: iso(updatedAt) });
    },
    snapshot() {
      return [...records.values()].sort((a, b) => (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0)).map((r) => ({ ...r }));
    },
  };
}

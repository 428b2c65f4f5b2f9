/**
 * The embedded database under the default backend: one `node:sqlite` file in WAL mode, shared by
 * the job tables, the dead letters and the idempotency and dedupe stores. `node:sqlite` is loaded
 * when the first database opens (not at import), so hosts that never use it never load it.
 *
 * Writes go through {@link SqliteDatabase.write}: every write requested in the same turn of the
 * event loop shares one `BEGIN IMMEDIATE … COMMIT` (group commit), and each caller's promise
 * settles only after that commit, so a resolved enqueue or ack is on disk.
 */
import { StoreUnavailableError } from "@connect/core";
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** How hard each commit is pushed to disk. @public */
export type SqliteSynchronous = "normal" | "full";

/** Options shared by everything stored in one SQLite file. @public */
export interface SqliteDatabaseOptions {
  /** File path, or `:memory:` for a database that dies with the process (tests only). */
  path: string;
  /**
   * `normal` (default): WAL with `synchronous=NORMAL` — nothing committed is lost when the process
   * crashes or is killed; the last commits may be lost if the machine loses power. `full`: every
   * commit is fsynced, surviving power loss too, at some cost in throughput.
   */
  synchronous?: SqliteSynchronous | undefined;
  /** How long a write waits for another process holding the file's write lock (default 5 000 ms). */
  busyTimeoutMs?: number | undefined;
}

/** One open database file. @internal */
export interface SqliteDatabase {
  readonly path: string;
  /** Run `op` inside the next group commit; resolves with its result once committed. */
  write<T>(op: () => T): Promise<T>;
  /** Run a read at once (outside any transaction). */
  read<T>(op: () => T): T;
  /** A cached prepared statement. */
  statement(sql: string): StatementSync;
  /** Run DDL. */
  exec(sql: string): void;
  /** Close the file (after pending writes). */
  close(): Promise<void>;
}

type SqliteModule = typeof import("node:sqlite");

function loadSqlite(): SqliteModule {
  const get = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const mod = get?.("node:sqlite") as SqliteModule | undefined;
  if (!mod?.DatabaseSync) {
    throw new StoreUnavailableError(`node:sqlite is not available in Node.js ${process.versions.node}; the embedded job backend needs Node.js 22.13 or later (or use the BullMQ or SQS backend)`, {
      component: "jobs",
      vendor: "jobs",
      retryable: false,
    });
  }
  return mod;
}

/** Map an SQLite failure (locked, full disk, unwritable file) to the SDK's store error. @internal */
export function storeError(error: unknown, action: string, path: string): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`the job database ${path} could not ${action}: ${message}`, { component: "jobs", vendor: "jobs", cause: error });
}

/** Open (and share, per path) a database. @internal */
export function openDatabase(options: SqliteDatabaseOptions): SqliteDatabase {
  const { DatabaseSync } = loadSqlite();
  const path = options.path;
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { timeout: options.busyTimeoutMs ?? 5_000 } as ConstructorParameters<typeof DatabaseSync>[1]);
    db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}; PRAGMA busy_timeout = ${Math.floor(options.busyTimeoutMs ?? 5_000)};`);
  } catch (error) {
    throw storeError(error, "be opened", path);
  }
  const statements = new Map<string, StatementSync>();
  let pending: Array<{ op: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void }> = [];
  let scheduled = false;
  let closed = false;

  function flush(): void {
    scheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const results: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      db.exec("BEGIN IMMEDIATE");
    } catch (error) {
      const failure = storeError(error, "start a write", path);
      for (const item of batch) item.reject(failure);
      return;
    }
    for (const item of batch) {
      try {
        results.push({ ok: true, value: item.op() });
      } catch (error) {
        results.push({ ok: false, error });
      }
    }
    try {
      db.exec("COMMIT");
    } catch (error) {
      try {
        db.exec("ROLLBACK");
      } catch {
        // already rolled back by SQLite
      }
      const failure = storeError(error, "commit", path);
      for (const item of batch) item.reject(failure);
      return;
    }
    batch.forEach((item, i) => {
      const result = results[i]!;
      if (result.ok) item.resolve(result.value);
      else item.reject(result.error);
    });
  }

  return {
    path,
    write<T>(op: () => T): Promise<T> {
      if (closed) return Promise.reject(new StoreUnavailableError(`the job database ${path} is closed`, { component: "jobs", vendor: "jobs" }));
      return new Promise<T>((resolve, reject) => {
        pending.push({ op, resolve: resolve as (value: unknown) => void, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    read(op) {
      try {
        return op();
      } catch (error) {
        throw storeError(error, "be read", path);
      }
    },
    statement(sql) {
      let found = statements.get(sql);
      if (!found) {
        found = db.prepare(sql);
        statements.set(sql, found);
      }
      return found;
    },
    exec(sql) {
      try {
        db.exec(sql);
      } catch (error) {
        throw storeError(error, "create its tables", path);
      }
    },
    async close() {
      if (closed) return;
      flush();
      closed = true;
      db.close();
    },
  };
}

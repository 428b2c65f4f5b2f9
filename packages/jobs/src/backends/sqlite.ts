/**
 * The embedded default backend: jobs in one `node:sqlite` file (WAL). A job is a row; taking it is
 * one `UPDATE … RETURNING` inside `BEGIN IMMEDIATE`, ordered by the time it became available; the
 * lease is the same `available_at` column (a job whose lease ran out is simply available again),
 * guarded by a per-delivery token so a worker that lost its lease cannot ack someone else's run.
 * Several processes on one host may share the file.
 */
import { randomUUID } from "node:crypto";
import type { DeadLetterSink, DedupeStore, IdempotencyStore } from "@connect/core";
import type { BackendJob, BackendStats, ConsumeOptions, JobBackend, JobConsumer, JobDelivery } from "../backend.js";
import { LeaseLostError } from "../errors.js";
import { decodeRecord, encodeRecord } from "../record.js";
import { openDatabase, type SqliteDatabaseOptions } from "./sqlite-db.js";
import { createSqliteDeadLetterSink, createSqliteDedupeStore, createSqliteIdempotencyStore } from "./sqlite-stores.js";

/** Options of {@link createSqliteBackend}. @public */
export interface SqliteBackendOptions extends SqliteDatabaseOptions {
  /** How long a completed job's id is remembered, so enqueueing it again is a no-op (default 24 h). */
  keepCompletedMs?: number | undefined;
  /** How often an idle worker looks for work enqueued by other processes (default 250 ms). */
  pollMs?: number | undefined;
  /** Clock (default `Date.now`). */
  now?: (() => number) | undefined;
}

/** The SQLite backend, with the durable stores that share its file. @public */
export interface SqliteBackend extends JobBackend {
  /** Dead letters in the same file (the default sink of queues on this backend). */
  readonly deadLetters: DeadLetterSink;
  /** An idempotency store in the same file: keys survive a crash (for outbox writes with no vendor key). */
  readonly idempotencyStore: IdempotencyStore;
  /** A webhook dedupe store in the same file. */
  readonly dedupeStore: DedupeStore;
  /** The database file path. */
  readonly path: string;
}

interface TakenRow {
  id: string;
  record: string;
  attempts: number;
}

/**
 * The embedded job backend on `node:sqlite`: no server, no native dependency, one file.
 * @example
 * const backend = createSqliteBackend({ path: "./var/connect-jobs.db" });
 * const queue = createJobQueue({ backend, jobs });
 * @public
 */
export function createSqliteBackend(options: SqliteBackendOptions): SqliteBackend {
  const db = openDatabase(options);
  const now = options.now ?? Date.now;
  const keepCompletedMs = options.keepCompletedMs ?? 24 * 60 * 60 * 1000;
  const pollMs = options.pollMs ?? 250;
  db.exec(`
    CREATE TABLE IF NOT EXISTS connect_jobs (
      queue TEXT NOT NULL,
      id TEXT NOT NULL,
      name TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('waiting', 'active', 'done')),
      available_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      lease_token TEXT,
      record TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (queue, id)
    );
    CREATE INDEX IF NOT EXISTS connect_jobs_ready ON connect_jobs (queue, available_at) WHERE state != 'done';
    CREATE INDEX IF NOT EXISTS connect_jobs_done ON connect_jobs (available_at) WHERE state = 'done';
  `);
  const deadLetters = createSqliteDeadLetterSink({ database: db, now });
  const idempotencyStore = createSqliteIdempotencyStore({ database: db, now });
  const dedupeStore = createSqliteDedupeStore({ database: db, now });
  // Consumers in this process are woken at once by enqueues and retries made here; other
  // processes' work is found by polling.
  const wakers = new Map<string, Set<() => void>>();
  const wake = (queue: string): void => {
    for (const w of wakers.get(queue) ?? []) w();
  };
  let lastPurge = 0;

  function purgeDone(): void {
    const at = now();
    if (at - lastPurge < 60_000) return;
    lastPurge = at;
    db.write(() => db.statement("DELETE FROM connect_jobs WHERE state = 'done' AND available_at < ?").run(at - keepCompletedMs)).catch(() => undefined);
  }

  function delivery(queue: string, row: TakenRow, token: string, onEnd: () => void): JobDelivery {
    let ended = false;
    const guard = (action: string): void => {
      if (ended) throw new LeaseLostError(`job ${row.id}: ${action} after the delivery already ended`, { queue, jobId: row.id });
    };
    // Every change is conditional on this delivery's token: after the lease ran out and another
    // worker took the job, the row carries that worker's token and nothing here touches it.
    const change = (action: string, sql: string, ...params: Array<string | number | null>): Promise<void> =>
      db.write(() => {
        const result = db.statement(sql).run(...params, queue, row.id, token);
        if (Number(result.changes) === 0) {
          throw new LeaseLostError(`job ${row.id} in queue ${queue}: could not ${action}; its lease ran out and another worker may hold it`, { queue, jobId: row.id });
        }
      });
    const end = (action: string, sql: string, ...params: Array<string | number | null>): Promise<void> => {
      try {
        guard(action);
      } catch (error) {
        return Promise.reject(error);
      }
      ended = true;
      const written = change(action, sql, ...params);
      // The handler is done: the slot frees now, so the consumer's next take joins this write's commit.
      onEnd();
      return written;
    };
    return {
      record: decodeRecord(row.record),
      raw: row.record,
      attempt: row.attempts,
      deliveryId: `${queue}/${row.id}#${row.attempts}`,
      extend(ms) {
        try {
          guard("extend its lease");
        } catch (error) {
          return Promise.reject(error);
        }
        return change("extend its lease", "UPDATE connect_jobs SET available_at = ? WHERE state = 'active' AND queue = ? AND id = ? AND lease_token = ?", now() + ms);
      },
      complete() {
        return end("complete", "UPDATE connect_jobs SET state = 'done', available_at = ?, record = '{}', lease_token = NULL WHERE state = 'active' AND queue = ? AND id = ? AND lease_token = ?", now());
      },
      retry(runAt, record) {
        return end("schedule a retry", "UPDATE connect_jobs SET state = 'waiting', available_at = ?, record = ?, lease_token = NULL WHERE state = 'active' AND queue = ? AND id = ? AND lease_token = ?", runAt, encodeRecord(record)).then(() => wake(queue));
      },
      discard() {
        return end("discard", "DELETE FROM connect_jobs WHERE state = 'active' AND queue = ? AND id = ? AND lease_token = ?");
      },
      release() {
        return end("release", "UPDATE connect_jobs SET state = 'waiting', available_at = ?, attempts = attempts - 1, lease_token = NULL WHERE state = 'active' AND queue = ? AND id = ? AND lease_token = ?", now()).then(() => wake(queue));
      },
      save(record) {
        try {
          guard("save a checkpoint");
        } catch (error) {
          return Promise.reject(error);
        }
        return change("save a checkpoint", "UPDATE connect_jobs SET record = ? WHERE state = 'active' AND queue = ? AND id = ? AND lease_token = ?", encodeRecord(record));
      },
    };
  }

  function take(queue: string, max: number, leaseMs: number): { rows: TakenRow[]; token: string } {
    const token = randomUUID();
    const at = now();
    const rows = db.statement(
      `UPDATE connect_jobs SET state = 'active', attempts = attempts + 1, lease_token = ?, available_at = ?
       WHERE rowid IN (SELECT rowid FROM connect_jobs WHERE queue = ? AND state != 'done' AND available_at <= ? ORDER BY available_at, rowid LIMIT ?)
       RETURNING id, record, attempts`,
    ).all(token, at + leaseMs, queue, at, max) as unknown as TakenRow[];
    return { rows, token };
  }

  function nextAvailable(queue: string): number | undefined {
    const row = db.statement("SELECT MIN(available_at) AS at FROM connect_jobs WHERE queue = ? AND state != 'done'").get(queue) as { at: number | null } | undefined;
    return row?.at ?? undefined;
  }

  function consume(queue: string, consumeOptions: ConsumeOptions): JobConsumer {
    let stopped = false;
    let inFlight = 0;
    let timer: NodeJS.Timeout | undefined;
    let sleeping: (() => void) | undefined;
    const waker = (): void => sleeping?.();
    let set = wakers.get(queue);
    if (!set) wakers.set(queue, (set = new Set()));
    set.add(waker);

    const loop = (async () => {
      let failures = 0;
      while (!stopped) {
        const free = consumeOptions.concurrency - inFlight;
        let took = 0;
        if (free > 0) {
          try {
            const { rows, token } = await db.write(() => take(queue, free, consumeOptions.leaseMs));
            failures = 0;
            took = rows.length;
            for (const row of rows) {
              inFlight += 1;
              let freed = false;
              const free = (): void => {
                if (freed) return;
                freed = true;
                inFlight -= 1;
                waker();
              };
              void consumeOptions
                .onDelivery(delivery(queue, row, token, free))
                .catch(() => undefined)
                .finally(free);
            }
            purgeDone();
          } catch (error) {
            failures += 1;
            consumeOptions.onError?.(error);
          }
        }
        if (stopped) break;
        if (took > 0 && took === free) continue;
        // Sleep until a slot frees, a job is enqueued here, the next job becomes available, or the poll interval.
        let wait = failures > 0 ? Math.min(5_000, pollMs * 2 ** failures) : pollMs;
        if (free > 0 && failures === 0) {
          const next = db.read(() => nextAvailable(queue));
          if (next !== undefined) wait = Math.min(wait, Math.max(0, next - now()));
        }
        if (wait === 0 && free > 0 && took === 0) wait = 1;
        await new Promise<void>((resolve) => {
          sleeping = () => {
            sleeping = undefined;
            clearTimeout(timer);
            resolve();
          };
          timer = setTimeout(() => sleeping?.(), wait);
        });
      }
    })();

    return {
      async stop() {
        stopped = true;
        waker();
        set.delete(waker);
        await loop;
      },
    };
  }

  return {
    kind: "sqlite",
    path: db.path,
    deadLetters,
    idempotencyStore,
    dedupeStore,
    enqueue(jobs: BackendJob[]) {
      if (jobs.length === 0) return Promise.resolve([]);
      return db
        .write(() => {
          const insert = db.statement(
            "INSERT INTO connect_jobs (queue, id, name, state, available_at, attempts, record, created_at) VALUES (?, ?, ?, 'waiting', ?, 0, ?, ?) ON CONFLICT (queue, id) DO NOTHING",
          );
          const at = now();
          return jobs.map(({ record, runAt }) => {
            const result = insert.run(record.header.queue, record.header.id, record.header.name, runAt, encodeRecord(record), at);
            return { id: record.header.id, created: Number(result.changes) > 0 };
          });
        })
        .then((results) => {
          for (const queue of new Set(jobs.map((j) => j.record.header.queue))) wake(queue);
          return results;
        });
    },
    consume,
    async stats(queue): Promise<BackendStats> {
      const at = now();
      const row = db.read(
        () =>
          db
            .statement(
              `SELECT
                 COALESCE(SUM(available_at <= ?), 0) AS waiting,
                 COALESCE(SUM(state = 'waiting' AND available_at > ?), 0) AS delayed,
                 COALESCE(SUM(state = 'active' AND available_at > ?), 0) AS active,
                 COALESCE(SUM(state = 'waiting' AND attempts > 0), 0) AS retrying,
                 MIN(CASE WHEN available_at <= ? THEN available_at END) AS oldest
               FROM connect_jobs WHERE queue = ? AND state != 'done'`,
            )
            .get(at, at, at, at, queue) as { waiting: number; delayed: number; active: number; retrying: number; oldest: number | null },
      );
      return { waiting: Number(row.waiting), delayed: Number(row.delayed), active: Number(row.active), retrying: Number(row.retrying), oldestWaitingSince: row.oldest ?? undefined };
    },
    close() {
      return db.close();
    },
  };
}


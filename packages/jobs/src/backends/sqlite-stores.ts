/**
 * Core's store interfaces on the embedded database, so a single-server host gets durable dead
 * letters, idempotency keys and webhook dedupe from the same file as its jobs — a crash between
 * "the vendor accepted" and "we recorded it" leaves the key claimed, not forgotten.
 */
import {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  matchesDeadLetter,
  sanitizeDeadLetter,
  type DeadLetter,
  type DeadLetterSink,
  type DedupeStore,
  type IdempotencyLookup,
  type IdempotencyStore,
  type ReplayResult,
} from "@connect/core";
import type { SqliteDatabase } from "./sqlite-db.js";

interface StoreOptions {
  database: SqliteDatabase;
  now: () => number;
}

/** Dead letters in the database, in the order they were stored. @internal */
export function createSqliteDeadLetterSink({ database: db }: StoreOptions): DeadLetterSink {
  db.exec(`
    CREATE TABLE IF NOT EXISTS connect_dead_letters (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL,
      adapter_id TEXT NOT NULL,
      letter TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS connect_dead_letters_adapter ON connect_dead_letters (adapter_id, kind);
  `);
  const list = (): Array<{ seq: number; letter: DeadLetter }> =>
    db.read(() => (db.statement("SELECT seq, letter FROM connect_dead_letters ORDER BY seq").all() as Array<{ seq: number; letter: string }>).map((row) => ({ seq: row.seq, letter: JSON.parse(row.letter) as DeadLetter })));
  return {
    put(letter) {
      const clean = sanitizeDeadLetter(letter);
      const text = JSON.stringify(clean);
      return db.write(() => {
        // A letter put again goes to the end, like the other sinks.
        db.statement("DELETE FROM connect_dead_letters WHERE id = ?").run(clean.id);
        db.statement("INSERT INTO connect_dead_letters (id, kind, adapter_id, letter) VALUES (?, ?, ?, ?)").run(clean.id, clean.kind, clean.adapterId, text);
      });
    },
    async list(filter) {
      return list()
        .map((row) => row.letter)
        .filter((letter) => matchesDeadLetter(letter, filter));
    },
    remove(id) {
      return db.write(() => Number(db.statement("DELETE FROM connect_dead_letters WHERE id = ?").run(id).changes) > 0);
    },
    async replay(handler, options = {}) {
      const result: ReplayResult = { replayed: 0, failed: 0, failedIds: [] };
      for (const { seq, letter } of list().filter((row) => matchesDeadLetter(row.letter, options.filter))) {
        try {
          await handler(structuredClone(letter));
          // Remove exactly the replayed row (a letter put again meanwhile has a new seq and stays).
          await db.write(() => db.statement("DELETE FROM connect_dead_letters WHERE seq = ?").run(seq));
          result.replayed += 1;
        } catch {
          result.failed += 1;
          result.failedIds.push(letter.id);
        }
      }
      return result;
    },
  };
}

/** Idempotency keys in the database: claims and results survive a crash. @internal */
export function createSqliteIdempotencyStore({ database: db, now }: StoreOptions, options: { inFlightTtlMs?: number; ttlMs?: number; pollMs?: number } = {}): IdempotencyStore {
  db.exec(`
    CREATE TABLE IF NOT EXISTS connect_idempotency (
      key TEXT PRIMARY KEY,
      state TEXT NOT NULL CHECK (state IN ('in-flight', 'done')),
      result TEXT,
      expires_at INTEGER NOT NULL
    );
  `);
  const inFlightTtlMs = options.inFlightTtlMs ?? 5 * 60_000;
  const ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  const pollMs = options.pollMs ?? 50;
  const lookup = (key: string): IdempotencyLookup => {
    const row = db.read(() => db.statement("SELECT state, result, expires_at FROM connect_idempotency WHERE key = ?").get(key) as { state: string; result: string | null; expires_at: number } | undefined);
    if (!row || row.expires_at <= now()) return { state: "absent" };
    return row.state === "done" ? { state: "done", result: row.result === null ? undefined : (JSON.parse(row.result) as unknown) } : { state: "in-flight" };
  };
  return {
    begin(key, leaseMs = inFlightTtlMs) {
      return db.write(() => {
        const at = now();
        const claimed = db
          .statement(
            `INSERT INTO connect_idempotency (key, state, result, expires_at) VALUES (?, 'in-flight', NULL, ?)
             ON CONFLICT (key) DO UPDATE SET state = 'in-flight', result = NULL, expires_at = excluded.expires_at WHERE connect_idempotency.expires_at <= ?`,
          )
          .run(key, at + leaseMs, at);
        if (Number(claimed.changes) > 0) return { state: "new" as const };
        const found = lookup(key);
        return found.state === "done" ? found : { state: "in-flight" as const };
      });
    },
    complete(key, result, resultTtlMs = ttlMs) {
      const text = result === undefined ? null : JSON.stringify(result);
      return db.write(() => {
        db.statement("INSERT INTO connect_idempotency (key, state, result, expires_at) VALUES (?, 'done', ?, ?) ON CONFLICT (key) DO UPDATE SET state = 'done', result = excluded.result, expires_at = excluded.expires_at").run(key, text, now() + resultTtlMs);
      });
    },
    fail(key) {
      return db.write(() => {
        db.statement("DELETE FROM connect_idempotency WHERE key = ? AND state = 'in-flight'").run(key);
      });
    },
    abandon(key) {
      return this.fail(key);
    },
    async wait(key, waitOptions = {}) {
      const until = now() + (waitOptions.timeoutMs ?? inFlightTtlMs);
      for (;;) {
        const found = lookup(key);
        if (found.state !== "in-flight" || now() >= until) return found;
        if (waitOptions.signal?.aborted) throw waitOptions.signal.reason;
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },
  };
}

/** Webhook event ids in the database. @internal */
export function createSqliteDedupeStore({ database: db, now }: StoreOptions): DedupeStore {
  db.exec(`CREATE TABLE IF NOT EXISTS connect_dedupe (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);`);
  let lastPurge = 0;
  const purge = (): void => {
    const at = now();
    if (at - lastPurge < 60_000) return;
    lastPurge = at;
    db.statement("DELETE FROM connect_dedupe WHERE expires_at <= ?").run(at);
  };
  return {
    seen(id, ttlMs) {
      return db.write(() => {
        purge();
        const at = now();
        const marked = db
          .statement("INSERT INTO connect_dedupe (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at WHERE connect_dedupe.expires_at <= ?")
          .run(id, at + ttlMs, at);
        return Number(marked.changes) === 0;
      });
    },
    async has(id) {
      const row = db.read(() => db.statement("SELECT expires_at FROM connect_dedupe WHERE id = ?").get(id) as { expires_at: number } | undefined);
      return row !== undefined && row.expires_at > now();
    },
    forget(id) {
      return db.write(() => {
        db.statement("DELETE FROM connect_dedupe WHERE id = ?").run(id);
      });
    },
  };
}

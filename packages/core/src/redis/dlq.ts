/**
 * Dead letters in a Redis stream, shared by every worker and kept across restarts of any of
 * them: `XADD` appends a letter, a hash maps letter id → stream entry so a letter put again
 * under the same id replaces the old entry, `XRANGE` lists in order, `XDEL` removes.
 * Degrade, never lose: while Redis is down, `put` keeps letters in memory (bounded) and
 * writes them when the connection is back; `list`, `remove` and `replay` need Redis.
 */
import { StoreUnavailableError, type DeadLetter, type DeadLetterSink, type ReplayResult } from "@connect/core";
import { matchesDeadLetter, sanitizeDeadLetter } from "../dlq.js";
import { guard, prefixOf, type RedisStoreOptions } from "./connection.js";

/** Options of {@link createRedisDeadLetterSink}. @public */
export interface RedisDeadLetterSinkOptions extends RedisStoreOptions {
  /** Stream name below the prefix (default `dead-letters`). */
  stream?: string | undefined;
  /** Letters held in memory while Redis is down (default 10 000); beyond that `put` throws. */
  maxPending?: number | undefined;
}

/** A Redis dead-letter sink, with what is still waiting to be written. @public */
export interface RedisDeadLetterSink extends DeadLetterSink {
  /** Letters kept in memory because Redis was down, not yet written. */
  readonly pending: number;
  /** Write the pending letters now (also done on reconnect and before list/replay). */
  flush(): Promise<void>;
  /** Stop listening for reconnects (the client you passed stays open). */
  close(): void;
}

const COMPONENT = "dead-letters";

// Replace-by-id atomically: drop the id's old entry, append the new one, remember its entry id.
const PUT = `
local old = redis.call('hget', KEYS[2], ARGV[1])
if old then redis.call('xdel', KEYS[1], old) end
local entry = redis.call('xadd', KEYS[1], '*', 'id', ARGV[1], 'letter', ARGV[2])
redis.call('hset', KEYS[2], ARGV[1], entry)
return entry`;

// Remove only the given entry of the id (a letter put again meanwhile has a new entry and stays).
const REMOVE = `
local entry = ARGV[2]
if entry == '' then entry = redis.call('hget', KEYS[2], ARGV[1]) end
if not entry then return 0 end
if redis.call('hget', KEYS[2], ARGV[1]) == entry then redis.call('hdel', KEYS[2], ARGV[1]) end
return redis.call('xdel', KEYS[1], entry)`;

/**
 * A {@link DeadLetterSink} on a Redis stream.
 * @example
 * const deadLetters = createRedisDeadLetterSink({ redis });
 * await deadLetters.replay(async (letter) => resend(letter));
 * @public
 */
export function createRedisDeadLetterSink(options: RedisDeadLetterSinkOptions): RedisDeadLetterSink {
  const { redis } = options;
  const stream = `${prefixOf(options)}${options.stream ?? "dead-letters"}`;
  const index = `${stream}:index`;
  const maxPending = options.maxPending ?? 10_000;
  const pending: Array<{ id: string; json: string }> = [];
  let flushing: Promise<void> | undefined;

  const write = (id: string, json: string): Promise<unknown> => redis.eval(PUT, 2, stream, index, id, json);

  const flush = (): Promise<void> => {
    flushing ??= guard(COMPONENT, redis, async () => {
      while (pending.length > 0) {
        const next = pending[0]!;
        await write(next.id, next.json);
        pending.shift();
      }
    }).finally(() => {
      flushing = undefined;
    });
    return flushing;
  };
  const onReady = (): void => {
    if (pending.length > 0) flush().catch(() => undefined);
  };
  redis.on("ready", onReady);

  const entries = (): Promise<Array<{ entry: string; letter: DeadLetter }>> =>
    guard(COMPONENT, redis, async () => {
      await flush();
      const rows = await redis.xrange(stream, "-", "+");
      return rows.map(([entry, fields]) => {
        const at = fields.indexOf("letter");
        return { entry, letter: JSON.parse(fields[at + 1] ?? "null") as DeadLetter };
      });
    });

  return {
    async put(letter) {
      const clean = sanitizeDeadLetter(letter);
      const json = JSON.stringify(clean);
      if (pending.length === 0) {
        try {
          await guard(COMPONENT, redis, () => write(clean.id, json));
          return;
        } catch (error) {
          if (!(error instanceof StoreUnavailableError)) throw error;
        }
      }
      if (pending.length >= maxPending) {
        throw new StoreUnavailableError(`Redis is unavailable and ${maxPending} dead letters are already waiting in memory; this one was not stored`, { component: COMPONENT });
      }
      pending.push({ id: clean.id, json });
    },
    async list(filter) {
      return (await entries()).map((row) => row.letter).filter((letter) => matchesDeadLetter(letter, filter));
    },
    remove: (id) => guard(COMPONENT, redis, async () => (await redis.eval(REMOVE, 2, stream, index, id, "")) === 1),
    async replay(handler, replayOptions = {}) {
      const result: ReplayResult = { replayed: 0, failed: 0, failedIds: [] };
      for (const { entry, letter } of await entries()) {
        if (!matchesDeadLetter(letter, replayOptions.filter)) continue;
        try {
          await handler(letter);
          await guard(COMPONENT, redis, () => redis.eval(REMOVE, 2, stream, index, letter.id, entry));
          result.replayed += 1;
        } catch {
          result.failed += 1;
          result.failedIds.push(letter.id);
        }
      }
      return result;
    },
    get pending() {
      return pending.length;
    },
    flush,
    close() {
      redis.off("ready", onReady);
    },
  };
}

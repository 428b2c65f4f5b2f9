/**
 * The idempotency store in Redis, for several workers: `SET key NX PX lease` claims a key
 * (the in-flight lock, which expires by itself when its owner dies), the result replaces it
 * with its own TTL, and waiters are woken by pub/sub (with polling as the safety net).
 * Fail closed: without Redis a keyed write cannot be proven to run once, so it does not run.
 */
import { DEFAULT_IDEMPOTENCY_TTL_MS, type IdempotencyBegin, type IdempotencyLookup, type IdempotencyStore } from "@connect/core";
import { createNotifier, guard, ownerId, prefixOf, RELEASE_IF_OWNER, type RedisStoreOptions } from "./connection.js";

/** Options of {@link createRedisIdempotencyStore}. @public */
export interface RedisIdempotencyStoreOptions extends RedisStoreOptions {
  /** How long a result is kept (default 24 h). */
  ttlMs?: number | undefined;
  /** How long an unfinished claim blocks other workers, e.g. after a crash (default 5 min). */
  inFlightTtlMs?: number | undefined;
  /** Longest pause between two looks while waiting for another worker (default 250 ms). */
  pollMs?: number | undefined;
}

/** A Redis idempotency store, with `close()` for its subscriber connection. @public */
export interface RedisIdempotencyStore extends IdempotencyStore {
  /** Close the pub/sub connection (the client you passed stays open). */
  close(): Promise<void>;
}

type Stored = { s: "f"; o: string } | { s: "d"; r: unknown };

const COMPONENT = "idempotency";

// Deletes the key only while it holds a claim (`"s":"f"`), never a stored result.
const RELEASE_IF_CLAIMED = `local v = redis.call("GET", KEYS[1]); if v and cjson.decode(v).s == "f" then return redis.call("DEL", KEYS[1]) end; return 0`;

/**
 * An {@link IdempotencyStore} shared by every worker through Redis. Results are stored as
 * JSON, so they must be JSON-serialisable (every operation output is).
 * @example
 * const redis = await connectRedis(process.env.REDIS_URL!);
 * const client = createTwilioClient({ ..., idempotencyStore: createRedisIdempotencyStore({ redis }) });
 * @public
 */
export function createRedisIdempotencyStore(options: RedisIdempotencyStoreOptions): RedisIdempotencyStore {
  const { redis } = options;
  const prefix = `${prefixOf(options)}idem:`;
  const ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  const inFlightTtlMs = options.inFlightTtlMs ?? 5 * 60_000;
  const pollMs = options.pollMs ?? 250;
  const notifier = createNotifier(redis, `${prefix}done`);
  // Claims this process holds, so `fail` deletes only its own claim (never a later owner's).
  const owned = new Map<string, string>();

  const read = async (key: string): Promise<Stored | undefined> => {
    const raw = await redis.get(prefix + key);
    return raw === null ? undefined : (JSON.parse(raw) as Stored);
  };

  const lookup = (stored: Stored | undefined): IdempotencyLookup =>
    stored === undefined ? { state: "absent" } : stored.s === "d" ? { state: "done", result: stored.r } : { state: "in-flight" };

  return {
    begin(key, leaseMs) {
      return guard(COMPONENT, redis, async (): Promise<IdempotencyBegin> => {
        // Two rounds: the holder's claim can expire between our SET and GET.
        for (let round = 0; round < 2; round += 1) {
          const owner = ownerId();
          const claimed = await redis.set(prefix + key, JSON.stringify({ s: "f", o: owner } satisfies Stored), "PX", leaseMs ?? inFlightTtlMs, "NX");
          if (claimed === "OK") {
            owned.set(key, owner);
            return { state: "new" };
          }
          const found = lookup(await read(key));
          if (found.state !== "absent") return found;
        }
        return { state: "in-flight" };
      });
    },
    complete(key, result, resultTtlMs) {
      return guard(COMPONENT, redis, async () => {
        owned.delete(key);
        await redis.set(prefix + key, JSON.stringify({ s: "d", r: result ?? null } satisfies Stored), "PX", resultTtlMs ?? ttlMs);
        await notifier.publish(key);
      });
    },
    abandon(key) {
      return guard(COMPONENT, redis, async () => {
        owned.delete(key);
        await redis.eval(RELEASE_IF_CLAIMED, 1, prefix + key);
        await notifier.publish(key);
      });
    },
    fail(key) {
      return guard(COMPONENT, redis, async () => {
        const owner = owned.get(key);
        owned.delete(key);
        if (owner === undefined) return;
        await redis.eval(RELEASE_IF_OWNER, 1, prefix + key, JSON.stringify({ s: "f", o: owner } satisfies Stored));
        await notifier.publish(key);
      });
    },
    wait(key, waitOptions = {}) {
      return guard(COMPONENT, redis, async () => {
        const deadline = Date.now() + (waitOptions.timeoutMs ?? inFlightTtlMs);
        let pause = 20;
        for (;;) {
          const found = lookup(await read(key));
          if (found.state !== "in-flight") return found;
          const left = deadline - Date.now();
          if (left <= 0 || waitOptions.signal?.aborted) return found;
          await notifier.waitFor(key, Math.min(pause, left), waitOptions.signal);
          pause = Math.min(pause * 2, pollMs);
        }
      });
    },
    close: () => notifier.close(),
  };
}

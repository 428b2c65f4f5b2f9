/**
 * Redis plumbing shared by the distributed-mode stores: a client with fail-fast settings,
 * the mapping of Redis failures to `StoreUnavailableError`, and a pub/sub notifier that wakes
 * waiters (idempotency results, released refresh locks) without busy polling.
 */
import { randomUUID } from "node:crypto";
import { IntegrationError, StoreUnavailableError } from "@connect/core";
import { Redis, type RedisOptions } from "ioredis";

/** An ioredis client (a `Redis` instance; a Cluster works for the key-value stores). @public */
export type RedisClient = Redis;

/** What every Redis store takes. @public */
export interface RedisStoreOptions {
  /** The client. Use {@link connectRedis} for fail-fast settings, or bring your own. */
  redis: RedisClient;
  /** Key prefix; stores with different prefixes never see each other. Default `connect:`. */
  prefix?: string | undefined;
}

/**
 * Client settings for distributed mode: commands fail at once while the connection is down
 * (no offline queue, one retry per request, a command timeout) so a call that needs Redis
 * gets a clear error instead of hanging, and the client reconnects by itself in the background.
 * @public
 */
export const REDIS_CLIENT_DEFAULTS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 2_000,
  connectTimeout: 2_000,
  retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
};

/**
 * Connect to Redis with {@link REDIS_CLIENT_DEFAULTS} and wait until the connection is ready.
 * @example
 * const redis = await connectRedis(process.env.REDIS_URL!);
 * @public
 */
export async function connectRedis(url: string, options: RedisOptions = {}): Promise<RedisClient> {
  // Not lazyConnect: duplicates (bottleneck's subscriber) copy the options and must connect too.
  const redis = new Redis(url, { ...REDIS_CLIENT_DEFAULTS, ...options });
  // Errors surface on the commands that fail; without a listener ioredis prints every reconnect attempt.
  redis.on("error", () => undefined);
  const waitMs = (options.connectTimeout ?? REDIS_CLIENT_DEFAULTS.connectTimeout ?? 2_000) * 2;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready after ${waitMs} ms`)), waitMs);
      redis.once("ready", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } catch (error) {
    redis.disconnect();
    throw unavailable("connect", error, url.replace(/\/\/[^@/]*@/, "//[REDACTED]@"));
  }
  return redis;
}

function unavailable(component: string, error: unknown, detail?: string): StoreUnavailableError {
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`Redis is unavailable for the ${component}${detail ? ` (${detail})` : ""}: ${reason}; the call was not made — retry once Redis is back`, {
    component,
    cause: error,
  });
}

/** True for Redis's own error replies (a bug or a wrong key type), as opposed to a lost connection. */
function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === "ReplyError";
}

/** Run Redis commands for `component`, turning connection failures into `StoreUnavailableError`. @internal */
export async function guard<T>(component: string, redis: RedisClient, fn: () => Promise<T>): Promise<T> {
  if (redis.status === "end" || redis.status === "close") {
    throw unavailable(component, new Error(`connection is ${redis.status}`));
  }
  try {
    return await fn();
  } catch (error) {
    if (IntegrationError.is(error)) throw error;
    if (isReplyError(error)) {
      throw new IntegrationError(`Redis rejected a ${component} command: ${(error as Error).message}`, { retryable: false, cause: error });
    }
    throw unavailable(component, error);
  }
}

/** Normalise a prefix. @internal */
export function prefixOf(options: RedisStoreOptions): string {
  return options.prefix ?? "connect:";
}

/** A unique owner id for locks taken by this process. @internal */
export function ownerId(): string {
  return `${process.pid}:${randomUUID()}`;
}

/** Compare-and-delete: release a lock only when we still own it. @internal */
export const RELEASE_IF_OWNER = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Compare-and-extend: keep a lock alive while its owner works. @internal */
export const EXTEND_IF_OWNER = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * Wakes local waiters when another process publishes a key on `channel`. Subscribes lazily on a
 * duplicate connection; waiters also poll, so a missed message only costs one poll interval.
 * @internal
 */
export interface Notifier {
  /** Resolve after `key` is published, `ms` passes, or `signal` aborts (never rejects). */
  waitFor(key: string, ms: number, signal?: AbortSignal): Promise<void>;
  /** Publish `key` to every process. */
  publish(key: string): Promise<void>;
  /** Close the subscriber connection. */
  close(): Promise<void>;
}

/** Create a notifier on `channel`. @internal */
export function createNotifier(redis: RedisClient, channel: string): Notifier {
  const waiters = new Map<string, Set<() => void>>();
  let subscriber: RedisClient | undefined;
  let subscribing: Promise<void> | undefined;

  const subscribe = (): Promise<void> => {
    subscribing ??= (async () => {
      subscriber = redis.duplicate({ enableOfflineQueue: true, commandTimeout: undefined, lazyConnect: false });
      subscriber.on("error", () => undefined);
      subscriber.on("message", (_channel: string, key: string) => {
        for (const wake of waiters.get(key) ?? []) wake();
      });
      await subscriber.subscribe(channel);
    })().catch(() => {
      // Polling still works; try subscribing again on the next wait.
      subscribing = undefined;
    });
    return subscribing;
  };

  return {
    async waitFor(key, ms, signal) {
      void subscribe();
      await new Promise<void>((resolve) => {
        let set = waiters.get(key);
        if (!set) waiters.set(key, (set = new Set()));
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          set.delete(done);
          if (set.size === 0) waiters.delete(key);
          resolve();
        };
        const timer = setTimeout(done, ms);
        set.add(done);
        signal?.addEventListener("abort", done, { once: true });
      });
    },
    async publish(key) {
      await redis.publish(channel, key);
    },
    async close() {
      const sub = subscriber;
      subscriber = undefined;
      subscribing = undefined;
      if (sub) await sub.quit().catch(() => sub.disconnect());
    },
  };
}

/** Sleep that ends early on abort (resolves). @internal */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

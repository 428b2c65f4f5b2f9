/**
 * One vendor quota across every worker: bottleneck with its Redis datastore (its Lua scripts
 * keep the schedule in Redis, on Redis's clock), keyed per vendor (and tenant, when the
 * policy says so). Fail closed: without Redis the limiter cannot know what other workers
 * spent, so calls fail with `StoreUnavailableError` instead of overrunning the quota.
 */
import { IntegrationError, StoreUnavailableError, type Limiter, type LimiterOptions } from "@connect/core";
import Bottleneck from "bottleneck";
import { guard, prefixOf, type RedisClient, type RedisStoreOptions } from "./connection.js";

/** Options of {@link redisLimiter}. @public */
export interface RedisLimiterOptions extends RedisStoreOptions {
  /**
   * Share of a per-second rate held back (0–0.5, default 0.1), so the jitter between a grant
   * and the request reaching the vendor does not make a one-second window look over quota: a
   * request may arrive up to `headroom / (1 − headroom)` of a second later than its neighbours
   * (111 ms at the default) before a window at the vendor holds more than the rate. Raise it
   * on hosts that stall longer (busy CPUs, long GC pauses).
   */
  headroom?: number | undefined;
  /** How long a worker that stopped answering keeps its running slots (ms, default 10 000). */
  clientTimeoutMs?: number | undefined;
}

const COMPONENT = "limiter";
// One bottleneck connection (and so one subscriber connection) per client, shared by its
// limiters; the subscriber closes when the last of them stops. The client stays the host's.
const connections = new WeakMap<RedisClient, { connection: Bottleneck.IORedisConnection; users: number }>();

function acquireConnection(redis: RedisClient): Bottleneck.IORedisConnection {
  let shared = connections.get(redis);
  if (!shared) {
    const connection = new Bottleneck.IORedisConnection({ client: redis, Redis: redis.constructor });
    // Failures reach the call that needed Redis; the connection's own event is informational.
    connection.on("error", () => undefined);
    quietRemoveLimiter(connection);
    shared = { connection, users: 0 };
    connections.set(redis, shared);
  }
  shared.users += 1;
  return shared.connection;
}

/** The parts of bottleneck 2.19's IORedisConnection that a limiter's removal touches. */
interface ConnectionInternals {
  terminated: boolean;
  subscriber: RedisClient;
  limiters: Record<string, unknown>;
  __removeLimiter__(instance: { channel(): string; channel_client(): string }): void;
}

/**
 * Bottleneck's `__removeLimiter__` unsubscribes in `forEach(async …)`, so an UNSUBSCRIBE that
 * fails (Redis down, the subscriber closing) is an unhandled rejection nobody can catch — it
 * crashes a host running with Node's default `--unhandled-rejections=throw`. Same steps, the
 * failure dropped: the channel is forgotten either way, and a closed subscriber has no
 * subscriptions left to undo.
 */
function quietRemoveLimiter(connection: Bottleneck.IORedisConnection): void {
  const internals = connection as unknown as ConnectionInternals;
  internals.__removeLimiter__ = (instance) => {
    for (const channel of [instance.channel(), instance.channel_client()]) {
      if (!internals.terminated) internals.subscriber.unsubscribe(channel).catch(() => undefined);
      delete internals.limiters[channel];
    }
  };
}

function releaseConnection(redis: RedisClient): void {
  const shared = connections.get(redis);
  if (!shared) return;
  shared.users -= 1;
  if (shared.users > 0) return;
  connections.delete(redis);
  (shared.connection as unknown as { subscriber?: RedisClient }).subscriber?.disconnect();
}

/**
 * The bottleneck settings for core's limiter options, for many workers. A per-second rate
 * becomes evenly spaced starts (`minTime`), the strictest reading of a per-second quota: no
 * one-second window ever holds more than the rate, so `burst` does not apply here. A quota per
 * interval becomes a reservoir refilled every interval. `maxConcurrent` counts every worker.
 * @internal
 */
export function bottleneckSettings(limits: LimiterOptions, headroom: number): Bottleneck.ConstructorOptions {
  const spacing = limits.perSecond ? Math.ceil(1000 / (limits.perSecond * (1 - headroom))) : 0;
  const minTime = Math.max(spacing, limits.minTimeMs ?? 0);
  const quota = limits.quota !== undefined && limits.quotaIntervalMs !== undefined;
  return {
    ...(minTime > 0 ? { minTime } : {}),
    ...(limits.maxConcurrent !== undefined ? { maxConcurrent: limits.maxConcurrent } : {}),
    ...(quota ? { reservoir: limits.quota, reservoirRefreshAmount: limits.quota, reservoirRefreshInterval: limits.quotaIntervalMs } : {}),
  };
}

/**
 * A limiter factory for `policy.limiter.create`: every process that uses the same Redis and
 * prefix shares one schedule per vendor (and tenant).
 * @example
 * const redis = await connectRedis(process.env.REDIS_URL!);
 * const twilio = createTwilioClient({ ..., policy: { limiter: { perSecond: 10, create: redisLimiter({ redis }) } } });
 * @public
 */
export function redisLimiter(options: RedisLimiterOptions): NonNullable<LimiterOptions["create"]> {
  const { redis } = options;
  const headroom = Math.min(0.5, Math.max(0, options.headroom ?? 0.1));
  return (id: string, limits: LimiterOptions): Limiter => {
    const settings = bottleneckSettings(limits, headroom);
    let stopped = false;
    let current: { bottleneck: Bottleneck; ready: Promise<void> } | undefined;

    // (Re)create the limiter's bottleneck. Again after Redis lost its keys (a restart without
    // persistence, an eviction): bottleneck then answers SETTINGS_KEY_NOT_FOUND until re-initialised.
    const instance = (): { bottleneck: Bottleneck; ready: Promise<void> } => {
      if (current) return current;
      const bottleneck = new Bottleneck({
        ...settings,
        id: `${prefixOf(options)}limiter:${id}`,
        datastore: "ioredis",
        connection: acquireConnection(redis),
        // Keep the quota other workers have spent: a worker (re)starting must not reset it.
        clearDatastore: false,
        clientTimeout: options.clientTimeoutMs ?? 10_000,
        // Forget an idle limiter's keys after a day.
        timeout: 24 * 60 * 60 * 1000,
      });
      bottleneck.on("error", () => undefined);
      // The settings stored in Redis are the first worker's; apply ours (never resetting the reservoir).
      const { reservoir: _reservoir, ...rest } = settings;
      const ready = guard(COMPONENT, redis, async () => {
        await bottleneck.ready();
        await bottleneck.updateSettings(rest);
      });
      const made = { bottleneck, ready };
      current = made;
      ready.catch(() => discard(made));
      return made;
    };
    const discard = (made: { bottleneck: Bottleneck }): void => {
      if (current !== made) return;
      current = undefined;
      made.bottleneck.disconnect(false);
      releaseConnection(redis);
    };

    const run = async <T>(fn: () => Promise<T>, priority: number, isAbandoned: () => boolean, retried = false): Promise<T> => {
      const made = instance();
      await made.ready;
      // Keep the job's own failure apart from Redis failures: only the latter become StoreUnavailableError.
      let failure: { error: unknown } | undefined;
      try {
        return await guard(COMPONENT, redis, () =>
          made.bottleneck.schedule({ priority }, async () => {
            if (isAbandoned()) return undefined as T;
            try {
              return await fn();
            } catch (error) {
              failure = { error };
              throw error;
            }
          }),
        );
      } catch (error) {
        if (failure) throw failure.error;
        if (!retried && /SETTINGS_KEY_NOT_FOUND/.test(String((error as { cause?: unknown }).cause ?? error))) {
          discard(made);
          return run(fn, priority, isAbandoned, true);
        }
        throw error;
      }
    };

    return {
      async schedule<T>(fn: () => Promise<T>, scheduleOptions: { priority?: number; signal?: AbortSignal } = {}): Promise<T> {
        const signal = scheduleOptions.signal;
        signal?.throwIfAborted();
        if (stopped) throw new IntegrationError(`limiter ${id} is stopped`, { retryable: false });
        if (redis.status !== "ready") {
          throw new StoreUnavailableError(`Redis is unavailable for the limiter of ${id} (connection ${redis.status}); the call was not made — retry once Redis is back`, { component: COMPONENT });
        }
        // A job queued in Redis cannot be withdrawn: on abort the caller is released at once
        // and the job, when its turn comes, does nothing.
        let abandoned = false;
        const job = run(fn, scheduleOptions.priority ?? 5, () => abandoned);
        if (!signal) return job;
        return new Promise<T>((resolve, reject) => {
          const onAbort = (): void => {
            abandoned = true;
            reject(signal.reason);
          };
          signal.addEventListener("abort", onAbort, { once: true });
          job.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
        });
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        if (current) discard(current);
      },
    };
  };
}

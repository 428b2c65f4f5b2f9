/**
 * Redis connections of the BullMQ backend and the mapping of Redis failures to core's errors.
 *
 * Two kinds of connection, because BullMQ needs both: a command client for enqueue, stats and
 * dead letters that fails fast while Redis is down (so `enqueue` rejects with a typed error and
 * a webhook can answer 5xx), and a worker client with `maxRetriesPerRequest: null`, which BullMQ
 * requires of the connection it duplicates for each worker's blocking fetch, and which lets a
 * delivery's ack wait out a reconnect instead of failing it.
 */
import { IntegrationError, StoreUnavailableError } from "@connect/core";
import { REDIS_CLIENT_DEFAULTS } from "@connect/core/redis";
import { Redis, type RedisOptions } from "ioredis";

/** An ioredis client, a `redis://` URL, or ioredis options. @public */
export type BullMqConnection = Redis | string | RedisOptions;

/** The backend's clients. @internal */
export interface BackendConnections {
  /** Enqueue, stats, dead letters: fails fast. */
  readonly client: Redis;
  /** The connection the workers share (and BullMQ duplicates for each worker's blocking fetch). */
  worker(): Redis;
  /** Resolve once the command client is ready, or throw `StoreUnavailableError`. */
  ready(action: string): Promise<void>;
  /** Close what the backend opened (a client you passed stays open). */
  close(): Promise<void>;
}

const COMPONENT = "jobs";

function isClient(value: BullMqConnection): value is Redis {
  return typeof value === "object" && value !== null && typeof (value as Redis).duplicate === "function" && typeof (value as Redis).defineCommand === "function";
}

/** A `StoreUnavailableError` for the jobs component. @internal */
export function unavailable(action: string, error: unknown): StoreUnavailableError {
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(
    `Redis is unavailable for the BullMQ job backend (${action}): ${reason}; nothing may have been stored — retry once Redis is back (enqueueing the same job ids again is safe)`,
    { component: COMPONENT, cause: error },
  );
}

/** Turn a failure of a Redis call into core's error vocabulary (IntegrationErrors pass through). @internal */
export function mapRedisError(action: string, error: unknown): Error {
  if (IntegrationError.is(error)) return error as Error;
  return unavailable(action, error);
}

/** QUIT when connected (pending replies arrive first), else drop the socket: a QUIT queued offline would wait for Redis forever. */
async function shut(redis: Redis): Promise<void> {
  if (redis.status !== "ready") return redis.disconnect();
  await redis.quit().catch(() => redis.disconnect());
}

/** Open (or adopt) the clients. @internal */
export function openConnections(connection: BullMqConnection, connectTimeoutMs: number): BackendConnections {
  const owned = !isClient(connection);
  const client = isClient(connection)
    ? connection
    : typeof connection === "string"
      ? new Redis(connection, { ...REDIS_CLIENT_DEFAULTS })
      : new Redis({ ...REDIS_CLIENT_DEFAULTS, ...connection });
  // Errors surface on the commands that fail; without a listener ioredis prints every reconnect attempt.
  const quiet = (): void => undefined;
  client.on("error", quiet);
  let workerClient: Redis | undefined;
  let everReady = client.status === "ready";
  const onReady = (): void => void (everReady = true);
  client.on("ready", onReady);

  return {
    client,
    worker() {
      if (!workerClient) {
        // No command timeout either: BullMQ's blocking fetch on the duplicate waits for seconds.
        workerClient = client.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true, commandTimeout: undefined });
        workerClient.on("error", quiet);
      }
      return workerClient;
    },
    async ready(action) {
      if (client.status === "ready") return;
      // Once connected, a dropped connection fails at once (like core's Redis stores); only the
      // first connect after start-up gets `connectTimeoutMs` of grace.
      if (everReady || client.status === "end") throw unavailable(action, new Error(`connection is ${client.status}`));
      if (client.status === "wait") client.connect().catch(() => undefined);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          client.off("ready", done);
          reject(unavailable(action, new Error(`not connected after ${connectTimeoutMs} ms (status ${client.status})`)));
        }, connectTimeoutMs);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        client.once("ready", done);
      });
    },
    async close() {
      client.off("ready", onReady);
      await Promise.all([workerClient ? shut(workerClient) : undefined, owned ? shut(client) : undefined]);
      if (!owned) client.off("error", quiet);
    },
  };
}

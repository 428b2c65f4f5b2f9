/**
 * The BullMQ backend: jobs in Redis through BullMQ, one BullMQ queue per job queue. A job's record
 * is the BullMQ job's data; its id is the BullMQ job id (escaped, see `bullJobId`), which is what
 * dedupes an enqueue; a completed job is kept for `keepCompletedMs` (BullMQ's removeOnComplete by
 * age) so its id stays taken; a dead-lettered one is removed (removeOnFail).
 */
import type { DeadLetterSink } from "@connect/core";
import { createRedisDeadLetterSink, type RedisDeadLetterSink } from "@connect/core/redis";
import { Job, Queue, type KeepJobs } from "bullmq";
import { mapRedisError, openConnections, unavailable, type BullMqConnection } from "./connection.js";
import { startConsumer } from "./consumer.js";
import { bullJobId, defineScripts, EXISTING_COMMAND, RETRYING_SUFFIX, type BackendScripts } from "./scripts.js";
// Through the package's own name, so this entry shares the main entry's code (one LeaseLostError class) instead of bundling a copy.
import type { BackendEnqueueResult, BackendJob, BackendStats, ConsumeOptions, JobBackend, JobConsumer } from "@connect/jobs";

/** Options of {@link createBullMqBackend}. @public */
export interface BullMqBackendOptions {
  /**
   * The Redis to use: an ioredis client, a `redis://` URL or ioredis options. A URL or options
   * get core's fail-fast client settings (`REDIS_CLIENT_DEFAULTS`); a client you pass is used as
   * is for enqueue and stats (give it those settings, e.g. with `connectRedis`, so an enqueue
   * fails fast while Redis is down) and duplicated with `maxRetriesPerRequest: null` for workers.
   */
  connection: BullMqConnection;
  /** Prefix of every Redis key (BullMQ's `prefix`), so several applications can share one Redis. Default `connect-jobs`. */
  prefix?: string | undefined;
  /** How long a completed job's id is remembered, so enqueueing it again is a no-op (default 24 h; BullMQ removes it with the next completion after that). */
  keepCompletedMs?: number | undefined;
  /**
   * Where queues on this backend put exhausted and poisoned jobs when given no sink of their own.
   * Default: core's Redis stream sink (`createRedisDeadLetterSink`) on the same Redis, stream `<prefix>:dead-letters`.
   */
  deadLetters?: DeadLetterSink | undefined;
  /** How often workers look for jobs whose lease ran out (their worker died); default half the lease, at most 30 s. A dead worker's job comes back after its lease plus one to two intervals. */
  stalledIntervalMs?: number | undefined;
  /** How long an idle worker waits on Redis for new work before asking again (default 5 000 ms; new and due jobs wake it at once). */
  idleBlockMs?: number | undefined;
  /** How long the first enqueue after start-up waits for Redis to connect before failing (default 2 000 ms). */
  connectTimeoutMs?: number | undefined;
}

/** The BullMQ backend. @public */
export interface BullMqBackend extends JobBackend {
  readonly kind: "bullmq";
  /** The sink used by queues given none (the Redis stream sink unless `deadLetters` was passed). */
  readonly deadLetters: DeadLetterSink;
  /** The Redis key prefix. */
  readonly prefix: string;
}

/** Jobs per MULTI: large enough to batch, small enough not to hold Redis up for long. */
const CHUNK = 500;

/**
 * A job backend on BullMQ (Redis): several processes and hosts share the queues.
 * @example
 * const backend = createBullMqBackend({ connection: process.env.REDIS_URL!, prefix: "lending-jobs" });
 * const queue = createJobQueue({ backend, jobs: [sendReminder] });
 * @public
 */
export function createBullMqBackend(options: BullMqBackendOptions): BullMqBackend {
  const prefix = options.prefix ?? "connect-jobs";
  const keepCompletedMs = options.keepCompletedMs ?? 24 * 60 * 60 * 1000;
  const removeOnComplete: KeepJobs = keepCompletedMs > 0 ? { age: Math.max(1, Math.ceil(keepCompletedMs / 1000)) } : { count: 0 };
  const connections = openConnections(options.connection, options.connectTimeoutMs ?? 2_000);
  const { client } = connections;
  const ownSink: RedisDeadLetterSink | undefined = options.deadLetters ? undefined : createRedisDeadLetterSink({ redis: client, prefix: `${prefix}:` });
  const deadLetters = options.deadLetters ?? ownSink!;
  const commandScripts: BackendScripts = defineScripts(client);
  let workerScripts: BackendScripts | undefined;
  const queues = new Map<string, Queue>();
  const consumers = new Set<JobConsumer>();
  let closed = false;

  function queueFor(name: string): Queue {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: client, prefix });
      queue.on("error", () => undefined); // failures surface on the calls that make them
      queues.set(name, queue);
    }
    return queue;
  }

  const retryingKey = (name: string): string => `${prefix}:${name}:${RETRYING_SUFFIX}`;

  async function enqueueOn(name: string, jobs: BackendJob[]): Promise<BackendEnqueueResult[]> {
    const queue = queueFor(name);
    const action = `enqueue on ${name}`;
    await withTimeout(queue.waitUntilReady(), options.connectTimeoutMs ?? 2_000, action);
    const redis = await queue.backend.client;
    const now = Date.now();
    const chunks: Array<Promise<Array<[Error | null, unknown]> | null>> = [];
    const created: boolean[] = new Array<boolean>(jobs.length);
    const seen = new Set<string>();
    for (let start = 0; start < jobs.length; start += CHUNK) {
      // One MULTI per chunk: which ids exist, then BullMQ's add script for each new job. BullMQ's add
      // answers the same for a new and a duplicate id, so existence is checked first; MULTI keeps the
      // check and the adds atomic, so of two concurrent enqueues of one id exactly one reports created.
      const multi = redis.multi();
      const slice = jobs.slice(start, start + CHUNK);
      const keys = slice.map(({ record }) => queue.toKey(bullJobId(record.header.id)));
      multi.runCommand(EXISTING_COMMAND, [keys.length, ...keys]);
      slice.forEach(({ record, runAt }, k) => {
        const id = bullJobId(record.header.id);
        // An id twice in one call: the first one is the job, the second a duplicate (the check above saw neither).
        if (seen.has(id)) return;
        seen.add(id);
        const delay = Math.max(0, Math.ceil(runAt - now));
        new Job(
          queue,
          record.header.name,
          record,
          {
            jobId: id,
            // The job's ready time, kept by BullMQ (`timestamp + delay`): stats report the oldest waiting job's.
            timestamp: delay > 0 ? now : Math.floor(runAt),
            delay,
            // BullMQ must never retry on its own: our worker is the one retry layer.
            attempts: 1,
            removeOnComplete,
            removeOnFail: true,
          },
          id,
        ).addJob(multi);
        created[start + k] = true;
      });
      chunks.push(multi.exec());
    }
    const replies = await Promise.all(chunks);
    return jobs.map(({ record }, i) => {
      const reply = replies[Math.floor(i / CHUNK)];
      if (!reply) throw unavailable(action, new Error("the transaction was aborted"));
      const [checkError, existing] = reply[0]!;
      if (checkError) throw mapRedisError(action, checkError);
      const failed = reply.find(([error]) => error)?.[0];
      if (failed) throw mapRedisError(action, failed);
      return { id: record.header.id, created: created[i] === true && Number((existing as number[])[i % CHUNK]) === 0 };
    });
  }

  const backend: BullMqBackend = {
    kind: "bullmq",
    prefix,
    deadLetters,
    async enqueue(jobs) {
      if (jobs.length === 0) return [];
      if (closed) throw unavailable("enqueue", new Error("the backend was closed"));
      await connections.ready("enqueue");
      const byQueue = new Map<string, number[]>();
      jobs.forEach((job, i) => {
        const list = byQueue.get(job.record.header.queue);
        if (list) list.push(i);
        else byQueue.set(job.record.header.queue, [i]);
      });
      const results: BackendEnqueueResult[] = new Array<BackendEnqueueResult>(jobs.length);
      try {
        await Promise.all(
          [...byQueue].map(async ([name, indexes]) => {
            const stored = await enqueueOn(name, indexes.map((i) => jobs[i]!));
            stored.forEach((result, k) => (results[indexes[k]!] = result));
          }),
        );
      } catch (error) {
        throw mapRedisError("enqueue", error);
      }
      return results;
    },
    consume(name: string, consumeOptions: ConsumeOptions) {
      if (closed) throw unavailable(`consume ${name}`, new Error("the backend was closed"));
      const connection = connections.worker();
      workerScripts ??= defineScripts(connection);
      const consumer = startConsumer(
        {
          prefix,
          connection,
          scripts: workerScripts,
          stalledIntervalMs: options.stalledIntervalMs,
          idleBlockMs: options.idleBlockMs ?? 5_000,
          removeOnComplete,
          retryingKey,
          onStopped: (stopped) => consumers.delete(stopped),
        },
        name,
        consumeOptions,
      );
      consumers.add(consumer);
      return consumer;
    },
    async stats(name): Promise<BackendStats> {
      await connections.ready("stats");
      const queue = queueFor(name);
      const keys = queue.keys;
      try {
        const [waiting, delayed, active, retrying, oldest] = await commandScripts.stats(
          [keys.wait!, keys.paused!, keys.prioritized!, keys.delayed!, keys.active!, retryingKey(name)],
          Date.now(),
          queue.toKey(""),
        );
        return { waiting, delayed, active, retrying, oldestWaitingSince: oldest >= 0 ? oldest : undefined };
      } catch (error) {
        throw mapRedisError(`stats of ${name}`, error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...consumers].map((consumer) => consumer.stop()));
      await Promise.all([...queues.values()].map((queue) => queue.close().catch(() => undefined)));
      ownSink?.close();
      await connections.close();
    },
  };
  return backend;
}

function withTimeout<T>(promise: Promise<T>, ms: number, action: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unavailable(action, new Error(`BullMQ was not ready after ${ms} ms`))), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

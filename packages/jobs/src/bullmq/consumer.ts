/**
 * The fetch loop and deliveries of the BullMQ backend: one BullMQ `Worker` per consumer, used
 * without a processor (BullMQ's "manual processing"), so our worker — not BullMQ — decides every
 * outcome. BullMQ's own attempts, backoff and stalled-job failing are switched off: a job is added
 * with `attempts: 1`, `maxStalledCount` is effectively infinite, and retries are `moveToDelayed`
 * calls made by our worker (one retry layer).
 *
 * Leases are BullMQ locks: `lockDuration` is the consumer's lease, `extend` is `extendLock`, and the
 * consumer runs BullMQ's stalled-job check, which puts a job whose lock ran out (its worker died)
 * back in line; BullMQ's `attemptsStarted` counts every take, so that delivery's attempt is one more.
 *
 * Round trips per job: the ack (`moveToCompleted`, `moveToFailed`, `moveToDelayed`) also takes the
 * next job in the same script (BullMQ's `fetchNext`) and hands it to the slot it frees, so a busy
 * consumer makes one Redis call per job, as a bare BullMQ worker does.
 */
import { Job, Worker, type KeepJobs } from "bullmq";
import type { Redis } from "ioredis";
import { mapRedisError, unavailable } from "./connection.js";
import { asJobRecord, READY_AT_FIELD, type BackendScripts } from "./scripts.js";
// Through the package's own name, so this entry shares the main entry's code (one LeaseLostError class) instead of bundling a copy.
import { encodeRecord, LeaseLostError, type ConsumeOptions, type JobConsumer, type JobDelivery, type JobRecord } from "@connect/jobs";

/** What a consumer needs from its backend. @internal */
export interface ConsumerContext {
  /** BullMQ key prefix. */
  prefix: string;
  /** The shared worker connection (`maxRetriesPerRequest: null`). */
  connection: Redis;
  /** Scripts defined on that connection. */
  scripts: BackendScripts;
  /** Stalled-check interval; default: half the lease, at most 30 s. */
  stalledIntervalMs: number | undefined;
  /** How long an idle consumer blocks on Redis for new work before asking again. */
  idleBlockMs: number;
  /** BullMQ's removeOnComplete (the dedupe window of completed ids). */
  removeOnComplete: KeepJobs;
  /** Key of the queue's retried-jobs set. */
  retryingKey(queue: string): string;
  /** Called when the consumer stops, so the backend forgets it. */
  onStopped(consumer: JobConsumer): void;
}

// BullMQ fails a job that stalled more than maxStalledCount times; our worker counts those
// deliveries as lease-expired attempts and dead-letters when they are exhausted, so BullMQ never may.
const NEVER = Number.MAX_SAFE_INTEGER;

/** BullMQ's error codes for an ack whose lock or job is gone (missing key, missing lock, not active, lock mismatch). */
const LOCK_LOST_CODES = new Set([-1, -2, -3, -6]);

/** A taken job: the BullMQ job and its lock token, plus the stored text when it did not parse. */
interface Taken {
  job: Job;
  token: string;
  unparsed?: string | undefined;
}

/**
 * One slot of the consumer's concurrency: held from hand-out until the delivery's handler settles.
 * When the delivery's ack also fetched the next job, that job takes the slot over (so the consumer
 * never has more than `concurrency` deliveries out, and needs no separate fetch for it).
 */
interface Slot {
  /** The handler settled. */
  settled: boolean;
  /** An ack that fetches the next job is in flight. */
  fetching: boolean;
  /** The job that ack fetched, if any. */
  next: Taken | undefined;
}

/** Start a consumer on `queue`. @internal */
export function startConsumer(ctx: ConsumerContext, queue: string, options: ConsumeOptions): JobConsumer {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const leaseMs = Math.max(1, Math.floor(options.leaseMs));
  const worker = new Worker(queue, null, {
    connection: ctx.connection,
    prefix: ctx.prefix,
    autorun: false,
    concurrency,
    lockDuration: leaseMs,
    // A dead worker's job comes back after its lease plus one to two intervals (marked stalled, then moved).
    stalledInterval: Math.max(1, Math.floor(ctx.stalledIntervalMs ?? Math.min(leaseMs / 2, 30_000))),
    maxStalledCount: NEVER,
    drainDelay: Math.max(0.001, ctx.idleBlockMs / 1000),
    removeOnComplete: ctx.removeOnComplete,
    removeOnFail: { count: 0 },
    // Our worker renews each lease while its handler runs (and stops when the handler hangs past its timeout).
    skipLockRenewal: true,
  });
  let stopped = false;
  worker.on("error", (error) => {
    if (!stopped) options.onError?.(error);
  });
  // Manual processing does not start BullMQ's stalled check; without it a killed worker's job would stay active forever.
  worker.startStalledCheckTimer().catch((error: unknown) => options.onError?.(error));

  let held = 0;
  let sequence = 0;
  let wake: (() => void) | undefined;
  const wakeLoop = (): void => wake?.();
  const jobKey = (id: string): string => `${ctx.prefix}:${queue}:${id}`;

  function lost(jobId: string | undefined, action: string): LeaseLostError {
    return new LeaseLostError(`job ${jobId ?? "?"} in queue ${queue}: could not ${action}; its lease ran out and another worker may hold it`, { queue, jobId });
  }

  function mapError(error: unknown, jobId: string | undefined, action: string): Error {
    const code = (error as { code?: unknown } | undefined)?.code;
    if (typeof code === "number" && LOCK_LOST_CODES.has(code)) return lost(jobId, action);
    return mapRedisError(`${action} of job ${jobId ?? "?"} in queue ${queue}`, error);
  }

  /**
   * Run a delivery's Redis call. The worker connection keeps commands while Redis is away (so an
   * ack survives a short blip). While the consumer runs and Redis is connected that is all; when
   * Redis is not connected at call time, or the consumer is stopping (a command sent just before a
   * connection dropped is kept too), the call is bounded by the lease — after it the job's lease has
   * run out anyway — so a shutdown during an outage ends instead of waiting for Redis. The kept
   * command may still run once Redis is back.
   */
  function bounded<T>(action: string, call: () => Promise<T>): Promise<T> {
    const pending = call();
    if (!stopped && ctx.connection.status === "ready") return pending;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unavailable(action, new Error(`no answer within the ${leaseMs} ms lease (connection ${ctx.connection.status})`))), leaseMs);
    });
    return Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
  }

  /** The next job an ack's script returned (BullMQ's `[jobData, jobId, …]`), or undefined. */
  function nextOf(result: unknown, token: string): Taken | undefined {
    if (!Array.isArray(result) || !result[0] || typeof result[1] !== "string") return undefined;
    const data = result[0] as { data?: string };
    try {
      const job = Job.fromJSON(worker, result[0], result[1]);
      job.token = token;
      return { job, token };
    } catch {
      // Stored text that is not JSON (written by something else): hand it out unparsed so the worker dead-letters it verbatim.
      const job = Job.fromJSON(worker, { ...(result[0] as object), data: "null" } as never, result[1]);
      job.token = token;
      return { job, token, unparsed: data.data ?? "" };
    }
  }

  /** Give back a job taken after stop() without counting its take. */
  function giveBack(taken: Taken): void {
    const { job, token } = taken;
    const at = Date.now();
    worker.backend
      .moveToDelayed(job.id!, at, 0, token, { skipAttempt: true, fieldsToUpdate: { ats: Math.max(0, job.attemptsStarted - 1), [READY_AT_FIELD]: at } })
      .catch(() => undefined); // if this fails the lock runs out and the job comes back (with this take counted)
  }

  function dispatch(taken: Taken): void {
    held += 1;
    const slot: Slot = { settled: false, fetching: false, next: undefined };
    const settle = (): void => {
      slot.settled = true;
      if (!slot.fetching) release(slot);
    };
    try {
      options.onDelivery(createDelivery(taken, slot)).then(settle, settle);
    } catch {
      settle();
    }
  }

  /** The slot is free: its fetched job (if any) takes it, else the loop may fetch. */
  function release(slot: Slot): void {
    held -= 1;
    const next = slot.next;
    slot.next = undefined;
    if (next && stopped) giveBack(next);
    else if (next) dispatch(next);
    wakeLoop();
  }

  function createDelivery(taken: Taken, slot: Slot): JobDelivery {
    const { job, token } = taken;
    const id = job.id!;
    const record = taken.unparsed === undefined ? asJobRecord(job.data) : undefined;
    const jobId = record?.header.id ?? id;
    const attempt = job.attemptsStarted;
    let ended = false;

    const guard = (action: string): Promise<never> | undefined => (ended ? Promise.reject(lost(jobId, `${action} after the delivery already ended`)) : undefined);

    /** End the delivery with one BullMQ call; when the slot is still held, that call also fetches the slot's next job. */
    function end(action: string, call: (fetchNext: boolean) => Promise<unknown>): Promise<void> {
      const refused = guard(action);
      if (refused) return refused;
      ended = true;
      const fetchNext = !stopped && !slot.settled && !slot.fetching;
      if (fetchNext) slot.fetching = true;
      const done = (value: unknown): void => {
        if (!fetchNext) return;
        slot.fetching = false;
        slot.next = value === undefined ? undefined : nextOf(value, token);
        if (slot.settled) release(slot);
      };
      let result: Promise<unknown>;
      try {
        result = bounded(action, () => call(fetchNext));
      } catch (error) {
        result = Promise.reject(error);
      }
      return result.then(
        (value) => done(value),
        (error: unknown) => {
          done(undefined);
          throw mapError(error, jobId, action);
        },
      );
    }

    return {
      record,
      get raw() {
        return taken.unparsed ?? JSON.stringify(job.data ?? null);
      },
      attempt,
      deliveryId: `${queue}/${id}#${attempt}`,
      extend(ms) {
        const refused = guard("extend its lease");
        if (refused) return refused;
        return bounded("extend its lease", () => job.extendLock(token, Math.max(1, Math.floor(ms)))).then(
          (extended) => {
            if (Number(extended) !== 1) throw lost(jobId, "extend its lease");
          },
          (error: unknown) => {
            throw mapError(error, jobId, "extend its lease");
          },
        );
      },
      complete() {
        // The backend call itself (Job#moveToCompleted adds a trace span and a readiness wait per job); no return value is stored.
        return end("complete", (fetchNext) => worker.backend.moveToCompleted(job, null, ctx.removeOnComplete, token, fetchNext).then((moved) => moved.result));
      },
      retry(runAt: number, next: JobRecord) {
        return end("schedule a retry", (fetchNext) => {
          const at = Date.now();
          // The retried set feeds stats().retrying; a member whose job is gone is dropped there.
          ctx.connection.zadd(ctx.retryingKey(queue), job.timestamp, id).catch(() => undefined);
          // One script: checks the lock, stores the record with its attempt history, schedules the job.
          return worker.backend.moveToDelayed(id, at, Math.max(0, Math.ceil(runAt - at)), token, {
            skipAttempt: false,
            fieldsToUpdate: { data: encodeRecord(next), [READY_AT_FIELD]: Math.max(at, Math.ceil(runAt)) },
            fetchNext,
          });
        });
      },
      discard() {
        // Failed with removeOnFail: the job and its id are gone, so a re-drive can enqueue it again.
        return end("discard", (fetchNext) => worker.backend.moveToFailed(job, "moved to the dead letters by @connect/jobs", { count: 0 }, token, fetchNext).then((moved) => moved.result));
      },
      release() {
        return end("release", () => {
          const at = Date.now();
          // Undo this take's count in the same script that gives the job back (nobody else can take it in between).
          return worker.backend.moveToDelayed(id, at, 0, token, { skipAttempt: true, fieldsToUpdate: { ats: Math.max(0, attempt - 1), [READY_AT_FIELD]: at } });
        });
      },
      save(next: JobRecord) {
        const refused = guard("save a checkpoint");
        if (refused) return refused;
        const key = jobKey(id);
        return bounded("save a checkpoint", () => ctx.scripts.saveIfLocked(key, `${key}:lock`, token, encodeRecord(next))).then(
          (saved) => {
            if (Number(saved) !== 1) throw lost(jobId, "save a checkpoint");
          },
          (error: unknown) => {
            throw mapError(error, jobId, "save a checkpoint");
          },
        );
      },
    };
  }

  let stopNow: () => void = () => undefined;
  const stopping = new Promise<undefined>((resolve) => (stopNow = () => resolve(undefined)));
  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      if (held >= concurrency) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const token = `${worker.id}:${(sequence += 1)}`;
      let job: Job | undefined;
      try {
        // Blocks on BullMQ's marker while the queue is empty (and until the next delayed job is due).
        const fetching = worker.getNextJob(token, { block: true }) as Promise<Job | undefined>;
        // stop() does not wait for a fetch that cannot finish (Redis gone: the worker connection keeps
        // the command); a job such a fetch brings later is given back.
        const fetched = await Promise.race([fetching.then((value) => ({ value })), stopping]);
        if (!fetched) {
          fetching.then((late) => late && giveBack({ job: late, token }), () => undefined);
          break;
        }
        job = fetched.value;
        failures = 0;
      } catch (error) {
        if (stopped) break;
        failures += 1;
        options.onError?.(error);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(5_000, 100 * 2 ** Math.min(failures, 6)));
          wake = () => (clearTimeout(timer), resolve());
        });
        wake = undefined;
        continue;
      }
      if (!job) continue;
      if (stopped) giveBack({ job, token });
      else dispatch({ job, token });
    }
  })();

  const consumer: JobConsumer = {
    async stop() {
      if (stopped) return loop;
      stopped = true;
      stopNow();
      wakeLoop();
      // Closing the BullMQ worker interrupts a blocking fetch at once. Deliveries already handed out keep
      // their leases and can still ack: they use the shared worker connection, which stays open.
      await worker.close(true).catch(() => undefined);
      await loop;
      ctx.onStopped(consumer);
    },
  };
  return consumer;
}

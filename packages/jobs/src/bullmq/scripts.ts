/**
 * What the BullMQ backend adds on top of BullMQ's own keys: the mapping of our job ids to BullMQ
 * ids, the check that a stored job is one of our records, and two small Lua scripts — a
 * lock-checked checkpoint write and the stats read — that BullMQ has no public call for.
 */
import type { Redis } from "ioredis";
import type { JobRecord } from "@connect/jobs";

/**
 * BullMQ refuses custom ids that are integers or contain `:` (its key separator), and a job id
 * equal to one of its own key names (`wait`, `meta`, …) would collide with them. Our ids are
 * free-form (`reminder:loan-1`, schedule occurrences with ISO times), so they are stored under
 * `j.` + the id with `%` and `:` percent-encoded: injective, never an integer, never a BullMQ key.
 * @internal
 */
export function bullJobId(id: string): string {
  return `j.${id.includes(":") || id.includes("%") ? id.replace(/%/g, "%25").replace(/:/g, "%3A") : id}`;
}

/**
 * Whether a stored value is a job record. The same shape check as `decodeRecord` in record.ts,
 * done on the object BullMQ has already parsed (decodeRecord takes text, and a second
 * stringify + parse per job is a cost the hot path does not need).
 * @internal
 */
export function asJobRecord(value: unknown): JobRecord | undefined {
  if (!value || typeof value !== "object") return undefined;
  const { header, metadata } = value as Partial<JobRecord>;
  if (!header || typeof header !== "object" || !metadata || typeof metadata !== "object") return undefined;
  const ok =
    typeof header.id === "string" &&
    typeof header.name === "string" &&
    typeof header.queue === "string" &&
    typeof header.correlationId === "string" &&
    typeof header.idempotencyKey === "string" &&
    Array.isArray(metadata.history) &&
    "payload" in value;
  return ok ? (value as JobRecord) : undefined;
}

/** Hash field with the epoch ms a retried or released job became ready (BullMQ resets `delay` on promotion). @internal */
export const READY_AT_FIELD = "connectReadyAt";

/** Key (below the queue's key prefix) of the sorted set of jobs that were retried: member job id, score its BullMQ `timestamp`. @internal */
export const RETRYING_SUFFIX = "connect-retrying";

// Write a checkpoint only while this delivery still holds the lock: BullMQ's updateData does not
// check the lock, and a worker that lost its lease must not overwrite the next holder's record.
const SAVE_IF_LOCKED = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[2])
return 1`;

// Which of the keys exist, in one call: placed first in the MULTI that adds a chunk of jobs, so the
// answer holds for the adds that follow (BullMQ's add script answers the same for a new and a duplicate id).
const EXISTING = `
local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('EXISTS', key) end
return out`;

// Counts in the sqlite backend's terms, read atomically from BullMQ's keys:
// - waiting: wait + paused + prioritized, plus delayed jobs already due (BullMQ promotes them only
//   when a worker fetches) and active jobs whose lock is gone (the stalled check will requeue them);
// - active: active jobs whose lock is held;
// - retrying: members of our retried set still waiting or delayed (stale members are dropped:
//   finished, removed, or an id enqueued again later, told apart by BullMQ's `timestamp`);
// - oldest: the earliest ready time among the next jobs in line and the earliest due delayed job.
//   A job's ready time is our ready-at field (retries, releases), else its BullMQ timestamp plus
//   its enqueue delay, and never before its last take (`processedOn`: a job requeued after its
//   lease ran out became ready then, or later).
const STATS = `
local waitKey, pausedKey, prioritizedKey, delayedKey, activeKey, retryingKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local now = tonumber(ARGV[1])
local prefix = ARGV[2]
local readyField = ARGV[3]
local dueMax = (now + 1) * 0x1000 - 1
local waiting = redis.call('LLEN', waitKey) + redis.call('LLEN', pausedKey) + redis.call('ZCARD', prioritizedKey)
local due = redis.call('ZCOUNT', delayedKey, '-inf', dueMax)
local delayed = redis.call('ZCARD', delayedKey) - due
waiting = waiting + due
local active = 0
for _, id in ipairs(redis.call('LRANGE', activeKey, 0, -1)) do
  if redis.call('EXISTS', prefix .. id .. ':lock') == 1 then active = active + 1 else waiting = waiting + 1 end
end
local retrying = 0
local members = redis.call('ZRANGE', retryingKey, 0, -1, 'WITHSCORES')
for i = 1, #members, 2 do
  local id, score = members[i], tonumber(members[i + 1])
  local jobKey = prefix .. id
  local h = redis.call('HMGET', jobKey, 'timestamp', 'finishedOn')
  if (not h[1]) or tonumber(h[1]) ~= score or h[2] then
    redis.call('ZREM', retryingKey, id)
  elseif redis.call('EXISTS', jobKey .. ':lock') == 0 then
    retrying = retrying + 1
  end
end
local oldest = nil
local function consider(at)
  if at and (oldest == nil or at < oldest) then oldest = at end
end
for _, id in ipairs(redis.call('LRANGE', waitKey, -16, -1)) do
  local h = redis.call('HMGET', prefix .. id, readyField, 'timestamp', 'opts', 'processedOn')
  local at = tonumber(h[1])
  if not at and h[2] then
    local delay = 0
    if h[3] then
      local ok, opts = pcall(cjson.decode, h[3])
      if ok and type(opts) == 'table' and tonumber(opts['delay']) then delay = tonumber(opts['delay']) end
    end
    at = tonumber(h[2]) + delay
  end
  local taken = tonumber(h[4])
  if at and taken and taken > at then at = taken end
  consider(at)
end
local first = redis.call('ZRANGEBYSCORE', delayedKey, '-inf', dueMax, 'WITHSCORES', 'LIMIT', 0, 1)
if first[2] then consider(math.floor(tonumber(first[2]) / 0x1000)) end
return { waiting, delayed, active, retrying, oldest or -1 }`;

/** Name of the existence script on a client's pipelines and transactions (`multi.runCommand(EXISTING_COMMAND, [n, ...keys])`). @internal */
export const EXISTING_COMMAND = "connectJobsExisting";

/** The scripts, defined on a client (ioredis sends EVALSHA and falls back to EVAL once per connection). @internal */
export interface BackendScripts {
  saveIfLocked(jobKey: string, lockKey: string, token: string, data: string): Promise<number>;
  stats(keys: [string, string, string, string, string, string], now: number, prefix: string): Promise<[number, number, number, number, number]>;
}

type ScriptClient = Redis & {
  connectJobsSaveIfLocked?: (jobKey: string, lockKey: string, token: string, data: string) => Promise<number>;
  connectJobsStats?: (...args: Array<string | number>) => Promise<[number, number, number, number, number]>;
};

/** Define the scripts on `redis` (idempotent) and return typed callers. @internal */
export function defineScripts(redis: Redis): BackendScripts {
  const client = redis as ScriptClient;
  if (!client.connectJobsSaveIfLocked) client.defineCommand("connectJobsSaveIfLocked", { numberOfKeys: 2, lua: SAVE_IF_LOCKED });
  if (!client.connectJobsStats) client.defineCommand("connectJobsStats", { numberOfKeys: 6, lua: STATS });
  if (!(client as unknown as Record<string, unknown>)[EXISTING_COMMAND]) client.defineCommand(EXISTING_COMMAND, { lua: EXISTING });
  return {
    saveIfLocked: (jobKey, lockKey, token, data) => client.connectJobsSaveIfLocked!(jobKey, lockKey, token, data),
    stats: (keys, now, prefix) => client.connectJobsStats!(...keys, now, prefix, READY_AT_FIELD),
  };
}

/**
 * Issue 20 crash suite on BullMQ (Redis at REDIS_URL; `.ci/run` starts one): at least 200
 * SIGKILLed workers, then one that drains; counted at the vendor fakes, 0 lost and 0 duplicated.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { runCrashSuite } from "./crash/harness.js";
import { expectNothingLost } from "./crash/expect.js";

const KILLS = Number(process.env.CRASH_KILLS ?? 200);
const REDIS_URL = process.env.REDIS_URL;

describe.runIf(REDIS_URL)("crash suite: BullMQ", () => {
  it(`loses and duplicates nothing across ${KILLS} SIGKILLed workers`, async () => {
    const prefix = `crash-${randomUUID().slice(0, 8)}`;
    const result = await runCrashSuite({ backend: "bullmq", redisUrl: REDIS_URL, prefix }, { kills: KILLS });
    expectNothingLost("BullMQ", result, KILLS);
    const { connectRedis } = await import("@connect/core/redis");
    const redis = await connectRedis(REDIS_URL!);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }, 600_000);
});

/**
 * Issue 20 crash suites: on each engine (embedded node:sqlite; BullMQ on Redis at REDIS_URL, which
 * `.ci/run` starts; SQS through its fake of @connect/jobs/testing on loopback, reached by the real
 * @aws-sdk/client-sqs in every worker) at least 200 SIGKILLed workers, then one that drains;
 * counted at the vendor fakes, 0 lost and 0 duplicated. One file, so the engines run one after the
 * other: each suite keeps a pool of worker processes busy, and two at once would only fight for
 * the same cores.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveHandlers } from "@connect/core/testing";
import { createSqsFake } from "@connect/jobs/testing";
import { afterAll, describe, it } from "vitest";
import { expectNothingLost } from "./crash/expect.js";
import { removeWorkerBundle, runCrashSuite } from "./crash/harness.js";

const KILLS = Number(process.env.CRASH_KILLS ?? 200);
const REDIS_URL = process.env.REDIS_URL;
const TIMEOUT = 600_000;

afterAll(removeWorkerBundle);

function withTempDir<T>(prefix: string, run: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return run(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe("crash suite: node:sqlite", () => {
  it(`loses and duplicates nothing across ${KILLS} SIGKILLed workers`, async () => {
    await withTempDir("connect-crash-", async (dir) => {
      const result = await runCrashSuite({ backend: "sqlite", db: join(dir, "jobs.db") }, { kills: KILLS });
      expectNothingLost("node:sqlite", result, KILLS);
    });
  }, TIMEOUT);
});

describe.runIf(REDIS_URL)("crash suite: BullMQ", () => {
  it(`loses and duplicates nothing across ${KILLS} SIGKILLed workers`, async () => {
    const prefix = `crash-${randomUUID().slice(0, 8)}`;
    const { connectRedis } = await import("@connect/core/redis");
    try {
      const result = await runCrashSuite({ backend: "bullmq", redisUrl: REDIS_URL, prefix }, { kills: KILLS });
      expectNothingLost("BullMQ", result, KILLS);
    } finally {
      const redis = await connectRedis(REDIS_URL!);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  }, TIMEOUT);
});

describe("crash suite: SQS", () => {
  it(`loses and duplicates nothing across ${KILLS} SIGKILLed workers`, async () => {
    await withTempDir("connect-crash-sqs-", async (dir) => {
      const fake = createSqsFake();
      const server = await serveHandlers(fake.handlers);
      try {
        fake.createQueue("crash");
        fake.createQueue("crash-inbox");
        const queueUrls = { crash: `${server.url}/000000000000/crash`, "crash-inbox": `${server.url}/000000000000/crash-inbox` };
        const result = await runCrashSuite({ backend: "sqs", sqsUrl: server.url, queueUrls, db: join(dir, "side.db") }, { kills: KILLS });
        expectNothingLost("SQS", result, KILLS);
      } finally {
        fake.close();
        await server.close();
      }
    });
  }, TIMEOUT);
});

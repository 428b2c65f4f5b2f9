/**
 * The backend conformance suite on BullMQ, against a real redis-server (runs only when REDIS_URL is
 * set): a fresh key prefix per test, every key of it deleted afterwards.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe } from "vitest";
import { createBullMqBackend } from "../src/bullmq/index.js";
import { describeBackendConformance } from "./conformance.js";

const REDIS_URL = process.env.REDIS_URL;

describe.runIf(REDIS_URL)("BullMQ backend (REDIS_URL)", () => {
  let admin: Redis;
  beforeAll(() => {
    admin = new Redis(REDIS_URL!);
  });
  afterAll(async () => {
    await admin.quit();
  });

  describeBackendConformance("BullMQ", {
    async create() {
      const prefix = `test-${randomUUID().slice(0, 8)}`;
      // Short stalled checks and idle blocks: a dead worker's job returns within a lease and a few hundred ms.
      const backend = createBullMqBackend({ connection: REDIS_URL!, prefix, stalledIntervalMs: 200, idleBlockMs: 1_000 });
      return {
        backend,
        async cleanup() {
          await backend.close();
          const keys = await admin.keys(`${prefix}:*`);
          if (keys.length > 0) await admin.del(...keys);
        },
      };
    },
  });
});

/**
 * Issue 20 crash suite on SQS: the SQS fake of @connect/jobs/testing on loopback (reached by the
 * real @aws-sdk/client-sqs in every worker), at least 200 SIGKILLed workers, then one that drains;
 * counted at the vendor fakes, 0 lost and 0 duplicated.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveHandlers } from "@connect/core/testing";
import { createSqsFake } from "@connect/jobs/testing";
import { describe, it } from "vitest";
import { runCrashSuite } from "./crash/harness.js";
import { expectNothingLost } from "./crash/expect.js";

const KILLS = Number(process.env.CRASH_KILLS ?? 200);

describe("crash suite: SQS", () => {
  it(`loses and duplicates nothing across ${KILLS} SIGKILLed workers`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "connect-crash-sqs-"));
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
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

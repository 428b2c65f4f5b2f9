/**
 * Issue 20 crash suite on the embedded node:sqlite backend: at least 200 SIGKILLed workers, then
 * one that drains; counted at the vendor fakes, 0 lost and 0 duplicated.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { expectNothingLost } from "./crash/expect.js";
import { runCrashSuite } from "./crash/harness.js";

const KILLS = Number(process.env.CRASH_KILLS ?? 200);

describe("crash suite: node:sqlite", () => {
  it(`loses and duplicates nothing across ${KILLS} SIGKILLed workers`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "connect-crash-"));
    try {
      const result = await runCrashSuite({ backend: "sqlite", db: join(dir, "jobs.db") }, { kills: KILLS });
      expectNothingLost("node:sqlite", result, KILLS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

/**
 * Issue 20 crash suite on the embedded node:sqlite backend: at least 200 SIGKILLed workers, then
 * one that drains; counted at the vendor fakes, 0 lost and 0 duplicated.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCrashSuite } from "./crash/harness.js";

const KILLS = Number(process.env.CRASH_KILLS ?? 200);

describe("crash suite: node:sqlite", () => {
  it(`loses and duplicates nothing across ${KILLS} SIGKILLed workers`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "connect-crash-"));
    try {
      const result = await runCrashSuite({ backend: "sqlite", db: join(dir, "jobs.db") }, { kills: KILLS });
      console.log(`node:sqlite: ${result.kills} workers killed (${Object.entries(result.byMode).map(([m, c]) => `${m} ${c}`).join(", ")}; ${result.timing.perKillMs} ms per kill, ${result.timing.readyWaitMs} ms of it waiting for a ready worker)`);
      console.table(result.rows);
      expect(result.kills).toBeGreaterThanOrEqual(KILLS);
      for (const row of result.rows) {
        expect({ kind: row.kind, duplicated: row.duplicated, lost: row.lost }).toEqual({ kind: row.kind, duplicated: 0, lost: 0 });
        expect(row.jobs).toBeGreaterThan(0);
      }
      // A keyed write is never left unknown: every analysis, and every acknowledged webhook's, ran exactly once.
      expect(result.rows[1]!["exactly once"]).toBe(result.rows[1]!.jobs);
      expect(result.rows[2]!["exactly once"]).toBe(result.rows[2]!.jobs);
      expect(result.unexpectedLetters).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

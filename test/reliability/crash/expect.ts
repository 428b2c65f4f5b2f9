/** The crash suite's verdict, the same for every backend. */
import { expect } from "vitest";
import type { CrashResult } from "./harness.js";

/** Print the table and assert: enough kills, nothing lost, nothing duplicated, keyed writes exactly once. */
export function expectNothingLost(backend: string, result: CrashResult, kills: number): void {
  console.log(`${backend}: ${result.kills} workers killed (${Object.entries(result.byMode).map(([m, c]) => `${m} ${c}`).join(", ")}; ${result.timing.perKillMs} ms per kill, ${result.timing.readyWaitMs} ms of it waiting for a ready worker)`);
  console.table(result.rows);
  expect(result.kills).toBeGreaterThanOrEqual(kills);
  // The only dead letters are unsafe writes whose outcome the crash made unknowable.
  expect(result.unexpectedLetters.map((l) => `${l.id}: ${String(l.error.name)} ${String(l.error.message)}`)).toEqual([]);
  for (const row of result.rows) {
    expect({ kind: row.kind, duplicated: row.duplicated, lost: row.lost }).toEqual({ kind: row.kind, duplicated: 0, lost: 0 });
    expect(row.jobs).toBeGreaterThan(0);
  }
  // A keyed write is never left unknown: every analysis, and every acknowledged webhook's, ran exactly once.
  expect(result.rows[1]!["exactly once"]).toBe(result.rows[1]!.jobs);
  expect(result.rows[2]!["exactly once"]).toBe(result.rows[2]!.jobs);
}

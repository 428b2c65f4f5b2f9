/**
 * Issue 15 — the fault matrix: every write operation of every vendor package, against its fake,
 * under each fault (500, 502, 503, 504, 429 with and without Retry-After, connect timeout, body
 * timeout, reset mid-body, malformed body, schema violation, 401 with an expired token, endless
 * 503). Each case asserts what core's error table promises for the write's retry safety: success
 * after retries with one idempotency key on the wire, or the right typed error, with exhausted
 * work in the dead-letter sink and exactly as many effects in the fake as successful calls.
 * The matrix is printed as a table.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capturingLogger, formatTable, memoryTracing, startBlackhole } from "./harness.js";
import { KITS } from "./kits/index.js";
import type { Kit } from "./kits/types.js";
import { describeResult, FAULTS, MATRIX_HEADER, runCase, type CaseResult, type MatrixEnv } from "./matrix-runner.js";

const results: CaseResult[] = [];
let env: MatrixEnv;
let blackhole: Awaited<ReturnType<typeof startBlackhole>>;

beforeAll(async () => {
  blackhole = await startBlackhole();
  const tracing = memoryTracing();
  env = { blackholeUrl: blackhole.url, tracerProvider: tracing.tracerProvider, exporter: tracing.exporter, logger: capturingLogger() };
});

afterAll(() => {
  blackhole?.close();
  const rows = results.map(describeResult);
  console.log(`\nFault matrix (issue 15): ${results.length} cases, ${results.filter((r) => r.problems.length === 0).length} as promised\n${formatTable(MATRIX_HEADER, rows)}\n`);
});

for (const [vendor, start] of Object.entries(KITS)) {
  describe(`${vendor}`, () => {
    let kit: Kit;
    beforeAll(async () => {
      kit = await start();
    });
    afterAll(async () => {
      await kit?.close();
    });

    it("every write under every fault ends as the error table promises", async () => {
      const problems: string[] = [];
      for (const op of kit.writes) {
        for (const fault of FAULTS) {
          const result = await runCase(kit, op, fault, env);
          results.push(result);
          for (const p of result.problems) problems.push(`${op.id} × ${fault}: ${p}`);
        }
      }
      expect(problems).toEqual([]);
    });
  });
}

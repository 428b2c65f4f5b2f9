/**
 * Issue 15 — the fault matrix: every write operation of every vendor package (and the
 * representative reads a kit lists), against its fake,
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
import { describeResult, FAULTS, MATRIX_HEADER, runCase, runConcurrently, type CaseResult, type MatrixEnv } from "./matrix-runner.js";

const results: CaseResult[] = [];
const kits = new Map<string, Kit>();
let env: MatrixEnv;
let blackhole: Awaited<ReturnType<typeof startBlackhole>>;

beforeAll(async () => {
  blackhole = await startBlackhole();
  const tracing = memoryTracing();
  env = { blackholeUrl: blackhole.url, tracerProvider: tracing.tracerProvider, exporter: tracing.exporter, logger: capturingLogger() };
  for (const [vendor, start] of Object.entries(KITS)) kits.set(vendor, await start());
});

afterAll(async () => {
  blackhole?.close();
  await Promise.all([...kits.values()].map((kit) => kit.close()));
  const order = (r: CaseResult): number => FAULTS.indexOf(r.fault);
  const sorted = [...results].sort((a, b) => a.vendor.localeCompare(b.vendor) || a.op.localeCompare(b.op) || order(a) - order(b));
  console.log(`\nFault matrix (issue 15): ${results.length} cases, ${results.filter((r) => r.problems.length === 0).length} as promised\n${formatTable(MATRIX_HEADER, sorted.map(describeResult))}\n`);
});

function problemsOf(list: CaseResult[]): string[] {
  return list.flatMap((r) => r.problems.map((p) => `${r.vendor} ${r.op} × ${r.fault}: ${p}`));
}

describe("fault matrix", () => {
  for (const vendor of Object.keys(KITS)) {
    // Vendors run side by side (each has its own fake, server and span exporter): the waits overlap.
    it.concurrent(`${vendor}: every write under every fault ends as the error table promises`, async () => {
      const kit = kits.get(vendor)!;
      const tracing = memoryTracing();
      const own: MatrixEnv = { ...env, tracerProvider: tracing.tracerProvider, exporter: tracing.exporter };
      const mine: CaseResult[] = [];
      for (const op of [...kit.writes, ...(kit.reads ?? [])]) {
        for (const fault of FAULTS) {
          if (fault === "connect timeout") continue;
          mine.push(await runCase(kit, op, fault, own));
        }
      }
      results.push(...mine);
      expect(problemsOf(mine)).toEqual([]);
    });
  }

  it("every vendor: a connect timeout on every write is retried (never sent), exhausts, and is dead-lettered", async () => {
    const mine = (await Promise.all([...kits.values()].map((kit) => runConcurrently(kit, [...kit.writes, ...(kit.reads ?? [])], "connect timeout", env)))).flat();
    results.push(...mine);
    expect(mine).toHaveLength([...kits.values()].reduce((n, kit) => n + kit.writes.length + (kit.reads?.length ?? 0), 0));
    expect(problemsOf(mine)).toEqual([]);
  });
});

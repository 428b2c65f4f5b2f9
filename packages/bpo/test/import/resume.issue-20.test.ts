/**
 * Issue 20: an import that dies mid-file resumes from its last checkpoint and its report is
 * exactly the report of one uninterrupted import — also when it died right after a write took
 * effect and before that row was counted.
 */
import { ValidationError } from "@connect/core";
import { importBpoExport, type BpoImportCheckpoint, type BpoImportReport } from "@connect/bpo";
import { createMemoryImportStore, writeBpoExport } from "@connect/bpo/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers.js";

let cleanup: () => Promise<void>;
let path: string;
let reference: BpoImportReport;
let referenceSnapshot: unknown;

class Crash extends Error {}

/** The parts of a report that must not change with a crash in the middle. */
function outcome(report: BpoImportReport) {
  const { startedAt: _s, finishedAt: _f, durationMs: _d, bytesRead: _b, ...rest } = report;
  return rest;
}

beforeAll(async () => {
  let dir: string;
  ({ dir, cleanup } = await tempDir());
  ({ path } = await writeBpoExport({ dir, date: "2024-06-03", rows: 1200, messy: { every: 9 }, seed: 7 }));
  const store = createMemoryImportStore();
  reference = await importBpoExport(path, { store });
  referenceSnapshot = store.snapshot();
});
afterAll(async () => {
  await cleanup();
});

describe("issue 20: a crashed import resumes from its checkpoint with an exact report", () => {
  it.each([
    ["before the write of the crashed row", "before"],
    ["after the write of the crashed row took effect, before it was counted", "after"],
  ] as const)("dies %s", async (_name, when) => {
    const store = createMemoryImportStore();
    let saved: BpoImportCheckpoint | undefined;
    let writes = 0;
    const crashAt = 400;
    // The first run "dies" when it reaches its 400th write: either at that write's checkpoint, or
    // (after) at the next one, once the 400th write has reached the store.
    const first = await importBpoExport(path, {
      store,
      onCheckpoint: async (checkpoint) => {
        writes += 1;
        if (writes === crashAt + (when === "after" ? 1 : 0)) throw new Crash("SIGKILL");
        saved = JSON.parse(JSON.stringify(checkpoint)) as BpoImportCheckpoint;
      },
    }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(Error);
    expect(saved!.inFlight).toMatchObject({ action: expect.stringMatching(/^(create|update)$/) });
    expect(store.writes).toHaveLength(when === "after" ? crashAt : crashAt - 1);

    const resumed = await importBpoExport(path, { store, resumeFrom: saved });
    expect(outcome(resumed)).toEqual(outcome(reference));
    expect(store.snapshot()).toEqual(referenceSnapshot);
    // Every project was written once: nothing before the checkpoint was written again.
    const perId = new Map<string, number>();
    for (const w of store.writes) perId.set(w.externalId, (perId.get(w.externalId) ?? 0) + 1);
    expect(Math.max(...perId.values())).toBe(1);
    expect(store.writes).toHaveLength(reference.created + reference.updated);
  });

  it("refuses a checkpoint of another file before reading anything", async () => {
    const store = createMemoryImportStore();
    const checkpoint: BpoImportCheckpoint = {
      file: "bpo_export_2024-06-02.csv",
      row: 10,
      counts: { rows: 10, created: 10, updated: 0, skipped: 0, skippedBy: { older: 0, unchanged: 0, platformOwned: 0 }, rejected: 0, failed: 0 },
      rejectedRows: [],
      failedRows: [],
      problemsTruncated: false,
    };
    const error = await importBpoExport(path, { store, resumeFrom: checkpoint }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: "resumeFrom", message: "must be a checkpoint of bpo_export_2024-06-03.csv" }]);
    expect(store.writes).toEqual([]);
  });
});

/**
 * Issue 20: the BPO nightly import as a scheduled durable job — 02:00 America/Los_Angeles in
 * winter and summer, and an import whose worker is stopped half-way resumes from its checkpoint
 * on the next worker with the same report as an uninterrupted import.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { folderExportReader, importBpoExport, type BpoImportReport, type BpoImportStore } from "@connect/bpo";
import { bpoNightlySchedule, defineBpoImportJob } from "@connect/bpo/jobs";
import { createMemoryImportStore, writeBpoExport } from "@connect/bpo/testing";
import { createJobQueue, createSqliteBackend, type JobEvent } from "@connect/jobs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let dir: string;
let reference: BpoImportReport;

function outcome(report: BpoImportReport) {
  const { startedAt: _s, finishedAt: _f, durationMs: _d, bytesRead: _b, ...rest } = report;
  return rest;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "connect-bpo-jobs-"));
  await writeBpoExport({ dir, date: "2024-06-03", rows: 600, messy: { every: 11 }, seed: 3 });
  reference = (await importBpoExport(join(dir, "bpo_export_2024-06-03.csv"), { store: createMemoryImportStore() }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function until(predicate: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("bpoNightlySchedule", () => {
  it.each([
    ["winter (PST, UTC-8)", "2026-12-07T12:00:00.000Z", "2026-12-08T10:00:00.000Z"],
    ["summer (PDT, UTC-7)", "2026-07-01T12:00:00.000Z", "2026-07-02T09:00:00.000Z"],
    ["just before 02:00 local", "2026-12-07T09:59:00.000Z", "2026-12-07T10:00:00.000Z"],
  ])("enqueues the next 02:00 America/Los_Angeles — %s", async (_name, now, fireAt) => {
    const backend = createSqliteBackend({ path: ":memory:" });
    const job = defineBpoImportJob({ reader: folderExportReader(dir), store: createMemoryImportStore() });
    const events: JobEvent[] = [];
    const queue = createJobQueue({ backend, jobs: [job], schedules: [bpoNightlySchedule(job)], now: () => Date.parse(now), onEvent: (e) => events.push(e) });
    await queue.startSchedules();
    await backend.close();
    expect(events).toEqual([{ type: "enqueued", queue: "default", jobId: `schedule:bpo-nightly-import:${fireAt}`, name: "bpo.nightly-import", created: true, runAt: fireAt }]);
  });
});

describe("defineBpoImportJob", () => {
  it("an import stopped half-way resumes from its checkpoint on the next worker, and its report is exact", async () => {
    const path = join(dir, "jobs.db");
    const memory = createMemoryImportStore();
    let writes = 0;
    // The first worker's 250th write hangs (a process that froze mid-import); the worker is then stopped.
    let hang = true;
    const store: BpoImportStore = {
      findByExternalId: (id, ctx) => memory.findByExternalId(id, ctx),
      create: (record, ctx) => ((writes += 1) === 250 && hang ? new Promise(() => undefined) : memory.create(record, ctx)),
      update: (id, record, ctx) => ((writes += 1) === 250 && hang ? new Promise(() => undefined) : memory.update(id, record, ctx)),
    };
    const reports: BpoImportReport[] = [];
    const job = defineBpoImportJob({ reader: folderExportReader(dir), store, onReport: (r) => void reports.push(r) });
    const backend = createSqliteBackend({ path, pollMs: 10 });
    const events: JobEvent[] = [];
    const queue = createJobQueue({ backend, jobs: [job], onEvent: (e) => events.push(e) });
    await queue.enqueue(job, { date: "2024-06-03" }, { jobId: "bpo:2024-06-03" });
    const first = queue.work();
    await until(() => writes === 250, "the hung write");
    expect(await first.stop({ deadlineMs: 50 })).toEqual({ finished: 0, released: 1 });
    hang = false;
    const second = queue.work();
    await until(() => reports.length === 1, "the resumed import's report");
    await second.stop();
    await backend.close();
    expect(outcome(reports[0]!)).toEqual(outcome(reference));
    expect(memory.writes).toHaveLength(reference.created + reference.updated);
    expect(events.filter((e) => e.type === "started").map((e) => (e as { attempt: number }).attempt)).toEqual([1, 1]);
  });

  it("retries while the export of a given date has not been delivered, then imports it", async () => {
    const late = mkdtempSync(join(tmpdir(), "connect-bpo-late-"));
    try {
      const reports: BpoImportReport[] = [];
      const job = defineBpoImportJob({ reader: folderExportReader(late), store: createMemoryImportStore(), onReport: (r) => void reports.push(r), retry: { minDelayMs: 50, maxDelayMs: 50, jitter: false } });
      const backend = createSqliteBackend({ path: ":memory:", pollMs: 10 });
      const events: JobEvent[] = [];
      const queue = createJobQueue({ backend, jobs: [job], onEvent: (e) => events.push(e) });
      await queue.enqueue(job, { date: "2024-06-04" });
      const worker = queue.work();
      await until(() => events.some((e) => e.type === "retrying"), "a retry");
      await writeBpoExport({ dir: late, date: "2024-06-04", rows: 20, seed: 5 });
      await until(() => reports.length === 1, "the import");
      await worker.stop();
      await backend.close();
      expect(reports[0]).toMatchObject({ file: "bpo_export_2024-06-04.csv", rows: 20, complete: true });
      expect(String((events.find((e) => e.type === "retrying") as { error: Record<string, unknown> }).error.message)).toContain("the export of 2024-06-04 has not been delivered yet");
    } finally {
      rmSync(late, { recursive: true, force: true });
    }
  });
});

/**
 * Issue 20: Textract analyses as durable jobs — start → poll (or the SNS notification) →
 * complete → the host's handler, once; a restart in the middle resumes from the queue.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { createJobQueue, createSqliteBackend, type JobEvent } from "@connect/jobs";
import { createTextractClient } from "@connect/textract";
import { createDurableAnalysis, type DurableAnalysisResult } from "@connect/textract/jobs";
import { createTextractFake, sampleDocuments } from "@connect/textract/testing";
import { afterEach, describe, expect, it } from "vitest";

const credentials = { accessKeyId: "AKIDJOBSTEST0000000", secretAccessKey: "jobs-test-secret" };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(inProgressPolls: number) {
  const fake = createTextractFake({ inProgressPolls });
  const server: ServedHandlers = await serveHandlers(fake.handlers);
  fake.putDocument("surveys", "LN-1001.pdf", sampleDocuments.SURVEY);
  const textract = createTextractClient({ region: "us-east-1", endpoint: server.url, credentials, policy: { retry: { attempts: 2, minDelayMs: 1, maxDelayMs: 2 } } });
  const dir = mkdtempSync(join(tmpdir(), "connect-textract-jobs-"));
  cleanups.push(async () => {
    await textract.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { fake, textract, path: join(dir, "jobs.db") };
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 8_000;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const startPayload = { ref: "LN-1001", document: { bucket: "surveys", name: "LN-1001.pdf" }, features: ["FORMS", "QUERIES"] as ("FORMS" | "QUERIES")[], documentType: "SURVEY" };

describe("createDurableAnalysis", () => {
  it("starts, polls until Textract finishes, extracts the document type's fields and calls onResult once", async () => {
    const { fake, textract, path } = await setup(2);
    const results: DurableAnalysisResult[] = [];
    const analysis = createDurableAnalysis({ textract, pollAfterMs: 20, maxPollDelayMs: 40, onResult: (r) => void results.push(r) });
    const backend = createSqliteBackend({ path, pollMs: 10 });
    const events: JobEvent[] = [];
    const queue = createJobQueue({ backend, jobs: analysis.jobs, onEvent: (e) => events.push(e) });
    cleanups.push(() => backend.close());
    await queue.enqueue(analysis.start, startPayload, { jobId: "survey:LN-1001" });
    const worker = queue.work();
    await until(() => results.length === 1, "the result");
    await worker.stop();
    expect(fake.jobs.size).toBe(1);
    const [job] = [...fake.jobs.values()];
    expect(results[0]).toMatchObject({ jobId: job!.jobId, ref: "LN-1001", status: "SUCCEEDED", completedBy: "poll" });
    expect(results[0]!.extraction!.fields.PARCEL_NUMBER).toMatchObject({ value: "042-118-07" });
    expect(job!.jobTag).toBe("SURVEY:LN-1001");
    // Two polls answered IN_PROGRESS (retried by the queue), the third saw it done.
    expect(events.filter((e) => e.type === "retrying").map((e) => e.name)).toEqual(["textract.analysis.poll", "textract.analysis.poll"]);
    expect(events.filter((e) => e.type === "completed").map((e) => e.name)).toEqual(["textract.analysis.start", "textract.analysis.poll", "textract.analysis.complete"]);
  });

  it("completes from the SNS notification and the late poll does not run onResult again", async () => {
    const { fake, textract, path } = await setup(0);
    const results: DurableAnalysisResult[] = [];
    const analysis = createDurableAnalysis({ textract, pollAfterMs: 300, onResult: (r) => void results.push(r) });
    const backend = createSqliteBackend({ path, pollMs: 10 });
    const events: JobEvent[] = [];
    const queue = createJobQueue({ backend, jobs: analysis.jobs, onEvent: (e) => events.push(e) });
    cleanups.push(() => backend.close());
    await queue.enqueue(analysis.start, startPayload, { jobId: "survey:LN-1001" });
    const worker = queue.work();
    await until(() => fake.jobs.size === 1, "the start");
    const [job] = [...fake.jobs.values()];
    await analysis.notificationHandler(queue)(
      { jobId: job!.jobId, status: "SUCCEEDED", api: "StartDocumentAnalysis", jobTag: job!.jobTag, timestamp: new Date(), documentLocation: undefined, messageId: "sns-1" },
      { vendor: "textract", eventId: "sns-1", eventType: "SUCCEEDED", correlationId: "c-1", delivery: 1, request: { method: "POST", url: "/", headers: {}, rawBody: Buffer.alloc(0) } },
    );
    await until(() => events.some((e) => e.type === "completed" && e.name === "textract.analysis.poll"), "the late poll");
    await worker.stop();
    expect(results.map((r) => [r.ref, r.completedBy])).toEqual([["LN-1001", "notification"]]);
    // The poll's completion was the same job id: not stored again.
    expect(events.filter((e) => e.type === "enqueued" && e.name === "textract.analysis.complete").map((e) => (e as { created: boolean }).created)).toEqual([true, false]);
  });

  it("resumes after a restart: a new process's worker finishes an analysis the first one started", async () => {
    const { textract, path } = await setup(0);
    const results: DurableAnalysisResult[] = [];
    const first = createSqliteBackend({ path, pollMs: 10 });
    const before = createDurableAnalysis({ textract, pollAfterMs: 200, onResult: (r) => void results.push(r) });
    const events: JobEvent[] = [];
    const queue = createJobQueue({ backend: first, jobs: before.jobs, onEvent: (e) => events.push(e) });
    await queue.enqueue(before.start, startPayload, { jobId: "survey:LN-1001" });
    const worker = queue.work();
    await until(() => events.some((e) => e.type === "completed" && e.name === "textract.analysis.start"), "the start");
    await worker.stop();
    await first.close(); // the process goes away with the poll still waiting
    expect(results).toEqual([]);

    const second = createSqliteBackend({ path, pollMs: 10 });
    cleanups.push(() => second.close());
    const after = createDurableAnalysis({ textract, pollAfterMs: 200, onResult: (r) => void results.push(r) });
    const resumed = createJobQueue({ backend: second, jobs: after.jobs });
    expect((await resumed.stats()).delayed).toBe(1);
    const next = resumed.work();
    await until(() => results.length === 1, "the result after the restart");
    await next.stop();
    expect(results[0]).toMatchObject({ ref: "LN-1001", status: "SUCCEEDED", completedBy: "poll" });
  });

  it("refuses a start whose reference cannot travel in the JobTag, before anything is stored", async () => {
    const { textract, path } = await setup(0);
    const analysis = createDurableAnalysis({ textract, onResult: () => undefined });
    const backend = createSqliteBackend({ path });
    cleanups.push(() => backend.close());
    const queue = createJobQueue({ backend, jobs: analysis.jobs });
    await expect(queue.enqueue(analysis.start, { ...startPayload, ref: "LN 1001/a" })).rejects.toMatchObject({ name: "ValidationError", issues: [expect.objectContaining({ path: "ref" })] });
    expect((await queue.stats()).waiting).toBe(0);
  });
});

// Durable node:sqlite job throughput and memory (issue 20), on the built @connect/jobs:
//   throughput — N jobs enqueued one call each (many at once, as requests would) and processed at
//     concurrency 16 with a trivial handler, with `synchronous: "full"` (every commit fsynced) and
//     with the default `normal`; goal ≥ 2,000 jobs/s (fsync on) on this 2-core machine class.
//     The floor: the same row lifecycle (insert → take → complete) done directly on node:sqlite
//     in batched transactions, in the same run, so the ratio shows what the queue layer costs.
//   memory — a producer keeps ~5,000 jobs waiting while a worker drains, until M jobs are done;
//     heap and RSS are sampled every tenth of the way (goal: flat — the last sample within 20% or
//     16 MiB of the first after warm-up).
//   npx node bench/jobs-sqlite.mjs [--smoke] [--jobs=N] [--million]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { median, parseArgs } from "./lib.mjs";

const CONCURRENCY = 16;

async function modules() {
  const dist = new URL("../packages/jobs/dist/", import.meta.url);
  const [jobs, zod] = await Promise.all([import(new URL("index.js", dist).href), import("zod")]);
  return { ...jobs, z: zod.z };
}

function tempFile() {
  const dir = mkdtempSync(join(tmpdir(), "connect-bench-jobs-"));
  return { path: join(dir, "jobs.db"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Enqueue `n` jobs one call each (chunks in flight at once), then drain them; jobs/s of the whole. */
async function throughput(m, n, synchronous) {
  const file = tempFile();
  const backend = m.createSqliteBackend({ path: file.path, synchronous, pollMs: 5 });
  let done = 0;
  let resolveDone;
  const finished = new Promise((resolve) => (resolveDone = resolve));
  const job = m.defineJob({ name: "bench", payload: m.z.object({ n: m.z.number() }), handler: () => void (++done === n && resolveDone()) });
  const queue = m.createJobQueue({ backend, jobs: [job] });
  const started = performance.now();
  const worker = queue.work({ concurrency: CONCURRENCY });
  for (let i = 0; i < n; i += 256) {
    await Promise.all(Array.from({ length: Math.min(256, n - i) }, (_, k) => queue.enqueue(job, { n: i + k })));
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  await backend.close();
  file.cleanup();
  return n / seconds;
}

/** The floor: insert, take and complete each row straight on node:sqlite, batched like the queue does. */
async function floor(n, synchronous) {
  const { DatabaseSync } = process.getBuiltinModule("node:sqlite");
  const file = tempFile();
  const db = new DatabaseSync(file.path);
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous === "full" ? "FULL" : "NORMAL"};
    CREATE TABLE jobs (queue TEXT, id TEXT, state TEXT, available_at INTEGER, record TEXT, PRIMARY KEY (queue, id));
    CREATE INDEX ready ON jobs (queue, available_at) WHERE state != 'done';`);
  const insert = db.prepare("INSERT INTO jobs VALUES ('q', ?, 'waiting', ?, ?)");
  const take = db.prepare("UPDATE jobs SET state = 'active', available_at = ? WHERE rowid IN (SELECT rowid FROM jobs WHERE queue = 'q' AND state != 'done' AND available_at <= ? ORDER BY available_at LIMIT ?) RETURNING id");
  const complete = db.prepare("UPDATE jobs SET state = 'done', record = '{}' WHERE queue = 'q' AND id = ?");
  const record = JSON.stringify({ header: { id: "x", name: "bench" }, payload: { n: 0 }, metadata: { history: [] } });
  const started = performance.now();
  for (let i = 0; i < n; i += 256) {
    db.exec("BEGIN IMMEDIATE");
    for (let k = i; k < Math.min(n, i + 256); k += 1) insert.run(`j${k}`, Date.now(), record);
    db.exec("COMMIT");
  }
  for (let left = n; left > 0; ) {
    db.exec("BEGIN IMMEDIATE");
    const taken = take.all(Date.now() + 30_000, Date.now(), CONCURRENCY);
    db.exec("COMMIT");
    db.exec("BEGIN IMMEDIATE");
    for (const row of taken) complete.run(row.id);
    db.exec("COMMIT");
    left -= taken.length;
  }
  const rate = n / ((performance.now() - started) / 1000);
  db.close();
  file.cleanup();
  return rate;
}

/** Keep ~5 000 waiting while a worker drains `total` jobs; sample memory every tenth. */
async function memory(m, total) {
  const file = tempFile();
  const backend = m.createSqliteBackend({ path: file.path, pollMs: 5 });
  let done = 0;
  const job = m.defineJob({ name: "bench", payload: m.z.object({ n: m.z.number() }), handler: () => void (done += 1) });
  const queue = m.createJobQueue({ backend, jobs: [job] });
  const worker = queue.work({ concurrency: CONCURRENCY });
  const samples = [];
  const step = total / 10;
  let enqueued = 0;
  const started = performance.now();
  while (done < total) {
    if (enqueued - done < 5_000 && enqueued < total) {
      const batch = Math.min(1_000, total - enqueued);
      await queue.enqueueMany(Array.from({ length: batch }, (_, k) => ({ job, payload: { n: enqueued + k } })));
      enqueued += batch;
    } else {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    if (done >= (samples.length + 1) * step) {
      globalThis.gc?.();
      const usage = process.memoryUsage();
      samples.push({ done, heapMiB: usage.heapUsed / 2 ** 20, rssMiB: usage.rss / 2 ** 20 });
    }
  }
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  await backend.close();
  file.cleanup();
  return { total, seconds, rate: total / seconds, samples };
}

/** Run the section; `--million` makes the memory run 1,000,000 jobs (the figure). */
export async function benchJobsSqlite({ smoke = false, jobs, million = false } = {}) {
  const m = await modules();
  const n = jobs ?? (smoke ? 400 : 20_000);
  const rounds = smoke ? 1 : 3;
  const result = { jobs: n, rounds, modes: {} };
  for (const synchronous of ["full", "normal"]) {
    const queued = [];
    const raw = [];
    for (let round = 0; round < rounds; round += 1) {
      queued.push(await throughput(m, n, synchronous));
      raw.push(await floor(n, synchronous));
    }
    result.modes[synchronous] = { rate: median(queued), floor: median(raw), ratio: median(queued) / median(raw) };
  }
  result.memory = await memory(m, smoke ? 2_000 : million ? 1_000_000 : 200_000);
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = parseArgs();
  const jobs = process.argv.find((a) => a.startsWith("--jobs="));
  console.log(JSON.stringify(await benchJobsSqlite({ smoke: args.smoke, jobs: jobs ? Number(jobs.slice(7)) : undefined, million: process.argv.includes("--million") })));
}

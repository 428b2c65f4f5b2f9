// Benchmark: the nightly import of a generated BPO export (default: 1,000,000 CSV rows, a
// messy row every 1000), at several sizes, each in a fresh process. Reports rows/s and peak
// memory, and whether memory stays flat as rows grow (peak heap of the largest run against the
// smallest). Not a test: figures depend on the machine.
//
//   npm run build                                # core and bpo dist (the bench imports the built packages)
//   npx node packages/bpo/bench/import-1m.mjs                   # 125k, 250k, 500k, 1M rows
//   npx node packages/bpo/bench/import-1m.mjs --smoke           # 20k and 40k rows, quick
//   npx node packages/bpo/bench/import-1m.mjs --rows 1000000 --format json
//   npx node packages/bpo/bench/import-1m.mjs --json            # machine-readable summary on stdout
//
// The store keeps nothing (findByExternalId answers "not found", writes are counted), so the
// figures are the importer's own: streaming parse, per-row validation, the conflict rule.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const fmt = (n, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (bytes) => bytes / 1024 / 1024;

if (flag("child")) {
  await child(option("child", ""), option("format", "csv"));
} else {
  await main();
}

/** Run one import in this (fresh) process and print its figures as JSON. */
async function child(path, format) {
  const { importBpoExport, localExportFile } = await import("@connect/bpo");
  let peakRss = 0;
  let peakHeap = 0;
  const liveHeap = [];
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    if (rss > peakRss) peakRss = rss;
    if (heapUsed > peakHeap) peakHeap = heapUsed;
  };
  const timer = setInterval(sample, 20);
  let writes = 0;
  const store = {
    findByExternalId: async () => undefined,
    create: async () => void (writes += 1),
    update: async () => void (writes += 1),
  };
  globalThis.gc?.();
  const baseline = process.memoryUsage();
  const started = performance.now();
  const report = await importBpoExport(localExportFile(path), {
    store,
    progressEvery: 50_000,
    maxReportedProblems: 100,
    onProgress: (p) => {
      sample();
      // Heap still live after a full GC: what the import holds, as opposed to garbage not yet collected.
      if (globalThis.gc && !p.done) {
        globalThis.gc();
        liveHeap.push(process.memoryUsage().heapUsed);
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  sample();
  process.stdout.write(
    JSON.stringify({
      format,
      rows: report.rows,
      created: report.created,
      rejected: report.rejected,
      writes,
      bytes: report.bytesRead,
      seconds,
      rowsPerSecond: report.rows / seconds,
      baselineRss: baseline.rss,
      baselineHeap: baseline.heapUsed,
      peakRss,
      peakHeap,
      maxLiveHeap: liveHeap.length ? Math.max(...liveHeap) : undefined,
    }),
  );
}

function run(path, format) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--child", path, "--format", format], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (chunk) => (out += chunk));
    proc.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited with ${code}`))));
  });
}

async function main() {
  const { writeBpoExport } = await import("@connect/bpo/testing");
  const format = option("format", "csv");
  const largest = Number(option("rows", flag("smoke") ? "40000" : "1000000"));
  const sizes = flag("smoke") ? [largest / 2, largest] : [largest / 8, largest / 4, largest / 2, largest].map(Math.round);
  const dir = await mkdtemp(join(tmpdir(), "bpo-bench-"));
  const results = [];
  try {
    for (const rows of sizes) {
      const generatedAt = performance.now();
      const file = await writeBpoExport({ dir, date: "2024-06-03", rows, format, messy: { every: 1000 }, seed: 1 });
      const generateSeconds = (performance.now() - generatedAt) / 1000;
      const result = await run(file.path, format);
      if (result.rows !== file.rows || result.rejected !== file.rejected) throw new Error(`import of ${rows} rows reported ${result.rows} rows / ${result.rejected} rejected; the generator wrote ${file.rows} / ${file.rejected}`);
      results.push({ ...result, generateSeconds });
      await rm(file.path);
      if (!flag("json")) {
        console.error(
          `${fmt(rows).padStart(9)} rows  ${fmt(mb(file.bytes), 1).padStart(6)} MB  ${fmt(result.seconds, 2).padStart(6)} s  ${fmt(result.rowsPerSecond).padStart(8)} rows/s  peak RSS ${fmt(mb(result.peakRss), 1)} MB  peak heap ${fmt(mb(result.peakHeap), 1)} MB  live heap ${result.maxLiveHeap === undefined ? "n/a" : `${fmt(mb(result.maxLiveHeap), 1)} MB`}`,
        );
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const first = results[0];
  const last = results.at(-1);
  const growth = {
    rows: last.rows / first.rows,
    peakRss: last.peakRss / first.peakRss,
    peakHeap: last.peakHeap / first.peakHeap,
    liveHeap: last.maxLiveHeap && first.maxLiveHeap ? last.maxLiveHeap / first.maxLiveHeap : undefined,
  };
  // Flat: the rows grew (8x by default) while the live heap grew by less than half.
  const flat = (growth.liveHeap ?? growth.peakHeap) < 1.5;
  const summary = { format, results, growth, flat };
  if (flag("json")) {
    console.log(JSON.stringify(summary, null, 2));
  } else {
    console.error(
      `\nrows x${fmt(growth.rows, 1)}: peak RSS x${fmt(growth.peakRss, 2)}, peak heap x${fmt(growth.peakHeap, 2)}${growth.liveHeap === undefined ? "" : `, live heap after GC x${fmt(growth.liveHeap, 2)}`} — memory ${flat ? "stays flat" : "GROWS with the rows"}`,
    );
  }
  if (!flat) process.exitCode = 1;
}

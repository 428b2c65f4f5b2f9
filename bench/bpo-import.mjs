// BPO nightly import benchmark (not a test): a generated CSV export (a messy row every 1000)
// through `importBpoExport` from @connect/bpo, next to csv-parse alone reading the same file with
// the same parse options — the floor. Each run is a fresh process (clean peak RSS), sizes and
// paths interleaved round after round; figures are medians. The store is in memory and keeps no
// rows (finds nothing, counts writes), so the figures are the importer's own; one extra line uses
// the package's `createMemoryImportStore`, which keeps every row, to show what a retaining store adds.
//   npx node bench/bpo-import.mjs                  250k and 1M rows, 3 rounds
//   npx node bench/bpo-import.mjs --smoke          5k and 20k rows, 1 round, proves it runs
//   npx node bench/bpo-import.mjs --rows 100000,400000
// Export files are generated once into bench/.tmp/ (gitignored, ~205 MB for 1M rows) and reused.
// Needs the packages built (`npm run build`, or `npx tsup --silent` in packages/core and packages/bpo).
import { spawnSync } from "node:child_process";
import { createReadStream, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fmt, median, parseArgs } from "./lib.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const RATIO_GOAL = 0.8;
const RSS_GOAL_MB = 200;
const MESSY_EVERY = 1000;
const HIGH_WATER_MARK = 256 * 1024; // what localExportFile reads with
/** csv-parse options of the package's reader (packages/bpo/src/import/csv-records.ts), without its per-record work. */
const PARSE_OPTIONS = { bom: true, delimiter: ",", encoding: "utf8", relax_column_count: true, relax_quotes: true, skip_empty_lines: true, skip_records_with_error: true, max_record_size: 1_000_000 };

const mb = (bytes) => bytes / 2 ** 20;

/** Generate (once) the export for `rows`; returns its path and what the generator wrote. */
async function exportFor(rows) {
  const dir = join(here, ".tmp", `bpo-${rows}`);
  const statsPath = join(dir, "stats.json");
  if (existsSync(statsPath)) {
    const stats = JSON.parse(readFileSync(statsPath, "utf8"));
    if (existsSync(stats.path) && stats.messyEvery === MESSY_EVERY) return stats;
  }
  const { writeBpoExport } = await import("@connect/bpo/testing");
  const written = await writeBpoExport({ dir, date: "2024-06-03", rows, messy: { every: MESSY_EVERY } });
  const stats = { path: written.path, bytes: written.bytes, rows: written.rows, valid: written.valid, rejected: written.rejected, messyEvery: MESSY_EVERY };
  writeFileSync(statsPath, JSON.stringify(stats));
  return stats;
}

/** One measured run, in this (fresh) process: prints its figures as JSON. */
async function child(mode, path) {
  let peakRss = process.memoryUsage.rss();
  let peakHeap = process.memoryUsage().heapUsed;
  const startRss = peakRss;
  const sample = () => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
  };
  let result;
  let timer;
  if (mode === "parse") {
    const { parse } = await import("csv-parse");
    timer = setInterval(sample, 10);
    const started = performance.now();
    let records = 0;
    for await (const _record of createReadStream(path, { highWaterMark: HIGH_WATER_MARK }).pipe(parse(PARSE_OPTIONS))) records += 1;
    result = { rows: records - 1, ms: performance.now() - started };
  } else {
    const { importBpoExport } = await import("@connect/bpo");
    let store;
    let writes = 0;
    if (mode === "import-retaining") store = (await import("@connect/bpo/testing")).createMemoryImportStore();
    else {
      store = {
        findByExternalId: async () => undefined,
        create: async (record) => {
          if (!record.externalId) throw new Error("a create without externalId");
          writes += 1;
        },
        update: async () => {
          writes += 1;
        },
      };
    }
    if (mode === "profile") {
      const { profile } = await import("./profile.mjs");
      const report = { value: undefined };
      const data = await profile(async () => {
        report.value = await importBpoExport(path, { store });
      }, { intervalUs: 500 });
      process.stdout.write(JSON.stringify({ profile: data, rows: report.value.rows }));
      return;
    }
    timer = setInterval(sample, 10);
    const started = performance.now();
    const report = await importBpoExport(path, { store });
    result = { rows: report.rows, created: report.created, updated: report.updated, skipped: report.skipped, rejected: report.rejected, failed: report.failed, writes: mode === "import" ? writes : store.writes.length, ms: performance.now() - started };
  }
  clearInterval(timer);
  sample();
  process.stdout.write(JSON.stringify({ ...result, startRss, peakRss, peakHeap }));
}

function run(mode, file) {
  const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", mode, file.path], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  if (out.status !== 0) throw new Error(`bpo-import ${mode} ${file.rows} exited ${out.status}: ${out.stderr.slice(-2000)}`);
  const data = JSON.parse(out.stdout);
  if (mode === "parse" && data.rows < file.rows) throw new Error(`csv-parse read ${data.rows} rows of ${file.rows}`);
  if (mode === "import" || mode === "import-retaining") {
    // The counting store finds nothing, so every valid row (duplicates included) is created.
    const expectCreated = mode === "import" ? file.valid : undefined;
    if (data.rows !== file.rows || data.rejected !== file.rejected || data.failed !== 0 || (expectCreated !== undefined && data.created !== expectCreated)) {
      throw new Error(`bpo import of ${file.rows} rows: report ${JSON.stringify(data)} does not match the generator (${file.valid} valid, ${file.rejected} rejected)`);
    }
  }
  return data;
}

/** Run the benchmark; returns the figures. */
export async function benchBpoImport({ smoke = false, sizes = smoke ? [5_000, 20_000] : [250_000, 1_000_000] } = {}) {
  const rounds = smoke ? 1 : 3;
  const files = [];
  for (const rows of sizes) files.push(await exportFor(rows));
  const samples = new Map(files.map((f) => [f.rows, { parse: [], import: [] }]));
  for (let r = 0; r < rounds; r += 1) {
    for (const file of files) {
      // Alternate which path goes first, so drift in the machine's load hits both alike.
      const order = r % 2 === 0 ? ["parse", "import"] : ["import", "parse"];
      for (const mode of order) samples.get(file.rows)[mode].push(run(mode, file));
    }
  }
  const summarise = (list) => ({
    rate: median(list.map((s) => (s.rows / s.ms) * 1000)),
    peakRssMb: median(list.map((s) => mb(s.peakRss))),
    maxPeakRssMb: Math.max(...list.map((s) => mb(s.peakRss))),
    aboveStartMb: median(list.map((s) => mb(s.peakRss - s.startRss))),
    peakHeapMb: median(list.map((s) => mb(s.peakHeap))),
  });
  const rows = files.map((file) => {
    const s = samples.get(file.rows);
    const parse = summarise(s.parse);
    const imp = summarise(s.import);
    return { rows: file.rows, bytes: file.bytes, rejected: file.rejected, parse, import: imp, ratio: imp.rate / parse.rate };
  });
  // What a store that keeps every row costs (the package's test store), at the smaller size.
  const small = files[0];
  const retaining = summarise(Array.from({ length: rounds }, () => run("import-retaining", small)));
  const largest = rows.at(-1);
  const smallest = rows[0];
  const result = { rounds, rows, retaining: { rows: small.rows, ...retaining }, rssGrowthMb: largest.import.peakRssMb - smallest.import.peakRssMb };
  if (largest.ratio < RATIO_GOAL) {
    const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", "profile", small.path], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
    if (out.status !== 0) throw new Error(`bpo-import profile exited ${out.status}: ${out.stderr.slice(-2000)}`);
    result.profile = { rows: small.rows, ...JSON.parse(out.stdout).profile };
  }
  return result;
}

/** The section as markdown. */
export async function bpoImportMarkdown(r) {
  const lines = [
    `Median of ${r.rounds} runs per line, each in a fresh process, paths and sizes interleaved. Export: generated by \`writeBpoExport\` (@connect/bpo/testing), a messy row every ${MESSY_EVERY} (some rejected, some valid odd formats).`,
    "",
    "| rows | file | csv-parse alone rows/s | importBpoExport rows/s | ratio | peak RSS: csv-parse | peak RSS: import (worst run) | import: RSS above its start | import peak heap |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...r.rows.map(
      (x) =>
        `| ${fmt(x.rows)} | ${fmt(mb(x.bytes))} MiB | ${fmt(x.parse.rate)} | ${fmt(x.import.rate)} | **${fmt(x.ratio, 2)}** | ${fmt(x.parse.peakRssMb)} MB | ${fmt(x.import.peakRssMb)} MB (${fmt(x.import.maxPeakRssMb)} MB) | +${fmt(x.import.aboveStartMb)} MB | ${fmt(x.import.peakHeapMb)} MB |`,
    ),
    "",
    `With the package's \`createMemoryImportStore\` (it keeps every row, as a test store does), ${fmt(r.retaining.rows)} rows: ${fmt(r.retaining.rate)} rows/s, peak RSS ${fmt(r.retaining.peakRssMb)} MB — the extra memory is the store's rows, not the import's.`,
    "",
    "Floor: csv-parse with the package's parse options (BOM, relaxed quotes and column count, skip bad records, 1 M-char record cap) on the same file through the same 256 KiB read stream, counting records. Import: `importBpoExport(path, { store })` with a store that finds nothing and counts writes — parse, line numbers, header mapping, per-row validation and normalisation, the conflict rule, store calls, progress, report. Peak RSS is of the whole process (an empty node process is ~45 MB).",
    "",
  ];
  const largest = r.rows.at(-1);
  const worst = Math.max(...r.rows.map((x) => x.import.maxPeakRssMb));
  lines.push(
    largest.ratio >= RATIO_GOAL
      ? `- Throughput goal ≥ ${RATIO_GOAL} of csv-parse: **met** (${fmt(largest.ratio, 2)} at ${fmt(largest.rows)} rows).`
      : `- Throughput goal ≥ ${RATIO_GOAL} of csv-parse: **missed by ${fmt((RATIO_GOAL - largest.ratio) * 100, 0)} points** (${fmt(largest.ratio, 2)} at ${fmt(largest.rows)} rows); profile below.`,
    worst < RSS_GOAL_MB ? `- Peak RSS goal < ${RSS_GOAL_MB} MB: **met** (worst run ${fmt(worst)} MB).` : `- Peak RSS goal < ${RSS_GOAL_MB} MB: **missed** (worst run ${fmt(worst)} MB).`,
    `- Flat in row count: the median peak RSS of ${fmt(largest.rows)} rows is ${r.rssGrowthMb >= 0 ? "+" : ""}${fmt(r.rssGrowthMb, 1)} MB against ${fmt(r.rows[0].rows)} rows (${fmt(largest.rows / r.rows[0].rows)}× the rows): ${r.rssGrowthMb < 10 ? "**flat**" : "**grows**"}.`,
  );
  if (r.profile) {
    const { profileMarkdown } = await import("./profile.mjs");
    lines.push("", `#### Profile: importBpoExport, ${fmt(r.profile.rows)} rows`, "", profileMarkdown(r.profile, { functions: 10 }));
  }
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf("--child");
  if (at > 0) await child(process.argv[at + 1], process.argv[at + 2]);
  else {
    const { smoke } = parseArgs();
    const rowsAt = process.argv.indexOf("--rows");
    const sizes = rowsAt > 0 ? process.argv[rowsAt + 1].split(",").map(Number) : undefined;
    console.log(await bpoImportMarkdown(await benchBpoImport({ smoke, ...(sizes ? { sizes } : {}) })));
  }
}

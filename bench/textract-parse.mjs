// Textract streaming parse benchmark (not a test). A generated N-page document (lines, form fields,
// a table and a query answer per page; 1,000 blocks per result page) is analysed once by the
// package's fake and its GetDocumentAnalysis result pages are captured to bench/.tmp/. A replay
// server in its own process then serves those exact bytes to both paths:
//   - package: `createTextractClient` (AWS SDK, core's runtime) and `analyses.parsed(jobId)`, which
//     resolves the block graph document page by document page;
//   - floor: raw undici requests for the same result pages, `JSON.parse` of each body, nothing else
//     (and, for reference, `JSON.parse` of the captured bodies in memory, no transport).
// Every run is a fresh process; paths interleaved, medians over rounds. Memory: peak RSS of the
// timed runs, and the live heap of a run that collects garbage every 50 pages — flat in page count
// when nothing holds the whole job.
//   npx node bench/textract-parse.mjs              1,000 and 4,000 pages, 5 rounds
//   npx node bench/textract-parse.mjs --smoke      5 and 20 pages, 1 round, proves it runs
//   npx node bench/textract-parse.mjs --pages 3000 one size
//   (`--retained`, from earlier versions, is accepted: the live-heap column is always measured.)
// Needs the packages built (`npm run build`).
import { fork, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fmt, median, parseArgs } from "./lib.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const TIME_GOAL = 2;
const START_INPUT = { document: { bucket: "bench", name: "big.pdf" }, features: ["FORMS", "TABLES", "QUERIES"], queries: [{ text: "Who is the owner?", alias: "OWNER" }] };
const mib = (bytes) => bytes / 2 ** 20;

/** Analyse a generated document with the fake once and keep its result pages (bench/.tmp/textract-<pages>/). */
async function captureJob(pages) {
  const dir = join(here, ".tmp", `textract-${pages}`);
  if (existsSync(join(dir, "capture.json"))) return dir;
  const [{ serveHandlers }, { createTextractClient }, { createTextractFake, generatedDocument }, { request }] = await Promise.all([
    import("@connect/core/testing"),
    import("@connect/textract"),
    import("@connect/textract/testing"),
    import("undici"),
  ]);
  const fake = createTextractFake({ inProgressPolls: 0 });
  fake.putDocument("bench", "big.pdf", generatedDocument(pages, { OWNER: "Jordan Reyes" }));
  const server = await serveHandlers(fake.handlers);
  const call = async (target, body) => {
    const res = await request(`${server.url}/`, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `Textract.${target}` }, body: JSON.stringify(body) });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`textract fake ${target} answered ${res.statusCode}: ${text.slice(0, 300)}`);
    return text;
  };
  try {
    mkdirSync(dir, { recursive: true });
    // Started through the package, so the job carries exactly what the client sends (queries and their pages).
    const client = createTextractClient({ region: "us-east-1", endpoint: server.url, credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" }, policy: { limiter: false } });
    const { jobId: JobId } = await client.analyses.start(START_INPUT);
    await client.close();
    const captured = [];
    let token;
    do {
      const text = await call("GetDocumentAnalysis", { JobId, ...(token ? { NextToken: token } : {}) });
      const file = `page-${captured.length + 1}.json`;
      writeFileSync(join(dir, file), text);
      captured.push({ token, file });
      const body = JSON.parse(text);
      if (body.JobStatus !== "SUCCEEDED") throw new Error(`textract fake job is ${body.JobStatus}`);
      token = body.NextToken;
    } while (token);
    writeFileSync(join(dir, "capture.json"), JSON.stringify({ jobId: JobId, documentPages: pages, pages: captured }));
  } finally {
    await server.close();
  }
  return dir;
}

/** Start the replay server for a capture; resolves with its URL and a stop function. */
async function startReplay(dir) {
  const child = fork(join(here, "textract-replay.mjs"), [dir], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const { port } = await new Promise((resolve, reject) => {
    child.once("message", resolve);
    child.once("exit", (code) => reject(new Error(`textract replay exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** One measured run in this (fresh) process; prints its figures as JSON. */
async function child(mode, url, dir, gcEach) {
  const capture = JSON.parse(readFileSync(join(dir, "capture.json"), "utf8"));
  const pages = capture.documentPages;
  let peakRss = 0;
  let peakHeap = 0;
  let liveHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  let out;
  if (mode === "floor") {
    const { request, Agent } = await import("undici");
    const agent = new Agent({ keepAliveTimeout: 10_000 });
    const get = async (token) => {
      const res = await request(`${url}/`, { method: "POST", dispatcher: agent, headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Textract.GetDocumentAnalysis" }, body: JSON.stringify({ JobId: capture.jobId, ...(token ? { NextToken: token } : {}) }) });
      return JSON.parse(await res.body.text());
    };
    await get(undefined); // connect and warm up, like the client's start call does
    const timer = setInterval(sample, 5);
    const started = performance.now();
    let pageBlocks = 0;
    let token;
    do {
      const body = await get(token);
      for (const block of body.Blocks) if (block.BlockType === "PAGE") pageBlocks += 1;
      token = body.NextToken;
    } while (token);
    const ms = performance.now() - started;
    clearInterval(timer);
    if (pageBlocks !== pages) throw new Error(`floor read ${pageBlocks} PAGE blocks, expected ${pages}`);
    sample();
    const floorPeakRss = peakRss;
    const texts = capture.pages.map((p) => readFileSync(join(dir, p.file), "utf8"));
    const parseStarted = performance.now();
    for (const text of texts) JSON.parse(text);
    // Peak RSS of the streaming floor only, before the in-memory reference loaded every body at once.
    out = { ms, parseOnlyMs: performance.now() - parseStarted, resultPages: capture.pages.length, peakRss: floorPeakRss };
  } else {
    const { createTextractClient } = await import("@connect/textract");
    // The limiter is off: the bench measures parsing and transport, not the account's TPS quota.
    const client = createTextractClient({ region: "us-east-1", endpoint: url, credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" }, policy: { limiter: false, timeout: { attemptMs: 60_000, totalMs: 120_000 } } });
    const { jobId } = await client.analyses.start(START_INPUT);
    if (mode === "profile") {
      const { profile } = await import("./profile.mjs");
      let count = 0;
      const data = await profile(async () => {
        for await (const _page of client.analyses.parsed(jobId)) count += 1;
      });
      await client.close();
      if (count !== pages) throw new Error(`profile run parsed ${count} pages of ${pages}`);
      process.stdout.write(JSON.stringify({ profile: data }));
      return;
    }
    globalThis.gc?.();
    const timer = setInterval(sample, 5);
    const started = performance.now();
    let parsed = 0;
    let keyValues = 0;
    let tables = 0;
    let answer;
    for await (const page of client.analyses.parsed(jobId)) {
      parsed += 1;
      keyValues += page.keyValues.length;
      tables += page.tables.length;
      for (const q of page.queries) if (q.text !== undefined) answer = q.text;
      if (gcEach && parsed % 50 === 0) {
        globalThis.gc();
        liveHeap = Math.max(liveHeap, process.memoryUsage().heapUsed);
      }
    }
    const ms = performance.now() - started;
    clearInterval(timer);
    if (gcEach) {
      globalThis.gc();
      liveHeap = Math.max(liveHeap, process.memoryUsage().heapUsed);
    }
    await client.close();
    if (parsed !== pages || keyValues !== pages * 2 || tables !== pages || answer !== "Jordan Reyes") {
      throw new Error(`wrong parse: ${parsed} pages, ${keyValues} key-values, ${tables} tables, answer ${answer}`);
    }
    out = { ms, liveHeap };
  }
  sample();
  process.stdout.write(JSON.stringify({ pages, peakRss, peakHeap, ...out }));
}

function run(mode, url, dir, { gc = false } = {}) {
  const args = [...(gc ? ["--expose-gc"] : []), fileURLToPath(import.meta.url), "--child", mode, url, dir, ...(gc ? ["--gc-each"] : [])];
  const out = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 16 * 2 ** 20 });
  if (out.status !== 0) throw new Error(`textract-parse ${mode} exited ${out.status}: ${out.stderr.slice(-2000)}`);
  return JSON.parse(out.stdout);
}

/** Run the benchmark; returns the figures. */
export async function benchTextractParse({ smoke = false, sizes = smoke ? [5, 20] : [1000, 4000] } = {}) {
  const rounds = smoke ? 1 : 5;
  const rows = [];
  for (const pages of sizes) {
    const dir = await captureJob(pages);
    const replay = await startReplay(dir);
    try {
      const floor = [];
      const pkg = [];
      for (let r = 0; r < rounds; r += 1) {
        for (const mode of r % 2 === 0 ? ["floor", "package"] : ["package", "floor"]) (mode === "floor" ? floor : pkg).push(run(mode, replay.url, dir));
      }
      const live = run("package", replay.url, dir, { gc: true });
      const profiled = rows.length === 0 ? run("profile", replay.url, dir).profile : undefined;
      const floorMs = median(floor.map((x) => x.ms));
      const pkgMs = median(pkg.map((x) => x.ms));
      rows.push({
        pages,
        resultPages: floor[0].resultPages,
        floorMs,
        parseOnlyMs: median(floor.map((x) => x.parseOnlyMs)),
        pkgMs,
        ratio: pkgMs / floorMs,
        pagesPerSecond: (pages / pkgMs) * 1000,
        floorRssMb: median(floor.map((x) => mib(x.peakRss))),
        pkgRssMb: median(pkg.map((x) => mib(x.peakRss))),
        pkgHeapMb: median(pkg.map((x) => mib(x.peakHeap))),
        liveHeapMb: mib(live.liveHeap),
        profile: profiled,
      });
    } finally {
      replay.stop();
    }
  }
  return { rounds, rows };
}

/** The section as markdown. */
export async function textractParseMarkdown({ rounds, rows }) {
  const lines = [
    `Median of ${rounds} runs per path, each a fresh process, paths interleaved; both paths read the same captured result pages from a replay server in another process on 127.0.0.1.`,
    "",
    "| document pages | result pages | floor: undici + JSON.parse | JSON.parse alone (in memory) | `analyses.parsed` | time ratio | pages/s | peak RSS: floor | peak RSS: package | peak heap: package | live heap: package (GC every 50 pages) |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${fmt(r.pages)} | ${fmt(r.resultPages)} | ${fmt(r.floorMs)} ms | ${fmt(r.parseOnlyMs)} ms | ${fmt(r.pkgMs)} ms | **${fmt(r.ratio, 2)}×** | ${fmt(r.pagesPerSecond)} | ${fmt(r.floorRssMb)} MB | ${fmt(r.pkgRssMb)} MB | ${fmt(r.pkgHeapMb)} MB | ${fmt(r.liveHeapMb, 1)} MB |`,
    ),
    "",
    "Package: `createTextractClient` (AWS SDK v3 + core's runtime, limiter off) and `for await (const page of client.analyses.parsed(jobId))`, which pages `GetDocumentAnalysis` by `NextToken` and resolves each document page's lines, key-values, tables and query answers. Floor: undici `request()` for the same result pages and `JSON.parse` of each body. The document is `generatedDocument(n)` from @connect/textract/testing (lines, two form fields, a table, a query answer on the last page).",
    "",
  ];
  const worst = rows.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  lines.push(
    worst.ratio <= TIME_GOAL
      ? `- Time goal ≤ ${TIME_GOAL}× the floor: **met** (worst ${fmt(worst.ratio, 2)}× at ${fmt(worst.pages)} pages).`
      : `- Time goal ≤ ${TIME_GOAL}× the floor: **missed by ${fmt(worst.ratio - TIME_GOAL, 2)}×** (${fmt(worst.ratio, 2)}× at ${fmt(worst.pages)} pages).`,
  );
  if (rows.length > 1) {
    const [a, b] = [rows[0], rows.at(-1)];
    const delta = (x, y, digits = 1) => `${y - x >= 0 ? "+" : ""}${fmt(y - x, digits)} MB`;
    const liveFlat = b.liveHeapMb - a.liveHeapMb < 5;
    lines.push(
      `- Memory flat in page count: ${fmt(b.pages / a.pages)}× the pages → live heap ${fmt(a.liveHeapMb, 1)} → ${fmt(b.liveHeapMb, 1)} MB (${delta(a.liveHeapMb, b.liveHeapMb)}): ${liveFlat ? "**flat** — nothing holds the whole job" : "**grows** — something holds on to the job"}. Peak RSS ${fmt(a.pkgRssMb)} → ${fmt(b.pkgRssMb)} MB (${delta(a.pkgRssMb, b.pkgRssMb)}) and peak heap ${fmt(a.pkgHeapMb)} → ${fmt(b.pkgHeapMb)} MB (${delta(a.pkgHeapMb, b.pkgHeapMb)}) include garbage V8 has not collected yet: a longer run lets more of it pile up before a major GC, so they can rise with the page count while the live heap does not.`,
    );
  }
  if (worst.ratio > TIME_GOAL && rows[0].profile) {
    const { profileMarkdown } = await import("./profile.mjs");
    lines.push("", `#### Profile: \`analyses.parsed\`, ${fmt(rows[0].pages)} pages`, "", profileMarkdown(rows[0].profile, { functions: 10 }));
  }
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf("--child");
  if (at > 0) await child(process.argv[at + 1], process.argv[at + 2], process.argv[at + 3], process.argv.includes("--gc-each"));
  else {
    const { smoke } = parseArgs();
    const pagesAt = process.argv.indexOf("--pages");
    const sizes = pagesAt > 0 ? [Number(process.argv[pagesAt + 1])] : undefined;
    console.log(await textractParseMarkdown(await benchTextractParse({ smoke, ...(sizes ? { sizes } : {}) })));
  }
}

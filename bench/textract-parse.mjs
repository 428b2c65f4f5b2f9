// Textract streaming parse benchmark (not a test): the fake serves a generated N-page analysis
// result page by page (NextToken, 1,000 blocks per result page) over loopback through the AWS SDK
// and core's runtime; `analyses.parsed` resolves it document page by document page. Reports wall
// time, blocks/s and peak heap/RSS above the starting point, so a regression to "hold the whole
// job in memory" shows up as peak memory growing with the page count.
//   npx node bench/textract-parse.mjs            1,000 pages
//   npx node bench/textract-parse.mjs --pages 3000
//   npx node bench/textract-parse.mjs --smoke    5 pages, proves it runs
//   npx node --expose-gc bench/textract-parse.mjs --retained
//       collects garbage every 50 pages, so "peak heap" is live memory: it stays flat as --pages grows
//       (measured on the dev box: +15 MiB at 1,000 and at 4,000 pages) — the streaming claim.
// Needs `npm run build` first (imports the built packages).
import { pathToFileURL } from "node:url";
import { serveHandlers } from "@connect/core/testing";
import { createTextractClient } from "@connect/textract";
import { createTextractFake, generatedDocument } from "@connect/textract/testing";
import { fmt, parseArgs } from "./lib.mjs";

/** Run the benchmark; returns the figures. */
export async function benchTextractParse({ smoke = false, pages = smoke ? 5 : 1000, gcEach = false } = {}) {
  const fake = createTextractFake({ inProgressPolls: 0 });
  fake.putDocument("bench", "big.pdf", generatedDocument(pages, { OWNER: "Jordan Reyes" }));
  const server = await serveHandlers(fake.handlers);
  // The limiter is off: the bench measures parsing and transport, not the account's TPS quota.
  const client = createTextractClient({
    region: "us-east-1",
    endpoint: server.url,
    credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" },
    policy: { limiter: false, timeout: { attemptMs: 60_000, totalMs: 60_000 } },
  });
  try {
    const { jobId } = await client.analyses.start({ document: { bucket: "bench", name: "big.pdf" }, features: ["FORMS", "TABLES", "QUERIES"], queries: [{ text: "Who is the owner?", alias: "OWNER" }] });
    globalThis.gc?.();
    const base = process.memoryUsage();
    let peakHeap = 0;
    let peakRss = 0;
    const sample = () => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed - base.heapUsed);
      peakRss = Math.max(peakRss, m.rss - base.rss);
    };
    const timer = setInterval(sample, 5);
    const started = performance.now();
    let parsedPages = 0;
    let lines = 0;
    let keyValues = 0;
    let tables = 0;
    let answer;
    for await (const page of client.analyses.parsed(jobId)) {
      parsedPages++;
      lines += page.lines.length;
      keyValues += page.keyValues.length;
      tables += page.tables.length;
      for (const q of page.queries) if (q.text !== undefined) answer = q.text;
      if (parsedPages % 50 === 0) {
        if (gcEach) globalThis.gc?.();
        sample();
      }
    }
    const ms = performance.now() - started;
    clearInterval(timer);
    sample();
    const getCalls = fake.calls.filter((c) => c.operation === "GetDocumentAnalysis").length;
    if (parsedPages !== pages || keyValues !== pages * 2 || tables !== pages || answer !== "Jordan Reyes") {
      throw new Error(`wrong parse: ${parsedPages} pages, ${keyValues} key-values, ${tables} tables, answer ${answer}`);
    }
    // blocks per generated page are fixed, so total blocks = getCalls pages × ≤1000
    return { pages, getCalls, ms, lines, keyValues, tables, peakHeapMb: peakHeap / 2 ** 20, peakRssMb: peakRss / 2 ** 20 };
  } finally {
    await client.close();
    await server.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { smoke } = parseArgs();
  const at = process.argv.indexOf("--pages");
  const pages = at > 0 ? Number(process.argv[at + 1]) : undefined;
  const gcEach = process.argv.includes("--retained");
  if (gcEach && !globalThis.gc) throw new Error("--retained needs node --expose-gc");
  const r = await benchTextractParse({ smoke, gcEach, ...(pages ? { pages } : {}) });
  console.log(`textract streaming parse: ${fmt(r.pages)} pages in ${fmt(r.getCalls)} GetDocumentAnalysis result pages`);
  console.log(`  time        ${fmt(r.ms)} ms (${fmt((r.pages / r.ms) * 1000)} document pages/s, including loopback + SDK)`);
  console.log(`  parsed      ${fmt(r.lines)} lines, ${fmt(r.keyValues)} key-values, ${fmt(r.tables)} tables`);
  console.log(`  peak heap   +${fmt(r.peakHeapMb, 1)} MiB above start${gcEach ? " (live, GC every 50 pages)" : " (includes uncollected garbage)"}; peak RSS +${fmt(r.peakRssMb, 1)} MiB`);
}

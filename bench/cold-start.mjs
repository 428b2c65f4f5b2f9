// Cold start: whole-process time above an empty node process, per package entry point, for
// (a) importing it, next to importing only the third-party modules it actually loads, and
// (b) importing it, building a client and completing one call (the client's health check)
// against the package's fake, served from another process on 127.0.0.1. Also: which optional
// heavy dependencies each entry and two payload paths load, checked against where they belong,
// and each package's installed dependency-closure size.
//   npx node bench/cold-start.mjs            9 runs per figure (medians), JSON on stdout
//   npx node bench/cold-start.mjs --smoke    1 run per figure
// Needs every package built (`npm run build`).
import { fork, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { median, parseArgs } from "./lib.mjs";
import { startCannedServer } from "./overhead.mjs";
import { insideProfile } from "./profile.mjs";

const root = new URL("..", import.meta.url).pathname;

/** Optional heavy dependencies and the only entries allowed to load them at import (issue 14). */
export const HEAVY_RULES = [
  { name: "fast-xml-parser", match: "/node_modules/fast-xml-parser/", allowed: [], why: "the XML parser only for XML payloads" },
  { name: "@aws-sdk", match: "/node_modules/@aws-sdk/", allowed: [], why: "the AWS SDKs load on their first call (Textract, SES, Secrets Manager), never at import" },
  { name: "ioredis", match: "/node_modules/ioredis/", allowed: ["@connect/core/redis"], why: "Redis only in distributed mode" },
  { name: "bottleneck", match: "/node_modules/bottleneck/", allowed: ["@connect/core/redis"], why: "the Redis limiter only in distributed mode" },
  { name: "msw", match: "/node_modules/msw/", allowed: [], why: "the fakes' msw only in `/testing`" },
];

/** Each package's client factory, for the first-call probe (bench/fake-host.mjs serves the fakes). */
const FACTORIES = {
  authentisign: "createAuthentisignClient",
  bpo: "createBpoClient",
  docusign: "createDocuSignClient",
  quickbooks: "createQuickBooksClient",
  sendgrid: "createSendGridClient",
  textract: "createTextractClient",
  twilio: "createTwilioClient",
};

function runProbe(code, env = {}) {
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: root, env: { ...process.env, ...env }, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`cold-start probe failed (${result.status}): ${result.stderr.slice(-1500)}\n--- probe ---\n${code}`);
  return result.stdout;
}

/** Median whole-process wall time (ms) of each probe over `runs` rounds, all probes once per round; by key. */
function timeProbes(probes, runs) {
  const samples = probes.map(() => []);
  for (let i = 0; i < runs; i += 1) {
    probes.forEach(({ code, env }, j) => {
      const started = process.hrtime.bigint();
      runProbe(code, env);
      samples[j].push(Number(process.hrtime.bigint() - started) / 1e6);
    });
  }
  return Object.fromEntries(probes.map((p, j) => [p.key, median(samples[j])]));
}

function dirSize(path) {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += dirSize(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

/** Installed size of a package's production dependency closure (from the root lockfile; optional peers left out). */
function closureSize(name) {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")).packages;
  const seen = new Set();
  const visit = (pkgName, from) => {
    const candidates = [`${from}/node_modules/${pkgName}`, `node_modules/${pkgName}`];
    const key = candidates.find((k) => lock[k]);
    if (!key || seen.has(key)) return;
    seen.add(key);
    const entry = lock[key];
    const target = entry.link ? entry.resolved : key;
    const meta = lock[target] ?? entry;
    for (const dep of Object.keys(meta.dependencies ?? {})) visit(dep, target);
  };
  const manifest = JSON.parse(readFileSync(join(root, "packages", name, "package.json"), "utf8"));
  for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, `packages/${name}`);
  let bytes = dirSize(join(root, "packages", name, "dist"));
  for (const key of seen) {
    const entry = lock[key];
    if (entry.link) bytes += dirSize(join(root, entry.resolved, "dist"));
    else if (existsSync(join(root, key))) bytes += dirSize(join(root, key));
  }
  return { packages: seen.size, bytes };
}

/**
 * What running `body` loads: every resolved URL, and the third-party specifiers imported from
 * our own built files (the dependencies the entry really needs at that point).
 */
function loadedBy(body) {
  const code = `
    import { registerHooks, isBuiltin } from "node:module";
    const urls = new Set();
    const deps = new Set();
    registerHooks({ resolve(spec, ctx, next) {
      const r = next(spec, ctx);
      urls.add(r.url);
      const ours = ctx.parentURL && /\\/packages\\/[^/]+\\/dist\\//.test(ctx.parentURL);
      if (ours && !isBuiltin(spec) && !/^(\\.|\\/|file:|@connect\\/)/.test(spec)) deps.add(spec);
      return r;
    } });
    ${body}
    console.log(JSON.stringify({ urls: [...urls], deps: [...deps] }));`;
  return JSON.parse(runProbe(code).trim().split("\n").at(-1));
}

function heavyOf(urls) {
  return HEAVY_RULES.filter((rule) => urls.some((url) => url.includes(rule.match))).map((rule) => rule.name);
}

function violationsOf(entry, heavy) {
  return HEAVY_RULES.filter((rule) => heavy.includes(rule.name) && !rule.allowed.includes(entry)).map((rule) => `${rule.name} (${rule.why})`);
}

/** CPU profile of one import of `entry` (node --cpu-prof), summarised by {@link insideProfile}. */
function importProfile(entry) {
  const dir = mkdtempSync(join(root, "bench", ".tmp", "cold-prof-"));
  try {
    const result = spawnSync(process.execPath, ["--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-interval", "50", "--input-type=module", "-e", `import ${JSON.stringify(entry)};`], { cwd: root, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`profile of ${entry} failed: ${result.stderr.slice(-500)}`);
    const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"));
    return insideProfile(JSON.parse(readFileSync(join(dir, file), "utf8")), /\/packages\/[^/]+\/dist\//);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Payload paths that must not pull in a dependency they do not use. */
function pathProbes() {
  const connectJson = JSON.stringify({ event: "envelope-completed", data: { envelopeId: "8b1d7c5e-0000-4000-8000-000000000001", envelopeSummary: { status: "completed", completedDateTime: "2024-06-03T15:12:00.0000000Z" } } });
  const csv = "id,address,city,state,zip,status,submitted_by_email,submitted_by_name,submitted_at,purchase_price,list_price,notes,updated_at\n" +
    "AbCdEfGhIjKlMnOpQrSt,12 Oak St,Austin,TX,78704,LEAD,ana@brokerage.example,Ana Reyes,2024-05-01T08:00:00.000Z,425000,,,2024-05-02T08:00:00.000Z\n";
  return [
    {
      title: "DocuSign Connect JSON message through the webhook handler",
      entry: "@connect/docusign",
      body: `const { createDocuSignWebhookHandler } = await import("@connect/docusign");
        const handler = createDocuSignWebhookHandler({ unsafeSkipSignatureCheck: true, onEvent: () => {} });
        const res = await handler.handle({ method: "POST", url: "https://hooks.example/docusign", headers: { "content-type": "application/json" }, rawBody: Buffer.from(${JSON.stringify(connectJson)}) });
        if (res.status !== 200) throw new Error("docusign JSON probe answered " + res.status);`,
    },
    {
      title: "BPO import of a local CSV export",
      entry: "@connect/bpo",
      body: `const { importBpoExport, exportFileFromContent } = await import("@connect/bpo");
        const report = await importBpoExport(exportFileFromContent("bpo_export_2024-06-03.csv", ${JSON.stringify(csv)}), { store: { findByExternalId: async () => undefined, create: async () => {}, update: async () => {} } });
        if (report.created !== 1) throw new Error("bpo CSV probe created " + report.created);`,
    },
  ];
}

/** Start every package's fake host; resolves with the setups by package name and a stop function. */
async function startFakeHosts() {
  const hosts = [];
  const setups = {};
  try {
    for (const name of Object.keys(FACTORIES)) {
      const host = fork(join(root, "bench", "fake-host.mjs"), [name], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
      hosts.push(host);
      const setup = await new Promise((resolve, reject) => {
        host.once("message", resolve);
        host.once("exit", (code) => reject(new Error(`fake-host ${name} exited ${code}`)));
      });
      if (!setup.ok) throw new Error(`fake-host ${name}: ${setup.error}`);
      setups[name] = setup;
    }
  } catch (error) {
    for (const host of hosts) host.kill();
    throw error;
  }
  return { setups, stop: () => hosts.forEach((host) => host.kill()) };
}

function firstCallProbe(name, factory) {
  return `import { ${factory} } from "@connect/${name}";
    const { options, token } = JSON.parse(process.env.FAKE_SETUP);
    if (token) { const { createMemoryTokenStore } = await import("@connect/core"); options.tokens = createMemoryTokenStore(); await options.tokens.set(token.key, token.value); }
    const client = ${factory}(options);
    const health = await client.healthCheck();
    if (health.status !== "healthy") { console.error(JSON.stringify(health)); process.exit(1); }
    process.exit(0);`;
}

/** Run the benchmark; returns the figures. */
export async function benchColdStart({ smoke }) {
  const runs = smoke ? 1 : 9;
  const names = readdirSync(join(root, "packages")).filter((name) => existsSync(join(root, "packages", name, "package.json"))).sort();
  const unbuilt = names.filter((name) => !existsSync(join(root, "packages", name, "dist", "index.js")));
  if (unbuilt.length > 0) throw new Error(`not built: ${unbuilt.join(", ")} (run npm run build)`);
  mkdirSync(join(root, "bench", ".tmp"), { recursive: true });
  const entries = [...names.map((name) => ({ name, entry: `@connect/${name}` })), { name: "core", entry: "@connect/core/aws" }, { name: "core", entry: "@connect/core/redis" }];
  const rows = entries.map(({ name, entry }) => {
    const loaded = loadedBy(`await import(${JSON.stringify(entry)});`);
    const heavy = heavyOf(loaded.urls);
    return { name, entry, deps: loaded.deps.sort(), heavy, violations: violationsOf(entry, heavy), closure: entry === `@connect/${name}` ? closureSize(name) : undefined };
  });
  const depNames = [...new Set(rows.flatMap((r) => r.deps))].sort();

  // Every probe, timed round-robin (all of them once per round), so a burst of other work on the
  // machine lands on one sample of many probes instead of on every sample of one probe.
  const hosts = await startFakeHosts();
  const canned = await startCannedServer(JSON.stringify({ ok: true }));
  const probes = [];
  const probe = (key, code, env = {}) => probes.push({ key, code, env });
  let times;
  try {
    probe("empty", "");
    for (const row of rows) {
      // Static imports in both probes, so the module graph loads the same way (in parallel, then linked).
      probe(`import:${row.entry}`, `import ${JSON.stringify(row.entry)};`);
      probe(`deps:${row.entry}`, row.deps.map((d) => `import ${JSON.stringify(d)};`).join("\n"));
    }
    for (const dep of depNames) probe(`dep:${dep}`, `import ${JSON.stringify(dep)};`);
    for (const [name, factory] of Object.entries(FACTORIES)) probe(`first:@connect/${name}`, firstCallProbe(name, factory), { FAKE_SETUP: JSON.stringify(hosts.setups[name]) });
    probe(
      "first:@connect/core",
      `import { createRuntime, defineOperation } from "@connect/core"; import { z } from "zod";
       const op = defineOperation({ id: "x.get", input: z.object({}), output: z.object({ ok: z.boolean() }), idempotent: true, request: () => ({ method: "GET", path: "/" }) });
       const rt = createRuntime({ adapter: { id: "x", version: "0" }, baseUrl: process.env.URL });
       await rt.run(op, {}); process.exit(0);`,
      { URL: canned.url },
    );
    probe("first:undici", `import { request } from "undici"; const r = await request(process.env.URL); await r.body.json(); process.exit(0);`, { URL: canned.url });
    probe("first:node:http", `import { get } from "node:http"; get(process.env.URL, (res) => { res.resume(); res.on("end", () => process.exit(0)); });`, { URL: canned.url });
    times = timeProbes(probes, runs);
  } finally {
    hosts.stop();
    canned.stop();
  }
  const empty = times.empty;
  const above = (key) => (times[key] === undefined ? undefined : times[key] - empty);
  for (const row of rows) {
    row.importMs = above(`import:${row.entry}`);
    row.depsMs = above(`deps:${row.entry}`);
    row.ownMs = row.importMs - row.depsMs;
    row.firstCallMs = above(`first:${row.entry}`);
  }
  // Where an entry's own code costs 10 ms or more: a CPU profile of its import, split into the time
  // under our modules' top-level code (and what it calls, e.g. zod building schemas) and the rest.
  for (const row of rows.filter((r) => r.ownMs >= 10)) row.profile = importProfile(row.entry);
  const paths = pathProbes().map((p) => {
    const heavy = heavyOf(loadedBy(p.body).urls);
    return { title: p.title, entry: p.entry, heavy, violations: violationsOf(p.entry, heavy) };
  });
  return {
    runs,
    empty,
    rows,
    dependencies: depNames.map((name) => ({ name, importMs: above(`dep:${name}`) })),
    rawFirstCall: above("first:undici"),
    nodeHttpFirstCall: above("first:node:http"),
    paths,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { smoke } = parseArgs();
  console.log(JSON.stringify(await benchColdStart({ smoke }), null, 2));
}

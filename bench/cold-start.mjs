// Cold start: whole-process time above an empty node process, for importing each package,
// importing its dependencies alone, and (for core) importing + building a client + one call
// against a loopback server. Also: which heavy modules each entry loads, and each package's
// installed dependency-closure size.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { median, parseArgs } from "./lib.mjs";
import { startCannedServer } from "./overhead.mjs";

const root = new URL("..", import.meta.url).pathname;

function timeProcess(code, runs, env = {}) {
  const samples = [];
  for (let i = 0; i < runs; i += 1) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: root, env: { ...process.env, ...env }, encoding: "utf8" });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) throw new Error(`cold-start probe failed: ${result.stderr}`);
    samples.push(elapsed);
  }
  return median(samples);
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

/** Installed size of a package's production dependency closure (from the root lockfile). */
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
    const path = join(root, entry.link ? entry.resolved : key);
    if (existsSync(path) && !entry.link) bytes += dirSize(path);
    else if (entry.link) bytes += dirSize(join(root, entry.resolved, "dist"));
  }
  return { packages: seen.size, bytes };
}

const CORE_RUNTIME_DEPS = ["undici", "zod", "@opentelemetry/api", "p-retry", "opossum"];
const HEAVY = ["fast-xml-parser", "@aws-sdk", "ioredis", "csv-parse", "libphonenumber-js", "msw", "opossum", "p-retry"];

/** Which heavy dependencies an entry loads (resolved through a loader hook that records URLs). */
function heavyLoaded(specifier) {
  const code = `
    import { registerHooks } from "node:module";
    const seen = new Set();
    registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); seen.add(r.url); return r; } });
    await import(${JSON.stringify(specifier)});
    console.log(JSON.stringify([...seen]));`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: root, encoding: "utf8" });
  if (result.status !== 0) return ["(probe failed)"];
  const urls = JSON.parse(result.stdout.trim());
  return HEAVY.filter((name) => urls.some((url) => url.includes(`/node_modules/${name}/`)));
}

export async function benchColdStart({ smoke }) {
  const runs = smoke ? 1 : 9;
  const empty = timeProcess("", runs);
  const rows = [];
  const packages = readdirSync(join(root, "packages")).filter((name) => existsSync(join(root, "packages", name, "dist", "index.js")));
  const depsOnly = timeProcess(CORE_RUNTIME_DEPS.map((d) => `await import(${JSON.stringify(d)});`).join(" "), runs);
  for (const name of packages) {
    const manifest = JSON.parse(readFileSync(join(root, "packages", name, "package.json"), "utf8"));
    const deps = Object.keys(manifest.dependencies ?? {}).filter((d) => !d.startsWith("@connect/"));
    // What the entry needs: its own dependencies plus core's runtime ones (bottleneck only loads in distributed mode).
    const needed = [...new Set([...deps, ...CORE_RUNTIME_DEPS])].filter((d) => d !== "bottleneck");
    const importDeps = needed.map((d) => `await import(${JSON.stringify(d)});`).join(" ");
    const pkgImport = timeProcess(`await import("@connect/${name}");`, runs);
    const depImport = timeProcess(importDeps, runs);
    rows.push({
      name,
      importMs: pkgImport - empty,
      depsMs: depImport - empty,
      ownMs: pkgImport - depImport,
      heavy: heavyLoaded(`@connect/${name}`),
      closure: closureSize(name),
    });
  }
  // Import + client + one call, for core against the canned server.
  const { url, stop } = await startCannedServer(JSON.stringify({ ok: true }));
  const firstCall = timeProcess(
    `import { createRuntime, defineOperation } from "@connect/core"; import { z } from "zod";
     const op = defineOperation({ id: "x.get", input: z.object({}), output: z.object({ ok: z.boolean() }), idempotent: true, request: () => ({ method: "GET", path: "/" }) });
     const rt = createRuntime({ adapter: { id: "x", version: "0" }, baseUrl: process.env.URL });
     await rt.run(op, {}); await rt.close();`,
    runs,
    { URL: url },
  );
  const rawFirstCall = timeProcess(`import { request } from "undici"; const r = await request(process.env.URL); await r.body.json();`, runs, { URL: url });
  stop();
  return { empty, depsOnly: depsOnly - empty, rows, firstCall: firstCall - empty, rawFirstCall: rawFirstCall - empty };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { smoke } = parseArgs();
  console.log(JSON.stringify(await benchColdStart({ smoke }), null, 2));
}

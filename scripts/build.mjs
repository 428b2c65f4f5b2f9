// Builds every package that has sources, each after the @connect packages it depends on
// (declaration builds read their .d.ts), two at a time. Run through `npm run build` so the
// pinned Node is used.
//
// Incremental: a package is rebuilt only when the hash of what its build reads changed — its
// src/, package.json, tsup and tsconfig files, the shared build config, the lockfile, and the
// hashes of the @connect packages it depends on — or when its dist/ is missing. The hashes live
// in node_modules/.cache/connect-build (never in dist/, which is published). `--force` (or
// CONNECT_BUILD_FORCE=1) rebuilds everything; a clean clone has no cache, so CI builds from scratch.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const force = process.argv.includes("--force") || process.env.CONNECT_BUILD_FORCE === "1";
const cacheDir = join(root, "node_modules", ".cache", "connect-build");
const SHARED = ["tsup.config.base.ts", "tsconfig.base.json", "package-lock.json"];

const packages = readdirSync(join(root, "packages")).filter((name) => existsSync(join(root, "packages", name, "src", "index.ts")));
const manifests = new Map(packages.map((name) => [name, JSON.parse(readFileSync(join(root, "packages", name, "package.json"), "utf8"))]));
/** The sibling packages a package's build reads (dependencies and peers named @connect/*). */
const dependsOn = new Map(
  packages.map((name) => {
    const m = manifests.get(name);
    const names = Object.keys({ ...m.dependencies, ...m.peerDependencies }).filter((dep) => dep.startsWith("@connect/"));
    return [name, names.map((dep) => dep.slice("@connect/".length)).filter((dep) => dep !== name && manifests.has(dep))];
  }),
);

function filesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

const hashes = new Map();
/** The hash of everything `name`'s build reads, including its dependencies' hashes. */
function hashOf(name) {
  if (hashes.has(name)) return hashes.get(name);
  const dir = join(root, "packages", name);
  const hash = createHash("sha256");
  const own = [...filesUnder(join(dir, "src")), ...readdirSync(dir).filter((f) => /^(package\.json|tsup\.config\.ts|tsconfig.*\.json)$/.test(f)).map((f) => join(dir, f))];
  for (const file of [...own.sort(), ...SHARED.map((f) => join(root, f)).filter(existsSync)]) {
    hash.update(relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  for (const dep of dependsOn.get(name)) hash.update(`dep:${dep}:${hashOf(dep)}\0`);
  const digest = hash.digest("hex");
  hashes.set(name, digest);
  return digest;
}

const stampFile = (name) => join(cacheDir, `${name}.sha256`);
function upToDate(name) {
  if (force) return false;
  const dist = join(root, "packages", name, "dist");
  if (!existsSync(join(dist, "index.js")) || !existsSync(join(dist, "index.d.ts"))) return false;
  try {
    return readFileSync(stampFile(name), "utf8") === hashOf(name);
  } catch {
    return false;
  }
}

function build(name) {
  return new Promise((resolve, reject) => {
    // A stale stamp must never outlive a failed or interrupted build.
    rmSync(stampFile(name), { force: true });
    const child = spawn("npx", ["tsup", "--silent"], { cwd: join(root, "packages", name), stdio: ["ignore", "inherit", "inherit"] });
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`build of ${name} failed (exit ${code})`));
      mkdirSync(cacheDir, { recursive: true });
      writeFileSync(stampFile(name), hashOf(name));
      resolve();
    });
  });
}

const started = Date.now();
const stale = new Set(packages.filter((name) => !upToDate(name)));
// A package whose dependency is rebuilt is stale too (its hash already says so; this keeps the order).
const done = new Set(packages.filter((name) => !stale.has(name)));
const built = [];
const running = new Map();
async function next() {
  for (;;) {
    const ready = [...stale].find((name) => !running.has(name) && dependsOn.get(name).every((dep) => done.has(dep)));
    if (ready === undefined) {
      if (running.size === 0) return;
      await Promise.race(running.values());
      continue;
    }
    stale.delete(ready);
    const job = build(ready).then(() => {
      done.add(ready);
      built.push(ready);
      running.delete(ready);
    });
    running.set(ready, job);
    await job;
  }
}
await Promise.all([next(), next()]);
if (stale.size > 0) throw new Error(`could not order the build of ${[...stale].join(", ")} (a dependency cycle?)`);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (built.length === 0) console.log(`build: all ${packages.length} packages up to date (${seconds} s; --force rebuilds)`);
else console.log(`built ${built.join(", ")} in ${seconds} s${built.length < packages.length ? ` (${packages.length - built.length} up to date)` : ""}`);

// Release check (CI): every package is publishable, installable and usable exactly as a consumer
// gets it from a registry.
//   1. start a local npm registry (verdaccio, 127.0.0.1, storage in a temp folder);
//   2. publish every built package to it;
//   3. in a fresh project outside the repo, install @connect/core and two vendor packages from it
//      and run a smoke script as ESM and as CommonJS, on the pinned Node 24 and on Node 22;
//   4. publish a newer @connect/core and show the pinned older adapter still works beside it;
//   5. run `changeset version` on a copy of the repo: versions bump, internal ranges follow,
//      CHANGELOG.md files are written.
// Run through `npm run release:check` (after `npm run build`).
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const smokeDir = join(root, "scripts", "release-smoke");
const work = mkdtempSync(join(tmpdir(), "connect-release-"));
const keep = process.argv.includes("--keep");
const started = Date.now();
const children = [];

function log(line) {
  console.log(`release-check: ${line}`);
}

/** Run a command; resolve with stdout, reject with its output on a non-zero exit. */
function run(cmd, args, { cwd = work, env = {}, quiet = true } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (!quiet) process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${code}\n${out}\n${err}`))));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));
const packages = readdirSync(join(root, "packages"))
  .filter((name) => existsSync(join(root, "packages", name, "dist", "index.js")))
  .map((name) => ({ name, dir: join(root, "packages", name), manifest: readJson(join(root, "packages", name, "package.json")) }));

async function startRegistry() {
  const dir = join(work, "verdaccio");
  mkdirSync(join(dir, "storage"), { recursive: true });
  // verdaccio 6 installs only with node-fetch pinned: a dependency asks for a dist-tag this registry does not serve.
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "release-registry", private: true, overrides: { "node-fetch": "2.7.0" } }));
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "verdaccio@6"], { cwd: dir });
  const port = await freePort();
  writeFileSync(
    join(dir, "config.yaml"),
    [
      "storage: ./storage",
      "auth:",
      "  htpasswd:",
      "    file: ./htpasswd",
      "uplinks: {}",
      "packages:",
      "  '@connect/*':",
      "    access: $all",
      "    publish: $authenticated",
      "log: { type: stdout, format: pretty, level: error }",
      "",
    ].join("\n"),
  );
  const child = spawn(join(dir, "node_modules", ".bin", "verdaccio"), ["--config", join(dir, "config.yaml"), "--listen", `127.0.0.1:${port}`], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i += 1) {
    const ok = await fetch(`${url}/-/ping`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i === 99) throw new Error("verdaccio did not start");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const user = await fetch(`${url}/-/user/org.couchdb.user:ci`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "ci", password: `ci-${Date.now()}` }),
  }).then((r) => r.json());
  if (!user.token) throw new Error(`verdaccio refused the CI user: ${JSON.stringify(user)}`);
  const userconfig = join(dir, "publish.npmrc");
  writeFileSync(userconfig, `//127.0.0.1:${port}/:_authToken=${user.token}\n`);
  return { url, userconfig };
}

/** Publish a package folder; provenance needs a CI identity a local registry does not have. */
async function publish(dir, registry) {
  await run("npm", ["publish", dir, "--registry", registry.url, "--userconfig", registry.userconfig, "--provenance=false", "--loglevel=error"], { cwd: root });
}

/** A fresh consumer project that takes @connect/* from the local registry and the rest from npm. */
async function consumer(name, registry, specs) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, version: "0.0.0" }));
  writeFileSync(join(dir, ".npmrc"), `@connect:registry=${registry.url}\n`);
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...specs], { cwd: dir });
  for (const file of readdirSync(smokeDir)) cpSync(join(smokeDir, file), join(dir, file));
  return dir;
}

function expectEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

async function smoke(dir, node, versions) {
  for (const [file, format] of [
    ["smoke.mjs", "esm"],
    ["smoke.cjs", "cjs"],
  ]) {
    const out = JSON.parse((await run(node, [file], { cwd: dir })).trim().split("\n").at(-1));
    expectEqual(
      { format: out.format, sendgrid: out.sendgrid, textract: out.textract, validation: out.validation },
      { format, sendgrid: { version: versions.sendgrid, messageId: true }, textract: { version: versions.textract, fields: true }, validation: true },
      `${file} on ${out.node}`,
    );
    log(`consumer smoke ${format.toUpperCase()} on Node ${out.node}: ok`);
  }
}

async function node22() {
  const dir = join(work, "node22");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "node22", private: true }));
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "node@22"], { cwd: dir });
  const bin = join(dir, "node_modules", ".bin", "node");
  const version = (await run(bin, ["--version"])).trim();
  if (!version.startsWith("v22.")) throw new Error(`node@22 installed ${version}`);
  return bin;
}

function bumpMinor(version) {
  const [major, minor] = version.split(".").map(Number);
  return `${major}.${minor + 1}.0`;
}

async function changesetVersionDryRun() {
  // A copy of the repository's manifests and changesets; `changeset version` rewrites them there.
  const dir = join(work, "version-dry-run");
  mkdirSync(dir, { recursive: true });
  // package-lock.json tells changesets this is an npm workspace.
  for (const file of ["package.json", "package-lock.json"]) cpSync(join(root, file), join(dir, file));
  cpSync(join(root, ".changeset"), join(dir, ".changeset"), { recursive: true });
  for (const name of readdirSync(join(root, "packages"))) {
    if (!existsSync(join(root, "packages", name, "package.json"))) continue;
    mkdirSync(join(dir, "packages", name), { recursive: true });
    for (const file of ["package.json", "CHANGELOG.md"]) {
      if (existsSync(join(root, "packages", name, file))) cpSync(join(root, "packages", name, file), join(dir, "packages", name, file));
    }
  }
  const pending = readdirSync(join(root, ".changeset")).filter((f) => f.endsWith(".md") && f !== "README.md");
  if (pending.length === 0) {
    log("changeset version: no pending changesets, nothing to check");
    return;
  }
  await run(join(root, "node_modules", ".bin", "changeset"), ["version"], { cwd: dir });
  const after = Object.fromEntries(packages.map((pkg) => [pkg.name, readJson(join(dir, "packages", pkg.name, "package.json"))]));
  const core = after.core;
  for (const pkg of packages) {
    const next = after[pkg.name];
    const changelog = join(dir, "packages", pkg.name, "CHANGELOG.md");
    const mentioned = pending.some((f) => readFileSync(join(root, ".changeset", f), "utf8").includes(`"${pkg.manifest.name}"`));
    if (mentioned && next.version === pkg.manifest.version) throw new Error(`changeset version did not bump ${pkg.manifest.name}`);
    if (mentioned && !readFileSync(changelog, "utf8").includes(`## ${next.version}`)) throw new Error(`${pkg.manifest.name} CHANGELOG.md has no ${next.version} entry`);
    const range = next.dependencies?.["@connect/core"];
    if (pkg.name !== "core" && range !== undefined) {
      if (range === "*" || !range.startsWith("^")) throw new Error(`${pkg.manifest.name} depends on @connect/core "${range}", not a caret range`);
      const [maj, min] = core.version.split(".");
      if (!range.startsWith(`^${maj}.${min}`)) throw new Error(`${pkg.manifest.name} depends on @connect/core "${range}", which does not accept ${core.version}`);
    }
  }
  log(`changeset version: ${packages.map((p) => `${p.manifest.name} ${p.manifest.version}→${after[p.name].version}`).join(", ")}; internal ranges follow core ${core.version}; CHANGELOG.md written`);
}

try {
  if (packages.length === 0) throw new Error("no built packages: run `npm run build` first");
  const registry = await startRegistry();
  log(`verdaccio on ${registry.url}`);
  for (const pkg of packages) await publish(pkg.dir, registry);
  log(`published ${packages.map((p) => `${p.manifest.name}@${p.manifest.version}`).join(", ")}`);

  const versions = Object.fromEntries(packages.map((p) => [p.name, p.manifest.version]));
  const app = await consumer("consumer", registry, ["@connect/core", "@connect/sendgrid", "@connect/textract", "msw"]);
  await smoke(app, process.execPath, versions);
  await smoke(app, await node22(), versions);

  // A newer core release (same build, next minor version), then an app on it with sendgrid pinned.
  const coreCopy = join(work, "core-next");
  cpSync(join(root, "packages", "core"), coreCopy, { recursive: true, filter: (src) => !src.includes("node_modules") });
  const nextCore = bumpMinor(versions.core);
  writeFileSync(join(coreCopy, "package.json"), JSON.stringify({ ...readJson(join(coreCopy, "package.json")), version: nextCore }, null, 2));
  await publish(coreCopy, registry);
  const pinned = await consumer("pinned", registry, [`@connect/core@${nextCore}`, `@connect/sendgrid@${versions.sendgrid}`, "msw"]);
  const result = JSON.parse((await run(process.execPath, ["pinned.mjs"], { cwd: pinned })).trim().split("\n").at(-1));
  expectEqual(result, { appCore: nextCore, sendgrid: versions.sendgrid, sendgridCore: versions.core, sent: true, crossCopyError: true }, "pinned-version check");
  log(`pinned: @connect/sendgrid@${versions.sendgrid} (on its own core ${versions.core}) works beside @connect/core@${nextCore}; errors cross the copies`);

  await changesetVersionDryRun();
  log(`passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(`release-check: FAILED\n${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  for (const child of children) child.kill("SIGTERM");
  if (!keep) rmSync(work, { recursive: true, force: true });
}

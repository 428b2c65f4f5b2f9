// Cold start as a user gets it: each @connect package packed with `npm pack`, installed alone
// (with the @connect packages it depends on, also from their tarballs) into an empty folder from
// the npm registry, and imported there; each vendor's official SDK installed and imported the same
// way. Whole-process wall time above an empty node process, medians of fresh processes, every
// probe once per round.
//   node bench/cold-start-packed.mjs [--smoke]    JSON (smoke: one package and one SDK, 1 run)
// Needs the packages built (`npm run build`); installs use npm's cache first (--prefer-offline).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { median, parseArgs } from "./lib.mjs";

const root = new URL("..", import.meta.url).pathname;
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** The official SDK a user would otherwise pick, per vendor package (versions as in bench/package.json). */
function officialSdks() {
  const pinned = JSON.parse(readFileSync(join(root, "bench", "package.json"), "utf8")).devDependencies;
  const at = (name) => `${name}@${pinned[name]}`;
  return {
    twilio: { install: [at("twilio")], entry: "twilio" },
    sendgrid: { install: [at("@sendgrid/mail")], entry: "@sendgrid/mail" },
    docusign: { install: [at("docusign-esign")], entry: "docusign-esign" },
    quickbooks: { install: [at("node-quickbooks")], entry: "node-quickbooks" },
    textract: { install: [at("@aws-sdk/client-textract")], entry: "@aws-sdk/client-textract" },
  };
}

/** `npm pack` every package into `dir`; returns tarball paths by package folder name. */
function packAll(names, dir) {
  const out = {};
  for (const name of names) {
    const printed = execFileSync(npm, ["pack", "--silent", "--pack-destination", dir], { cwd: join(root, "packages", name), encoding: "utf8" }).trim().split("\n").at(-1);
    out[name] = join(dir, printed);
  }
  return out;
}

/** The @connect packages `name` needs at runtime (dependencies, transitively), itself included. */
function connectClosure(name) {
  const seen = new Set();
  const visit = (n) => {
    if (seen.has(n)) return;
    seen.add(n);
    const manifest = JSON.parse(readFileSync(join(root, "packages", n, "package.json"), "utf8"));
    for (const dep of Object.keys(manifest.dependencies ?? {})) if (dep.startsWith("@connect/")) visit(dep.slice("@connect/".length));
  };
  visit(name);
  return [...seen];
}

/** A fresh folder with `specs` installed (tarballs or registry specs), production dependencies only. */
function installInto(dir, specs) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "cold-start-probe", private: true, type: "module" }));
  execFileSync(npm, ["install", "--no-audit", "--no-fund", "--omit=dev", "--omit=peer", "--prefer-offline", "--loglevel=error", ...specs], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

function runIn(dir, code) {
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: dir, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`probe in ${dir} failed (${result.status}): ${result.stderr.slice(-800)}`);
}

/** Run the benchmark; returns the figures. */
export async function benchPackedColdStart({ smoke = false } = {}) {
  const runs = smoke ? 1 : 9;
  const all = readdirSync(join(root, "packages")).filter((name) => existsSync(join(root, "packages", name, "dist", "index.js"))).sort();
  const names = smoke ? all.filter((name) => name === "sendgrid") : all;
  const sdks = Object.entries(officialSdks()).filter(([vendor]) => !smoke || vendor === "sendgrid");
  const work = join(root, "bench", ".tmp", "packed");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, "tarballs"), { recursive: true });
  try {
    const needed = [...new Set(names.flatMap(connectClosure))];
    const tarballs = packAll(needed, join(work, "tarballs"));
    const probes = [{ key: "empty", dir: work, code: "" }];
    for (const name of names) {
      const dir = join(work, `ours-${name}`);
      installInto(dir, connectClosure(name).map((n) => tarballs[n]));
      probes.push({ key: `ours:${name}`, dir, code: `import "@connect/${name}";` });
    }
    for (const [vendor, sdk] of sdks) {
      const dir = join(work, `official-${vendor}`);
      installInto(dir, sdk.install);
      probes.push({ key: `official:${vendor}`, dir, code: `import ${JSON.stringify(sdk.entry)};`, entry: sdk.entry });
    }
    const samples = probes.map(() => []);
    for (let i = 0; i < runs; i += 1) {
      probes.forEach((p, j) => {
        const started = process.hrtime.bigint();
        runIn(p.dir, p.code);
        samples[j].push(Number(process.hrtime.bigint() - started) / 1e6);
      });
    }
    const times = Object.fromEntries(probes.map((p, j) => [p.key, median(samples[j])]));
    const above = (key) => (times[key] === undefined ? undefined : times[key] - times.empty);
    const official = Object.fromEntries(sdks.map(([vendor, sdk]) => [vendor, { entry: sdk.entry, version: sdk.install[0].split("@").at(-1), importMs: above(`official:${vendor}`) }]));
    return {
      runs,
      empty: times.empty,
      rows: names.map((name) => ({ name, entry: `@connect/${name}`, importMs: above(`ours:${name}`), official: official[name] })),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { smoke } = parseArgs();
  console.log(JSON.stringify(await benchPackedColdStart({ smoke }), null, 2));
}

// Package checks on the built output: publint (package.json ↔ files),
// @arethetypeswrong/cli (types resolve for ESM and CJS consumers on node16+; we need Node 22+),
// the committed API reports (scripts/api-report.mjs) and doc comments on every export (scripts/check-docs.mjs).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const packages = readdirSync(join(root, "packages")).filter((name) => existsSync(join(root, "packages", name, "dist", "index.js")));
let failed = 0;
for (const name of packages) {
  const dir = join("packages", name);
  for (const args of [["publint", "--strict", dir], ["attw", "--pack", dir, "--profile", "node16"]]) {
    const result = spawnSync("npx", args, { cwd: root, stdio: "inherit" });
    if (result.status !== 0) {
      failed += 1;
      console.error(`lint: ${args[0]} reported problems in ${dir}`);
    }
  }
}
// The public surface must match its committed API report, and every export needs a doc comment.
for (const script of ["api-report.mjs", "check-docs.mjs"]) {
  if (spawnSync(process.execPath, [join(root, "scripts", script)], { cwd: root, stdio: "inherit" }).status !== 0) failed += 1;
}
if (failed > 0) process.exit(1);
console.log(`lint: ${packages.length} packages clean (${packages.join(", ")})`);

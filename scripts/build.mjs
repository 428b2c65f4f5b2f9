// Builds @connect/core first (vendor declaration builds read its .d.ts), then every other
// package that has sources, two at a time. Run through `npm run build` so the pinned Node is used.
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const packages = readdirSync(join(root, "packages")).filter((name) => existsSync(join(root, "packages", name, "src", "index.ts")));

function build(name) {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["tsup", "--silent"], { cwd: join(root, "packages", name), stdio: ["ignore", "inherit", "inherit"] });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`build of ${name} failed (exit ${code})`))));
  });
}

const started = Date.now();
await build("core");
const rest = packages.filter((name) => name !== "core");
const queue = [...rest];
await Promise.all(
  Array.from({ length: 2 }, async () => {
    while (queue.length > 0) await build(queue.shift());
  }),
);
console.log(`built ${["core", ...rest].join(", ")} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

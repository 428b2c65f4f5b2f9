// In-process CPU profile of a workload (node:inspector, the same V8 profiler as `node --cpu-prof`),
// summarised as self time per function and per module, so a missed goal in RESULTS.md shows
// where the time goes. `node --cpu-prof bench/<file>.mjs` writes the full profile for DevTools.
import { Session } from "node:inspector/promises";

const root = new URL("..", import.meta.url).pathname;

/** Which module a profiled frame belongs to. */
function moduleOf(url, functionName) {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0] === "internal" ? url.slice(5).split("/")[1] : url.slice(5)}`;
  const pkg = /\/packages\/([^/]+)\/dist\//.exec(url);
  if (pkg) return `@connect/${pkg[1]}`;
  const dep = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (dep) return dep[1];
  if (url.includes("/bench/")) return "bench";
  return url.replace(`file://${root}`, "");
}

/** Profile `work` (an async function) and return self-time shares by function and by module. */
export async function profile(work, { intervalUs = 200 } = {}) {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: intervalUs });
  await session.post("Profiler.start");
  let data;
  try {
    await work();
  } finally {
    ({ profile: data } = await session.post("Profiler.stop"));
    session.disconnect();
  }
  return summariseProfile(data);
}

/** Self-time shares by function and by module of a V8 CPU profile (`Profiler.stop`, or a `--cpu-prof` file). */
export function summariseProfile(data) {
  const byId = new Map(data.nodes.map((node) => [node.id, node]));
  const self = new Map();
  let total = 0;
  data.samples.forEach((id, i) => {
    const dt = data.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const functions = new Map();
  const modules = new Map();
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    // Idle time, and the profiler's own stop call, are not the workload's.
    if (callFrame.functionName === "(idle)" || callFrame.url === "node:inspector" || callFrame.url === "node:internal/inspector/promises") {
      total -= us;
      continue;
    }
    const mod = moduleOf(callFrame.url, callFrame.functionName);
    const fn = `${callFrame.functionName || "(anonymous)"} (${mod}${callFrame.url && !callFrame.url.startsWith("node:") ? `:${callFrame.lineNumber + 1}` : ""})`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    modules.set(mod, (modules.get(mod) ?? 0) + us);
  }
  const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => ({ name, share: us / total }));
  return { totalMs: total / 1000, functions: top(functions, 12), modules: top(modules, Infinity) };
}

/** The profile as markdown: modules, then the hottest functions. */
export function profileMarkdown(result, { functions = 8 } = {}) {
  const pct = (share) => `${(share * 100).toFixed(1)} %`;
  return [
    `Self time by module: ${result.modules.slice(0, 8).map((m) => `${m.name} ${pct(m.share)}`).join(", ")}.`,
    "",
    "| hottest functions (self time) | share |",
    "|---|---:|",
    ...result.functions.slice(0, functions).map((f) => `| \`${f.name.replaceAll("|", "\\|")}\` | ${pct(f.share)} |`),
  ].join("\n");
}

/**
 * Time of a V8 CPU profile spent with a frame of `pattern` (a URL RegExp) on the stack — e.g. our
 * modules' top-level code and everything it calls — broken down by the module of the leaf frame.
 */
export function insideProfile(data, pattern) {
  const byId = new Map(data.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of data.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inside = new Map();
  const isInside = (id) => {
    if (inside.has(id)) return inside.get(id);
    const node = byId.get(id);
    const result = pattern.test(node.callFrame.url ?? "") || (parent.has(id) ? isInside(parent.get(id)) : false);
    inside.set(id, result);
    return result;
  };
  let totalUs = 0;
  let insideUs = 0;
  const modules = new Map();
  data.samples.forEach((id, i) => {
    const dt = data.timeDeltas[i] ?? 0;
    const { callFrame } = byId.get(id);
    if (callFrame.functionName === "(idle)") return;
    totalUs += dt;
    if (!isInside(id)) return;
    insideUs += dt;
    const mod = moduleOf(callFrame.url, callFrame.functionName);
    modules.set(mod, (modules.get(mod) ?? 0) + dt);
  });
  return { totalMs: totalUs / 1000, insideMs: insideUs / 1000, modules: [...modules].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([name, us]) => ({ name, ms: us / 1000 })) };
}

/**
 * The crash suite's driver (issue 20): worker child processes on the built packages are killed
 * with SIGKILL, over and over, at chosen points (before the vendor call, after the vendor accepted,
 * before the ack, at random moments, right after a webhook's 200) while new work keeps arriving;
 * then one worker drains the queues. Effects are counted at the vendor fakes (in this process),
 * not by the code under test: every job and every acknowledged webhook must have had its effect
 * exactly once — or, for an unsafe write whose outcome the crash made unknowable, at most once and
 * a dead letter saying so. Nothing lost, nothing duplicated.
 */
import { fork, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
import type { DeadLetter } from "@connect/core";
import { sampleDocuments, createTextractFake } from "@connect/textract/testing";
import { createTwilioFake, signTwilioRequest } from "@connect/twilio/testing";
// @ts-expect-error — plain ESM shared with the worker children (no declarations)
import { ACCOUNT_SID, AUTH_TOKEN, buildWorld, openBackend } from "./world.mjs";

const WORKER_SOURCE = fileURLToPath(new URL("./worker.mjs", import.meta.url));
// The children run the built packages bundled into one file, so each of the hundreds of starts
// reads a few modules instead of resolving a few hundred (≈ 0.33 s to ready instead of ≈ 0.46 s). It
// lives under the repo's node_modules so its externals (BullMQ reads its Lua scripts from its own
// directory; ioredis and the AWS SDK stay as installed) resolve as they would for a host.
const BUNDLE_DIR = fileURLToPath(new URL("../../../node_modules/.cache/connect-crash/", import.meta.url));

let bundled: Promise<string> | undefined;
const bundleDir = join(BUNDLE_DIR, String(process.pid));

/** Bundle worker.mjs (and world.mjs, on the packages' dist) once per test process; returns its entry. */
function bundleWorker(): Promise<string> {
  bundled ??= bundleOnce();
  return bundled;
}

/** Remove the children's bundle (call once every suite of the file has run). */
export function removeWorkerBundle(): void {
  bundled = undefined;
  rmSync(bundleDir, { recursive: true, force: true });
}

async function bundleOnce(): Promise<string> {
  const dir = bundleDir;
  await build({
    entryPoints: [WORKER_SOURCE],
    outdir: dir,
    // Chunks per dynamic import: a node:sqlite child never loads the BullMQ or SQS code.
    splitting: true,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    external: ["bullmq", "ioredis", "@aws-sdk/*", "@smithy/*"],
    // The repo's tsconfig paths point at src; the children must run what users install.
    tsconfigRaw: "{}",
    banner: { js: "import { createRequire as __connectRequire } from 'node:module'; const require = __connectRequire(import.meta.url);" },
    logLevel: "warning",
  });
  return join(dir, "worker.mjs");
}
const COMPILE_CACHE = join(tmpdir(), "connect-crash-compile-cache");
const MODES = ["before-call", "after-accept", "before-ack", "random", "random", "host"] as const;
type Mode = (typeof MODES)[number] | "none";

/** What the test passes through to the children (JSON). */
export interface CrashConfig {
  backend: "sqlite" | "bullmq" | "sqs";
  db?: string;
  redisUrl?: string;
  prefix?: string;
  sqsUrl?: string;
  queueUrls?: Record<string, string>;
  twilioUrl?: string;
  textractUrl?: string;
}

/** Per job kind: how many had exactly one effect, were dead-lettered (with how many effects), duplicated or lost. */
export interface CrashRow {
  kind: string;
  jobs: number;
  "exactly once": number;
  "dead-lettered (unknown outcome)": number;
  duplicated: number;
  lost: number;
}

/** The outcome of a run. */
export interface CrashResult {
  kills: number;
  byMode: Record<string, number>;
  rows: CrashRow[];
  deadLetters: DeadLetter[];
  unexpectedLetters: DeadLetter[];
  /** Mean wall time per killed worker, and of it the wait for a worker to be ready (ms). */
  timing: { perKillMs: number; readyWaitMs: number };
}

interface Life {
  mode: Mode;
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<NodeJS.Signals | number | null>;
  listening?: Promise<number>;
}

function spawnLife(worker: string, config: CrashConfig, mode: Mode): Life {
  const child = fork(worker, [], {
    execPath: process.execPath,
    // Not vitest's flags (its loaders and the `development` condition): a plain host's node.
    execArgv: [],
    // The compile cache makes each of the hundreds of worker starts cheaper (Node ≥ 22.1).
    env: { ...process.env, CRASH_CONFIG: JSON.stringify(config), CRASH_MODE: mode, CRASH_ODDS: "0.35", NODE_COMPILE_CACHE: COMPILE_CACHE },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  let onListening: (port: number) => void = () => undefined;
  const listening = new Promise<number>((resolve) => (onListening = resolve));
  const ready = new Promise<void>((resolve, reject) => {
    child.on("message", (message: { type: string; port?: number }) => {
      if (message.type === "ready") resolve();
      if (message.type === "listening") onListening(message.port!);
    });
    child.once("exit", (code, signal) => reject(new Error(`worker exited before it was ready (${signal ?? code})`)));
  });
  ready.catch(() => undefined);
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
  return { mode, child, ready, exited, listening };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Run the suite against one backend; `config` gets the fakes' URLs filled in. */
export async function runCrashSuite(base: CrashConfig, options: { kills: number; random?: () => number }): Promise<CrashResult> {
  const random = options.random ?? Math.random;
  const twilioFake = createTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const textractFake = createTextractFake({ inProgressPolls: 0 });
  const servers: ServedHandlers[] = [await serveHandlers(twilioFake.handlers), await serveHandlers(textractFake.handlers)];
  const config: CrashConfig = { ...base, twilioUrl: servers[0]!.url, textractUrl: servers[1]!.url };
  const worker = await bundleWorker();
  const opened = await openBackend(config);
  const world = buildWorld(config, opened);
  const sms: string[] = [];
  const analyses: string[] = [];
  const acked: string[] = [];
  let n = 0;
  async function addWork(count: number): Promise<void> {
    const items = [];
    for (let i = 0; i < count; i += 1) {
      n += 1;
      if (n % 2 === 0) {
        const body = `Draw ${n} approved`;
        sms.push(body);
        items.push({ job: world.jobs.sms, payload: { body }, options: { jobId: `sms-${n}` } });
      } else {
        const name = `surveys/lot-${n}.pdf`;
        textractFake.putDocument("in-bucket", name, sampleDocuments.SURVEY);
        analyses.push(name);
        items.push({ job: world.jobs.analysis, payload: { bucket: "in-bucket", name }, options: { jobId: `analysis-${n}` } });
      }
    }
    await world.queue.enqueueMany(items);
  }

  /** Post status callbacks to a hosting child; kill it right after the second 200. */
  async function host(life: Life): Promise<void> {
    const port = await Promise.race([life.listening!, sleep(5_000).then(() => undefined)]);
    if (port === undefined) return;
    const url = `http://127.0.0.1:${port}/twilio`;
    for (let i = 0; i < 2; i += 1) {
      const sid = `SM${(n += 1).toString(16).padStart(32, "0")}`;
      textractFake.putDocument("in-bucket", `webhooks/${sid}.pdf`, sampleDocuments.SURVEY);
      const signed = signTwilioRequest({ authToken: AUTH_TOKEN, url, params: { MessageSid: sid, MessageStatus: "delivered", From: "+14155552345", To: "+14155550100", AccountSid: ACCOUNT_SID } });
      const res = await fetch(url, { method: "POST", headers: signed.headers, body: signed.body });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`the hosting worker answered ${res.status}`);
      acked.push(sid);
    }
    life.child.kill("SIGKILL");
  }

  const byMode: Record<string, number> = {};
  let kills = 0;
  await addWork(40);
  const pool: Life[] = [];
  const pick = (): Mode => MODES[Math.floor(random() * MODES.length)]!;
  const started = performance.now();
  let readyWait = 0;
  try {
    while (kills < options.kills) {
      while (pool.length < 3) pool.push(spawnLife(worker, config, pick()));
      const life = pool.shift()!;
      const waitStart = performance.now();
      await life.ready;
      readyWait += performance.now() - waitStart;
      await addWork(4);
      life.child.send({ type: "go" });
      if (life.mode === "host") await host(life);
      else if (life.mode === "random") {
        await sleep(20 + random() * 250);
        life.child.kill("SIGKILL");
      } else {
        // It dies at its point; if no job reaches it in time, the parent kills it.
        const signal = await Promise.race([life.exited, sleep(1_500).then(() => "timeout" as const)]);
        if (signal === "timeout") life.child.kill("SIGKILL");
      }
      const signal = await life.exited;
      if (signal !== "SIGKILL") throw new Error(`a worker ended with ${String(signal)} instead of being killed`);
      kills += 1;
      byMode[life.mode] = (byMode[life.mode] ?? 0) + 1;
    }
  } finally {
    for (const spare of pool) spare.child.kill("SIGKILL");
    await Promise.all(pool.map((spare) => spare.exited));
  }

  const timing = { perKillMs: Math.round((performance.now() - started) / Math.max(1, kills)), readyWaitMs: Math.round(readyWait / Math.max(1, kills)) };
  // A fresh worker finishes everything.
  const last = spawnLife(worker, config, "none");
  await last.ready;
  const drained = new Promise<void>((resolve) => last.child.on("message", (m: { type: string }) => m.type === "drained" && resolve()));
  last.child.send({ type: "go" });
  await Promise.race([drained, sleep(120_000).then(() => Promise.reject(new Error("the final worker did not drain the queues in 120 s")))]);
  await last.exited;

  const deadLetters: DeadLetter[] = await world.queue.deadLetters.list();
  const letterFor = (jobId: string): DeadLetter | undefined => deadLetters.find((l) => l.id.endsWith(`:${jobId}`));
  const row = (kind: string, ids: string[], effects: (id: string) => number, jobIdOf: (id: string) => string): CrashRow => {
    const out: CrashRow = { kind, jobs: ids.length, "exactly once": 0, "dead-lettered (unknown outcome)": 0, duplicated: 0, lost: 0 };
    for (const id of ids) {
      const count = effects(id);
      const letter = letterFor(jobIdOf(id));
      if (count > 1) out.duplicated += 1;
      else if (letter) out["dead-lettered (unknown outcome)"] += 1;
      else if (count === 1) out["exactly once"] += 1;
      else out.lost += 1;
    }
    return out;
  };
  const smsCount = (body: string): number => twilioFake.messages.filter((m) => m.body === body).length;
  const rows = [
    row("SMS (unsafe write, durable idempotency key)", sms, smsCount, (body) => `sms-${body.split(" ")[1]}`),
    row("Textract analysis (keyed write)", analyses, (name) => [...textractFake.jobs.values()].filter((j) => j.location.name === name).length, (name) => `analysis-${name.match(/lot-(\d+)/)![1]}`),
    row("webhook acknowledged 200 → handler's analysis", acked, (sid) => [...textractFake.jobs.values()].filter((j) => j.location.name === `webhooks/${sid}.pdf`).length, (sid) => `twilio:status:${sid}:delivered`),
  ];
  // An unsafe write is unknowable only because a worker died while it was in flight: the refusal
  // names the earlier attempt. An UnknownOutcomeError from an attempt that simply failed (a bug
  // that broke every send once made all of them look "unknown") is unexpected.
  const unexpectedLetters = deadLetters.filter((l) => l.error.name !== "UnknownOutcomeError" || !/an earlier (attempt|call)/.test(String(l.error.message)));
  await world.close();
  await opened.close();
  await Promise.all(servers.map((s) => s.close()));
  return { kills, byMode, rows, deadLetters, unexpectedLetters, timing };
}

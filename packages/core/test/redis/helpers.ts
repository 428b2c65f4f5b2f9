/**
 * Distributed-mode test helpers: the Redis URL (tests run only when REDIS_URL is set; CI sets
 * it), unique key prefixes, worker processes on the built package, and a private redis-server
 * that a test may stop and restart.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const REDIS_URL = process.env.REDIS_URL;

/** A prefix no other test run uses. */
export const freshPrefix = (): string => `test:${randomUUID().slice(0, 8)}:`;

const workerPath = fileURLToPath(new URL("./worker.mjs", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));

/** A worker process, started and waiting for `go()`. */
export interface Worker {
  child: ChildProcess;
  /** Start the scenario. */
  go(): void;
  /** The scenario's JSON result. */
  result: Promise<Record<string, unknown>>;
}

/** Start a worker process (on the built package) for `scenario`. */
export function startWorker(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Worker {
  const child = spawn(process.execPath, [workerPath, JSON.stringify(config)], {
    cwd: repoRoot,
    env: { ...process.env, REDIS_URL, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const result = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.on("exit", (code, signal) => {
      const line = out.trim().split("\n").at(-1);
      if (line) resolve(JSON.parse(line) as Record<string, unknown>);
      else reject(new Error(`worker exited (${code ?? signal}) without a result: ${err}`));
    });
  });
  result.catch(() => undefined); // a test that kills its worker does not read the result
  return { child, go: () => child.stdin!.write("go\n"), result };
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** A private redis-server on `port` (persistence off), for tests that stop and restart Redis. */
export async function startRedisServer(port: number): Promise<{ stop(): Promise<void> }> {
  const child = spawn(process.env.REDIS_SERVER_BIN ?? "redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    let log = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("Ready to accept connections")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`redis-server exited (${code}): ${log}`)));
    child.on("error", reject);
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}

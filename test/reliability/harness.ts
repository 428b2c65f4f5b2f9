/**
 * Shared pieces of the reliability suites: the fast policy every case uses, a loopback
 * listener whose accept queue is full (connect timeouts without leaving 127.0.0.1), a
 * capturing logger, an in-memory span exporter, and a plain-text table printer.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import type { IntegrationContext, Logger, PolicyOptions } from "@connect/core";
import type { RecordedRequest, ServedHandlers } from "@connect/core/testing";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";

/** Deterministic, fast policy: three attempts, 1–4 ms backoff without jitter, no limiter, no breaker. */
export const FAST_POLICY = {
  retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 4, jitter: false, maxRetryAfterMs: 2_000 },
  retryBudget: false,
  limiter: false,
  breaker: false,
  timeout: { attemptMs: 2_000, totalMs: 15_000 },
} as const satisfies PolicyOptions;

/** Transport limits that make body timeouts and connect timeouts quick. */
export const FAST_TRANSPORT = { connectTimeoutMs: 60, bodyTimeoutMs: 60, headersTimeoutMs: 1_500 } as const;

/** One captured log line. */
export interface LogLine {
  level: keyof Logger;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/** A pino-shaped logger that keeps every line. */
export function capturingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: keyof Logger) =>
    (obj: Record<string, unknown>, msg?: string): void => {
      lines.push({ level, obj, msg });
    };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A tracer provider exporting to memory. */
export function memoryTracing(): { tracerProvider: BasicTracerProvider; exporter: InMemorySpanExporter; spans(): ReadableSpan[] } {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracerProvider, exporter, spans: () => exporter.getFinishedSpans() };
}

/** A span as plain data: name, attributes, events (with attributes), status. */
export function spanData(span: ReadableSpan): Record<string, unknown> {
  return {
    name: span.name,
    attributes: span.attributes,
    events: span.events.map((e) => ({ name: e.name, attributes: e.attributes })),
    status: span.status,
  };
}

/** Resolve with the rejection of `promise`, or `{ ok: value }` when it resolves. */
export async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * A listener on 127.0.0.1 that never accepts: a child process listens with a backlog of one,
 * its event loop is blocked, and filler sockets occupy the queue, so the kernel drops further
 * SYNs and a connect attempt hangs until the client's connect timeout.
 */
export async function startBlackhole(): Promise<{ url: string; close(): void }> {
  const child: ChildProcess = spawn(process.execPath, [
    "-e",
    "const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>{console.log(s.address().port);setTimeout(()=>Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,600000),50)});",
  ]);
  const port = await new Promise<number>((resolve) => child.stdout!.once("data", (d: Buffer) => resolve(Number(String(d).trim()))));
  await new Promise((r) => setTimeout(r, 150));
  const fillers: Socket[] = [];
  for (let i = 0; i < 6; i += 1) {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.on("error", () => undefined);
    fillers.push(socket);
  }
  await new Promise((r) => setTimeout(r, 200));
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      for (const s of fillers) s.destroy();
      child.kill("SIGKILL");
    },
  };
}

/** Requests received by `server` matching a method and a path pattern (query ignored unless the pattern has one). */
export function requestsMatching(server: ServedHandlers, method: string, match: RegExp): RecordedRequest[] {
  return server.requests.filter((r) => r.method === method.toUpperCase() && match.test(r.url));
}

/** Print rows as an aligned plain-text table. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

/** Context for a call with an explicit idempotency key and correlation id. */
export function callCtx(key: string): IntegrationContext {
  return { idempotencyKey: key, correlationId: `corr-${key}` };
}

/**
 * Health of a set of adapters: each one's own check, with latency and breaker state,
 * rolled up into one status.
 */
import type { Adapter, HealthResult } from "./contract.js";

/** The health report of {@link checkHealth}. @public */
export interface HealthReport {
  /** healthy when all are; unhealthy when all are; degraded otherwise. */
  status: "healthy" | "degraded" | "unhealthy";
  /** Per adapter, by id. */
  adapters: Record<string, HealthResult & { version: string }>;
}

/**
 * Run every adapter's health check in parallel, each bounded by `timeoutMs`.
 * @public
 */
export async function checkHealth(adapters: Array<Pick<Adapter, "id" | "version" | "healthCheck">>, options: { timeoutMs?: number } = {}): Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const entries = await Promise.all(
    adapters.map(async (adapter) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<HealthResult>((resolve) => {
        timer = setTimeout(() => resolve({ status: "unhealthy", latencyMs: timeoutMs, error: `health check timed out after ${timeoutMs} ms` }), timeoutMs);
      });
      const result = await Promise.race([
        adapter.healthCheck().catch((error: unknown): HealthResult => ({
          status: "unhealthy",
          latencyMs: Math.round(performance.now() - started),
          error: (error as Error).message,
        })),
        timeout,
      ]);
      clearTimeout(timer);
      return [adapter.id, { ...result, version: adapter.version }] as const;
    }),
  );
  const results = Object.fromEntries(entries);
  const statuses = entries.map(([, r]) => r.status);
  const status = statuses.every((s) => s === "healthy") ? "healthy" : statuses.every((s) => s === "unhealthy") ? "unhealthy" : "degraded";
  return { status, adapters: results };
}

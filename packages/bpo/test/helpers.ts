/** Shared fixtures: the fake on a loopback socket, a client with small policy numbers, temp folders. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FAST_TEST_POLICY, serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { createBpoClient, type BpoClient, type BpoClientOptions } from "@connect/bpo";
import { createBpoFake, type BpoFake, type BpoFakeOptions } from "@connect/bpo/testing";

export interface Harness {
  fake: BpoFake;
  server: ServedHandlers;
  client: BpoClient;
  close(): Promise<void>;
}

/** Fast, deterministic policy (core's test policy): no jitter, 1–5 ms backoff, no limiter, no breaker. */
export const FAST_POLICY = FAST_TEST_POLICY;

/** A fixed clock for metadata.sync_timestamp. */
export const NOW = Date.parse("2024-06-03T02:00:00.000Z");

export async function setup(options: { fake?: BpoFakeOptions; client?: Partial<BpoClientOptions> } = {}): Promise<Harness> {
  const fake = createBpoFake(options.fake);
  const server = await serveHandlers(fake.handlers);
  const client = createBpoClient({ baseUrl: server.url, apiKey: fake.apiKey, policy: FAST_POLICY, now: () => NOW, ...options.client });
  return {
    fake,
    server,
    client,
    async close() {
      await client.close();
      await server.close();
    },
  };
}

/** Request lines (`GET /api/v1/projects?…`) the server received. */
export function requestLines(server: ServedHandlers): string[] {
  return server.requests.map((r) => `${r.method} ${r.url}`);
}

/** A fresh temp folder, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "bpo-test-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Collect an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

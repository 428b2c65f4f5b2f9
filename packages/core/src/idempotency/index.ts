// TEMPORARY (lead): minimal versions so runtime.ts loads; helper-1 replaces this module.
import { createHash } from "node:crypto";

export interface IdempotencyStore {
  begin(key: string, ttlMs: number): Promise<{ state: "new" } | { state: "in-flight" } | { state: "done"; result: unknown }>;
  complete(key: string, result: unknown, ttlMs: number): Promise<void>;
  fail(key: string): Promise<void>;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object" && !(value instanceof Uint8Array)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

export function deriveIdempotencyKey(parts: { vendor: string; operation: string; tenantId?: string | undefined; input: unknown }): string {
  return `ck_${createHash("sha256").update(JSON.stringify(canonical(parts))).digest("hex").slice(0, 40)}`;
}

export async function withIdempotency<T>(_store: IdempotencyStore, _key: string, fn: () => Promise<T>): Promise<T> {
  return fn();
}

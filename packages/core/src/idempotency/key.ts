/**
 * Idempotency keys derived from what a call does, so the same logical call gets the same
 * key on every attempt and in every worker.
 */
import { createHash } from "node:crypto";

/** What identifies one logical call. @public */
export interface IdempotencyKeyParts {
  /** Vendor id, e.g. `twilio`. */
  vendor: string;
  /** Operation id, e.g. `messages.send`. */
  operation: string;
  /** Tenant, when calls of different tenants must never share a key. */
  tenantId?: string | undefined;
  /** The validated input (or the fields of it that make the call unique). */
  input: unknown;
}

/** Prefix of every derived key, so a derived key is told apart from one a caller passed. @public */
export const IDEMPOTENCY_KEY_PREFIX = "ck_";

/**
 * Canonical JSON: object keys sorted (code-unit order), `undefined` members dropped (as JSON
 * does), Dates as ISO strings, Buffers as base64, bigints as strings, Maps as sorted objects,
 * Sets as arrays. Throws a TypeError on a cycle.
 * @public
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, new Set());
}

function serialize(value: unknown, stack: Set<object>): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return JSON.stringify(value.toString());
    case "function":
    case "symbol":
      return "null";
    default:
      break;
  }
  const object = value as object;
  if (object instanceof Date) return JSON.stringify(Number.isNaN(object.getTime()) ? null : object.toISOString());
  if (object instanceof Uint8Array) return JSON.stringify(Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString("base64"));
  if (stack.has(object)) throw new TypeError("canonicalJson: the value contains a cycle");
  stack.add(object);
  try {
    if (Array.isArray(object)) return `[${object.map((item) => serialize(item, stack)).join(",")}]`;
    if (object instanceof Set) return `[${[...object].map((item) => serialize(item, stack)).join(",")}]`;
    const entries: Array<[string, unknown]> =
      object instanceof Map ? [...object.entries()].map(([k, v]) => [String(k), v]) : Object.entries(object);
    const members = entries
      .filter(([, inner]) => inner !== undefined && typeof inner !== "function" && typeof inner !== "symbol")
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, inner]) => `${JSON.stringify(key)}:${serialize(inner, stack)}`);
    return `{${members.join(",")}}`;
  } finally {
    stack.delete(object);
  }
}

/**
 * Derive a stable idempotency key: `ck_` + hex SHA-256 of the canonical JSON of the parts.
 * Key order and `undefined` fields of the input do not change the key; any value does.
 * @example
 * deriveIdempotencyKey({ vendor: "twilio", operation: "messages.send", input: { to, body } }) // "ck_3f1c…"
 * @public
 */
export function deriveIdempotencyKey(parts: IdempotencyKeyParts): string {
  const canonical = canonicalJson({ v: parts.vendor, o: parts.operation, t: parts.tenantId, i: parts.input });
  return IDEMPOTENCY_KEY_PREFIX + createHash("sha256").update(canonical, "utf8").digest("hex");
}

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
  // Most values (an operation's input) are shallow: a recursive walk that appends to one
  // string is several times faster than the general walk below, which a value nested deeper
  // than RECURSION_LIMIT falls back to.
  try {
    return shallowJson(value, 0, new Set<object>());
  } catch (error) {
    if (error !== TOO_DEEP) throw error;
  }
  return deepJson(value);
}

/** Nesting depth the recursive walk handles before it hands over to the iterative one. */
const RECURSION_LIMIT = 64;
const TOO_DEEP = Symbol("too deep");

function shallowJson(value: unknown, depth: number, open: Set<object>): string {
  const scalar = scalarJson(value);
  if (scalar !== undefined) return scalar;
  if (depth >= RECURSION_LIMIT) throw TOO_DEEP;
  const object = value as object;
  if (open.has(object)) throw new TypeError("canonicalJson: the value contains a cycle");
  open.add(object);
  let out: string;
  if (Array.isArray(object) || object instanceof Set) {
    const items: unknown[] = Array.isArray(object) ? object : [...object];
    out = "[";
    for (let i = 0; i < items.length; i += 1) out += (i > 0 ? "," : "") + shallowJson(items[i], depth + 1, open);
    out += "]";
  } else {
    out = membersJson(entriesOf(object), depth, open);
  }
  open.delete(object);
  return out;
}

function membersJson(entries: Array<[string, unknown]>, depth: number, open: Set<object>): string {
  let out = "{";
  let first = true;
  for (const [key, inner] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (inner === undefined || typeof inner === "function" || typeof inner === "symbol") continue;
    out += `${first ? "" : ","}${JSON.stringify(key)}:${shallowJson(inner, depth + 1, open)}`;
    first = false;
  }
  return out + "}";
}

/** An object's or a Map's members, keys as strings. */
function entriesOf(object: object): Array<[string, unknown]> {
  return object instanceof Map ? [...object.entries()].map(([k, v]): [string, unknown] => [String(k), v]) : Object.entries(object);
}

/** The general walk: any depth. */
function deepJson(value: unknown): string {
  // Iterative rather than recursive: a deeply nested value (a hostile webhook event, say) must
  // not overflow the call stack. `exit` items leave an object once its members are written, so
  // `open` holds the ancestors only (a shared, non-cyclic reference is fine).
  type Item = { value: unknown } | { text: string } | { exit: object };
  const out: string[] = [];
  const open = new Set<object>();
  const work: Item[] = [{ value }];
  while (work.length > 0) {
    const item = work.pop()!;
    if ("text" in item) {
      out.push(item.text);
      continue;
    }
    if ("exit" in item) {
      open.delete(item.exit);
      continue;
    }
    const scalar = scalarJson(item.value);
    if (scalar !== undefined) {
      out.push(scalar);
      continue;
    }
    const object = item.value as object;
    if (open.has(object)) throw new TypeError("canonicalJson: the value contains a cycle");
    open.add(object);
    work.push({ exit: object });
    if (Array.isArray(object) || object instanceof Set) {
      const items: unknown[] = Array.isArray(object) ? object : [...object];
      work.push({ text: "]" });
      for (let i = items.length - 1; i >= 0; i -= 1) {
        work.push({ value: items[i] });
        if (i > 0) work.push({ text: "," });
      }
      work.push({ text: "[" });
      continue;
    }
    const members = entriesOf(object)
      .filter(([, inner]) => inner !== undefined && typeof inner !== "function" && typeof inner !== "symbol")
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    work.push({ text: "}" });
    for (let i = members.length - 1; i >= 0; i -= 1) {
      const [key, inner] = members[i]!;
      work.push({ value: inner });
      work.push({ text: `${i > 0 ? "," : ""}${JSON.stringify(key)}:` });
    }
    work.push({ text: "{" });
  }
  return out.join("");
}

/** JSON text of a value that is not a container (undefined when it is an object or array to descend into). */
function scalarJson(value: unknown): string | undefined {
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
  return undefined;
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

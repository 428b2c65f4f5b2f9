/**
 * Regression (issue 15): a deeply nested value (a hostile webhook event) no longer overflows the
 * stack in `canonicalJson`, which made `receiver.handle()` throw a RangeError for an event
 * without an id; the canonical form of ordinary values is unchanged.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, createWebhookReceiver, deriveIdempotencyKey } from "../src/index.js";

/** The earlier recursive definition, as the reference for shallow values. */
function reference(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return Number.isFinite(value) ? JSON.stringify(value) : "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (typeof value === "function" || typeof value === "symbol") return "null";
  if (Array.isArray(value)) return `[${value.map(reference).join(",")}]`;
  const members = Object.entries(value as object)
    .filter(([, v]) => v !== undefined && typeof v !== "function" && typeof v !== "symbol")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`);
  return `{${members.join(",")}}`;
}

const deep = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? { a: value } : [value];
  return value;
};

describe("issue 15: deeply nested values", () => {
  it("canonicalJson of ordinary values is what it was", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.anything({ maxDepth: 4, withNullPrototype: true, withBigInt: true }), (json, anything) => {
        expect(canonicalJson(json)).toBe(reference(json));
        expect(canonicalJson(anything)).toBe(reference(anything));
      }),
      { numRuns: 500 },
    );
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared, shared] })).toBe('{"a":{"x":1},"b":[{"x":1},{"x":1}]}');
  });

  it("canonicalJson and deriveIdempotencyKey handle 200 000 levels", () => {
    const value = deep(200_000);
    const text = canonicalJson(value);
    expect(text.startsWith('[{"a":[{"a":')).toBe(true);
    expect(text.length).toBeGreaterThan(600_000);
    expect(deriveIdempotencyKey({ vendor: "acme", operation: "x", input: value })).toMatch(/^ck_[0-9a-f]{64}$/);
  });

  it("a receiver dispatches a deeply nested event without an id instead of throwing", async () => {
    const seen: unknown[] = [];
    const receiver = createWebhookReceiver<unknown>({
      vendor: "acme",
      verifier: { verify: () => undefined },
      parse: (req) => JSON.parse(req.rawBody.toString("utf8")) as unknown[],
      eventId: () => undefined,
      eventType: () => "changed",
      onEvent: (event) => void seen.push(event),
    });
    const depth = 100_000;
    const body = `[${'{"a":'.repeat(depth)}1${"}".repeat(depth)},{"b":2}]`;
    const res = await receiver.handle({ method: "POST", url: "https://hooks.test/acme", headers: {}, rawBody: Buffer.from(body) });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ received: 2, handled: 2 });
    expect(seen).toHaveLength(2);
  });
});

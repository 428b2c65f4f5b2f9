import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineOperation, parseUntrusted, ValidationError } from "../src/index.js";

// zod 4 runs `.min()` on anything with a `length`; comparing an array of objects whose `toString`
// is not a function throws a TypeError from inside safeParse. Found by the fast-check suite (issue 15).
const HOSTILE = { length: [[{ toString: "" }]] };

describe("parseUntrusted (issue 15)", () => {
  it("turns a schema that throws on a hostile value into a failed parse", () => {
    const schema = z.object({ event: z.string().min(1) });
    expect(() => schema.safeParse({ event: HOSTILE })).toThrow(TypeError);
    expect(parseUntrusted(schema, { event: HOSTILE })).toEqual({
      success: false,
      issues: [{ path: "(root)", message: "the value could not be checked against the schema (Cannot convert object to primitive value)", code: "unparseable" }],
    });
    expect(parseUntrusted(schema, { event: "envelope-sent" })).toEqual({ success: true, data: { event: "envelope-sent" } });
    expect(parseUntrusted(schema, { event: "" })).toMatchObject({ success: false, issues: [{ path: "event", code: "too_small" }] });
  });

  it("operation input validation answers a hostile input with ValidationError, not a TypeError", () => {
    const op = defineOperation({ id: "things.create", input: z.object({ name: z.string().min(2) }), output: z.unknown(), request: () => ({ method: "POST", path: "/things" }) });
    expect(() => op.validate({ name: HOSTILE })).toThrow(ValidationError);
  });
});

import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { lazySchema, unlazy } from "../src/index.js";

describe("lazySchema", () => {
  it("builds nothing at creation and the schema once, on first use", () => {
    let builds = 0;
    const Widget = lazySchema(() => {
      builds += 1;
      return z.object({ id: z.string(), size: z.number().int() });
    });
    expect(builds).toBe(0);
    expect(Widget.parse({ id: "w1", size: 3 })).toEqual({ id: "w1", size: 3 });
    expect(Widget.safeParse({ id: "w1", size: 1.5 }).success).toBe(false);
    expect(builds).toBe(1);
  });

  it("is the schema to zod: instanceof, composition, nesting and inferred types", () => {
    const Inner = lazySchema(() => z.object({ a: z.string() }));
    const Outer = lazySchema(() => z.object({ inner: unlazy(Inner), list: z.array(Inner) }));
    expect(Inner).toBeInstanceOf(z.ZodObject);
    expect(Inner instanceof z.ZodType).toBe(true);
    const Extended = Inner.extend({ b: z.number() });
    expect(Extended.parse({ a: "x", b: 1 })).toEqual({ a: "x", b: 1 });
    expect(Outer.parse({ inner: { a: "1" }, list: [{ a: "2" }] })).toEqual({ inner: { a: "1" }, list: [{ a: "2" }] });
    const failed = Outer.safeParse({ inner: { a: 1 }, list: [] });
    expect(failed.success).toBe(false);
    expect(failed.error?.issues.map((i) => i.path.join("."))).toEqual(["inner.a"]);
    expectTypeOf<z.infer<typeof Outer>>().toEqualTypeOf<{ inner: { a: string }; list: { a: string }[] }>();
  });

  it("unlazy gives the built schema behind a stand-in and any other value as it is", () => {
    const Plain = z.string();
    const Lazy = lazySchema(() => Plain);
    expect(unlazy(Lazy)).toBe(Plain);
    expect(unlazy(Plain)).toBe(Plain);
    expect(unlazy(undefined)).toBeUndefined();
  });

  it("a builder that throws fails the first use with its error, and the next use tries again", () => {
    let calls = 0;
    const Flaky = lazySchema(() => {
      calls += 1;
      if (calls === 1) throw new Error("not yet");
      return z.literal("ok");
    });
    expect(() => Flaky.parse("ok")).toThrow("not yet");
    expect(Flaky.parse("ok")).toBe("ok");
  });

  it("spreads and lists keys as the built object does (a lazy shape composes into another schema)", () => {
    const fields = lazySchema(() => ({ a: z.string(), b: z.number().optional() }));
    expect(Object.keys(fields)).toEqual(["a", "b"]);
    const Spread = z.strictObject({ ...fields, c: z.boolean() });
    expect(Spread.parse({ a: "x", c: true })).toEqual({ a: "x", c: true });
    const Shape = z.object(fields);
    expect(Shape.safeParse({ a: 1 }).success).toBe(false);
  });
});

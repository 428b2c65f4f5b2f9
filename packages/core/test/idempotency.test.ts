import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConflictError } from "../src/errors.js";
import {
  canonicalJson,
  createMemoryDedupeStore,
  createMemoryIdempotencyStore,
  deriveIdempotencyKey,
  singleFlight,
  withIdempotency,
} from "../src/idempotency/index.js";

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("canonicalJson", () => {
  it("sorts keys at every depth and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: undefined }, z: null })).toBe('{"a":{"d":[3,{"e":2,"f":1}]},"b":1,"z":null}');
  });

  it("encodes dates, buffers, bigints, maps, sets and non-finite numbers", () => {
    const value = { d: new Date("2026-01-02T03:04:05.000Z"), b: Buffer.from("hi"), n: 10n, m: new Map([["y", 1], ["x", 2]]), s: new Set(["q"]), inf: Infinity, u: [undefined] };
    expect(canonicalJson(value)).toBe('{"b":"aGk=","d":"2026-01-02T03:04:05.000Z","inf":null,"m":{"x":2,"y":1},"n":"10","s":["q"],"u":[null]}');
  });

  it("throws a TypeError on a cycle", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(new TypeError("canonicalJson: the value contains a cycle"));
  });
});

describe("deriveIdempotencyKey", () => {
  const parts = { vendor: "twilio", operation: "messages.send", tenantId: "t1", input: { to: "+15550001111", body: "Hi", mediaUrl: undefined } };

  it("is ck_ + sha256 hex of the canonical JSON of vendor, operation, tenant and input", () => {
    const expected = createHash("sha256").update('{"i":{"body":"Hi","to":"+15550001111"},"o":"messages.send","t":"t1","v":"twilio"}').digest("hex");
    expect(deriveIdempotencyKey(parts)).toBe(`ck_${expected}`);
  });

  it("does not change with key order or undefined fields, and changes with any value", () => {
    const key = deriveIdempotencyKey(parts);
    expect(deriveIdempotencyKey({ input: { body: "Hi", to: "+15550001111" }, operation: "messages.send", vendor: "twilio", tenantId: "t1" })).toBe(key);
    expect(deriveIdempotencyKey({ ...parts, input: { ...parts.input, body: "Hi!" } })).not.toBe(key);
    expect(deriveIdempotencyKey({ ...parts, tenantId: "t2" })).not.toBe(key);
    expect(deriveIdempotencyKey({ ...parts, tenantId: undefined })).not.toBe(key);
    expect(deriveIdempotencyKey({ ...parts, operation: "messages.create" })).not.toBe(key);
  });
});

describe("singleFlight", () => {
  it("shares one run between concurrent calls with the same key, and runs again after it settles", async () => {
    const flights = singleFlight();
    const gate = deferred<string>();
    let runs = 0;
    const fn = () => {
      runs += 1;
      return gate.promise;
    };
    const a = flights.run("k", fn);
    const b = flights.run("k", fn);
    const other = flights.run("other", async () => "x");
    expect(flights.has("k")).toBe(true);
    gate.resolve("token-1");
    expect(await Promise.all([a, b, other])).toEqual(["token-1", "token-1", "x"]);
    expect(runs).toBe(1);
    expect(flights.has("k")).toBe(false);
    expect(await flights.run("k", async () => "token-2")).toBe("token-2");
  });

  it("shares a rejection (even a synchronous throw) and clears the key", async () => {
    const flights = singleFlight();
    const boom = new Error("boom");
    const fn = (): Promise<string> => {
      throw boom;
    };
    const results = await Promise.allSettled([flights.run("k", fn), flights.run("k", fn)]);
    expect(results).toEqual([
      { status: "rejected", reason: boom },
      { status: "rejected", reason: boom },
    ]);
    expect(flights.has("k")).toBe(false);
  });
});

describe("createMemoryIdempotencyStore", () => {
  it("claims a new key, reports it in flight, then done with the result", async () => {
    const store = createMemoryIdempotencyStore();
    expect(await store.begin("k")).toEqual({ state: "new" });
    expect(await store.begin("k")).toEqual({ state: "in-flight" });
    await store.complete("k", { sid: "SM1" });
    expect(await store.begin("k")).toEqual({ state: "done", result: { sid: "SM1" } });
  });

  it("forgets a result after its TTL (injected clock)", async () => {
    let now = 1_000;
    const store = createMemoryIdempotencyStore({ ttlMs: 5_000, now: () => now });
    await store.begin("k");
    await store.complete("k", "r1");
    now += 5_000 - 1;
    expect(await store.begin("k")).toEqual({ state: "done", result: "r1" });
    now += 1;
    expect(await store.begin("k")).toEqual({ state: "new" });
    await store.complete("k", "r2", 100);
    now += 101;
    expect(await store.begin("k")).toEqual({ state: "new" });
  });

  it("lets a claim lapse after its lease, so a crashed holder does not block the key forever", async () => {
    let now = 0;
    const store = createMemoryIdempotencyStore({ inFlightTtlMs: 1_000, now: () => now });
    expect(await store.begin("k")).toEqual({ state: "new" });
    now = 999;
    expect(await store.begin("k")).toEqual({ state: "in-flight" });
    now = 1_000;
    expect(await store.begin("k", 50)).toEqual({ state: "new" });
    now = 1_050;
    expect(await store.begin("k")).toEqual({ state: "new" });
  });

  it("evicts the least recently used key beyond maxEntries", async () => {
    const store = createMemoryIdempotencyStore({ maxEntries: 2 });
    await store.complete("a", 1);
    await store.complete("b", 2);
    expect(await store.begin("a")).toEqual({ state: "done", result: 1 }); // a is now most recent
    await store.complete("c", 3);
    expect(await store.begin("b")).toEqual({ state: "new" });
    // claiming b evicted a (least recently used after c)
    expect(await store.begin("c")).toEqual({ state: "done", result: 3 });
    expect(await store.begin("a")).toEqual({ state: "new" });
  });

  it("releases a key on fail", async () => {
    const store = createMemoryIdempotencyStore();
    await store.begin("k");
    await store.fail("k");
    expect(await store.begin("k")).toEqual({ state: "new" });
  });

  it("wakes waiters with the result, or as absent after a failure; times out as in-flight; rejects on abort", async () => {
    const store = createMemoryIdempotencyStore();
    await store.begin("k1");
    const waiting = store.wait("k1");
    await store.complete("k1", "done!");
    expect(await waiting).toEqual({ state: "done", result: "done!" });

    await store.begin("k2");
    const waitingFail = store.wait("k2");
    await store.fail("k2");
    expect(await waitingFail).toEqual({ state: "absent" });

    await store.begin("k3");
    expect(await store.wait("k3", { timeoutMs: 5 })).toEqual({ state: "in-flight" });
    const controller = new AbortController();
    const aborted = store.wait("k3", { signal: controller.signal });
    controller.abort(new Error("stop"));
    await expect(aborted).rejects.toThrow("stop");

    expect(await store.wait("never-claimed")).toEqual({ state: "absent" });
  });
});

describe("withIdempotency", () => {
  it("runs fn once for concurrent identical calls and gives every caller the result", async () => {
    const store = createMemoryIdempotencyStore();
    const gate = deferred<{ sid: string }>();
    let runs = 0;
    const fn = () => {
      runs += 1;
      return gate.promise;
    };
    const calls = Array.from({ length: 5 }, () => withIdempotency(store, "twilio:messages.send:ck_1", fn));
    gate.resolve({ sid: "SM1" });
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 5 }, () => ({ sid: "SM1" })));
    expect(runs).toBe(1);
  });

  it("returns the stored result to a repeated call without running fn, until the TTL passes", async () => {
    let now = 0;
    const store = createMemoryIdempotencyStore({ ttlMs: 60_000, now: () => now });
    let runs = 0;
    const fn = async () => `result-${(runs += 1)}`;
    expect(await withIdempotency(store, "k", fn)).toBe("result-1");
    now = 59_999;
    expect(await withIdempotency(store, "k", fn)).toBe("result-1");
    now = 60_000;
    expect(await withIdempotency(store, "k", fn)).toBe("result-2");
    expect(runs).toBe(2);
  });

  it("releases the key when fn fails, so every concurrent caller gets the error and a later retry runs", async () => {
    const store = createMemoryIdempotencyStore();
    const boom = new Error("vendor down");
    let runs = 0;
    const failing = async () => {
      runs += 1;
      throw boom;
    };
    const results = await Promise.allSettled([withIdempotency(store, "k", failing), withIdempotency(store, "k", failing)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(runs).toBe(1);
    expect(await store.begin("k")).toEqual({ state: "new" });
    await store.fail("k");
    expect(await withIdempotency(store, "k", async () => "ok")).toBe("ok");
  });

  it("waits for another worker holding the key and returns its result without running fn", async () => {
    const store = createMemoryIdempotencyStore();
    expect(await store.begin("k")).toEqual({ state: "new" }); // another worker claims it
    let runs = 0;
    const mine = withIdempotency(store, "k", async () => {
      runs += 1;
      return "mine";
    });
    await new Promise((resolve) => setTimeout(resolve, 1));
    await store.complete("k", "theirs");
    expect(await mine).toBe("theirs");
    expect(runs).toBe(0);
  });

  it("takes over when the other worker fails", async () => {
    const store = createMemoryIdempotencyStore();
    await store.begin("k");
    const mine = withIdempotency(store, "k", async () => "mine");
    await new Promise((resolve) => setTimeout(resolve, 1));
    await store.fail("k");
    expect(await mine).toBe("mine");
    expect(await store.begin("k")).toEqual({ state: "done", result: "mine" });
  });

  it("throws a retryable ConflictError when the other worker is still busy after the wait", async () => {
    const store = createMemoryIdempotencyStore();
    await store.begin("k");
    const error = await withIdempotency(store, "k", async () => "mine", { waitTimeoutMs: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ retryable: true, mayHaveReachedVendor: false });
    expect((error as Error).message).toBe("an identical call (idempotency key k) is still in progress elsewhere; try again once it has finished");
  });
});

describe("createMemoryDedupeStore", () => {
  it("reports an id as seen after the first call, until its TTL passes or it is forgotten", async () => {
    let now = 0;
    const dedupe = createMemoryDedupeStore({ now: () => now });
    expect(await dedupe.has("evt_1")).toBe(false);
    expect(await dedupe.seen("evt_1", 1_000)).toBe(false);
    expect(await dedupe.has("evt_1")).toBe(true);
    expect(await dedupe.seen("evt_1", 1_000)).toBe(true);
    now = 1_000;
    expect(await dedupe.has("evt_1")).toBe(false);
    expect(await dedupe.seen("evt_1", 1_000)).toBe(false);
    await dedupe.forget("evt_1");
    expect(await dedupe.seen("evt_1", 1_000)).toBe(false);
  });

  it("evicts the least recently seen id beyond maxEntries", async () => {
    const dedupe = createMemoryDedupeStore({ maxEntries: 2 });
    await dedupe.seen("a", 10_000);
    await dedupe.seen("b", 10_000);
    expect(await dedupe.seen("a", 10_000)).toBe(true);
    await dedupe.seen("c", 10_000);
    expect(await dedupe.seen("b", 10_000)).toBe(false);
  });
});

describe("canonicalJson: the fast shallow walk and the deep walk agree", () => {
  it("gives the same text for any value whether it is walked shallow or inside 70 levels of nesting", async () => {
    const fc = (await import("fast-check")).default;
    const wrap = (v: unknown, n: number): unknown => (n === 0 ? v : [wrap(v, n - 1)]);
    const value = fc.letrec((tie) => ({
      any: fc.oneof(
        { depthSize: "small" },
        fc.string(),
        fc.double(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        fc.bigInt(),
        fc.date({ noInvalidDate: false }),
        fc.uint8Array({ maxLength: 8 }),
        fc.array(tie("any"), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 4 }), tie("any"), { maxKeys: 4 }),
        fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 2 }), fc.integer({ min: 0, max: 3 })), tie("any")), { maxLength: 3 }).map((entries) => new Map(entries)),
        fc.array(tie("any"), { maxLength: 3 }).map((items) => new Set(items)),
      ),
    })).any;
    fc.assert(
      fc.property(value, (v) => {
        const shallow = canonicalJson(v);
        const deep = canonicalJson(wrap(v, 70));
        expect(deep).toBe(`${"[".repeat(70)}${shallow}${"]".repeat(70)}`);
      }),
      { numRuns: 500 },
    );
  });

  it("still finds a cycle on the fast walk", () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = { back: a };
    expect(() => canonicalJson(a)).toThrow(new TypeError("canonicalJson: the value contains a cycle"));
  });
});

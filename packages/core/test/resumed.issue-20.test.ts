/**
 * Issue 20: a call made on behalf of a durable job whose earlier attempt died (`ctx.resumed`)
 * must not do the write twice. A checkable write checks first; with an idempotency store, a key
 * still claimed by the dead attempt is taken over by a keyed write (the vendor dedupes) and ends
 * in UnknownOutcomeError for an unsafe one — which is then kept, so no later attempt sends it.
 */
import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createMemoryIdempotencyStore, defineOperation, UnknownOutcomeError } from "../src/index.js";
import { serveHandlers, type ServedHandlers } from "../src/testing/index.js";
import { acme, createWidget, sendWidget } from "./helpers.js";

let server: ServedHandlers;
const created = new Map<string, { id: string; name: string; size: number }>();
let sends = 0;
beforeAll(async () => {
  server = await serveHandlers([
    http.post("*/widgets/send", () => HttpResponse.json({ id: `sent-${(sends += 1)}` })),
    http.post("*/widgets", async ({ request }) => {
      // A vendor that dedupes on the key it was sent (like QuickBooks' requestid).
      const key = request.headers.get("idempotency-key")!;
      const body = (await request.json()) as { name: string; size: number };
      if (!created.has(key)) created.set(key, { id: `w-${created.size + 1}`, ...body });
      return HttpResponse.json(created.get(key));
    }),
    http.get("*/widgets", ({ request }) => {
      const ref = new URL(request.url).searchParams.get("ref");
      const found = [...created.values()].find((w) => w.name === ref);
      return HttpResponse.json({ items: found ? [found] : [] });
    }),
  ]);
});
afterEach(() => {
  server.requests.length = 0;
  created.clear();
  sends = 0;
});
afterAll(() => server.close());

const Widget = z.object({ id: z.string(), name: z.string(), size: z.number() });
// A write the vendor lets us look up afterwards by a reference we chose (DocuSign transactionId).
const createCheckable = defineOperation({
  id: "widgets.createCheckable",
  input: z.object({ name: z.string(), size: z.number() }),
  output: Widget,
  safety: "checkable",
  request: (input, ctx) => ({ method: "POST", path: "/widgets", headers: { "idempotency-key": ctx.idempotencyKey }, body: { json: input } }),
  check: async (input, ctx) => {
    const found = (await ctx.send({ method: "GET", path: "/widgets", query: { ref: input.name } })).body as { items: unknown[] };
    return found.items[0];
  },
});

describe("issue 20: resumed calls", () => {
  it("a resumed checkable write looks first and returns what the dead attempt created, sending nothing", async () => {
    const rt = acme(server.url);
    const before = await rt.run(createCheckable, { name: "draw-7", size: 3 }, { idempotencyKey: "job-1" });
    server.requests.length = 0;
    const resumed = await rt.run(createCheckable, { name: "draw-7", size: 3 }, { idempotencyKey: "job-1", resumed: true });
    expect(resumed).toEqual(before);
    expect(server.requests.map((r) => `${r.method} ${r.url.split("?")[0]}`)).toEqual(["GET /widgets"]);
    await rt.close();
  });

  it("without resumed, the same checkable write sends at once (no lookup on a first attempt)", async () => {
    const rt = acme(server.url);
    await rt.run(createCheckable, { name: "draw-8", size: 1 }, { idempotencyKey: "job-2" });
    expect(server.requests.map((r) => `${r.method} ${r.url.split("?")[0]}`)).toEqual(["POST /widgets"]);
    await rt.close();
  });

  it("an unsafe write whose key the dead attempt still holds is refused with UnknownOutcomeError, and stays refused", async () => {
    const store = createMemoryIdempotencyStore();
    // What the dead worker left: the key claimed (it got as far as sending), no outcome.
    expect(await store.begin("acme:widgets.send:job-3")).toEqual({ state: "new" });
    const rt = acme(server.url, { idempotencyStore: store });
    const refused = await rt.run(sendWidget, { name: "sms" }, { idempotencyKey: "job-3", resumed: true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UnknownOutcomeError);
    expect(refused).toMatchObject({ vendor: "acme", operation: "widgets.send", retryable: false });
    expect((refused as Error).message).toContain("did not record its outcome");
    // A later attempt, resumed or not, is refused too; nothing was sent.
    await expect(rt.run(sendWidget, { name: "sms" }, { idempotencyKey: "job-3" })).rejects.toBeInstanceOf(UnknownOutcomeError);
    expect(server.requests).toHaveLength(0);
    await rt.close();
  });

  it("an unsafe write resumed after a crash before it claimed its key is sent once", async () => {
    const rt = acme(server.url, { idempotencyStore: createMemoryIdempotencyStore() });
    await expect(rt.run(sendWidget, { name: "sms" }, { idempotencyKey: "job-4", resumed: true })).resolves.toEqual({ id: "sent-1" });
    expect(server.requests).toHaveLength(1);
    await rt.close();
  });

  it("a keyed write takes over the dead attempt's claim and the vendor's dedupe keeps one effect", async () => {
    const store = createMemoryIdempotencyStore();
    const rt = acme(server.url, { idempotencyStore: store });
    // The dead attempt reached the vendor (it created the widget) but never recorded the result.
    await acme(server.url).run(createWidget, { name: "invoice", size: 2, email: "ap@example.com" }, { idempotencyKey: "job-5" });
    expect(await store.begin("acme:widgets.create:job-5")).toEqual({ state: "new" });
    const out = await rt.run(createWidget, { name: "invoice", size: 2, email: "ap@example.com" }, { idempotencyKey: "job-5", resumed: true });
    expect(out).toEqual({ id: "w-1", name: "invoice", size: 2 });
    expect(created.size).toBe(1);
    // The result is now stored under the key: a repeat returns it without a request.
    server.requests.length = 0;
    await expect(rt.run(createWidget, { name: "invoice", size: 2, email: "ap@example.com" }, { idempotencyKey: "job-5" })).resolves.toEqual(out);
    expect(server.requests).toHaveLength(0);
    await rt.close();
  });
});

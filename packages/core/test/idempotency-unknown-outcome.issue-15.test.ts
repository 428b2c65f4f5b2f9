/**
 * Regression (issue 15): with an idempotency store, an unsafe write whose outcome is unknown (a
 * 5xx or a timeout after it may have reached the vendor) keeps its key, so a repeat of the same
 * logical call — a job retry, another worker — is refused instead of doing the write twice.
 */
import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMemoryDeadLetterSink, createMemoryIdempotencyStore, RateLimitedError, UnknownOutcomeError } from "../src/index.js";
import { delayed, rateLimited, scripted, serveHandlers, type ServedHandlers } from "../src/testing/index.js";
import { acme, sendWidget } from "./helpers.js";

let server: ServedHandlers;
let sent = 0;
beforeAll(async () => {
  server = await serveHandlers([
    http.post("*/widgets/send", () => {
      sent += 1;
      return HttpResponse.json({ id: `sent-${sent}` });
    }),
  ]);
});
afterEach(() => {
  server.resetHandlers();
  server.requests.length = 0;
  sent = 0;
});
afterAll(() => server.close());

describe("issue 15: an unknown outcome keeps its idempotency key", () => {
  it("a send that timed out after the vendor acted is not sent again by a repeat with the same key", async () => {
    // The vendor processes the first request but answers after the attempt timeout.
    server.use(
      http.post("*/widgets/send", async () => {
        sent += 1;
        await new Promise((r) => setTimeout(r, 150));
        return HttpResponse.json({ id: `sent-${sent}` });
      }, { once: true }),
    );
    const deadLetters = createMemoryDeadLetterSink();
    const rt = acme(server.url, { idempotencyStore: createMemoryIdempotencyStore(), deadLetters, policy: { retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 2, jitter: false }, timeout: { attemptMs: 40 } } });
    const first = await rt.run(sendWidget, { name: "reminder" }, { idempotencyKey: "job-7" }).catch((e: unknown) => e);
    const repeat = await rt.run(sendWidget, { name: "reminder" }, { idempotencyKey: "job-7" }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 150));

    expect(first).toBeInstanceOf(UnknownOutcomeError);
    expect(repeat).toBeInstanceOf(UnknownOutcomeError);
    expect(repeat).toMatchObject({ vendor: "acme", operation: "widgets.send", attempts: 0, retryable: false });
    expect((repeat as Error).message).toContain("an earlier call with this idempotency key may have reached acme");
    expect((repeat as Error).message).toContain("new idempotency key");
    expect(sent).toBe(1);
    expect(server.requests).toHaveLength(1);
    // The original is in the dead-letter sink once; the refused repeat adds nothing.
    expect((await deadLetters.list()).map((l) => (l.error as { name: string }).name)).toEqual(["UnknownOutcomeError"]);
    await rt.close();
  });

  it("after a 500 the repeat is refused too; a new key sends", async () => {
    server.use(scripted("post", "*/widgets/send", [500]).handler);
    const rt = acme(server.url, { idempotencyStore: createMemoryIdempotencyStore() });
    await expect(rt.run(sendWidget, { name: "x" }, { idempotencyKey: "k1" })).rejects.toBeInstanceOf(UnknownOutcomeError);
    await expect(rt.run(sendWidget, { name: "x" }, { idempotencyKey: "k1" })).rejects.toBeInstanceOf(UnknownOutcomeError);
    await expect(rt.run(sendWidget, { name: "x" }, { idempotencyKey: "k1-reconciled" })).resolves.toEqual({ id: "sent-1" });
    expect(server.requests).toHaveLength(2);
    await rt.close();
  });

  it("concurrent identical calls share the unknown outcome and make one request", async () => {
    server.use(http.post("*/widgets/send", delayed(30, () => HttpResponse.json({ errors: ["boom"] }, { status: 503 }))));
    const rt = acme(server.url, { idempotencyStore: createMemoryIdempotencyStore() });
    const results = await Promise.all(Array.from({ length: 5 }, () => rt.run(sendWidget, { name: "same" }).catch((e: unknown) => e)));
    expect(results.map((e) => (e as Error).name)).toEqual(Array.from({ length: 5 }, () => "UnknownOutcomeError"));
    expect(server.requests).toHaveLength(1);
    await rt.close();
  });

  it("a failure that provably never reached the vendor still releases the key", async () => {
    server.use(scripted("post", "*/widgets/send", [() => rateLimited(), () => rateLimited(), () => rateLimited()]).handler);
    const rt = acme(server.url, { idempotencyStore: createMemoryIdempotencyStore() });
    await expect(rt.run(sendWidget, { name: "y" }, { idempotencyKey: "k2" })).rejects.toBeInstanceOf(RateLimitedError);
    await expect(rt.run(sendWidget, { name: "y" }, { idempotencyKey: "k2" })).resolves.toEqual({ id: "sent-1" });
    await rt.close();
  });
});

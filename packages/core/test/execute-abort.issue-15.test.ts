/**
 * Regression (issue 15): an `execute` operation (an SDK client inside core's runtime) aborted by
 * the attempt timeout throws the SDK's own AbortError; the runtime reports the attempt timeout
 * (a retryable TimeoutError) instead of a non-retryable "unexpected failure".
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createMemoryDeadLetterSink, createRuntime, defineOperation, TimeoutError, UnknownOutcomeError } from "../src/index.js";

/** What an AWS-SDK-like client does with an AbortSignal: reject with its own error. */
function sdkCall(signal: AbortSignal | undefined, answerAfterMs: number): Promise<{ id: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve({ id: "job-1" }), answerAfterMs);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(Object.assign(new Error("Request aborted"), { name: "AbortError" }));
    });
  });
}

function runtimeWith(delays: number[]) {
  let call = 0;
  const op = (safety: "keyed" | "unsafe") =>
    defineOperation({
      id: "jobs.start",
      input: z.object({ name: z.string() }),
      output: z.object({ id: z.string() }),
      safety,
      execute: (_input, ctx) => sdkCall(ctx.signal, delays[call++] ?? 0),
    });
  const deadLetters = createMemoryDeadLetterSink();
  const rt = createRuntime({
    adapter: { id: "acme", version: "1.0.0" },
    policy: { retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 2, jitter: false }, timeout: { attemptMs: 30, totalMs: 5_000 } },
    deadLetters,
  });
  return { rt, op, deadLetters, calls: () => call };
}

describe("issue 15: execute operations aborted by the attempt timeout", () => {
  it("a keyed SDK call that hangs once is retried after a TimeoutError (phase attempt) and succeeds", async () => {
    const { rt, op, calls } = runtimeWith([1_000, 0]);
    await expect(rt.run(op("keyed"), { name: "survey" })).resolves.toEqual({ id: "job-1" });
    expect(calls()).toBe(2);
    await rt.close();
  });

  it("one that always hangs ends in TimeoutError after every attempt, in the dead-letter sink", async () => {
    const { rt, op, deadLetters, calls } = runtimeWith([1_000, 1_000, 1_000]);
    const error = await rt.run(op("keyed"), { name: "survey" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ phase: "attempt", retryable: true, attempts: 3, vendor: "acme", operation: "jobs.start" });
    expect(calls()).toBe(3);
    expect((await deadLetters.list()).map((l) => (l.error as { name: string }).name)).toEqual(["TimeoutError"]);
    await rt.close();
  });

  it("an unsafe SDK write that timed out is an UnknownOutcomeError, not retried", async () => {
    const { rt, op, calls } = runtimeWith([1_000, 0]);
    const error = await rt.run(op("unsafe"), { name: "survey" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).cause).toBeInstanceOf(TimeoutError);
    expect(calls()).toBe(1);
    await rt.close();
  });
});

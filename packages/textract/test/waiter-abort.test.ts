import { describe, expect, it, vi } from "vitest";
import { bodies, useTextract } from "./helpers.js";

describe("analyses.waitFor cancellation", () => {
  const t = useTextract({ inProgressPolls: 100 });

  it("stops at once when the signal aborts during the backoff sleep", async () => {
    const { jobId } = await t.client.analyses.start({ document: { bucket: "in-bucket", name: "surveys/lot14.pdf" }, features: ["FORMS"] });
    const controller = new AbortController();
    const started = Date.now();
    const waiting = t.client.analyses.waitFor(jobId, { signal: controller.signal }, { minDelayMs: 60_000 });
    // Abort once the first poll has been answered and the 60 s backoff sleep has begun (a fixed
    // 20 ms timer landed inside the first poll on a loaded machine).
    await vi.waitFor(() => expect(bodies(t.server, "GetDocumentAnalysis")).toHaveLength(1), { timeout: 5_000, interval: 10 });
    await new Promise((resolve) => setTimeout(resolve, 250));
    controller.abort(new Error("host shutting down"));
    const error = await waiting.catch((e: unknown) => e);
    expect((error as Error).message).toBe("host shutting down");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(bodies(t.server, "GetDocumentAnalysis")).toHaveLength(1);
  });
});

import { describe, expect, it } from "vitest";
import { bodies, useTextract } from "./helpers.js";

describe("analyses.waitFor cancellation", () => {
  const t = useTextract({ inProgressPolls: 100 });

  it("stops at once when the signal aborts during the backoff sleep", async () => {
    const { jobId } = await t.client.analyses.start({ document: { bucket: "in-bucket", name: "surveys/lot14.pdf" }, features: ["FORMS"] });
    const controller = new AbortController();
    const started = Date.now();
    const waiting = t.client.analyses.waitFor(jobId, { signal: controller.signal }, { minDelayMs: 60_000 });
    setTimeout(() => controller.abort(new Error("host shutting down")), 20);
    const error = await waiting.catch((e: unknown) => e);
    expect((error as Error).message).toBe("host shutting down");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(bodies(t.server, "GetDocumentAnalysis")).toHaveLength(1);
  });
});

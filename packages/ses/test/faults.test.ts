import { NetworkError, TimeoutError, UnknownOutcomeError } from "@connect/core";
import { serveHandlers } from "@connect/core/testing";
import { delay, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { createSesClient } from "../src/index.js";
import { createSesFake } from "../src/testing/index.js";
import { CREDENTIALS, rejection } from "./helpers.js";

const message = { from: "noreply@acme.test", to: "ana@example.com", subject: "s", text: "t" };

describe("timeouts and connection failures", () => {
  it("a send whose answer does not come within the attempt timeout ends in UnknownOutcomeError after one attempt; a read is retried", async () => {
    const fake = createSesFake({ credentials: CREDENTIALS });
    let stalls = 0;
    // The stalled answer (2.5 s) is far beyond the 800 ms attempt timeout.
    const stall = http.all("*/v2/email/*", async () => {
      if (stalls-- <= 0) return undefined;
      await delay(2_500);
      return HttpResponse.json({});
    });
    const server = await serveHandlers([stall, ...fake.handlers]);
    const client = createSesClient({ region: "us-east-1", endpoint: server.url, credentials: CREDENTIALS, policy: { retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 2, jitter: false }, limiter: false, breaker: false, timeout: { attemptMs: 800, totalMs: 10_000 } } });
    try {
      // Warm the SDK up first (credentials, signing, connection): on a loaded machine its first
      // request once took longer than the attempt timeout before anything was written.
      await client.account.get();
      stalls = 1;
      const error = await rejection(client.emails.send(message));
      expect(error).toBeInstanceOf(UnknownOutcomeError);
      expect(error).toMatchObject({ attempts: 1, vendor: "ses", operation: "emails.send" });
      expect((error as UnknownOutcomeError).cause).toBeInstanceOf(TimeoutError);
      expect(server.requests.filter((r) => r.url.endsWith("/outbound-emails"))).toHaveLength(1);
      stalls = 1;
      await expect(client.account.get()).resolves.toMatchObject({ sendingEnabled: true });
      expect(server.requests.filter((r) => r.url.endsWith("/v2/email/account"))).toHaveLength(3);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("a refused connection provably sent nothing: the send is retried and ends in NetworkError", async () => {
    const closed = await serveHandlers([]);
    const endpoint = closed.url;
    await closed.close();
    const client = createSesClient({ region: "us-east-1", endpoint, credentials: CREDENTIALS, policy: { retry: { attempts: 2, minDelayMs: 1, maxDelayMs: 2, jitter: false }, limiter: false, breaker: false } });
    try {
      const error = await rejection(client.emails.send(message));
      expect(error).toBeInstanceOf(NetworkError);
      expect(error).toMatchObject({ code: "ECONNREFUSED", mayHaveReachedVendor: false, attempts: 2 });
    } finally {
      await client.close();
    }
  });
});

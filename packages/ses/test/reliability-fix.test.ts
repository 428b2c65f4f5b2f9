/**
 * Found by the repository's fault matrix (test/reliability): a 2xx answer the SDK cannot parse,
 * and the SDK's connection timer, are typed so core's table applies to sends.
 */
import { createMemoryDeadLetterSink, IntegrationError, TimeoutError, UnknownOutcomeError } from "@connect/core";
import { malformedJson, scripted, serveHandlers } from "@connect/core/testing";
import { getResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { createSesClient, mapSesError } from "../src/index.js";
import { createSesFake } from "../src/testing/index.js";
import { CREDENTIALS, FAST_POLICY, rejection } from "./helpers.js";

const message = { from: "noreply@acme.test", to: "ana@example.com", subject: "s", text: "t" };

describe("unreadable answers and connection timeouts", () => {
  it("a send SES accepted (200) with an unreadable body ends in UnknownOutcomeError MALFORMED_RESPONSE, dead-lettered, after one request", async () => {
    const fake = createSesFake({ credentials: CREDENTIALS });
    const server = await serveHandlers(fake.handlers);
    server.use(scripted("post", "*/v2/email/outbound-emails", [() => malformedJson()]).handler);
    const deadLetters = createMemoryDeadLetterSink();
    const client = createSesClient({ region: "us-east-1", endpoint: server.url, credentials: CREDENTIALS, policy: FAST_POLICY, deadLetters });
    try {
      const error = await rejection(client.emails.send(message, { idempotencyKey: "k-1" }));
      expect(error).toBeInstanceOf(UnknownOutcomeError);
      expect(error).toMatchObject({ vendorCode: "MALFORMED_RESPONSE", status: 200, attempts: 1 });
      expect(server.requests.filter((r) => r.url.endsWith("/outbound-emails"))).toHaveLength(1);
      const letters = await deadLetters.list();
      expect(letters.map((l) => l.operation)).toEqual(["emails.send"]);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("a read with an unreadable 200 body is IntegrationError MALFORMED_RESPONSE, not retried", async () => {
    const fake = createSesFake({ credentials: CREDENTIALS });
    const server = await serveHandlers(fake.handlers);
    server.use(scripted("get", "*/v2/email/account", [() => malformedJson()]).handler);
    const client = createSesClient({ region: "us-east-1", endpoint: server.url, credentials: CREDENTIALS, policy: FAST_POLICY });
    try {
      const error = await rejection(client.account.get());
      expect(error).toBeInstanceOf(IntegrationError);
      expect(error).not.toBeInstanceOf(UnknownOutcomeError);
      expect(error).toMatchObject({ vendorCode: "MALFORMED_RESPONSE", status: 200, retryable: false });
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("the SDK's connection timeout is TimeoutError phase connect (never sent: mayHaveReachedVendor false)", () => {
    for (const text of [
      "@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 60 ms.",
      "Socket timed out without establishing a connection within 60 ms",
    ]) {
      const mapped = mapSesError(Object.assign(new Error(text), { name: "TimeoutError" }));
      expect(mapped).toBeInstanceOf(TimeoutError);
      expect(mapped).toMatchObject({ phase: "connect", mayHaveReachedVendor: false });
    }
    const read = mapSesError(Object.assign(new Error("socket hang up after 30000 ms"), { name: "TimeoutError" }));
    expect(read).toMatchObject({ phase: "attempt", mayHaveReachedVendor: true });
  });
});

describe("suppressions.delete after an attempt that may have reached SES", () => {
  it("SES removed the address but the answer came too late: the retry looks first and resolves, one DELETE sent", async () => {
    const fake = createSesFake({ credentials: CREDENTIALS });
    fake.suppressions.set("gone@example.com", { reason: "BOUNCE", lastUpdateTime: new Date() });
    let stalled = false;
    // The first DELETE is carried out by the fake, and its answer held back past the attempt timeout.
    const commitThenStall = http.delete("*/v2/email/suppression/addresses/:email", async ({ request }) => {
      if (stalled) return undefined;
      stalled = true;
      const answer = await getResponse(fake.handlers, request);
      await new Promise((resolve) => setTimeout(resolve, 600));
      return answer;
    });
    const server = await serveHandlers([commitThenStall, ...fake.handlers]);
    const client = createSesClient({ region: "us-east-1", endpoint: server.url, credentials: CREDENTIALS, policy: { ...FAST_POLICY, timeout: { attemptMs: 250, totalMs: 10_000 } } });
    try {
      await expect(client.suppressions.delete({ email: "gone@example.com" })).resolves.toEqual({});
      expect(fake.suppressions.has("gone@example.com")).toBe(false);
      expect(server.requests.filter((r) => r.method === "DELETE")).toHaveLength(1);
      expect(server.requests.filter((r) => r.method === "GET" && r.url.includes("/suppression/addresses/"))).toHaveLength(1);
      // A first call on an address that is not listed is still NotFoundError, as SES answers.
      await expect(client.suppressions.delete({ email: "never@example.com" })).rejects.toMatchObject({ name: "NotFoundError", status: 404 });
    } finally {
      await client.close();
      await server.close();
    }
  });
});

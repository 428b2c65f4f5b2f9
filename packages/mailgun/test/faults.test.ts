import {
  AuthError,
  ForbiddenError,
  IntegrationError,
  NotFoundError,
  RateLimitedError,
  ServerError,
  UnknownOutcomeError,
  ValidationError,
} from "@connect/core";
import { delayed } from "@connect/core/testing";
import { classifyMailgunError, createMailgunClient } from "@connect/mailgun";
import { http, HttpResponse } from "msw";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FAST_POLICY, FROM, rejection, setup, type Harness } from "./helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

const NOW = 1_800_000_000_000;
const MESSAGE = { from: FROM, to: "ana@example.com", subject: "Draw 3 approved", text: "Approved." };
const response = (status: number, body: unknown, headers: Record<string, string> = {}, rawText?: string) => ({ status, headers, body, requestId: undefined, rawText });

describe("classifyMailgunError", () => {
  it("400 → ValidationError with the parameter named in Mailgun's message as the issue path", () => {
    const error = classifyMailgunError(response(400, { message: "from parameter is missing" }), { operation: "messages.send" });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 400, vendor: "mailgun", operation: "messages.send", vendorMessage: "from parameter is missing", retryable: false });
    expect((error as ValidationError).issues).toEqual([{ path: "from", message: "from parameter is missing" }]);
    const quoted = classifyMailgunError(response(400, { message: "'recipient-variables' parameter is not a valid JSON" }));
    expect((quoted as ValidationError).issues[0]!.path).toBe("recipient-variables");
  });

  it("413 → ValidationError PAYLOAD_TOO_LARGE; webhook-config {Reason} bodies are read too", () => {
    const error = classifyMailgunError(response(413, { message: "request size exceeds 52.4MiB limit" }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 413, vendorCode: "PAYLOAD_TOO_LARGE", vendorMessage: "request size exceeds 52.4MiB limit" });
    expect(classifyMailgunError(response(400, { Reason: "url is invalid" })).vendorMessage).toBe("url is invalid");
  });

  it("401 with the plain-text body → AuthError naming the region to check", () => {
    const error = classifyMailgunError(response(401, undefined, {}, "Forbidden"), { operation: "bounces.list", region: "eu" });
    expect(error).toBeInstanceOf(AuthError);
    expect(error.vendorMessage).toBe("Forbidden");
    expect(error.message).toContain("region (eu)");
  });

  it("403, 404 (with the domain hint), 402", () => {
    expect(classifyMailgunError(response(403, { message: "Domain is not allowed to send large batches yet" }))).toBeInstanceOf(ForbiddenError);
    const notFound = classifyMailgunError(response(404, { message: "Domain not found: mg.other.test" }));
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect(notFound.message).toContain("check the domain name and the client's region");
    const failed = classifyMailgunError(response(402, { message: "Request failed" }));
    expect(failed.constructor).toBe(IntegrationError);
    expect(failed).toMatchObject({ status: 402, retryable: false });
  });

  it("429: the wait comes from Retry-After, retry-seconds, the text's seconds or date, then X-RateLimit-Reset", () => {
    const wait = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const error = classifyMailgunError(response(status, body, headers), { now: () => NOW });
      expect(error).toBeInstanceOf(RateLimitedError);
      expect(error.mayHaveReachedVendor).toBe(false);
      expect(error.retryable).toBe(true);
      return (error as RateLimitedError).retryAfterMs;
    };
    expect(wait(429, { message: "x" }, { "retry-after": "3" })).toBe(3000);
    expect(wait(429, { "retry-seconds": 60 })).toBe(60_000);
    expect(wait(429, { message: "Domain mg.acme.test is not allowed to send: recipient limit exceeded, try again after 120 seconds" })).toBe(120_000);
    const at = new Date(NOW + 90_000).toUTCString().replace("GMT", "+0000");
    expect(wait(429, { message: `Domain mg.acme.test is not allowed to send: bytes limit exceeded, try again after ${at}` })).toBe(90_000);
    expect(wait(429, { message: "slow down" }, { "x-ratelimit-reset": String(NOW / 1000 + 2.5) })).toBe(2500);
    expect(wait(429, { message: "slow down" })).toBeUndefined();
    // Reported with the same text as HTTP 420 (shared/vendors/mailgun.md §2).
    expect(wait(420, { message: "Domain mg.acme.test is not allowed to send: recipient limit exceeded, try again after 5 seconds" })).toBe(5000);
  });

  it("5xx → ServerError (500/502/503 retryable)", () => {
    for (const status of [500, 502, 503]) {
      const error = classifyMailgunError(response(status, { message: "Service Unavailable" }));
      expect(error).toBeInstanceOf(ServerError);
      expect(error).toMatchObject({ status, retryable: true, vendorMessage: "Service Unavailable" });
    }
  });
});

describe("createMailgunClient options", () => {
  it("refuses an unknown region or a domain that is not a domain name, before any request", () => {
    expect(() => createMailgunClient({ apiKey: "key-x", domain: "mg.acme.test", region: "toString" as never })).toThrow(/region must be "us" or "eu"/);
    expect(() => createMailgunClient({ apiKey: "key-x", domain: "mg.acme.test/../v3", region: "us" })).toThrow(/domain must be a domain name/);
    expect(() => createMailgunClient({ apiKey: " ", domain: "mg.acme.test", region: "us" })).toThrow(/apiKey is empty/);
  });
});

describe("errors end to end", () => {
  it("a wrong API key: AuthError 401 after one refresh-less attempt, vendorMessage Forbidden", async () => {
    const client = createMailgunClient({ apiKey: "key-wrong-0000", domain: h.fake.domainName, region: "us", baseUrl: h.server.url, policy: FAST_POLICY });
    const error = await rejection(client.bounces.list());
    await client.close();

    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 401, vendorMessage: "Forbidden", operation: "bounces.list" });
    // A literal key cannot be refreshed: one request, no retry.
    expect(h.server.requests).toHaveLength(1);
  });

  it("a domain the account does not have: NotFoundError with Mailgun's text", async () => {
    const client = createMailgunClient({ apiKey: h.fake.apiKey, domain: "mg.other.test", region: "us", baseUrl: h.server.url, policy: FAST_POLICY });
    const error = await rejection(client.messages.send(MESSAGE));
    await client.close();

    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, vendorMessage: "Domain not found: mg.other.test" });
  });

  it("403 → ForbiddenError, not retried", async () => {
    h.fake.failNext({ status: 403, body: { message: "Domain mg.acme.test is not allowed to send large batches yet" } });
    const error = await rejection(h.client.messages.send(MESSAGE));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect((error as ForbiddenError).vendorMessage).toBe("Domain mg.acme.test is not allowed to send large batches yet");
    expect(h.server.requests).toHaveLength(1);
  });

  it("a 429 is retried after the wait Mailgun names; the send then goes through once", async () => {
    h.fake.rateLimitNext({ retryAfterSeconds: 0.05, path: "/v3/mg.acme.test/messages" });
    const started = performance.now();
    const result = await h.client.messages.send(MESSAGE);

    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(h.server.requests).toHaveLength(2);
    expect(h.fake.messages).toHaveLength(1);
    expect(result.messageId).toBe(h.fake.messages[0]!.messageId);
  });

  it("a 500 on a send ends in UnknownOutcomeError after one attempt: Mailgun may have queued it", async () => {
    h.fake.failNext({ status: 500, path: "/v3/mg.acme.test/messages" });
    const error = await rejection(h.client.messages.send(MESSAGE));

    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).operation).toBe("messages.send");
    expect(h.server.requests).toHaveLength(1);
  });

  it("a send that times out after the request left ends in UnknownOutcomeError, not a second send", async () => {
    const client = createMailgunClient({ apiKey: h.fake.apiKey, domain: h.fake.domainName, region: "us", baseUrl: h.server.url, policy: { ...FAST_POLICY, timeout: { attemptMs: 250 } } });
    h.server.use(http.post("*/v3/mg.acme.test/messages", delayed(1500, () => HttpResponse.json({ id: "<late@mg.acme.test>", message: "Queued. Thank you." }))));
    const error = await rejection(client.messages.send(MESSAGE));
    await client.close();

    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(h.server.requests).toHaveLength(1);
  });

  it("unsafeRetryAmbiguousFailures: the host opts in to retrying a send after a 5xx", async () => {
    const client = createMailgunClient({ apiKey: h.fake.apiKey, domain: h.fake.domainName, region: "us", baseUrl: h.server.url, policy: FAST_POLICY, unsafeRetryAmbiguousFailures: true });
    h.fake.failNext({ status: 503, path: "/v3/mg.acme.test/messages" });
    const result = await client.messages.send(MESSAGE);
    await client.close();

    expect(h.server.requests).toHaveLength(2);
    expect(h.fake.messages).toHaveLength(1);
    expect(result.message).toBe("Queued. Thank you.");
  });

  it("reads are retried on 5xx: 503, 503, 200 succeeds; endless 503 ends in ServerError with the attempt count", async () => {
    h.fake.failNext({ status: 503, times: 2, path: "/v3/mg.acme.test/events" });
    const page = await h.client.events.list();
    expect(page.items).toEqual([]);
    expect(h.server.requests).toHaveLength(3);

    h.fake.failNext({ status: 502, times: 10, path: "/v3/mg.acme.test/bounces" });
    const error = await rejection(h.client.bounces.list());
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).attempts).toBe(3);
  });
});

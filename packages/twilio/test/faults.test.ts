import { createServer } from "node:net";
import { CircuitOpenError, createMemoryDeadLetterSink, NetworkError, RateLimitedError, ServerError, TimeoutError, UnknownOutcomeError } from "@connect/core";
import { always, delayed, scripted } from "@connect/core/testing";
import { classifyTwilioError, createTwilioClient } from "@connect/twilio";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { http, HttpResponse } from "msw";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BORROWER, FAST_POLICY, rejection, SENDER, setup, type Harness } from "./helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

const MESSAGES = "*/2010-04-01/Accounts/:account/Messages.json";
const message = { to: BORROWER, from: SENDER, body: "Reply CONFIRM to acknowledge" };

function twilio500(): Response {
  return HttpResponse.json({ code: 20500, message: "An internal server error has occurred", more_info: "https://www.twilio.com/docs/errors/20500", status: 500 }, { status: 500 });
}

describe("validation before I/O", () => {
  it("a send with an invalid number makes no HTTP request, is not retried and does not count against the breaker", async () => {
    const deadLetters = createMemoryDeadLetterSink();
    const client = createTwilioClient({ accountSid: h.fake.accountSid, auth: { authToken: h.fake.authToken }, baseUrl: h.server.url, policy: { ...FAST_POLICY, breaker: { failureThreshold: 1, successThreshold: 1, resetTimeoutMs: 60_000 } }, deadLetters });
    for (const to of ["+1 415 555 01", "555-0100", "+999 1234"]) {
      const error = await rejection(client.messages.send({ ...message, to }));
      expect(error).toMatchObject({ name: "ValidationError", operation: "messages.send", retryable: false });
    }
    const sent = await client.messages.send(message);
    await client.close();
    expect(h.server.requests.map((r) => r.method)).toEqual(["POST"]);
    expect(sent.to).toBe(BORROWER);
    expect(await deadLetters.list()).toEqual([]);
  });
});

describe("rate limits (20429)", () => {
  it("429 then success: the send is retried (a 429 was never processed) and exactly one message exists", async () => {
    h.fake.rateLimitNext({ path: "/Messages.json" });
    const sent = await h.client.messages.send(message);

    expect(h.server.requests.map((r) => r.method)).toEqual(["POST", "POST"]);
    expect(h.fake.messages).toHaveLength(1);
    expect(sent.sid).toBe(h.fake.messages[0]!.sid);
  });

  it("429 on every attempt ends in RateLimitedError after the configured attempts, with mayHaveReachedVendor false", async () => {
    h.fake.rateLimitNext({ times: 10 });
    const error = await rejection(h.client.messages.send(message));

    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ vendorCode: "20429", status: 429, attempts: 3, mayHaveReachedVendor: false, retryable: true });
    expect(h.fake.messages).toHaveLength(0);
  });

  it("a Retry-After on the 429 becomes retryAfterMs (the wait core's retry honours)", () => {
    const error = classifyTwilioError(
      { status: 429, headers: { "retry-after": "2" }, body: { code: 20429, message: "Too Many Requests", status: 429 }, requestId: "RQ1" },
      { operation: "messages.send" },
    );
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 2000, vendorCode: "20429", requestId: "RQ1", operation: "messages.send", mayHaveReachedVendor: false });
  });
});

describe("server errors and the retry-safety rule", () => {
  it("a 500 on send is an UnknownOutcomeError after one attempt (never a second SMS), and lands in the dead-letter sink", async () => {
    const deadLetters = createMemoryDeadLetterSink();
    const client = createTwilioClient({ accountSid: h.fake.accountSid, auth: { authToken: h.fake.authToken }, baseUrl: h.server.url, policy: FAST_POLICY, deadLetters });
    h.fake.failNext({ code: 20500, times: 5 });
    const error = await rejection(client.messages.send(message, { correlationId: "corr-1" }));
    await client.close();

    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ vendorCode: "20500", status: 500, attempts: 1, operation: "messages.send", correlationId: "corr-1" });
    expect((error as UnknownOutcomeError).cause).toBeInstanceOf(ServerError);
    expect(h.server.requests).toHaveLength(1);
    const letters = await deadLetters.list();
    expect(letters.map((l) => [l.operation, l.correlationId, (l.error as { name: string }).name])).toEqual([["messages.send", "corr-1", "UnknownOutcomeError"]]);
    expect(letters[0]!.payload).toEqual(message);
  });

  it("a timeout on send is an UnknownOutcomeError: the request may have been processed", async () => {
    h.server.use(http.post(MESSAGES, delayed(200, () => HttpResponse.json({}, { status: 201 }))));
    const client = createTwilioClient({ accountSid: h.fake.accountSid, auth: { authToken: h.fake.authToken }, baseUrl: h.server.url, policy: { ...FAST_POLICY, timeout: { attemptMs: 30 } } });
    const error = await rejection(client.messages.send(message));
    await client.close();

    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as UnknownOutcomeError).cause).toBeInstanceOf(TimeoutError);
    expect(h.server.requests).toHaveLength(1);
  });

  it("reads are retried: 500, 500, then the message", async () => {
    const sent = await h.client.messages.send(message);
    const fault = scripted("get", "*/2010-04-01/Accounts/:account/Messages/:sid", [twilio500(), twilio500()]);
    h.server.use(fault.handler);
    const fetched = await h.client.messages.get({ sid: sent.sid });
    expect(fetched.sid).toBe(sent.sid);
    expect(fault.calls).toBe(2);
  });

  it("unsafeRetryAmbiguousFailures opts in to retrying sends after a 500", async () => {
    const client = createTwilioClient({ accountSid: h.fake.accountSid, auth: { authToken: h.fake.authToken }, baseUrl: h.server.url, policy: FAST_POLICY, unsafeRetryAmbiguousFailures: true });
    h.fake.failNext({ code: 20500 });
    const sent = await client.messages.send(message);
    await client.close();
    expect(h.server.requests).toHaveLength(2);
    expect(sent.sid).toBe(h.fake.messages[0]!.sid);
  });
});

describe("circuit breaker", () => {
  const BREAKER = { failureThreshold: 3, successThreshold: 1, resetTimeoutMs: 60_000 };

  it("500s on reads open the breaker; the next calls fail with CircuitOpenError and send nothing", async () => {
    const client = createTwilioClient({ accountSid: h.fake.accountSid, auth: { authToken: h.fake.authToken }, baseUrl: h.server.url, policy: { ...FAST_POLICY, breaker: BREAKER } });
    const fault = always("get", "*/2010-04-01/Accounts/:account/Messages/:sid", twilio500());
    h.server.use(fault.handler);
    const sid = "SM" + "a".repeat(32);

    const first = await rejection(client.messages.get({ sid }));
    // Three attempts failed: the retries are used up, and that was the breaker's threshold.
    expect(first).toBeInstanceOf(ServerError);
    expect(first).toMatchObject({ vendorCode: "20500", attempts: 3 });
    expect(fault.calls).toBe(3);
    const second = await rejection(client.messages.get({ sid }));
    const send = await rejection(client.messages.send(message));
    expect(second).toBeInstanceOf(CircuitOpenError);
    expect(send).toBeInstanceOf(CircuitOpenError);
    expect((send as CircuitOpenError).mayHaveReachedVendor).toBe(false);
    expect(fault.calls).toBe(3);
    expect(h.server.requests).toHaveLength(3);
    expect(h.fake.messages).toHaveLength(0);
    const health = await client.healthCheck();
    expect(health).toMatchObject({ status: "unhealthy", breaker: "open" });
    await client.close();
  });

  it("sends that keep getting 500s open it too: each is an UnknownOutcomeError until the breaker refuses without a request", async () => {
    const client = createTwilioClient({ accountSid: h.fake.accountSid, auth: { authToken: h.fake.authToken }, baseUrl: h.server.url, policy: { ...FAST_POLICY, breaker: BREAKER } });
    h.server.use(always("post", MESSAGES, twilio500()).handler);
    const errors: unknown[] = [];
    for (let i = 0; i < 5; i += 1) errors.push(await rejection(client.messages.send(message)));
    await client.close();

    expect(errors.map((e) => (e as Error).name)).toEqual(["UnknownOutcomeError", "UnknownOutcomeError", "UnknownOutcomeError", "CircuitOpenError", "CircuitOpenError"]);
    expect(h.server.requests).toHaveLength(3);
  });

  it("4xx answers never trip it", async () => {
    const client = createTwilioClient({ accountSid: h.fake.accountSid, auth: { authToken: h.fake.authToken }, baseUrl: h.server.url, policy: { ...FAST_POLICY, breaker: BREAKER } });
    for (let i = 0; i < 5; i += 1) await rejection(client.messages.send({ ...message, to: "+15005550001" }));
    const sent = await client.messages.send(message);
    await client.close();
    expect(sent.status).toBe("queued");
  });
});

describe("network errors", () => {
  it("a refused connection provably never sent the SMS, so the send is retried and then reports NetworkError", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const address = probe.address() as { port: number };
        probe.close(() => resolve(address.port));
      });
    });
    const client = createTwilioClient({ accountSid: h.fake.accountSid, auth: { authToken: h.fake.authToken }, baseUrl: `http://127.0.0.1:${port}`, policy: FAST_POLICY });
    const error = await rejection(client.messages.send(message));
    await client.close();

    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: "ECONNREFUSED", attempts: 3, mayHaveReachedVendor: false });
  });

  it("a reset connection after sending is an unknown outcome", async () => {
    const { connectionReset } = await import("@connect/core/testing");
    h.server.use(http.post(MESSAGES, () => connectionReset()));
    const error = await rejection(h.client.messages.send(message));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(h.server.requests).toHaveLength(1);
  });
});

describe("secrets", () => {
  it("the Auth Token never reaches errors, log lines or dead letters, even when Twilio echoes it", async () => {
    const token = h.fake.authToken;
    const lines: unknown[] = [];
    const log = (obj: Record<string, unknown>, msg?: string) => lines.push({ obj, msg });
    const deadLetters = createMemoryDeadLetterSink();
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const client = createTwilioClient({
      accountSid: h.fake.accountSid,
      auth: { authToken: token },
      baseUrl: h.server.url,
      policy: FAST_POLICY,
      telemetry: { logger: { debug: log, info: log, warn: log, error: log }, tracerProvider },
      deadLetters,
    });
    h.server.use(http.post(MESSAGES, () => HttpResponse.json({ code: 20500, message: `echo ${token}`, status: 500 }, { status: 500 })));
    const error = await rejection(client.messages.send(message));
    await client.close();

    expect(error).toBeInstanceOf(UnknownOutcomeError);
    const letters = await deadLetters.list();
    expect(letters).toHaveLength(1);
    expect(lines.length).toBeGreaterThan(0);
    const basic = Buffer.from(`${h.fake.accountSid}:${token}`).toString("base64");
    const spans = exporter.getFinishedSpans().map((span) => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status }));
    expect(spans.map((span) => span.name)).toEqual(["twilio.messages.send"]);
    for (const text of [JSON.stringify((error as UnknownOutcomeError).toJSON()), (error as Error).message, String(((error as Error).cause as Error).message), JSON.stringify(lines), JSON.stringify(letters), JSON.stringify(spans)]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(basic);
    }
    expect(JSON.stringify(((error as Error).cause as ServerError).toJSON())).toContain("echo [REDACTED]");
  });
});

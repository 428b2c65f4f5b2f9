import { spawn, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  AuthError,
  ConflictError,
  ContractDriftError,
  defineOperation,
  ForbiddenError,
  IntegrationError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  ServerError,
  TimeoutError,
  ValidationError,
} from "../src/index.js";
import { connectionReset, malformedJson, resetMidBody, serveHandlers, stalledBody, type ServedHandlers } from "../src/testing/index.js";
import { acme, createWidget, getWidget, sendWidget, Widget, widgetFile, widgetXml } from "./helpers.js";

const handlers = [
  http.get("*/widgets/:id", ({ params }) =>
    HttpResponse.json({ id: params.id, name: "bolt", size: 3 }, { headers: { "x-request-id": "req-1" } }),
  ),
  http.post("*/widgets", async ({ request }) => {
    const body = (await request.json()) as { name: string; size: number };
    return HttpResponse.json({ id: "w-new", name: body.name, size: body.size }, { status: 201 });
  }),
  http.post("*/widgets/send", async ({ request }) => HttpResponse.json({ id: new URLSearchParams(await request.text()).get("name") })),
  http.post("*/widgets/xml", async ({ request }) => {
    const text = await request.text();
    return new HttpResponse(`<ok id="${/id="([^"]+)"/.exec(text)?.[1]}"/>`, { headers: { "content-type": "application/xml" } });
  }),
  http.get("*/widgets/:id/file", () => new HttpResponse(new Uint8Array([0, 1, 2, 255]), { headers: { "content-type": "application/pdf" } })),
];

let server: ServedHandlers;
beforeAll(async () => {
  server = await serveHandlers(handlers);
});
afterEach(() => {
  server.resetHandlers();
  server.requests.length = 0;
});
afterAll(() => server.close());

describe("bodies through the real transport", () => {
  it("reads JSON and captures the vendor request id", async () => {
    const rt = acme(server.url);
    await expect(rt.run(getWidget, { id: "w1" })).resolves.toEqual({ id: "w1", name: "bolt", size: 3 });
    expect(server.requests[0]).toMatchObject({ method: "GET", url: "/widgets/w1" });
    expect(server.requests[0]!.headers.accept).toBe("application/json");
    await rt.close();
  });

  it("sends JSON with the idempotency key header", async () => {
    const rt = acme(server.url);
    const out = await rt.run(createWidget, { name: "nut", size: 2, email: "a@b.co" }, { idempotencyKey: "key-1" });
    expect(out).toEqual({ id: "w-new", name: "nut", size: 2 });
    expect(JSON.parse(server.requests[0]!.text)).toEqual({ name: "nut", size: 2, email: "a@b.co" });
    expect(server.requests[0]!.headers["content-type"]).toBe("application/json");
    expect(server.requests[0]!.headers["idempotency-key"]).toBe("key-1");
    await rt.close();
  });

  it("sends form-urlencoded bodies", async () => {
    const rt = acme(server.url);
    await expect(rt.run(sendWidget, { name: "a b&c" })).resolves.toEqual({ id: "a b&c" });
    expect(server.requests[0]!.text).toBe("name=a+b%26c");
    expect(server.requests[0]!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    await rt.close();
  });

  it("sends XML and hands the XML text to the operation", async () => {
    const rt = acme(server.url);
    await expect(rt.run(widgetXml, { id: "x9" })).resolves.toEqual({ id: "x9" });
    expect(server.requests[0]!.headers["content-type"]).toBe("application/xml");
    await rt.close();
  });

  it("reads binary bodies byte for byte", async () => {
    const rt = acme(server.url);
    const out = await rt.run(widgetFile, { id: "f" });
    expect([...out]).toEqual([0, 1, 2, 255]);
    await rt.close();
  });
});

describe("error classification table", () => {
  const rows: Array<[number, new (...args: never[]) => IntegrationError, boolean]> = [
    [400, ValidationError, false],
    [401, AuthError, false],
    [403, ForbiddenError, false],
    [404, NotFoundError, false],
    [408, TimeoutError, true],
    [409, ConflictError, false],
    [422, ValidationError, false],
    [429, RateLimitedError, true],
    [500, ServerError, true],
    [502, ServerError, true],
    [503, ServerError, true],
    [504, TimeoutError, true],
  ];
  it.each(rows)("HTTP %i → %o (retryable %s)", async (status, Class, retryable) => {
    server.use(
      http.get("*/widgets/:id", () =>
        HttpResponse.json({ message: `boom ${status}`, code: `E${status}` }, { status, headers: { "x-request-id": `r-${status}` } }),
      ),
    );
    const rt = acme(server.url, { policy: { retry: false } });
    const error = await rt.run(getWidget, { id: "w1" }, { correlationId: "corr-1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Class);
    expect(error).toMatchObject({
      name: Class.name,
      status,
      retryable,
      vendor: "acme",
      operation: "widgets.get",
      vendorCode: `E${status}`,
      vendorMessage: `boom ${status}`,
      requestId: `r-${status}`,
      correlationId: "corr-1",
      attempts: 1,
    });
    await rt.close();
  });

  it("keeps the vendor's error body for an operation that reads no response body (responseType none)", async () => {
    const deleteWidget = defineOperation({
      id: "widgets.delete",
      input: z.object({ id: z.string() }),
      output: z.undefined(),
      idempotent: true,
      request: ({ id }) => ({ method: "DELETE", path: `/widgets/${id}`, responseType: "none" }),
    });
    server.use(
      http.delete("*/widgets/:id", ({ params }) =>
        params.id === "gone" ? HttpResponse.json({ message: "no widget gone", code: "E404" }, { status: 404 }) : new HttpResponse(null, { status: 204 }),
      ),
    );
    const rt = acme(server.url, { policy: { retry: false } });
    await expect(rt.run(deleteWidget, { id: "w1" })).resolves.toBeUndefined();
    const error = await rt.run(deleteWidget, { id: "gone" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, vendorCode: "E404", vendorMessage: "no widget gone" });
    await rt.close();
  });

  it("parses Retry-After as seconds and as an HTTP date", async () => {
    server.use(http.get("*/widgets/:id", () => HttpResponse.json({}, { status: 429, headers: { "retry-after": "7" } })));
    const rt = acme(server.url, { policy: { retry: false } });
    const error = (await rt.run(getWidget, { id: "w1" }).catch((e: unknown) => e)) as RateLimitedError;
    expect(error.retryAfterMs).toBe(7000);
    server.resetHandlers();
    const date = new Date(Date.now() + 30_000).toUTCString();
    server.use(http.get("*/widgets/:id", () => HttpResponse.json({}, { status: 429, headers: { "retry-after": date } })));
    const dated = (await rt.run(getWidget, { id: "w1" }).catch((e: unknown) => e)) as RateLimitedError;
    expect(dated.retryAfterMs).toBeGreaterThan(25_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(30_000);
    await rt.close();
  });
});

describe("transport failures", () => {
  it("times out when the body stalls (body timeout)", async () => {
    server.use(http.get("*/widgets/:id", () => stalledBody(2_000)));
    const rt = acme(server.url, { policy: { retry: false }, transport: { bodyTimeoutMs: 100 } });
    const error = await rt.run(getWidget, { id: "w1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ phase: "body", timeoutMs: 100, retryable: true, mayHaveReachedVendor: true, vendor: "acme" });
    await rt.close();
  });

  it("aborts when the caller's signal fires, without retrying", async () => {
    server.use(http.get("*/widgets/:id", () => stalledBody(2_000)));
    const rt = acme(server.url);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("user left")), 50);
    const error = await rt.run(getWidget, { id: "w1" }, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ vendorCode: "ABORTED", retryable: false });
    expect((error as Error).message).toContain("user left");
    expect(server.requests).toHaveLength(1);
    await rt.close();
  });

  it("refuses a response larger than the cap", async () => {
    server.use(http.get("*/widgets/:id", () => HttpResponse.json({ id: "w", name: "x".repeat(5000), size: 1 })));
    const rt = acme(server.url, { policy: { retry: false }, transport: { maxResponseBytes: 1024 } });
    const error = await rt.run(getWidget, { id: "w1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ vendorCode: "RESPONSE_TOO_LARGE", retryable: false, status: 200 });
    await rt.close();
  });

  it("reports a connection reset before any response as a NetworkError", async () => {
    server.use(http.get("*/widgets/:id", () => connectionReset()));
    const rt = acme(server.url, { policy: { retry: false } });
    const error = await rt.run(getWidget, { id: "w1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ retryable: true, mayHaveReachedVendor: true, vendor: "acme" });
    await rt.close();
  });

  it("reports a reset in the middle of the body as a NetworkError", async () => {
    server.use(http.get("*/widgets/:id", () => resetMidBody()));
    const rt = acme(server.url, { policy: { retry: false } });
    const error = await rt.run(getWidget, { id: "w1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ retryable: true, mayHaveReachedVendor: true });
    await rt.close();
  });

  it("reports malformed JSON as a non-retryable error with the status", async () => {
    server.use(http.get("*/widgets/:id", () => malformedJson()));
    const rt = acme(server.url, { policy: { retry: false } });
    const error = await rt.run(getWidget, { id: "w1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ vendorCode: "MALFORMED_RESPONSE", status: 200, retryable: false });
    await rt.close();
  });

  it("a write the vendor accepted (2xx) with an unreadable answer is an unknown outcome, dead-lettered, its key kept", async () => {
    const { createMemoryDeadLetterSink, createMemoryIdempotencyStore, UnknownOutcomeError } = await import("../src/index.js");
    server.use(http.post("*/widgets/send", () => malformedJson(201)));
    const deadLetters = createMemoryDeadLetterSink();
    const rt = acme(server.url, { deadLetters, idempotencyStore: createMemoryIdempotencyStore() });
    const error = await rt.run(sendWidget, { name: "bolt" }, { idempotencyKey: "send-1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ status: 201, vendorCode: "MALFORMED_RESPONSE", attempts: 1, mayHaveReachedVendor: true });
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect((await deadLetters.list()).map((l) => [l.operation, (l.error as { name: string }).name])).toEqual([["widgets.send", "UnknownOutcomeError"]]);
    // The same logical call again is refused without a second request.
    await expect(rt.run(sendWidget, { name: "bolt" }, { idempotencyKey: "send-1" })).rejects.toBeInstanceOf(UnknownOutcomeError);
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    await rt.close();
  });

  it("reports a refused connection as never having reached the vendor", async () => {
    const closed = await serveHandlers([]);
    const url = closed.url;
    await closed.close();
    const rt = acme(url, { policy: { retry: false } });
    const error = await rt.run(getWidget, { id: "w1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: "ECONNREFUSED", mayHaveReachedVendor: false, retryable: true });
    await rt.close();
  });

  describe("connect timeout", () => {
    // A listener whose accept queue is full: the kernel drops further SYNs, so connect hangs.
    let child: ChildProcess;
    let port: number;
    const fillers: Socket[] = [];
    beforeAll(async () => {
      child = spawn(process.execPath, [
        "-e",
        `const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>{console.log(s.address().port);setTimeout(()=>Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,20000),50)});`,
      ]);
      port = await new Promise<number>((resolve) => child.stdout!.once("data", (d: Buffer) => resolve(Number(String(d).trim()))));
      await new Promise((r) => setTimeout(r, 150));
      for (let i = 0; i < 4; i += 1) {
        const socket = connect({ port, host: "127.0.0.1" });
        socket.on("error", () => undefined);
        fillers.push(socket);
      }
      await new Promise((r) => setTimeout(r, 200));
    });
    afterAll(() => {
      for (const s of fillers) s.destroy();
      child.kill("SIGKILL");
    });
    it("fails with TimeoutError phase connect, marked as never sent", async () => {
      const rt = acme(`http://127.0.0.1:${port}`, { policy: { retry: false }, transport: { connectTimeoutMs: 200 } });
      const error = await rt.run(getWidget, { id: "w1" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ phase: "connect", timeoutMs: 200, retryable: true, mayHaveReachedVendor: false });
      await rt.close();
    });
  });
});

describe("input validation", () => {
  it("lists every bad field and sends nothing", async () => {
    const rt = acme(server.url);
    const error = await rt.run(createWidget, { name: "x", size: -1, email: "nope" } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues.map((i) => i.path).sort();
    expect(issues).toEqual(["email", "name", "size"]);
    expect(error).toMatchObject({ vendor: "acme", operation: "widgets.create", retryable: false });
    expect(server.requests).toHaveLength(0);
    await rt.close();
  });
});

describe("contract drift", () => {
  const drifted = () => server.use(http.get("*/widgets/:id", () => HttpResponse.json({ id: "w1", name: "bolt", size: "3" })));

  it("warn mode returns the data, logs once per operation and counts", async () => {
    drifted();
    const lines: Array<{ obj: Record<string, unknown>; msg?: string }> = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (obj: Record<string, unknown>, msg?: string) => lines.push({ obj, msg }) };
    const rt = acme(server.url, { telemetry: { logger } });
    await expect(rt.run(getWidget, { id: "w1" })).resolves.toEqual({ id: "w1", name: "bolt", size: "3" });
    await rt.run(getWidget, { id: "w1" });
    const driftLines = lines.filter((l) => l.msg?.includes("drift"));
    expect(driftLines).toHaveLength(1);
    expect(driftLines[0]!.obj).toMatchObject({ operation: "widgets.get", issues: [{ path: "size" }] });
    await rt.close();
  });

  it("strict mode throws ContractDriftError naming the field", async () => {
    drifted();
    const rt = acme(server.url, { drift: "strict" });
    const error = await rt.run(getWidget, { id: "w1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractDriftError);
    expect(error).toMatchObject({ vendor: "acme", operation: "widgets.get", retryable: false, issues: [{ path: "size", code: "invalid_type" }] });
    await rt.close();
  });
});

describe("operation shape", () => {
  it("satisfies the single-operation adapter shape: execute, validate, transform, healthCheck", async () => {
    const rt = acme(server.url, { healthCheck: (r) => r.run(getWidget, { id: "health" }) });
    const op = rt.bind(getWidget);
    expect(op.validate({ id: "a" })).toEqual({ id: "a" });
    expect(() => op.validate({ id: "" })).toThrow(ValidationError);
    expect(op.transform({ id: "a", name: "n", size: 1 })).toEqual({ id: "a", name: "n", size: 1 });
    await expect(op.execute({ id: "z" })).resolves.toEqual({ id: "z", name: "bolt", size: 3 });
    await expect(op.healthCheck()).resolves.toMatchObject({ status: "healthy" });
    expect(Widget.safeParse(await op({ id: "q" })).success).toBe(true);
    await rt.close();
  });

  it("rejects a declaration without request or execute", () => {
    expect(() => defineOperation({ id: "x", input: z.object({}), output: z.object({}) })).toThrow(/request builder or an execute/);
  });
});

describe("createTransport: a request aborted before it is written", () => {
  it("rejects with the abort's TimeoutError marked as never having reached the vendor, and sends nothing", async () => {
    const { createTransport } = await import("../src/http.js");
    const served = await serveHandlers(handlers);
    const transport = createTransport(served.url);
    const controller = new AbortController();
    controller.abort(new TimeoutError("attempt 1 exceeded 40 ms", { phase: "attempt", timeoutMs: 40 }));
    const error = await transport.send({ method: "POST", path: "/widgets", body: { json: { name: "x", size: 1 } } }, controller.signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ phase: "attempt", timeoutMs: 40, mayHaveReachedVendor: false, retryable: true, message: "attempt 1 exceeded 40 ms (before the request was sent)" });
    expect(served.requests).toHaveLength(0);
    await transport.close();
    await served.close();
  });

  it("refuses a request after close with a typed, non-retryable error", async () => {
    const { createTransport } = await import("../src/http.js");
    const transport = createTransport("http://127.0.0.1:9");
    await transport.close();
    await expect(transport.send({ method: "GET", path: "/widgets/1" })).rejects.toMatchObject({ name: "IntegrationError", vendorCode: "TRANSPORT_CLOSED", retryable: false });
  });
});

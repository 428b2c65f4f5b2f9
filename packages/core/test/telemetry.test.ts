import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { bearerAuth, defineOperation, IntegrationError, registerSecret } from "../src/index.js";
import { scripted, serveHandlers, type ServedHandlers } from "../src/testing/index.js";
import { acme, createWidget, getWidget } from "./helpers.js";

let server: ServedHandlers;
beforeAll(async () => {
  server = await serveHandlers([
    http.get("*/widgets/:id", ({ params }) => HttpResponse.json({ id: params.id, name: "bolt", size: 3 })),
    http.post("*/widgets", () => HttpResponse.json({ id: "w-new", name: "nut", size: 2 }, { status: 201 })),
    // A vendor that echoes the credentials it received back in its error body.
    http.get("*/echo", ({ request }) =>
      HttpResponse.json(
        { message: `invalid credentials: ${request.headers.get("authorization")} (api_key=${request.headers.get("x-api-key")})` },
        { status: 403 },
      ),
    ),
  ]);
});
afterAll(() => server.close());

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider };
}

function metering() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    async collect(): Promise<Map<string, Array<{ attributes: Record<string, unknown>; value: unknown }>>> {
      await reader.forceFlush();
      const out = new Map<string, Array<{ attributes: Record<string, unknown>; value: unknown }>>();
      const batches: ResourceMetrics[] = exporter.getMetrics();
      for (const metric of batches.at(-1)?.scopeMetrics.flatMap((s) => s.metrics) ?? []) {
        out.set(
          metric.descriptor.name,
          metric.dataPoints.map((p) => ({ attributes: p.attributes as Record<string, unknown>, value: p.value })),
        );
      }
      return out;
    },
  };
}

describe("spans", () => {
  it("one CLIENT span per operation named <vendor>.<operation> with HTTP and connect attributes and retry events", async () => {
    const { exporter, provider } = tracing();
    server.use(scripted("post", "*/widgets", [503]).handler);
    const rt = acme(server.url, { telemetry: { tracerProvider: provider } });
    await rt.run(createWidget, { name: "nut", size: 2, email: "a@b.co" }, { correlationId: "corr-42", tenantId: "tenant-a" });
    server.resetHandlers();
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span.name).toBe("acme.widgets.create");
    expect(span.kind).toBe(2); // SpanKind.CLIENT
    expect(span.attributes).toMatchObject({
      "connect.adapter.id": "acme",
      "connect.adapter.version": "1.2.3",
      "connect.operation": "widgets.create",
      "connect.attempt": 2,
      "connect.correlation_id": "corr-42",
      "connect.tenant_id": "tenant-a",
      "http.response.status_code": 201,
      "server.address": "127.0.0.1",
    });
    expect(span.events.map((e) => e.name)).toEqual(["retry"]);
    expect(span.events[0]!.attributes).toMatchObject({ "connect.attempt": 1, "error.type": "ServerError", "http.response.status_code": 503 });
    expect(span.status.code).toBe(1); // OK
    await rt.close();
  });

  it("a failed call ends its span with ERROR status and error.type", async () => {
    const { exporter, provider } = tracing();
    server.use(scripted("get", "*/widgets/:id", [404]).handler);
    const rt = acme(server.url, { telemetry: { tracerProvider: provider } });
    await rt.run(getWidget, { id: "nope" }).catch(() => undefined);
    server.resetHandlers();
    const span = exporter.getFinishedSpans()[0]!;
    expect(span.status.code).toBe(2);
    expect(span.attributes["error.type"]).toBe("NotFoundError");
    await rt.close();
  });
});

describe("metrics", () => {
  it("counts requests and retries and records durations by vendor, operation and outcome", async () => {
    const metrics = metering();
    server.use(scripted("get", "*/widgets/:id", [503]).handler);
    const rt = acme(server.url, {
      telemetry: { meterProvider: metrics.provider },
      policy: { breaker: { failureThreshold: 5, successThreshold: 1, resetTimeoutMs: 1000 } },
    });
    await rt.run(getWidget, { id: "a" });
    server.resetHandlers();
    server.use(scripted("get", "*/widgets/:id", [404]).handler);
    await rt.run(getWidget, { id: "b" }).catch(() => undefined);
    server.resetHandlers();
    const data = await metrics.collect();
    const requests = data.get("connect.client.requests")!;
    expect(requests).toEqual(
      expect.arrayContaining([
        { attributes: { "connect.adapter.id": "acme", "connect.operation": "widgets.get", outcome: "success" }, value: 1 },
        { attributes: { "connect.adapter.id": "acme", "connect.operation": "widgets.get", outcome: "error", "error.type": "NotFoundError" }, value: 1 },
      ]),
    );
    expect(data.get("connect.client.retries")).toEqual([
      { attributes: { "connect.adapter.id": "acme", "connect.operation": "widgets.get", "error.type": "ServerError" }, value: 1 },
    ]);
    const durations = data.get("connect.client.duration")!;
    expect(durations.map((d) => (d.value as { count: number }).count).reduce((a, b) => a + b, 0)).toBe(2);
    expect(data.get("connect.breaker.state")).toEqual([{ attributes: { "connect.adapter.id": "acme", "connect.breaker.key": "acme" }, value: 0 }]);
    await rt.close();
  });
});

describe("redaction", () => {
  const echo = defineOperation({
    id: "echo.get",
    input: z.object({}),
    output: z.object({}),
    idempotent: true,
    request: () => ({ method: "GET", path: "/echo", headers: { "x-api-key": "sk_live_abcdef123456" } }),
  });

  it("no secret or bearer token appears in logs, span attributes or the error, even when the vendor echoes it", async () => {
    const token = "tok_9f8e7d6c5b4a3210";
    registerSecret("sk_live_abcdef123456");
    const lines: string[] = [];
    const sinkLogger = {
      debug: (o: object, m?: string) => lines.push(JSON.stringify(o) + (m ?? "")),
      info: (o: object, m?: string) => lines.push(JSON.stringify(o) + (m ?? "")),
      warn: (o: object, m?: string) => lines.push(JSON.stringify(o) + (m ?? "")),
      error: (o: object, m?: string) => lines.push(JSON.stringify(o) + (m ?? "")),
    };
    const { exporter, provider } = tracing();
    const rt = acme(server.url, { auth: bearerAuth(token), telemetry: { logger: sinkLogger, tracerProvider: provider } });
    const error = (await rt.run(echo, {}).catch((e: unknown) => e)) as IntegrationError;
    expect(error).toMatchObject({ name: "ForbiddenError", status: 403 });
    expect(error.vendorMessage).toBe("invalid credentials: Bearer [REDACTED] (api_key=[REDACTED])");
    const everything = [
      error.message,
      error.vendorMessage,
      JSON.stringify(error.toJSON()),
      ...lines,
      ...exporter.getFinishedSpans().map((s) => JSON.stringify({ a: s.attributes, e: s.events, st: s.status })),
    ].join("\n");
    expect(lines.length).toBeGreaterThan(0);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain("sk_live_abcdef123456");
    await rt.close();
  });
});

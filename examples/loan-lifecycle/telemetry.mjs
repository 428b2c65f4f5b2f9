// The host's OpenTelemetry wiring, in memory: every client records its spans and metrics here,
// the summary table is computed from core's metrics (connect.client.requests / retries /
// duration), and `--trace` prints the span tree of one step. The packages depend on the OTel
// API only; the SDK (root devDependencies) is the example's choice.
import { AsyncLocalStorage } from "node:async_hooks";
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";

/**
 * A context manager on AsyncLocalStorage, so a vendor call made inside a step's span becomes its
 * child (the SDK's base package ships none; @opentelemetry/context-async-hooks is the same idea).
 */
class AsyncLocalContextManager {
  #storage = new AsyncLocalStorage();
  active() {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with(ctx, fn, thisArg, ...args) {
    return this.#storage.run(ctx, () => fn.apply(thisArg, args));
  }
  bind(ctx, target) {
    if (typeof target !== "function") return target;
    const manager = this;
    return function bound(...args) {
      return manager.with(ctx, target, this, ...args);
    };
  }
  enable() {
    return this;
  }
  disable() {
    this.#storage.disable();
    return this;
  }
}

const toMs = ([seconds, nanos]) => seconds * 1000 + nanos / 1e6;

/** Create the tracer and meter providers every client shares, and the readers of what they hold. */
export function createTelemetry() {
  const contextManager = new AsyncLocalContextManager();
  context.setGlobalContextManager(contextManager);
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const tracer = tracerProvider.getTracer("loan-lifecycle");

  return {
    tracerProvider,
    meterProvider,
    tracer,
    /** Options every client and webhook handler takes as `telemetry`. */
    options: { tracerProvider, meterProvider },

    /** Run `fn` inside a span of the host (a step, a webhook delivery). */
    inSpan(name, { kind = SpanKind.INTERNAL, attributes = {} } = {}, fn) {
      return tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
        try {
          const value = await fn(span);
          span.setStatus({ code: SpanStatusCode.OK });
          return value;
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: error?.message });
          throw error;
        } finally {
          span.end();
        }
      });
    },

    /** Per vendor, from core's metrics: logical calls, failed calls, retries and time spent in calls. */
    async usage() {
      await reader.forceFlush();
      const byVendor = {};
      const row = (vendor) => (byVendor[vendor] ??= { calls: 0, failed: 0, retries: 0, ms: 0 });
      const latest = metrics.getMetrics().at(-1);
      for (const metric of latest?.scopeMetrics.flatMap((scope) => scope.metrics) ?? []) {
        for (const point of metric.dataPoints) {
          const vendor = point.attributes["connect.adapter.id"];
          if (typeof vendor !== "string") continue;
          if (metric.descriptor.name === "connect.client.requests") {
            row(vendor).calls += point.value;
            if (point.attributes.outcome === "error") row(vendor).failed += point.value;
          } else if (metric.descriptor.name === "connect.client.retries") {
            row(vendor).retries += point.value;
          } else if (metric.descriptor.name === "connect.client.duration") {
            row(vendor).ms += point.value.sum;
          }
        }
      }
      for (const value of Object.values(byVendor)) value.ms = Math.round(value.ms);
      return byVendor;
    },

    /** The finished spans, as plain records. */
    spans() {
      return spans.getFinishedSpans().map((span) => ({
        id: span.spanContext().spanId,
        parentId: span.parentSpanContext?.spanId,
        name: span.name,
        kind: span.kind,
        startMs: toMs(span.startTime),
        durationMs: toMs(span.duration),
        attributes: span.attributes,
        events: span.events.map((event) => ({ name: event.name, attributes: event.attributes ?? {} })),
        status: span.status.code === SpanStatusCode.ERROR ? "error" : "ok",
      }));
    },

    async close() {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
      context.disable();
    },
  };
}

const KIND = { [SpanKind.CLIENT]: "client", [SpanKind.SERVER]: "server", [SpanKind.INTERNAL]: "internal" };

function describe(span) {
  const a = span.attributes;
  const parts = [`${Math.round(span.durationMs)} ms`];
  if (a["http.response.status_code"] !== undefined) parts.push(`HTTP ${a["http.response.status_code"]}`);
  if (typeof a["connect.attempt"] === "number" && a["connect.attempt"] > 1) parts.push(`${a["connect.attempt"]} attempts`);
  if (a["error.type"]) parts.push(String(a["error.type"]));
  if (a["connect.webhook.duplicates"]) parts.push(`${a["connect.webhook.duplicates"]} duplicate dropped`);
  for (const event of span.events) {
    if (event.name === "exception") continue;
    if (event.name === "retry") parts.push(`retry after ${event.attributes["connect.retry.delay_ms"]} ms (${event.attributes["error.type"]})`);
    else parts.push(event.name);
  }
  return `${span.name} [${KIND[span.kind] ?? "internal"}] ${parts.join(", ")}`;
}

/**
 * The span tree of one step: the step's own span with everything under it, then the webhook
 * deliveries that arrived while it ran (they start on the host's server, not under the step).
 */
export function spanTree(spans, stepSpanName) {
  const root = spans.find((span) => span.name === stepSpanName);
  if (!root) return [`(no span named ${stepSpanName})`];
  const children = new Map();
  for (const span of spans) {
    if (!span.parentId) continue;
    if (!children.has(span.parentId)) children.set(span.parentId, []);
    children.get(span.parentId).push(span);
  }
  for (const list of children.values()) list.sort((x, y) => x.startMs - y.startMs);
  const lines = [];
  const walk = (span, prefix, last, top) => {
    lines.push(top ? describe(span) : `${prefix}${last ? "└─ " : "├─ "}${describe(span)}`);
    const kids = children.get(span.id) ?? [];
    kids.forEach((kid, i) => walk(kid, top ? "" : `${prefix}${last ? "   " : "│  "}`, i === kids.length - 1, false));
  };
  const end = root.startMs + root.durationMs;
  const inWindow = (span) => !span.parentId && span.id !== root.id && span.kind === SpanKind.SERVER && span.startMs >= root.startMs && span.startMs <= end;
  const deliveries = spans.filter(inWindow).sort((x, y) => x.startMs - y.startMs);
  walk(root, "", true, true);
  for (const delivery of deliveries) walk(delivery, "", true, true);
  return lines;
}

/**
 * Telemetry through @opentelemetry/api only: a span per operation, counters and a
 * duration histogram, and a pino-compatible logger (no-op by default). Hosts bring their
 * own SDK; without one, the API's no-op implementations cost next to nothing.
 */
import { metrics, trace, type Counter, type Histogram, type Meter, type MeterProvider, type Tracer, type TracerProvider } from "@opentelemetry/api";
import { redactValue } from "./redact.js";

/** The logger interface: pino's shape (`logger.info(obj, msg)`); console-like loggers work too. @public */
export interface Logger {
  debug(obj: Record<string, unknown>, msg?: string): void;
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
}

/** A logger that drops everything (the default). @public */
export const noopLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Telemetry wiring for a client. @public */
export interface TelemetryOptions {
  /** Tracer provider; the global one by default. */
  tracerProvider?: TracerProvider | undefined;
  /** Meter provider; the global one by default. */
  meterProvider?: MeterProvider | undefined;
  /** Structured logger; no-op by default. Every line is redacted before it is written. */
  logger?: Logger | undefined;
}

/** The instruments a runtime records into. @internal */
export interface Instruments {
  tracer: Tracer;
  meter: Meter;
  logger: Logger;
  requests: Counter;
  duration: Histogram;
  retries: Counter;
  drift: Counter;
}

const SCOPE = "@connect/core";

/** Wrap a logger so every line is redacted. @internal */
export function redactingLogger(logger: Logger): Logger {
  const wrap =
    (level: keyof Logger) =>
    (obj: Record<string, unknown>, msg?: string): void => {
      logger[level](redactValue(obj), msg === undefined ? undefined : (redactValue(msg) as string));
    };
  return { debug: wrap("debug"), info: wrap("info"), warn: wrap("warn"), error: wrap("error") };
}

/** Create the tracer, meter, instruments and logger for one client. @internal */
export function createInstruments(options: TelemetryOptions = {}, version = "0.0.0"): Instruments {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE, version);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE, version);
  return {
    tracer,
    meter,
    logger: options.logger ? redactingLogger(options.logger) : noopLogger,
    requests: meter.createCounter("connect.client.requests", { description: "Operations run, by vendor, operation and outcome" }),
    duration: meter.createHistogram("connect.client.duration", { description: "Operation duration including retries", unit: "ms" }),
    retries: meter.createCounter("connect.client.retries", { description: "Retries made, by vendor, operation and error" }),
    drift: meter.createCounter("connect.client.contract_drift", { description: "Responses that did not match the declared schema" }),
  };
}

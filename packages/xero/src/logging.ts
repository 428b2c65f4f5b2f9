/** A logger wrapper that redacts every line, for the places that log outside core's runtime. */
import { noopLogger, redactText, redactValue, type Logger } from "@connect/core";

/** Wrap a host logger so objects and messages are redacted before they are written. @internal */
export function safeLogger(logger: Logger | undefined): Logger {
  if (!logger) return noopLogger;
  const wrap =
    (level: keyof Logger) =>
    (obj: Record<string, unknown>, msg?: string): void =>
      logger[level](redactValue(obj), msg === undefined ? undefined : redactText(msg));
  return { debug: wrap("debug"), info: wrap("info"), warn: wrap("warn"), error: wrap("error") };
}

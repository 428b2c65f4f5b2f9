/**
 * Shared fixtures for core's tests: a tiny "acme" vendor with one operation per body kind.
 */
import { z } from "zod";
import { createRuntime, defineOperation, type RuntimeOptions } from "../src/index.js";

export const Widget = z.object({ id: z.string(), name: z.string(), size: z.number() });

export const getWidget = defineOperation({
  id: "widgets.get",
  input: z.object({ id: z.string().min(1) }),
  output: Widget,
  idempotent: true,
  request: ({ id }) => ({ method: "GET", path: `/widgets/${id}` }),
});

export const createWidget = defineOperation({
  id: "widgets.create",
  input: z.object({ name: z.string().min(2), size: z.number().int().positive(), email: z.email() }),
  output: Widget,
  safety: "keyed",
  request: (input, ctx) => ({ method: "POST", path: "/widgets", headers: { "idempotency-key": ctx.idempotencyKey }, body: { json: input } }),
});

export const sendWidget = defineOperation({
  id: "widgets.send",
  input: z.object({ name: z.string() }),
  output: z.object({ id: z.string() }),
  safety: "unsafe",
  request: (input) => ({ method: "POST", path: "/widgets/send", body: { form: input } }),
});

export const widgetXml = defineOperation({
  id: "widgets.xml",
  input: z.object({ id: z.string() }),
  output: z.object({ id: z.string() }),
  idempotent: true,
  request: ({ id }) => ({ method: "POST", path: "/widgets/xml", body: { xml: `<widget id="${id}"/>` }, responseType: "text" }),
  response: (res) => ({ id: /id="([^"]+)"/.exec(String(res.body))?.[1] }),
});

export const widgetFile = defineOperation({
  id: "widgets.file",
  input: z.object({ id: z.string() }),
  output: z.instanceof(Buffer),
  idempotent: true,
  request: ({ id }) => ({ method: "GET", path: `/widgets/${id}/file`, responseType: "binary" }),
});

/** A runtime for the acme vendor with fast, deterministic retry settings. */
export function acme(baseUrl: string, overrides: Partial<RuntimeOptions> = {}) {
  return createRuntime({
    adapter: { id: "acme", version: "1.2.3" },
    baseUrl,
    policy: { retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 5, jitter: false }, timeout: { attemptMs: 2_000, totalMs: 10_000 } },
    ...overrides,
  });
}

/**
 * Issue 15 — secrets never leak. Every vendor gets recognisable fake secrets, fresh for this run
 * (so nothing else in the process has registered them for redaction). Every write is driven
 * through every fault path of the matrix, plus vendors that echo the credentials back in error bodies
 * (500, 400, 401, and the token endpoint), with a capturing logger, an in-memory span exporter
 * and a dead-letter sink; the webhook receivers get bad signatures and handlers whose errors
 * quote the secret. Then every log line, span (attributes, events, status), error (message,
 * JSON, cause chain) and dead letter is scanned for every secret and every credential that went
 * over the wire (Authorization headers included).
 */
import { randomBytes } from "node:crypto";
import { createAuthentisignCallbackHandler, callbackUrlFor, type Signing } from "@connect/authentisign";
import { callbackPayload } from "@connect/authentisign/testing";
import { createMemoryDeadLetterSink, IntegrationError, type DeadLetter, type WebhookReceiver } from "@connect/core";
import { createDocuSignWebhookHandler } from "@connect/docusign";
import { signConnectMessage } from "@connect/docusign/testing";
import { createMailgunWebhookHandler } from "@connect/mailgun";
import { mailgunWebhookBody } from "@connect/mailgun/testing";
import { createQuickBooksWebhookHandler } from "@connect/quickbooks";
import { signQuickBooksPayload } from "@connect/quickbooks/testing";
import { createTwilioWebhookHandler } from "@connect/twilio";
import { signTwilioRequest } from "@connect/twilio/testing";
import { createXeroWebhookHandler } from "@connect/xero";
import { signXeroPayload, xeroWebhookPayload } from "@connect/xero/testing";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capturingLogger, memoryTracing, spanData, startBlackhole } from "./harness.js";
import { request } from "./hostile.js";
import { KITS } from "./kits/index.js";
import type { Kit, Route, WriteOp } from "./kits/types.js";
import { FAULTS, runCase, runConcurrently, type CaseResult, type MatrixEnv } from "./matrix-runner.js";

const TAG = randomBytes(6).toString("hex");
const REGISTRY = Symbol.for("@connect/core.registeredSecrets");
const logger = capturingLogger();
const tracing = memoryTracing();
const spans: Array<Record<string, unknown>> = [];
const errors: unknown[] = [];
const letters: DeadLetter[] = [];
const responses: string[] = [];
const secrets = new Set<string>();
const kits = new Map<string, Kit>();
let env: MatrixEnv;
let blackhole: Awaited<ReturnType<typeof startBlackhole>>;

/** Every credential a kit holds, and every one that went over the wire so far (Authorization headers). */
function collectSecrets(kit: Kit): void {
  for (const s of kit.secrets()) secrets.add(s);
  for (const r of kit.server.requests) {
    const auth = r.headers.authorization;
    if (auth) {
      secrets.add(auth);
      secrets.add(auth.replace(/^(Bearer|Basic)\s+/i, ""));
    }
    const form = new URLSearchParams(r.text);
    for (const name of ["client_secret", "refresh_token", "assertion", "code"]) {
      const value = form.get(name);
      if (value) secrets.add(value);
    }
  }
}

/** A vendor answering with the request's own credentials quoted back in every field it has. */
function echo(route: Route, status: number, times = 1): (kit: Kit) => void {
  return (kit) => {
    let left = times;
    kit.server.use(
      http[route.method](route.path, ({ request: req }) => {
        if (left <= 0) return undefined;
        left -= 1;
        const quoted = `authorization=${req.headers.get("authorization") ?? ""} known=${kit.secrets().join(" ")}`;
        return HttpResponse.json(
          {
            message: quoted,
            error: "invalid_client",
            error_description: quoted,
            code: 20003,
            errorCode: "USER_AUTHENTICATION_FAILED",
            errors: [{ field: null, message: quoted }],
            Fault: { type: "AuthenticationFault", Error: [{ Message: quoted, Detail: quoted, code: "3200" }] },
            __type: "UnrecognizedClientException",
          },
          { status, headers: { "x-echo": "1" } },
        );
      }),
    );
  };
}

/** Everything written anywhere, as text to scan. */
function corpus(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  logger.lines.forEach((line, i) => out.push([`log line ${i} (${line.msg ?? ""})`, JSON.stringify(line)]));
  spans.forEach((span, i) => out.push([`span ${i} (${String(span.name)})`, JSON.stringify(span)]));
  errors.forEach((error, i) => {
    const chain: string[] = [];
    for (let e: unknown = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth += 1) {
      chain.push(String((e as Error).message), String((e as Error).stack ?? ""), IntegrationError.is(e) ? JSON.stringify(e.toJSON()) : "");
    }
    out.push([`error ${i} (${(error as Error).name})`, chain.join("\n")]);
  });
  letters.forEach((letter, i) => out.push([`dead letter ${i} (${letter.adapterId} ${letter.operation})`, JSON.stringify(letter)]));
  responses.forEach((body, i) => out.push([`webhook response ${i}`, body]));
  return out;
}

beforeAll(async () => {
  blackhole = await startBlackhole();
  env = { blackholeUrl: blackhole.url, tracerProvider: tracing.tracerProvider, exporter: tracing.exporter, logger };
  // Fresh secrets (a random tag): nothing registered them before this run, and the test itself
  // never calls registerSecret or staticSecrets — only the SDK's own registration redacts them.
  const registered = (globalThis as Record<symbol, Set<string> | undefined>)[REGISTRY] ?? new Set<string>();
  expect([...registered].some((s) => s.includes(TAG))).toBe(false);
  for (const [vendor, start] of Object.entries(KITS)) kits.set(vendor, await start({ secretTag: TAG }));
});

afterAll(async () => {
  blackhole?.close();
  await Promise.all([...kits.values()].map((kit) => kit.close()));
});

describe("secrets never leak", () => {
  for (const vendor of Object.keys(KITS)) {
    // Vendors run side by side (own fake, server and span exporter; the logger and collections are shared).
    it.concurrent(`${vendor}: every write under every fault and every echoing error body`, async () => {
      const kit = kits.get(vendor)!;
      const tracing = memoryTracing();
      const own: MatrixEnv = { ...env, tracerProvider: tracing.tracerProvider, exporter: tracing.exporter };
      const record = (result: CaseResult): void => {
        if (result.error !== undefined) errors.push(result.error);
        letters.push(...result.letters);
        spans.push(...tracing.spans().map(spanData));
      };
      const echoes: Array<[string, (kit: Kit, op: WriteOp) => void]> = [
        ["500 echoing credentials", (k, op) => echo(op.route, 500, 5)(k)],
        ["400 echoing credentials", (k, op) => echo(op.route, 400)(k)],
        ["401 echoing credentials", (k, op) => echo(op.route, 401, 2)(k)],
      ];
      if (kit.tokenRoute) {
        const tokenRoute = kit.tokenRoute;
        echoes.push(["token endpoint echoing credentials", (k, op) => {
          k.expireAuth(op);
          echo(tokenRoute, 500, 5)(k);
        }]);
      }
      for (const op of [...kit.writes, ...(kit.reads ?? [])]) {
        for (const fault of FAULTS) {
          // 500 and 502 take 503's path, 429 the path of 429 with Retry-After; connect timeouts run below.
          if (fault === "connect timeout" || fault === "500" || fault === "502" || fault === "429") continue;
          record(await runCase(kit, op, fault, own));
          collectSecrets(kit);
        }
        for (const [, install] of echoes) {
          record(await runCase(kit, op, "500", own, {}, install));
          collectSecrets(kit);
        }
      }
      expect(logger.lines.length).toBeGreaterThan(0);
    });
  }

  it("every vendor: connect timeouts on every write", async () => {
    const results = (await Promise.all([...kits.values()].map((kit) => runConcurrently(kit, [...kit.writes, ...(kit.reads ?? [])], "connect timeout", env)))).flat();
    for (const result of results) {
      if (result.error !== undefined) errors.push(result.error);
      letters.push(...result.letters);
    }
    spans.push(...tracing.spans().map(spanData));
    expect(results.every((r) => r.error !== undefined)).toBe(true);
  });

  it("webhook receivers: bad signatures, and handlers whose errors quote the secret, up to the dead-letter sink", async () => {
    const deadLetters = createMemoryDeadLetterSink();
    const hooks: Array<{ secret: string; receiver: WebhookReceiver; good: () => Promise<ReturnType<typeof request>> | ReturnType<typeof request>; bad: ReturnType<typeof request> }> = [];
    const twilioToken = `twl-webhook-SECRET-${TAG}`;
    hooks.push({
      secret: twilioToken,
      receiver: createTwilioWebhookHandler({ authToken: twilioToken, logger, deadLetters, maxAttempts: 2, onStatus: () => Promise.reject(new Error(`db refused token ${twilioToken}`)) }),
      good: () => {
        const r = signTwilioRequest({ authToken: twilioToken, url: "https://hooks.test/twilio", params: { MessageSid: `SM${"9".repeat(32)}`, MessageStatus: "delivered" } });
        return request(r.url, r.body, Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v])));
      },
      bad: request("https://hooks.test/twilio", "MessageSid=SM1", { "x-twilio-signature": twilioToken }),
    });
    const connectKey = `docusign-webhook-SECRET-${TAG}`;
    const connectBody = Buffer.from(JSON.stringify({ event: "envelope-completed", data: { envelopeId: "e-1", envelopeSummary: { status: "completed" } } }));
    hooks.push({
      secret: connectKey,
      receiver: createDocuSignWebhookHandler({ secrets: [connectKey], logger, deadLetters, maxAttempts: 2, onEvent: () => Promise.reject(new Error(`key ${connectKey} rejected`)) }),
      good: () => request("https://hooks.test/docusign", connectBody, { "content-type": "application/json", ...signConnectMessage(connectBody, [connectKey]) }),
      bad: request("https://hooks.test/docusign", connectBody, { "content-type": "application/json", "x-docusign-signature-1": connectKey }),
    });
    const verifierToken = `qbo-webhook-SECRET-${TAG}`;
    const qboBody = JSON.stringify([{ specversion: "1.0", id: "ce-secret", type: "qbo.invoice.updated.v1", source: "intuit.x", time: "2026-03-02T10:00:00Z", intuitentityid: "1", intuitaccountid: "9341453", data: {} }]);
    const qbo = createQuickBooksWebhookHandler({ verifierToken, logger, deadLetters, maxAttempts: 2, retryDelayMs: 1, onChange: () => Promise.reject(new Error(`token ${verifierToken} is wrong`)) });
    hooks.push({ secret: verifierToken, receiver: qbo, good: () => request("https://hooks.test/qbo", qboBody, { "intuit-signature": signQuickBooksPayload(qboBody, verifierToken) }), bad: request("https://hooks.test/qbo", qboBody, { "intuit-signature": verifierToken }) });
    const callbackSecret = `authentisign-webhook-SECRET-${TAG}`;
    const signingId = "7b2e0c6a-4d3f-4e5a-9c91-23456789abcd";
    const reader = { signings: { get: async (): Promise<Signing> => ({ id: signingId, name: "Loan", status: "completed", participants: [] }) as unknown as Signing } };
    const callbackUrl = await callbackUrlFor("https://hooks.test/authentisign", signingId, [callbackSecret]);
    const callbackBody = JSON.stringify(callbackPayload({ id: signingId, status: "completed" }, "signing.completed", { at: new Date().toISOString(), id: "evt_secret" }));
    hooks.push({
      secret: callbackSecret,
      receiver: createAuthentisignCallbackHandler({ client: reader, token: { secrets: [callbackSecret] }, logger, deadLetters, maxAttempts: 2, onEvent: () => Promise.reject(new Error(`secret ${callbackSecret} leaked?`)) }),
      good: () => request(callbackUrl, callbackBody),
      bad: request(callbackUrl.replace(/as_token=[^&]+/, `as_token=${callbackSecret}`), callbackBody),
    });

    const mailgunKey = `mailgun-webhook-SECRET-${TAG}`;
    const mailgunEvent = { id: "mg-secret-event", event: "delivered", timestamp: Date.now() / 1000, recipient: "ana@example.com" };
    hooks.push({
      secret: mailgunKey,
      receiver: createMailgunWebhookHandler({ signingKey: mailgunKey, logger, deadLetters, maxAttempts: 2, onEvent: () => Promise.reject(new Error(`signing key ${mailgunKey} refused`)) }),
      // Mailgun signs every delivery afresh (a new token each time).
      good: () => request("https://hooks.test/mailgun", JSON.stringify(mailgunWebhookBody(mailgunKey, mailgunEvent)), { "content-type": "application/json" }),
      bad: request("https://hooks.test/mailgun", JSON.stringify({ signature: { timestamp: String(Math.floor(Date.now() / 1000)), token: mailgunKey, signature: "0".repeat(64) }, "event-data": mailgunEvent }), { "content-type": "application/json" }),
    });
    const xeroKey = `xero-webhook-SECRET-${TAG}`;
    const xeroBody = JSON.stringify(xeroWebhookPayload([{ tenantId: "7e3b6c8a-2f41-4d7e-9c1a-5b0f3e2d1a01", eventCategory: "INVOICE", eventType: "UPDATE", resourceId: "0f8b6e0c-4444-4a2b-9c3d-000000000001", eventDateUtc: "2026-03-02T10:00:00.000" }]));
    hooks.push({
      secret: xeroKey,
      receiver: createXeroWebhookHandler({ webhookKey: xeroKey, logger, deadLetters, maxAttempts: 2, onEvent: () => Promise.reject(new Error(`webhook key ${xeroKey} is wrong`)) }),
      good: () => request("https://hooks.test/xero", xeroBody, { "content-type": "application/json", "x-xero-signature": signXeroPayload(xeroBody, xeroKey) }),
      bad: request("https://hooks.test/xero", xeroBody, { "content-type": "application/json", "x-xero-signature": xeroKey }),
    });
    // (The SES receiver holds no secret: SNS signatures are checked against AWS's public certificates.
    // The SES client's static AWS keys are scanned with the kits above.)

    for (const hook of hooks) {
      secrets.add(hook.secret);
      responses.push((await hook.receiver.handle(hook.bad)).body);
      for (let i = 0; i < 3; i += 1) responses.push((await hook.receiver.handle(await hook.good())).body);
    }
    await qbo.idle();
    letters.push(...(await deadLetters.list()));
    expect((await deadLetters.list()).length).toBeGreaterThanOrEqual(5);
  });

  it("no secret appears in any log line, span, error or dead letter", () => {
    for (const kit of kits.values()) collectSecrets(kit);
    const texts = corpus();
    const scanned = [...secrets].filter((s) => s.length >= 8);
    expect(scanned.length).toBeGreaterThan(20);
    expect(texts.length).toBeGreaterThan(1_000);
    const leaks: string[] = [];
    for (const secret of scanned) {
      for (const [where, text] of texts) {
        const at = text.indexOf(secret);
        if (at >= 0) leaks.push(`${where}: …${text.slice(Math.max(0, at - 60), at + secret.length + 20)}…`);
      }
    }
    const byKind = new Map<string, number>();
    for (const leak of leaks) {
      const kind = leak.replace(/ \d+ /, " # ").split(":")[0]!;
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    }
    if (leaks.length > 0) console.log([...byKind].map(([k, n]) => `${n} × ${k}`).join("\n"));
    console.log(`\nSecrets scan (issue 15): ${scanned.length} secrets × ${texts.length} texts (${logger.lines.length} log lines, ${spans.length} spans, ${errors.length} errors, ${letters.length} dead letters, ${responses.length} webhook answers): ${leaks.length} leaks\n`);
    expect(leaks).toEqual([]);
  });
});

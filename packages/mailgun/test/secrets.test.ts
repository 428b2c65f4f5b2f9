import { AuthError, staticSecrets, UnknownOutcomeError, type Logger } from "@connect/core";
import { createMailgunClient, createMailgunWebhookHandler } from "@connect/mailgun";
import { signMailgunWebhook } from "@connect/mailgun/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FAST_POLICY, FROM, rejection, setup, type Harness } from "./helpers.js";

let h: Harness;
const API_KEY = "key-3f1c0ffee5ec7e7000000000000000aa";
const lines: string[] = [];
const capture = (level: string) => (obj: unknown, msg?: string) => void lines.push(`${level} ${JSON.stringify(obj)} ${msg ?? ""}`);
const logger: Logger = { debug: capture("debug"), info: capture("info"), warn: capture("warn"), error: capture("error") } as Logger;

beforeEach(async () => {
  lines.length = 0;
  h = await setup({ fake: { apiKey: API_KEY } });
});
afterEach(async () => {
  await h.close();
});

const basic = (key: string) => Buffer.from(`api:${key}`).toString("base64");

function expectNoSecret(text: string, ...secrets: string[]) {
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe("secrets stay out of errors and logs", () => {
  it("a rejected key appears in neither the AuthError (message, JSON, cause) nor the log lines", async () => {
    const wrong = "key-wrong-1234567890abcdef12345678";
    const client = createMailgunClient({ apiKey: wrong, domain: h.fake.domainName, region: "us", baseUrl: h.server.url, policy: FAST_POLICY, telemetry: { logger } });
    const error = await rejection(client.messages.send({ from: FROM, to: "ana@example.com", subject: "s", text: "t" }));
    await client.close();

    expect(error).toBeInstanceOf(AuthError);
    expectNoSecret(`${(error as Error).message} ${JSON.stringify(error)} ${String((error as Error).stack)}`, wrong, basic(wrong));
    expect(lines.length).toBeGreaterThan(0);
    expectNoSecret(lines.join("\n"), wrong, basic(wrong));
  });

  it("a key read from a SecretProvider is redacted too, and an unknown-outcome error carries no credentials", async () => {
    const client = createMailgunClient({ apiKey: staticSecrets({ MAILGUN_API_KEY: API_KEY }), domain: h.fake.domainName, region: "us", baseUrl: h.server.url, policy: FAST_POLICY, telemetry: { logger } });
    h.fake.failNext({ status: 500, body: { message: `upstream echoed Authorization: Basic ${basic(API_KEY)} key ${API_KEY}` } });
    const error = await rejection(client.messages.send({ from: FROM, to: "ana@example.com", subject: "s", text: "t" }));
    await client.close();

    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expectNoSecret(`${(error as Error).message} ${JSON.stringify(error)}`, API_KEY, basic(API_KEY));
    expectNoSecret(lines.join("\n"), API_KEY, basic(API_KEY));
    expect(h.server.requests[0]!.headers.authorization).toBe(`Basic ${basic(API_KEY)}`);
  });

  it("the webhook signing key is not in a verification failure or the receiver's log", async () => {
    const signingKey = "whsk-9d3e0ffee5ec7e70000000000001";
    const receiver = createMailgunWebhookHandler({ signingKey, logger });
    const body = { signature: signMailgunWebhook("another-key"), "event-data": { id: "e1", event: "delivered", timestamp: Date.now() / 1000 } };
    const response = await receiver.handle({ method: "POST", url: "https://host.test/hook", headers: { "content-type": "application/json" }, rawBody: Buffer.from(JSON.stringify(body)) });

    expect(response.status).toBe(401);
    expectNoSecret(`${response.body}\n${lines.join("\n")}`, signingKey);
  });
});

import { createMemoryDeadLetterSink, IntegrationError, staticSecrets, type Logger } from "@connect/core";
import { serveHandlers } from "@connect/core/testing";
import { describe, expect, it } from "vitest";
import { createSesClient } from "../src/index.js";
import { createSesFake } from "../src/testing/index.js";
import { FAST_POLICY, rejection } from "./helpers.js";

const message = { from: "noreply@acme.test", to: "ana@example.com", subject: "s", text: "t" };

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = (obj: Record<string, unknown>, msg?: string) => void lines.push(JSON.stringify({ obj, msg }));
  return { logger: { debug: log, info: log, warn: log, error: log }, lines };
}

describe("secrets never leak", () => {
  it("static keys: a vendor message echoing the secret key is redacted in the error, the logs and the dead letter", async () => {
    const secret = "static-ses-secret-key-4b9f2a7c1d";
    const fake = createSesFake({ credentials: { accessKeyId: "AKIDSTATIC", secretAccessKey: secret } });
    const server = await serveHandlers(fake.handlers);
    const deadLetters = createMemoryDeadLetterSink();
    const { logger, lines } = capture();
    const client = createSesClient({ region: "us-east-1", endpoint: server.url, credentials: { accessKeyId: "AKIDSTATIC", secretAccessKey: secret }, policy: FAST_POLICY, deadLetters, telemetry: { logger } });
    try {
      fake.failNext("SendEmail", { code: "TooManyRequestsException", status: 429, message: `throttled for key ${secret}` });
      fake.failNext("SendEmail", { code: "InternalServiceErrorException", status: 500, message: `failure with ${secret}` });
      const error = await rejection(client.emails.send(message));
      expect(IntegrationError.is(error)).toBe(true);
      const seen = [String((error as Error).message), JSON.stringify((error as IntegrationError).toJSON()), ...lines, JSON.stringify(await deadLetters.list())].join("\n");
      expect(lines.length).toBeGreaterThan(0);
      expect((await deadLetters.list()).length).toBe(1);
      expect(seen).toContain("throttled for key [REDACTED]");
      expect(seen).not.toContain(secret);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("keys from a SecretProvider sign the requests (the fake checks SigV4) and are redacted once read", async () => {
    const secret = "provider-ses-secret-key-77e1c0aa";
    const fake = createSesFake({ credentials: { accessKeyId: "AKIDPROVIDER", secretAccessKey: secret }, region: "eu-west-1" });
    const server = await serveHandlers(fake.handlers);
    const client = createSesClient({
      region: "eu-west-1",
      endpoint: server.url,
      credentials: { secrets: staticSecrets({ SES_KEY_ID: "AKIDPROVIDER", SES_SECRET: secret }), accessKeyIdName: "SES_KEY_ID", secretAccessKeyName: "SES_SECRET" },
      policy: FAST_POLICY,
    });
    try {
      await client.emails.send(message);
      expect(fake.sent).toHaveLength(1);
      expect(fake.calls[0]!.headers.get("authorization")).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDPROVIDER\/\d{8}\/eu-west-1\/ses\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/);
      fake.failNext("GetAccount", { code: "BadRequestException", message: `bad ${secret}` });
      const error = await rejection(client.account.get());
      expect(JSON.stringify((error as IntegrationError).toJSON())).not.toContain(secret);
      expect((error as IntegrationError).vendorMessage).toMatch(/^bad /);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

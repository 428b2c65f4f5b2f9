/**
 * Issue 3: the AWS Secrets Manager provider against a stateful fake of the JSON 1.1 API,
 * served on 127.0.0.1 and reached through the SDK's `endpoint` option.
 */
import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { serveHandlers, type RecordedRequest, type ServedHandlers } from "@connect/core/testing";
import { awsSecretsManager, type AwsSecretsManagerOptions, type AwsSecretsManagerProvider } from "../src/aws/index.js";
import {
  AuthError,
  ForbiddenError,
  IntegrationError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  ServerError,
  ValidationError,
} from "../src/errors.js";
import { redactText } from "../src/redact.js";
import { bearerAuth } from "../src/auth.js";
import { secretValue, withRotation } from "../src/secrets/index.js";
import { acme, getWidget } from "./helpers.js";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const credentials = { accessKeyId: "AKIDFAKEEXAMPLE", secretAccessKey: "fake-secret-access-key" };

interface FakeSecret {
  name: string;
  arn: string;
  versions: number;
  string?: string;
  binary?: Uint8Array;
}

/** A stateful fake of Secrets Manager's GetSecretValue (awsJson1_1 over POST /). */
function createSecretsManagerFake() {
  const secrets = new Map<string, FakeSecret>();
  const faults: Array<{ type: string; status: number; message: string }> = [];
  const awsError = (type: string, status: number, message: string) =>
    HttpResponse.json(
      { __type: type, message },
      { status, headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": `req-${type}` } },
    );
  const find = (id: string) => secrets.get(id) ?? [...secrets.values()].find((s) => s.arn === id);

  const handlers = [
    http.post("*/", async ({ request }) => {
      const target = request.headers.get("x-amz-target");
      if (target !== "secretsmanager.GetSecretValue") return awsError("UnknownOperationException", 400, `unknown target ${target}`);
      if (!request.headers.get("content-type")?.startsWith("application/x-amz-json-1.1")) {
        return awsError("SerializationException", 400, "expected application/x-amz-json-1.1");
      }
      if (!request.headers.get("authorization")?.startsWith("AWS4-HMAC-SHA256 Credential=AKIDFAKEEXAMPLE/")) {
        return awsError("UnrecognizedClientException", 400, "The security token included in the request is invalid.");
      }
      const fault = faults.shift();
      if (fault) return awsError(fault.type, fault.status, fault.message);
      const body = (await request.json()) as { SecretId?: string; VersionStage?: string };
      const secret = body.SecretId === undefined ? undefined : find(body.SecretId);
      if (!secret) return awsError("ResourceNotFoundException", 400, "Secrets Manager can't find the specified secret.");
      if (body.VersionStage !== undefined && body.VersionStage !== "AWSCURRENT") {
        return awsError("ResourceNotFoundException", 400, "Secrets Manager can't find the specified secret value for staging label: " + body.VersionStage);
      }
      return HttpResponse.json(
        {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: `v-${secret.versions}`,
          ...(secret.string !== undefined ? { SecretString: secret.string } : {}),
          ...(secret.binary !== undefined ? { SecretBinary: Buffer.from(secret.binary).toString("base64") } : {}),
          VersionStages: ["AWSCURRENT"],
          CreatedDate: 1_750_000_000 + secret.versions,
        },
        { headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": `req-${secret.name}-${secret.versions}` } },
      );
    }),
  ];

  return {
    handlers,
    /** Create or rotate a secret: the next GetSecretValue returns the new value. */
    put(name: string, value: string | Uint8Array) {
      const previous = secrets.get(name);
      secrets.set(name, {
        name,
        arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`,
        versions: (previous?.versions ?? 0) + 1,
        ...(typeof value === "string" ? { string: value } : { binary: value }),
      });
    },
    /** Answer the next request with an AWS error. */
    failNext(type: string, status: number, message: string) {
      faults.push({ type, status, message });
    },
    reset() {
      secrets.clear();
      faults.length = 0;
    },
  };
}

const fake = createSecretsManagerFake();
let server: ServedHandlers;
let clock = 0;
const providers: AwsSecretsManagerProvider[] = [];

function provider(options: Partial<AwsSecretsManagerOptions> = {}): AwsSecretsManagerProvider {
  const p = awsSecretsManager({ region: REGION, endpoint: server.url, credentials, now: () => clock, ttlMs: 60_000, ...options });
  providers.push(p);
  return p;
}

function secretIdsRequested(): string[] {
  return server.requests.map((r: RecordedRequest) => (JSON.parse(r.text) as { SecretId: string }).SecretId);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

beforeAll(async () => {
  server = await serveHandlers(fake.handlers);
});
afterEach(() => {
  for (const p of providers.splice(0)) p.close();
  fake.reset();
  server.resetHandlers();
  server.requests.length = 0;
  clock = 0;
});
afterAll(() => server.close());

describe("awsSecretsManager: GetSecretValue", () => {
  it("returns the SecretString, sending a signed JSON 1.1 GetSecretValue for the SecretId", async () => {
    fake.put("prod/twilio", "tw-auth-token-0001");
    expect(await provider().get("prod/twilio")).toBe("tw-auth-token-0001");
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/");
    expect(request?.headers["x-amz-target"]).toBe("secretsmanager.GetSecretValue");
    expect(request?.headers["content-type"]).toBe("application/x-amz-json-1.1");
    expect(request?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFAKEEXAMPLE\/\d{8}\/us-east-1\/secretsmanager\/aws4_request,/);
    expect(JSON.parse(request?.text ?? "")).toEqual({ SecretId: "prod/twilio" });
  });

  it("looks a secret up by ARN and sends the configured version stage", async () => {
    fake.put("prod/bpo", "bpo-password-0001");
    const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/bpo-AbCdEf`;
    expect(await provider({ versionStage: "AWSCURRENT" }).get(arn)).toBe("bpo-password-0001");
    expect(JSON.parse(server.requests[0]?.text ?? "")).toEqual({ SecretId: arn, VersionStage: "AWSCURRENT" });
  });

  it("decodes SecretBinary as base64 by default and as UTF-8 on request", async () => {
    fake.put("bin", new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]));
    fake.put("text-bin", Buffer.from("binary-as-text-123", "utf8"));
    expect(await provider().get("bin")).toBe("3q2+7wAB");
    expect(await provider({ binaryEncoding: "utf8" }).get("text-bin")).toBe("binary-as-text-123");
  });
});

describe("awsSecretsManager: cache and rotation", () => {
  it("serves a secret from the cache within the TTL: one request for repeated and concurrent lookups", async () => {
    fake.put("prod/sendgrid", "SG-key-value-0001");
    const secrets = provider();
    const values = await Promise.all([secrets.get("prod/sendgrid"), secrets.get("prod/sendgrid"), secrets.get("prod/sendgrid")]);
    clock += 59_999;
    values.push(await secrets.get("prod/sendgrid"));
    expect(values).toEqual(Array(4).fill("SG-key-value-0001"));
    expect(secretIdsRequested()).toEqual(["prod/sendgrid"]);
  });

  it("fetches again once the TTL has passed and returns the rotated value", async () => {
    fake.put("prod/sendgrid", "SG-key-value-0001");
    const secrets = provider();
    await secrets.get("prod/sendgrid");
    fake.put("prod/sendgrid", "SG-key-value-0002");
    clock += 60_000;
    expect(await secrets.get("prod/sendgrid")).toBe("SG-key-value-0002");
    expect(server.requests).toHaveLength(2);
  });

  it("forceRefresh fetches again within the TTL, returns the rotated value and replaces the cached one", async () => {
    fake.put("prod/qbo", "qbo-client-secret-1");
    const secrets = provider();
    expect(await secrets.get("prod/qbo")).toBe("qbo-client-secret-1");
    fake.put("prod/qbo", "qbo-client-secret-2");
    expect(await secrets.get("prod/qbo")).toBe("qbo-client-secret-1");
    expect(await secrets.get("prod/qbo", { forceRefresh: true })).toBe("qbo-client-secret-2");
    expect(await secrets.get("prod/qbo")).toBe("qbo-client-secret-2");
    expect(server.requests).toHaveLength(2);
  });

  it("withRotation: an AuthError with the cached secret refreshes exactly once and retries with the rotated one", async () => {
    fake.put("prod/authentisign", "as-api-key-old-01");
    const secrets = provider();
    await secrets.get("prod/authentisign");
    fake.put("prod/authentisign", "as-api-key-new-02");
    const used: string[] = [];
    const result = await withRotation(secrets, "prod/authentisign", async (key) => {
      used.push(key);
      if (key !== "as-api-key-new-02") throw new AuthError("authentisign transactions.list was not authenticated (HTTP 401)", { status: 401 });
      return "listed";
    });
    expect(result).toBe("listed");
    expect(used).toEqual(["as-api-key-old-01", "as-api-key-new-02"]);
    expect(server.requests).toHaveLength(2);
  });

  it("withRotation: a second AuthError propagates after the single refresh", async () => {
    fake.put("prod/authentisign", "as-api-key-old-01");
    const secrets = provider();
    await secrets.get("prod/authentisign");
    fake.put("prod/authentisign", "as-api-key-new-02");
    const second = new AuthError("still unauthorized", { status: 401 });
    let calls = 0;
    const error = await rejection(
      withRotation(secrets, "prod/authentisign", async (key) => {
        calls += 1;
        throw key === "as-api-key-new-02" ? second : new AuthError("first", { status: 401 });
      }),
    );
    expect(error).toBe(second);
    expect(calls).toBe(2);
    expect(server.requests).toHaveLength(2);
  });
});

describe("awsSecretsManager: JSON fields", () => {
  const json = JSON.stringify({ username: "svc-bpo", password: "bpo-json-pass-77", port: 5432, nested: { a: 1 } });

  it('picks a field with "name#field", and every field of one secret shares one cached fetch', async () => {
    fake.put("prod/db", json);
    const secrets = provider();
    expect(await secrets.get("prod/db#password")).toBe("bpo-json-pass-77");
    expect(await secrets.get("prod/db#username")).toBe("svc-bpo");
    expect(await secrets.get("prod/db#port")).toBe("5432");
    expect(secretIdsRequested()).toEqual(["prod/db"]);
  });

  it("picks the jsonKey field by default; an explicit #field wins", async () => {
    fake.put("prod/db", json);
    const secrets = provider({ jsonKey: "password" });
    expect(await secrets.get("prod/db")).toBe("bpo-json-pass-77");
    expect(await secrets.get("prod/db#username")).toBe("svc-bpo");
  });

  it("registers every string field for redaction as soon as the secret is fetched", async () => {
    fake.put("prod/db", json);
    await provider().get("prod/db#username");
    expect(redactText("connect failed: password bpo-json-pass-77 rejected")).not.toContain("bpo-json-pass-77");
  });

  it("a missing field is a ValidationError naming the field and the available keys, not the values", async () => {
    fake.put("prod/db", json);
    const error = (await rejection(provider().get("prod/db#token"))) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe('AWS Secrets Manager secret "prod/db": has no field "token" (fields: nested, password, port, username)');
    expect(error.issues).toEqual([{ path: "token", message: 'has no field "token" (fields: nested, password, port, username)', code: "invalid_secret_field" }]);
    expect(error.vendor).toBe("aws-secrets-manager");
  });

  it("a field of a non-JSON secret fails without quoting the secret (JSON.parse would)", async () => {
    fake.put("prod/plain", "plain-secret-not-json");
    const error = (await rejection(provider().get("prod/plain#password"))) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe('AWS Secrets Manager secret "prod/plain": field "password" was requested but the secret is not a JSON object');
    expect(JSON.stringify(error.toJSON())).not.toContain("plain-secret");
  });

  it("a non-string field is a ValidationError", async () => {
    fake.put("prod/db", json);
    const error = (await rejection(provider().get("prod/db#nested"))) as ValidationError;
    expect(error.message).toBe('AWS Secrets Manager secret "prod/db": field "nested" is object, not a string');
  });

  it("a malformed name is rejected before any request", async () => {
    const error = (await rejection(provider().get("prod/db#"))) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues[0]?.code).toBe("invalid_secret_name");
    expect(server.requests).toEqual([]);
  });
});

describe("awsSecretsManager: errors", () => {
  it("ResourceNotFoundException maps to NotFoundError with the AWS fields", async () => {
    const error = (await rejection(provider().get("prod/missing"))) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe(
      'AWS Secrets Manager GetSecretValue for secret "prod/missing": the secret (or the requested version) does not exist (ResourceNotFoundException); check the name, region and version stage',
    );
    expect(error).toMatchObject({
      vendor: "aws-secrets-manager",
      operation: "secrets.get",
      status: 400,
      vendorCode: "ResourceNotFoundException",
      vendorMessage: "Secrets Manager can't find the specified secret.",
      requestId: "req-ResourceNotFoundException",
      retryable: false,
    });
    expect(error.cause).toBeUndefined();
  });

  it("AccessDeniedException maps to ForbiddenError", async () => {
    fake.put("prod/x", "some-secret-value");
    fake.failNext("AccessDeniedException", 400, "User is not authorized to perform: secretsmanager:GetSecretValue");
    const error = (await rejection(provider().get("prod/x"))) as ForbiddenError;
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.vendorCode).toBe("AccessDeniedException");
    expect(error.retryable).toBe(false);
  });

  it("ThrottlingException maps to a retryable RateLimitedError (SDK retries disabled)", async () => {
    fake.put("prod/x", "some-secret-value");
    fake.failNext("ThrottlingException", 400, "Rate exceeded");
    const error = (await rejection(provider({ maxAttempts: 1 }).get("prod/x"))) as RateLimitedError;
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ vendorCode: "ThrottlingException", retryable: true, mayHaveReachedVendor: false });
    expect(server.requests).toHaveLength(1);
  });

  it("InternalServiceError maps to a retryable ServerError", async () => {
    fake.put("prod/x", "some-secret-value");
    fake.failNext("InternalServiceError", 500, "An error occurred on the server side.");
    const error = (await rejection(provider({ maxAttempts: 1 }).get("prod/x"))) as ServerError;
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 500, vendorCode: "InternalServiceError", retryable: true });
  });

  it("rejected AWS credentials map to AuthError", async () => {
    fake.put("prod/x", "some-secret-value");
    const wrong = provider({ credentials: { accessKeyId: "AKIDOTHER", secretAccessKey: "other-secret-key" } });
    const error = (await rejection(wrong.get("prod/x"))) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.vendorCode).toBe("UnrecognizedClientException");
  });

  it("a failed refresh keeps the cached value and caches nothing", async () => {
    fake.put("prod/x", "cached-value-0001");
    const secrets = provider({ maxAttempts: 1 });
    await secrets.get("prod/x");
    fake.failNext("InternalServiceError", 500, "down");
    expect(await rejection(secrets.get("prod/x", { forceRefresh: true }))).toBeInstanceOf(ServerError);
    expect(await secrets.get("prod/x")).toBe("cached-value-0001");
  });

  it("never puts a secret value in an error, even when AWS echoes it", async () => {
    fake.put("prod/x", "echoed-secret-value-42");
    const secrets = provider();
    await secrets.get("prod/x");
    fake.failNext("AccessDeniedException", 400, "denied while reading echoed-secret-value-42");
    const error = (await rejection(secrets.get("prod/x", { forceRefresh: true }))) as IntegrationError;
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.vendorMessage).toBe("denied while reading [REDACTED]");
    const everything = `${error.message} ${error.stack} ${JSON.stringify(error.toJSON())} ${String(error.cause)}`;
    expect(everything).not.toContain("echoed-secret-value-42");
  });

  it("an aborted lookup sends nothing", async () => {
    fake.put("prod/x", "some-secret-value");
    const reason = new Error("shutting down");
    expect(await rejection(provider().get("prod/x", { signal: AbortSignal.abort(reason) }))).toBe(reason);
    expect(server.requests).toEqual([]);
  });

  it("a refused connection maps to NetworkError that provably never reached AWS", async () => {
    const closed = await serveHandlers([]);
    const endpoint = closed.url;
    await closed.close();
    const error = (await rejection(provider({ endpoint, maxAttempts: 1 }).get("prod/x"))) as NetworkError;
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: "ECONNREFUSED", mayHaveReachedVendor: false, retryable: true, vendor: "aws-secrets-manager" });
  });

  it("aborting the only waiter rejects at once with its reason and drops the load; the next lookup fetches afresh", async () => {
    fake.put("prod/x", "some-secret-value");
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    server.use(
      http.post("*/", async () => {
        await held;
        return undefined;
      }, { once: true }),
    );
    const secrets = provider({ maxAttempts: 1 });
    const controller = new AbortController();
    const pending = rejection(secrets.get("prod/x", { signal: controller.signal }));
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    controller.abort(new Error("request cancelled"));
    expect(((await pending) as Error).message).toBe("request cancelled");
    release();
    expect(await secrets.get("prod/x")).toBe("some-secret-value");
    expect(server.requests).toHaveLength(2);
  });

  it("uses a given client as is, passes the abort signal to it, and leaves it open on close()", async () => {
    const sent: Array<{ input: unknown; abortSignal: AbortSignal | undefined }> = [];
    let destroyed = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const client = {
      async send(command: { input: unknown }, options: { abortSignal?: AbortSignal } = {}) {
        sent.push({ input: command.input, abortSignal: options.abortSignal });
        await held;
        return { SecretString: "client-secret-value", $metadata: {} };
      },
      destroy() {
        destroyed += 1;
      },
    } as unknown as SecretsManagerClient;
    const secrets = awsSecretsManager({ client });
    const controller = new AbortController();
    const pending = rejection(secrets.get("prod/x", { signal: controller.signal }));
    controller.abort();
    await pending;
    expect(sent).toHaveLength(1);
    expect(sent[0]?.input).toEqual({ SecretId: "prod/x" });
    expect(sent[0]?.abortSignal?.aborted).toBe(true);
    release();
    expect(await secrets.get("prod/x")).toBe("client-secret-value");
    secrets.close();
    expect(destroyed).toBe(0);
    expect(server.requests).toEqual([]);
  });

  it("region is required unless a client is given", () => {
    expect(() => awsSecretsManager({})).toThrow(ValidationError);
  });
});

describe("awsSecretsManager with the runtime's auth refresh", () => {
  it("a 401 after rotation refreshes the secret from Secrets Manager once and the call succeeds with the new key", async () => {
    fake.put("prod/acme", "acme-key-version-1");
    let accepted = "acme-key-version-1";
    const vendorCalls: string[] = [];
    server.use(
      http.get("*/widgets/:id", ({ request, params }) => {
        const authorization = request.headers.get("authorization") ?? "";
        vendorCalls.push(authorization);
        if (authorization !== `Bearer ${accepted}`) return HttpResponse.json({ error: "invalid api key" }, { status: 401 });
        return HttpResponse.json({ id: params.id, name: "bolt", size: 3 });
      }),
    );
    const key = secretValue(provider(), "prod/acme");
    const runtime = acme(server.url, { auth: bearerAuth(key, () => key.refresh()) });
    try {
      expect(await runtime.run(getWidget, { id: "w1" })).toEqual({ id: "w1", name: "bolt", size: 3 });
      fake.put("prod/acme", "acme-key-version-2");
      accepted = "acme-key-version-2";
      expect(await runtime.run(getWidget, { id: "w2" })).toEqual({ id: "w2", name: "bolt", size: 3 });
    } finally {
      await runtime.close();
    }
    expect(vendorCalls).toEqual(["Bearer acme-key-version-1", "Bearer acme-key-version-1", "Bearer acme-key-version-2"]);
    expect(server.requests.filter((r) => r.headers["x-amz-target"] === "secretsmanager.GetSecretValue")).toHaveLength(2);
  });
});

import { AuthError, createMemoryDeadLetterSink, staticSecrets, type SecretProvider } from "@connect/core";
import { createAuthentisignClient } from "@connect/authentisign";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiRequests, FAST_POLICY, rejection, setup, type Harness } from "./helpers.js";

let h: Harness;
let clock: number;
beforeEach(async () => {
  clock = Date.parse("2030-03-01T12:00:00Z");
  h = await setup({ fake: { now: () => clock }, client: { now: () => clock } });
});
afterEach(async () => {
  await h.close();
});

const tokenCalls = (harness: Harness) => harness.server.requests.filter((r) => r.url === "/oauth/token");

describe("OAuth client credentials", () => {
  it("mints with the documented JSON body and sends the token as Bearer", async () => {
    await h.client.signings.list();
    const [mint] = tokenCalls(h);
    expect(mint!.method).toBe("POST");
    expect(mint!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(mint!.text)).toEqual({ grant_type: "client_credentials", client_id: "fake-client-id", client_secret: "fake-client-secret-0000", audience: "https://api.lwolf.com" });
    const [call] = apiRequests(h.server);
    expect(call!.headers.authorization).toMatch(/^Bearer lwt_[A-Za-z0-9_-]{32}$/);
  });

  it("sends lwt_client_id and a custom audience when configured", async () => {
    const client = createAuthentisignClient({ ...h.options, lwtClientId: "instance-42" });
    await client.signings.list();
    await client.close();
    expect(h.fake.tokenRequests).toEqual([{ grant_type: "client_credentials", client_id: "fake-client-id", audience: "https://api.lwolf.com", lwt_client_id: "instance-42" }]);
  });

  it("reuses the cached token across calls", async () => {
    await h.client.signings.list();
    await h.client.signings.list();
    await h.client.signings.list();
    expect(tokenCalls(h)).toHaveLength(1);
    expect(h.client.tokenFetches).toBe(1);
    expect(new Set(apiRequests(h.server).map((r) => r.headers.authorization)).size).toBe(1);
  });

  it("refreshes shortly before the 24 h expiry (refresh skew), not after a failure", async () => {
    await h.client.signings.list();
    clock += 24 * 3600_000 - 6 * 60_000; // 6 min left: still outside the 5 min skew
    await h.client.signings.list();
    expect(tokenCalls(h)).toHaveLength(1);
    clock += 2 * 60_000; // 4 min left: inside the skew
    await h.client.signings.list();
    expect(tokenCalls(h)).toHaveLength(2);
    const auth = apiRequests(h.server).map((r) => r.headers.authorization);
    expect(auth[0]).toBe(auth[1]);
    expect(auth[2]).not.toBe(auth[1]);
    // No call was rejected first: three calls, three requests.
    expect(apiRequests(h.server)).toHaveLength(3);
  });

  it("20 concurrent calls share one mint", async () => {
    await Promise.all(Array.from({ length: 20 }, () => h.client.signings.list()));
    expect(tokenCalls(h)).toHaveLength(1);
    expect(apiRequests(h.server)).toHaveLength(20);
  });

  it("a 401 (token revoked) refreshes once and the call succeeds", async () => {
    await h.client.signings.list();
    h.fake.expireTokens();
    await expect(h.client.signings.list()).resolves.toEqual([]);
    expect(tokenCalls(h)).toHaveLength(2);
    expect(apiRequests(h.server).map((r) => r.method)).toEqual(["GET", "GET", "GET"]);
  });

  it("a 401 after the refresh too is AuthError, after exactly one refresh", async () => {
    h.fake.failNext({ status: 401, path: "/api/v1/signings", times: 5, body: { type: "https://tools.ietf.org/html/rfc7235#section-3.1", title: "Unauthorized", status: 401, detail: "The access token is missing or invalid.", instance: "/api/v1/signings" } });
    const error = await rejection(h.client.signings.list());
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 401, retryable: false, attempts: 1, vendorMessage: "Unauthorized: The access token is missing or invalid." });
    expect(tokenCalls(h)).toHaveLength(2);
    expect(apiRequests(h.server)).toHaveLength(2);
  });

  it("rejected credentials are AuthError from oauth.token; no API call is made", async () => {
    const client = createAuthentisignClient({ ...h.options, clientSecret: "wrong-secret-value" });
    const error = await rejection(client.signings.list());
    await client.close();
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ operation: "oauth.token", status: 401, vendorCode: "access_denied", vendorMessage: "Unauthorized", attempts: 1 });
    expect(apiRequests(h.server)).toHaveLength(0);
  });

  it("a wrong audience is AuthError naming it", async () => {
    const client = createAuthentisignClient({ ...h.options, audience: "https://api.example.com" });
    const error = await rejection(client.signings.list());
    await client.close();
    expect(error).toMatchObject({ name: "AuthError", status: 403, vendorMessage: "Service not enabled within domain: https://api.example.com" });
  });

  it("a token endpoint 503 is retried like any idempotent call", async () => {
    h.fake.failNext({ status: 503, path: "/oauth/token", times: 2 });
    await expect(h.client.signings.list()).resolves.toEqual([]);
    expect(tokenCalls(h)).toHaveLength(3);
  });

  it("reads the secret from a SecretProvider and re-reads it with forceRefresh once when it was rotated", async () => {
    const calls: Array<{ name: string; force: boolean }> = [];
    let current = "old-rotated-away-secret";
    const secrets: SecretProvider = {
      async get(name, options) {
        calls.push({ name, force: options?.forceRefresh === true });
        if (options?.forceRefresh) current = h.fake.clientSecret;
        return current;
      },
    };
    const client = createAuthentisignClient({ ...h.options, clientSecret: secrets });
    await expect(client.signings.list()).resolves.toEqual([]);
    await client.close();
    expect(calls).toEqual([
      { name: "AUTHENTISIGN_CLIENT_SECRET", force: false },
      { name: "AUTHENTISIGN_CLIENT_SECRET", force: true },
    ]);
    expect(tokenCalls(h)).toHaveLength(2);
  });

  it("sends lw-subscription-key on API calls when configured (and the fake refuses calls without it)", async () => {
    await h.close();
    h = await setup({ fake: { subscriptionKey: "sub-key-123456" }, client: { subscriptionKey: "sub-key-123456" } });
    await h.client.signings.list();
    expect(apiRequests(h.server)[0]!.headers["lw-subscription-key"]).toBe("sub-key-123456");
    const without = createAuthentisignClient({ ...h.options, subscriptionKey: undefined });
    await expect(without.signings.list()).rejects.toBeInstanceOf(AuthError);
    await without.close();
  });

  it("the client secret and tokens never reach errors, log lines or dead letters", async () => {
    const secret = "vault-secret-9f8e7d6c5b4a";
    const lines: unknown[] = [];
    const log = (obj: Record<string, unknown>, msg?: string) => lines.push({ obj, msg });
    const deadLetters = createMemoryDeadLetterSink();
    await h.close();
    h = await setup({ fake: { clientSecret: secret } });
    const client = createAuthentisignClient({
      ...h.options,
      clientSecret: staticSecrets({ AUTHENTISIGN_CLIENT_SECRET: secret }),
      telemetry: { logger: { debug: log, info: log, warn: log, error: log } },
      deadLetters,
      policy: FAST_POLICY,
    });
    await client.signings.list();
    const token = apiRequests(h.server)[0]!.headers.authorization!.slice(7);
    // A 503 whose body echoes both the secret and the token.
    h.fake.failNext({ status: 503, times: 5, body: { code: 503, message: `echo ${secret} ${token}`, details: [] } });
    const error = await rejection(client.signings.get({ signingId: "any" }));
    await client.close();
    const letters = await deadLetters.list();
    expect(letters).toHaveLength(1);
    expect(lines.length).toBeGreaterThan(0);
    for (const text of [JSON.stringify((error as AuthError).toJSON()), (error as Error).message, JSON.stringify(lines), JSON.stringify(letters)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(token);
    }
    expect((error as AuthError).vendorMessage).toBe("echo [REDACTED] [REDACTED]");
  });
});

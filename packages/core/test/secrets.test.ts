/**
 * Issue 3: secret providers — env, static, the TTL cache with single-flight and forced
 * refresh, withRotation and secretValue.
 */
import { describe, expect, it } from "vitest";
import { bearerAuth } from "../src/auth.js";
import { AuthError, IntegrationError, NotFoundError, ValidationError } from "../src/errors.js";
import type { HttpRequest } from "../src/http.js";
import { REDACTED, redactText } from "../src/redact.js";
import {
  cachedSecrets,
  envSecrets,
  secretValue,
  staticSecrets,
  toEnvVariableName,
  withRotation,
  type SecretGetOptions,
  type SecretProvider,
} from "../src/secrets/index.js";

/** A source whose value can be rotated and whose loads can be held open, recording every call. */
function controllableSource(initial: string) {
  let value = initial;
  let hold: Promise<void> | undefined;
  let failWith: unknown;
  const calls: Array<{ name: string; forceRefresh: boolean | undefined; signal: AbortSignal | undefined }> = [];
  const provider: SecretProvider = {
    async get(name: string, options?: SecretGetOptions) {
      calls.push({ name, forceRefresh: options?.forceRefresh, signal: options?.signal });
      if (hold) await hold;
      if (failWith !== undefined) throw failWith;
      return `${value}:${name}`;
    },
  };
  return {
    provider,
    calls,
    rotate(next: string) {
      value = next;
    },
    fail(error: unknown) {
      failWith = error;
    },
    /** Hold every load until the returned release() is called. */
    holdLoads() {
      let release!: () => void;
      hold = new Promise<void>((resolve) => (release = resolve));
      return () => {
        hold = undefined;
        release();
      };
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

describe("envSecrets", () => {
  it("reads prefix + upper-snake name from the given environment and registers the value for redaction", async () => {
    const secrets = envSecrets({ prefix: "CONNECT_", env: { CONNECT_TWILIO_AUTH_TOKEN: "env-token-1a2b3c" } });
    expect(await secrets.get("twilio.auth-token")).toBe("env-token-1a2b3c");
    expect(redactText("vendor echoed env-token-1a2b3c back")).toBe(`vendor echoed ${REDACTED} back`);
  });

  it("maps names to variables by upper-casing and replacing other characters with _", () => {
    expect(toEnvVariableName("qbo/client-secret.v2")).toBe("QBO_CLIENT_SECRET_V2");
    expect(toEnvVariableName("ALREADY_SNAKE")).toBe("ALREADY_SNAKE");
  });

  it("reads the environment at lookup time, so a changed variable is picked up", async () => {
    const env: Record<string, string | undefined> = { API_KEY: "first-value-111" };
    const secrets = envSecrets({ env });
    expect(await secrets.get("api-key")).toBe("first-value-111");
    env.API_KEY = "second-value-222";
    expect(await secrets.get("api-key")).toBe("second-value-222");
  });

  it("uses a custom variableName mapping", async () => {
    const secrets = envSecrets({ env: { "lower.case": "mapped-value-9" }, variableName: (name) => name.toLowerCase() });
    expect(await secrets.get("LOWER.CASE")).toBe("mapped-value-9");
  });

  it("rejects a missing variable with a ValidationError naming the variable (not an AuthError)", async () => {
    const error = await rejection(envSecrets({ prefix: "APP_", env: {} }).get("sendgrid.api-key"));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).not.toBeInstanceOf(AuthError);
    const v = error as ValidationError;
    expect(v.message).toBe('Secret "sendgrid.api-key": environment variable APP_SENDGRID_API_KEY is not set; set it before starting the host');
    expect(v.issues).toEqual([{ path: "APP_SENDGRID_API_KEY", message: "is not set", code: "missing_secret" }]);
    expect(v.retryable).toBe(false);
  });

  it("treats an empty variable as missing", async () => {
    const error = (await rejection(envSecrets({ env: { TOKEN: "" } }).get("token"))) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ path: "TOKEN", message: "is empty", code: "missing_secret" }]);
  });

  it("rejects an empty name and an already-aborted signal before reading", async () => {
    const secrets = envSecrets({ env: { X: "value-xxxxxx" } });
    const bad = (await rejection(secrets.get(""))) as ValidationError;
    expect(bad).toBeInstanceOf(ValidationError);
    expect(bad.issues).toEqual([{ path: "name", message: "must be a non-empty string", code: "invalid_secret_name" }]);
    const reason = new Error("stop");
    expect(await rejection(secrets.get("x", { signal: AbortSignal.abort(reason) }))).toBe(reason);
  });
});

describe("staticSecrets", () => {
  it("returns configured values and registers them for redaction before the first lookup", async () => {
    const secrets = staticSecrets({ "bpo.password": "static-pw-7f7f7f", "bpo.user": "svc-user" });
    expect(redactText("login failed for static-pw-7f7f7f")).toBe(`login failed for ${REDACTED}`);
    expect(await secrets.get("bpo.password")).toBe("static-pw-7f7f7f");
  });

  it("rejects an unknown name with a ValidationError listing configured names, never values", async () => {
    const secrets = staticSecrets({ "b.key": "static-value-bbbbbb", "a.key": "static-value-aaaaaa" });
    const error = (await rejection(secrets.get("c.key"))) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe('Secret "c.key" is not configured (configured secrets: a.key, b.key)');
    expect(error.issues).toEqual([{ path: "c.key", message: "not configured", code: "missing_secret" }]);
    expect(JSON.stringify(error.toJSON())).not.toContain("static-value");
  });

  it("rejects a non-string value at construction", () => {
    expect(() => staticSecrets({ n: 42 as unknown as string })).toThrow(ValidationError);
  });
});

describe("cachedSecrets", () => {
  it("serves a value from the cache within the TTL and reloads once it expires", async () => {
    let t = 1_000;
    const source = controllableSource("v1");
    const secrets = cachedSecrets(source.provider, { ttlMs: 60_000, now: () => t });
    expect(await secrets.get("k")).toBe("v1:k");
    source.rotate("v2");
    t += 59_999;
    expect(await secrets.get("k")).toBe("v1:k");
    expect(source.calls).toHaveLength(1);
    t += 1;
    expect(await secrets.get("k")).toBe("v2:k");
    expect(source.calls.map((c) => c.forceRefresh)).toEqual([false, false]);
  });

  it("defaults to a five-minute TTL", async () => {
    let t = 0;
    const source = controllableSource("v1");
    const secrets = cachedSecrets(source.provider, { now: () => t });
    await secrets.get("k");
    t = 299_999;
    await secrets.get("k");
    expect(source.calls).toHaveLength(1);
    t = 300_000;
    await secrets.get("k");
    expect(source.calls).toHaveLength(2);
  });

  it("shares one load between concurrent lookups of the same name (single-flight), not across names", async () => {
    const source = controllableSource("v1");
    const secrets = cachedSecrets(source.provider);
    const release = source.holdLoads();
    const pending = [secrets.get("a"), secrets.get("a"), secrets.get("a"), secrets.get("b"), secrets.get("a", { forceRefresh: true })];
    release();
    expect(await Promise.all(pending)).toEqual(["v1:a", "v1:a", "v1:a", "v1:b", "v1:a"]);
    expect(source.calls.map((c) => c.name)).toEqual(["a", "b"]);
  });

  it("forceRefresh bypasses the cache, tells the source to refresh and replaces the cached value", async () => {
    const source = controllableSource("old");
    const secrets = cachedSecrets(source.provider, { ttlMs: 60_000, now: () => 0 });
    expect(await secrets.get("k")).toBe("old:k");
    source.rotate("new");
    expect(await secrets.get("k")).toBe("old:k");
    expect(await secrets.get("k", { forceRefresh: true })).toBe("new:k");
    expect(await secrets.get("k")).toBe("new:k");
    expect(source.calls.map((c) => c.forceRefresh)).toEqual([false, true]);
    expect(secrets.peek("k")).toBe("new:k");
  });

  it("a failed load caches nothing, reaches every waiter and keeps the previous value", async () => {
    const source = controllableSource("v1");
    const secrets = cachedSecrets(source.provider, { ttlMs: 60_000, now: () => 0 });
    await secrets.get("k");
    const failure = new NotFoundError("gone");
    source.fail(failure);
    const release = source.holdLoads();
    const a = rejection(secrets.get("k", { forceRefresh: true }));
    const b = rejection(secrets.get("k", { forceRefresh: true }));
    release();
    expect(await a).toBe(failure);
    expect(await b).toBe(failure);
    expect(await secrets.get("k")).toBe("v1:k");
    expect(source.calls).toHaveLength(2);
  });

  it("ttlMs 0 disables caching but keeps single-flight; a negative TTL is rejected", async () => {
    const source = controllableSource("v1");
    const secrets = cachedSecrets(source.provider, { ttlMs: 0 });
    await secrets.get("k");
    await secrets.get("k");
    expect(source.calls).toHaveLength(2);
    expect(secrets.peek("k")).toBeUndefined();
    expect(() => cachedSecrets(source.provider, { ttlMs: -1 })).toThrow(ValidationError);
  });

  it("an aborted waiter leaves the shared load running for the others", async () => {
    const source = controllableSource("v1");
    const secrets = cachedSecrets(source.provider);
    const release = source.holdLoads();
    const controller = new AbortController();
    const abandoned = rejection(secrets.get("k", { signal: controller.signal }));
    const kept = secrets.get("k");
    controller.abort(new Error("caller gave up"));
    expect(((await abandoned) as Error).message).toBe("caller gave up");
    expect(source.calls[0]?.signal?.aborted).toBe(false);
    release();
    expect(await kept).toBe("v1:k");
    expect(source.calls).toHaveLength(1);
  });

  it("when every waiter aborts, the load is cancelled and the next lookup starts a new one", async () => {
    const source = controllableSource("v1");
    const secrets = cachedSecrets(source.provider);
    const release = source.holdLoads();
    const c1 = new AbortController();
    const c2 = new AbortController();
    const r1 = rejection(secrets.get("k", { signal: c1.signal }));
    const r2 = rejection(secrets.get("k", { signal: c2.signal }));
    c1.abort();
    expect(source.calls[0]?.signal?.aborted).toBe(false);
    c2.abort();
    expect(source.calls[0]?.signal?.aborted).toBe(true);
    expect(((await r1) as DOMException).name).toBe("AbortError");
    expect(((await r2) as DOMException).name).toBe("AbortError");
    release();
    expect(await secrets.get("k")).toBe("v1:k");
    expect(source.calls).toHaveLength(2);
  });

  it("invalidate drops a cached value; values are registered for redaction", async () => {
    const source = controllableSource("cached-secret-value");
    const secrets = cachedSecrets(source.provider, { ttlMs: 60_000, now: () => 0 });
    await secrets.get("k");
    expect(redactText("x cached-secret-value:k y")).toBe(`x ${REDACTED} y`);
    secrets.invalidate("k");
    expect(secrets.peek("k")).toBeUndefined();
    await secrets.get("k");
    expect(source.calls).toHaveLength(2);
  });

  it("rejects a source that returns a non-string", async () => {
    const secrets = cachedSecrets({ get: async () => undefined as unknown as string });
    const error = (await rejection(secrets.get("k"))) as IntegrationError;
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error.message).toBe('Secret "k": the provider returned undefined, not a string');
  });
});

describe("withRotation", () => {
  /** A vendor that accepts exactly one credential, recording what it was called with. */
  function vendor(accepted: () => string) {
    const seen: string[] = [];
    const call = async (secret: string) => {
      seen.push(secret);
      if (secret !== accepted()) throw new AuthError(`rejected credential ${secret}`, { vendor: "acme", status: 401 });
      return `ok with ${secret}`;
    };
    return { seen, call };
  }

  it("uses the cached secret and does not refresh when the call succeeds", async () => {
    const source = controllableSource("v1");
    const secrets = cachedSecrets(source.provider);
    const acme = vendor(() => "v1:key");
    expect(await withRotation(secrets, "key", acme.call)).toBe("ok with v1:key");
    expect(acme.seen).toEqual(["v1:key"]);
    expect(source.calls.map((c) => c.forceRefresh)).toEqual([false]);
  });

  it("after an AuthError refreshes exactly once and retries with the rotated secret", async () => {
    const source = controllableSource("v1");
    const secrets = cachedSecrets(source.provider);
    await secrets.get("key");
    source.rotate("v2");
    const acme = vendor(() => "v2:key");
    expect(await withRotation(secrets, "key", acme.call)).toBe("ok with v2:key");
    expect(acme.seen).toEqual(["v1:key", "v2:key"]);
    expect(source.calls.map((c) => c.forceRefresh)).toEqual([false, true]);
    expect(secrets.peek("key")).toBe("v2:key");
  });

  it("a second AuthError propagates after one refresh", async () => {
    const source = controllableSource("v1");
    const secrets = cachedSecrets(source.provider);
    await secrets.get("key");
    source.rotate("v2");
    const acme = vendor(() => "v3:key");
    const error = (await rejection(withRotation(secrets, "key", acme.call))) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toBe(`rejected credential ${REDACTED}`);
    expect(acme.seen).toEqual(["v1:key", "v2:key"]);
    expect(source.calls.map((c) => c.forceRefresh)).toEqual([false, true]);
  });

  it("rethrows the first AuthError without a second call when the source has not rotated", async () => {
    const source = controllableSource("v1");
    const secrets = cachedSecrets(source.provider);
    const first = new AuthError("expired");
    let calls = 0;
    const error = await rejection(
      withRotation(secrets, "key", async () => {
        calls += 1;
        throw first;
      }),
    );
    expect(error).toBe(first);
    expect(calls).toBe(1);
    expect(source.calls.map((c) => c.forceRefresh)).toEqual([false, true]);
  });

  it("does not refresh on errors other than AuthError", async () => {
    const source = controllableSource("v1");
    const secrets = cachedSecrets(source.provider);
    const boom = new NotFoundError("no such invoice");
    expect(await rejection(withRotation(secrets, "key", async () => Promise.reject(boom)))).toBe(boom);
    expect(source.calls).toHaveLength(1);
  });

  it("concurrent callers rejected with the same stale secret share one refresh", async () => {
    const source = controllableSource("v1");
    const secrets = cachedSecrets(source.provider);
    await secrets.get("key");
    source.rotate("v2");
    const acme = vendor(() => "v2:key");
    const results = await Promise.all(Array.from({ length: 5 }, () => withRotation(secrets, "key", acme.call)));
    expect(results).toEqual(Array(5).fill("ok with v2:key"));
    expect(source.calls.map((c) => c.forceRefresh)).toEqual([false, true]);
  });

  it("uses a value another caller already refreshed instead of fetching again", async () => {
    const source = controllableSource("v1");
    const secrets = cachedSecrets(source.provider);
    await secrets.get("key");
    source.rotate("v2");
    const acme = vendor(() => "v2:key");
    const result = await withRotation(secrets, "key", async (secret) => {
      // Another worker hit the AuthError first and refreshed while this call was in flight.
      if (secret === "v1:key") await secrets.get("key", { forceRefresh: true });
      return acme.call(secret);
    });
    expect(result).toBe("ok with v2:key");
    expect(acme.seen).toEqual(["v1:key", "v2:key"]);
    expect(source.calls.map((c) => c.forceRefresh)).toEqual([false, true]);
  });

  it("works with an uncached provider by fetching again with forceRefresh", async () => {
    const env: Record<string, string | undefined> = { KEY: "env-old-value-1" };
    const acme = vendor(() => "env-new-value-2");
    const secrets = envSecrets({ env });
    const result = await withRotation(secrets, "key", async (secret) => {
      env.KEY = "env-new-value-2";
      return acme.call(secret);
    });
    expect(result).toBe("ok with env-new-value-2");
    expect(acme.seen).toEqual(["env-old-value-1", "env-new-value-2"]);
  });
});

describe("secretValue", () => {
  it("wraps a literal and registers it for redaction", async () => {
    const value = secretValue("literal-key-12345", "api-key");
    expect(await value()).toBe("literal-key-12345");
    expect(redactText("literal-key-12345")).toBe(REDACTED);
  });

  it("resolves through a provider and refresh() forces a new fetch, e.g. as a bearerAuth refresh", async () => {
    const source = controllableSource("tok1");
    const secrets = cachedSecrets(source.provider);
    const token = secretValue(secrets, "api");
    const auth = bearerAuth(token, () => token.refresh());
    const request: HttpRequest = { method: "GET", path: "/x" };
    const first = await auth.apply(request, {} as never);
    expect(first.headers?.authorization).toBe("Bearer tok1:api");
    source.rotate("tok2");
    expect((await auth.apply(request, {} as never)).headers?.authorization).toBe("Bearer tok1:api");
    await auth.refresh?.({} as never);
    expect((await auth.apply(request, {} as never)).headers?.authorization).toBe("Bearer tok2:api");
    expect(source.calls.map((c) => c.forceRefresh)).toEqual([false, true]);
  });

  it("after refresh() the next read asks even a provider without a cache for a fresh value", async () => {
    const calls: Array<SecretGetOptions | undefined> = [];
    const plain: SecretProvider = {
      async get(_name, options) {
        calls.push(options);
        return options?.forceRefresh ? "rotated-key-2" : "stale-key-1";
      },
    };
    const key = secretValue(plain, "api");
    expect(await key()).toBe("stale-key-1");
    await key.refresh();
    expect(await key()).toBe("rotated-key-2");
    expect(await key()).toBe("stale-key-1");
    expect(calls).toEqual([undefined, { forceRefresh: true }, undefined]);
  });

  it("rejects an empty name", () => {
    expect(() => secretValue("x", "")).toThrow(ValidationError);
  });
});

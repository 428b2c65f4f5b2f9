/**
 * Distributed mode: two "workers" (each its own Redis connection, token store, OAuth helper and
 * client) share one grant through core's Redis token store. Runs when REDIS_URL is set, as the
 * rest of the repository's Redis tests (CI sets it).
 */
import { randomUUID } from "node:crypto";
import { AuthError } from "@connect/core";
import { connectRedis, createRedisTokenStore, type RedisClient, type RedisTokenStore } from "@connect/core/redis";
import { FAST_TEST_POLICY, serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { createXeroClient, createXeroOAuth, type XeroClient, type XeroOAuth } from "@connect/xero";
import { createXeroFake, type XeroFake } from "@connect/xero/testing";
import { afterEach, describe, expect, it } from "vitest";

const REDIS_URL = process.env.REDIS_URL;
const REDIRECT_URI = "https://lender.test/xero/callback";

describe.skipIf(!REDIS_URL)("grant shared through the Redis token store", () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function worker(fake: XeroFake, server: ServedHandlers, prefix: string, now: () => number): Promise<{ redis: RedisClient; store: RedisTokenStore; oauth: XeroOAuth; client: XeroClient }> {
    const redis = await connectRedis(REDIS_URL!);
    const store = createRedisTokenStore({ redis, prefix });
    const { baseUrl, oauthEndpoints } = fake.endpoints(server.url);
    const oauth = createXeroOAuth({ clientId: fake.clientId, clientSecret: fake.clientSecret, redirectUri: REDIRECT_URI, tokens: store, endpoints: oauthEndpoints, now });
    const client = createXeroClient({ tenantId: fake.tenants[0]!.tenantId, grantId: "user-1", oauth, baseUrl, policy: FAST_TEST_POLICY, limits: false, now });
    cleanup.push(async () => {
      await client.close();
      await oauth.close();
      await store.close();
      await redis.quit();
    });
    return { redis, store, oauth, client };
  }

  it("an expired access token causes one refresh across both workers, which both then use; invalid_grant later reaches both", async () => {
    const clock = { now: Date.UTC(2026, 2, 2, 12) };
    const now = (): number => clock.now;
    const fake = createXeroFake({ now });
    const server = await serveHandlers(fake.handlers);
    cleanup.push(() => server.close());
    const prefix = `test:xero:${randomUUID().slice(0, 8)}:`;
    const a = await worker(fake, server, prefix, now);
    const b = await worker(fake, server, prefix, now);
    await a.oauth.connect({ url: fake.authorize({ redirectUri: REDIRECT_URI, state: "s" }), expectedState: "s", grantId: "user-1" });
    fake.tokenRequests.length = 0;

    clock.now += 31 * 60_000;
    await Promise.all([a.client.contacts.list({ page: 1 }), b.client.contacts.list({ page: 1 }), a.client.contacts.list({ page: 1 }), b.client.contacts.list({ page: 1 })]);
    expect(fake.tokenRequests).toEqual([{ grantType: "refresh_token", status: 200 }]);
    const stored = (await b.store.get("xero:user-1"))!;
    const used = new Set(server.requests.filter((r) => r.url.startsWith("/api.xro/2.0/")).map((r) => r.headers.authorization));
    expect([...used]).toEqual([`Bearer ${stored.accessToken}`]);

    fake.expireRefreshTokens();
    clock.now += 31 * 60_000;
    const errors = await Promise.all([a.client.contacts.list({ page: 1 }).catch((e: unknown) => e), b.client.contacts.list({ page: 1 }).catch((e: unknown) => e)]);
    for (const error of errors) expect(error).toMatchObject({ name: "AuthError", vendorCode: "invalid_grant" });
    expect(errors[0]).toBeInstanceOf(AuthError);
    expect(fake.tokenRequests.filter((r) => r.status === 400)).toHaveLength(1);
  });
});

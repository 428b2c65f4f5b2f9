import { ValidationError } from "@connect/core";
import { afterEach, describe, expect, it } from "vitest";
import { rejection, requestsTo, setup, type Harness } from "./helpers.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("base URI discovery (userinfo)", () => {
  it("without basePath, asks userinfo once, uses the default account's base_uri + /restapi and caches it", async () => {
    h = await setup();
    const client = h.newClient({ basePath: undefined, accountId: undefined });
    const account = await client.account();
    await client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    await client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });

    expect(account).toEqual({ accountId: h.fake.accountId, basePath: `${h.server.url}/restapi` });
    expect(h.fake.userInfoRequests).toBe(1);
    const calls = requestsTo(h.server, "/envelopes");
    expect(calls.map((c) => c.url.split("?")[0])).toEqual([`/restapi/v2.1/accounts/${h.fake.accountId}/envelopes`, `/restapi/v2.1/accounts/${h.fake.accountId}/envelopes`]);
    expect(requestsTo(h.server, "/oauth/userinfo")[0]!.headers.authorization).toMatch(/^Bearer /);
  });

  it("concurrent first calls share one userinfo request", async () => {
    h = await setup();
    const client = h.newClient({ basePath: undefined, accountId: undefined });
    await Promise.all(Array.from({ length: 10 }, () => client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" })));
    expect(h.fake.userInfoRequests).toBe(1);
    expect(h.fake.tokenRequests).toBe(1);
  });

  it("a configured accountId picks that account from userinfo", async () => {
    h = await setup();
    const client = h.newClient({ basePath: undefined, accountId: h.fake.accountId });
    expect(await client.account()).toEqual({ accountId: h.fake.accountId, basePath: `${h.server.url}/restapi` });
  });

  it("an accountId the user does not belong to is a ValidationError listing the user's accounts; no REST call", async () => {
    h = await setup();
    const client = h.newClient({ basePath: undefined, accountId: "00000000-0000-4000-8000-000000000000" });
    const error = (await rejection(client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" }))) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain(h.fake.accountId);
    expect(error.issues).toEqual([{ path: "accountId", message: "not an account of the authenticated user" }]);
    expect(h.server.requests.filter((r) => r.url.includes("/restapi/"))).toHaveLength(0);
  });

  it("userInfo() returns the typed answer and refresh asks again", async () => {
    h = await setup();
    const info = await h.client.userInfo();
    expect(info.accounts).toEqual([{ account_id: h.fake.accountId, is_default: true, account_name: "Acme Lending", base_uri: h.server.url }]);
    expect(info.sub).toBe(h.fake.userId);
    await h.client.userInfo();
    await h.client.userInfo({ refresh: true });
    expect(h.fake.userInfoRequests).toBe(2);
  });

  it("a failed discovery is not cached: the next call tries again", async () => {
    h = await setup();
    h.fake.failNext({ status: 500, path: "/oauth/userinfo", times: 3 });
    const client = h.newClient({ basePath: undefined, accountId: undefined });
    await rejection(client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" }));
    const page = await client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" });
    expect(page.totalSetSize).toBe(0);
    expect(requestsTo(h.server, "/oauth/userinfo")).toHaveLength(4);
  });

  it("bad input is refused before discovery (no request at all)", async () => {
    h = await setup();
    const client = h.newClient({ basePath: undefined, accountId: undefined });
    await expect(client.envelopes.get({ envelopeId: "" })).rejects.toBeInstanceOf(ValidationError);
    expect(h.server.requests).toHaveLength(0);
  });
});

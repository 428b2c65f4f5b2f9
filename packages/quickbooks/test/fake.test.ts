import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { createQuickBooksFake, type QuickBooksFake } from "@connect/quickbooks/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// The fake refuses what QuickBooks refuses, independently of the client's own validation,
// so raw requests are sent here.
let fake: QuickBooksFake;
let server: ServedHandlers;
let token: string;
const NOW = Date.UTC(2026, 0, 5);
let clock = NOW;
beforeEach(async () => {
  clock = NOW;
  fake = createQuickBooksFake({ now: () => clock });
  server = await serveHandlers(fake.handlers);
  token = fake.issueTokens().access_token;
});
afterEach(async () => {
  await server.close();
});

async function call(method: string, path: string, body?: unknown, auth = `Bearer ${token}`) {
  const response = await fetch(`${server.url}/v3/company/${fake.realmId}${path}`, { method, headers: { authorization: auth, accept: "application/json", "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

describe("QuickBooks fake", () => {
  it("answers 401 in Intuit's lower-case shape with www-authenticate for an expired token", async () => {
    clock += 3601_000;
    const result = await call("GET", `/companyinfo/${fake.realmId}`);
    expect(result.status).toBe(401);
    expect(result.headers.get("www-authenticate")).toBe('Bearer realm="Intuit", error="invalid_token"');
    expect(result.body.fault).toEqual({ error: [{ message: "message=AuthenticationFailed; errorCode=003200; statusCode=401", detail: "Token expired: the access token has expired", code: "3200", element: null }], type: "AUTHENTICATION" });
  });

  it("replays the original answer for a repeated requestid without executing again", async () => {
    const first = await call("POST", "/customer?requestid=abc&minorversion=75", { DisplayName: "A" });
    const second = await call("POST", "/customer?requestid=abc&minorversion=75", { DisplayName: "A" });
    expect(second).toMatchObject({ status: 200, body: { Customer: first.body.Customer } });
    expect(fake.rows("Customer").filter((c) => c.DisplayName === "A")).toHaveLength(1);
    const replayedError = await call("POST", "/customer?requestid=abc&minorversion=75", { DisplayName: "B" });
    expect(replayedError.body.Customer.DisplayName).toBe("A");
  });

  it("refuses an update without SyncToken, an unknown entity, delete on a customer and a non-JSON body", async () => {
    const created = (await call("POST", "/customer", { DisplayName: "A" })).body.Customer;
    expect((await call("POST", "/customer", { Id: created.Id, DisplayName: "B" })).body.Fault.Error[0].code).toBe("2020");
    expect((await call("POST", "/widget", {})).body.Fault.Error[0].code).toBe("500");
    expect((await call("POST", "/customer?operation=delete", { Id: created.Id, SyncToken: "0" })).body.Fault.Error[0].code).toBe("500");
    const raw = await fetch(`${server.url}/v3/company/${fake.realmId}/customer`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: "<Customer/>" });
    expect(raw.status).toBe(400);
  });

  it("serves query pages with startPosition/maxResults = rows returned, {} for none, and hides inactive names", async () => {
    for (let i = 0; i < 5; i += 1) fake.insert("Customer", { DisplayName: `C${i}`, Active: i !== 4 });
    const page = await call("GET", `/query?query=${encodeURIComponent("select * from Customer STARTPOSITION 3 MAXRESULTS 10")}`);
    expect(page.body.QueryResponse).toMatchObject({ startPosition: 3, maxResults: 2 });
    expect(page.body.QueryResponse.Customer.map((c: { DisplayName: string }) => c.DisplayName)).toEqual(["C2", "C3"]);
    const none = await call("GET", `/query?query=${encodeURIComponent("SELECT * FROM Invoice")}`);
    expect(none.body.QueryResponse).toEqual({});
  });

  it("rotates refresh tokens, honours a superseded one for 24 h, then refuses it; revoke ends the grant", async () => {
    const basic = `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString("base64")}`;
    const refresh = async (refreshToken: string) => {
      const response = await fetch(`${server.url}/oauth2/v1/tokens/bearer`, { method: "POST", headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" }, body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(refreshToken)}` });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    };
    const original = fake.liveRefreshTokens()[0]!;
    const next = await refresh(original);
    expect(next.status).toBe(200);
    expect(next.body.refresh_token).not.toBe(original);
    expect((await refresh(original)).body.refresh_token).toBe(next.body.refresh_token);
    clock += 24 * 3600_000 + 1000;
    expect(await refresh(original)).toEqual({ status: 400, body: { error: "invalid_grant" } });
    const revoke = await fetch(`${server.url}/v2/oauth2/tokens/revoke`, { method: "POST", headers: { authorization: basic, "content-type": "application/json" }, body: JSON.stringify({ token: next.body.refresh_token }) });
    expect(revoke.status).toBe(200);
    expect((await refresh(next.body.refresh_token)).body).toEqual({ error: "invalid_grant" });
  });

  it("scripted failures apply once and reset() forgets entities, tokens and scripts", async () => {
    fake.failNext({ status: 503, path: "/companyinfo" });
    expect((await call("GET", `/companyinfo/${fake.realmId}`)).status).toBe(503);
    expect((await call("GET", `/companyinfo/${fake.realmId}`)).status).toBe(200);
    await call("POST", "/customer", { DisplayName: "A" });
    fake.failNext({ status: 500 });
    fake.reset();
    expect(fake.rows("Customer")).toEqual([]);
    expect(fake.rows("Item").map((i) => i.Name)).toEqual(["Services", "Construction Draw"]);
    expect((await call("GET", `/companyinfo/${fake.realmId}`)).status).toBe(401);
  });
});

import { NOT_IMPLEMENTED_HEADER, serveHandlers, type ServedHandlers } from "@connect/core/testing";
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

  it("refuses an update without SyncToken, delete on a customer and a non-JSON body", async () => {
    const created = (await call("POST", "/customer", { DisplayName: "A" })).body.Customer;
    expect((await call("POST", "/customer", { Id: created.Id, DisplayName: "B" })).body.Fault.Error[0].code).toBe("2020");
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

  // node-quickbooks 2.0.50 builds every query as `select * from <entity lower-cased> … startposition n maxresults m`
  // (index.js module.query / criteriaToString); QuickBooks reads the entity and keywords in any case.
  it("reads node-quickbooks' lower-case queries like the canonical ones, rows under the canonical entity name", async () => {
    for (const name of ["Alpha", "Beta", "Gamma"]) fake.insert("Customer", { DisplayName: name });
    const query = async (statement: string) => (await call("GET", `/query?query=${encodeURIComponent(statement)}&minorversion=75`)).body.QueryResponse;
    const lower = await query("select * from customer where DisplayName = 'Beta' startposition 1 maxresults 1000");
    expect(lower.Customer.map((c: { DisplayName: string }) => c.DisplayName)).toEqual(["Beta"]);
    expect(Object.keys(lower).sort()).toEqual(["Customer", "maxResults", "startPosition"]);
    expect(await query("SELECT * FROM Customer WHERE DisplayName = 'Beta'")).toEqual(lower);
    expect((await query("select * from customer orderby DisplayName desc startposition 2 maxresults 1")).Customer[0].DisplayName).toBe("Beta");
    expect(await query("select count(*) from customer startposition 1 maxresults 1000")).toEqual({ totalCount: 3 });
  });

  it("takes POST /{entity}?operation=update (node-quickbooks' form): sparse keeps other fields, full clears them, a stale SyncToken is Fault 5010", async () => {
    const created = (await call("POST", "/customer", { DisplayName: "A", CompanyName: "A Co", Notes: "keep" })).body.Customer;
    const sparse = await call("POST", "/customer?operation=update&minorversion=75", { Id: created.Id, SyncToken: "0", sparse: true, Notes: "changed" });
    expect(sparse.body.Customer).toMatchObject({ Id: created.Id, SyncToken: "1", DisplayName: "A", CompanyName: "A Co", Notes: "changed" });
    const full = await call("POST", "/customer?operation=update", { Id: created.Id, SyncToken: "1", sparse: false, DisplayName: "A" });
    expect(full.body.Customer.SyncToken).toBe("2");
    expect(full.body.Customer.CompanyName).toBeUndefined();
    const stale = await call("POST", "/customer?operation=update", { Id: created.Id, SyncToken: "1", sparse: true, Notes: "late" });
    expect(stale.status).toBe(400);
    expect(stale.body.Fault).toMatchObject({ type: "ValidationFault", Error: [{ code: "5010", Message: "Stale Object Error" }] });
    expect(fake.get("Customer", created.Id).Notes).toBeUndefined();
  });

  it("revokes with a form-encoded token= body (node-quickbooks revokeAccess) as with JSON {token} (intuit-oauth revoke)", async () => {
    const basic = `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString("base64")}`;
    const revoke = (body: string, contentType: string) => fetch(`${server.url}/v2/oauth2/tokens/revoke`, { method: "POST", headers: { authorization: basic, "content-type": contentType }, body });
    expect((await revoke(`token=${encodeURIComponent(fake.liveRefreshTokens()[0]!)}`, "application/x-www-form-urlencoded")).status).toBe(200);
    expect(fake.liveRefreshTokens()).toEqual([]);
    expect((await call("GET", `/companyinfo/${fake.realmId}`)).status).toBe(401);
    expect((await revoke("token=", "application/x-www-form-urlencoded")).status).toBe(400);
    expect((await revoke("{}", "application/json")).status).toBe(400);
  });

  it("answers a QuickBooks endpoint it lacks with core's 501 naming the fake, but only after the 401 an unauthenticated call gets", async () => {
    const report = await call("GET", "/reports/BalanceSheet?minorversion=75");
    expect(report.status).toBe(501);
    expect(report.headers.get(NOT_IMPLEMENTED_HEADER)).toBe("@connect/quickbooks/testing");
    const path = `/v3/company/${fake.realmId}/reports/BalanceSheet`;
    expect(report.body).toEqual({ error: "not_implemented_by_fake", message: `not implemented by @connect/quickbooks/testing fake: GET ${path}`, fake: "@connect/quickbooks/testing", method: "GET", path });
    for (const [method, rest] of [["POST", "/invoice/1/send"], ["GET", "/invoice/1/pdf"], ["POST", "/estimate"], ["POST", "/account"], ["POST", "/widget"]] as const) {
      expect((await call(method, rest, method === "POST" ? {} : undefined)).status, `${method} ${rest}`).toBe(501);
    }
    const outside = await fetch(`${server.url}/v3/unknown`, { headers: { authorization: `Bearer ${token}` } });
    expect(outside.status).toBe(501);
    const unauthenticated = await call("GET", "/reports/BalanceSheet", undefined, "Bearer not-a-token");
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body.fault.error[0].code).toBe("3200");
    expect((await fetch(`${server.url}/v3/unknown`)).status).toBe(401);
  });

  it("answers a query on a QuickBooks entity it does not store with the 501, and an unknown entity with Intuit's 4000", async () => {
    const estimate = await call("GET", `/query?query=${encodeURIComponent("select * from estimate")}`);
    expect(estimate.status).toBe(501);
    expect(estimate.body).toMatchObject({ error: "not_implemented_by_fake", entity: "Estimate", message: `not implemented by @connect/quickbooks/testing fake: GET /v3/company/${fake.realmId}/query (select from Estimate)` });
    const widget = await call("GET", `/query?query=${encodeURIComponent("select * from widget")}`);
    expect(widget.status).toBe(400);
    expect(widget.body.Fault.Error[0]).toMatchObject({ code: "4000", Detail: "QueryValidationError: Invalid context declaration : widget" });
  });

  // shared/vendors/quickbooks.md §5: items run serially, cannot see each other's results, and a
  // failing item's Fault comes back inside the HTTP 200.
  it("POST /batch runs create, update, delete and query items in order, a failing item's Fault inside the 200", async () => {
    const existing = (await call("POST", "/customer", { DisplayName: "Existing" })).body.Customer;
    const batch = await call("POST", "/batch?minorversion=75", {
      BatchItemRequest: [
        { bId: "1", operation: "create", Customer: { DisplayName: "Batch One" } },
        { bId: "2", operation: "update", Customer: { Id: existing.Id, SyncToken: "0", sparse: true, Notes: "batched" } },
        { bId: "3", operation: "update", Customer: { Id: existing.Id, SyncToken: "0", sparse: true, Notes: "stale" } },
        { bId: "4", Query: "select * from Customer where DisplayName = 'Batch One'" },
        { bId: "5", Query: "select * from Customer where" },
      ],
    });
    expect(batch.status).toBe(200);
    const [created, updated, stale, query, bad] = batch.body.BatchItemResponse;
    expect(created).toMatchObject({ bId: "1", Customer: { DisplayName: "Batch One", SyncToken: "0" } });
    expect(updated).toMatchObject({ bId: "2", Customer: { Id: existing.Id, SyncToken: "1", Notes: "batched" } });
    expect(stale).toEqual({ bId: "3", Fault: { type: "ValidationFault", Error: [expect.objectContaining({ code: "5010", Message: "Stale Object Error" })] } });
    expect(query.QueryResponse.Customer.map((c: { Id: string }) => c.Id)).toEqual([created.Customer.Id]);
    expect(bad.Fault.Error[0].code).toBe("4000");
    expect(fake.get("Customer", existing.Id).Notes).toBe("batched");
  });

  it("refuses a malformed or oversized batch as a whole, and answers the 501 before running anything when an item names what the fake lacks", async () => {
    expect((await call("POST", "/batch", { BatchItemRequest: [] })).body.Fault.Error[0].code).toBe("2020");
    expect((await call("POST", "/batch", { BatchItemRequest: [{ bId: "1", Query: "select * from Item" }, { bId: "1", Query: "select * from Item" }] })).status).toBe(400);
    const small = createQuickBooksFake({ now: () => clock, maxBatchItems: 2 });
    const smallServer = await serveHandlers(small.handlers);
    const items = [1, 2, 3].map((i) => ({ bId: String(i), Query: "select * from Item" }));
    const oversized = await fetch(`${smallServer.url}/v3/company/${small.realmId}/batch`, { method: "POST", headers: { authorization: `Bearer ${small.issueTokens().access_token}`, "content-type": "application/json" }, body: JSON.stringify({ BatchItemRequest: items }) });
    expect(oversized.status).toBe(400);
    expect(((await oversized.json()) as { Fault: { Error: Array<{ Detail: string }> } }).Fault.Error[0]!.Detail).toContain("at most 2 items; this one has 3");
    await smallServer.close();

    const partial = await call("POST", "/batch", { BatchItemRequest: [{ bId: "1", operation: "create", Customer: { DisplayName: "Never" } }, { bId: "2", operation: "create", Estimate: { CustomerRef: { value: "1" } } }] });
    expect(partial.status).toBe(501);
    expect(partial.body.message).toBe(`not implemented by @connect/quickbooks/testing fake: POST /v3/company/${fake.realmId}/batch (batch create of Estimate)`);
    expect(fake.rows("Customer")).toEqual([]);
  });

  it("GET /cdc lists per entity what changed since changedSince, latest state, deletions as status Deleted stubs", async () => {
    const before = await call("POST", "/customer", { DisplayName: "Before" });
    clock += 60_000;
    const since = new Date(clock).toISOString();
    const customer = (await call("POST", "/customer", { DisplayName: "After" })).body.Customer;
    await call("POST", "/customer", { Id: customer.Id, SyncToken: "0", sparse: true, Notes: "x" });
    const invoice = (await call("POST", "/invoice", { CustomerRef: { value: customer.Id }, Line: [{ DetailType: "SalesItemLineDetail", Amount: 10, SalesItemLineDetail: { ItemRef: { value: "1" }, Qty: 1, UnitPrice: 10 } }] })).body.Invoice;
    await call("POST", "/invoice?operation=delete", { Id: invoice.Id, SyncToken: "0" });

    const cdc = await call("GET", `/cdc?entities=customer,Invoice,Payment&changedSince=${encodeURIComponent(since)}&minorversion=75`);
    expect(cdc.status).toBe(200);
    const [customers, invoices, payments] = cdc.body.CDCResponse[0].QueryResponse;
    expect(customers.Customer.map((c: { Id: string; SyncToken: string }) => [c.Id, c.SyncToken])).toEqual([[customer.Id, "1"]]);
    expect(customers.Customer.some((c: { Id: string }) => c.Id === before.body.Customer.Id)).toBe(false);
    expect(invoices.Invoice).toEqual([{ Id: invoice.Id, status: "Deleted", domain: "QBO", MetaData: { LastUpdatedTime: since } }]);
    expect(payments).toEqual({});

    expect((await call("GET", `/cdc?entities=Customer&changedSince=${encodeURIComponent(new Date(clock - 31 * 86_400_000).toISOString())}`)).status).toBe(400);
    expect((await call("GET", "/cdc?entities=Customer")).body.Fault.Error[0].code).toBe("2020");
    expect((await call("GET", `/cdc?entities=Estimate&changedSince=${encodeURIComponent(since)}`)).status).toBe(501);
  });
});

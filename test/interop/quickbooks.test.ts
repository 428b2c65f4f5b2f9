/**
 * Interop (issue 21): Intuit's own Node libraries — node-quickbooks 2.0.50 (the accounting API)
 * and intuit-oauth 4.2.5 (OAuth 2.0) — driven against @connect/quickbooks/testing over a
 * loopback socket. Whatever they send must be answered as QuickBooks Online answers it.
 *
 * SDK quirks worked around here (each is a class-wide static, so every test sets it and the
 * originals are put back afterwards, leaving nothing behind for other files):
 * - node-quickbooks reads `QuickBooks.V3_ENDPOINT_BASE_URL` once, in the constructor (and strips
 *   `sandbox-` from it unless `useSandbox`), and posts token refresh and revoke straight to
 *   `QuickBooks.TOKEN_URL` / `QuickBooks.REVOKE_URL`; `APP_CENTER_BASE` only feeds the OAuth 1.0a
 *   URLs it computes at load time, but is pointed at the fake too so no Intuit host is left.
 * - intuit-oauth keeps `OAuthClient.authorizeEndpoint`, `tokenEndpoint`, `revokeEndpoint` and the
 *   API hosts (`OAuthClient.environment`) as statics (`setAuthorizeURLs` writes the same statics),
 *   and retries token calls on 5xx with second-long sleeps (`OAuthClient.retryConfig`), which is
 *   turned off so a regression fails fast instead of sleeping.
 * - node-quickbooks' TypeScript types allow only positional constructor arguments and object
 *   criteria, while its runtime also takes string and array criteria; those calls are cast.
 * - node-quickbooks hands an HTTP error to the callback as the axios error itself: Intuit's Fault
 *   is on `error.response.data`, not on the error.
 * - node-quickbooks does not URL-encode `changedSince` in `changeDataCapture`; a `+hh:mm` offset
 *   would arrive as a space (the fake reads it back; a Date in UTC is formatted with `Z` or `+00:00`).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebhookVerificationError } from "@connect/core";
import { NOT_IMPLEMENTED_HEADER, serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { QUICKBOOKS_SIGNATURE_HEADER, parseQuickBooksWebhook, quickBooksWebhookVerifier } from "@connect/quickbooks";
import { createQuickBooksFake, type IssuedTokens, type QuickBooksFake } from "@connect/quickbooks/testing";
import OAuthClient from "intuit-oauth";
import QuickBooks, { type QueryCriteria } from "node-quickbooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const REDIRECT_URI = "https://lender.test/quickbooks/callback";
const FAKE_NAME = "@connect/quickbooks/testing";

const ORIGINAL = {
  v3: QuickBooks.V3_ENDPOINT_BASE_URL,
  token: QuickBooks.TOKEN_URL,
  revoke: QuickBooks.REVOKE_URL,
  appCenter: QuickBooks.APP_CENTER_BASE,
  authorizeEndpoint: OAuthClient.authorizeEndpoint,
  tokenEndpoint: OAuthClient.tokenEndpoint,
  revokeEndpoint: OAuthClient.revokeEndpoint,
  environment: OAuthClient.environment,
  retryConfig: OAuthClient.retryConfig,
};

let fake: QuickBooksFake;
let server: ServedHandlers;
let grant: IssuedTokens;
let qbo: QuickBooks;

function pointSdksAt(url: string): void {
  QuickBooks.V3_ENDPOINT_BASE_URL = `${url}/v3/company/`;
  QuickBooks.TOKEN_URL = `${url}/oauth2/v1/tokens/bearer`;
  QuickBooks.REVOKE_URL = `${url}/v2/oauth2/tokens/revoke`;
  QuickBooks.APP_CENTER_BASE = url;
  OAuthClient.authorizeEndpoint = `${url}/connect/oauth2`;
  OAuthClient.tokenEndpoint = `${url}/oauth2/v1/tokens/bearer`;
  OAuthClient.revokeEndpoint = `${url}/v2/oauth2/tokens/revoke`;
  OAuthClient.environment = { sandbox: `${url}/`, production: `${url}/` };
  OAuthClient.retryConfig = { ...ORIGINAL.retryConfig, maxRetries: 0 };
}

function restoreSdks(): void {
  QuickBooks.V3_ENDPOINT_BASE_URL = ORIGINAL.v3;
  QuickBooks.TOKEN_URL = ORIGINAL.token;
  QuickBooks.REVOKE_URL = ORIGINAL.revoke;
  QuickBooks.APP_CENTER_BASE = ORIGINAL.appCenter;
  OAuthClient.authorizeEndpoint = ORIGINAL.authorizeEndpoint;
  OAuthClient.tokenEndpoint = ORIGINAL.tokenEndpoint;
  OAuthClient.revokeEndpoint = ORIGINAL.revokeEndpoint;
  OAuthClient.environment = ORIGINAL.environment;
  OAuthClient.retryConfig = ORIGINAL.retryConfig;
}

/** A node-quickbooks client for the fake's realm (OAuth 2.0: `tokenSecret` false, `oauthversion` "2.0"). */
function sdkClient(tokens: { access_token: string; refresh_token: string }): QuickBooks {
  return new QuickBooks(fake.clientId, fake.clientSecret, tokens.access_token, false, fake.realmId, true, false, "75", "2.0", tokens.refresh_token);
}

beforeEach(async () => {
  fake = createQuickBooksFake();
  server = await serveHandlers(fake.handlers);
  pointSdksAt(server.url);
  grant = fake.issueTokens();
  qbo = sdkClient(grant);
});
afterEach(async () => {
  restoreSdks();
  await server.close();
});

// node-quickbooks is callback-style; data is whatever the SDK passes (its types say little more).
type Data = any;
function sdk(invoke: (done: (err: unknown, data?: Data) => void) => void): Promise<Data> {
  return new Promise((resolve, reject) => invoke((err, data) => (err ? reject(err) : resolve(data))));
}

/** The axios error node-quickbooks rejects with: status and Intuit's body. */
async function httpError(promise: Promise<unknown>): Promise<{ status: number; data: Data; headers: Record<string, string> }> {
  const error = await promise.then(
    () => {
      throw new Error("expected node-quickbooks to fail");
    },
    (e: unknown) => e as { name?: string; response?: { status: number; data: Data; headers: Record<string, string> } },
  );
  expect(error.name).toBe("AxiosError");
  return error.response!;
}

/** Accounting API requests as they reached the fake: path, query parameters and JSON body. */
function apiRequests(): Array<{ method: string; path: string; query: URLSearchParams; body: Data; headers: IncomingHttpHeaders }> {
  return server.requests
    .filter((r) => r.url.includes("/v3/company/"))
    .map((r) => {
      const url = new URL(r.url, "http://x");
      return { method: r.method, path: url.pathname, query: url.searchParams, body: r.text ? JSON.parse(r.text) : undefined, headers: r.headers };
    });
}

const company = (rest: string): string => `/v3/company/${fake.realmId}${rest}`;

describe("node-quickbooks → fake: customers", () => {
  it("createCustomer posts to the lower-case /customer with minorversion=75 and a Bearer token; getCustomer reads it back", async () => {
    const created = await sdk((done) => qbo.createCustomer({ DisplayName: "Ana Builder", PrimaryEmailAddr: { Address: "ana@example.com" } }, done));

    expect(created).toMatchObject({ DisplayName: "Ana Builder", SyncToken: "0", domain: "QBO", Active: true });
    const [request] = apiRequests();
    expect(request).toMatchObject({ method: "POST", path: company("/customer"), body: { DisplayName: "Ana Builder" } });
    expect(request!.query.get("minorversion")).toBe("75");
    expect(request!.query.get("format")).toBe("json");
    expect(request!.headers.authorization).toBe(`Bearer ${grant.access_token}`);
    expect(request!.headers["user-agent"]).toBe("node-quickbooks: version 2.0.50");

    const read = await sdk((done) => qbo.getCustomer(created.Id, done));
    expect(read).toEqual(fake.get("Customer", created.Id));
    expect(apiRequests()[1]).toMatchObject({ method: "GET", path: company(`/customer/${created.Id}`) });
  });

  it("a duplicate DisplayName surfaces Intuit's 6240 Fault on the axios error (QuickBooks: names are unique)", async () => {
    await sdk((done) => qbo.createCustomer({ DisplayName: "Ana Builder" }, done));
    const { status, data } = await httpError(sdk((done) => qbo.createCustomer({ DisplayName: "Ana Builder" }, done)));
    expect(status).toBe(400);
    expect(data.Fault).toMatchObject({ type: "ValidationFault", Error: [{ code: "6240", Message: "Duplicate Name Exists Error" }] });
  });

  it("findCustomers with map, array (LIKE, IN, desc) and string criteria: the lower-case statements it builds are answered like QuickBooks", async () => {
    for (const name of ["Alpha Homes", "Beta Builders", "O'Brien Builders", "Delta Homes"]) fake.insert("Customer", { DisplayName: name, Active: true });
    const ids = Object.fromEntries(fake.rows("Customer").map((c) => [c.DisplayName as string, c.Id as string]));
    const names = (data: Data): string[] => (data.QueryResponse.Customer ?? []).map((c: { DisplayName: string }) => c.DisplayName);

    // A map becomes `where DisplayName = 'O\'Brien Builders'`: the apostrophe escaped as Intuit documents.
    const byName = await sdk((done) => qbo.findCustomers({ DisplayName: "O'Brien Builders" }, done));
    expect(names(byName)).toEqual(["O'Brien Builders"]);
    expect(byName.QueryResponse).toMatchObject({ startPosition: 1, maxResults: 1 });
    expect(apiRequests().at(-1)!.query.get("query")).toBe("select * from customer where DisplayName = 'O\\'Brien Builders' startposition 1 maxresults 1000");

    const like = await sdk((done) =>
      qbo.findCustomers([{ field: "DisplayName", value: "%Builders", operator: "LIKE" }, { field: "desc", value: "DisplayName" }] as unknown as QueryCriteria, done),
    );
    expect(names(like)).toEqual(["O'Brien Builders", "Beta Builders"]);
    expect(apiRequests().at(-1)!.query.get("query")).toBe("select * from customer where DisplayName LIKE '%Builders' orderby DisplayName desc startposition 1 maxresults 1000");

    const within = await sdk((done) => qbo.findCustomers({ Id: [ids["Alpha Homes"], ids["Delta Homes"]] }, done));
    expect(names(within)).toEqual(["Alpha Homes", "Delta Homes"]);

    const text = await sdk((done) => qbo.findCustomers("where DisplayName LIKE '%Homes' orderby DisplayName desc" as unknown as QueryCriteria, done));
    expect(names(text)).toEqual(["Delta Homes", "Alpha Homes"]);

    const none = await sdk((done) => qbo.findCustomers({ DisplayName: "Nobody" }, done));
    expect(none.QueryResponse).toEqual({});
  });

  it("findCustomers({ count: true }) sends `select count(*) from customer` and gets totalCount", async () => {
    for (let i = 0; i < 3; i += 1) fake.insert("Customer", { DisplayName: `C${i}`, Active: true });
    fake.insert("Customer", { DisplayName: "Inactive", Active: false });
    const counted = await sdk((done) => qbo.findCustomers({ count: true }, done));
    expect(counted.QueryResponse).toEqual({ totalCount: 3 });
    expect(apiRequests().at(-1)!.query.get("query")).toBe("select count(*) from customer startposition 1 maxresults 1000");
  });

  it("fetchAll pages with startposition/maxresults until a short page (1-based, maxResults = rows returned)", async () => {
    for (let i = 0; i < 1001; i += 1) fake.insert("Customer", { DisplayName: `Borrower ${String(i).padStart(4, "0")}`, Active: true });
    const all = await sdk((done) => qbo.findCustomers({ fetchAll: true }, done));
    expect(all.QueryResponse.Customer).toHaveLength(1001);
    expect(all.QueryResponse.maxResults).toBe(1001);
    expect(new Set(all.QueryResponse.Customer.map((c: { Id: string }) => c.Id)).size).toBe(1001);
    expect(apiRequests().map((r) => r.query.get("query"))).toEqual([
      "select * from customer startposition 1 maxresults 1000",
      "select * from customer startposition 1001 maxresults 1000",
    ]);

    server.requests.length = 0;
    const small = await sdk((done) => qbo.findCustomers({ fetchAll: true, limit: 400, DisplayName: "Borrower 0007" }, done));
    expect(small.QueryResponse.Customer.map((c: { DisplayName: string }) => c.DisplayName)).toEqual(["Borrower 0007"]);
    expect(apiRequests()).toHaveLength(1);
  });

  it("updateCustomer: sparse by default (node-quickbooks adds sparse: true) via ?operation=update; full update clears omitted fields; SyncToken moves on", async () => {
    const created = await sdk((done) => qbo.createCustomer({ DisplayName: "Ana Builder", CompanyName: "Ana Co", Notes: "loan L-1" }, done));

    const sparse = await sdk((done) => qbo.updateCustomer({ Id: created.Id, SyncToken: created.SyncToken, Notes: "loan L-2" }, done));
    expect(sparse).toMatchObject({ Id: created.Id, SyncToken: "1", DisplayName: "Ana Builder", CompanyName: "Ana Co", Notes: "loan L-2" });
    const request = apiRequests().at(-1)!;
    expect(request).toMatchObject({ method: "POST", path: company("/customer"), body: { Id: created.Id, SyncToken: "0", sparse: true, Notes: "loan L-2" } });
    expect(request.query.get("operation")).toBe("update");

    const full = await sdk((done) => qbo.updateCustomer({ Id: created.Id, SyncToken: sparse.SyncToken, sparse: false, DisplayName: "Ana Builder LLC" }, done));
    expect(full).toMatchObject({ SyncToken: "2", DisplayName: "Ana Builder LLC" });
    expect(full.CompanyName).toBeUndefined();
    expect(full.Notes).toBeUndefined();
  });

  it("updateCustomer with a stale SyncToken surfaces Intuit's Fault 5010 Stale Object Error and changes nothing", async () => {
    const created = await sdk((done) => qbo.createCustomer({ DisplayName: "Ana Builder" }, done));
    await sdk((done) => qbo.updateCustomer({ Id: created.Id, SyncToken: "0", Notes: "first" }, done));

    const { status, data } = await httpError(sdk((done) => qbo.updateCustomer({ Id: created.Id, SyncToken: "0", Notes: "second" }, done)));
    expect(status).toBe(400);
    expect(data.Fault.type).toBe("ValidationFault");
    expect(data.Fault.Error[0]).toMatchObject({ code: "5010", Message: "Stale Object Error" });
    expect(fake.get("Customer", created.Id)).toMatchObject({ SyncToken: "1", Notes: "first" });
  });
});

describe("node-quickbooks → fake: invoices and payments", () => {
  async function invoiceFor(customerId: string, docNumber = "D-1"): Promise<Data> {
    return sdk((done) =>
      qbo.createInvoice(
        {
          CustomerRef: { value: customerId },
          DocNumber: docNumber,
          Line: [{ DetailType: "SalesItemLineDetail", Amount: 1250.5, Description: "Draw 1", SalesItemLineDetail: { ItemRef: { value: "2" }, Qty: 1, UnitPrice: 1250.5 } }],
        },
        done,
      ),
    );
  }

  it("createInvoice / getInvoice / findInvoices by CustomerRef: totals derived by QuickBooks, rows under `Invoice`", async () => {
    const customer = await sdk((done) => qbo.createCustomer({ DisplayName: "Ana Builder" }, done));
    const invoice = await invoiceFor(customer.Id);
    expect(invoice).toMatchObject({ DocNumber: "D-1", TotalAmt: 1250.5, Balance: 1250.5, CustomerRef: { value: customer.Id } });
    expect(apiRequests().at(-1)!.path).toBe(company("/invoice"));

    expect(await sdk((done) => qbo.getInvoice(invoice.Id, done))).toEqual(fake.get("Invoice", invoice.Id));
    await invoiceFor(customer.Id, "D-2");
    const found = await sdk((done) => qbo.findInvoices({ CustomerRef: customer.Id, DocNumber: "D-2" }, done));
    expect(found.QueryResponse.Invoice.map((i: { DocNumber: string }) => i.DocNumber)).toEqual(["D-2"]);
    expect(apiRequests().at(-1)!.query.get("query")).toBe(`select * from invoice where CustomerRef = '${customer.Id}' and DocNumber = 'D-2' startposition 1 maxresults 1000`);
  });

  it("createPayment applied to an invoice lowers its Balance; deletePayment (?operation=delete) restores it", async () => {
    const customer = await sdk((done) => qbo.createCustomer({ DisplayName: "Ana Builder" }, done));
    const invoice = await invoiceFor(customer.Id);
    const payment = await sdk((done) =>
      qbo.createPayment({ CustomerRef: { value: customer.Id }, TotalAmt: 250.5, Line: [{ Amount: 250.5, LinkedTxn: [{ TxnId: invoice.Id, TxnType: "Invoice" }] }] }, done),
    );
    expect(payment).toMatchObject({ TotalAmt: 250.5, CustomerRef: { value: customer.Id } });
    expect(apiRequests().at(-1)!.path).toBe(company("/payment"));
    expect((await sdk((done) => qbo.getInvoice(invoice.Id, done))).Balance).toBe(1000);

    // With an entity, node-quickbooks posts it as it is; the answer is not unwrapped.
    const deleted = await sdk((done) => qbo.deletePayment(payment, done));
    expect(deleted.Payment).toEqual({ status: "Deleted", domain: "QBO", Id: payment.Id });
    const request = apiRequests().at(-1)!;
    expect(request).toMatchObject({ method: "POST", path: company("/payment"), body: { Id: payment.Id, SyncToken: "0" } });
    expect(request.query.get("operation")).toBe("delete");
    expect((await sdk((done) => qbo.getInvoice(invoice.Id, done))).Balance).toBe(1250.5);
  });

  it("deleteInvoice by id reads the invoice first (for its SyncToken), then deletes; reading it again is Fault 610", async () => {
    const customer = await sdk((done) => qbo.createCustomer({ DisplayName: "Ana Builder" }, done));
    const invoice = await invoiceFor(customer.Id);
    await sdk((done) => qbo.updateInvoice({ Id: invoice.Id, SyncToken: invoice.SyncToken, PrivateNote: "moved" }, done));
    server.requests.length = 0;

    const deleted = await sdk((done) => qbo.deleteInvoice(invoice.Id, done));
    expect(deleted.Invoice).toMatchObject({ status: "Deleted", Id: invoice.Id });
    expect(apiRequests().map((r) => `${r.method} ${r.path}?operation=${r.query.get("operation") ?? ""}`)).toEqual([
      `GET ${company(`/invoice/${invoice.Id}`)}?operation=`,
      `POST ${company("/invoice")}?operation=delete`,
    ]);
    expect(apiRequests()[1]!.body.SyncToken).toBe("1");
    const { status, data } = await httpError(sdk((done) => qbo.getInvoice(invoice.Id, done)));
    expect(status).toBe(400);
    expect(data.Fault.Error[0].code).toBe("610");
  });

  it("voidInvoice (?operation=void with Id + SyncToken): the invoice stays, its amounts become zero", async () => {
    const customer = await sdk((done) => qbo.createCustomer({ DisplayName: "Ana Builder" }, done));
    const invoice = await invoiceFor(customer.Id);
    const voided = await sdk((done) => qbo.voidInvoice({ Id: invoice.Id, SyncToken: invoice.SyncToken }, done));
    const request = apiRequests().at(-1)!;
    expect(request).toMatchObject({ method: "POST", path: company("/invoice"), body: { Id: invoice.Id, SyncToken: "0" } });
    expect(request.query.get("operation")).toBe("void");
    expect(voided.Invoice).toMatchObject({ Id: invoice.Id, SyncToken: "1", TotalAmt: 0, Balance: 0 });
    expect(fake.get("Invoice", invoice.Id)).toMatchObject({ TotalAmt: 0, Balance: 0 });
  });

  it("batch: items answered in order, the stale update's Fault inside the HTTP 200 beside the others (Intuit's batch semantics)", async () => {
    const customer = await sdk((done) => qbo.createCustomer({ DisplayName: "Ana Builder" }, done));
    const answer = await sdk((done) =>
      qbo.batch(
        [
          { bId: "c1", operation: "create", Customer: { DisplayName: "Batch Borrower" } },
          { bId: "u1", operation: "update", Customer: { Id: customer.Id, SyncToken: "7", sparse: true, Notes: "stale" } },
          // node-quickbooks' types ask for `operation: "query"` on a query item; Intuit's examples omit it. The fake takes both.
          { bId: "q1", operation: "query", Query: "select * from customer where DisplayName = 'Ana Builder'" },
        ],
        done,
      ),
    );
    expect(apiRequests().at(-1)!).toMatchObject({ method: "POST", path: company("/batch") });
    const [created, stale, query] = answer.BatchItemResponse;
    expect(created).toMatchObject({ bId: "c1", Customer: { DisplayName: "Batch Borrower" } });
    expect(stale.bId).toBe("u1");
    expect(stale.Fault.Error[0]).toMatchObject({ code: "5010", Message: "Stale Object Error" });
    expect(query.QueryResponse.Customer.map((c: { Id: string }) => c.Id)).toEqual([customer.Id]);
  });

  it("changeDataCapture(entities, Date): what changed since, deletions as status Deleted", async () => {
    const since = new Date(Date.now() - 1000);
    const customer = await sdk((done) => qbo.createCustomer({ DisplayName: "Ana Builder" }, done));
    const invoice = await invoiceFor(customer.Id);
    await sdk((done) => qbo.deleteInvoice(invoice, done));
    const cdc = await sdk((done) => qbo.changeDataCapture(["Invoice", "Customer"], since, done));
    const request = apiRequests().at(-1)!;
    expect(request.path).toBe(company("/cdc"));
    expect(request.query.get("entities")).toBe("Invoice,Customer");
    const [invoices, customers] = cdc.CDCResponse[0].QueryResponse;
    expect(invoices.Invoice).toEqual([expect.objectContaining({ Id: invoice.Id, status: "Deleted" })]);
    expect(customers.Customer.map((c: { Id: string }) => c.Id)).toEqual([customer.Id]);

    // A string with a +hh:mm offset goes out unencoded, so the '+' reaches the server as a space.
    const offset = since.toISOString().replace("Z", "+00:00");
    const again = await sdk((done) => qbo.changeDataCapture("Invoice,Customer", offset, done));
    expect(server.requests.at(-1)!.url).toContain(`changedSince=${offset}`);
    expect(again.CDCResponse).toEqual(cdc.CDCResponse);
  });

  it("reportBalanceSheet: reports are not in the fake, which answers core's distinctive 501 naming itself and the endpoint", async () => {
    const { status, data, headers } = await httpError(sdk((done) => qbo.reportBalanceSheet({ date_macro: "This Fiscal Year-to-date" }, done)));
    expect(status).toBe(501);
    expect(headers[NOT_IMPLEMENTED_HEADER]).toBe(FAKE_NAME);
    expect(data).toEqual({
      error: "not_implemented_by_fake",
      message: `not implemented by ${FAKE_NAME} fake: GET ${company("/reports/BalanceSheet")}`,
      fake: FAKE_NAME,
      method: "GET",
      path: company("/reports/BalanceSheet"),
    });
  });

  it("an unauthenticated call to an endpoint the fake lacks still gets Intuit's 401 AuthenticationFailed first", async () => {
    const stranger = sdkClient({ access_token: "not-a-token", refresh_token: "x" });
    const { status, data, headers } = await httpError(sdk((done) => stranger.reportBalanceSheet({}, done)));
    expect(status).toBe(401);
    expect(headers["www-authenticate"]).toBe('Bearer realm="Intuit", error="invalid_token"');
    expect(data.fault.error[0]).toMatchObject({ code: "3200", message: "message=AuthenticationFailed; errorCode=003200; statusCode=401" });
  });
});

describe("node-quickbooks → fake: tokens", () => {
  it("refreshAccessToken (form body, Basic auth) after a 401 gives a token that works; revokeAccess (form token=) ends the grant", async () => {
    fake.expireAccessTokens();
    const expired = await httpError(sdk((done) => qbo.getCompanyInfo(fake.realmId, done)));
    expect(expired.status).toBe(401);
    expect(expired.data.fault.error[0].detail).toBe("Token expired: the access token has expired");

    const refreshed = await sdk((done) => qbo.refreshAccessToken(done));
    expect(refreshed).toMatchObject({ token_type: "bearer", expires_in: 3600 });
    expect(refreshed.refresh_token).not.toBe(grant.refresh_token);
    const tokenCall = server.requests.find((r) => r.url === "/oauth2/v1/tokens/bearer")!;
    expect(tokenCall.headers.authorization).toBe(`Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString("base64")}`);
    expect(Object.fromEntries(new URLSearchParams(tokenCall.text))).toEqual({ grant_type: "refresh_token", refresh_token: grant.refresh_token });
    expect((await sdk((done) => qbo.getCompanyInfo(fake.realmId, done))).Id).toBe(fake.realmId);

    await sdk((done) => qbo.revokeAccess(true, done));
    const revokeCall = server.requests.find((r) => r.url === "/v2/oauth2/tokens/revoke")!;
    expect(revokeCall.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(revokeCall.text).toBe(`token=${encodeURIComponent(refreshed.refresh_token)}`);
    expect(fake.liveRefreshTokens()).toEqual([]);
    expect((await httpError(sdk((done) => sdkClient(refreshed).getCompanyInfo(fake.realmId, done)))).status).toBe(401);
  });
});

describe("intuit-oauth → fake", () => {
  function oauthClient(): OAuthClient {
    return new OAuthClient({ clientId: fake.clientId, clientSecret: fake.clientSecret, environment: "sandbox", redirectUri: REDIRECT_URI, logging: false });
  }

  it("authorizeUri → consent → createToken (code exchange) → makeApiCall → refresh → revoke (JSON {token})", async () => {
    const client = oauthClient();
    const consent = await fetch(client.authorizeUri({ scope: [OAuthClient.scopes.Accounting], state: "st-1" }), { redirect: "manual" });
    expect(consent.status).toBe(302);
    const callback = consent.headers.get("location")!;
    expect(callback.startsWith(`${REDIRECT_URI}?`)).toBe(true);

    const created = await client.createToken(callback);
    expect(created.json).toMatchObject({ token_type: "bearer", expires_in: 3600, x_refresh_token_expires_in: 8_726_400 });
    expect(client.getToken().realmId).toBe(fake.realmId);
    expect(fake.tokenRequests.map((r) => r.grantType)).toEqual(["authorization_code"]);

    const info = await client.makeApiCall({ url: `${client.getEnvironmentURI()}v3/company/${fake.realmId}/companyinfo/${fake.realmId}?minorversion=75` });
    expect(info.json.CompanyInfo).toMatchObject({ Id: fake.realmId, CompanyName: "Acme Construction Lending" });

    const first = client.getToken().refresh_token;
    const refreshed = await client.refresh();
    expect(refreshed.json.refresh_token).not.toBe(first);
    expect(client.getToken().refresh_token).toBe(refreshed.json.refresh_token);
    const refreshCall = server.requests.filter((r) => r.url === "/oauth2/v1/tokens/bearer").at(-1)!;
    expect(refreshCall.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(refreshCall.text))).toEqual({ grant_type: "refresh_token", refresh_token: first });

    const live = client.getToken().refresh_token;
    const revoked = await client.revoke({ refresh_token: live });
    expect(revoked.status()).toBe(200);
    const revokeCall = server.requests.find((r) => r.url === "/v2/oauth2/tokens/revoke")!;
    expect(revokeCall.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(revokeCall.text)).toEqual({ token: live });
    // Only this consent's grant ended; the grant the suite issued directly is another one.
    expect(fake.liveRefreshTokens()).toEqual([grant.refresh_token]);
    expect(client.getToken().refresh_token).toBe("");
  });

  it("includeRefreshTokenHardExpiresIn: the opt-in header is sent and x_refresh_token_hard_expires_in comes back (Intuit's 5-year limit); without it, neither", async () => {
    const optedIn = new OAuthClient({ clientId: fake.clientId, clientSecret: fake.clientSecret, environment: "sandbox", redirectUri: REDIRECT_URI, logging: false, includeRefreshTokenHardExpiresIn: true });
    const refreshed = await optedIn.refreshUsingToken(grant.refresh_token);
    expect(refreshed.json.x_refresh_token_hard_expires_in).toBeGreaterThan(157_680_000 - 60);
    expect(optedIn.getToken().x_refresh_token_hard_expires_in).toBe(refreshed.json.x_refresh_token_hard_expires_in);

    const plain = await oauthClient().refreshUsingToken(refreshed.json.refresh_token);
    expect(plain.json.x_refresh_token_hard_expires_in).toBeUndefined();
    expect(fake.tokenRequests.map((r) => [r.grantType, r.includeHardExpiry, r.status])).toEqual([
      ["refresh_token", true, 200],
      ["refresh_token", false, 200],
    ]);
  });

  it("refreshUsingToken with a revoked refresh token is rejected with Intuit's invalid_grant", async () => {
    fake.revokeGrant();
    const error = await oauthClient()
      .refreshUsingToken(grant.refresh_token)
      .then(
        () => {
          throw new Error("expected intuit-oauth to reject");
        },
        (e: unknown) => e as { error: string; authResponse: { status(): number } },
      );
    expect(error.error).toBe("invalid_grant");
    expect(error.authResponse.status()).toBe(400);
  });
});

describe("webhooks: the fake's signed notification, checked as Intuit documents", () => {
  let receiver: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    receiver = undefined;
  });

  /** A host endpoint on loopback that records the raw bytes and headers of each POST. */
  async function host(): Promise<{ url: string; received: Array<{ raw: Buffer; headers: IncomingHttpHeaders }> }> {
    const received: Array<{ raw: Buffer; headers: IncomingHttpHeaders }> = [];
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        received.push({ raw: Buffer.concat(chunks), headers: req.headers });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/quickbooks`, received };
  }

  // Intuit: intuit-signature = base64(HMAC-SHA256(key = verifier token, message = raw body)) (shared/vendors/quickbooks.md §8).
  const intuitVerifies = (raw: Buffer, signature: string, token: string): boolean => {
    const expected = createHmac("sha256", token).update(raw).digest();
    const given = Buffer.from(signature, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  it.each(["cloudevents", "legacy"] as const)("%s: writes made through node-quickbooks arrive signed; node:crypto and quickBooksWebhookVerifier agree, and both refuse a tampered body", async (format) => {
    const customer = await sdk((done) => qbo.createCustomer({ DisplayName: "Ana Builder" }, done));
    await sdk((done) => qbo.updateCustomer({ Id: customer.Id, SyncToken: customer.SyncToken, Notes: "x" }, done));
    const { url, received } = await host();

    const response = await fake.postWebhook(url, { format });
    expect(response.status).toBe(200);
    const [{ raw, headers }] = received as [(typeof received)[number]];
    const signature = headers[QUICKBOOKS_SIGNATURE_HEADER] as string;
    expect(intuitVerifies(raw, signature, fake.verifierToken)).toBe(true);

    const verifier = quickBooksWebhookVerifier({ verifierToken: fake.verifierToken });
    const request = { method: "POST", url, headers: headers as Record<string, string>, rawBody: raw };
    await expect(Promise.resolve(verifier.verify(request))).resolves.toBeUndefined();
    const changes = parseQuickBooksWebhook(raw).changes.map((c) => [c.entity, c.entityId, c.operation]);
    expect(changes).toEqual([
      ["Customer", customer.Id, "Create"],
      ["Customer", customer.Id, "Update"],
    ]);

    const tampered = Buffer.from(raw.toString("utf8").replace(customer.Id, `${customer.Id}9`), "utf8");
    expect(intuitVerifies(tampered, signature, fake.verifierToken)).toBe(false);
    const refusal = await Promise.resolve(verifier.verify({ ...request, rawBody: tampered })).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(WebhookVerificationError);
    expect((refusal as WebhookVerificationError).reason).toBe("bad_signature");
  });
});

/**
 * Interop (issue 23): Xero's own Node SDK, xero-node 20.0.0, driven against @connect/xero/testing
 * over a loopback socket. Whatever it sends must be answered as Xero answers it.
 *
 * SDK quirks worked around here:
 * - xero-node hard-codes `https://identity.xero.com/connect/token` and `https://api.xero.com/…`
 *   (connections, and the accounting API's default basePath) and sends everything through the
 *   default axios instance (its CommonJS build, so the test require()s that one): one request interceptor rewrites those origins to the fake and is
 *   ejected afterwards.
 * - The OAuth consent flow goes through openid-client's discovery of identity.xero.com
 *   (`initialize()`), which the interceptor cannot reach: the grant is made with
 *   `fake.issueTokens()` and the SDK starts from `refreshWithRefreshToken`, its axios path.
 * - The accounting API rejects with a JSON *string* of `{ response: { statusCode, body }, body }`.
 */
import { NOT_IMPLEMENTED_HEADER, serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { createXeroClient, createXeroOAuth } from "@connect/xero";
import { createXeroFake, type XeroFake } from "@connect/xero/testing";
import { createMemoryTokenStore } from "@connect/core";
import { createRequire } from "node:module";
import { Invoice, LineAmountTypes, XeroClient } from "xero-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// xero-node require()s axios' CommonJS build; an ESM import would be another instance with its own interceptors.
const axios = createRequire(import.meta.url)("axios") as typeof import("axios").default;

let fake: XeroFake;
let server: ServedHandlers;
let interceptor: number;
let xero: XeroClient;
let tenantId: string;

beforeEach(async () => {
  fake = createXeroFake();
  server = await serveHandlers(fake.handlers);
  interceptor = axios.interceptors.request.use((config) => {
    if (config.url) config.url = config.url.replace(/^https:\/\/(identity|api)\.xero\.com/, server.url);
    return config;
  });
  xero = new XeroClient({ clientId: fake.clientId, clientSecret: fake.clientSecret, redirectUris: ["https://lender.test/xero/callback"], scopes: ["offline_access", "accounting.contacts", "accounting.transactions", "accounting.settings"] });
  const grant = fake.issueTokens();
  await xero.refreshWithRefreshToken(fake.clientId, fake.clientSecret, grant.refresh_token);
  tenantId = fake.tenants[0]!.tenantId;
});

afterEach(async () => {
  axios.interceptors.request.eject(interceptor);
  await server.close();
});

/** The SDK's rejection, parsed. */
async function sdkError(promise: Promise<unknown>): Promise<{ response: { statusCode: number; body: unknown; headers: Record<string, string> } }> {
  const rejected = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (rejected === undefined) throw new Error("the SDK call succeeded");
  return JSON.parse(String(rejected)) as never;
}

describe("xero-node against the fake", () => {
  it("refreshes through the token endpoint (rotating the refresh token) and lists tenants with their organisations", async () => {
    const first = xero.readTokenSet();
    expect(fake.tokenRequests).toEqual([{ grantType: "refresh_token", status: 200 }]);
    await xero.refreshWithRefreshToken(fake.clientId, fake.clientSecret, first.refresh_token!);
    expect(xero.readTokenSet().refresh_token).not.toBe(first.refresh_token);
    const tenants = await xero.updateTenants(true);
    expect(tenants.map((t: { tenantId: string }) => t.tenantId).sort()).toEqual(fake.tenants.map((t) => t.tenantId).sort());
    const ours = tenants.find((t: { tenantId: string }) => t.tenantId === tenantId) as { orgData: { name: string; organisationID: string } };
    expect(ours.orgData).toMatchObject({ organisationID: tenantId, name: fake.tenants[0]!.tenantName });
  });

  it("creates, finds and pages contacts; a duplicate name is Xero's 400 ValidationException", async () => {
    const created = await xero.accountingApi.createContacts(tenantId, { contacts: [{ name: "Ana Builder", contactNumber: 'L-1"001', emailAddress: "ana@example.com" }] }, undefined, "sdk-contact-1");
    const contact = created.body.contacts![0]!;
    expect(contact).toMatchObject({ name: "Ana Builder", contactNumber: 'L-1"001', emailAddress: "ana@example.com" });
    expect(contact.updatedDateUTC).toBeInstanceOf(Date);
    expect(fake.requests.at(-1)).toMatchObject({ method: "PUT", path: "/Contacts", idempotencyKey: "sdk-contact-1", tenantId });
    const found = await xero.accountingApi.getContacts(tenantId, undefined, 'ContactNumber=="L-1\\"001"');
    expect(found.body.contacts!.map((c) => c.contactID)).toEqual([contact.contactID]);
    const paged = await xero.accountingApi.getContacts(tenantId, new Date(Date.now() - 60_000), undefined, undefined, undefined, 1);
    expect(paged.body.contacts).toHaveLength(1);
    expect(paged.body.pagination).toMatchObject({ page: 1, pageSize: 100, itemCount: 1 });
    const error = await sdkError(xero.accountingApi.createContacts(tenantId, { contacts: [{ name: "Ana Builder" }] }));
    expect(error.response.statusCode).toBe(400);
    expect(error.response.body).toMatchObject({ Type: "ValidationException", Elements: [{ ValidationErrors: [{ Message: expect.stringContaining("already assigned to another contact") }] }] });
  });

  it("summarizeErrors=false answers 200 with each element marked OK or ERROR", async () => {
    const result = await xero.accountingApi.createContacts(tenantId, { contacts: [{ name: "One" }, { name: "" }] }, false);
    expect(result.body.contacts!.map((c) => c.statusAttributeString)).toEqual(["OK", "ERROR"]);
    expect(result.body.contacts![1]!.validationErrors![0]!.message).toBe("The contact name must be specified.");
  });

  it("creates an AUTHORISED ACCREC invoice, pays part of it and reads the balance back", async () => {
    const contact = (await xero.accountingApi.createContacts(tenantId, { contacts: [{ name: "Ana Builder" }] })).body.contacts![0]!;
    const created = await xero.accountingApi.createInvoices(tenantId, {
      invoices: [
        {
          type: Invoice.TypeEnum.ACCREC,
          contact: { contactID: contact.contactID },
          date: "2026-03-01",
          dueDate: "2026-03-31",
          reference: "DRAW-1",
          lineAmountTypes: LineAmountTypes.NoTax,
          status: Invoice.StatusEnum.AUTHORISED,
          lineItems: [{ description: "Draw 1", quantity: 2, unitAmount: 20, accountCode: "200" }],
        },
      ],
    });
    const invoice = created.body.invoices![0]!;
    expect(invoice).toMatchObject({ invoiceNumber: "INV-0001", total: 40, amountDue: 40, reference: "DRAW-1" });
    expect(String(invoice.status)).toBe("AUTHORISED");
    await xero.accountingApi.createPayment(tenantId, { invoice: { invoiceID: invoice.invoiceID }, account: { code: "090" }, date: "2026-03-15", amount: 15.5, reference: "EFT" });
    const read = await xero.accountingApi.getInvoice(tenantId, invoice.invoiceID!);
    expect(read.body.invoices![0]).toMatchObject({ amountDue: 24.5, amountPaid: 15.5 });
    const listed = await xero.accountingApi.getInvoices(tenantId, undefined, undefined, undefined, undefined, undefined, undefined, ["AUTHORISED"], 1);
    expect(listed.body.invoices!.map((i) => i.invoiceID)).toEqual([invoice.invoiceID]);
    const over = await sdkError(xero.accountingApi.createPayment(tenantId, { invoice: { invoiceID: invoice.invoiceID }, account: { code: "090" }, date: "2026-03-16", amount: 100 }));
    expect(over.response.body).toMatchObject({ Elements: [{ ValidationErrors: [{ Message: "Payment amount exceeds the amount outstanding on this document" }] }] });
  });

  it("what the SDK reads, our client wrote (one fake, two clients)", async () => {
    const tokens = createMemoryTokenStore();
    const oauth = createXeroOAuth({ clientId: fake.clientId, clientSecret: fake.clientSecret, tokens, endpoints: fake.endpoints(server.url).oauthEndpoints });
    await tokens.set("xero:sdk", { accessToken: "stale", expiresAt: 0, refreshToken: fake.issueTokens().refresh_token });
    const ours = createXeroClient({ tenantId, grantId: "sdk", oauth, baseUrl: server.url, limits: false });
    const contact = await ours.contacts.create({ Name: "Written By Connect", ContactNumber: "C-1" });
    const read = await xero.accountingApi.getContact(tenantId, contact.ContactID);
    expect(read.body.contacts![0]).toMatchObject({ name: "Written By Connect", contactNumber: "C-1" });
    await ours.close();
    await oauth.close();
  });

  it("an endpoint the fake lacks answers core's 501, not a Xero error", async () => {
    const error = await sdkError(xero.accountingApi.getAccounts(tenantId));
    expect(error.response.statusCode).toBe(501);
    expect(error.response.headers[NOT_IMPLEMENTED_HEADER]).toBe("@connect/xero/testing");
  });

  it("an expired token is the 401 problem JSON the SDK passes through", async () => {
    fake.expireAccessTokens();
    const error = await sdkError(xero.accountingApi.getContacts(tenantId));
    expect(error.response.statusCode).toBe(401);
    expect(error.response.body).toMatchObject({ Title: "Unauthorized", Detail: expect.stringMatching(/^TokenExpired/) });
  });
});

import { NOT_IMPLEMENTED_HEADER } from "@connect/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { GRANT, REDIRECT_URI, setup, type Harness } from "./helpers.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function raw(path: string, init: RequestInit & { token?: string; tenant?: string | null; accept?: string } = {}): Promise<Response> {
  const token = init.token ?? (await h.tokens.get(`xero:${GRANT}`))!.accessToken;
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: init.accept ?? "application/json", ...(init.body ? { "content-type": "application/json" } : {}) };
  if (init.tenant !== null) headers["xero-tenant-id"] = init.tenant ?? h.tenantId;
  return fetch(`${h.server.url}${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
}

async function token(form: Record<string, string>): Promise<Response> {
  return fetch(`${h.server.url}/connect/token`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`${h.fake.clientId}:${h.fake.clientSecret}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
}

describe("identity", () => {
  it("a rotated-out refresh token works within the 30-minute grace, then answers invalid_grant", async () => {
    h = await setup();
    const original = (await h.tokens.get(`xero:${GRANT}`))!.refreshToken!;
    const first = (await (await token({ grant_type: "refresh_token", refresh_token: original })).json()) as { refresh_token: string };
    expect(first.refresh_token).not.toBe(original);
    h.clock.now += 29 * 60_000;
    expect((await token({ grant_type: "refresh_token", refresh_token: original })).status).toBe(200);
    h.clock.now += 2 * 60_000;
    const late = await token({ grant_type: "refresh_token", refresh_token: original });
    expect([late.status, await late.json()]).toEqual([400, { error: "invalid_grant" }]);
  });

  it("a code works once; the token endpoint wants Basic auth and a form body", async () => {
    h = await setup();
    const code = new URL(h.fake.authorize({ redirectUri: REDIRECT_URI, state: "s" })).searchParams.get("code")!;
    expect((await token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI })).status).toBe(200);
    expect(await (await token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI })).json()).toEqual({ error: "invalid_grant" });
    const noAuth = await fetch(`${h.server.url}/connect/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "grant_type=refresh_token&refresh_token=x" });
    expect(await noAuth.json()).toEqual({ error: "invalid_client" });
  });

  it("an expired access token gets the TokenExpired problem; a missing tenant header a 403", async () => {
    h = await setup();
    h.fake.expireAccessTokens();
    const expired = await raw("/api.xro/2.0/Contacts");
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ Title: "Unauthorized", Status: 401, Detail: expect.stringMatching(/^TokenExpired: /) });
    h.fake.reset();
    const grant = h.fake.issueTokens();
    const noTenant = await raw("/api.xro/2.0/Contacts", { token: grant.access_token, tenant: null });
    expect([noTenant.status, ((await noTenant.json()) as { Detail: string }).Detail]).toEqual([403, "AuthenticationUnsuccessful"]);
  });

  it("a grant without the contacts scope is refused on /Contacts", async () => {
    h = await setup();
    const grant = h.fake.issueTokens({ scopes: ["offline_access", "accounting.invoices"] });
    const response = await raw("/api.xro/2.0/Contacts", { token: grant.access_token });
    expect(response.status).toBe(403);
    expect((await raw("/api.xro/2.0/Invoices", { token: grant.access_token })).status).toBe(200);
  });
});

describe("accounting API", () => {
  it("answers what it lacks with core's 501: other entities, deeper paths, XML", async () => {
    h = await setup();
    for (const [path, accept] of [
      ["/api.xro/2.0/Accounts", "application/json"],
      ["/api.xro/2.0/Reports/BalanceSheet", "application/json"],
      ["/api.xro/2.0/Invoices/abc/Attachments", "application/json"],
      ["/api.xro/2.0/Contacts", "application/xml"],
      ["/payroll.xro/1.0/Employees", "application/json"],
    ] as const) {
      const response = await raw(path, { accept });
      expect(response.status, path).toBe(501);
      expect(response.headers.get(NOT_IMPLEMENTED_HEADER), path).toBe("@connect/xero/testing");
      expect(((await response.json()) as { error: string }).error).toBe("not_implemented_by_fake");
    }
  });

  it("a reused Idempotency-Key with a different body is a 400; the same body replays", async () => {
    h = await setup();
    const body = JSON.stringify({ Contacts: [{ Name: "Ana" }] });
    const first = await raw("/api.xro/2.0/Contacts", { method: "PUT", body, headers: { "idempotency-key": "k-1" } });
    const replay = await raw("/api.xro/2.0/Contacts", { method: "PUT", body, headers: { "idempotency-key": "k-1" } });
    expect(await replay.json()).toEqual(await first.json());
    const different = await raw("/api.xro/2.0/Contacts", { method: "PUT", body: JSON.stringify({ Contacts: [{ Name: "Bo" }] }), headers: { "idempotency-key": "k-1" } });
    expect(different.status).toBe(400);
    expect(h.fake.books(h.tenantId).contacts.all()).toHaveLength(1);
    // After the window the key is forgotten.
    h.clock.now += 7 * 60_000;
    const later = await raw("/api.xro/2.0/Contacts", { method: "PUT", body: JSON.stringify({ Contacts: [{ Name: "Bo" }] }), headers: { "idempotency-key": "k-1" } });
    expect(later.status).toBe(200);
  });

  it("keeps the invoice status machine: DELETED only from DRAFT, payments make PAID and a deleted payment reopens it", async () => {
    h = await setup();
    const books = h.fake.books(h.tenantId);
    const contact = books.contacts.create({ Name: "Ana" });
    const draft = books.invoices.create({ Type: "ACCREC", Contact: { ContactID: contact.ContactID }, LineItems: [{ Description: "x", UnitAmount: 10, AccountCode: "200" }] });
    expect(books.invoices.update(String(draft.InvoiceID), { Status: "DELETED" }).Status).toBe("DELETED");
    const live = books.invoices.create({ Type: "ACCREC", Status: "AUTHORISED", Contact: { ContactID: contact.ContactID }, LineItems: [{ Description: "x", UnitAmount: 10, AccountCode: "200" }] });
    expect(() => books.invoices.update(String(live.InvoiceID), { Status: "DELETED" })).toThrow(/not of valid status/);
    const payment = books.payments.create({ Invoice: { InvoiceID: live.InvoiceID }, Account: { Code: "090" }, Date: "2026-03-03", Amount: 10 });
    expect(books.invoices.get(String(live.InvoiceID))).toMatchObject({ Status: "PAID", AmountDue: 0, FullyPaidOnDate: expect.stringMatching(/^\/Date\(/) });
    expect(() => books.invoices.update(String(live.InvoiceID), { Status: "VOIDED" })).toThrow(/cannot be voided as it has payments/);
    books.payments.update(String(payment.PaymentID), { Status: "DELETED" });
    expect(books.invoices.get(String(live.InvoiceID))).toMatchObject({ Status: "AUTHORISED", AmountDue: 10 });
    expect(() => books.payments.create({ Invoice: { InvoiceID: live.InvoiceID }, Account: { Code: "200" }, Date: "2026-03-03", Amount: 1 })).toThrow(/accounts of type BANK/);
  });

  it("a wrong LineAmountTypes casing is ErrorNumber 14 PostDataInvalidException", async () => {
    h = await setup();
    const contact = h.fake.books(h.tenantId).contacts.create({ Name: "Ana" });
    const response = await raw("/api.xro/2.0/Invoices", { method: "PUT", body: JSON.stringify({ Invoices: [{ Type: "ACCREC", Contact: { ContactID: contact.ContactID }, LineAmountTypes: "NO_TAX", LineItems: [{ Description: "x" }] }] }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ ErrorNumber: 14, Type: "PostDataInvalidException" });
  });
});

import { ServerError, ValidationError } from "@connect/core";
import { qbql, quoteValue, selectStatement } from "@connect/quickbooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiRequests, customerBody, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

describe("escaping", () => {
  it("quotes strings with \\' and \\\\ and leaves numbers, booleans and dates bare", () => {
    expect(quoteValue("O'Brien & Sons")).toBe("'O\\'Brien & Sons'");
    expect(quoteValue("ends with \\")).toBe("'ends with \\\\'");
    expect(quoteValue(12.5)).toBe("12.5");
    expect(quoteValue(false)).toBe("false");
    expect(quoteValue(new Date(Date.UTC(2026, 0, 2)))).toBe("'2026-01-02T00:00:00.000Z'");
    expect(qbql`SELECT * FROM Invoice WHERE DocNumber = ${"D-1' OR Id > '0"} AND Balance > ${0}`).toBe("SELECT * FROM Invoice WHERE DocNumber = 'D-1\\' OR Id > \\'0' AND Balance > 0");
    expect(selectStatement("Customer", { where: { DisplayName: { like: "Ana%" }, Id: { in: ["1", "2"] } }, orderBy: "DisplayName desc" }, { start: 1, max: 10 })).toBe(
      "SELECT * FROM Customer WHERE DisplayName LIKE 'Ana%' AND Id IN ('1', '2') ORDERBY DisplayName DESC STARTPOSITION 1 MAXRESULTS 10",
    );
  });

  it("finds a name with a quote exactly, and an injection attempt stays a string that matches nothing", async () => {
    await h.client.customers.create(customerBody("O'Brien Builders (Loan L-7)"));
    await h.client.customers.create(customerBody("Other (Loan L-8)"));
    h.server.requests.length = 0;
    const found = await h.client.customers.page({ where: { DisplayName: "O'Brien Builders (Loan L-7)" } });
    expect(found.map((c) => c.DisplayName)).toEqual(["O'Brien Builders (Loan L-7)"]);
    expect(apiRequests(h.server)[0]!.query.get("query")).toBe("SELECT * FROM Customer WHERE DisplayName = 'O\\'Brien Builders (Loan L-7)' STARTPOSITION 1 MAXRESULTS 1000");
    const injected = await h.client.customers.page({ where: { DisplayName: "x' OR DisplayName LIKE '%" } });
    expect(injected).toEqual([]);
  });

  it.each([
    ["a property that is not a name", () => selectStatement("Customer", { where: { "Id = '1' OR 1": "x" } })],
    ["an entity that is not a name", () => selectStatement("Customer; DROP", {})],
    ["an unknown operator", () => selectStatement("Customer", { where: { Id: { "!=": "1" } as never } })],
    ["an empty IN list", () => selectStatement("Customer", { where: { Id: { in: [] } } })],
    ["a page size above 1000", () => selectStatement("Customer", {}, { start: 1, max: 1001 })],
    ["a 0 start position", () => selectStatement("Customer", {}, { start: 0, max: 10 })],
  ])("refuses %s with ValidationError", (_name, build) => {
    expect(build).toThrow(ValidationError);
  });

  it("a bad where clause fails before any request", async () => {
    const error = await h.client.customers.page({ where: { "Display Name": "x" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(h.server.requests).toHaveLength(0);
  });
});

describe("paging", () => {
  it("pages through 2,500 rows with STARTPOSITION 1, 1001, 2001 and MAXRESULTS 1000", async () => {
    for (let i = 1; i <= 2500; i += 1) h.fake.insert("Customer", { DisplayName: `Borrower ${String(i).padStart(4, "0")} (Loan L-${i})` });
    const names: string[] = [];
    for await (const customer of h.client.customers.query({ where: { DisplayName: { like: "Borrower%" } } })) names.push(customer.DisplayName);
    expect(names).toHaveLength(2500);
    expect(new Set(names).size).toBe(2500);
    expect(names[0]).toBe("Borrower 0001 (Loan L-1)");
    expect(names[2499]).toBe("Borrower 2500 (Loan L-2500)");
    const statements = apiRequests(h.server).map((c) => c.query.get("query"));
    expect(statements).toEqual([1, 1001, 2001].map((start) => `SELECT * FROM Customer WHERE DisplayName LIKE 'Borrower%' STARTPOSITION ${start} MAXRESULTS 1000`));
    expect(await h.client.customers.count({ where: { DisplayName: { like: "Borrower%" } } })).toBe(2500);
  });

  it("an exact multiple of the page size ends on an empty page; no rows at all is one request", async () => {
    for (let i = 1; i <= 4; i += 1) h.fake.insert("Customer", { DisplayName: `P${i}` });
    const rows = [];
    for await (const row of h.client.query.all("Customer", { where: { DisplayName: { like: "P%" } }, pageSize: 2 })) rows.push(row);
    expect(rows).toHaveLength(4);
    expect(apiRequests(h.server)).toHaveLength(3);
    h.server.requests.length = 0;
    const none = [];
    for await (const row of h.client.invoices.query()) none.push(row);
    expect(none).toEqual([]);
    expect(apiRequests(h.server)).toHaveLength(1);
  });

  it("items: get by id and query by name", async () => {
    expect(await h.client.items.get({ id: "2" })).toMatchObject({ Id: "2", Name: "Construction Draw", Type: "Service" });
    const found = [];
    for await (const item of h.client.items.query({ where: { Name: { like: "Construction%" } } })) found.push(item.Name);
    expect(found).toEqual(["Construction Draw"]);
  });

  it("query.run returns the raw QueryResponse; the fake refuses OR like QuickBooks", async () => {
    const response = await h.client.query.run("SELECT COUNT(*) FROM Item");
    expect(response).toEqual({ totalCount: 2 });
    const error = await h.client.query.run("SELECT * FROM Customer WHERE Id = '1' OR Id = '2'").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).vendorCode).toBe("4000");
    expect((error as ValidationError).vendorMessage).toMatch(/OR/);
  });
});

describe("an endpoint the fake lacks", () => {
  // The fake stores no Estimate; it answers core's 501 naming itself. HTTP 501 means the server
  // does not support the call, so the client must not retry it.
  it("query.run on an entity the fake does not store is a non-retryable ServerError carrying the fake's 501 message, sent once", async () => {
    const error = await h.client.query.run("SELECT * FROM Estimate").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 501, retryable: false, vendor: "quickbooks", operation: "query.run" });
    expect((error as ServerError).vendorMessage).toContain(`not implemented by @connect/quickbooks/testing fake: GET /v3/company/${h.fake.realmId}/query (select from Estimate)`);
    expect(apiRequests(h.server)).toHaveLength(1);
  });
});

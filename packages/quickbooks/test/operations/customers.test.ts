import { ConflictError, NotFoundError, ValidationError } from "@connect/core";
import { requestIdFor } from "@connect/quickbooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiRequests, customerBody, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

describe("customers.create", () => {
  it("POSTs the body with minorversion=75 and a requestid derived from the idempotency key, and the fake stores it", async () => {
    const customer = await h.client.customers.create(customerBody(), { idempotencyKey: "loan-funded:L-1001" });
    const [call] = apiRequests(h.server);
    expect(call!.method).toBe("POST");
    expect(call!.path).toBe(`/v3/company/${h.fake.realmId}/customer`);
    expect(Object.fromEntries(call!.query)).toEqual({ minorversion: "75", requestid: requestIdFor("loan-funded:L-1001") });
    expect(requestIdFor("loan-funded:L-1001")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(call!.body).toEqual(customerBody());
    expect(customer).toMatchObject({ DisplayName: "Ana Builder (Loan L-1001)", SyncToken: "0", Active: true, Balance: 0 });
    expect(h.fake.get("Customer", customer.Id)).toMatchObject({ DisplayName: "Ana Builder (Loan L-1001)", PrimaryEmailAddr: { Address: "ana@example.com" } });
  });

  it("without an idempotency key the requestid is derived from the input: the same logical create sends the same requestid", async () => {
    await h.client.customers.create(customerBody("Bo (Loan L-2)"));
    await h.client.customers.create(customerBody("Bo (Loan L-2)"));
    const [first, second] = apiRequests(h.server);
    expect(first!.query.get("requestid")).toBe(second!.query.get("requestid"));
    expect(h.fake.rows("Customer").filter((c) => c.DisplayName === "Bo (Loan L-2)")).toHaveLength(1);
  });

  it("a duplicate DisplayName is ConflictError 6240 with Intuit's message", async () => {
    await h.client.customers.create(customerBody());
    const error = await h.client.customers.create(customerBody(), { idempotencyKey: "other" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).vendorCode).toBe("6240");
    expect((error as ConflictError).status).toBe(400);
    expect((error as ConflictError).vendorMessage).toMatch(/^Duplicate Name Exists Error: The name supplied already exists/);
    expect((error as ConflictError).operation).toBe("customers.create");
  });

  it("a DisplayName used by a vendor is a duplicate too", async () => {
    const error = await h.client.customers.create(customerBody("Acme Builders")).catch((e: unknown) => e);
    expect((error as ConflictError).vendorCode).toBe("6240");
  });

  it.each([
    ["a missing DisplayName", { PrimaryEmailAddr: { Address: "a@example.com" } }, "DisplayName"],
    ["a colon in DisplayName", { DisplayName: "A:B" }, "DisplayName"],
    ["a misspelt field", { DisplayName: "A", DisplyName: "A" }, "(root)"],
    ["an invalid email", { DisplayName: "A", PrimaryEmailAddr: { Address: "nope" } }, "PrimaryEmailAddr.Address"],
  ])("refuses %s with ValidationError before any request", async (_name, body, path) => {
    const error = await h.client.customers.create(body as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toContain(path);
    expect(h.server.requests).toHaveLength(0);
  });
});

describe("customers.get", () => {
  it("reads the customer with its balance; a missing id is NotFoundError 610", async () => {
    const created = await h.client.customers.create(customerBody());
    const read = await h.client.customers.get({ id: created.Id });
    expect(read).toEqual(created);
    const [, call] = apiRequests(h.server);
    expect(call!.method).toBe("GET");
    expect(call!.path).toBe(`/v3/company/${h.fake.realmId}/customer/${created.Id}`);
    expect(Object.fromEntries(call!.query)).toEqual({ minorversion: "75" });
    const error = await h.client.customers.get({ id: "99999" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).vendorCode).toBe("610");
  });

  it("refuses a non-numeric id before any request", async () => {
    const error = await h.client.customers.get({ id: "1 OR 1=1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(h.server.requests).toHaveLength(0);
  });
});

describe("customers.update", () => {
  it("sends a sparse update by default: only the changed fields change and SyncToken increments", async () => {
    const created = await h.client.customers.create(customerBody());
    const updated = await h.client.customers.update({ Id: created.Id, SyncToken: created.SyncToken, Notes: "Loan L-1001" });
    expect(apiRequests(h.server)[1]!.body).toEqual({ Id: created.Id, SyncToken: "0", Notes: "Loan L-1001", sparse: true });
    expect(updated).toMatchObject({ SyncToken: "1", Notes: "Loan L-1001", PrimaryEmailAddr: { Address: "ana@example.com" } });
  });

  it("a full update (sparse: false) clears the writable fields it omits", async () => {
    const created = await h.client.customers.create(customerBody());
    const updated = await h.client.customers.update({ Id: created.Id, SyncToken: "0", sparse: false, DisplayName: created.DisplayName });
    expect(updated.PrimaryEmailAddr).toBeUndefined();
    expect(h.fake.get("Customer", created.Id).PrimaryEmailAddr).toBeUndefined();
  });

  it("a stale SyncToken is ConflictError 5010 and the fake keeps the newer write", async () => {
    const created = await h.client.customers.create(customerBody());
    await h.client.customers.update({ Id: created.Id, SyncToken: "0", Notes: "first" });
    const error = await h.client.customers.update({ Id: created.Id, SyncToken: "0", Notes: "second" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).vendorCode).toBe("5010");
    expect((error as ConflictError).retryable).toBe(false);
    expect((error as ConflictError).message).toMatch(/read it again, re-apply the change and retry/);
    expect(h.fake.get("Customer", created.Id)).toMatchObject({ Notes: "first", SyncToken: "1" });
  });

  it("modify re-reads and re-applies after a stale SyncToken", async () => {
    const created = await h.client.customers.create(customerBody());
    let calls = 0;
    const result = await h.client.customers.modify(created.Id, async (current) => {
      calls += 1;
      // Another writer changes the customer between our read and our write, once.
      if (calls === 1) await h.makeClient().customers.update({ Id: current.Id, SyncToken: current.SyncToken, Notes: "someone else" });
      return { CompanyName: "Ana Builder LLC" };
    });
    expect(calls).toBe(2);
    expect(result).toMatchObject({ SyncToken: "2", CompanyName: "Ana Builder LLC", Notes: "someone else" });
  });

  it("deactivation is a sparse update with Active: false; inactive customers drop out of default queries", async () => {
    const created = await h.client.customers.create(customerBody());
    await h.client.customers.update({ Id: created.Id, SyncToken: "0", Active: false });
    expect(await h.client.customers.count({ where: { DisplayName: created.DisplayName } })).toBe(0);
    expect(await h.client.customers.count({ where: { DisplayName: created.DisplayName, Active: { in: [true, false] } } })).toBe(1);
  });
});

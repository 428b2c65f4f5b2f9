import { ForbiddenError, NotFoundError, ValidationError } from "@connect/core";
import { createXeroClient, DuplicateContactNameError } from "@connect/xero";
import { afterEach, describe, expect, it } from "vitest";
import { apiRequests, contactBody, setup, type Harness } from "../helpers.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe("contacts.create", () => {
  it("PUTs {Contacts:[…]} with the tenant, JSON and an Idempotency-Key, and the fake holds the contact", async () => {
    h = await setup();
    const contact = await h.client.contacts.create(contactBody(), { idempotencyKey: "loan-funded:L-1001" });
    expect(contact).toMatchObject({ Name: "Ana Builder", ContactNumber: "L-1001", EmailAddress: "ana@example.com", ContactStatus: "ACTIVE" });
    expect(contact.ContactID).toMatch(/^[0-9a-f-]{36}$/);
    expect(contact.UpdatedDateUTC).toMatch(/^\/Date\(\d+\+0000\)\/$/);
    const [sent] = apiRequests(h.server);
    expect(sent).toMatchObject({ method: "PUT", path: "/api.xro/2.0/Contacts", body: { Contacts: [contactBody()] } });
    expect(sent!.headers).toMatchObject({ "xero-tenant-id": h.tenantId, accept: "application/json", "idempotency-key": "loan-funded:L-1001", "content-type": expect.stringContaining("application/json") });
    expect(h.fake.books(h.tenantId).contacts.get(contact.ContactID)).toMatchObject({ Name: "Ana Builder" });
  });

  it("a name another active contact has is a DuplicateContactNameError naming it", async () => {
    h = await setup();
    await h.client.contacts.create(contactBody());
    const error = await h.client.contacts.create(contactBody("Ana Builder", "L-2")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateContactNameError);
    expect(error).toMatchObject({ status: 400, contactName: "Ana Builder", vendorCode: "10", vendor: "xero", operation: "contacts.create", retryable: false });
    expect((error as Error).message).toContain("Ana Builder");
  });

  it("refuses an invalid email, an empty name and unknown fields before any request", async () => {
    h = await setup();
    const error = (await h.client.contacts.create({ Name: "", EmailAddress: "not-an-email", Colour: "red" } as never).catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i) => i.path).sort()).toEqual(["(root)", "EmailAddress", "Name"]);
    const umlaut = (await h.client.contacts.create({ Name: "Jörg", EmailAddress: "jörg@example.com" }).catch((e: unknown) => e)) as ValidationError;
    expect(umlaut.issues.map((i) => i.path)).toEqual(["EmailAddress"]);
    expect(h.server.requests).toEqual([]);
  });
});

describe("contacts.update / get", () => {
  it("POSTs the changes to /Contacts/{id}; get reads by ContactID or ContactNumber", async () => {
    h = await setup();
    const created = await h.client.contacts.create(contactBody());
    const updated = await h.client.contacts.update({ ContactID: created.ContactID, EmailAddress: "ana@builder.test" });
    expect(updated.EmailAddress).toBe("ana@builder.test");
    expect(apiRequests(h.server)[1]).toMatchObject({ method: "POST", path: `/api.xro/2.0/Contacts/${created.ContactID}`, body: { Contacts: [{ ContactID: created.ContactID, EmailAddress: "ana@builder.test" }] } });
    expect((await h.client.contacts.get({ id: created.ContactID })).EmailAddress).toBe("ana@builder.test");
    expect((await h.client.contacts.get({ id: "L-1001" })).ContactID).toBe(created.ContactID);
  });

  it("an unknown id is a NotFoundError (Xero's plain-text 404)", async () => {
    h = await setup();
    const error = await h.client.contacts.get({ id: "00000000-0000-4000-8000-000000000000" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, vendorMessage: "The resource you're looking for cannot be found" });
  });
});

describe("contacts.findByExternalRef", () => {
  it("quotes the reference in the where filter, so quotes and backslashes stay one literal", async () => {
    h = await setup();
    const tricky = 'L-1"0\\1';
    const target = await h.client.contacts.create({ Name: "Tricky", ContactNumber: tricky });
    await h.client.contacts.create({ Name: "Bystander", ContactNumber: "B-1" });
    h.server.requests.length = 0;
    const found = await h.client.contacts.findByExternalRef({ externalRef: tricky });
    expect(found?.ContactID).toBe(target.ContactID);
    expect(apiRequests(h.server)[0]!.query.get("where")).toBe('ContactNumber=="L-1\\"0\\\\1"');
    // An injection attempt matches nothing instead of every contact.
    expect(await h.client.contacts.findByExternalRef({ externalRef: 'x" OR Name!="' })).toBeUndefined();
    expect(await h.client.contacts.findByExternalRef({ externalRef: "B-1", field: "AccountNumber" })).toBeUndefined();
  });

  it("refuses a reference with control characters before any request", async () => {
    h = await setup();
    await expect(h.client.contacts.findByExternalRef({ externalRef: "L-\u00011" })).rejects.toBeInstanceOf(ValidationError);
    expect(h.server.requests).toEqual([]);
  });
});

describe("contacts.list / all", () => {
  it("pages 100 at a time and stops at the short page", async () => {
    h = await setup();
    const books = h.fake.books(h.tenantId);
    for (let i = 0; i < 230; i += 1) books.contacts.create({ Name: `Borrower ${String(i).padStart(3, "0")}` });
    const page2 = await h.client.contacts.list({ page: 2 });
    expect(page2.items).toHaveLength(100);
    expect(page2.pagination).toEqual({ page: 2, pageSize: 100, pageCount: 3, itemCount: 230 });
    h.server.requests.length = 0;
    const names: string[] = [];
    for await (const contact of h.client.contacts.all()) names.push(contact.Name!);
    expect(names).toHaveLength(230);
    expect(new Set(names).size).toBe(230);
    expect(apiRequests(h.server).map((r) => r.query.get("page"))).toEqual(["1", "2", "3"]);
  });

  it("sends If-Modified-Since in UTC and gets only what changed after it", async () => {
    h = await setup();
    const a = await h.client.contacts.create(contactBody("A", "R-A"));
    await h.client.contacts.create(contactBody("B", "R-B"));
    h.clock.now += 60_000;
    const since = new Date(h.clock.now);
    h.clock.now += 1_000;
    await h.client.contacts.update({ ContactID: a.ContactID, FirstName: "Ana" });
    h.server.requests.length = 0;
    const changed = await h.client.contacts.list({ page: 1, modifiedSince: since });
    expect(changed.items.map((c) => c.Name)).toEqual(["A"]);
    expect(apiRequests(h.server)[0]!.headers["if-modified-since"]).toBe(since.toISOString());
  });

  it("hides archived contacts unless includeArchived", async () => {
    h = await setup();
    const a = await h.client.contacts.create(contactBody("A", "R-A"));
    await h.client.contacts.update({ ContactID: a.ContactID, ContactStatus: "ARCHIVED" });
    expect((await h.client.contacts.list({ page: 1 })).items).toEqual([]);
    expect((await h.client.contacts.list({ page: 1, includeArchived: true })).items.map((c) => c.ContactID)).toEqual([a.ContactID]);
  });
});

describe("tenants", () => {
  it("a client needs a tenant id: a missing or malformed one fails at creation, before any request", async () => {
    h = await setup();
    expect(() => createXeroClient({ tokens: h.tokens, clientId: "c", clientSecret: "s" } as never)).toThrow(/tenantId is required/);
    expect(() => createXeroClient({ tenantId: "acme", tokens: h.tokens, clientId: "c", clientSecret: "s" })).toThrow(TypeError);
    expect(h.server.requests).toEqual([]);
  });

  it("a tenant the grant is not connected to is a ForbiddenError", async () => {
    h = await setup();
    const connections = await h.client.connections.list();
    const second = connections.find((c) => c.tenantId !== h.tenantId)!;
    await h.client.connections.disconnect(second.id);
    const other = h.makeClient({ tenantId: second.tenantId });
    const error = await other.contacts.list({ page: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ status: 403, vendorMessage: "AuthenticationUnsuccessful" });
  });

  it("each client's calls carry its own tenant and see that tenant's books only", async () => {
    h = await setup();
    const other = h.makeClient({ tenantId: h.fake.tenants[1]!.tenantId });
    await h.client.contacts.create(contactBody("Only In First", "F-1"));
    expect((await other.contacts.list({ page: 1 })).items).toEqual([]);
    expect(apiRequests(h.server).map((r) => r.headers["xero-tenant-id"])).toEqual([h.tenantId, h.fake.tenants[1]!.tenantId]);
  });
});

import { ValidationError } from "@connect/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, NOW, requestLines, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

describe("contacts.list / contacts.listAll", () => {
  it("filters by type (comma-separated) and pages by offset", async () => {
    for (let i = 0; i < 7; i++) h.fake.addContact({ type: i % 2 === 0 ? "BUILDER" : "LANDOWNER", name: `Contact ${i}` });
    h.fake.addContact({ type: "BROKER", name: "Broker Bea" });
    const rows = await collect(h.client.contacts.listAll({ type: ["BUILDER", "LANDOWNER"], limit: 3 }));

    expect(rows.map((c) => c.name)).toEqual(["Contact 0", "Contact 1", "Contact 2", "Contact 3", "Contact 4", "Contact 5", "Contact 6"]);
    expect(requestLines(h.server)).toEqual([
      "GET /api/v1/contacts?type=BUILDER%2CLANDOWNER&limit=3&offset=0",
      "GET /api/v1/contacts?type=BUILDER%2CLANDOWNER&limit=3&offset=3",
      "GET /api/v1/contacts?type=BUILDER%2CLANDOWNER&limit=3&offset=6",
    ]);
  });

  it("returns one typed page", async () => {
    const bea = h.fake.addContact({ type: "BROKER", name: "Broker Bea", email: "bea@brokers.example", phone: "+1 512 555 0100", company: "Bea Realty" });
    const page = await h.client.contacts.list({ type: "BROKER" });
    expect(page).toEqual({ data: [bea], pagination: { total: 1, limit: 100, offset: 0, has_more: false } });
  });

  it("rejects an unknown contact type before any I/O", async () => {
    const error = await h.client.contacts.list({ type: ["ARCHITECT"] } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(["type"]);
    expect(h.server.requests).toHaveLength(0);
  });
});

describe("contacts.upsert", () => {
  const builder = { external_id: "ct_9", type: "BUILDER" as const, name: "Reyes Homes", email: "ops@reyes.example", phone: "+1 (512) 555-0199", company: "Reyes Homes LLC" };

  it("creates, then updates the same contact by external_id (one record, same id)", async () => {
    const created = await h.client.contacts.upsert(builder);
    const again = await h.client.contacts.upsert(builder);
    const renamed = await h.client.contacts.upsert({ ...builder, name: "Reyes Homes & Co" });

    expect(again).toEqual(created);
    expect(renamed.id).toBe(created.id);
    expect(h.fake.contacts.size).toBe(1);
    expect(h.fake.contacts.get(created.id)).toMatchObject({ name: "Reyes Homes & Co", type: "BUILDER", email: "ops@reyes.example" });
    expect(JSON.parse(h.server.requests[0]!.text)).toEqual({ ...builder, metadata: { source: "connect-platform", sync_timestamp: new Date(NOW).toISOString() } });
    expect(h.fake.upserts.map((u) => [u.resource, u.created, u.changed])).toEqual([
      ["contacts", true, true],
      ["contacts", false, false],
      ["contacts", false, true],
    ]);
  });

  it("rejects a bad email and phone before any I/O", async () => {
    const error = await h.client.contacts.upsert({ ...builder, email: "ops.reyes.example", phone: "call me" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path).sort()).toEqual(["email", "phone"]);
    expect(h.server.requests).toHaveLength(0);
  });
});

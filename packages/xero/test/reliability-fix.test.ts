/**
 * Found by the repository's fault matrix (test/reliability): a 504 gateway timeout on a keyed
 * write is retried with the same Idempotency-Key, as 500/502/503 are.
 */
import { scripted, statusResponse } from "@connect/core/testing";
import { classifyXeroError } from "@connect/xero";
import { afterEach, describe, expect, it } from "vitest";
import { setup, type Harness } from "./helpers.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe("504 gateway timeouts", () => {
  it("classify as a retryable ServerError (501 still is not)", () => {
    expect(classifyXeroError({ status: 504, body: "Gateway Timeout", headers: {}, requestId: "r" })).toMatchObject({ name: "ServerError", status: 504, retryable: true });
    expect(classifyXeroError({ status: 501, body: "Not implemented", headers: {}, requestId: "r" })).toMatchObject({ name: "ServerError", retryable: false });
  });

  it("a contact create answered 504 once is sent again with the same Idempotency-Key and created once", async () => {
    h = await setup();
    h.server.use(scripted("put", "*/api.xro/2.0/Contacts", [() => statusResponse(504)]).handler);
    const created = await h.client.contacts.create({ Name: "Gateway Builder" }, { idempotencyKey: "contact-gw-1" });
    expect(created.Name).toBe("Gateway Builder");
    const puts = h.server.requests.filter((r) => r.method === "PUT" && r.url.endsWith("/api.xro/2.0/Contacts"));
    expect(puts.map((r) => r.headers["idempotency-key"])).toEqual(["contact-gw-1", "contact-gw-1"]);
    expect(h.fake.books(h.tenantId).contacts.all().filter((c) => c.view.Name === "Gateway Builder")).toHaveLength(1);
  });
});

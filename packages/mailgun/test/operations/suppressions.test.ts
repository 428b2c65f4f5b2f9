import { NotFoundError, ValidationError } from "@connect/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rejection, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

describe("bounces", () => {
  it("add one record: a JSON array on the wire, the row stored with code and error", async () => {
    const answer = await h.client.bounces.add({ address: "Ana@Example.com", code: 550, error: "mailbox does not exist", createdAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) });

    expect(answer.message).toBe("1 addresses have been added to the bounces table");
    const request = h.server.requests[0]!;
    expect([request.method, request.url, request.headers["content-type"]]).toEqual(["POST", "/v3/mg.acme.test/bounces", "application/json"]);
    expect(JSON.parse(request.text)).toEqual([{ address: "Ana@Example.com", code: "550", error: "mailbox does not exist", created_at: "Fri, 02 Jan 2026 03:04:05 +0000" }]);
    expect(h.fake.domain().bounces).toEqual([{ address: "ana@example.com", code: "550", error: "mailbox does not exist", created_at: "Fri, 02 Jan 2026 03:04:05 +0000" }]);
  });

  it("get one address (URL-encoded), and NotFoundError with Mailgun's text when absent", async () => {
    await h.client.bounces.add({ address: "ana+draws@example.com", code: "551" });
    const row = await h.client.bounces.get({ address: "ana+draws@example.com" });
    expect(row).toMatchObject({ address: "ana+draws@example.com", code: "551" });
    expect(h.server.requests[1]!.url).toBe("/v3/mg.acme.test/bounces/ana%2Bdraws%40example.com");

    const error = await rejection(h.client.bounces.get({ address: "bo@example.com" }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, vendorMessage: "Address not found in bounces table", operation: "bounces.get" });
  });

  it("list a page, follow paging.next, and listAll walks every page until an empty one", async () => {
    await h.client.bounces.add(Array.from({ length: 5 }, (_, i) => ({ address: `r${i}@example.com` })));
    const first = await h.client.bounces.list({ limit: 2 });
    expect(first.items.map((r) => r.address)).toEqual(["r0@example.com", "r1@example.com"]);
    expect(first.paging?.next).toBe(`${h.server.url}/v3/mg.acme.test/bounces?page=next&limit=2&address=r1%40example.com`);
    const second = await h.client.bounces.page({ url: first.paging!.next! });
    expect(second.items.map((r) => r.address)).toEqual(["r2@example.com", "r3@example.com"]);

    h.server.requests.length = 0;
    const all: string[] = [];
    for await (const row of h.client.bounces.listAll({ limit: 2 })) all.push(row.address);
    expect(all).toEqual(["r0@example.com", "r1@example.com", "r2@example.com", "r3@example.com", "r4@example.com"]);
    // 3 pages with rows, then the empty page that ends the walk.
    expect(h.server.requests.map((r) => r.url)).toEqual([
      "/v3/mg.acme.test/bounces?limit=2",
      "/v3/mg.acme.test/bounces?page=next&limit=2&address=r1%40example.com",
      "/v3/mg.acme.test/bounces?page=next&limit=2&address=r3%40example.com",
      "/v3/mg.acme.test/bounces?page=next&limit=2&address=r4%40example.com",
    ]);
  });

  it("term filters by prefix", async () => {
    await h.client.bounces.add([{ address: "ana@example.com" }, { address: "bo@example.com" }]);
    const page = await h.client.bounces.list({ term: "bo" });
    expect(page.items.map((r) => r.address)).toEqual(["bo@example.com"]);
    expect(h.server.requests[1]!.url).toBe("/v3/mg.acme.test/bounces?term=bo");
  });

  it("delete one address; deleting it again is NotFoundError", async () => {
    await h.client.bounces.add({ address: "ana@example.com" });
    expect(await h.client.bounces.delete({ address: "ana@example.com" })).toEqual({ message: "Bounced address has been removed", address: "ana@example.com" });
    expect(h.fake.domain().bounces).toEqual([]);
    expect(await rejection(h.client.bounces.delete({ address: "ana@example.com" }))).toBeInstanceOf(NotFoundError);
  });

  it("bad input is refused before I/O: an invalid address, a batch of 1001, a paging URL of another resource", async () => {
    const invalid = await rejection(h.client.bounces.add({ address: "nope" }));
    expect(invalid).toBeInstanceOf(ValidationError);
    const tooMany = await rejection(h.client.bounces.add(Array.from({ length: 1001 }, (_, i) => ({ address: `r${i}@example.com` }))));
    expect(tooMany).toBeInstanceOf(ValidationError);
    const foreign = await rejection(h.client.bounces.page({ url: `${h.server.url}/v3/mg.acme.test/unsubscribes?page=next` }));
    expect(foreign).toBeInstanceOf(ValidationError);
    expect((foreign as ValidationError).issues[0]!.path).toBe("url");
    const limit = await rejection(h.client.bounces.list({ limit: 1001 }));
    expect(limit).toBeInstanceOf(ValidationError);
    expect(h.server.requests).toHaveLength(0);
  });
});

describe("unsubscribes and complaints", () => {
  it("unsubscribes keep tags; the 404 text is Mailgun's", async () => {
    await h.client.unsubscribes.add([{ address: "ana@example.com", tags: ["newsletter"] }, { address: "bo@example.com" }]);
    expect(JSON.parse(h.server.requests[0]!.text)).toEqual([{ address: "ana@example.com", tags: ["newsletter"] }, { address: "bo@example.com" }]);
    expect(await h.client.unsubscribes.get({ address: "ana@example.com" })).toMatchObject({ address: "ana@example.com", tags: ["newsletter"] });
    expect(await h.client.unsubscribes.get({ address: "bo@example.com" })).toMatchObject({ tags: ["*"] });
    expect(await rejection(h.client.unsubscribes.get({ address: "cy@example.com" }))).toMatchObject({ status: 404, vendorMessage: "Address not found in unsubscribers table" });
    expect(await h.client.unsubscribes.delete({ address: "bo@example.com" })).toEqual({ message: "Unsubscribe event has been removed", address: "bo@example.com" });
  });

  it("complaints: add, list, get, delete", async () => {
    await h.client.complaints.add({ address: "ana@example.com" });
    expect((await h.client.complaints.list()).items.map((r) => r.address)).toEqual(["ana@example.com"]);
    expect(await rejection(h.client.complaints.get({ address: "bo@example.com" }))).toMatchObject({ vendorMessage: "No spam complaints found for this address" });
    expect(await h.client.complaints.delete({ address: "ana@example.com" })).toEqual({ message: "Spam complaint has been removed", address: "ana@example.com" });
    expect(h.fake.domain().complaints).toEqual([]);
  });
});

describe("healthCheck", () => {
  it("is one authenticated bounces read", async () => {
    const health = await h.client.healthCheck();
    expect(health.status).toBe("healthy");
    expect(h.server.requests.map((r) => r.url)).toEqual(["/v3/mg.acme.test/bounces?limit=1"]);
  });
});

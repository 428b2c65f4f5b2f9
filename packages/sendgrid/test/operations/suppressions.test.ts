import { NotFoundError, ValidationError } from "@connect/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

const bounce = (i: number) => ({ created: 1_700_000_000 + i, email: `b${i}@example.com`, reason: "550 5.1.1 user unknown", status: "5.1.1" });

describe("bounces.list", () => {
  it("sends the time window and page as query parameters and returns the rows", async () => {
    h.fake.suppressions.bounces.push(...Array.from({ length: 10 }, (_, i) => bounce(i)));
    const rows = await h.client.bounces.list({ startTime: 1_700_000_002, endTime: 1_700_000_008, limit: 3, offset: 1 });

    expect(h.server.requests.map((r) => r.url)).toEqual(["/v3/suppression/bounces?start_time=1700000002&end_time=1700000008&limit=3&offset=1"]);
    expect(rows).toEqual([bounce(3), bounce(4), bounce(5)]);
  });

  it("defaults to the first page of 500 rows", async () => {
    const rows = await h.client.bounces.list();
    expect(rows).toEqual([]);
    expect(h.server.requests[0]!.url).toBe("/v3/suppression/bounces?limit=500&offset=0");
  });

  it("rejects a window that ends before it starts, and a page over 500, before any I/O", async () => {
    const inverted = await h.client.bounces.list({ startTime: 10, endTime: 5 }).catch((e: unknown) => e);
    const tooBig = await h.client.bounces.list({ limit: 501 }).catch((e: unknown) => e);

    expect(inverted).toBeInstanceOf(ValidationError);
    expect((inverted as ValidationError).issues.map((i) => i.path)).toEqual(["startTime"]);
    expect(tooBig).toBeInstanceOf(ValidationError);
    expect((tooBig as ValidationError).issues.map((i) => i.path)).toEqual(["limit"]);
    expect(h.server.requests).toHaveLength(0);
  });

  it("rejects wire-style parameter names (start_time) instead of silently ignoring them", async () => {
    const error = await h.client.bounces.list({ start_time: 5 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.message).toContain("start_time");
    expect(h.server.requests).toHaveLength(0);
  });
});

describe("bounces.listAll", () => {
  it("pages by offset until a short page", async () => {
    h.fake.suppressions.bounces.push(...Array.from({ length: 1203 }, (_, i) => bounce(i)));
    const rows = [];
    for await (const row of h.client.bounces.listAll()) rows.push(row);

    expect(rows).toHaveLength(1203);
    expect(rows[1202]).toEqual(bounce(1202));
    expect(h.server.requests.map((r) => r.url)).toEqual([
      "/v3/suppression/bounces?limit=500&offset=0",
      "/v3/suppression/bounces?limit=500&offset=500",
      "/v3/suppression/bounces?limit=500&offset=1000",
    ]);
  });
});

describe("bounces.delete", () => {
  it("deletes the given addresses with an {emails} body", async () => {
    h.fake.suppressions.bounces.push(bounce(1), bounce(2), bounce(3));
    await expect(h.client.bounces.delete({ emails: ["b1@example.com", "b3@example.com"] })).resolves.toBeUndefined();

    expect(h.server.requests[0]!.method).toBe("DELETE");
    expect(h.server.requests[0]!.url).toBe("/v3/suppression/bounces");
    expect(JSON.parse(h.server.requests[0]!.text)).toEqual({ emails: ["b1@example.com", "b3@example.com"] });
    expect(h.fake.suppressions.bounces).toEqual([bounce(2)]);
  });

  it("deletes everything with {delete_all: true}", async () => {
    h.fake.suppressions.bounces.push(bounce(1), bounce(2));
    await h.client.bounces.delete({ deleteAll: true });

    expect(JSON.parse(h.server.requests[0]!.text)).toEqual({ delete_all: true });
    expect(h.fake.suppressions.bounces).toEqual([]);
  });

  it.each([
    ["both emails and deleteAll", { emails: ["a@example.com"], deleteAll: true }],
    ["neither emails nor deleteAll", {}],
    ["an invalid address", { emails: ["nope"] }],
  ])("rejects %s before any I/O", async (_name, input) => {
    const error = await h.client.bounces.delete(input as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(h.server.requests).toHaveLength(0);
  });
});

describe("blocks", () => {
  it("lists and deletes blocks", async () => {
    h.fake.suppressions.blocks.push({ created: 1_700_000_000, email: "blocked@example.com", reason: "550 blocked", status: "5.7.1" });
    expect(await h.client.blocks.list()).toEqual([{ created: 1_700_000_000, email: "blocked@example.com", reason: "550 blocked", status: "5.7.1" }]);
    await h.client.blocks.delete({ emails: ["blocked@example.com"] });

    expect(h.server.requests.map((r) => `${r.method} ${r.url.split("?")[0]}`)).toEqual(["GET /v3/suppression/blocks", "DELETE /v3/suppression/blocks"]);
    expect(h.fake.suppressions.blocks).toEqual([]);
  });
});

describe("spamReports", () => {
  it("lists and deletes spam reports", async () => {
    h.fake.suppressions.spamReports.push({ created: 1_700_000_000, email: "angry@example.com", ip: "203.0.113.7" });
    expect(await h.client.spamReports.list()).toEqual([{ created: 1_700_000_000, email: "angry@example.com", ip: "203.0.113.7" }]);
    await h.client.spamReports.delete({ deleteAll: true });

    expect(h.server.requests.map((r) => `${r.method} ${r.url.split("?")[0]}`)).toEqual(["GET /v3/suppression/spam_reports", "DELETE /v3/suppression/spam_reports"]);
    expect(h.fake.suppressions.spamReports).toEqual([]);
  });
});

describe("unsubscribes", () => {
  it("lists global unsubscribes and deletes one through the ASM global suppression path", async () => {
    h.fake.suppressions.unsubscribes.push({ created: 1_700_000_000, email: "gone+tag@example.com" }, { created: 1_700_000_001, email: "stay@example.com" });
    expect(await h.client.unsubscribes.list({ limit: 1 })).toEqual([{ created: 1_700_000_000, email: "gone+tag@example.com" }]);
    await h.client.unsubscribes.delete({ email: "gone+tag@example.com" });

    expect(h.server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /v3/suppression/unsubscribes?limit=1&offset=0",
      "DELETE /v3/asm/suppressions/global/gone%2Btag%40example.com",
    ]);
    expect(h.fake.suppressions.unsubscribes).toEqual([{ created: 1_700_000_001, email: "stay@example.com" }]);
  });

  it("maps a 404 from SendGrid to NotFoundError", async () => {
    h.fake.failNext({ status: 404, path: "/v3/asm/suppressions/global/" });
    const error = await h.client.unsubscribes.delete({ email: "x@example.com" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).vendorMessage).toBe("resource not found");
  });
});

describe("healthCheck", () => {
  it("is healthy after one cheap authenticated call", async () => {
    const health = await h.client.healthCheck();
    expect(health.status).toBe("healthy");
    expect(h.server.requests.map((r) => r.url)).toEqual(["/v3/suppression/bounces?limit=1&offset=0"]);
    expect(h.server.requests[0]!.headers.authorization).toBe(`Bearer ${h.fake.apiKey}`);
  });

  it("is unhealthy when the key is rejected", async () => {
    h.fake.failNext({ status: 401, times: 2 });
    const health = await h.client.healthCheck();
    expect(health.status).toBe("unhealthy");
    expect(health.error).toContain("401");
  });
});

import { NotFoundError, ValidationError } from "@connect/core";
import { describe, expect, it } from "vitest";
import { callsOf, rejection, useSes } from "../helpers.js";

describe("suppressions", () => {
  const t = useSes();

  it("put upserts, get reads it back (the address path-encoded), delete removes it, get is then NotFoundError", async () => {
    await t.client.suppressions.put({ email: "a+b@example.com", reason: "BOUNCE" });
    await t.client.suppressions.put({ email: "a+b@example.com", reason: "COMPLAINT" });
    expect(t.fake.suppressions.get("a+b@example.com")?.reason).toBe("COMPLAINT");
    t.fake.suppressions.get("a+b@example.com")!.messageId = "0102-msg";
    const got = await t.client.suppressions.get({ email: "a+b@example.com" });
    expect(got).toEqual({ email: "a+b@example.com", reason: "COMPLAINT", lastUpdateTime: t.fake.suppressions.get("a+b@example.com")!.lastUpdateTime.toISOString(), messageId: "0102-msg" });
    expect(callsOf(t.fake, "GetSuppressedDestination")[0]!.path).toBe("/v2/email/suppression/addresses/a%2Bb%40example.com");
    expect(callsOf(t.fake, "PutSuppressedDestination")[0]!.body).toEqual({ EmailAddress: "a+b@example.com", Reason: "BOUNCE" });
    await t.client.suppressions.delete({ email: "a+b@example.com" });
    const error = await rejection(t.client.suppressions.get({ email: "a+b@example.com" }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, vendorCode: "NotFoundException", operation: "suppressions.get", vendor: "ses" });
    expect(await rejection(t.client.suppressions.delete({ email: "a+b@example.com" }))).toBeInstanceOf(NotFoundError);
  });

  it("lists by reason and date, page by page (listAll follows NextToken)", async () => {
    const at = (iso: string) => new Date(iso);
    for (const [email, reason, when] of [
      ["a@example.com", "BOUNCE", "2026-01-01T00:00:00Z"],
      ["b@example.com", "COMPLAINT", "2026-01-02T00:00:00Z"],
      ["c@example.com", "BOUNCE", "2026-01-03T00:00:00Z"],
      ["d@example.com", "BOUNCE", "2026-01-04T00:00:00Z"],
      ["e@example.com", "BOUNCE", "2026-01-05T00:00:00Z"],
    ] as const) t.fake.suppressions.set(email, { reason, lastUpdateTime: at(when) });
    const page = await t.client.suppressions.list({ reasons: ["BOUNCE"], pageSize: 2 });
    expect(page.items.map((i) => i.email)).toEqual(["a@example.com", "c@example.com"]);
    expect(page.nextToken).toEqual(expect.any(String));
    expect(page.items[0]).toEqual({ email: "a@example.com", reason: "BOUNCE", lastUpdateTime: "2026-01-01T00:00:00.000Z" });
    const all: string[] = [];
    for await (const item of t.client.suppressions.listAll({ reasons: ["BOUNCE"], pageSize: 2 })) all.push(item.email);
    expect(all).toEqual(["a@example.com", "c@example.com", "d@example.com", "e@example.com"]);
    const windowed = await t.client.suppressions.list({ startDate: at("2026-01-02T00:00:00Z"), endDate: at("2026-01-04T00:00:00Z") });
    expect(windowed.items.map((i) => i.email)).toEqual(["b@example.com", "c@example.com"]);
    const query = callsOf(t.fake, "ListSuppressedDestinations").at(-1)!.query;
    expect([query.get("StartDate"), query.get("EndDate")]).toEqual(["2026-01-02T00:00:00Z", "2026-01-04T00:00:00Z"]);
    expect(callsOf(t.fake, "ListSuppressedDestinations")[0]!.query.getAll("Reason")).toEqual(["BOUNCE"]);
  });

  it("refuses a bad address, an unknown reason and a page size over 1000 before any request", async () => {
    expect(await rejection(t.client.suppressions.get({ email: "not-an-address" }))).toBeInstanceOf(ValidationError);
    expect(await rejection(t.client.suppressions.put({ email: "a@example.com", reason: "UNSUBSCRIBE" as never }))).toBeInstanceOf(ValidationError);
    expect(await rejection(t.client.suppressions.list({ pageSize: 1001 }))).toBeInstanceOf(ValidationError);
    expect(t.fake.calls).toEqual([]);
  });

  it("an invalid NextToken is a ValidationError from SES", async () => {
    const error = await rejection(t.client.suppressions.list({ nextToken: "garbage" }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ vendorCode: "InvalidNextTokenException", status: 400 });
  });
});

describe("account.get and the health check", () => {
  const t = useSes({ sandbox: true });
  it("reports sandbox, quotas and sending state; the health check turns unhealthy when sending is disabled", async () => {
    expect(await t.client.account.get()).toEqual({
      sendingEnabled: true,
      productionAccessEnabled: false,
      enforcementStatus: "HEALTHY",
      sendQuota: { max24HourSend: 200, maxSendRate: 1, sentLast24Hours: 0 },
      suppressedReasons: ["BOUNCE", "COMPLAINT"],
    });
    expect((await t.client.healthCheck()).status).toBe("healthy");
    t.fake.setSendingEnabled(false);
    const health = await t.client.healthCheck();
    expect(health.status).toBe("unhealthy");
    expect(health.error).toContain("sending is disabled");
  });
});

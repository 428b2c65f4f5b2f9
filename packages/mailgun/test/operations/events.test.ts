import { ValidationError } from "@connect/core";
import { afterEach, describe, expect, it } from "vitest";
import { FROM, rejection, setup, type Harness } from "../helpers.js";

let h: Harness;
afterEach(async () => {
  await h.close();
});

const send = (to: string | string[], extra: Record<string, unknown> = {}) => h.client.messages.send({ from: FROM, to, subject: "Draw", text: "t", ...extra });

describe("events.list", () => {
  it("a send logs accepted then delivered per recipient; filters by event and message id (brackets stripped)", async () => {
    h = await setup();
    const sent = await send(["ana@example.com", "bo@example.com"], { tags: ["draw"], variables: { draw_id: "d_3" } });
    await send("cy@example.com");

    const delivered = await h.client.events.list({ event: "delivered", messageId: sent.id, ascending: true });
    expect(delivered.items.map((e) => [e.event, e.recipient])).toEqual([
      ["delivered", "ana@example.com"],
      ["delivered", "bo@example.com"],
    ]);
    expect(delivered.items[0]).toMatchObject({ tags: ["draw"], "user-variables": { draw_id: "d_3" }, message: { headers: { "message-id": sent.messageId } }, "delivery-status": { code: 250 } });
    expect(h.server.requests.at(-1)!.url).toBe(`/v3/mg.acme.test/events?ascending=yes&event=delivered&message-id=${encodeURIComponent(sent.messageId)}`);

    const all = await h.client.events.list({ ascending: true });
    expect(all.items.map((e) => `${e.event}:${e.recipient}`)).toEqual([
      "accepted:ana@example.com",
      "delivered:ana@example.com",
      "accepted:bo@example.com",
      "delivered:bo@example.com",
      "accepted:cy@example.com",
      "delivered:cy@example.com",
    ]);
  });

  it("begin/end go as epoch seconds; with a begin and no end the client asks for ascending order", async () => {
    h = await setup();
    await h.client.events.list({ begin: new Date(1_800_000_000_000), limit: 10 });
    await h.client.events.list({ begin: 1_800_000_000, end: "Fri, 15 Jan 2027 08:00:00 +0000", recipient: "ana@example.com", severity: "permanent" });
    expect(h.server.requests.map((r) => r.url)).toEqual([
      "/v3/mg.acme.test/events?begin=1800000000&ascending=yes&limit=10",
      "/v3/mg.acme.test/events?begin=1800000000&end=Fri%2C+15+Jan+2027+08%3A00%3A00+%2B0000&recipient=ana%40example.com&severity=permanent",
    ]);
  });

  it("listAll follows paging.next URLs verbatim until an empty page", async () => {
    h = await setup();
    for (const to of ["a@example.com", "b@example.com", "c@example.com"]) await send(to);
    const seen: string[] = [];
    for await (const event of h.client.events.listAll({ ascending: true, limit: 4 })) seen.push(`${event.event}:${event.recipient}`);

    expect(seen).toEqual(["accepted:a@example.com", "delivered:a@example.com", "accepted:b@example.com", "delivered:b@example.com", "accepted:c@example.com", "delivered:c@example.com"]);
    const pages = h.server.requests.filter((r) => r.url.startsWith("/v3/mg.acme.test/events"));
    expect(pages).toHaveLength(3);
    expect(pages[1]!.url).toMatch(/^\/v3\/mg\.acme\.test\/events\/[A-Za-z0-9_-]+$/);
  });

  it("an empty page's next link picks up events that arrive later (polling)", async () => {
    h = await setup();
    const first = await h.client.events.list({ ascending: true });
    expect(first.items).toEqual([]);
    await send("ana@example.com");
    const later = await h.client.events.page({ url: first.paging.next! });
    expect(later.items.map((e) => e.event)).toEqual(["accepted", "delivered"]);
  });

  it("the bounce rule gives failed/permanent and a bounces row; a suppressed address gives suppress-bounce; test mode delivers with 650", async () => {
    h = await setup({ fake: { bounceAddresses: /@bounce\.test$/, deferAddresses: (a) => a.startsWith("slow@") } });
    await send("gone@bounce.test");
    await send("gone@bounce.test");
    await send("slow@example.com");
    await send("ana@example.com", { testMode: true });

    const failed = await h.client.events.list({ event: "failed", ascending: true });
    expect(failed.items.map((e) => [e.recipient, e.severity, e.reason, e["delivery-status"]?.code])).toEqual([
      ["gone@bounce.test", "permanent", "generic", 550],
      ["gone@bounce.test", "permanent", "suppress-bounce", 605],
      ["slow@example.com", "temporary", "generic", 421],
    ]);
    expect((await h.client.bounces.get({ address: "gone@bounce.test" })).code).toBe("550");
    const delivered = await h.client.events.list({ event: "delivered" });
    expect(delivered.items.map((e) => [e.recipient, e["delivery-status"]?.code, (e.flags as { "is-test-mode": boolean })["is-test-mode"]])).toEqual([["ana@example.com", 650, true]]);
  });

  it("bad input before I/O: limit over 300, a paging URL of another path", async () => {
    h = await setup();
    expect(await rejection(h.client.events.list({ limit: 301 }))).toBeInstanceOf(ValidationError);
    expect(await rejection(h.client.events.page({ url: `${h.server.url}/v3/mg.other.test/events/abc` }))).toBeInstanceOf(ValidationError);
    expect(h.server.requests).toHaveLength(0);
  });
});

// The fake on its own, through raw HTTP: what it refuses and how (Twilio's error body), what it
// stores, how it pages and moves messages, and that its overrides reset.
import { NOT_IMPLEMENTED_HEADER, serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { computeTwilioSignature } from "@connect/twilio";
import { createTwilioFake, type TwilioFake } from "@connect/twilio/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BORROWER, listen, SENDER } from "./helpers.js";

let fake: TwilioFake;
let server: ServedHandlers;
beforeEach(async () => {
  fake = createTwilioFake({ senders: [SENDER], now: () => Date.UTC(2030, 5, 1, 12, 0, 0) });
  server = await serveHandlers(fake.handlers);
});
afterEach(async () => {
  await server.close();
});

const auth = () => `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString("base64")}`;
const messagesUrl = () => `${server.url}/2010-04-01/Accounts/${fake.accountSid}/Messages.json`;

async function create(form: Record<string, string>, authorization = auth()): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(messagesUrl(), { method: "POST", headers: { authorization, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("createTwilioFake: REST", () => {
  it("answers 201 with Twilio's snake_case Message (numbers as strings, RFC 2822 dates)", async () => {
    const { status, body } = await create({ To: BORROWER, From: SENDER, Body: "hello" });
    expect(status).toBe(201);
    expect(body).toMatchObject({
      account_sid: fake.accountSid,
      to: BORROWER,
      from: SENDER,
      body: "hello",
      status: "queued",
      direction: "outbound-api",
      num_segments: "1",
      num_media: "0",
      price: null,
      error_code: null,
      date_created: "Sat, 01 Jun 2030 12:00:00 +0000",
      date_sent: null,
    });
    expect(fake.messages.map((m) => m.sid)).toEqual([body.sid]);
  });

  it("refuses bad credentials with 401 / 20003 and another account's path", async () => {
    const wrong = await create({ To: BORROWER, From: SENDER, Body: "x" }, `Basic ${Buffer.from(`${fake.accountSid}:nope`).toString("base64")}`);
    expect(wrong).toEqual({ status: 401, body: { code: 20003, message: "Authenticate", more_info: "https://www.twilio.com/docs/errors/20003", status: 401 } });
    const other = await fetch(`${server.url}/2010-04-01/Accounts/AC${"1".repeat(32)}/Messages.json`, { headers: { authorization: auth() } });
    expect(other.status).toBe(401);
  });

  it("refuses what Twilio refuses, with its codes", async () => {
    const cases: Array<[Record<string, string>, number]> = [
      [{ To: "555", From: SENDER, Body: "x" }, 21211],
      [{ To: BORROWER, Body: "x" }, 21212],
      [{ To: BORROWER, From: "+1", Body: "x" }, 21212],
      [{ To: BORROWER, From: "+14155559999", Body: "x" }, 21606],
      [{ To: BORROWER, From: SENDER }, 21602],
      [{ To: BORROWER, From: SENDER, Body: "x".repeat(1601) }, 21617],
      [{ To: BORROWER, From: SENDER, Body: "x", StatusCallback: "https://my_host.test/s" }, 21609],
    ];
    for (const [form, code] of cases) {
      const { status, body } = await create(form);
      expect([status, body.code, body.status, body.more_info]).toEqual([400, code, 400, `https://www.twilio.com/docs/errors/${code}`]);
    }
    expect(fake.messages).toHaveLength(0);
  });

  it("fetches a message and answers 20404 for an unknown one", async () => {
    const { body } = await create({ To: BORROWER, From: SENDER, Body: "x" });
    const found = await fetch(`${messagesUrl().replace(".json", "")}/${body.sid}.json`, { headers: { authorization: auth() } });
    expect(((await found.json()) as { sid: string }).sid).toBe(body.sid);
    const missing = await fetch(`${messagesUrl().replace(".json", "")}/SM${"0".repeat(32)}.json`, { headers: { authorization: auth() } });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: number }).code).toBe(20404);
  });

  it("pages newest first with PageToken, previous_page_uri, and refuses an unknown token", async () => {
    for (let i = 0; i < 5; i += 1) await create({ To: BORROWER, From: SENDER, Body: `m${i}` });
    const get = async (path: string) => (await (await fetch(`${server.url}${path}`, { headers: { authorization: auth() } })).json()) as Record<string, unknown>;
    const root = `/2010-04-01/Accounts/${fake.accountSid}/Messages.json`;
    const first = await get(`${root}?PageSize=2`);
    expect((first.messages as Array<{ body: string }>).map((m) => m.body)).toEqual(["m4", "m3"]);
    const second = await get(first.next_page_uri as string);
    expect((second.messages as Array<{ body: string }>).map((m) => m.body)).toEqual(["m2", "m1"]);
    expect(second.page).toBe(1);
    const back = await get(second.previous_page_uri as string);
    expect((back.messages as Array<{ body: string }>).map((m) => m.body)).toEqual(["m4", "m3"]);
    const bad = await fetch(`${server.url}${root}?PageToken=PAnope`, { headers: { authorization: auth() } });
    expect(bad.status).toBe(400);
  });

  it("failNext answers a code on demand, once by default, and reset() clears it", async () => {
    fake.failNext({ code: 21408, times: 2 });
    expect((await create({ To: BORROWER, From: SENDER, Body: "x" })).body.code).toBe(21408);
    fake.reset();
    expect((await create({ To: BORROWER, From: SENDER, Body: "x" })).status).toBe(201);
    fake.rateLimitNext();
    expect(await create({ To: BORROWER, From: SENDER, Body: "x" })).toMatchObject({ status: 429, body: { code: 20429, status: 429 } });
    expect((await create({ To: BORROWER, From: SENDER, Body: "x" })).status).toBe(201);
  });
});

describe("createTwilioFake: update (redact, cancel), delete, list filters, endpoints it lacks", () => {
  const messageUrl = (sid: string) => `${server.url}/2010-04-01/Accounts/${fake.accountSid}/Messages/${sid}.json`;
  const post = async (url: string, form: Record<string, string>, authorization = auth()) => {
    const response = await fetch(url, { method: "POST", headers: { authorization, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  // Twilio Message resource, Update: "To redact the text content of a Message, this parameter's value must be an empty string".
  it("POST /Messages/{Sid}.json with Body= redacts the text and answers 200 with the Message, the rest intact", async () => {
    const { body: created } = await create({ To: BORROWER, From: SENDER, Body: "your SSN is on file" });
    const { status, body } = await post(messageUrl(created.sid as string), { Body: "" });
    expect(status).toBe(200);
    expect(body).toMatchObject({ sid: created.sid, body: "", to: BORROWER, from: SENDER, status: "queued", num_segments: "1" });
    expect(fake.message(created.sid as string)!.body).toBe("");
    const fetched = await fetch(messageUrl(created.sid as string), { headers: { authorization: auth() } });
    expect(((await fetched.json()) as { body: string }).body).toBe("");
  });

  it("a non-empty Body or another Status is refused with 400 / 20001, and the message is unchanged", async () => {
    const { body: created } = await create({ To: BORROWER, From: SENDER, Body: "keep" });
    expect(await post(messageUrl(created.sid as string), { Body: "new text" })).toMatchObject({ status: 400, body: { code: 20001, status: 400 } });
    expect(await post(messageUrl(created.sid as string), { Status: "sent" })).toMatchObject({ status: 400, body: { code: 20001, status: 400 } });
    expect(fake.message(created.sid as string)).toMatchObject({ body: "keep", status: "queued" });
  });

  // Twilio error 30409 "This message cannot be canceled": only a `scheduled` message (Messaging Service) can be.
  it("Status=canceled cancels a scheduled message; a message past scheduled is 30409", async () => {
    const { body: scheduled } = await create({ To: BORROWER, MessagingServiceSid: "MG" + "1".repeat(32), Body: "later", ScheduleType: "fixed", SendAt: "2030-06-02T12:00:00Z" });
    expect(scheduled.status).toBe("scheduled");
    const { status, body } = await post(messageUrl(scheduled.sid as string), { Status: "canceled" });
    expect([status, body.status]).toEqual([200, "canceled"]);
    expect(await fake.advance(scheduled.sid as string)).toBeUndefined();
    expect(await post(messageUrl(scheduled.sid as string), { Status: "canceled" })).toEqual({
      status: 400,
      body: { code: 30409, message: "This message cannot be canceled", more_info: "https://www.twilio.com/docs/errors/30409", status: 400 },
    });
    const { body: queued } = await create({ To: BORROWER, From: SENDER, Body: "now" });
    expect((await post(messageUrl(queued.sid as string), { Status: "canceled" })).body.code).toBe(30409);
  });

  it("a scheduled message without a Messaging Service is sent now (Twilio drops the schedule)", async () => {
    const { body } = await create({ To: BORROWER, From: SENDER, Body: "x", ScheduleType: "fixed", SendAt: "2030-06-02T12:00:00Z" });
    expect(body.status).toBe("queued");
  });

  it("DELETE /Messages/{Sid}.json answers 204 with no body; then fetch, update and delete answer 404 / 20404 and the list omits it", async () => {
    const { body: kept } = await create({ To: BORROWER, From: SENDER, Body: "kept" });
    const { body: gone } = await create({ To: BORROWER, From: SENDER, Body: "gone" });
    const removed = await fetch(messageUrl(gone.sid as string), { method: "DELETE", headers: { authorization: auth() } });
    expect([removed.status, await removed.text()]).toEqual([204, ""]);
    const fetched = await fetch(messageUrl(gone.sid as string), { headers: { authorization: auth() } });
    expect([fetched.status, ((await fetched.json()) as { code: number }).code]).toEqual([404, 20404]);
    expect((await post(messageUrl(gone.sid as string), { Body: "" })).body.code).toBe(20404);
    expect((await fetch(messageUrl(gone.sid as string), { method: "DELETE", headers: { authorization: auth() } })).status).toBe(404);
    const list = (await (await fetch(messagesUrl(), { headers: { authorization: auth() } })).json()) as { messages: Array<{ sid: string }> };
    expect(list.messages.map((m) => m.sid)).toEqual([kept.sid]);
    expect(fake.messages.map((m) => m.sid)).toEqual([kept.sid]);
  });

  it("update and delete need the account's credentials (401 / 20003 first)", async () => {
    const { body: created } = await create({ To: BORROWER, From: SENDER, Body: "x" });
    const wrong = `Basic ${Buffer.from(`${fake.accountSid}:nope`).toString("base64")}`;
    expect((await post(messageUrl(created.sid as string), { Body: "" }, wrong)).status).toBe(401);
    expect((await fetch(messageUrl(created.sid as string), { method: "DELETE", headers: { authorization: wrong } })).status).toBe(401);
    expect(fake.message(created.sid as string)!.body).toBe("x");
  });

  it("DateSent filters take a day or twilio-node's YYYY-MM-DDThh:mm:ssZ; DateSent< / DateSent> are inclusive", async () => {
    let clock = Date.UTC(2030, 5, 1, 12, 0, 0);
    const timed = createTwilioFake({ senders: [SENDER], now: () => clock });
    const served = await serveHandlers(timed.handlers);
    try {
      const authorization = `Basic ${Buffer.from(`${timed.accountSid}:${timed.authToken}`).toString("base64")}`;
      const url = `${served.url}/2010-04-01/Accounts/${timed.accountSid}/Messages.json`;
      for (const [day, hour] of [[1, 12], [2, 9], [3, 18]] as const) {
        clock = Date.UTC(2030, 5, day, hour, 0, 0);
        const response = await fetch(url, { method: "POST", headers: { authorization }, body: new URLSearchParams({ To: BORROWER, From: SENDER, Body: `d${day}` }) });
        await timed.advance(((await response.json()) as { sid: string }).sid);
      }
      // Still queued: no date_sent, so no DateSent filter matches it.
      await fetch(url, { method: "POST", headers: { authorization }, body: new URLSearchParams({ To: BORROWER, From: SENDER, Body: "unsent" }) });
      const bodies = async (query: string) => {
        const response = await fetch(`${url}?${query}`, { headers: { authorization } });
        return ((await response.json()) as { messages: Array<{ body: string }> }).messages.map((m) => m.body);
      };
      expect(await bodies("DateSent=2030-06-02")).toEqual(["d2"]);
      expect(await bodies("DateSent=2030-06-02T23%3A00%3A00Z")).toEqual(["d2"]);
      expect(await bodies("DateSent%3C=2030-06-02")).toEqual(["d2", "d1"]);
      expect(await bodies("DateSent%3E=2030-06-02")).toEqual(["d3", "d2"]);
      expect(await bodies("DateSent%3E=2030-06-02T09%3A00%3A01Z")).toEqual(["d3"]);
      expect(await bodies("DateSent%3C=2030-06-02T09%3A00%3A00Z")).toEqual(["d2", "d1"]);
      expect(await bodies("PageSize=10")).toEqual(["unsent", "d3", "d2", "d1"]);
      const bad = await fetch(`${url}?DateSent=June`, { headers: { authorization } });
      expect([bad.status, ((await bad.json()) as { code: number }).code]).toEqual([400, 20001]);
    } finally {
      await served.close();
    }
  });

  it("next_page_uri carries the filters, PageSize, the next Page and a PageToken", async () => {
    for (let i = 0; i < 3; i += 1) await create({ To: BORROWER, From: SENDER, Body: `m${i}` });
    await create({ To: "+14155550199", From: SENDER, Body: "other" });
    const first = (await (await fetch(`${messagesUrl()}?To=${encodeURIComponent(BORROWER)}&PageSize=2`, { headers: { authorization: auth() } })).json()) as Record<string, unknown>;
    const next = new URL(first.next_page_uri as string, "https://api.twilio.com");
    expect(next.pathname).toBe(`/2010-04-01/Accounts/${fake.accountSid}/Messages.json`);
    expect([next.searchParams.get("To"), next.searchParams.get("PageSize"), next.searchParams.get("Page")]).toEqual([BORROWER, "2", "1"]);
    expect(next.searchParams.get("PageToken")).toMatch(/^PA(SM|MM)[0-9a-f]{32}$/);
    const second = (await (await fetch(`${server.url}${first.next_page_uri}`, { headers: { authorization: auth() } })).json()) as Record<string, unknown>;
    expect((second.messages as Array<{ body: string }>).map((m) => m.body)).toEqual(["m0"]);
    expect(second.next_page_uri).toBeNull();
  });

  it("an endpoint the fake does not implement answers 501 naming the fake and the request, after the auth gate", async () => {
    const calls = `${server.url}/2010-04-01/Accounts/${fake.accountSid}/Calls.json`;
    const response = await fetch(calls, { headers: { authorization: auth() } });
    expect(response.status).toBe(501);
    expect(response.headers.get(NOT_IMPLEMENTED_HEADER)).toBe("@connect/twilio/testing");
    expect(await response.json()).toEqual({
      error: "not_implemented_by_fake",
      message: `not implemented by @connect/twilio/testing fake: GET /2010-04-01/Accounts/${fake.accountSid}/Calls.json`,
      fake: "@connect/twilio/testing",
      method: "GET",
      path: `/2010-04-01/Accounts/${fake.accountSid}/Calls.json`,
    });
    const media = await fetch(`${server.url}/2010-04-01/Accounts/${fake.accountSid}/Messages/SM${"0".repeat(32)}/Media.json`, { headers: { authorization: auth() } });
    expect(media.status).toBe(501);
    expect((await fetch(calls)).status).toBe(401);
  });
});

describe("createTwilioFake: lifecycle and webhooks", () => {
  it("a Messaging Service message goes accepted → queued → sent → delivered and gets a sender and a price", async () => {
    const { body } = await create({ To: BORROWER, MessagingServiceSid: "MG" + "1".repeat(32), Body: "x" });
    const transitions = await fake.deliver(body.sid as string);
    expect(transitions.map((t) => `${t.from}→${t.to}`)).toEqual(["accepted→queued", "queued→sent", "sent→delivered"]);
    expect(fake.message(body.sid as string)).toMatchObject({ status: "delivered", from: "+15005550006", price: "-0.00790", history: ["accepted", "queued", "sent", "delivered"] });
    expect(await fake.advance(body.sid as string)).toBeUndefined();
  });

  it("posts status callbacks signed over the callback URL, with the documented parameters", async () => {
    const received: Array<{ url: string; signature: string; body: string }> = [];
    const host = await listen((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        received.push({ url: req.url!, signature: String(req.headers["x-twilio-signature"]), body });
        res.end();
      });
    });
    try {
      fake.failDeliveryTo(BORROWER, 30007);
      const url = `${host.url}/cb?tenant=t1`;
      const { body } = await create({ To: BORROWER, From: SENDER, Body: "x", StatusCallback: url });
      await fake.deliver(body.sid as string);
      expect(received).toHaveLength(2);
      const last = Object.fromEntries(new URLSearchParams(received[1]!.body));
      expect(last).toEqual({
        MessageSid: body.sid,
        MessageStatus: "undelivered",
        AccountSid: fake.accountSid,
        From: SENDER,
        To: BORROWER,
        ApiVersion: "2010-04-01",
        SmsSid: body.sid,
        SmsStatus: "undelivered",
        ErrorCode: "30007",
        RawDlrDoneDate: "3006011200",
      });
      expect(received[1]!.signature).toBe(computeTwilioSignature(fake.authToken, url, last));
    } finally {
      await host.close();
    }
  });

  it("mirrors STOP and START from inbound messages: a send to an opted-out number is 21610", async () => {
    const host = await listen((_req, res) => res.end('<?xml version="1.0" encoding="UTF-8"?><Response/>'));
    try {
      await fake.postInbound({ url: host.url, from: BORROWER, body: " Stop " });
      expect((await create({ To: BORROWER, From: SENDER, Body: "x" })).body.code).toBe(21610);
      await fake.postInbound({ url: host.url, from: BORROWER, body: "START" });
      expect((await create({ To: BORROWER, From: SENDER, Body: "x" })).status).toBe(201);
      expect(fake.messages.filter((m) => m.direction === "inbound").map((m) => [m.from, m.to, m.status])).toEqual([
        [BORROWER, SENDER, "received"],
        [BORROWER, SENDER, "received"],
      ]);
    } finally {
      await host.close();
    }
  });
});

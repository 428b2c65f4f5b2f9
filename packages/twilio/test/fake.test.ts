// The fake on its own, through raw HTTP: what it refuses and how (Twilio's error body), what it
// stores, how it pages and moves messages, and that its overrides reset.
import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
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

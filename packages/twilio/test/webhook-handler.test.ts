import { createMemoryDeadLetterSink, type DeadLetterSink } from "@connect/core";
import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
import {
  createMemoryOptOutStore,
  createTwilioClient,
  createTwilioWebhookHandler,
  TWIML_CONTENT_TYPE,
  type InboundMessageEvent,
  type StatusCallbackEvent,
  type TwilioClient,
  type TwilioWebhookHandler,
  type TwilioWebhookOptions,
} from "@connect/twilio";
import { createTwilioFake, postTwilioWebhook, type TwilioFake } from "@connect/twilio/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BORROWER, FAST_POLICY, listen, SENDER } from "./helpers.js";

let fake: TwilioFake;
let api: ServedHandlers;
let client: TwilioClient;
let host: Awaited<ReturnType<typeof listen>>;
let webhook: TwilioWebhookHandler;
let statuses: StatusCallbackEvent[];
let late: StatusCallbackEvent[];
let inbound: InboundMessageEvent[];

function mount(options: Partial<TwilioWebhookOptions> = {}): void {
  webhook = createTwilioWebhookHandler({
    authToken: fake.authToken,
    onStatus: (e) => void statuses.push(e),
    onOutOfOrderStatus: (e) => void late.push(e),
    onInbound: (e) => {
      inbound.push(e);
    },
    ...options,
  });
}

beforeEach(async () => {
  fake = createTwilioFake({ senders: [SENDER] });
  api = await serveHandlers(fake.handlers);
  client = createTwilioClient({ accountSid: fake.accountSid, auth: { authToken: fake.authToken }, baseUrl: api.url, policy: FAST_POLICY });
  statuses = [];
  late = [];
  inbound = [];
  mount();
  host = await listen((req, res) => void webhook.node(req, res));
});
afterEach(async () => {
  await host.close();
  await client.close();
  await api.close();
});

async function sendWithCallback(to = BORROWER): Promise<string> {
  const sent = await client.messages.send({ to, from: SENDER, body: "Reply CONFIRM to acknowledge", statusCallback: `${host.url}/twilio/status` });
  return sent.sid;
}

describe("status callbacks", () => {
  it("queued → sent → delivered: each callback verified, typed, answered 200 with an empty body, in order with previousStatus", async () => {
    const sid = await sendWithCallback();
    const transitions = await fake.deliver(sid);

    expect(transitions).toEqual([
      { sid, from: "queued", to: "sent", callback: { url: `${host.url}/twilio/status`, status: 200 } },
      { sid, from: "sent", to: "delivered", callback: { url: `${host.url}/twilio/status`, status: 200 } },
    ]);
    expect(statuses.map((e) => [e.status, e.previousStatus, e.final])).toEqual([
      ["sent", undefined, false],
      ["delivered", "sent", true],
    ]);
    const delivered = statuses[1]!;
    expect(delivered).toMatchObject({
      type: "message.status",
      messageSid: sid,
      accountSid: fake.accountSid,
      from: SENDER,
      to: BORROWER,
      apiVersion: "2010-04-01",
      errorCode: undefined,
      error: undefined,
      messagingServiceSid: undefined,
    });
    expect(delivered.rawDlrDoneDate).toMatch(/^\d{10}$/);
    expect(delivered.idempotencyToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(delivered.params).toMatchObject({ SmsSid: sid, SmsStatus: "delivered", MessageStatus: "delivered" });
  });

  it("the response to a status callback is 200 with an empty body", async () => {
    const sid = await sendWithCallback();
    await fake.advance(sid);
    const response = await fake.postStatusCallback({ sid, status: "delivered" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
  });

  it("a duplicate callback (same MessageSid and status) reaches the handler once", async () => {
    const sid = await sendWithCallback();
    await fake.advance(sid);
    const again = await fake.postStatusCallback({ sid, status: "sent" });
    expect(again.status).toBe(200);
    expect(statuses.map((e) => e.status)).toEqual(["sent"]);
  });

  it("out of order: a late `sent` after `delivered` is not applied (goes to onOutOfOrderStatus); `read` still follows delivered", async () => {
    const sent = await client.messages.send({ to: BORROWER, from: SENDER, body: "x" });
    const url = `${host.url}/twilio/status`;
    await fake.postStatusCallback({ sid: sent.sid, url, status: "delivered" });
    await fake.postStatusCallback({ sid: sent.sid, url, status: "sent" });
    await fake.postStatusCallback({ sid: sent.sid, url, status: "queued" });
    await fake.postStatusCallback({ sid: sent.sid, url, status: "failed", errorCode: 30008 });
    await fake.postStatusCallback({ sid: sent.sid, url, status: "read" });

    expect(statuses.map((e) => [e.status, e.previousStatus])).toEqual([
      ["delivered", undefined],
      ["read", "delivered"],
    ]);
    expect(late.map((e) => [e.status, e.previousStatus])).toEqual([
      ["sent", "delivered"],
      ["queued", "delivered"],
      ["failed", "delivered"],
    ]);
  });

  it("concurrent callbacks for one message are applied in arrival order, never backwards", async () => {
    const sent = await client.messages.send({ to: BORROWER, from: SENDER, body: "x" });
    const url = `${host.url}/twilio/status`;
    const responses = await Promise.all(["queued", "sent", "delivered"].map((status) => fake.postStatusCallback({ sid: sent.sid, url, status })));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    const applied = statuses.map((e) => e.status);
    // Whatever order the three arrived in, what was applied only moves forward.
    const rank = { queued: 0, sent: 1, delivered: 2 } as Record<string, number>;
    expect(applied.map((s) => rank[s]!)).toEqual([...applied.map((s) => rank[s]!)].sort());
    expect(applied.at(-1)).toBe("delivered");
    expect(applied.length + late.length).toBe(3);
  });

  it("an undelivered message carries its ErrorCode explained", async () => {
    fake.failDeliveryTo(BORROWER, 30003);
    const sid = await sendWithCallback();
    await fake.deliver(sid);
    expect(statuses.map((e) => [e.status, e.errorCode])).toEqual([
      ["sent", undefined],
      ["undelivered", 30003],
    ]);
    expect(statuses[1]!.error).toEqual({ code: 30003, meaning: "unreachable destination handset (off, out of coverage)", transient: true });
  });

  it("a number configured to fail never leaves Twilio: queued → failed with its code", async () => {
    fake.failDeliveryTo(BORROWER, { status: "failed", errorCode: 30034 });
    const sid = await sendWithCallback();
    await fake.deliver(sid);
    expect(statuses.map((e) => [e.status, e.errorCode, e.error?.transient])).toEqual([["failed", 30034, false]]);
  });

  it("parameters the SDK does not know are accepted, signed and kept", async () => {
    const sid = await sendWithCallback();
    const response = await fake.postStatusCallback({ sid, status: "sent", params: { ChannelPrefix: "sms", NewTwilioField: "42" } });
    expect(response.status).toBe(200);
    expect(statuses[0]!.params).toMatchObject({ ChannelPrefix: "sms", NewTwilioField: "42" });
  });

  it("the JSON-body variant (bodySHA256) is verified and parsed the same way", async () => {
    const sid = await sendWithCallback();
    const response = await fake.postStatusCallback({ sid, status: "sent", json: true });
    expect(response.status).toBe(200);
    expect(statuses.map((e) => [e.messageSid, e.status])).toEqual([[sid, "sent"]]);
  });

  it("a callback that fails verification reaches no handler (401)", async () => {
    const sid = await sendWithCallback();
    const params = { MessageSid: sid, MessageStatus: "delivered", AccountSid: fake.accountSid, From: SENDER, To: BORROWER, ApiVersion: "2010-04-01" };
    const wrongToken = await postTwilioWebhook({ authToken: "not-the-auth-token", url: `${host.url}/twilio/status`, params });
    const unsigned = await globalThis.fetch(`${host.url}/twilio/status`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(params).toString() });
    expect([wrongToken.status, unsigned.status]).toEqual([401, 401]);
    expect(await wrongToken.json()).toEqual({ error: "verification_failed" });
    expect(statuses).toEqual([]);
  });

  it("a handler that throws answers 500 so Twilio retries; the retry is handled; repeated failures end in the dead-letter sink", async () => {
    const deadLetters: DeadLetterSink = createMemoryDeadLetterSink();
    let failures = 1;
    mount({
      deadLetters,
      maxAttempts: 2,
      onStatus: (e) => {
        if (failures-- > 0) throw new Error("database down");
        statuses.push(e);
      },
    });
    const sid = await sendWithCallback();
    const first = await fake.advance(sid);
    expect(first!.callback!.status).toBe(500);
    const retry = await fake.postStatusCallback({ sid, status: "sent" });
    expect(retry.status).toBe(200);
    expect(statuses.map((e) => e.status)).toEqual(["sent"]);

    failures = 10;
    expect((await fake.advance(sid))!.callback!.status).toBe(500);
    expect((await fake.postStatusCallback({ sid, status: "delivered" })).status).toBe(200);
    const letters = await deadLetters.list();
    expect(letters.map((l) => [l.operation, l.attempts, (l.payload as StatusCallbackEvent).status])).toEqual([["message.status", 2, "delivered"]]);
  });

  it("a 21610 delivery error adds the recipient to the opt-out store", async () => {
    const optOuts = createMemoryOptOutStore();
    mount({ optOuts });
    fake.failDeliveryTo(BORROWER, { status: "failed", errorCode: 21610 });
    const sid = await sendWithCallback();
    await fake.deliver(sid);
    expect([...optOuts.recipients]).toEqual([BORROWER]);
  });
});

describe("behind a proxy: the URL that was signed", () => {
  it("publicBaseUrl: Twilio signed https://hooks.acme.test/…, the server sees http://127.0.0.1:port/…", async () => {
    const sid = await sendWithCallback();
    const signedUrl = "https://hooks.acme.test/twilio/status";
    expect((await fake.postStatusCallback({ sid, status: "sent", signedUrl })).status).toBe(401);
    mount({ publicBaseUrl: "https://hooks.acme.test/" });
    expect((await fake.postStatusCallback({ sid, status: "sent", signedUrl })).status).toBe(200);
    expect(statuses.map((e) => e.status)).toEqual(["sent"]);
  });

  it("publicBaseUrl with a path prefix the proxy strips, and publicUrl for anything else", async () => {
    const sid = await sendWithCallback();
    mount({ publicBaseUrl: "https://acme.test/api" });
    expect((await fake.postStatusCallback({ sid, status: "sent", signedUrl: "https://acme.test/api/twilio/status" })).status).toBe(200);
    mount({ publicUrl: (req) => req.url.replace(/^http:\/\/127\.0\.0\.1:\d+\/twilio/, "https://edge.acme.test/sms") });
    expect((await fake.postStatusCallback({ sid, status: "delivered", signedUrl: "https://edge.acme.test/sms/status" })).status).toBe(200);
    expect(statuses.map((e) => e.status)).toEqual(["sent", "delivered"]);
  });

  it("trustProxy takes scheme and host from X-Forwarded-Proto / X-Forwarded-Host", async () => {
    const sid = await sendWithCallback();
    mount({ trustProxy: true });
    const headers = { "x-forwarded-proto": "https", "x-forwarded-host": "hooks.acme.test" };
    expect((await fake.postStatusCallback({ sid, status: "sent", signedUrl: "https://hooks.acme.test/twilio/status", headers })).status).toBe(200);
  });
});

describe("inbound messages", () => {
  const inboundUrl = () => `${host.url}/twilio/inbound`;

  it("types the message (media, location, segments) and answers the handler's reply as escaped TwiML", async () => {
    mount({
      onInbound: (e) => {
        inbound.push(e);
        return `Got "${e.body}" & ${e.numMedia} photo`;
      },
    });
    const { response, message, twiml } = await fake.postInbound({
      url: inboundUrl(),
      from: BORROWER,
      body: "<b>Is Tuesday ok?</b>",
      media: [{ url: "https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME1", contentType: "image/jpeg" }],
    });

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(TWIML_CONTENT_TYPE);
    expect(twiml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Got &quot;&lt;b&gt;Is Tuesday ok?&lt;/b&gt;&quot; &amp; 1 photo</Message></Response>');
    expect(inbound).toHaveLength(1);
    expect(inbound[0]).toMatchObject({
      type: "message.inbound",
      messageSid: message.sid,
      from: BORROWER,
      to: SENDER,
      body: "<b>Is Tuesday ok?</b>",
      numMedia: 1,
      numSegments: 1,
      media: [{ url: "https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME1", contentType: "image/jpeg" }],
      fromLocation: { city: "SAN FRANCISCO", state: "CA", zip: "94105", country: "US" },
      keyword: undefined,
      optOutType: undefined,
    });
  });

  it("custom keywords are matched case- and whitespace-insensitively, with their other spellings", async () => {
    const confirmed: string[] = [];
    mount({ keywords: { CONFIRM: { spellings: ["CONFIRMED", "C"], handler: (e) => (confirmed.push(e.body), "Thanks, your inspection is confirmed.") } } });
    for (const body of ["CONFIRM", " confirm ", "Confirm!", "confirmed", "c", "\tCONFIRM\n"]) {
      const { twiml } = await fake.postInbound({ url: inboundUrl(), from: BORROWER, body });
      expect(twiml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks, your inspection is confirmed.</Message></Response>');
    }
    expect(confirmed).toEqual(["CONFIRM", " confirm ", "Confirm!", "confirmed", "c", "\tCONFIRM\n"]);
    const { twiml } = await fake.postInbound({ url: inboundUrl(), from: BORROWER, body: "confirm tomorrow?" });
    expect(twiml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(inbound.map((e) => e.body)).toEqual(["confirm tomorrow?"]);
  });

  it("STOP goes to onOptOut and the opt-out store, START opts back in, HELP gets onHelp's reply", async () => {
    const optOuts = createMemoryOptOutStore();
    const seen: string[] = [];
    mount({
      optOuts,
      onOptOut: (e) => void seen.push(`out:${e.keyword?.matched}`),
      onOptIn: (e) => void seen.push(`in:${e.keyword?.matched}`),
      onHelp: () => "Acme Lending draw updates. Reply STOP to opt out.",
    });
    const stop = await fake.postInbound({ url: inboundUrl(), from: BORROWER, body: "stop" });
    expect(stop.twiml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect([...optOuts.recipients]).toEqual([BORROWER]);
    expect(fake.optOuts.has(BORROWER)).toBe(true);

    await fake.postInbound({ url: inboundUrl(), from: BORROWER, body: " Unstop " });
    expect([...optOuts.recipients]).toEqual([]);
    const help = await fake.postInbound({ url: inboundUrl(), from: BORROWER, body: "HELP" });
    expect(help.twiml).toContain("<Message>Acme Lending draw updates. Reply STOP to opt out.</Message>");
    expect(seen).toEqual(["out:STOP", "in:UNSTOP"]);
    expect(inbound).toEqual([]);
  });

  it("Twilio's OptOutType (Advanced Opt-Out) wins over local matching", async () => {
    const seen: string[] = [];
    mount({ onOptOut: (e) => void seen.push(`${e.keyword?.type}:${e.optOutType}`) });
    await fake.postInbound({ url: inboundUrl(), from: BORROWER, body: "please no more texts", params: { OptOutType: "STOP" } });
    expect(seen).toEqual(["opt-out:STOP"]);
  });

  it("a redelivered inbound message gets the same reply without running the handler again", async () => {
    let calls = 0;
    mount({ onInbound: () => `reply #${++calls}` });
    const first = await fake.postInbound({ url: inboundUrl(), from: BORROWER, body: "hello" });
    const again = await postTwilioWebhook({ authToken: fake.authToken, url: inboundUrl(), params: first.message.params as Record<string, string> });
    expect(await again.text()).toBe(first.twiml);
    expect(first.twiml).toContain("reply #1");
    expect(calls).toBe(1);
  });

  it("no handler answers an empty <Response/>", async () => {
    mount({ onInbound: undefined });
    const { response, twiml } = await fake.postInbound({ url: inboundUrl(), from: BORROWER, body: "hi" });
    expect(response.status).toBe(200);
    expect(twiml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  it("a signed request that is not a messaging webhook is a 400 and reaches no handler", async () => {
    const response = await postTwilioWebhook({ authToken: fake.authToken, url: inboundUrl(), params: { CallSid: "CA1", From: BORROWER } });
    expect(response.status).toBe(400);
    expect(inbound).toEqual([]);
  });

  it("works through fetch() (Fetch API frameworks) too", async () => {
    mount({ onInbound: () => ({ body: "See you Tuesday", media: ["https://files.acme.test/map.png"] }) });
    const { signTwilioRequest } = await import("@connect/twilio/testing");
    const url = "https://hooks.acme.test/twilio/inbound";
    const signed = signTwilioRequest({ authToken: fake.authToken, url, params: { MessageSid: "SM" + "b".repeat(32), From: BORROWER, To: SENDER, Body: "ok?", NumMedia: "0" } });
    const response = await webhook.fetch(new Request(signed.url, { method: "POST", headers: signed.headers, body: signed.body }));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Message><Body>See you Tuesday</Body><Media>https://files.acme.test/map.png</Media></Message></Response>');
  });
});

describe("request shapes and endpoint kinds", () => {
  it("a GET webhook is verified over its URL and parsed from the query", async () => {
    const { computeTwilioSignature } = await import("@connect/twilio");
    const sid = "SM" + "d".repeat(32);
    const url = `https://hooks.acme.test/twilio/inbound?MessageSid=${sid}&From=%2B14155550100&To=%2B14155552345&Body=confirm&NumMedia=0`;
    mount({ keywords: { CONFIRM: () => "ok" } });
    const response = await webhook.handle({ method: "GET", url, headers: { "x-twilio-signature": computeTwilioSignature(fake.authToken, url) }, rawBody: Buffer.alloc(0) });
    expect(response).toEqual({ status: 200, headers: { "content-type": TWIML_CONTENT_TYPE }, body: '<?xml version="1.0" encoding="UTF-8"?><Response><Message>ok</Message></Response>' });
  });

  it("kind: 'status' reads every request as a status callback; kind: 'inbound' as a message", async () => {
    const { computeTwilioSignature } = await import("@connect/twilio");
    const params = { MessageSid: "SM" + "e".repeat(32), SmsStatus: "received", From: BORROWER, To: SENDER, Body: "hi", NumMedia: "0" };
    const body = new URLSearchParams(params).toString();
    const req = (url: string) => ({ method: "POST", url, headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": computeTwilioSignature(fake.authToken, url, params) }, rawBody: Buffer.from(body) });

    mount({ kind: "status" });
    expect((await webhook.handle(req("https://h.test/status"))).body).toBe("");
    expect(statuses.map((e) => [e.type, e.status, e.final])).toEqual([["message.status", "received", true]]);
    mount({ kind: "inbound" });
    expect((await webhook.handle(req("https://h.test/inbound"))).headers["content-type"]).toBe(TWIML_CONTENT_TYPE);
    expect(inbound.map((e) => [e.type, e.body])).toEqual([["message.inbound", "hi"]]);
  });

  it("a status the SDK does not know yet is passed to onStatus without ordering", async () => {
    const sid = await sendWithCallback();
    expect((await fake.postStatusCallback({ sid, status: "scheduled_for_later" })).status).toBe(200);
    expect(statuses.map((e) => [e.status, e.final, e.previousStatus])).toEqual([["scheduled_for_later", false, undefined]]);
  });
});

describe("client.createWebhookHandler: which secret verifies webhooks", () => {
  const apiKey = { sid: "SK" + "c".repeat(32), secret: "api-key-secret-000" };

  it("with an API key and no webhookAuthToken it refuses to build (a key cannot verify Twilio's signatures)", async () => {
    const keyed = createTwilioClient({ accountSid: fake.accountSid, auth: { apiKeySid: apiKey.sid, apiKeySecret: apiKey.secret }, baseUrl: api.url });
    expect(() => keyed.createWebhookHandler()).toThrow(/REST calls use an API key, which cannot verify webhooks/);
    await keyed.close();
  });

  it("with an API key for REST and webhookAuthToken for webhooks, both work", async () => {
    const keyedFake = createTwilioFake({ apiKeys: [apiKey] });
    const keyedApi = await serveHandlers(keyedFake.handlers);
    const keyed = createTwilioClient({ accountSid: keyedFake.accountSid, auth: { apiKeySid: apiKey.sid, apiKeySecret: apiKey.secret }, webhookAuthToken: keyedFake.authToken, baseUrl: keyedApi.url, policy: FAST_POLICY });
    const seen: string[] = [];
    webhook = keyed.createWebhookHandler({ onStatus: (e) => void seen.push(e.status) });
    const sent = await keyed.messages.send({ to: BORROWER, from: SENDER, body: "x", statusCallback: `${host.url}/s` });
    expect(keyedApi.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${apiKey.sid}:${apiKey.secret}`).toString("base64")}`);
    expect(keyedApi.requests[0]!.url).toBe(`/2010-04-01/Accounts/${keyedFake.accountSid}/Messages.json`);
    await keyedFake.deliver(sent.sid);
    expect(seen).toEqual(["sent", "delivered"]);
    await keyed.close();
    await keyedApi.close();
  });

  it("an Auth Token client verifies with its own token, and shares its opt-out store with the handler", async () => {
    const optOuts = createMemoryOptOutStore();
    const own = createTwilioClient({ accountSid: fake.accountSid, auth: { authToken: fake.authToken }, baseUrl: api.url, policy: FAST_POLICY, optOuts });
    webhook = own.createWebhookHandler();
    await fake.postInbound({ url: `${host.url}/in`, from: BORROWER, body: "STOP" });
    expect(optOuts.recipients.has(BORROWER)).toBe(true);
    await own.close();
  });
});

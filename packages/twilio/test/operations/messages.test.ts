import { AuthError, ForbiddenError, NotFoundError, RateLimitedError, ServerError, ValidationError } from "@connect/core";
import { InvalidRecipientError, RecipientOptedOutError, TWILIO_ERROR_CODES, type SendMessageInput } from "@connect/twilio";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BORROWER, formsTo, rejection, SENDER, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

const REMINDER = "Inspection for draw 3 at 14 Elm St is on Tue 10:00. Reply CONFIRM to acknowledge.";
const MG = "MG" + "1".repeat(32);
const HX = "HX" + "2".repeat(32);

describe("messages.send", () => {
  it("posts a form-urlencoded message with Basic auth and returns the typed Message with a segment report", async () => {
    const sent = await h.client.messages.send({ to: BORROWER, from: SENDER, body: REMINDER });

    const [request] = h.server.requests;
    expect(request!.method).toBe("POST");
    expect(request!.url).toBe(`/2010-04-01/Accounts/${h.fake.accountSid}/Messages.json`);
    expect(request!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from(`${h.fake.accountSid}:${h.fake.authToken}`).toString("base64")}`);
    expect(formsTo(h.server, "/Messages.json")).toEqual([{ To: BORROWER, From: SENDER, Body: REMINDER }]);

    const stored = h.fake.messages[0]!;
    expect(sent).toEqual({
      sid: stored.sid,
      accountSid: h.fake.accountSid,
      messagingServiceSid: null,
      from: SENDER,
      to: BORROWER,
      body: REMINDER,
      status: "queued",
      direction: "outbound-api",
      numSegments: 1,
      numMedia: 0,
      price: null,
      priceUnit: "USD",
      errorCode: null,
      errorMessage: null,
      apiVersion: "2010-04-01",
      dateCreated: new Date(stored.dateCreated - (stored.dateCreated % 1000)).toISOString(),
      dateSent: null,
      dateUpdated: new Date(stored.dateUpdated - (stored.dateUpdated % 1000)).toISOString(),
      uri: `/2010-04-01/Accounts/${h.fake.accountSid}/Messages/${stored.sid}.json`,
      segmentInfo: { encoding: "GSM-7", characters: REMINDER.length, units: REMINDER.length, segments: 1, perSegment: 160, nonGsmCharacters: [] },
    });
    expect(sent.sid).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it("normalises national and channel numbers to E.164 before sending", async () => {
    await h.client.messages.send({ to: "(415) 555-0100", from: "415.555.2345", body: "a" });
    await h.client.messages.send({ to: "whatsapp:(415) 555-0100", from: "whatsapp:+1 415 555 2345", body: "b" });
    await h.client.messages.send({ to: " +1 415 555 0100 ", from: "ACME", body: "c" });
    await h.client.messages.send({ to: BORROWER, from: "12345", body: "d" });

    expect(formsTo(h.server, "/Messages.json").map((f) => [f.To, f.From])).toEqual([
      [BORROWER, SENDER],
      [`whatsapp:${BORROWER}`, `whatsapp:${SENDER}`],
      [BORROWER, "ACME"],
      [BORROWER, "12345"],
    ]);
  });

  it("reads national numbers in the client's defaultCountry", async () => {
    const gb = await setup({ client: { defaultCountry: "GB" } });
    try {
      await gb.client.messages.send({ to: "07400 123456", from: "020 7946 0018", body: "hello" });
      expect(formsTo(gb.server, "/Messages.json")).toEqual([{ To: "+447400123456", From: "+442079460018", Body: "hello" }]);
    } finally {
      await gb.close();
    }
  });

  it("sends media as repeated MediaUrl keys, with StatusCallback and ValidityPeriod", async () => {
    const sent = await h.client.messages.send({
      to: BORROWER,
      from: SENDER,
      body: "Photos from the inspection",
      mediaUrl: ["https://files.acme.test/a.jpg", "https://files.acme.test/b.jpg"],
      statusCallback: "https://hooks.acme.test/twilio/status?tenant=t1",
      validityPeriod: 600,
    });
    expect(formsTo(h.server, "/Messages.json")).toEqual([
      {
        To: BORROWER,
        From: SENDER,
        Body: "Photos from the inspection",
        MediaUrl: ["https://files.acme.test/a.jpg", "https://files.acme.test/b.jpg"],
        StatusCallback: "https://hooks.acme.test/twilio/status?tenant=t1",
        ValidityPeriod: "600",
      },
    ]);
    expect(sent.sid).toMatch(/^MM[0-9a-f]{32}$/);
    expect(sent.numMedia).toBe(2);
    expect(h.fake.messages[0]!.statusCallback).toBe("https://hooks.acme.test/twilio/status?tenant=t1");
  });

  // A scheduled message starts as `scheduled`, not `accepted` (shared/vendors/twilio.md §2 "Status lifecycle").
  it("through a Messaging Service: no sender yet, num_segments 0, status scheduled when scheduled; content templates and scheduling as Twilio's fields", async () => {
    const sendAt = new Date(Date.UTC(2031, 0, 2, 15, 0, 0));
    const sent = await h.client.messages.send({ to: BORROWER, messagingServiceSid: MG, contentSid: HX, contentVariables: { 1: "Ana", 2: "Tue 10:00" }, sendAt, smartEncoded: true, shortenUrls: false });

    expect(formsTo(h.server, "/Messages.json")).toEqual([
      {
        To: BORROWER,
        MessagingServiceSid: MG,
        ContentSid: HX,
        ContentVariables: JSON.stringify({ 1: "Ana", 2: "Tue 10:00" }),
        ScheduleType: "fixed",
        SendAt: "2031-01-02T15:00:00.000Z",
        SmartEncoded: "true",
        ShortenUrls: "false",
      },
    ]);
    expect(sent).toMatchObject({ status: "scheduled", from: null, messagingServiceSid: MG, numSegments: 0 });
    expect(sent.segmentInfo.segments).toBe(0);
    const unscheduled = await h.client.messages.send({ to: BORROWER, messagingServiceSid: MG, body: "now" });
    expect(unscheduled).toMatchObject({ status: "accepted", from: null, numSegments: 0 });
  });

  it("reports UCS-2 bodies and their segments (an emoji forces UCS-2)", async () => {
    const body = `Inspection confirmed 👍 ${"x".repeat(60)}`;
    const sent = await h.client.messages.send({ to: BORROWER, from: SENDER, body });
    expect(sent.segmentInfo).toEqual({ encoding: "UCS-2", characters: [...body].length, units: body.length, segments: 2, perSegment: 67, nonGsmCharacters: ["👍"] });
    expect(sent.numSegments).toBe(2);
  });

  const invalidInputs: Array<[string, Record<string, unknown>, string]> = [
    ["an invalid To", { to: "+1 415 555 01", from: SENDER, body: "x" }, "to"],
    ["a To with letters", { to: "call me", from: SENDER, body: "x" }, "to"],
    ["an unknown channel", { to: "messenger:1234", from: SENDER, body: "x" }, "to"],
    ["an invalid From", { to: BORROWER, from: "+1555", body: "x" }, "from"],
    ["no sender", { to: BORROWER, body: "x" }, "from"],
    ["no content", { to: BORROWER, from: SENDER, body: "" }, "body"],
    ["a body over 1600 characters", { to: BORROWER, from: SENDER, body: "x".repeat(1601) }, "body"],
    ["eleven media URLs", { to: BORROWER, from: SENDER, mediaUrl: Array.from({ length: 11 }, (_, i) => `https://f.test/${i}.jpg`) }, "mediaUrl"],
    ["a StatusCallback host with an underscore", { to: BORROWER, from: SENDER, body: "x", statusCallback: "https://my_hooks.acme.test/s" }, "statusCallback"],
    ["a validity period over 36000 s", { to: BORROWER, from: SENDER, body: "x", validityPeriod: 36_001 }, "validityPeriod"],
    ["sendAt without a Messaging Service", { to: BORROWER, from: SENDER, body: "x", sendAt: "2031-01-02T15:00:00Z" }, "sendAt"],
    ["more segments than maxSegments", { to: BORROWER, from: SENDER, body: "é€".repeat(100), maxSegments: 1 }, "body"],
    ["an unknown field", { to: BORROWER, from: SENDER, body: "x", statusCallBack: "https://x.test" }, "(root)"],
  ];

  it.each(invalidInputs)("refuses %s with a ValidationError and makes no HTTP request", async (_name, input, path) => {
    const error = await rejection(h.client.messages.send(input as SendMessageInput));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).operation).toBe("messages.send");
    expect((error as ValidationError).issues.map((i) => i.path)).toContain(path);
    expect(h.server.requests).toHaveLength(0);
    expect(h.fake.messages).toHaveLength(0);
  });

  it("the invalid-number error says what is wrong and what was expected", async () => {
    const error = (await rejection(h.client.messages.send({ to: "+1 415 555 01", from: SENDER, body: "x" }))) as ValidationError;
    expect(error.issues).toEqual([{ path: "to", code: "custom", message: 'to "+1 415 555 01" is not a valid phone number (+141555501); expected an E.164 number such as +14155550100' }]);
  });
});

describe("messages.send: Twilio's refusals (test-credential magic numbers) as typed errors", () => {
  const cases: Array<[string, Partial<SendMessageInput>, number, new (...args: never[]) => Error, string | undefined]> = [
    ["To +15005550001", { to: "+15005550001" }, 21211, InvalidRecipientError, "to"],
    ["To +15005550002", { to: "+15005550002" }, 21612, InvalidRecipientError, "to"],
    ["To +15005550003", { to: "+15005550003" }, 21408, ForbiddenError, undefined],
    ["To +15005550004", { to: "+15005550004" }, 21610, RecipientOptedOutError, undefined],
    ["To +15005550009", { to: "+15005550009" }, 21614, InvalidRecipientError, "to"],
    ["From +15005550001", { from: "+15005550001" }, 21212, ValidationError, "from"],
    ["From +15005550007", { from: "+15005550007" }, 21606, ValidationError, "from"],
  ];

  it.each(cases)("%s → Twilio %i", async (_name, override, code, errorClass, field) => {
    const error = await rejection(h.client.messages.send({ to: BORROWER, from: "+15005550006", body: "x", ...override }));
    expect(error).toBeInstanceOf(errorClass);
    const e = error as ValidationError;
    expect(e.vendorCode).toBe(String(code));
    expect(e.status).toBe(400);
    expect(e.vendor).toBe("twilio");
    expect(e.operation).toBe("messages.send");
    expect(e.retryable).toBe(false);
    expect(e.requestId).toMatch(/^RQ[0-9a-f]{32}$/);
    if (field) expect(e.issues).toEqual([{ path: field, message: expect.any(String), code: String(code) }]);
    // Not retried: one request.
    expect(h.server.requests).toHaveLength(1);
  });

  it("From +15005550008 (queue full, 21611) is a RateLimitedError: nothing was created, so the send is retried", async () => {
    const error = await rejection(h.client.messages.send({ to: BORROWER, from: "+15005550008", body: "x" }));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).vendorCode).toBe("21611");
    expect((error as RateLimitedError).mayHaveReachedVendor).toBe(false);
    expect((error as RateLimitedError).attempts).toBe(3);
    expect(h.server.requests).toHaveLength(3);
  });

  it("the magic success sender +15005550006 is accepted", async () => {
    const sent = await h.client.messages.send({ to: BORROWER, from: "+15005550006", body: "x" });
    expect(sent.status).toBe("queued");
  });
});

describe("every mapped Twilio error code, as returned by the fake on demand", () => {
  const classes: Record<string, new (...args: never[]) => Error> = {
    AuthError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    InvalidRecipientError,
    ValidationError,
    ForbiddenError,
    RecipientOptedOutError,
  };
  // The HTTP status Twilio answers each code with (shared/vendors/twilio.md §3).
  const httpStatus = (code: number): number => ({ 20003: 401, 20404: 404, 20429: 429, 20500: 500 })[code] ?? 400;

  it("maps the table the SDK documents (15 codes)", () => {
    expect(Object.keys(TWILIO_ERROR_CODES).map(Number).sort()).toEqual([20003, 20404, 20429, 20500, 21211, 21212, 21408, 21602, 21606, 21608, 21610, 21611, 21612, 21614, 21617]);
  });

  it.each(Object.entries(TWILIO_ERROR_CODES).map(([code, info]) => [Number(code), info.error, info.field] as const))(
    "Twilio %i on messages.get becomes %s with the code kept",
    async (code, errorName, field) => {
      const sent = await h.client.messages.send({ to: BORROWER, from: SENDER, body: "x" });
      // Retryable codes answer every attempt, so the final error is the mapped one.
      h.fake.failNext({ code, times: 5, method: "GET", message: `scripted ${code}` });
      const error = await rejection(h.client.messages.get({ sid: sent.sid }));

      expect(error).toBeInstanceOf(classes[errorName]!);
      expect((error as Error).name).toBe(errorName);
      const e = error as ValidationError;
      expect(e.vendorCode).toBe(String(code));
      expect(e.status).toBe(httpStatus(code));
      expect(e.vendorMessage).toBe(`scripted ${code}`);
      expect(e.message).toContain(`Twilio error ${code}`);
      expect(e.message).toContain(`https://www.twilio.com/docs/errors/${code}`);
      if (field && e instanceof ValidationError) expect(e.issues[0]!.path).toBe(field);
      const retried = errorName === "RateLimitedError" || errorName === "ServerError";
      expect(e.attempts).toBe(retried ? 3 : 1);
      expect(h.server.requests.filter((r) => r.method === "GET")).toHaveLength(retried ? 3 : 1);
    },
  );

  it("an unmapped code falls back to the HTTP status and keeps the code", async () => {
    h.fake.failNext({ code: 21999, status: 409, message: "conflict here" });
    const error = await rejection(h.client.messages.send({ to: BORROWER, from: SENDER, body: "x" }));
    expect((error as Error).name).toBe("ConflictError");
    expect((error as ValidationError).vendorCode).toBe("21999");
    expect((error as ValidationError).vendorMessage).toBe("conflict here");
  });
});

describe("messages.get", () => {
  it("fetches a message and shows its progress: sent has date_sent and a negative price", async () => {
    const sent = await h.client.messages.send({ to: BORROWER, from: SENDER, body: REMINDER });
    expect((await h.client.messages.get({ sid: sent.sid })).status).toBe("queued");
    await h.fake.advance(sent.sid);

    const fetched = await h.client.messages.get({ sid: sent.sid });
    expect(h.server.requests.at(-1)!.url).toBe(`/2010-04-01/Accounts/${h.fake.accountSid}/Messages/${sent.sid}.json`);
    expect(fetched.status).toBe("sent");
    expect(fetched.price).toBe(-0.0079);
    expect(fetched.dateSent).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
  });

  it("shows the delivery error of an undelivered message", async () => {
    h.fake.failDeliveryTo(BORROWER, 30003);
    const sent = await h.client.messages.send({ to: BORROWER, from: SENDER, body: "x" });
    await h.fake.deliver(sent.sid);
    const fetched = await h.client.messages.get({ sid: sent.sid });
    expect(fetched).toMatchObject({ status: "undelivered", errorCode: 30003, errorMessage: "Unreachable destination handset" });
  });

  it("an unknown SID is a NotFoundError with code 20404", async () => {
    const error = await rejection(h.client.messages.get({ sid: "SM" + "0".repeat(32) }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).vendorCode).toBe("20404");
    expect((error as NotFoundError).attempts).toBe(1);
  });

  it("a malformed SID is refused before any request", async () => {
    const error = await rejection(h.client.messages.get({ sid: "SMnot-a-sid" }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.path).toBe("sid");
    expect(h.server.requests).toHaveLength(0);
  });
});

describe("messages.list", () => {
  async function sendMany(n: number, to = BORROWER): Promise<string[]> {
    const sids: string[] = [];
    for (let i = 0; i < n; i += 1) sids.push((await h.client.messages.send({ to, from: SENDER, body: `message ${i}` })).sid);
    return sids;
  }

  it("follows next_page_uri verbatim across 3 pages, newest first, and stops at the last page", async () => {
    const sids = await sendMany(7);
    h.server.requests.length = 0;

    const seen: string[] = [];
    for await (const message of h.client.messages.list({ pageSize: 3 })) seen.push(message.sid);

    expect(seen).toEqual([...sids].reverse());
    const urls = h.server.requests.map((r) => r.url);
    expect(urls).toHaveLength(3);
    const base = `/2010-04-01/Accounts/${h.fake.accountSid}/Messages.json`;
    expect(urls[0]).toBe(`${base}?PageSize=3`);
    // Pages 2 and 3 are exactly the next_page_uri of the page before (with its PageToken).
    expect(urls[1]).toBe(`${base}?PageSize=3&Page=1&PageToken=PA${sids[4]}`);
    expect(urls[2]).toBe(`${base}?PageSize=3&Page=2&PageToken=PA${sids[1]}`);
  });

  it("listPage returns one page with Twilio's paging fields", async () => {
    const sids = await sendMany(4);
    const page = await h.client.messages.listPage({ pageSize: 3 });
    expect(page.messages.map((m) => m.sid)).toEqual([sids[3], sids[2], sids[1]]);
    expect(page).toMatchObject({ page: 0, pageSize: 3, previousPageUri: null });
    expect(page.nextPageUri).toBe(`/2010-04-01/Accounts/${h.fake.accountSid}/Messages.json?PageSize=3&Page=1&PageToken=PA${sids[1]}`);
    const last = await h.client.messages.listPage({ pageUri: page.nextPageUri! });
    expect(last.messages.map((m) => m.sid)).toEqual([sids[0]]);
    expect(last.nextPageUri).toBeNull();
  });

  it("sends To, From and the DateSent filters as Twilio's keys and the fake applies them", async () => {
    const other = "+14155550111";
    await sendMany(2);
    const [target] = await sendMany(1, other);
    await h.fake.deliverAll();
    h.server.requests.length = 0;
    const today = new Date().toISOString().slice(0, 10);

    const found: string[] = [];
    for await (const m of h.client.messages.list({ to: "(415) 555-0111", from: SENDER, dateSentAfter: today, dateSentBefore: new Date() })) found.push(m.sid);

    expect(found).toEqual([target]);
    const query = new URL(h.server.requests[0]!.url, "http://x").searchParams;
    expect([...query.entries()]).toEqual([
      ["To", other],
      ["From", SENDER],
      ["DateSent<", today],
      ["DateSent>", today],
    ]);
    expect(await h.client.messages.listPage({ dateSent: "2001-01-01" })).toMatchObject({ messages: [], nextPageUri: null });
  });

  it("an empty account yields nothing in one request", async () => {
    const seen: unknown[] = [];
    for await (const m of h.client.messages.list()) seen.push(m);
    expect(seen).toEqual([]);
    expect(h.server.requests).toHaveLength(1);
  });

  it("refuses a pageUri outside this account's Messages list and a pageSize over 1000, without a request", async () => {
    const foreign = await rejection(h.client.messages.listPage({ pageUri: `/2010-04-01/Accounts/AC${"9".repeat(32)}/Messages.json?Page=1&PageToken=PAx` }));
    const offHost = await rejection(h.client.messages.listPage({ pageUri: `https://evil.test/2010-04-01/Accounts/${h.fake.accountSid}/Messages.json` }));
    const tooBig = await rejection(h.client.messages.listPage({ pageSize: 1001 }));
    for (const error of [foreign, offHost, tooBig]) expect(error).toBeInstanceOf(ValidationError);
    expect((foreign as ValidationError).issues[0]!.path).toBe("pageUri");
    expect(h.server.requests).toHaveLength(0);
  });

  it("an absolute next_page_uri on api.twilio.com is reduced to its path", async () => {
    const sids = await sendMany(2);
    const page = await h.client.messages.listPage({ pageUri: `https://api.twilio.com/2010-04-01/Accounts/${h.fake.accountSid}/Messages.json?PageSize=1&Page=1&PageToken=PA${sids[1]}` });
    expect(page.messages.map((m) => m.sid)).toEqual([sids[0]]);
  });
});

// Twilio Message resource: Update (`Body=` redacts, `Status=canceled` cancels a scheduled message) and Delete (204).
describe("messages.redact", () => {
  it("posts Body= (an empty string) to /Messages/{Sid}.json and returns the Message with an empty body", async () => {
    const sent = await h.client.messages.send({ to: BORROWER, from: SENDER, body: "loan 4411 approved" });
    await h.fake.deliver(sent.sid);
    const redacted = await h.client.messages.redact({ sid: sent.sid });

    const request = h.server.requests.at(-1)!;
    expect([request.method, request.url, request.text]).toEqual(["POST", `/2010-04-01/Accounts/${h.fake.accountSid}/Messages/${sent.sid}.json`, "Body="]);
    expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(redacted).toMatchObject({ sid: sent.sid, body: "", status: "delivered", to: BORROWER });
    expect((await h.client.messages.get({ sid: sent.sid })).body).toBe("");
  });

  it("an unknown SID is a NotFoundError (20404); a malformed one is refused before any request", async () => {
    const missing = await rejection(h.client.messages.redact({ sid: "SM" + "0".repeat(32) }));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).vendorCode).toBe("20404");
    h.server.requests.length = 0;
    expect(await rejection(h.client.messages.redact({ sid: "SM1" }))).toBeInstanceOf(ValidationError);
    expect(h.server.requests).toHaveLength(0);
  });
});

describe("messages.cancel", () => {
  it("posts Status=canceled and returns the canceled Message of a scheduled send", async () => {
    const sent = await h.client.messages.send({ to: BORROWER, messagingServiceSid: MG, body: "draw 3 reminder", sendAt: "2030-06-02T12:00:00Z" });
    expect(sent.status).toBe("scheduled");
    const canceled = await h.client.messages.cancel({ sid: sent.sid });
    expect(h.server.requests.at(-1)!.text).toBe("Status=canceled");
    expect(canceled).toMatchObject({ sid: sent.sid, status: "canceled" });
  });

  it("cancelling again resolves with the canceled message: a retry after a lost answer is not a failure", async () => {
    const sent = await h.client.messages.send({ to: BORROWER, messagingServiceSid: MG, body: "later", sendAt: "2030-06-02T12:00:00Z" });
    await h.client.messages.cancel({ sid: sent.sid });
    h.server.requests.length = 0;
    expect(await h.client.messages.cancel({ sid: sent.sid })).toMatchObject({ sid: sent.sid, status: "canceled" });
    // The fake answered 30409, then the client fetched the message to see it was already canceled.
    expect(h.server.requests.map((r) => r.method)).toEqual(["POST", "GET"]);
  });

  it("a message past scheduled is refused with Twilio's 30409, as a ValidationError that keeps the code", async () => {
    const sent = await h.client.messages.send({ to: BORROWER, from: SENDER, body: "now" });
    const error = await rejection(h.client.messages.cancel({ sid: sent.sid }));
    expect(error).toBeInstanceOf(ValidationError);
    expect([(error as ValidationError).status, (error as ValidationError).vendorCode, (error as ValidationError).attempts]).toEqual([400, "30409", 1]);
  });
});

describe("messages.delete", () => {
  it("sends DELETE /Messages/{Sid}.json, resolves on 204, and the message is then not found", async () => {
    const sent = await h.client.messages.send({ to: BORROWER, from: SENDER, body: "x" });
    await expect(h.client.messages.delete({ sid: sent.sid })).resolves.toBeUndefined();
    const request = h.server.requests.at(-1)!;
    expect([request.method, request.url]).toEqual(["DELETE", `/2010-04-01/Accounts/${h.fake.accountSid}/Messages/${sent.sid}.json`]);
    expect(h.fake.message(sent.sid)).toBeUndefined();
    const error = await rejection(h.client.messages.get({ sid: sent.sid }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).vendorCode).toBe("20404");
  });

  it("is retried after a 5xx (deleting converges), unlike send", async () => {
    const sent = await h.client.messages.send({ to: BORROWER, from: SENDER, body: "x" });
    h.fake.failNext({ code: 20500, method: "DELETE" });
    h.server.requests.length = 0;
    await h.client.messages.delete({ sid: sent.sid });
    expect(h.server.requests.map((r) => r.method)).toEqual(["DELETE", "DELETE"]);
    expect(h.fake.message(sent.sid)).toBeUndefined();
  });
});

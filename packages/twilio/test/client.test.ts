import { AuthError, createMemoryIdempotencyStore, ValidationError, type SecretProvider } from "@connect/core";
import { createMemoryOptOutStore, createTwilioClient, RecipientOptedOutError, TWILIO_BASE_URL, twilioBaseUrl } from "@connect/twilio";
import { afterEach, describe, expect, it } from "vitest";
import { BORROWER, FAST_POLICY, rejection, SENDER, setup, type Harness } from "./helpers.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ACCOUNT = "AC" + "a".repeat(32);
const KEY = "SK" + "b".repeat(32);

function recordingProvider(values: { current: string; fresh: string }): SecretProvider & { calls: Array<[string, boolean]> } {
  const calls: Array<[string, boolean]> = [];
  return {
    calls,
    async get(name, options) {
      calls.push([name, options?.forceRefresh === true]);
      return options?.forceRefresh ? values.fresh : values.current;
    },
  };
}

describe("configuration", () => {
  it("refuses an API key SID as accountSid, a malformed SID, and empty or padded secrets", () => {
    expect(() => createTwilioClient({ accountSid: KEY, auth: { authToken: "t0ken-123" } })).toThrow("accountSid is an API key SID (SK…)");
    expect(() => createTwilioClient({ accountSid: "AC123", auth: { authToken: "t0ken-123" } })).toThrow("accountSid must be AC followed by 32 hex digits");
    expect(() => createTwilioClient({ accountSid: ACCOUNT, auth: { authToken: "" } })).toThrow("auth.authToken is empty");
    expect(() => createTwilioClient({ accountSid: ACCOUNT, auth: { authToken: "t0ken-123\n" } })).toThrow("surrounding whitespace");
    expect(() => createTwilioClient({ accountSid: ACCOUNT, auth: { apiKeySid: ACCOUNT, apiKeySecret: "s3cret-123" } })).toThrow("auth.apiKeySid must be SK");
  });

  it("builds the edge/region host; an edge alone implies us1", () => {
    expect(twilioBaseUrl()).toBe(TWILIO_BASE_URL);
    expect(twilioBaseUrl({ edge: "sydney", region: "au1" })).toBe("https://api.sydney.au1.twilio.com");
    expect(twilioBaseUrl({ edge: "dublin" })).toBe("https://api.dublin.us1.twilio.com");
    expect(() => twilioBaseUrl({ region: "au1.evil.test/" })).toThrow("is not a Twilio region name");
  });
});

describe("auth", () => {
  it("a wrong Auth Token is an AuthError with Twilio's 20003, after one request", async () => {
    h = await setup({ client: { auth: { authToken: "wrong-token-0000" } } });
    const error = await rejection(h.client.messages.send({ to: BORROWER, from: SENDER, body: "x" }));
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ vendorCode: "20003", status: 401, attempts: 1 });
    expect(h.server.requests).toHaveLength(1);
  });

  it("an Auth Token from a SecretProvider: after a 401 it is re-read with forceRefresh once (rotation) and the call succeeds", async () => {
    h = await setup({ fake: { authToken: "rotated-token-0002" } });
    const provider = recordingProvider({ current: "stale-token-0001", fresh: "rotated-token-0002" });
    const client = createTwilioClient({ accountSid: h.fake.accountSid, auth: { secrets: provider }, baseUrl: h.server.url, policy: FAST_POLICY });
    const sent = await client.messages.send({ to: BORROWER, from: SENDER, body: "x" });
    await client.close();

    expect(sent.status).toBe("queued");
    expect(provider.calls).toEqual([
      ["TWILIO_AUTH_TOKEN", false],
      ["TWILIO_AUTH_TOKEN", true],
    ]);
    expect(h.server.requests.map((r) => r.headers.authorization)).toEqual([
      `Basic ${Buffer.from(`${h.fake.accountSid}:stale-token-0001`).toString("base64")}`,
      `Basic ${Buffer.from(`${h.fake.accountSid}:rotated-token-0002`).toString("base64")}`,
    ]);
  });

  it("an API key secret from a SecretProvider under a custom name", async () => {
    h = await setup({ fake: { apiKeys: [{ sid: KEY, secret: "key-secret-0003" }] } });
    const provider = recordingProvider({ current: "key-secret-0003", fresh: "key-secret-0003" });
    const client = createTwilioClient({ accountSid: h.fake.accountSid, auth: { secrets: provider, apiKeySid: KEY, apiKeySecretName: "sms/key" }, baseUrl: h.server.url, policy: FAST_POLICY });
    await client.messages.send({ to: BORROWER, from: SENDER, body: "x" });
    await client.close();
    expect(provider.calls).toEqual([["sms/key", false]]);
    expect(h.server.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${KEY}:key-secret-0003`).toString("base64")}`);
  });

  it("healthCheck lists one message and reports healthy", async () => {
    h = await setup();
    const health = await h.client.healthCheck();
    expect(health.status).toBe("healthy");
    expect(h.server.requests.map((r) => r.url)).toEqual([`/2010-04-01/Accounts/${h.fake.accountSid}/Messages.json?PageSize=1`]);
  });
});

describe("response shapes", () => {
  it("the fake's responses match the declared output schemas exactly (drift: strict)", async () => {
    h = await setup({ client: { drift: "strict" } });
    const sent = await h.client.messages.send({ to: BORROWER, messagingServiceSid: "MG" + "1".repeat(32), body: "x" });
    await h.fake.deliver(sent.sid);
    const fetched = await h.client.messages.get({ sid: sent.sid });
    const page = await h.client.messages.listPage({ pageSize: 1 });
    expect([sent.status, fetched.status, page.messages[0]!.sid]).toEqual(["accepted", "delivered", sent.sid]);
  });

  it("a drifted response fails in strict mode with the fields named", async () => {
    h = await setup({ client: { drift: "strict" } });
    const { http, HttpResponse } = await import("msw");
    h.server.use(http.get("*/2010-04-01/Accounts/:a/Messages/:sid", () => HttpResponse.json({ sid: "SM" + "0".repeat(32), status: "teleported" })));
    const error = await rejection(h.client.messages.get({ sid: "SM" + "0".repeat(32) }));
    expect((error as Error).name).toBe("ContractDriftError");
    expect((error as { issues: Array<{ path: string }> }).issues.map((i) => i.path)).toContain("status");
  });
});

describe("opt-outs", () => {
  it("a recipient in the opt-out store is refused before any request, after validation", async () => {
    const optOuts = createMemoryOptOutStore([BORROWER]);
    h = await setup({ client: { optOuts } });
    const error = await rejection(h.client.messages.send({ to: "(415) 555-0100", from: SENDER, body: "x" }));
    expect(error).toBeInstanceOf(RecipientOptedOutError);
    expect(error).toMatchObject({ vendorCode: "21610", recipient: BORROWER, mayHaveReachedVendor: false, operation: "messages.send" });
    const invalid = await rejection(h.client.messages.send({ to: "nope", from: SENDER, body: "x" }));
    expect(invalid).toBeInstanceOf(ValidationError);
    expect(h.server.requests).toHaveLength(0);
  });

  it("Twilio's 21610 adds the recipient to the store, so the next send makes no request", async () => {
    const optOuts = createMemoryOptOutStore();
    h = await setup({ client: { optOuts } });
    h.fake.optOuts.add(BORROWER);
    const first = await rejection(h.client.messages.send({ to: BORROWER, from: SENDER, body: "x" }));
    expect(first).toBeInstanceOf(RecipientOptedOutError);
    expect(first).toMatchObject({ vendorCode: "21610", status: 400, recipient: BORROWER });
    expect([...optOuts.recipients]).toEqual([BORROWER]);
    await rejection(h.client.messages.send({ to: BORROWER, from: SENDER, body: "y" }));
    expect(h.server.requests).toHaveLength(1);
  });
});

describe("idempotency store", () => {
  it("the same logical send (same idempotency key) returns the first message instead of texting again", async () => {
    h = await setup({ client: { idempotencyStore: createMemoryIdempotencyStore() } });
    const first = await h.client.messages.send({ to: BORROWER, from: SENDER, body: "Reply CONFIRM" }, { idempotencyKey: "reminder:draw-3" });
    const again = await h.client.messages.send({ to: BORROWER, from: SENDER, body: "Reply CONFIRM" }, { idempotencyKey: "reminder:draw-3" });
    expect(again.sid).toBe(first.sid);
    expect(h.fake.messages).toHaveLength(1);
  });
});

import { createMemoryDeadLetterSink, WebhookVerificationError, type WebhookRequest } from "@connect/core";
import {
  callbackHmacVerifier,
  callbackToken,
  callbackTokenVerifier,
  callbackUrlFor,
  createAuthentisignCallbackHandler,
  type AuthentisignEvent,
} from "@connect/authentisign";
import { callbackPayload, signCallback } from "@connect/authentisign/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiRequests, listen, loanSigning, rejection, setup, type Harness } from "./helpers.js";

const SIGNING = "5c192f97-41e4-ed11-8e8b-00224827d18c";
const TOKEN_SECRET = "cb-secret-0001";
// HMAC-SHA256("cb-secret-0001", "authentisign-callback:v1:<SIGNING>"), base64url — computed independently.
const TOKEN_VECTOR = "wV4AzR80i4Q4sk6zLCjBQrp7iaRWg29mXcWfI5oz58M";
const HMAC_SECRET = "hmac-secret-0001";
const BODY = `{"id":"evt_0001","type":"signing.completed","createdAt":"2030-03-01T12:00:00.000Z","data":{"signingId":"${SIGNING}","status":"completed"}}`;
const TS = "1900000000";
// hex HMAC-SHA256("hmac-secret-0001", "1900000000." + BODY) — computed independently.
const HMAC_VECTOR = "6a22861e04e71eb4e405667d0e8edb0ccb2ff481acb2e856fce59d449c8aec4f";

function request(url: string, body: string | Buffer = BODY, headers: Record<string, string> = {}): WebhookRequest {
  return { method: "POST", url, headers: { "content-type": "application/json", ...headers }, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body) };
}

const hookUrl = (token = TOKEN_VECTOR, signing = SIGNING) => `https://hooks.example.com/authentisign?as_signing=${signing}&as_token=${token}`;

async function reason(promise: Promise<unknown> | void): Promise<string> {
  const error = await rejection(Promise.resolve(promise));
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return (error as WebhookVerificationError).reason;
}

describe("per-signing callback tokens", () => {
  it("match the known vector and go into the CallbackUrl query", async () => {
    expect(callbackToken(TOKEN_SECRET, SIGNING)).toBe(TOKEN_VECTOR);
    await expect(callbackUrlFor("https://hooks.example.com/authentisign?tenant=t1", SIGNING, [TOKEN_SECRET, "older"])).resolves.toBe(`https://hooks.example.com/authentisign?tenant=t1&as_signing=${SIGNING}&as_token=${TOKEN_VECTOR}`);
  });

  it("a callback with the right token about its own signing passes", async () => {
    await expect(callbackTokenVerifier({ secrets: TOKEN_SECRET }).verify(request(hookUrl()))).resolves.toBeUndefined();
  });

  it("one changed character of the token fails (bad_token)", async () => {
    const tampered = `${TOKEN_VECTOR.slice(0, -1)}${TOKEN_VECTOR.endsWith("M") ? "N" : "M"}`;
    expect(await reason(callbackTokenVerifier({ secrets: TOKEN_SECRET }).verify(request(hookUrl(tampered))))).toBe("bad_token");
  });

  it("a wrong secret fails; the second of two rotated secrets passes", async () => {
    expect(await reason(callbackTokenVerifier({ secrets: "another-secret" }).verify(request(hookUrl())))).toBe("bad_token");
    await expect(callbackTokenVerifier({ secrets: ["new-secret-0002", TOKEN_SECRET] }).verify(request(hookUrl()))).resolves.toBeUndefined();
  });

  it("says so when a configured secret has a trailing newline", async () => {
    const error = await rejection(Promise.resolve(callbackTokenVerifier({ secrets: `${TOKEN_SECRET}\n` }).verify(request(hookUrl()))));
    expect((error as Error).message).toContain("surrounding whitespace and matches without it");
  });

  it("a URL without the token, or a token made for another signing, fails", async () => {
    expect(await reason(callbackTokenVerifier({ secrets: TOKEN_SECRET }).verify(request("https://hooks.example.com/authentisign")))).toBe("missing_token");
    const other = callbackToken(TOKEN_SECRET, "11111111-2222-4333-8444-555555555555");
    // The token is valid for signing 1111…, but the body is about SIGNING.
    expect(await reason(callbackTokenVerifier({ secrets: TOKEN_SECRET }).verify(request(hookUrl(other, "11111111-2222-4333-8444-555555555555"))))).toBe("signing_mismatch");
  });

  it("a parsed body gets the helpful error", async () => {
    const parsed = { ...request(hookUrl()), rawBody: JSON.parse(BODY) as Buffer };
    const error = await rejection(Promise.resolve(callbackTokenVerifier({ secrets: TOKEN_SECRET }).verify(parsed)));
    expect(error).toMatchObject({ reason: "body_parsed" });
    expect((error as Error).message).toContain("parsed before verification");
  });

  it("without any secret configured it fails closed (no_secret)", async () => {
    expect(await reason(callbackTokenVerifier({ secrets: [] }).verify(request(hookUrl())))).toBe("no_secret");
  });
});

describe("HMAC-signed callbacks (the assumed v1= scheme)", () => {
  const now = () => Number(TS) * 1000 + 10_000;
  const signed = (body = BODY, headers: Record<string, string> = {}) =>
    request("https://hooks.example.com/authentisign", body, { "x-authentisign-timestamp": TS, "x-authentisign-signature": `v1=${HMAC_VECTOR}`, ...headers });

  it("the known vector passes, and the fake's signer produces it", async () => {
    expect(signCallback(HMAC_SECRET, BODY, TS)).toEqual({ "x-authentisign-timestamp": TS, "x-authentisign-signature": `v1=${HMAC_VECTOR}` });
    await expect(callbackHmacVerifier({ secrets: HMAC_SECRET, now }).verify(signed())).resolves.toBeUndefined();
  });

  it("one changed byte of the body fails (bad_signature)", async () => {
    expect(await reason(callbackHmacVerifier({ secrets: HMAC_SECRET, now }).verify(signed(BODY.replace("completed", "Completed"))))).toBe("bad_signature");
  });

  it("a wrong secret fails; a rotated (second) secret passes", async () => {
    expect(await reason(callbackHmacVerifier({ secrets: "nope-nope-nope", now }).verify(signed()))).toBe("bad_signature");
    await expect(callbackHmacVerifier({ secrets: ["next-secret-9", HMAC_SECRET], now }).verify(signed())).resolves.toBeUndefined();
  });

  it("a timestamp outside the 300 s window fails (stale_timestamp)", async () => {
    const late = () => Number(TS) * 1000 + 301_000;
    expect(await reason(callbackHmacVerifier({ secrets: HMAC_SECRET, now: late }).verify(signed()))).toBe("stale_timestamp");
  });

  it("a missing signature header and a missing v1= prefix fail", async () => {
    const noSig = request("https://hooks.example.com/authentisign", BODY, { "x-authentisign-timestamp": TS });
    expect(await reason(callbackHmacVerifier({ secrets: HMAC_SECRET, now }).verify(noSig))).toBe("missing_header");
    expect(await reason(callbackHmacVerifier({ secrets: HMAC_SECRET, now }).verify(signed(BODY, { "x-authentisign-signature": HMAC_VECTOR })))).toBe("malformed_signature");
  });

  it("a parsed body gets the helpful error", async () => {
    const parsed = { ...signed(), rawBody: JSON.parse(BODY) as Buffer };
    const error = await rejection(Promise.resolve(callbackHmacVerifier({ secrets: HMAC_SECRET, now }).verify(parsed)));
    expect(error).toMatchObject({ reason: "body_parsed" });
  });
});

describe("the callback receiver (through the fake)", () => {
  let h: Harness;
  let events: AuthentisignEvent[];
  let hook: Awaited<ReturnType<typeof listen>>;
  let receiver: ReturnType<typeof createAuthentisignCallbackHandler>;
  const deadLetters = createMemoryDeadLetterSink();

  beforeEach(async () => {
    h = await setup();
    events = [];
    receiver = createAuthentisignCallbackHandler({
      client: h.client,
      token: { secrets: TOKEN_SECRET },
      onEvent: (event) => {
        events.push(event);
      },
      deadLetters,
      maxAttempts: 2,
    });
    hook = await listen((req, res) => void receiver.node(req, res));
  });
  afterEach(async () => {
    await hook.close();
    await h.close();
  });

  async function sentSigning() {
    const signing = await h.client.signings.create(loanSigning());
    await h.client.signings.setCallbackUrl({ signingId: signing.id, callbackUrl: await callbackUrlFor(`${hook.url}/hooks/authentisign`, signing.id, TOKEN_SECRET) });
    await h.client.signings.send({ signingId: signing.id });
    await h.fake.flush();
    return signing;
  }

  it("verifies each callback, re-reads the signing, and emits it typed, in order", async () => {
    const signing = await sentSigning();
    const result = await h.fake.completeAll(signing.id);

    expect([h.fake.deliveries[0]!.status, ...result.deliveries.map((d) => d.status)]).toEqual([200, 200, 200, 200, 200, 200]);
    expect(events.map((e) => [e.type, e.participant?.email])).toEqual([
      ["signing.sent", undefined],
      ["participant.viewed", "ana@example.com"],
      ["participant.signed", "ana@example.com"],
      ["participant.viewed", "gus@example.com"],
      ["participant.signed", "gus@example.com"],
      ["signing.completed", undefined],
    ]);
    const completed = events.at(-1)!;
    expect(completed.signing?.status).toBe("completed");
    expect(completed.signingId).toBe(signing.id);
    expect(completed.id).toMatch(/^evt_[0-9a-f]{24}$/);
    // Each event was confirmed by a GET of the signing.
    expect(apiRequests(h.server).filter((r) => r.method === "GET" && r.path === `/api/v1/signings/${signing.id}`)).toHaveLength(6);
  });

  it("a callback that fails verification reaches no handler and causes no API call (401)", async () => {
    const signing = await sentSigning();
    events.length = 0;
    h.server.requests.length = 0;
    const forged = await h.fake.postCallback(`${hook.url}/hooks/authentisign?as_signing=${signing.id}&as_token=guessed`, callbackPayload({ id: signing.id, status: "completed" }, "signing.completed", { at: new Date().toISOString() }));
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.response)).toEqual({ error: "verification_failed" });
    expect(events).toEqual([]);
    expect(h.server.requests).toHaveLength(0);
  });

  it("a verified hint the API does not confirm is not emitted (500, redelivered later); once confirmed it is", async () => {
    const signing = await sentSigning();
    events.length = 0;
    const url = h.fake.signing(signing.id).callbackUrl!;
    const early = await h.fake.postCallback(url, callbackPayload({ id: signing.id, status: "completed" }, "signing.completed", { at: new Date().toISOString(), id: "evt_early" }));
    expect(early.status).toBe(500);
    expect(events).toEqual([]);
    await h.fake.completeAll(signing.id);
    events.length = 0;
    const again = await h.fake.redeliver(early);
    expect(again.status).toBe(200);
    expect(events.map((e) => [e.id, e.type, e.signing?.status])).toEqual([["evt_early", "signing.completed", "completed"]]);
  });

  it("a redelivered callback is a duplicate: the handler runs once", async () => {
    const signing = await sentSigning();
    const { deliveries } = await h.fake.view(signing.id, "ana@example.com");
    const again = await h.fake.redeliver(deliveries[0]!);
    expect(JSON.parse(again.response)).toMatchObject({ received: 1, handled: 0, duplicates: 1 });
    expect(events.filter((e) => e.type === "participant.viewed")).toHaveLength(1);
  });

  it("callbacks without an id are deduped on signing + type + participant + status", async () => {
    const signing = await sentSigning();
    await h.fake.view(signing.id, "ana@example.com");
    events.length = 0;
    const url = h.fake.signing(signing.id).callbackUrl!;
    const body = { type: "participant.viewed", data: { signingId: signing.id, status: "in_progress", participant: { email: "ana@example.com", status: "viewed" } } };
    const first = await h.fake.postCallback(url, body);
    const second = await h.fake.postCallback(url, body);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(JSON.parse(second.response)).toMatchObject({ duplicates: 1 });
    expect(events.map((e) => e.id)).toEqual([`${signing.id}:participant.viewed:ana@example.com:in_progress`]);
  });

  it("a body that is not a callback is 400 and reaches no handler", async () => {
    const signing = await sentSigning();
    events.length = 0;
    const url = h.fake.signing(signing.id).callbackUrl!;
    const bad = await h.fake.postCallback(url, { data: { signingId: signing.id } });
    expect(bad.status).toBe(400);
    expect(events).toEqual([]);
  });

  it("a handler that keeps failing gets the callback redelivered (500), then it is dead-lettered", async () => {
    const failing = createAuthentisignCallbackHandler({
      client: h.client,
      token: { secrets: TOKEN_SECRET },
      handlers: {
        "participant.viewed": () => {
          throw new Error("database down");
        },
      },
      deadLetters,
      maxAttempts: 2,
    });
    const other = await listen((req, res) => void failing.node(req, res));
    const signing = await h.client.signings.create({ ...loanSigning(), send: true });
    await h.client.signings.setCallbackUrl({ signingId: signing.id, callbackUrl: await callbackUrlFor(`${other.url}/cb`, signing.id, TOKEN_SECRET) });
    const { deliveries } = await h.fake.view(signing.id, "ana@example.com");
    const second = await h.fake.redeliver(deliveries[0]!);
    await other.close();
    expect([deliveries[0]!.status, second.status]).toEqual([500, 200]);
    const letters = await deadLetters.list();
    expect(letters.find((l) => l.operation === "participant.viewed")).toMatchObject({ kind: "webhook", adapterId: "authentisign", attempts: 2 });
  });

  it("HMAC mode: the fake signs with its callback secret; token and HMAC together must both pass", async () => {
    h.fake.setCallbackSecret(HMAC_SECRET);
    const both = createAuthentisignCallbackHandler({ client: h.client, token: { secrets: TOKEN_SECRET }, hmac: { secrets: HMAC_SECRET }, onEvent: (e) => void events.push(e) });
    const server = await listen((req, res) => void both.node(req, res));
    const signing = await h.client.signings.create({ ...loanSigning(), send: true });
    const url = await callbackUrlFor(`${server.url}/cb`, signing.id, TOKEN_SECRET);
    await h.client.signings.setCallbackUrl({ signingId: signing.id, callbackUrl: url });
    const { deliveries } = await h.fake.view(signing.id, "ana@example.com");
    expect(deliveries[0]!.headers["x-authentisign-signature"]).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(deliveries[0]!.status).toBe(200);
    const wrongKey = await h.fake.postCallback(url, callbackPayload({ id: signing.id, status: "in_progress" }, "participant.viewed", { at: new Date().toISOString() }), { secret: "not-the-secret" });
    const unsigned = await h.fake.postCallback(`${server.url}/cb?as_signing=${signing.id}&as_token=x`, callbackPayload({ id: signing.id, status: "in_progress" }, "participant.viewed", { at: new Date().toISOString() }));
    await server.close();
    expect([wrongKey.status, unsigned.status]).toEqual([401, 401]);
    expect(events.map((e) => e.type)).toEqual(["participant.viewed"]);
  });

  it("needs a verifier (or an explicit unsafe opt-out)", () => {
    expect(() => createAuthentisignCallbackHandler({ client: h.client })).toThrow(/needs token/);
  });

  it("the callback token and secret never appear in the receiver's log lines", async () => {
    const lines: string[] = [];
    const log = (obj: Record<string, unknown>, msg?: string) => void lines.push(JSON.stringify({ obj, msg }));
    const logged = createAuthentisignCallbackHandler({ client: h.client, token: { secrets: TOKEN_SECRET }, logger: { debug: log, info: log, warn: log, error: log } });
    const url = `https://hooks.example.com/authentisign?as_signing=${SIGNING}&as_token=${TOKEN_VECTOR}`;
    const response = await logged.handle(request(url, BODY.replace(SIGNING, "other-signing")));
    expect(response.status).toBe(401);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join("\n")).not.toContain(TOKEN_VECTOR);
    expect(lines.join("\n")).not.toContain(TOKEN_SECRET);
  });
});

/**
 * Regression (issue 15): webhook parameters named like Object members (`__proto__`,
 * `constructor`, `hasOwnProperty`) are data, not inherited values mixed into the parsed params
 * (which broke the signature of a legitimate request and leaked functions into events), and a
 * huge `NumMedia` does not turn into a long loop.
 */
import { ValidationError } from "@connect/core";
import { createTwilioWebhookHandler, parseFormParams, parseTwilioWebhook, type InboundMessageEvent, type StatusCallbackEvent } from "@connect/twilio";
import { signTwilioRequest } from "@connect/twilio/testing";
import { describe, expect, it } from "vitest";

const TOKEN = "issue15-auth-token-000000000000";
const URL_ = "https://hooks.acme-lending.test/twilio";

function signed(params: Record<string, string>) {
  const req = signTwilioRequest({ authToken: TOKEN, url: URL_, params });
  return { method: "POST", url: req.url, headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v])), rawBody: Buffer.from(req.body) };
}

describe("issue 15: hostile parameter names and counts", () => {
  it("parseFormParams keeps __proto__, constructor and hasOwnProperty as own string values", () => {
    const params = parseFormParams("__proto__=a&__proto__=b&constructor=c&hasOwnProperty=d&toString=e");
    expect(Object.keys(params).sort()).toEqual(["__proto__", "constructor", "hasOwnProperty", "toString"]);
    expect(Object.getOwnPropertyDescriptor(params, "__proto__")?.value).toEqual(["a", "b"]);
    expect(params.constructor).toBe("c");
    expect(params.hasOwnProperty).toBe("d");
    expect(Object.values(params).flat().every((v) => typeof v === "string")).toBe(true);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });

  it("a signed status callback carrying such parameters verifies, and the handler sees them as strings", async () => {
    const seen: StatusCallbackEvent[] = [];
    const webhook = createTwilioWebhookHandler({ authToken: TOKEN, onStatus: (e) => void seen.push(e) });
    const res = await webhook.handle(signed({ MessageSid: `SM${"a".repeat(32)}`, MessageStatus: "delivered", constructor: "x", hasOwnProperty: "y" }));

    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.params.constructor).toBe("x");
    expect(seen[0]!.params.hasOwnProperty).toBe("y");
    expect(Object.values(seen[0]!.params).every((v) => typeof v === "string")).toBe(true);
  });

  // Before the fix this looped 10^11 times (the test timed out).
  it("an inbound message claiming NumMedia=99999999999 is parsed with the media it has", async () => {
    const seen: InboundMessageEvent[] = [];
    const webhook = createTwilioWebhookHandler({ authToken: TOKEN, onInbound: (e) => void seen.push(e) });
    const res = await webhook.handle(signed({ MessageSid: `MM${"b".repeat(32)}`, From: "+14155550100", To: "+14155552345", Body: "photo", NumMedia: "99999999999", MediaUrl0: "https://api.twilio.com/m/0", MediaContentType0: "image/jpeg" }));

    expect(res.status).toBe(200);
    expect(seen[0]!.media).toEqual([{ url: "https://api.twilio.com/m/0", contentType: "image/jpeg" }]);
  });

  it("a JSON body with a value nested 50 000 levels deep is a ValidationError, not a stack overflow", () => {
    const depth = 50_000;
    const body = `{"MessageSid":"SM${"c".repeat(32)}","MessageStatus":"sent","Extra":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    const error = (() => {
      try {
        return parseTwilioWebhook({ method: "POST", url: `${URL_}?bodySHA256=x`, headers: { "content-type": "application/json" }, rawBody: Buffer.from(body) });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: "body", message: "a value of the JSON body is nested too deeply" }]);
  });
});

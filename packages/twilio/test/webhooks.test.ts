import { WebhookVerificationError, type WebhookRequest } from "@connect/core";
import { bodySha256, computeTwilioSignature, createTwilioWebhookHandler, parseFormParams, signatureBase, signatureUrlCandidates, twilioSignatureVerifier } from "@connect/twilio";
import { signTwilioRequest, twilioSignature } from "@connect/twilio/testing";
import { describe, expect, it } from "vitest";

// Known vectors published with Twilio's helper libraries and docs (auth token "12345"),
// shared/vendors/twilio.md §4.
const TOKEN = "12345";
const URL_SIGNED = "https://mycompany.com/myapp.php?foo=1&bar=2";
const PARAMS = { CallSid: "CA1234567890ABCDE", Caller: "+12349013030", Digits: "1234", From: "+12349013030", To: "+18005551212" };
const SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";
const DOCS_PARAMS = { CallSid: "CA1234567890ABCDE", Caller: "+14158675310", Digits: "1234", From: "+14158675310", To: "+18005551212" };
const DOCS_SIGNATURE = "GvWf1cFY/Q7PnoempGyD5oXAezc=";
const JSON_BODY = '{"property": "value", "boolean": true}';
const JSON_HASH = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
const JSON_URL = `${URL_SIGNED}&bodySHA256=${JSON_HASH}`;
const JSON_SIGNATURE = "a9nBmqA0ju/hNViExpshrM61xv4=";

function form(entries: Array<[string, string]>): string {
  return new URLSearchParams(entries).toString();
}

function request(options: { url?: string; body?: string | Buffer; signature?: string | undefined; method?: string; contentType?: string }): WebhookRequest {
  const headers: Record<string, string> = { "content-type": options.contentType ?? "application/x-www-form-urlencoded" };
  if (options.signature !== undefined) headers["x-twilio-signature"] = options.signature;
  const body = options.body ?? form(Object.entries(PARAMS));
  return { method: options.method ?? "POST", url: options.url ?? URL_SIGNED, headers, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8") };
}

async function reasonOf(promise: Promise<unknown> | unknown): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return (error as WebhookVerificationError).reason;
  }
  throw new Error("expected verification to fail");
}

const verifier = twilioSignatureVerifier({ authToken: TOKEN });

describe("signature computation", () => {
  it("reproduces the published vectors", () => {
    expect(computeTwilioSignature(TOKEN, URL_SIGNED, PARAMS)).toBe(SIGNATURE);
    expect(computeTwilioSignature(TOKEN, URL_SIGNED, DOCS_PARAMS)).toBe(DOCS_SIGNATURE);
    expect(bodySha256(JSON_BODY)).toBe(JSON_HASH);
    expect(computeTwilioSignature(TOKEN, JSON_URL)).toBe(JSON_SIGNATURE);
  });

  it("the fake's independent signer agrees with the SDK on the vectors", () => {
    expect(twilioSignature(TOKEN, URL_SIGNED, PARAMS)).toBe(SIGNATURE);
    const signed = signTwilioRequest({ authToken: TOKEN, url: URL_SIGNED, params: { property: "value" }, json: true });
    expect(signed.url).toBe(`${URL_SIGNED}&bodySHA256=${bodySha256(signed.body)}`);
    expect(signed.headers["x-twilio-signature"]).toBe(computeTwilioSignature(TOKEN, signed.url));
  });

  it("appends name+value pairs sorted by code unit, and a repeated name's distinct values sorted", () => {
    expect(signatureBase("https://h.test/x", { b: "2", B: "1", a: ["z", "y", "z"] })).toBe("https://h.test/xB1ay" + "az" + "b2");
    expect(parseFormParams("MediaUrl=b&To=%2B1&MediaUrl=a")).toEqual({ MediaUrl: ["b", "a"], To: "+1" });
  });

  // twilio-node 6.3.1 webhooks.js `validateRequest`: [removePort(url), addPort(url)], i.e. the URL
  // as given plus, with a port, the URL without it, and, without one, with :443 (https) / :80.
  it("tries the URL as given, and its port variant as twilio-node's validateRequest does", () => {
    expect(signatureUrlCandidates("https://h.test/x?y=1")).toEqual(["https://h.test/x?y=1", "https://h.test:443/x?y=1"]);
    expect(signatureUrlCandidates("https://h.test:443/x")).toEqual(["https://h.test:443/x", "https://h.test/x"]);
    expect(signatureUrlCandidates("http://h.test/x")).toEqual(["http://h.test/x", "http://h.test:80/x"]);
    expect(signatureUrlCandidates("https://h.test:8443/x")).toEqual(["https://h.test:8443/x", "https://h.test/x"]);
    expect(signatureUrlCandidates("https://[::1]:8443/x")).toEqual(["https://[::1]:8443/x", "https://[::1]/x"]);
  });

  it("never normalises: host case, userinfo, scheme case and escapes stay as received", () => {
    expect(signatureUrlCandidates("HTTPS://u:p@Hooks.Example.COM/A%7eb?q=1")).toEqual(["HTTPS://u:p@Hooks.Example.COM/A%7eb?q=1", "HTTPS://u:p@Hooks.Example.COM:443/A%7eb?q=1"]);
  });

  it("adds the other spelling of an apostrophe (%27 and ') to each port variant", () => {
    expect(signatureUrlCandidates("https://h.test/p?q=it%27s")).toEqual([
      "https://h.test/p?q=it%27s",
      "https://h.test:443/p?q=it%27s",
      "https://h.test/p?q=it's",
      "https://h.test:443/p?q=it's",
    ]);
  });

  it("a relative URL is only tried as given", () => {
    expect(signatureUrlCandidates("/hooks/sms?x=1")).toEqual(["/hooks/sms?x=1"]);
  });
});

describe("twilioSignatureVerifier (form posts)", () => {
  it("accepts the known vector", async () => {
    await expect(verifier.verify(request({ signature: SIGNATURE }))).resolves.toBeUndefined();
  });

  it("accepts the same parameters in another order in the body (the signature sorts them)", async () => {
    const reordered = form(Object.entries(PARAMS).reverse());
    expect(reordered.startsWith("To=")).toBe(true);
    await expect(verifier.verify(request({ body: reordered, signature: SIGNATURE }))).resolves.toBeUndefined();
  });

  it("rejects a tampered parameter", async () => {
    const tampered = form(Object.entries({ ...PARAMS, Digits: "1235" }));
    expect(await reasonOf(verifier.verify(request({ body: tampered, signature: SIGNATURE })))).toBe("bad_signature");
  });

  it("rejects an added parameter (every parameter is signed)", async () => {
    const added = form([...Object.entries(PARAMS), ["ErrorCode", "30003"]]);
    expect(await reasonOf(verifier.verify(request({ body: added, signature: SIGNATURE })))).toBe("bad_signature");
  });

  it("rejects a different URL (query is signed)", async () => {
    expect(await reasonOf(verifier.verify(request({ url: "https://mycompany.com/myapp.php?foo=1&bar=3", signature: SIGNATURE })))).toBe("bad_signature");
  });

  it("rejects the wrong Auth Token, and accepts during rotation when either token matches", async () => {
    expect(await reasonOf(twilioSignatureVerifier({ authToken: "54321" }).verify(request({ signature: SIGNATURE })))).toBe("bad_signature");
    await expect(twilioSignatureVerifier({ authToken: ["new-token-000", TOKEN] }).verify(request({ signature: SIGNATURE }))).resolves.toBeUndefined();
    await expect(twilioSignatureVerifier({ authToken: async () => [TOKEN] }).verify(request({ signature: SIGNATURE }))).resolves.toBeUndefined();
  });

  it("a signature over the URL with :443 verifies a request seen without the port, and the other way round", async () => {
    const withPort = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
    const sigWithPort = computeTwilioSignature(TOKEN, withPort, PARAMS);
    expect(sigWithPort).not.toBe(SIGNATURE);
    await expect(verifier.verify(request({ url: URL_SIGNED, signature: sigWithPort }))).resolves.toBeUndefined();
    await expect(verifier.verify(request({ url: withPort, signature: SIGNATURE }))).resolves.toBeUndefined();
    await expect(verifier.verify(request({ url: withPort, signature: sigWithPort }))).resolves.toBeUndefined();
  });

  it("the same holds for http and :80; a non-default port received is also tried without it (twilio-node removePort)", async () => {
    const sig80 = computeTwilioSignature(TOKEN, "http://hooks.test:80/s", PARAMS);
    await expect(verifier.verify(request({ url: "http://hooks.test/s", signature: sig80 }))).resolves.toBeUndefined();
    const sig8443 = computeTwilioSignature(TOKEN, "https://hooks.test:8443/s", PARAMS);
    await expect(verifier.verify(request({ url: "https://hooks.test:8443/s", signature: sig8443 }))).resolves.toBeUndefined();
    // Twilio signed the URL without the port; the request arrived on :8443 (a port added by a proxy).
    const sigNoPort = computeTwilioSignature(TOKEN, "https://hooks.test/s", PARAMS);
    await expect(verifier.verify(request({ url: "https://hooks.test:8443/s", signature: sigNoPort }))).resolves.toBeUndefined();
    // A port is never invented: a signature over :8443 does not verify a URL received without a port.
    expect(await reasonOf(verifier.verify(request({ url: "https://hooks.test/s", signature: sig8443 })))).toBe("bad_signature");
  });

  it("a signature over a differently-cased host is rejected: Twilio signs the URL exactly as configured (issue 21)", async () => {
    const sigLower = computeTwilioSignature(TOKEN, "https://hooks.example.com/s", PARAMS);
    expect(await reasonOf(verifier.verify(request({ url: "https://Hooks.Example.com/s", signature: sigLower })))).toBe("bad_signature");
    const sigUpper = computeTwilioSignature(TOKEN, "https://Hooks.Example.com/s", PARAMS);
    expect(await reasonOf(verifier.verify(request({ url: "https://hooks.example.com/s", signature: sigUpper })))).toBe("bad_signature");
    await expect(verifier.verify(request({ url: "https://Hooks.Example.com/s", signature: sigUpper }))).resolves.toBeUndefined();
  });

  it("userinfo and scheme case are part of the signed URL (no normalisation)", async () => {
    const sig = computeTwilioSignature(TOKEN, "https://user:pass@hooks.test/s", PARAMS);
    await expect(verifier.verify(request({ url: "https://user:pass@hooks.test/s", signature: sig }))).resolves.toBeUndefined();
    await expect(verifier.verify(request({ url: "https://user:pass@hooks.test:443/s", signature: sig }))).resolves.toBeUndefined();
    expect(await reasonOf(verifier.verify(request({ url: "https://hooks.test/s", signature: sig })))).toBe("bad_signature");
    expect(await reasonOf(verifier.verify(request({ url: "HTTPS://user:pass@hooks.test/s", signature: sig })))).toBe("bad_signature");
  });

  it("Twilio signed an apostrophe, the URL arrived with %27: accepted, and the other way round (issue 21)", async () => {
    const signedQuote = computeTwilioSignature(TOKEN, "https://example.com/path?test=param'WithQuote", PARAMS);
    await expect(verifier.verify(request({ url: "https://example.com/path?test=param%27WithQuote", signature: signedQuote }))).resolves.toBeUndefined();
    await expect(verifier.verify(request({ url: "https://example.com:443/path?test=param%27WithQuote", signature: signedQuote }))).resolves.toBeUndefined();
    const signedEscaped = computeTwilioSignature(TOKEN, "https://example.com/path?test=param%27WithQuote", PARAMS);
    await expect(verifier.verify(request({ url: "https://example.com/path?test=param'WithQuote", signature: signedEscaped }))).resolves.toBeUndefined();
    // Only the apostrophe has two spellings: another escape is not undone.
    const signedTilde = computeTwilioSignature(TOKEN, "https://example.com/path?test=a~b", PARAMS);
    expect(await reasonOf(verifier.verify(request({ url: "https://example.com/path?test=a%7Eb", signature: signedTilde })))).toBe("bad_signature");
  });

  it("garbage is rejected: a signature of the wrong length, over another URL, or random bytes", async () => {
    expect(await reasonOf(verifier.verify(request({ signature: `${SIGNATURE}AAAA` })))).toBe("malformed_signature");
    expect(await reasonOf(verifier.verify(request({ signature: Buffer.alloc(20, 7).toString("base64") })))).toBe("bad_signature");
    expect(await reasonOf(verifier.verify(request({ url: "https://mycompany.com/myapp.php?foo=1&bar=2#frag", signature: SIGNATURE })))).toBe("bad_signature");
  });

  it("GET webhooks sign the URL (with its query) and no body parameters", async () => {
    const url = "https://hooks.test/inbound?MessageSid=SM1&Body=hi";
    const sig = computeTwilioSignature(TOKEN, url);
    await expect(verifier.verify(request({ url, method: "GET", body: "", signature: sig }))).resolves.toBeUndefined();
  });

  it("a missing or malformed header fails before any HMAC", async () => {
    expect(await reasonOf(verifier.verify(request({ signature: undefined })))).toBe("missing_header");
    expect(await reasonOf(verifier.verify(request({ signature: "not base64!" })))).toBe("malformed_signature");
  });

  it("a parsed body is refused with the explanation", async () => {
    const parsed = { ...request({ signature: SIGNATURE }), rawBody: PARAMS as unknown as Buffer };
    expect(await reasonOf(verifier.verify(parsed))).toBe("body_parsed");
  });
});

describe("twilioSignatureVerifier (JSON bodies with bodySHA256)", () => {
  const json = (url = JSON_URL, body = JSON_BODY, signature = JSON_SIGNATURE) => request({ url, body, signature, contentType: "application/json" });

  it("accepts the known vector: HMAC over the URL alone, then the body hash", async () => {
    await expect(verifier.verify(json())).resolves.toBeUndefined();
  });

  it("rejects a body that does not match bodySHA256 although the URL signature holds", async () => {
    expect(await reasonOf(verifier.verify(json(JSON_URL, '{"property": "value", "boolean": false}')))).toBe("bad_body_hash");
  });

  it("rejects a changed bodySHA256 (the URL is signed)", async () => {
    const other = bodySha256('{"property": "evil"}');
    expect(await reasonOf(verifier.verify(json(`${URL_SIGNED}&bodySHA256=${other}`, '{"property": "evil"}')))).toBe("bad_signature");
  });

  it("the JSON variant tries the same URL candidates: port variants accepted, another host case rejected", async () => {
    const withPort = `https://mycompany.com:443/myapp.php?foo=1&bar=2&bodySHA256=${JSON_HASH}`;
    await expect(verifier.verify(json(withPort))).resolves.toBeUndefined();
    const upperHost = `https://MyCompany.com/myapp.php?foo=1&bar=2&bodySHA256=${JSON_HASH}`;
    expect(await reasonOf(verifier.verify(json(upperHost)))).toBe("bad_signature");
  });

  it("accepts an upper-case hex digest", async () => {
    const url = `${URL_SIGNED}&bodySHA256=${JSON_HASH.toUpperCase()}`;
    await expect(verifier.verify(json(url, JSON_BODY, computeTwilioSignature(TOKEN, url)))).resolves.toBeUndefined();
  });
});

describe("the webhook handler shares one form parse between verification and parsing (issue 14)", () => {
  it("a request object handled again after its body bytes changed in place is verified afresh, not from the earlier parse", async () => {
    const seen: string[] = [];
    const handler = createTwilioWebhookHandler({ authToken: TOKEN, dedupe: false, onStatus: (e) => void seen.push(`${e.messageSid}:${e.status}`) });
    const params = { MessageSid: `SM${"0".repeat(32)}`, MessageStatus: "sent", AccountSid: `AC${"1".repeat(32)}`, To: "+15558675310" };
    const body = Buffer.from(form(Object.entries(params)), "utf8");
    const req = request({ body, signature: computeTwilioSignature(TOKEN, URL_SIGNED, params) });
    expect((await handler.handle(req)).status).toBe(200);
    body.write("fail", body.indexOf("sent"), "utf8");
    expect(req.rawBody.toString("utf8")).toContain("MessageStatus=fail");
    expect((await handler.handle(req)).status).toBe(401);
    expect(seen).toEqual([`SM${"0".repeat(32)}:sent`]);
  });

  it("the event carries every parameter of the verified body", async () => {
    const events: Array<Record<string, string>> = [];
    const handler = createTwilioWebhookHandler({ authToken: TOKEN, onStatus: (e) => void events.push({ ...e.params }) });
    const params = { MessageSid: `SM${"2".repeat(32)}`, MessageStatus: "delivered", To: "+15558675310", From: "+15017250604" };
    const req = request({ body: form(Object.entries(params)), signature: computeTwilioSignature(TOKEN, URL_SIGNED, params) });
    expect((await handler.handle(req)).status).toBe(200);
    expect(events).toEqual([params]);
  });
});

import {
  countSegments,
  createKeywordMatcher,
  escapeXml,
  matchKeyword,
  normalizeKeyword,
  normalizePhoneNumber,
  normalizeRecipient,
  normalizeSender,
  twimlResponse,
} from "@connect/twilio";
import { describe, expect, it } from "vitest";

describe("countSegments", () => {
  it("GSM-7: 160 septets in one segment, 161 in two of 153", () => {
    expect(countSegments("a".repeat(160))).toEqual({ encoding: "GSM-7", characters: 160, units: 160, segments: 1, perSegment: 160, nonGsmCharacters: [] });
    expect(countSegments("a".repeat(161))).toMatchObject({ segments: 2, perSegment: 153 });
    expect(countSegments("a".repeat(306))).toMatchObject({ segments: 2 });
    expect(countSegments("a".repeat(307))).toMatchObject({ segments: 3 });
  });

  it("extension characters count two septets and are never split across segments", () => {
    expect(countSegments("€".repeat(80))).toMatchObject({ encoding: "GSM-7", characters: 80, units: 160, segments: 1 });
    // 152 plain septets then "€": 154 septets; the € cannot straddle the 153 boundary.
    expect(countSegments(`${"a".repeat(152)}€${"a".repeat(152)}`)).toMatchObject({ units: 306, segments: 3 });
    expect(countSegments(`${"a".repeat(151)}€${"a".repeat(153)}`)).toMatchObject({ units: 306, segments: 2 });
  });

  it("UCS-2: 70 units in one segment, then 67; an emoji is two units and stays whole", () => {
    expect(countSegments("é".repeat(70))).toMatchObject({ encoding: "GSM-7" });
    expect(countSegments("ą".repeat(70))).toMatchObject({ encoding: "UCS-2", units: 70, segments: 1, perSegment: 70, nonGsmCharacters: ["ą"] });
    expect(countSegments("ą".repeat(71))).toMatchObject({ segments: 2, perSegment: 67 });
    expect(countSegments(`${"ą".repeat(66)}👍${"ą".repeat(66)}`)).toMatchObject({ units: 134, segments: 3 });
    expect(countSegments("“quoted”").nonGsmCharacters).toEqual(["“", "”"]);
  });

  it("an empty body is zero segments", () => {
    expect(countSegments("")).toEqual({ encoding: "GSM-7", characters: 0, units: 0, segments: 0, perSegment: 160, nonGsmCharacters: [] });
  });
});

describe("phone numbers", () => {
  it("normalises to E.164, reading numbers without + in the default country", () => {
    expect(normalizePhoneNumber("(415) 555-0100")).toEqual({ ok: true, e164: "+14155550100" });
    expect(normalizePhoneNumber("07400 123456", "GB")).toEqual({ ok: true, e164: "+447400123456" });
    expect(normalizePhoneNumber("+44 7400 123456", "US")).toEqual({ ok: true, e164: "+447400123456" });
  });

  it("refuses empty, lettered and invalid numbers with a reason", () => {
    expect(normalizePhoneNumber(" ")).toEqual({ ok: false, reason: "is empty" });
    expect(normalizePhoneNumber("1-800-FLOWERS")).toEqual({ ok: false, reason: '"1-800-FLOWERS" contains letters' });
    expect(normalizePhoneNumber("5551234")).toEqual({ ok: false, reason: '"5551234" is not a valid phone number (+15551234)' });
  });

  it("recipients may carry the whatsapp: prefix; senders may be short codes or alphanumeric IDs", () => {
    expect(normalizeRecipient("WhatsApp:415 555 0100")).toEqual({ ok: true, e164: "whatsapp:+14155550100" });
    expect(normalizeRecipient("sms:+14155550100").ok).toBe(false);
    expect(normalizeSender("54321")).toEqual({ ok: true, e164: "54321" });
    expect(normalizeSender("Acme Loans")).toEqual({ ok: true, e164: "Acme Loans" });
    expect(normalizeSender("Acme Lending Co").ok).toBe(false);
    expect(normalizeSender("415-555-2345")).toEqual({ ok: true, e164: "+14155552345" });
  });
});

describe("keywords", () => {
  it("normalises case, surrounding and inner whitespace, and trailing . or !", () => {
    expect(normalizeKeyword("  stop \n")).toBe("STOP");
    expect(normalizeKeyword("Yes   please!!")).toBe("YES PLEASE");
    expect(normalizeKeyword("ｓｔｏｐ")).toBe("STOP");
  });

  it("knows Twilio's opt-out, opt-in and help words", () => {
    expect(["STOP", "stopall", "Unsubscribe", "cancel", "END", "quit", "revoke", "optout"].map((w) => matchKeyword(w)?.type)).toEqual(Array(8).fill("opt-out"));
    expect(["start", "YES", "unstop"].map((w) => matchKeyword(w))).toEqual([
      { type: "opt-in", keyword: "START", matched: "START" },
      { type: "opt-in", keyword: "START", matched: "YES" },
      { type: "opt-in", keyword: "START", matched: "UNSTOP" },
    ]);
    expect(matchKeyword("info")).toEqual({ type: "help", keyword: "HELP", matched: "INFO" });
    expect(matchKeyword("stop texting me")).toBeUndefined();
  });

  it("matches custom keywords and their spellings; refuses spellings Twilio acts on itself", () => {
    const keywords = createKeywordMatcher({ confirm: ["Confirmed", "c"], "reschedule please": "RS" });
    expect(keywords.match(" c ")).toEqual({ type: "custom", keyword: "CONFIRM", matched: "C" });
    expect(keywords.match("Reschedule  please")).toEqual({ type: "custom", keyword: "RESCHEDULE PLEASE", matched: "RESCHEDULE PLEASE" });
    expect(keywords.match("")).toBeUndefined();
    expect(() => createKeywordMatcher({ CONFIRM: ["YES"] })).toThrow('"YES" is a Twilio opt-in keyword');
    expect(() => createKeywordMatcher({ A: ["X"], B: ["x"] })).toThrow('"X" is used by both A and B');
  });
});

describe("TwiML", () => {
  it("escapes text and attributes and drops characters XML cannot carry", () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0007`)).toBe("&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
    expect(twimlResponse({ body: "Hi & bye", to: "+14155550100", action: "https://h.test/s?a=1&b=2", method: "POST" })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message to="+14155550100" action="https://h.test/s?a=1&amp;b=2" method="POST">Hi &amp; bye</Message></Response>',
    );
  });

  it("several messages, media, and the empty response", () => {
    expect(twimlResponse(["one", { media: ["https://f.test/a.png"] }])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>one</Message><Message><Media>https://f.test/a.png</Media></Message></Response>',
    );
    expect(twimlResponse()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(twimlResponse([])).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(() => twimlResponse({ media: Array(11).fill("https://f.test/a.png") })).toThrow("at most 10 media URLs");
  });

  it("keeps emoji (surrogate pairs) and removes lone surrogates", () => {
    expect(twimlResponse("ok 👍 \uD800")).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Message>ok 👍 </Message></Response>');
  });
});

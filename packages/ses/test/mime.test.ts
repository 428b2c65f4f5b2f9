import { describe, expect, it } from "vitest";
import { encodeWords, formatAddress, parseAddress } from "../src/address.js";
import { base64LinesLength, base64Lines, buildMime } from "../src/mime.js";
import { decodeEncodedWords, parseMime } from "../src/testing/index.js";

const from = { email: "noreply@acme.test", name: "Acme" };
const date = new Date("2026-03-02T10:00:00Z");

describe("addresses", () => {
  it("parses the three forms, lower-cases and Punycodes the domain, keeps the local part", () => {
    expect(parseAddress("Ana@Example.COM")).toEqual({ email: "Ana@example.com", name: undefined });
    expect(parseAddress('"Li, Bo" <bo@example.com>')).toEqual({ email: "bo@example.com", name: "Li, Bo" });
    expect(parseAddress({ email: "x@bücher.example", name: "X" })).toEqual({ email: "x@xn--bcher-kva.example", name: "X" });
    expect(parseAddress("bad@-example.com")).toHaveProperty("error");
    expect(parseAddress("two@@example.com")).toHaveProperty("error");
    expect(parseAddress({ email: "a@example.com", name: "A\r\nBcc: x@y.z" })).toHaveProperty("error");
  });
  it("formats names: plain, quoted when they have specials, encoded-words when not ASCII", () => {
    expect(formatAddress({ email: "a@example.com", name: "Ana Lima" })).toBe("Ana Lima <a@example.com>");
    expect(formatAddress({ email: "a@example.com", name: 'Lima, "Ana"' })).toBe('"Lima, \\"Ana\\"" <a@example.com>');
    expect(formatAddress({ email: "a@example.com", name: "Zoë" })).toBe(`=?UTF-8?B?${Buffer.from("Zoë").toString("base64")}?= <a@example.com>`);
  });
  it("splits encoded-words at ≤ 75 characters without cutting a character in two", () => {
    const text = "Ç".repeat(30) + "😀".repeat(20);
    const words = encodeWords(text);
    expect(words.length).toBeGreaterThan(1);
    for (const w of words) expect(w.length).toBeLessThanOrEqual(75);
    expect(decodeEncodedWords(words.join(" "))).toBe(text);
  });
});

describe("buildMime", () => {
  it("a single ASCII text part is 7bit with CRLF line ends and the mandatory headers", () => {
    const mime = buildMime({ from, to: [{ email: "a@example.com", name: undefined }], cc: [], replyTo: [], subject: "Hello", text: "line 1\nline 2", attachments: [], date }).toString();
    expect(mime).toBe(
      [
        "From: Acme <noreply@acme.test>",
        "To: a@example.com",
        "Subject: Hello",
        "Date: Mon, 02 Mar 2026 10:00:00 +0000",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 7bit",
        "",
        "line 1",
        "line 2",
        "",
      ].join("\r\n"),
    );
  });

  it("text and html become multipart/alternative; a line over 998 characters forces base64", () => {
    const long = "x".repeat(1200);
    const raw = buildMime({ from, to: [], cc: [], replyTo: [], subject: "s", text: long, html: "<p>hi</p>", attachments: [], date, boundary: () => "BOUNDARY1" });
    const parsed = parseMime(raw);
    expect(parsed.structure).toEqual(["multipart/alternative"]);
    expect(parsed.parts.map((p) => [p.contentType, p.transferEncoding])).toEqual([
      ["text/plain", "base64"],
      ["text/html", "7bit"],
    ]);
    expect(parsed.text).toBe(long);
    for (const line of raw.toString().split("\r\n")) expect(line.length).toBeLessThanOrEqual(998);
  });

  it("draws a new boundary when the content contains the first one", () => {
    const boundaries = ["COLLIDE", "FRESH"];
    const raw = buildMime({ from, to: [], cc: [], replyTo: [], subject: "s", text: "a --COLLIDE b", html: "<p/>", attachments: [], date, boundary: () => boundaries.shift()! }).toString();
    expect(raw).toContain('boundary="FRESH"');
    expect(parseMime(raw).text).toBe("a --COLLIDE b");
  });

  it("a non-ASCII file name is an RFC 2231 parameter; the bytes survive base64 round-trip", () => {
    const bytes = new Uint8Array(Array.from({ length: 1000 }, (_, i) => (i * 7) % 256));
    const raw = buildMime({ from, to: [], cc: [], replyTo: [], subject: "s", text: "t", attachments: [{ filename: "plan_été.pdf", content: bytes, contentType: "application/pdf" }], date }).toString();
    expect(raw).toContain("filename*=UTF-8''plan_%C3%A9t%C3%A9.pdf");
    const [file] = parseMime(raw).attachments;
    expect(file!.filename).toBe("plan_été.pdf");
    expect(Buffer.compare(file!.content, Buffer.from(bytes))).toBe(0);
  });

  it("base64 helpers: 76-character lines and their exact length", () => {
    for (const n of [0, 1, 56, 57, 58, 1000]) {
      const text = base64Lines(new Uint8Array(n));
      expect(text.length).toBe(base64LinesLength(n));
      expect(Math.max(0, ...text.split("\r\n").map((l) => l.length))).toBeLessThanOrEqual(76);
    }
  });
});

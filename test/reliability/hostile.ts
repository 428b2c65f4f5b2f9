/**
 * Hostile inputs for the property-based suite: JSON text with literal prototype-pollution keys,
 * vendor-shaped payloads with every field of the wrong type, deep nesting, invalid UTF-8, XML
 * with DTDs (entity expansion, external entities), form bodies with hostile names, and header
 * values carrying CR/LF.
 */
import fc from "fast-check";
import type { WebhookReceiver, WebhookRequest, WebhookResponse } from "@connect/core";

/** Keys that pollute or shadow prototypes when code assigns them blindly. */
export const HOSTILE_KEYS = ["__proto__", "constructor", "prototype", "hasOwnProperty", "toString", "valueOf", "isPrototypeOf", "__defineGetter__", "toJSON", "then"] as const;

/** A key: hostile most of the time, otherwise any short string. */
export const hostileKey = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HOSTILE_KEYS) }, { weight: 2, arbitrary: fc.string({ maxLength: 12 }) });

/** A scalar as JSON text. */
const scalarText = fc.oneof(
  fc.constant("null"),
  fc.boolean().map(String),
  fc.integer().map(String),
  fc.constantFrom("1e308", "-0", "1e-400", "123456789012345678901234567890"),
  fc.string({ maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc.constantFrom('"\\u0000"', '"\\ud800"', '"\\u202e"', '"<script>"', '"\\r\\nX-Injected: 1"', JSON.stringify("x".repeat(5_000))),
);

/** Any JSON value as text, objects written with literal (possibly hostile, possibly repeated) keys. */
export const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalarText, tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 5 }).map((items) => `[${items.join(",")}]`),
  object: fc.array(fc.tuple(hostileKey, tie("value")), { maxLength: 6 }).map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`),
})).value;

/**
 * A JSON object as text with the given fields (each a JSON-text arbitrary) in random order,
 * some left out, plus hostile extra keys.
 */
export function shapedObject(fields: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  const names = Object.keys(fields);
  return fc
    .tuple(
      fc.tuple(...names.map((name) => fc.option(fields[name]!, { nil: undefined, freq: 4 }))),
      fc.array(fc.tuple(hostileKey, jsonText), { maxLength: 3 }),
      fc.boolean(),
    )
    .map(([values, extra, extraFirst]) => {
      const own = names.flatMap((name, i) => (values[i] === undefined ? [] : [[name, values[i]!] as const]));
      const entries = extraFirst ? [...extra, ...own] : [...own, ...extra];
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`;
    });
}

/** A plausible string value as JSON text, or anything else. */
export function stringOr(...plausible: string[]): fc.Arbitrary<string> {
  return fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...plausible).map((s) => JSON.stringify(s)) }, { weight: 1, arbitrary: jsonText });
}

/** Deeply nested JSON: arrays or objects, up to 100 000 levels. */
export const deepJson = fc.tuple(fc.integer({ min: 500, max: 100_000 }), fc.boolean()).map(([depth, arrays]) => (arrays ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`));

/** Bytes that are not valid UTF-8 (lone continuation bytes, overlongs, surrogates, truncated sequences). */
export const invalidUtf8 = fc
  .tuple(fc.uint8Array({ maxLength: 64 }), fc.constantFrom([0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xff, 0xfe], [0xf8, 0x88, 0x80, 0x80, 0x80]), fc.uint8Array({ maxLength: 64 }))
  .map(([a, bad, b]) => Buffer.concat([Buffer.from(a), Buffer.from(bad), Buffer.from(b)]));

/** Any bytes. */
export const randomBytes = fc.uint8Array({ maxLength: 2_048 }).map((b) => Buffer.from(b));

/** XML with DTDs: entity expansion (billion laughs, quadratic blowup), external and parameter entities. */
export const xmlAttack = fc.constantFrom(
  `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]><DocuSignEnvelopeInformation><EnvelopeStatus><EnvelopeID>&lol9;</EnvelopeID></EnvelopeStatus></DocuSignEnvelopeInformation>`,
  `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><DocuSignEnvelopeInformation><EnvelopeStatus><EnvelopeID>&xxe;</EnvelopeID><Status>Completed</Status></EnvelopeStatus></DocuSignEnvelopeInformation>`,
  `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % ext SYSTEM "http://127.0.0.1:1/evil.dtd"> %ext;]><DocuSignEnvelopeInformation/>`,
  `<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:1/evil.dtd"><DocuSignEnvelopeInformation/>`,
  `<!DOCTYPE a [<!ENTITY a "${"x".repeat(50_000)}">]><DocuSignEnvelopeInformation><EnvelopeStatus><EnvelopeID>${"&a;".repeat(5_000)}</EnvelopeID></EnvelopeStatus></DocuSignEnvelopeInformation>`,
  `<?xml version="1.0"?>\n<!doctype x [<!entity y "z">]><DocuSignEnvelopeInformation/>`,
);

/** XML-ish text: hostile element and attribute names, entities, CDATA, deep nesting. */
export const xmlText: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    fc.string({ maxLength: 20 }).map((s) => s.replace(/[<&]/g, "")),
    fc.constantFrom("&amp;", "&#0;", "&#x110000;", "&#xD800;", "&unknown;", "<![CDATA[<x>]]>", "&lt;&gt;"),
    fc.tuple(hostileKey.map((k) => k.replace(/[^A-Za-z_]/g, "") || "x"), fc.array(tie("node"), { maxLength: 4 }), fc.array(fc.tuple(fc.constantFrom("__proto__", "constructor", "id", "xmlns"), fc.string({ maxLength: 8 })), { maxLength: 2 })).map(
      ([name, children, attrs]) => `<${name}${attrs.map(([a, v]) => ` ${a}="${v.replace(/["<&]/g, "")}"`).join("")}>${children.join("")}</${name}>`,
    ),
  ),
})).node;

/** Deeply nested XML. */
export const deepXml = fc.integer({ min: 500, max: 50_000 }).map((depth) => `<DocuSignEnvelopeInformation>${"<a>".repeat(depth)}${"</a>".repeat(depth)}</DocuSignEnvelopeInformation>`);

/** A header value with CR/LF and other injection attempts. */
export const injectedHeader = fc.constantFrom("abc\r\nX-Injected: 1", "\r\n\r\nHTTP/1.1 200 OK", "v1=00\nSet-Cookie: a=b", "\u0000", " , , ", "a".repeat(10_000), "sha256=💥");

/** A `WebhookRequest`. */
export function request(url: string, rawBody: Buffer | string, headers: Record<string, string> = {}): WebhookRequest {
  return { method: "POST", url, headers, rawBody: typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody };
}

/** Resolve within `ms` or fail: a hang is a defect. */
export async function within<T>(promise: Promise<T>, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not answer within ${ms} ms (a hang)`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Handle a request and check the answer is a well-formed HTTP answer with one of `statuses`. */
export async function answer(receiver: Pick<WebhookReceiver, "handle">, req: WebhookRequest, statuses: readonly number[]): Promise<WebhookResponse> {
  const res = await within(receiver.handle(req));
  if (!statuses.includes(res.status)) throw new Error(`answered ${res.status} (${res.body.slice(0, 300)}), expected one of ${statuses.join(", ")}`);
  for (const [name, value] of Object.entries(res.headers)) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new Error(`response header ${JSON.stringify(name)} carries CR/LF: ${JSON.stringify(value)}`);
  }
  if (typeof res.body !== "string") throw new Error("response body is not a string");
  return res;
}

/** The names on the built-in prototypes now (to prove nothing was added). */
export function prototypeSnapshot(): string {
  return JSON.stringify([Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) => Object.getOwnPropertyNames(p).sort()));
}

/** Throw when a plain object no longer looks plain (the global prototype was polluted). */
export function assertNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  for (const key of ["polluted", "isAdmin", "x", "a", "0"]) {
    if (key in probe) throw new Error(`Object.prototype was polluted with ${key}`);
  }
  if (Object.getPrototypeOf(probe) !== Object.prototype || typeof probe.hasOwnProperty !== "function" || typeof probe.toString !== "function") {
    throw new Error("Object.prototype methods were replaced");
  }
}

/** A typed error (IntegrationError) or a result: anything else is a crash. */
export function isTyped(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[Symbol.for("@connect/core.IntegrationError")] === true;
}

/** Check a parsed value for functions or a replaced prototype on its plain objects (a shadowed method). */
export function assertPlainData(value: unknown, path = "(root)", depth = 0): void {
  if (depth > 40 || value === null || typeof value !== "object") {
    if (typeof value === "function") throw new Error(`${path} is a function (an inherited method leaked into parsed data)`);
    return;
  }
  if (Buffer.isBuffer(value) || value instanceof Date || value instanceof Uint8Array) return;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) throw new Error(`${path} has a replaced prototype`);
  for (const [key, inner] of Object.entries(value)) assertPlainData(inner, `${path}.${key}`, depth + 1);
}

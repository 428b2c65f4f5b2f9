import { ValidationError } from "@connect/core";
import { FAST_TEST_POLICY, NOT_IMPLEMENTED_HEADER, serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { createMailgunClient } from "@connect/mailgun";
import { createMailgunFake, mailgunHandlers, type MailgunFake } from "@connect/mailgun/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

let fake: MailgunFake;
let server: ServedHandlers;
let auth: string;
beforeEach(async () => {
  fake = createMailgunFake({ domains: ["mg.acme.test", "mg.eu.acme.test"], templates: [{ name: "welcome", headers: { From: "hi@mg.acme.test", Subject: "Welcome" } }] });
  server = await serveHandlers(fake.handlers);
  auth = `Basic ${Buffer.from(`api:${fake.apiKey}`).toString("base64")}`;
});
afterEach(async () => {
  await server.close();
});

function form(fields: Array<[string, string]>): FormData {
  const body = new FormData();
  for (const [name, value] of fields) body.append(name, value);
  return body;
}

const post = (path: string, body: FormData, headers: Record<string, string> = { authorization: auth }) => fetch(`${server.url}${path}`, { method: "POST", headers, body });

describe("the fake's API surface", () => {
  it("without Basic api:<key> every endpoint answers 401 with the plain text Forbidden", async () => {
    const missing = await fetch(`${server.url}/v3/mg.acme.test/bounces`);
    expect([missing.status, missing.headers.get("content-type"), await missing.text()]).toEqual([401, "text/plain; charset=utf-8", "Forbidden"]);
    const wrongUser = await fetch(`${server.url}/v3/mg.acme.test/bounces`, { headers: { authorization: `Basic ${Buffer.from(`user:${fake.apiKey}`).toString("base64")}` } });
    expect(wrongUser.status).toBe(401);
  });

  it("an endpoint it does not implement answers core's 501, not a Mailgun 404", async () => {
    for (const [method, path] of [
      ["GET", "/v3/domains/mg.acme.test"],
      ["GET", "/v3/mg.acme.test/stats/total"],
      ["POST", "/v3/mg.acme.test/messages.mime"],
      ["GET", "/v5/accounts/http_signing_key"],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method, headers: { authorization: auth } });
      expect(response.status).toBe(501);
      expect(response.headers.get(NOT_IMPLEMENTED_HEADER)).toBe("@connect/mailgun/testing");
      expect(((await response.json()) as { message: string }).message).toBe(`not implemented by @connect/mailgun/testing fake: ${method} ${path}`);
    }
  });

  it("an Events API filter it does not evaluate answers 501 naming it", async () => {
    const response = await fetch(`${server.url}/v3/mg.acme.test/events?subject=Draw`, { headers: { authorization: auth } });
    expect(response.status).toBe(501);
    expect(((await response.json()) as { message: string }).message).toContain("(event filters subject)");
  });

  it("an unknown domain is Mailgun's 404 body", async () => {
    const response = await post("/v3/mg.nope.test/messages", form([["from", "a@b.test"]]));
    expect([response.status, await response.json()]).toEqual([404, { message: "Domain not found: mg.nope.test" }]);
  });
});

describe("the fake's send rules (what the official SDK or a raw client could send)", () => {
  const ok: Array<[string, string]> = [["from", "Acme <noreply@mg.acme.test>"], ["to", "ana@example.com"], ["subject", "s"], ["text", "t"]];
  const refusal = async (fields: Array<[string, string]>) => {
    const response = await post("/v3/mg.acme.test/messages", form(fields));
    expect(response.status).toBe(400);
    return ((await response.json()) as { message: string }).message;
  };

  it("accepts comma-separated and repeated recipients, ignoring duplicates", async () => {
    const response = await post("/v3/mg.acme.test/messages", form([...ok.filter(([n]) => n !== "to"), ["to", 'ana@example.com, "Bo, B" <bo@example.com>'], ["to", "ana@example.com"], ["cc", "cy@example.com"]]));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { id: string; message: string };
    expect(body.message).toBe("Queued. Thank you.");
    expect(body.id).toMatch(/^<\d{14}\.[A-Za-z0-9_-]+@mg\.acme\.test>$/);
    expect(fake.messages[0]!.recipients).toEqual(["ana@example.com", "bo@example.com", "cy@example.com"]);
    expect(fake.domain("mg.acme.test").events.filter((e) => e.event === "accepted")).toHaveLength(3);
  });

  it("refuses with Mailgun's texts", async () => {
    expect(await refusal(ok.filter(([n]) => n !== "from"))).toBe("from parameter is missing");
    expect(await refusal(ok.filter(([n]) => n !== "to"))).toBe("to parameter is missing");
    expect(await refusal([...ok, ["to", "nope"]])).toBe("to parameter is not a valid address. please check documentation");
    expect(await refusal(ok.filter(([n]) => n !== "text"))).toBe("Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified");
    expect(await refusal([...ok, ["recipient-variables", "{not json"]])).toBe("'recipient-variables' parameter is not a valid JSON");
    expect(await refusal([...ok, ...Array.from({ length: 1000 }, (_, i) => ["bcc", `r${i}@example.com`] as [string, string])])).toBe("Too many recipients, max is 1000");
    expect(fake.messages).toHaveLength(0);
  });

  it("a template's headers stand in for from and subject", async () => {
    const response = await post("/v3/mg.acme.test/messages", form([["to", "ana@example.com"], ["template", "welcome"]]));
    expect(response.status).toBe(200);
  });

  it("keeps domains apart", async () => {
    await post("/v3/mg.eu.acme.test/messages", form(ok));
    expect(fake.domain("mg.eu.acme.test").messages).toHaveLength(1);
    expect(fake.domain().messages).toHaveLength(0);
  });

  it("templates can be stored, read and deleted over the API", async () => {
    const stored = await post("/v3/mg.acme.test/templates", form([["name", "statement"], ["description", "Monthly"], ["template", "<p>{{name}}</p>"]]));
    expect(((await stored.json()) as { message: string }).message).toBe("template has been stored");
    const read = await fetch(`${server.url}/v3/mg.acme.test/templates/statement`, { headers: { authorization: auth } });
    expect(((await read.json()) as { template: { name: string; description: string } }).template).toMatchObject({ name: "statement", description: "Monthly" });
    const deleted = await fetch(`${server.url}/v3/mg.acme.test/templates/statement`, { method: "DELETE", headers: { authorization: auth } });
    expect(deleted.status).toBe(200);
    const gone = await fetch(`${server.url}/v3/mg.acme.test/templates/statement`, { headers: { authorization: auth } });
    expect([gone.status, await gone.json()]).toEqual([404, { message: "template not found" }]);
  });

  it("a suppression added as a single form record (as mailgun.js posts one unsubscribe) is stored", async () => {
    const response = await post("/v3/mg.acme.test/unsubscribes", form([["address", "ana@example.com"], ["tag", "newsletter"]]));
    expect(await response.json()).toEqual({ message: "Address has been added to the unsubscribes table", address: "ana@example.com" });
    expect(fake.domain().unsubscribes).toEqual([{ address: "ana@example.com", tags: ["newsletter"], created_at: expect.any(String) }]);
  });

  it("a JSON batch of 1000 or more is refused", async () => {
    const response = await fetch(`${server.url}/v3/mg.acme.test/bounces`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify(Array.from({ length: 1000 }, (_, i) => ({ address: `r${i}@example.com` }))),
    });
    expect([response.status, await response.json()]).toEqual([400, { message: "Batch size should be less than 1000" }]);
  });

  it("failNext scripts one answer and then steps aside; reset forgets state", async () => {
    fake.failNext({ status: 503, path: "/v3/mg.acme.test/messages" });
    expect((await post("/v3/mg.acme.test/messages", form(ok))).status).toBe(503);
    expect((await post("/v3/mg.acme.test/messages", form(ok))).status).toBe(200);
    fake.reset();
    expect(fake.messages).toEqual([]);
    expect(fake.domain().events).toEqual([]);
    expect(fake.domain().templates.has("welcome")).toBe(true);
  });

  it("a send over the request size cap is Mailgun's 413, with or without a content-length", async () => {
    const small = createMailgunFake({ maxRequestBytes: 1000 });
    const served = await serveHandlers(small.handlers);
    const body = form(ok);
    body.append("attachment", new Blob([new Uint8Array(2000)]), "big.bin");
    const response = await fetch(`${served.url}/v3/mg.acme.test/messages`, { method: "POST", headers: { authorization: `Basic ${Buffer.from(`api:${small.apiKey}`).toString("base64")}` }, body });
    expect([response.status, await response.json()]).toEqual([413, { message: "request size exceeds 52.4MiB limit" }]);

    // The SDK's transport streams the multipart body (chunked): the fake measures what arrived.
    const client = createMailgunClient({ apiKey: small.apiKey, domain: small.domainName, region: "us", baseUrl: served.url, policy: FAST_TEST_POLICY });
    const error = await client.messages.send({ from: "noreply@mg.acme.test", to: "ana@example.com", subject: "s", text: "t", attachments: [{ filename: "big.bin", content: new Uint8Array(2000) }] }).catch((e: unknown) => e);
    await client.close();
    await served.close();
    expect(served.requests[1]!.headers["content-length"]).toBeUndefined();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 413, vendorCode: "PAYLOAD_TOO_LARGE" });
    expect(small.messages).toEqual([]);
  });

  it("mailgunHandlers() serves a fresh fake", async () => {
    const other = await serveHandlers(mailgunHandlers({ apiKey: "key-x" }));
    const response = await fetch(`${other.url}/v3/mg.acme.test/bounces`, { headers: { authorization: `Basic ${Buffer.from("api:key-x").toString("base64")}` } });
    await other.close();
    expect(((await response.json()) as { items: unknown[] }).items).toEqual([]);
  });
});

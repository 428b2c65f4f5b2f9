// The fake on its own, through raw HTTP: it refuses what DocuSign refuses, with DocuSign's bodies.
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { createJwtAssertion } from "@connect/docusign";
import { createDocuSignFake, createTestPdf, type DocuSignFake } from "@connect/docusign/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPrivateKey } from "node:crypto";

let fake: DocuSignFake;
let server: ServedHandlers;
beforeEach(async () => {
  fake = createDocuSignFake();
  server = await serveHandlers(fake.handlers);
});
afterEach(async () => {
  await server.close();
});

async function token(): Promise<string> {
  const assertion = createJwtAssertion({ integrationKey: fake.integrationKey, userId: fake.userId, oauthHost: fake.oauthHost, privateKey: createPrivateKey(fake.privateKeyPem), nowMs: Date.now() });
  const response = await fetch(`${server.url}/oauth/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }) });
  return ((await response.json()) as { access_token: string }).access_token;
}

const rest = (path: string) => `${server.url}/restapi/v2.1/accounts/${fake.accountId}${path}`;

function definition(overrides: Record<string, unknown> = {}) {
  return {
    emailSubject: "Sign",
    status: "sent",
    documents: [{ documentId: "1", name: "a.pdf", documentBase64: createTestPdf(["a"]).toString("base64") }],
    recipients: { signers: [{ recipientId: "1", routingOrder: "1", name: "Ann", email: "ann@example.com" }] },
    ...overrides,
  };
}

describe("OAuth host", () => {
  it("issues an hour-long bearer token for a good assertion", async () => {
    const assertion = createJwtAssertion({ integrationKey: fake.integrationKey, userId: fake.userId, oauthHost: fake.oauthHost, privateKey: createPrivateKey(fake.privateKeyPem), nowMs: Date.now() });
    const response = await fetch(`${server.url}/oauth/token`, { method: "POST", body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ access_token: expect.any(String), token_type: "Bearer", expires_in: 3600 });
  });

  it.each([
    ["an expired assertion", { nowMs: Date.now() - 2 * 3600_000 }, { error: "invalid_grant", error_description: "expired" }],
    ["another user", { userId: "00000000-0000-4000-8000-000000000000" }, { error: "invalid_grant", error_description: "user_not_found" }],
    ["the production audience", { oauthHost: "account.docusign.com" }, { error: "invalid_grant", error_description: "issuer_not_found" }],
    ["another key", { privateKey: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey }, { error: "invalid_grant", error_description: "no_valid_keys_or_signatures" }],
    ["no impersonation scope", { scopes: ["signature"] }, { error: "consent_required" }],
  ])("refuses %s", async (_name, overrides, body) => {
    const assertion = createJwtAssertion({ integrationKey: fake.integrationKey, userId: fake.userId, oauthHost: fake.oauthHost, privateKey: createPrivateKey(fake.privateKeyPem), nowMs: Date.now(), ...overrides });
    const response = await fetch(`${server.url}/oauth/token`, { method: "POST", body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(body);
    expect(fake.tokensIssued).toBe(0);
  });

  it("keeps the public key matching the private key it hands out", () => {
    expect(createPublicKey(createPrivateKey(fake.privateKeyPem)).export({ type: "spki", format: "pem" })).toBe(fake.publicKeyPem);
  });
});

describe("REST refusals", () => {
  it("no or a revoked token: 401 AUTHORIZATION_INVALID_TOKEN", async () => {
    const t = await token();
    fake.revokeTokens();
    const response = await fetch(rest("/envelopes?from_date=2020-01-01"), { headers: { authorization: `Bearer ${t}` } });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { errorCode: string }).errorCode).toBe("AUTHORIZATION_INVALID_TOKEN");
  });

  it("another account: 400 USER_DOES_NOT_BELONG_TO_SPECIFIED_ACCOUNT", async () => {
    const response = await fetch(`${server.url}/restapi/v2.1/accounts/other/envelopes?from_date=2020-01-01`, { headers: { authorization: `Bearer ${await token()}` } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errorCode: string }).errorCode).toBe("USER_DOES_NOT_BELONG_TO_SPECIFIED_ACCOUNT");
  });

  it.each([
    ["a bad signer email", definition({ recipients: { signers: [{ recipientId: "7", routingOrder: "1", name: "Ann", email: "ann-at-example" }] } }), "INVALID_EMAIL_ADDRESS_FOR_RECIPIENT", "The email address for the recipient is invalid. Recipient Id: 7"],
    ["a sent envelope without documents", definition({ documents: [] }), "ENVELOPE_IS_INCOMPLETE", undefined],
    ["an http eventNotification", definition({ eventNotification: { url: "http://example.com/hook" } }), "INVALID_REQUEST_PARAMETER", undefined],
    ["a document that is not base64", definition({ documents: [{ documentId: "1", name: "a.pdf", documentBase64: "not base64!" }] }), "INVALID_REQUEST_BODY", undefined],
  ])("create with %s is refused (400 %s)", async (_name, body, errorCode, message) => {
    const response = await fetch(rest("/envelopes"), { method: "POST", headers: { authorization: `Bearer ${await token()}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(response.status).toBe(400);
    const json = (await response.json()) as { errorCode: string; message: string };
    expect(json.errorCode).toBe(errorCode);
    if (message) expect(json.message).toBe(message);
    expect(fake.envelopes).toHaveLength(0);
  });

  it("every REST response carries the rate headers; an exhausted quota answers 400 HOURLY_APIINVOCATION_LIMIT_EXCEEDED", async () => {
    const t = await token();
    fake.setRateLimit({ remaining: 1, resetAt: 1_900_000_000 });
    const first = await fetch(rest("/envelopes?from_date=2020-01-01"), { headers: { authorization: `Bearer ${t}` } });
    expect([first.headers.get("x-ratelimit-limit"), first.headers.get("x-ratelimit-remaining"), first.headers.get("x-ratelimit-reset")]).toEqual(["3000", "0", "1900000000"]);
    expect(first.headers.get("x-docusign-tracetoken")).toMatch(/^[0-9a-f-]{36}$/);
    const second = await fetch(rest("/envelopes?from_date=2020-01-01"), { headers: { authorization: `Bearer ${t}` } });
    expect(second.status).toBe(400);
    expect(((await second.json()) as { errorCode: string }).errorCode).toBe("HOURLY_APIINVOCATION_LIMIT_EXCEEDED");
  });

  it("scripted failures answer once and reset", async () => {
    const t = await token();
    fake.failNext({ status: 503, path: "/envelopes" });
    const failed = await fetch(rest("/envelopes?from_date=2020-01-01"), { headers: { authorization: `Bearer ${t}` } });
    const next = await fetch(rest("/envelopes?from_date=2020-01-01"), { headers: { authorization: `Bearer ${t}` } });
    expect([failed.status, next.status]).toEqual([503, 200]);
    expect(await failed.json()).toEqual({ errorCode: "UNSPECIFIED_ERROR", message: "scripted 503" });
    fake.failNext({ status: 503 });
    fake.reset();
    const afterReset = await fetch(`${server.url}/oauth/token`, { method: "POST", body: "grant_type=x" });
    expect(afterReset.status).toBe(400);
    expect(fake.envelopes).toHaveLength(0);
  });
});

describe("lifecycle", () => {
  it("signs in routing order, refuses signing out of turn, voids only sent or delivered envelopes", async () => {
    const t = await token();
    const body = definition({
      recipients: {
        signers: [
          { recipientId: "1", routingOrder: "1", name: "Ann", email: "ann@example.com" },
          { recipientId: "2", routingOrder: "2", name: "Bo", email: "bo@example.com" },
        ],
      },
    });
    const created = (await (await fetch(rest("/envelopes"), { method: "POST", headers: { authorization: `Bearer ${t}`, "content-type": "application/json" }, body: JSON.stringify(body) })).json()) as { envelopeId: string };
    await expect(fake.sign(created.envelopeId, "bo@example.com")).rejects.toThrow("cannot sign yet");
    await fake.completeAll(created.envelopeId);
    expect(fake.envelope(created.envelopeId)!.recipients.map((r) => r.status)).toEqual(["completed", "completed"]);
    await expect(fake.void(created.envelopeId, "late")).rejects.toThrow("Only envelopes in the 'Sent' or 'Delivered' states may be voided");
    await expect(fake.decline(created.envelopeId, "ann@example.com", "x")).rejects.toThrow("envelope");
  });

  it("Connect without acknowledgment drops failed deliveries; with it, keeps them for retryFailed()", async () => {
    const t = await token();
    fake.connect.configure({ url: "http://127.0.0.1:9/unreachable", requireAcknowledgment: false });
    await fetch(rest("/envelopes"), { method: "POST", headers: { authorization: `Bearer ${t}`, "content-type": "application/json" }, body: JSON.stringify(definition()) });
    await fake.connect.settled();
    expect(fake.connect.deliveries.map((d) => [d.event, d.acknowledged])).toEqual([
      ["envelope-sent", false],
      ["recipient-sent", false],
    ]);
    expect(fake.connect.deliveries[0]!.error).toBeDefined();
    expect(fake.connect.pending).toBe(0);
    fake.connect.configure({ url: "http://127.0.0.1:9/unreachable", events: ["envelope-voided"] });
    await fake.void(fake.envelopes[0]!.envelopeId, "x");
    expect(fake.connect.pending).toBe(1);
  });
});

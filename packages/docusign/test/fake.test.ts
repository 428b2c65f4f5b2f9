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

describe("endpoints the fake does not implement", () => {
  it("answer 501 naming the fake and the request (not a DocuSign-like 404 that reads as a bug in the caller's code)", async () => {
    const bearer = { authorization: `Bearer ${await token()}` };
    const response = await fetch(rest("/envelopes/abc/views/correct"), { method: "POST", headers: { ...bearer, "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(501);
    expect(response.headers.get("x-connect-fake-not-implemented")).toBe("@connect/docusign/testing");
    const path = `/restapi/v2.1/accounts/${fake.accountId}/envelopes/abc/views/correct`;
    expect(await response.json()).toEqual({
      error: "not_implemented_by_fake",
      message: `not implemented by @connect/docusign/testing fake: POST ${path}`,
      fake: "@connect/docusign/testing",
      method: "POST",
      path,
    });
  });

  it("compositeTemplates in a create body answer 501 too, naming what is missing", async () => {
    const bearer = { authorization: `Bearer ${await token()}`, "content-type": "application/json" };
    const response = await fetch(rest("/envelopes"), { method: "POST", headers: bearer, body: JSON.stringify({ status: "sent", compositeTemplates: [{ serverTemplates: [{ sequence: "1", templateId: "t" }] }] }) });
    expect(response.status).toBe(501);
    expect(((await response.json()) as { message: string }).message).toMatch(/^not implemented by @connect\/docusign\/testing fake: POST \/restapi\/.+\/envelopes \(compositeTemplates/);
    expect(fake.envelopes).toHaveLength(0);
  });
});

describe("POST …/views/recipient (createRecipientView) and the signing URL", () => {
  const embedded = () =>
    definition({
      recipients: {
        signers: [
          { recipientId: "1", routingOrder: "1", name: "Ann Lee", email: "ann@example.com", clientUserId: "borrower-1" },
          { recipientId: "2", routingOrder: "2", name: "Gus Grant", email: "gus@example.com", clientUserId: "guarantor-1" },
        ],
      },
    });
  async function created(body: Record<string, unknown> = embedded()): Promise<{ envelopeId: string; headers: Record<string, string> }> {
    const headers = { authorization: `Bearer ${await token()}`, "content-type": "application/json" };
    const response = await fetch(rest("/envelopes"), { method: "POST", headers, body: JSON.stringify(body) });
    return { envelopeId: ((await response.json()) as { envelopeId: string }).envelopeId, headers };
  }
  const view = (headers: Record<string, string>, envelopeId: string, body: unknown) =>
    fetch(rest(`/envelopes/${envelopeId}/views/recipient`), { method: "POST", headers, body: JSON.stringify(body) });
  const ann = { returnUrl: "https://app.example/signed?loan=L-1", authenticationMethod: "none", userName: "Ann Lee", email: "ann@example.com", clientUserId: "borrower-1" };

  it("201 { url } on the fake's own origin; visiting it signs for that recipient and redirects to returnUrl?event=signing_complete", async () => {
    const { envelopeId, headers } = await created();
    const response = await view(headers, envelopeId, ann);
    expect(response.status).toBe(201);
    const { url } = (await response.json()) as { url: string };
    expect(url.startsWith(`${server.url}/Signing/MTRedeem/v1/`)).toBe(true);

    const visit = await fetch(url, { redirect: "manual" });
    expect(visit.status).toBe(302);
    expect(visit.headers.get("location")).toBe("https://app.example/signed?loan=L-1&event=signing_complete");
    expect(fake.envelope(envelopeId)!.recipients.map((r) => [r.recipientId, r.status])).toEqual([["1", "completed"], ["2", "sent"]]);
    // One-time use: a second visit signs nothing and says the link expired.
    const again = await fetch(url, { redirect: "manual" });
    expect(again.headers.get("location")).toBe("https://app.example/signed?loan=L-1&event=ttl_expired");
  });

  it("a recipient DocuSign cannot match (wrong clientUserId, no clientUserId for an embedded signer, wrong name) is UNKNOWN_ENVELOPE_RECIPIENT", async () => {
    const { envelopeId, headers } = await created();
    for (const body of [{ ...ann, clientUserId: "someone-else" }, { ...ann, clientUserId: undefined }, { ...ann, userName: "Ann Smith" }, { ...ann, email: "nobody@example.com" }]) {
      const response = await view(headers, envelopeId, body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { errorCode: string }).errorCode).toBe("UNKNOWN_ENVELOPE_RECIPIENT");
    }
    expect(fake.signingSessions).toHaveLength(0);
  });

  it("a signer whose routing order has not come is RECIPIENT_NOT_IN_SEQUENCE", async () => {
    const { envelopeId, headers } = await created();
    const response = await view(headers, envelopeId, { ...ann, userName: "Gus Grant", email: "gus@example.com", clientUserId: "guarantor-1" });
    expect(await response.json()).toEqual({ errorCode: "RECIPIENT_NOT_IN_SEQUENCE", message: "The token for an out of sequence recipient cannot be generated." });
  });

  it("refuses a missing returnUrl or authenticationMethod (INVALID_REQUEST_PARAMETER), a draft or voided envelope (ENVELOPE_INVALID_STATUS), an unknown envelope", async () => {
    const { envelopeId, headers } = await created();
    const codes = async (id: string, body: unknown) => ((await (await view(headers, id, body)).json()) as { errorCode: string }).errorCode;
    expect(await codes(envelopeId, { ...ann, returnUrl: undefined })).toBe("INVALID_REQUEST_PARAMETER");
    expect(await codes(envelopeId, { ...ann, returnUrl: "not a url" })).toBe("INVALID_REQUEST_PARAMETER");
    expect(await codes(envelopeId, { ...ann, authenticationMethod: undefined })).toBe("INVALID_REQUEST_PARAMETER");
    const draft = await created({ ...embedded(), status: "created" });
    expect(await codes(draft.envelopeId, ann)).toBe("ENVELOPE_INVALID_STATUS");
    await fake.void(envelopeId, "withdrawn");
    expect(await codes(envelopeId, ann)).toBe("ENVELOPE_INVALID_STATUS");
    expect(await codes("5a1b2c3d-0000-4000-8000-00000000dead", ann)).toBe("ENVELOPE_DOES_NOT_EXIST");
  });

  it("?action=decline on the signing URL declines the envelope (returnUrl?event=decline); a URL older than 5 minutes is ttl_expired", async () => {
    let clock = Date.now();
    const timed = createDocuSignFake({ now: () => clock });
    const served = await serveHandlers(timed.handlers);
    try {
      const assertion = createJwtAssertion({ integrationKey: timed.integrationKey, userId: timed.userId, oauthHost: timed.oauthHost, privateKey: createPrivateKey(timed.privateKeyPem), nowMs: clock });
      const tokenResponse = await fetch(`${served.url}/oauth/token`, { method: "POST", body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }) });
      const headers = { authorization: `Bearer ${((await tokenResponse.json()) as { access_token: string }).access_token}`, "content-type": "application/json" };
      const at = (path: string) => `${served.url}/restapi/v2.1/accounts/${timed.accountId}${path}`;
      const make = async () => ((await (await fetch(at("/envelopes"), { method: "POST", headers, body: JSON.stringify(embedded()) })).json()) as { envelopeId: string }).envelopeId;
      const urlFor = async (id: string) => ((await (await fetch(at(`/envelopes/${id}/views/recipient`), { method: "POST", headers, body: JSON.stringify(ann) })).json()) as { url: string }).url;

      const declined = await make();
      const declineVisit = await fetch(`${await urlFor(declined)}&action=decline`, { redirect: "manual" });
      expect(declineVisit.headers.get("location")).toBe("https://app.example/signed?loan=L-1&event=decline");
      expect(timed.envelope(declined)!.status).toBe("declined");

      const stale = await make();
      const url = await urlFor(stale);
      clock += 5 * 60_000;
      expect((await fetch(url, { redirect: "manual" })).headers.get("location")).toBe("https://app.example/signed?loan=L-1&event=ttl_expired");
      expect(timed.envelope(stale)!.recipients[0]!.status).toBe("sent");
    } finally {
      await served.close();
    }
  });
});

describe("templates and envelopes from templateId + templateRoles", () => {
  const LOAN = createTestPdf(["Loan agreement", "/sn1/"]);
  async function headers() {
    return { authorization: `Bearer ${await token()}`, "content-type": "application/json" };
  }

  it("POST /templates keeps a template (201 { templateId }); GET /templates/{id} shows its roles; an envelope from it takes its documents and recipients, roles matched by roleName", async () => {
    const h = await headers();
    const templateBody = {
      name: "Loan package",
      emailSubject: "Your loan documents",
      documents: [{ documentId: "1", name: "Loan.pdf", documentBase64: LOAN.toString("base64") }],
      recipients: {
        signers: [
          { recipientId: "1", routingOrder: "1", roleName: "Borrower", tabs: { signHereTabs: [{ anchorString: "/sn1/" }] } },
          { recipientId: "2", routingOrder: "2", roleName: "Guarantor" },
        ],
        carbonCopies: [{ recipientId: "3", routingOrder: "3", roleName: "Closer", name: "Ops", email: "ops@example.com" }],
      },
    };
    const createdTemplate = await fetch(rest("/templates"), { method: "POST", headers: h, body: JSON.stringify(templateBody) });
    expect(createdTemplate.status).toBe(201);
    const { templateId } = (await createdTemplate.json()) as { templateId: string };
    const shown = (await (await fetch(rest(`/templates/${templateId}`), { headers: h })).json()) as { name: string; recipients: { signers: Array<{ roleName: string }> } };
    expect({ name: shown.name, roles: shown.recipients.signers.map((s) => s.roleName) }).toEqual({ name: "Loan package", roles: ["Borrower", "Guarantor"] });

    const response = await fetch(rest("/envelopes"), {
      method: "POST",
      headers: h,
      body: JSON.stringify({
        templateId,
        status: "sent",
        templateRoles: [
          { roleName: "Guarantor", name: "Gus Grant", email: "gus@example.com" },
          { roleName: "Borrower", name: "Ann Lee", email: "ann@example.com", clientUserId: "borrower-1" },
        ],
      }),
    });
    expect(response.status).toBe(201);
    const env = fake.envelope(((await response.json()) as { envelopeId: string }).envelopeId)!;
    expect({ status: env.status, subject: env.emailSubject, documents: env.documents.map((d) => [d.documentId, d.name, d.bytes?.equals(LOAN)]) }).toEqual({
      status: "sent",
      subject: "Your loan documents",
      documents: [["1", "Loan.pdf", true]],
    });
    expect(env.recipients.map((r) => ({ id: r.recipientId, role: r.roleName, name: r.name, email: r.email, order: r.routingOrder, clientUserId: r.clientUserId, status: r.status, tabs: r.tabs }))).toEqual([
      { id: "1", role: "Borrower", name: "Ann Lee", email: "ann@example.com", order: 1, clientUserId: "borrower-1", status: "sent", tabs: { signHereTabs: [{ anchorString: "/sn1/" }] } },
      { id: "2", role: "Guarantor", name: "Gus Grant", email: "gus@example.com", order: 2, clientUserId: undefined, status: "created", tabs: undefined },
      { id: "3", role: "Closer", name: "Ops", email: "ops@example.com", order: 3, clientUserId: undefined, status: "created", tabs: undefined },
    ]);
  });

  it("an unknown templateId is TEMPLATE_ID_INVALID; a role left unfilled is INVALID_EMAIL_ADDRESS_FOR_RECIPIENT naming it", async () => {
    const h = await headers();
    const t = fake.addTemplate({ name: "Two roles", emailSubject: "Sign", documents: [{ documentId: "1", name: "a.pdf", bytes: LOAN }], signers: [{ roleName: "Borrower" }, { roleName: "Guarantor", routingOrder: 2 }] });
    const post = async (body: unknown) => (await fetch(rest("/envelopes"), { method: "POST", headers: h, body: JSON.stringify(body) })).json() as Promise<{ errorCode: string; message: string }>;
    expect((await post({ templateId: "00000000-0000-4000-8000-000000000000", status: "sent", templateRoles: [] })).errorCode).toBe("TEMPLATE_ID_INVALID");
    const unfilled = await post({ templateId: t.templateId, status: "sent", templateRoles: [{ roleName: "Borrower", name: "Ann", email: "ann@example.com" }] });
    expect(unfilled.errorCode).toBe("INVALID_EMAIL_ADDRESS_FOR_RECIPIENT");
    expect(unfilled.message).toContain("role 'Guarantor'");
    expect(fake.envelopes).toHaveLength(0);
  });
});

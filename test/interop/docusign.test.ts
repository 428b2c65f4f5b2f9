/**
 * Interop (issue 21): DocuSign's official Node SDK, docusign-esign 10.0.0, driven against
 * @connect/docusign/testing over a loopback socket — the calls its users make most: the JWT
 * grant and userinfo, createEnvelope (documents + signers, and templateId + templateRoles),
 * getEnvelope, listStatusChanges (from_date, paging), createRecipientView, getDocument
 * ("combined": one PDF), listRecipients, update (void), an error with DocuSign's errorCode —
 * and the fake's Connect messages checked as DocuSign documents the HMAC.
 *
 * SDK quirks worked around here:
 * - The OAuth calls (`requestJWTUserToken`, `getUserInfo`) hard-code `https://${oAuthBasePath}`
 *   (src/ApiClient.js), so they cannot reach a plain-http loopback server. The SDK sends them
 *   through the `axios` module it requires, so a request interceptor on that same module
 *   (loaded with `require`, as the SDK loads it) rewrites `https://account-d.docusign.com` to the
 *   fake's URL for the duration of a test; everything else the SDK does — the RS256 assertion
 *   with `aud` = the OAuth host, the form body, the parsing — is its own.
 * - `new ApiClient({ basePath })` derives the OAuth host from the REST base and picks the
 *   production host for anything but `https://demo…`; `setOAuthBasePath` is called after it.
 * - The SDK has no Connect HMAC verifier; the check DocuSign publishes (HMAC-SHA256 of the raw
 *   body with the key, base64, compared with X-DocuSign-Signature-1) is written out below.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { verifyDocuSignSignature } from "@connect/docusign";
import { createDocuSignFake, createMultiPageTestPdf, createTestPdf, type DocuSignFake } from "@connect/docusign/testing";
import docusign from "docusign-esign";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

interface AxiosLike {
  interceptors: { request: { use(f: (config: { baseURL?: string }) => { baseURL?: string }): number; eject(id: number): void } };
}
// The CommonJS axios instance docusign-esign itself requires (an ESM import would be another instance).
const axios = createRequire(import.meta.url)("axios") as AxiosLike;

const OAUTH_HOST = "account-d.docusign.com";
const LOAN_PDF = createTestPdf(["Loan agreement L-1001", "Borrower: /sn1/"]);
const NOTE_PDF = createMultiPageTestPdf([["Promissory note, page 1"], ["Promissory note, page 2"]]);

let fake: DocuSignFake;
let server: ServedHandlers;
let apiClient: InstanceType<typeof docusign.ApiClient>;
let envelopes: InstanceType<typeof docusign.EnvelopesApi>;
let interceptor: number;
let accountId: string;

beforeEach(async () => {
  fake = createDocuSignFake({ oauthHost: OAUTH_HOST });
  server = await serveHandlers(fake.handlers);
  interceptor = axios.interceptors.request.use((config) => (config.baseURL === `https://${OAUTH_HOST}` ? { ...config, baseURL: server.url } : config));
  apiClient = new docusign.ApiClient({ basePath: `${server.url}/restapi` });
  apiClient.setOAuthBasePath(OAUTH_HOST);
  const token = await apiClient.requestJWTUserToken(fake.integrationKey, fake.userId, ["signature", "impersonation"], fake.privateKeyPem, 3600);
  apiClient.addDefaultHeader("Authorization", `Bearer ${token.body.access_token}`);
  envelopes = new docusign.EnvelopesApi(apiClient);
  accountId = fake.accountId;
});
afterEach(async () => {
  axios.interceptors.request.eject(interceptor);
  await server.close();
});

/** The SDK's rejection: an axios error whose `response.data` is DocuSign's `{ errorCode, message }`. */
async function sdkError(promise: Promise<unknown>): Promise<{ status: number; data: { errorCode: string; message: string } }> {
  const error = (await promise.then(
    () => {
      throw new Error("expected the SDK to reject");
    },
    (e: unknown) => e,
  )) as { response?: { status: number; data: { errorCode: string; message: string } } };
  expect(error.response).toBeDefined();
  return error.response!;
}

function definition(overrides: Record<string, unknown> = {}) {
  return docusign.EnvelopeDefinition.constructFromObject({
    emailSubject: "Loan L-1001: please sign",
    status: "sent",
    documents: [
      { documentId: "1", name: "Loan agreement.pdf", fileExtension: "pdf", documentBase64: LOAN_PDF.toString("base64") },
      { documentId: "2", name: "Promissory note.pdf", fileExtension: "pdf", documentBase64: NOTE_PDF.toString("base64") },
    ],
    recipients: {
      signers: [
        { recipientId: "1", routingOrder: "1", name: "Ann Lee", email: "ann@example.com", clientUserId: "borrower-1", tabs: { signHereTabs: [{ anchorString: "/sn1/", anchorUnits: "pixels", anchorXOffset: "0", anchorYOffset: "0" }] } },
        { recipientId: "2", routingOrder: "2", name: "Gus Grant", email: "gus@example.com" },
      ],
      carbonCopies: [{ recipientId: "3", routingOrder: "3", name: "Ops", email: "ops@example.com" }],
    },
    ...overrides,
  });
}

describe("docusign-esign ApiClient → fake: OAuth", () => {
  it("requestJWTUserToken: the SDK's own RS256 assertion is accepted (aud = OAuth host); getUserInfo names the account and its base URI", async () => {
    expect(fake.tokensIssued).toBe(1);
    const [tokenRequest] = server.requests.filter((r) => r.url === "/oauth/token");
    expect(new URLSearchParams(tokenRequest!.text).get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
    const claims = JSON.parse(Buffer.from(new URLSearchParams(tokenRequest!.text).get("assertion")!.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    expect({ iss: claims.iss, sub: claims.sub, aud: claims.aud, scope: claims.scope }).toEqual({ iss: fake.integrationKey, sub: fake.userId, aud: OAUTH_HOST, scope: "signature impersonation" });

    const token = (await apiClient.requestJWTUserToken(fake.integrationKey, fake.userId, "signature impersonation", fake.privateKeyPem, 3600)).body.access_token;
    const info = await apiClient.getUserInfo(token);
    expect(info.sub).toBe(fake.userId);
    expect(info.accounts.map((a) => ({ accountId: a.accountId, baseUri: a.baseUri, isDefault: a.isDefault }))).toEqual([{ accountId, baseUri: server.url, isDefault: "true" }]);
  });

  it("a JWT grant for a user who has not consented is refused with consent_required", async () => {
    fake.setConsent(false);
    const error = (await apiClient.requestJWTUserToken(fake.integrationKey, fake.userId, "signature impersonation", fake.privateKeyPem, 3600).catch((e: unknown) => e)) as { response: { status: number; data: unknown } };
    expect({ status: error.response.status, data: error.response.data }).toEqual({ status: 400, data: { error: "consent_required" } });
  });
});

describe("docusign-esign EnvelopesApi → fake", () => {
  it("createEnvelope (documents + signers, status sent) → 201 summary; getEnvelope and listRecipients show it as DocuSign does (strings)", async () => {
    const summary = await envelopes.createEnvelope(accountId, { envelopeDefinition: definition() });
    expect(summary.status).toBe("sent");
    expect(summary.uri).toBe(`/envelopes/${summary.envelopeId}`);

    const envelope = await envelopes.getEnvelope(accountId, summary.envelopeId);
    expect({ status: envelope.status, emailSubject: envelope.emailSubject }).toEqual({ status: "sent", emailSubject: "Loan L-1001: please sign" });
    const recipients = await envelopes.listRecipients(accountId, summary.envelopeId);
    expect(recipients.recipientCount).toBe("3");
    expect(recipients.signers.map((s) => [s.name, s.email, s.routingOrder, s.status, s.clientUserId])).toEqual([
      ["Ann Lee", "ann@example.com", "1", "sent", "borrower-1"],
      ["Gus Grant", "gus@example.com", "2", "created", undefined],
    ]);
  });

  it("createEnvelope from a template (TemplatesApi.createTemplate, then templateId + templateRoles): roles matched by roleName", async () => {
    const templates = new docusign.TemplatesApi(apiClient);
    const template = await templates.createTemplate(accountId, {
      envelopeTemplate: {
        name: "Loan package",
        emailSubject: "Your loan package",
        documents: [{ documentId: "1", name: "Loan agreement.pdf", fileExtension: "pdf", documentBase64: LOAN_PDF.toString("base64") }],
        recipients: { signers: [{ recipientId: "1", routingOrder: "1", roleName: "Borrower" }, { recipientId: "2", routingOrder: "2", roleName: "Guarantor" }] },
      },
    });
    expect((await templates.get(accountId, template.templateId)).name).toBe("Loan package");

    const summary = await envelopes.createEnvelope(accountId, {
      envelopeDefinition: docusign.EnvelopeDefinition.constructFromObject({
        templateId: template.templateId,
        status: "sent",
        templateRoles: [
          { roleName: "Guarantor", name: "Gus Grant", email: "gus@example.com" },
          { roleName: "Borrower", name: "Ann Lee", email: "ann@example.com", clientUserId: "borrower-1" },
        ],
      }),
    });
    expect(summary.status).toBe("sent");
    const recipients = await envelopes.listRecipients(accountId, summary.envelopeId);
    expect(recipients.signers.map((s) => [s.roleName, s.name, s.email, s.status])).toEqual([
      ["Borrower", "Ann Lee", "ann@example.com", "sent"],
      ["Guarantor", "Gus Grant", "gus@example.com", "created"],
    ]);
    expect((await envelopes.getEnvelope(accountId, summary.envelopeId)).emailSubject).toBe("Your loan package");
  });

  it("listStatusChanges with from_date pages with count + start_position until endPosition + 1 = totalSetSize", async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await envelopes.createEnvelope(accountId, { envelopeDefinition: definition({ emailSubject: `Loan ${i}` }) })).envelopeId);

    const seen: string[] = [];
    const pages: Array<[string, string, string, string]> = [];
    for (let start = 0; ; ) {
      const page = await envelopes.listStatusChanges(accountId, { fromDate: from, count: "2", startPosition: String(start) });
      pages.push([page.resultSetSize, page.startPosition, page.endPosition, page.totalSetSize]);
      seen.push(...(page.envelopes ?? []).map((e) => e.envelopeId));
      if (Number(page.endPosition) + 1 >= Number(page.totalSetSize)) break;
      start = Number(page.endPosition) + 1;
    }
    expect(pages).toEqual([
      ["2", "0", "1", "5"],
      ["2", "2", "3", "5"],
      ["1", "4", "4", "5"],
    ]);
    expect(seen.sort()).toEqual([...ids].sort());
    expect(server.requests.filter((r) => r.url.includes("/envelopes?")).map((r) => new URL(r.url, server.url).searchParams.get("from_date"))).toEqual([from, from, from]);
  });

  it("listStatusChanges without from_date, envelope_ids or transaction_ids: 400 INVALID_REQUEST_PARAMETER as the SDK surfaces it", async () => {
    const error = await sdkError(envelopes.listStatusChanges(accountId, {}));
    expect(error.status).toBe(400);
    expect(error.data.errorCode).toBe("INVALID_REQUEST_PARAMETER");
  });

  it("createRecipientView → { url }; following it signs for the embedded signer and returns to returnUrl?event=signing_complete", async () => {
    const { envelopeId } = await envelopes.createEnvelope(accountId, { envelopeDefinition: definition() });
    const view = await envelopes.createRecipientView(accountId, envelopeId, {
      recipientViewRequest: docusign.RecipientViewRequest.constructFromObject({ returnUrl: "https://app.example/return", authenticationMethod: "none", userName: "Ann Lee", email: "ann@example.com", clientUserId: "borrower-1" }),
    });
    expect(view.url.startsWith(`${server.url}/Signing/MTRedeem/v1/`)).toBe(true);
    const visit = await fetch(view.url, { redirect: "manual" });
    expect(visit.headers.get("location")).toBe("https://app.example/return?event=signing_complete");
    const signers = (await envelopes.listRecipients(accountId, envelopeId)).signers;
    expect(signers.map((s) => s.status)).toEqual(["completed", "sent"]);
  });

  it("createRecipientView for a recipient the envelope does not have: the SDK rejects with DocuSign's UNKNOWN_ENVELOPE_RECIPIENT", async () => {
    const { envelopeId } = await envelopes.createEnvelope(accountId, { envelopeDefinition: definition() });
    const error = await sdkError(
      envelopes.createRecipientView(accountId, envelopeId, { recipientViewRequest: { returnUrl: "https://app.example/return", authenticationMethod: "none", userName: "Ann Lee", email: "ann@example.com", clientUserId: "someone-else" } }),
    );
    expect(error.status).toBe(400);
    expect(error.data.errorCode).toBe("UNKNOWN_ENVELOPE_RECIPIENT");
  });

  it("getDocument 'combined' resolves ONE PDF: one %PDF- header, one %%EOF, pages = the documents' pages (+1 certificate)", async () => {
    const { envelopeId } = await envelopes.createEnvelope(accountId, { envelopeDefinition: definition() });
    await fake.completeAll(envelopeId);
    const bare = await envelopes.getDocument(accountId, envelopeId, "combined", { certificate: "false" });
    const withCertificate = await envelopes.getDocument(accountId, envelopeId, "combined");
    for (const [pdf, pages] of [
      [bare, 3],
      [withCertificate, 4],
    ] as const) {
      expect(Buffer.isBuffer(pdf)).toBe(true);
      const text = pdf.toString("latin1");
      expect(text.match(/%PDF-/g)).toHaveLength(1);
      expect(text.match(/%%EOF/g)).toHaveLength(1);
      expect(text.match(/(?:^|\n)trailer\s/g)).toHaveLength(1);
      expect(text.match(/\/Type \/Page(?![s\w])/g)).toHaveLength(pages);
      expect(/\/Type \/Pages \/Kids \[[^\]]*\] \/Count (\d+)/.exec(text)?.[1]).toBe(String(pages));
    }
    const one = await envelopes.getDocument(accountId, envelopeId, "2");
    expect(one.equals(NOTE_PDF)).toBe(true);
  });

  it("update { status: voided, voidedReason } voids a sent envelope; voiding it again is ENVELOPE_CANNOT_VOID_INVALID_STATE; a reason is required", async () => {
    const { envelopeId } = await envelopes.createEnvelope(accountId, { envelopeDefinition: definition() });
    const noReason = await sdkError(envelopes.update(accountId, envelopeId, { envelope: { status: "voided" } }));
    expect(noReason.data.errorCode).toBe("INVALID_REQUEST_PARAMETER");

    expect((await envelopes.update(accountId, envelopeId, { envelope: { status: "voided", voidedReason: "Loan withdrawn" } })).envelopeId).toBe(envelopeId);
    const envelope = await envelopes.getEnvelope(accountId, envelopeId);
    expect({ status: envelope.status, voidedReason: envelope.voidedReason }).toEqual({ status: "voided", voidedReason: "Loan withdrawn" });
    const again = await sdkError(envelopes.update(accountId, envelopeId, { envelope: { status: "voided", voidedReason: "again" } }));
    expect(again.data.errorCode).toBe("ENVELOPE_CANNOT_VOID_INVALID_STATE");
  });

  it("an unknown envelope: the SDK rejects with HTTP 400 and DocuSign's ENVELOPE_DOES_NOT_EXIST body", async () => {
    const error = await sdkError(envelopes.getEnvelope(accountId, "5a1b2c3d-0000-4000-8000-00000000dead"));
    expect(error.status).toBe(400);
    expect(error.data).toEqual({ errorCode: "ENVELOPE_DOES_NOT_EXIST", message: "The envelope specified either does not exist or you have no rights to it. Envelope: 5a1b2c3d-0000-4000-8000-00000000dead" });
  });
});

describe("Connect: the fake's HMAC-signed delivery", () => {
  let listener: Server;
  let received: Array<{ headers: Record<string, string>; raw: Buffer }>;
  beforeEach(async () => {
    received = [];
    listener = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), raw: Buffer.concat(chunks) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  });

  // DocuSign's published check (developers.docusign.com, Connect: HMAC validation): compute
  // base64(HMAC-SHA256(key, raw body)) and compare it, in constant time, with X-DocuSign-Signature-1.
  function docuSignSampleCheck(rawBody: Buffer, signature: string, key: string): boolean {
    const computed = Buffer.from(createHmac("sha256", key).update(rawBody).digest("base64"), "base64");
    const given = Buffer.from(signature, "base64");
    return given.length === computed.length && timingSafeEqual(given, computed);
  }

  it("every message verifies with DocuSign's sample check AND with verifyDocuSignSignature; a changed byte fails both", async () => {
    const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/connect`;
    fake.connect.configure({ url, format: "json", events: ["envelope-sent", "envelope-completed"] });
    const { envelopeId } = await envelopes.createEnvelope(accountId, { envelopeDefinition: definition() });
    await fake.completeAll(envelopeId);
    await fake.connect.settled();

    expect(received.map((m) => (JSON.parse(m.raw.toString("utf8")) as { event: string }).event)).toEqual(["envelope-sent", "envelope-completed"]);
    for (const message of received) {
      const signature = message.headers["x-docusign-signature-1"]!;
      expect(docuSignSampleCheck(message.raw, signature, fake.hmacKeys[0]!)).toBe(true);
      await expect(verifyDocuSignSignature({ method: "POST", url, headers: message.headers, rawBody: message.raw }, fake.hmacKeys)).resolves.toBeUndefined();

      const tampered = Buffer.from(message.raw);
      tampered[tampered.length - 2] = tampered[tampered.length - 2]! ^ 1;
      expect(docuSignSampleCheck(tampered, signature, fake.hmacKeys[0]!)).toBe(false);
      await expect(verifyDocuSignSignature({ method: "POST", url, headers: message.headers, rawBody: tampered }, fake.hmacKeys)).rejects.toMatchObject({ name: "WebhookVerificationError" });
    }
  });
});

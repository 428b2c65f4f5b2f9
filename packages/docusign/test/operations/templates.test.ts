// envelopes.createFromTemplate — envelopes from a server template (DocuSign eSignature REST:
// Envelopes: create with templateId + templateRoles).
import { NotFoundError, ValidationError } from "@connect/core";
import { createTestPdf, type FakeTemplate } from "@connect/docusign/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rejection, requestsTo, setup, type Harness } from "../helpers.js";

const PACKAGE_PDF = createTestPdf(["Loan package", "Borrower: /sn1/", "Guarantor: /sn2/"]);

let h: Harness;
let template: FakeTemplate;
beforeEach(async () => {
  h = await setup({
    fake: {
      templates: [
        {
          templateId: "7a6b5c4d-1111-4222-8333-944455566677",
          name: "Loan package",
          emailSubject: "Your loan package",
          documents: [{ documentId: "1", name: "Loan package.pdf", bytes: PACKAGE_PDF }],
          signers: [
            { roleName: "Borrower", routingOrder: 1, tabs: { signHereTabs: [{ anchorString: "/sn1/" }] } },
            { roleName: "Guarantor", routingOrder: 2, tabs: { signHereTabs: [{ anchorString: "/sn2/" }] } },
          ],
        },
      ],
    },
  });
  template = h.fake.templates[0]!;
});
afterEach(async () => {
  await h.close();
});

const roles = [
  { roleName: "Borrower", name: "Ann Lee", email: "ann@example.com", clientUserId: "borrower-1" },
  { roleName: "Guarantor", name: "Gus Grant", email: "gus@example.com" },
];

describe("envelopes.createFromTemplate", () => {
  it("sends templateId + templateRoles (strings on the wire, transactionId from the idempotency key); the envelope has the template's documents and the roles' people", async () => {
    const result = await h.client.envelopes.createFromTemplate({ templateId: template.templateId, templateRoles: roles, customFields: { loanId: "L-1001" } }, { idempotencyKey: "loan-L-1001-v1" });

    expect(result).toEqual({ envelopeId: h.fake.envelopes[0]!.envelopeId, uri: `/envelopes/${result.envelopeId}`, statusDateTime: expect.any(String), status: "sent", transactionId: "loan-L-1001-v1" });
    const [sent] = requestsTo(h.server, "/envelopes", "POST");
    expect(JSON.parse(sent!.text)).toEqual({
      templateId: template.templateId,
      templateRoles: [
        { roleName: "Borrower", name: "Ann Lee", email: "ann@example.com", clientUserId: "borrower-1" },
        { roleName: "Guarantor", name: "Gus Grant", email: "gus@example.com" },
      ],
      status: "sent",
      transactionId: "loan-L-1001-v1",
      customFields: { textCustomFields: [{ name: "loanId", value: "L-1001", show: "false", required: "false" }] },
    });
    const envelope = await h.client.envelopes.get({ envelopeId: result.envelopeId, include: ["recipients", "documents"] });
    expect(envelope.emailSubject).toBe("Your loan package");
    expect(envelope.envelopeDocuments?.map((d) => d.name)).toEqual(["Loan package.pdf"]);
    expect(envelope.recipients?.signers.map((s) => [s.name, s.email, s.routingOrder, s.status, s.clientUserId])).toEqual([
      ["Ann Lee", "ann@example.com", 1, "sent", "borrower-1"],
      ["Gus Grant", "gus@example.com", 2, "created", undefined],
    ]);
    // The template's Borrower has an embedded signer: the app can open the signing session.
    expect((await h.client.envelopes.createRecipientView({ envelopeId: result.envelopeId, userName: "Ann Lee", email: "ann@example.com", clientUserId: "borrower-1", returnUrl: "https://app.example/r" })).url).toMatch(
      /\/Signing\/MTRedeem\/v1\//,
    );
  });

  it("a 503 after the envelope was created: the retry finds it by transactionId — one envelope, recovered: true", async () => {
    h.fake.failNext({ status: 503, path: "/envelopes", method: "POST", apply: true });
    const result = await h.client.envelopes.createFromTemplate({ templateId: template.templateId, templateRoles: roles }, { idempotencyKey: "loan-L-1001-v2" });
    expect(h.fake.envelopes).toHaveLength(1);
    expect(result).toMatchObject({ envelopeId: h.fake.envelopes[0]!.envelopeId, transactionId: "loan-L-1001-v2", recovered: true });
    expect(requestsTo(h.server, "/envelopes", "POST")).toHaveLength(1);
  });

  it("an unknown template is TEMPLATE_ID_INVALID → NotFoundError; no envelope", async () => {
    const error = (await rejection(h.client.envelopes.createFromTemplate({ templateId: "00000000-0000-4000-8000-000000000000", templateRoles: roles }))) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect({ status: error.status, vendorCode: error.vendorCode }).toEqual({ status: 400, vendorCode: "TEMPLATE_ID_INVALID" });
    expect(h.fake.envelopes).toHaveLength(0);
  });

  it("a role filled twice, or no role at all, is a ValidationError before any request", async () => {
    const twice = (await rejection(h.client.envelopes.createFromTemplate({ templateId: template.templateId, templateRoles: [roles[0]!, { ...roles[1]!, roleName: "Borrower" }] }))) as ValidationError;
    const none = (await rejection(h.client.envelopes.createFromTemplate({ templateId: template.templateId, templateRoles: [] }))) as ValidationError;
    expect(twice).toBeInstanceOf(ValidationError);
    expect(twice.issues?.map((i) => i.path)).toEqual(["templateRoles.1.roleName"]);
    expect(none.issues?.map((i) => i.path)).toEqual(["templateRoles"]);
    expect(h.server.requests).toHaveLength(0);
  });
});

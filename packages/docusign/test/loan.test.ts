import { ValidationError } from "@connect/core";
import { buildLoanSigningEnvelope, type LoanSigningInput } from "@connect/docusign";
import { createTestPdf } from "@connect/docusign/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rejection, requestsTo, setup, type Harness } from "./helpers.js";

const pdf = (title: string) => createTestPdf([title, "Borrower /sn1/ /ds1/", "Guarantor /sn2/ /ds2/ /sn3/ /ds3/"]);

function loan(overrides: Partial<LoanSigningInput> = {}): LoanSigningInput {
  return {
    loanId: "L-1001",
    borrower: { name: "Ann Lee", email: "ann@example.com" },
    guarantors: [
      { name: "Gus Grant", email: "gus@example.com" },
      { name: "Gia Grant", email: "gia@example.com" },
    ],
    carbonCopies: [{ name: "Closing desk", email: "closing@acme-lending.test" }],
    documents: {
      loanAgreement: { content: pdf("Loan agreement") },
      promissoryNote: { content: pdf("Promissory note") },
      securityAgreement: { content: pdf("Security agreement") },
      personalGuarantee: { content: pdf("Personal guarantee") },
    },
    ...overrides,
  };
}

describe("buildLoanSigningEnvelope", () => {
  it("puts the borrower at routing order 1 and the guarantors after, with their anchors; documents in order", () => {
    const input = buildLoanSigningEnvelope(loan());
    expect(input.emailSubject).toBe("Loan L-1001: documents to sign");
    expect(input.status).toBe("sent");
    expect(input.documents.map((d) => [d.documentId, d.name])).toEqual([
      ["1", "Loan agreement.pdf"],
      ["2", "Promissory note.pdf"],
      ["3", "Security agreement.pdf"],
      ["4", "Personal guarantee.pdf"],
    ]);
    expect(input.recipients.signers.map((s) => [s.recipientId, s.email, s.routingOrder, s.roleName, s.tabs?.signHereTabs?.[0]])).toEqual([
      ["1", "ann@example.com", 1, "Borrower", { anchorString: "/sn1/", anchorUnits: "pixels", anchorXOffset: 0, anchorYOffset: 0, anchorIgnoreIfNotPresent: true }],
      ["2", "gus@example.com", 2, "Guarantor 1", { anchorString: "/sn2/", anchorUnits: "pixels", anchorXOffset: 0, anchorYOffset: 0, anchorIgnoreIfNotPresent: true }],
      ["3", "gia@example.com", 2, "Guarantor 2", { anchorString: "/sn3/", anchorUnits: "pixels", anchorXOffset: 0, anchorYOffset: 0, anchorIgnoreIfNotPresent: true }],
    ]);
    expect(input.recipients.carbonCopies).toEqual([{ recipientId: "4", name: "Closing desk", email: "closing@acme-lending.test", routingOrder: 3 }]);
    expect(input.customFields).toEqual({ loanId: "L-1001" });
  });

  it("guarantorsInSequence signs one guarantor after another", () => {
    const input = buildLoanSigningEnvelope(loan({ guarantorsInSequence: true }));
    expect(input.recipients.signers.map((s) => s.routingOrder)).toEqual([1, 2, 3]);
    expect(input.recipients.carbonCopies?.[0]?.routingOrder).toBe(4);
  });

  it("without guarantors there is no personal guarantee and the borrower signs alone", () => {
    const input = buildLoanSigningEnvelope(loan({ guarantors: [], carbonCopies: [] }));
    expect(input.documents.map((d) => d.documentId)).toEqual(["1", "2", "3"]);
    expect(input.recipients.signers).toHaveLength(1);
  });

  it("guarantors need the personal guarantee; a bad email is refused — ValidationErrors before any I/O", () => {
    const { personalGuarantee: _omit, ...documents } = loan().documents;
    expect(() => buildLoanSigningEnvelope(loan({ documents }))).toThrow(ValidationError);
    try {
      buildLoanSigningEnvelope(loan({ borrower: { name: "Ann", email: "ann-at-example" } }));
    } catch (error) {
      expect((error as ValidationError).issues.map((i) => i.path)).toEqual(["borrower.email"]);
    }
  });
});

describe("envelopes.createLoanSigning", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await setup();
  });
  afterEach(async () => {
    await h.close();
  });

  it("creates the envelope; the borrower is invited first and guarantors can only sign after", async () => {
    const { envelopeId } = await h.client.envelopes.createLoanSigning(loan(), { idempotencyKey: "loan-L-1001-closing-v1" });
    const env = h.fake.envelope(envelopeId)!;
    expect(env.documents.map((d) => d.name)).toEqual(["Loan agreement.pdf", "Promissory note.pdf", "Security agreement.pdf", "Personal guarantee.pdf"]);
    expect(env.recipients.filter((r) => r.status === "sent").map((r) => r.email)).toEqual(["ann@example.com"]);
    await expect(h.fake.sign(envelopeId, "gus@example.com")).rejects.toThrow("gus@example.com cannot sign yet — routing order 2, status created; the current routing order is 1");
    await h.fake.sign(envelopeId, "ann@example.com");
    expect(h.fake.envelope(envelopeId)!.recipients.filter((r) => r.status === "sent").map((r) => r.email)).toEqual(["gus@example.com", "gia@example.com"]);
    await h.fake.sign(envelopeId, "gia@example.com");
    expect(h.fake.envelope(envelopeId)!.status).toBe("delivered");
    await h.fake.sign(envelopeId, "gus@example.com");
    expect(h.fake.envelope(envelopeId)!.status).toBe("completed");
    expect(JSON.parse(requestsTo(h.server, "/envelopes", "POST")[0]!.text).transactionId).toBe("loan-L-1001-closing-v1");
  });

  it("an invalid loan sends nothing", async () => {
    await rejection(h.client.envelopes.createLoanSigning(loan({ loanId: "" })));
    expect(h.server.requests).toHaveLength(0);
  });
});

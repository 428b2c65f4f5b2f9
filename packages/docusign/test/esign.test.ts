import { Readable } from "node:stream";
import { ConflictError, isTerminalSignatureStatus, type ESignatureProvider, type SignatureRequest } from "@connect/core";
import { createDocuSignSignatureProvider, toRecipientStatus, toSignatureEvent, toSignatureStatus, type DocuSignConnectEvent } from "@connect/docusign";
import { createTestPdf } from "@connect/docusign/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inspectPdf, rejection, requestsTo, setup, type Harness } from "./helpers.js";

let h: Harness;
let provider: ESignatureProvider;
beforeEach(async () => {
  h = await setup();
  provider = createDocuSignSignatureProvider(h.client);
});
afterEach(async () => {
  await h.close();
});

const AGREEMENT = createTestPdf(["Loan agreement", "/sn1/ /sn2/"]);
const GUARANTEE = createTestPdf(["Personal guarantee", "/sn2/"]);

function request(overrides: Partial<SignatureRequest> = {}): SignatureRequest {
  return {
    subject: "Loan L-1001: documents to sign",
    message: "Please sign at your convenience.",
    documents: [
      { id: "loan-agreement", name: "Loan agreement.pdf", content: AGREEMENT },
      { id: "guarantee", name: "Personal guarantee", content: Readable.from([GUARANTEE]), contentType: "application/pdf" },
    ],
    recipients: [
      { name: "Ann Lee", email: "ann@example.com", order: 1, placements: [{ anchor: "/sn1/", yOffset: -4 }] },
      { name: "Gus Grant", email: "gus@example.com", order: 2, placements: [{ documentId: "guarantee", page: 1, x: 100, y: 600 }] },
      { name: "Closing desk", email: "closing@acme-lending.test", order: 3, role: "cc" },
    ],
    callbackUrl: "https://hooks.acme.test/docusign",
    externalRef: "L-1001",
    ...overrides,
  };
}

describe("createDocuSignSignatureProvider", () => {
  it("sendForSignature creates one envelope: numeric document ids, routing orders, tabs, cc, Connect, externalRef", async () => {
    const receipt = await provider.sendForSignature(request(), { idempotencyKey: "loan-L-1001-v1" });
    const env = h.fake.envelopes[0]!;
    expect(receipt).toEqual({ provider: "docusign", id: env.envelopeId, status: "sent" });
    const body = JSON.parse(requestsTo(h.server, "/envelopes", "POST")[0]!.text) as Record<string, any>;
    expect(body.emailBlurb).toBe("Please sign at your convenience.");
    expect(body.transactionId).toBe("loan-L-1001-v1");
    expect(body.documents.map((d: Record<string, string>) => [d.documentId, d.name, d.fileExtension])).toEqual([
      ["1", "Loan agreement.pdf", "pdf"],
      ["2", "Personal guarantee", "pdf"],
    ]);
    expect(Buffer.from(body.documents[1].documentBase64, "base64")).toEqual(GUARANTEE);
    expect(body.recipients.signers).toEqual([
      { recipientId: "1", routingOrder: "1", name: "Ann Lee", email: "ann@example.com", tabs: { signHereTabs: [{ anchorString: "/sn1/", anchorUnits: "pixels", anchorXOffset: "0", anchorYOffset: "-4" }] } },
      { recipientId: "2", routingOrder: "2", name: "Gus Grant", email: "gus@example.com", tabs: { signHereTabs: [{ documentId: "2", pageNumber: "1", xPosition: "100", yPosition: "600" }] } },
    ]);
    expect(body.recipients.carbonCopies).toEqual([{ recipientId: "3", routingOrder: "3", name: "Closing desk", email: "closing@acme-lending.test" }]);
    expect(body.eventNotification.url).toBe("https://hooks.acme.test/docusign");
    expect(env.customFields).toEqual({ externalRef: "L-1001" });
  });

  it("send: false keeps a draft", async () => {
    const receipt = await provider.sendForSignature(request({ send: false }));
    expect(receipt.status).toBe("draft");
  });

  it("getStatus follows the lifecycle in core's words", async () => {
    const { id } = await provider.sendForSignature(request());
    const sent = await provider.getStatus(id);
    expect(sent).toMatchObject({ provider: "docusign", id, status: "sent" });
    expect(sent.recipients.map((r) => [r.email, r.order, r.role, r.status])).toEqual([
      ["ann@example.com", 1, "signer", "sent"],
      ["gus@example.com", 2, "signer", "pending"],
      ["closing@acme-lending.test", 3, "cc", "pending"],
    ]);
    await h.fake.sign(id, "ann@example.com");
    const signing = await provider.getStatus(id);
    expect(signing.status).toBe("delivered");
    expect(signing.recipients[0]).toMatchObject({ status: "signed", signedAt: expect.stringMatching(/^\d{4}-.*\.\d{3}Z$/) });
    await h.fake.completeAll(id);
    const done = await provider.getStatus(id);
    expect(done.status).toBe("completed");
    expect(isTerminalSignatureStatus(done.status)).toBe(true);
    expect(done.updatedAt).toMatch(/Z$/);
  });

  it("getStatus of a declined envelope carries the reason", async () => {
    const { id } = await provider.sendForSignature(request());
    await h.fake.decline(id, "ann@example.com", "Wrong amount");
    const status = await provider.getStatus(id);
    expect(status.status).toBe("declined");
    expect(status.recipients[0]).toMatchObject({ email: "ann@example.com", status: "declined", declinedReason: "Wrong amount" });
  });

  it("cancel voids the envelope with the reason", async () => {
    const { id } = await provider.sendForSignature(request());
    await provider.cancel(id, "Loan withdrawn");
    expect(h.fake.envelope(id)).toMatchObject({ status: "voided", voidedReason: "Loan withdrawn" });
    expect((await provider.getStatus(id)).status).toBe("voided");
  });

  it("downloadSigned streams the combined PDF of a completed envelope and refuses an unfinished one", async () => {
    const { id } = await provider.sendForSignature(request());
    const early = await rejection(provider.downloadSigned(id));
    expect(early).toBeInstanceOf(ConflictError);
    expect((early as ConflictError).vendorCode).toBe("ENVELOPE_NOT_COMPLETED");
    await h.fake.completeAll(id);
    const signed = await provider.downloadSigned(id);
    expect({ filename: signed.filename, contentType: signed.contentType }).toEqual({ filename: "combined.pdf", contentType: "application/pdf" });
    const chunks: Buffer[] = [];
    for await (const chunk of signed.body) chunks.push(Buffer.from(chunk as Uint8Array));
    // One PDF (DocuSign's combined download): the agreement's page, the guarantee's, then the certificate's.
    const pdf = inspectPdf(Buffer.concat(chunks));
    expect({ headers: pdf.headers, eofs: pdf.eofs, pages: pdf.declaredPages, pageObjects: pdf.pageObjects }).toEqual({ headers: 1, eofs: 1, pages: 3, pageObjects: 3 });
    expect(pdf.shownText.slice(0, 5)).toEqual(["Loan agreement", "/sn1/ /sn2/", "Personal guarantee", "/sn2/", "Certificate of Completion"]);
  });

  it("healthCheck is the client's", async () => {
    expect((await provider.healthCheck()).status).toBe("healthy");
  });
});

describe("status and event mapping", () => {
  it.each([
    ["created", "draft"],
    ["sent", "sent"],
    ["delivered", "delivered"],
    ["signed", "delivered"],
    ["completed", "completed"],
    ["declined", "declined"],
    ["voided", "voided"],
    ["timedout", "expired"],
  ])("envelope %s → %s", (docusign, neutral) => {
    expect(toSignatureStatus(docusign)).toBe(neutral);
  });

  it.each([
    ["created", "pending"],
    ["sent", "sent"],
    ["delivered", "delivered"],
    ["completed", "signed"],
    ["declined", "declined"],
    ["autoresponded", "sent"],
  ])("recipient %s → %s", (docusign, neutral) => {
    expect(toRecipientStatus(docusign)).toBe(neutral);
  });

  const base: DocuSignConnectEvent = {
    eventId: "e1",
    event: "envelope-declined",
    envelopeId: "env-1",
    status: "declined",
    occurredAt: "2026-01-01T00:00:00.000Z",
    recipient: { email: "ann@example.com", name: "Ann Lee", routingOrder: 1, status: "declined" },
    recipients: [],
    declinedReason: "Wrong amount",
    customFields: { loanId: "L-7" },
    documents: [],
    meta: { format: "json", summaryIncluded: true },
  };

  it("a declined envelope maps with the decliner and the reason; loanId is the default externalRef", () => {
    expect(toSignatureEvent(base)).toEqual({
      provider: "docusign",
      eventId: "e1",
      type: "declined",
      signatureId: "env-1",
      occurredAt: "2026-01-01T00:00:00.000Z",
      recipient: { email: "ann@example.com", name: "Ann Lee", order: 1 },
      reason: "Wrong amount",
      externalRef: "L-7",
    });
  });

  it("recipient-declined, created and corrected have no neutral meaning", () => {
    for (const event of ["recipient-declined", "envelope-created", "envelope-corrected", "recipient-sent"]) expect(toSignatureEvent({ ...base, event })).toBeUndefined();
  });

  it("a voided envelope maps with the void reason; externalRefField picks the field", () => {
    const voided = toSignatureEvent({ ...base, event: "envelope-voided", recipient: undefined, voidedReason: "Withdrawn", customFields: { ref: "R-1", loanId: "L-7" } }, { externalRefField: "ref" });
    expect(voided).toMatchObject({ type: "voided", reason: "Withdrawn", externalRef: "R-1" });
    expect(voided!.recipient).toBeUndefined();
  });
});

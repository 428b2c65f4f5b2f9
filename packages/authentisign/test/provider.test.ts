import { ConflictError, fallback, ValidationError, type SignatureEvent, type SignatureRequest } from "@connect/core";
import { createAuthentisignSignatureProvider, SigningNotSentError, toSignatureEvent, type AuthentisignSignatureProvider } from "@connect/authentisign";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiRequests, formOf, listen, pdf, rejection, setup, type Harness } from "./helpers.js";

const SECRET = "provider-callback-secret";

let h: Harness;
let hook: Awaited<ReturnType<typeof listen>>;
let provider: AuthentisignSignatureProvider;
let events: SignatureEvent[];

beforeEach(async () => {
  h = await setup();
  events = [];
  let receiver: AuthentisignSignatureProvider["callbacks"];
  hook = await listen((req, res) => void receiver!.node(req, res));
  provider = createAuthentisignSignatureProvider(h.client, {
    callbacks: { url: `${hook.url}/esign/authentisign`, secrets: SECRET, onEvent: (event) => void events.push(event) },
  });
  receiver = provider.callbacks;
});
afterEach(async () => {
  await hook.close();
  await h.close();
});

function loanPackage(overrides: Partial<SignatureRequest> = {}): SignatureRequest {
  return {
    subject: "Loan LN-1001: closing documents",
    message: "Please sign your loan documents.",
    documents: [
      { id: "1", name: "Loan agreement.pdf", content: pdf("loan agreement") },
      { id: "2", name: "Personal guarantee.pdf", content: pdf("personal guarantee") },
    ],
    recipients: [
      { name: "Ana Borrower", email: "ana@example.com", order: 1, placements: [{ anchor: "/sig1/" }] },
      { name: "Gus van Guarantor", email: "gus@example.com", order: 2 },
      { name: "Lou Officer", email: "lou@acme-lending.test", order: 3, role: "cc" },
    ],
    externalRef: "LN-1001",
    ...overrides,
  };
}

describe("sendForSignature", () => {
  it("uploads a signing, sets its tokenised callback URL, adds the CC and sends it", async () => {
    const receipt = await provider.sendForSignature(loanPackage());
    const id = receipt.id;
    expect(receipt).toEqual({ provider: "authentisign", id, status: "sent" });
    expect(apiRequests(h.server).map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /api/v1/signings",
      `PATCH /api/v1/signings/${id}`,
      "POST /api/v1/ccs/batch",
      `POST /api/v1/signings/${id}/send-signing`,
    ]);
    const form = await formOf(apiRequests(h.server)[0]!);
    expect(form.get("Name")).toBe("Loan LN-1001: closing documents");
    expect(form.get("IsOrdered")).toBe("true");
    expect(form.get("CallbackUrl")).toBeNull();
    expect([form.get("Participants[1].FirstName"), form.get("Participants[1].LastName"), form.get("Participants[1].SignerGroup")]).toEqual(["Gus van", "Guarantor", "2"]);
    expect(form.get("Participants[0].CustomInvitationMessage")).toBe("Please sign your loan documents.");
    expect(form.get("Participants[0].ExternalId")).toBe("LN-1001");
    expect(form.get("Participants[2].FirstName")).toBeNull();
    const stored = h.fake.signing(id);
    expect(stored.callbackUrl).toBe(`${hook.url}/esign/authentisign?as_signing=${id}&as_token=${encodeURIComponent(stored.callbackUrl!.split("as_token=")[1]!)}`);
    expect(stored.ccs.map((c) => [c.firstName, c.lastName, c.email])).toEqual([["Lou", "Officer", "lou@acme-lending.test"]]);
    expect(stored.files.map((f) => f.name)).toEqual(["Loan agreement.pdf", "Personal guarantee.pdf"]);
  });

  it("with send: false leaves a draft", async () => {
    const receipt = await provider.sendForSignature(loanPackage({ send: false }));
    expect(receipt.status).toBe("draft");
    expect(apiRequests(h.server).some((r) => r.path.endsWith("/send-signing"))).toBe(false);
  });

  it("rejects a request without signers, documents or valid emails before any request", async () => {
    const error = await rejection(
      provider.sendForSignature({ subject: "", documents: [], recipients: [{ name: "Lou", email: "lou@", order: 0, role: "cc" }] }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path).sort()).toEqual(["documents", "recipients", "recipients.0.email", "recipients.0.order", "subject"]);
    expect(h.server.requests).toHaveLength(0);
  });

  it("a failed send after the upload is SigningNotSentError, and fallback() does not send it elsewhere", async () => {
    h.fake.failNext({ status: 503, path: "/send-signing", times: 5 });
    let elsewhere = 0;
    const error = await rejection(
      fallback([
        { name: "authentisign", run: () => provider.sendForSignature(loanPackage()) },
        { name: "other", run: async () => ({ provider: "other", id: String(++elsewhere), status: "sent" as const }) },
      ]),
    );
    expect(error).toBeInstanceOf(SigningNotSentError);
    expect(error).toMatchObject({ step: "send", signingId: h.fake.signings()[0]!.id });
    expect(elsewhere).toBe(0);
  });
});

describe("getStatus, events and downloadSigned", () => {
  it("follows the signers to completion: status, normalised events, signed bytes", async () => {
    const { id } = await provider.sendForSignature(loanPackage());
    await h.fake.flush();
    expect((await provider.getStatus(id)).recipients.map((r) => [r.email, r.role, r.order, r.status])).toEqual([
      ["ana@example.com", "signer", 1, "sent"],
      ["gus@example.com", "signer", 2, "pending"],
    ]);
    await h.fake.sign(id, "ana@example.com");
    expect((await provider.getStatus(id)).status).toBe("delivered");
    await h.fake.completeAll(id);

    const status = await provider.getStatus(id);
    expect(status.status).toBe("completed");
    expect(status.recipients.every((r) => r.status === "signed" && typeof r.signedAt === "string")).toBe(true);
    expect(events.map((e) => [e.type, e.recipient?.email, e.signatureId])).toEqual([
      ["sent", undefined, id],
      ["delivered", "ana@example.com", id],
      ["signed-by-recipient", "ana@example.com", id],
      ["delivered", "gus@example.com", id],
      ["signed-by-recipient", "gus@example.com", id],
      ["completed", undefined, id],
    ]);
    expect(events.every((e) => e.provider === "authentisign" && e.externalRef === "LN-1001" && e.eventId.startsWith("authentisign:evt_"))).toBe(true);
    expect(events[2]!.recipient).toEqual({ email: "ana@example.com", name: "Ana Borrower", order: 1 });

    const signed = await provider.downloadSigned(id);
    expect(signed.contentType).toBe("application/pdf");
    expect(Buffer.concat(await signed.body.toArray()).equals(h.fake.signedDocument(id))).toBe(true);
  });

  it("a decline is one declined event with the decliner and the reason; the signing is declined", async () => {
    const { id } = await provider.sendForSignature(loanPackage());
    await h.fake.decline(id, "ana@example.com", "Rate is wrong");
    const declined = events.filter((e) => e.type === "declined");
    expect(declined).toEqual([expect.objectContaining({ type: "declined", signatureId: id, reason: "Rate is wrong", recipient: { email: "ana@example.com", name: "Ana Borrower", order: 1 } })]);
    const status = await provider.getStatus(id);
    expect(status.status).toBe("declined");
    expect(status.recipients[0]).toMatchObject({ status: "declined", declinedReason: "Rate is wrong" });
    await expect(provider.downloadSigned(id)).rejects.toBeInstanceOf(ConflictError);
  });

  it("downloadSigned of an unfinished signing is ConflictError without a download request", async () => {
    const { id } = await provider.sendForSignature(loanPackage());
    const error = await rejection(provider.downloadSigned(id));
    expect(error).toMatchObject({ name: "ConflictError", vendorCode: "SIGNING_NOT_COMPLETED" });
    expect(apiRequests(h.server).some((r) => r.path.includes("/documents/"))).toBe(false);
  });
});

describe("cancel", () => {
  it("voids a sent signing (Authentisign soft delete) and reports a voided event", async () => {
    const { id } = await provider.sendForSignature(loanPackage());
    await provider.cancel(id, "borrower withdrew");
    await h.fake.flush();
    expect((await provider.getStatus(id)).status).toBe("voided");
    expect(events.at(-1)).toMatchObject({ type: "voided", signatureId: id });
  });

  it("refuses a completed signing with ConflictError", async () => {
    const { id } = await provider.sendForSignature(loanPackage());
    await h.fake.completeAll(id);
    await expect(provider.cancel(id, "too late")).rejects.toBeInstanceOf(ConflictError);
  });
});

describe("mapping", () => {
  it("maps an expired signing to voided with reason expired; unknown types are not emitted", () => {
    const base = { id: "evt_1", signingId: "s1", occurredAt: "2030-01-01T00:00:00.000Z", signing: undefined, hint: { type: "x", data: { signingId: "s1" } } };
    expect(toSignatureEvent({ ...base, type: "signing.expired" })).toEqual({ provider: "authentisign", eventId: "authentisign:evt_1", type: "voided", signatureId: "s1", occurredAt: "2030-01-01T00:00:00.000Z", reason: "expired" });
    expect(toSignatureEvent({ ...base, type: "participant.declined" })).toBeUndefined();
    expect(toSignatureEvent({ ...base, type: "signing.reminded" })).toBeUndefined();
  });

  it("healthCheck is the client's", async () => {
    await expect(provider.healthCheck()).resolves.toMatchObject({ status: "healthy" });
  });
});

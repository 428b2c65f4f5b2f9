// One conformance suite for core's shared e-signature interface (ESignatureProvider). It is
// written against the interface only and runs unchanged for every provider in PROVIDERS: each
// harness creates the provider against its own fake on loopback, with its callbacks verified
// by a local receiver; signers are driven through the fake.
import { ConflictError, IntegrationError, ValidationError, type SignatureEvent } from "@connect/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loanPackage } from "./loan-package.mjs";
import { PROVIDERS, startProvider, type ProviderFixture } from "./providers.mjs";

const SIGNERS = ["ana.borrower@example.com", "gus.guarantor@example.com", "gina.guarantor@example.com"];

describe.each(PROVIDERS)("ESignatureProvider conformance: %s", (name) => {
  let p: ProviderFixture;
  beforeEach(async () => {
    p = await startProvider(name);
  });
  afterEach(async () => {
    await p.close();
  });

  const eventsOf = (id: string, type?: SignatureEvent["type"]) => p.events.filter((e) => e.signatureId === id && (!type || e.type === type));

  it("sends the package: receipt, status sent, signers in routing order", async () => {
    const receipt = await p.provider.sendForSignature(loanPackage());
    expect(p.provider.provider).toBe(name);
    expect(receipt).toEqual({ provider: name, id: expect.any(String), status: "sent" });
    const status = await p.provider.getStatus(receipt.id);
    expect(status).toMatchObject({ provider: name, id: receipt.id, status: "sent" });
    const signers = status.recipients.filter((r) => r.role === "signer");
    expect(signers.map((r) => [r.email, r.order])).toEqual([
      ["ana.borrower@example.com", 1],
      ["gus.guarantor@example.com", 2],
      ["gina.guarantor@example.com", 2],
    ]);
    // The borrower is invited first; the guarantors wait for order 2.
    expect(signers.map((r) => r.status)).toEqual(["sent", expect.stringMatching(/^(pending|sent)$/), expect.stringMatching(/^(pending|sent)$/)]);
    expect(signers[1]!.status).not.toBe("signed");
  });

  it("a draft stays a draft with send: false", async () => {
    const receipt = await p.provider.sendForSignature({ ...loanPackage(), send: false });
    expect(receipt.status).toBe("draft");
    expect((await p.provider.getStatus(receipt.id)).status).toBe("draft");
  });

  it("completes when every signer signs: status, verified callback events, signed bytes", async () => {
    const pkg = loanPackage();
    const { id } = await p.provider.sendForSignature(pkg);
    await p.completeAll(id);
    const completed = await p.waitForEvent((e) => e.signatureId === id && e.type === "completed");

    const status = await p.provider.getStatus(id);
    expect(status.status).toBe("completed");
    for (const r of status.recipients.filter((x) => x.role === "signer")) {
      expect(r.status).toBe("signed");
      expect(Number.isNaN(Date.parse(r.signedAt ?? ""))).toBe(false);
    }
    expect(completed).toMatchObject({ provider: name, type: "completed", signatureId: id });
    expect(Number.isNaN(Date.parse(completed.occurredAt))).toBe(false);
    expect(eventsOf(id, "completed")).toHaveLength(1);
    expect(new Set(eventsOf(id, "signed-by-recipient").map((e) => e.recipient?.email))).toEqual(new Set(SIGNERS));
    expect(eventsOf(id, "declined")).toEqual([]);
    const ids = eventsOf(id).map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);

    const signed = await p.provider.downloadSigned(id);
    expect(signed.contentType).toBe("application/pdf");
    const bytes = Buffer.concat(await signed.body.toArray());
    expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    // One signed PDF holding every document's pages (DocuSign merges them into one file).
    const pages = bytes.toString("latin1").match(/\/Type\s*\/Page(?![a-z])/g) ?? [];
    expect(pages.length).toBeGreaterThanOrEqual(pkg.documents.length);
    const exact = p.signedBytes(id);
    if (exact) expect(bytes.equals(exact)).toBe(true);
  });

  it("a decline: status declined, one declined event with the decliner and the reason, nothing completes", async () => {
    const { id } = await p.provider.sendForSignature(loanPackage());
    await p.decline(id, "ana.borrower@example.com", "The rate is not what we agreed");
    const declined = await p.waitForEvent((e) => e.signatureId === id && e.type === "declined");

    expect(declined).toMatchObject({ provider: name, reason: "The rate is not what we agreed", recipient: expect.objectContaining({ email: "ana.borrower@example.com" }) });
    expect(eventsOf(id, "declined")).toHaveLength(1);
    expect(eventsOf(id, "completed")).toEqual([]);
    const status = await p.provider.getStatus(id);
    expect(status.status).toBe("declined");
    expect(status.recipients.find((r) => r.email === "ana.borrower@example.com")).toMatchObject({ status: "declined", declinedReason: "The rate is not what we agreed" });
    await expect(p.provider.downloadSigned(id)).rejects.toBeInstanceOf(ConflictError);
  });

  it("cancel voids an unfinished request and reports a voided event", async () => {
    const { id } = await p.provider.sendForSignature(loanPackage());
    await p.provider.cancel(id, "Borrower withdrew the application");
    await p.settled();
    expect((await p.provider.getStatus(id)).status).toBe("voided");
    await expect(p.waitForEvent((e) => e.signatureId === id && e.type === "voided")).resolves.toMatchObject({ provider: name, type: "voided" });
  });

  it("cancel of a completed request is refused with ConflictError; it stays completed", async () => {
    const { id } = await p.provider.sendForSignature(loanPackage());
    await p.completeAll(id);
    const error = await p.provider.cancel(id, "too late").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as IntegrationError).vendor).toBe(name);
    expect((await p.provider.getStatus(id)).status).toBe("completed");
  });

  it("downloadSigned before completion is ConflictError", async () => {
    const { id } = await p.provider.sendForSignature(loanPackage());
    await expect(p.provider.downloadSigned(id)).rejects.toBeInstanceOf(ConflictError);
  });

  it("a request without signers or documents is a ValidationError before any request reaches the vendor", async () => {
    const before = p.requestCount();
    const error = await p.provider
      .sendForSignature({ subject: "Loan LN-1001", documents: [], recipients: [{ name: "Lou Officer", email: "not-an-email", order: 1 }] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.length).toBeGreaterThan(0);
    expect(p.requestCount()).toBe(before);
  });

  it("healthCheck is healthy against the fake", async () => {
    await expect(p.provider.healthCheck()).resolves.toMatchObject({ status: "healthy" });
  });
});

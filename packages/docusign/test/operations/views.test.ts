// envelopes.createRecipientView — embedded signing (DocuSign eSignature REST: EnvelopeViews: createRecipient).
import { ConflictError, NotFoundError, ValidationError } from "@connect/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loanEnvelope, rejection, requestsTo, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

function embeddedEnvelope() {
  const base = loanEnvelope();
  return {
    ...base,
    recipients: {
      signers: [
        { ...base.recipients.signers[0]!, clientUserId: "borrower-1" },
        { ...base.recipients.signers[1]!, clientUserId: "guarantor-1" },
      ],
    },
  };
}

const ann = { userName: "Ann Lee", email: "ann@example.com", clientUserId: "borrower-1", returnUrl: "https://app.example/return?loan=L-1001" };

describe("envelopes.createRecipientView", () => {
  it("POSTs DocuSign's RecipientViewRequest (authenticationMethod defaults to none) and returns the one-time signing URL", async () => {
    const { envelopeId } = await h.client.envelopes.create(embeddedEnvelope());
    const view = await h.client.envelopes.createRecipientView({ envelopeId, ...ann, pingFrequency: 600, pingUrl: "https://app.example/ping" });

    expect(view).toEqual({ url: h.fake.signingSessions[0]!.url });
    const [sent] = requestsTo(h.server, `/envelopes/${envelopeId}/views/recipient`, "POST");
    expect(JSON.parse(sent!.text)).toEqual({
      returnUrl: "https://app.example/return?loan=L-1001",
      authenticationMethod: "none",
      userName: "Ann Lee",
      email: "ann@example.com",
      clientUserId: "borrower-1",
      pingUrl: "https://app.example/ping",
      pingFrequency: "600",
    });
    // The signer's browser follows the URL: the fake signs for Ann and sends the browser back with event=signing_complete.
    const visit = await fetch(view.url, { redirect: "manual" });
    expect(visit.headers.get("location")).toBe("https://app.example/return?loan=L-1001&event=signing_complete");
    const recipients = await h.client.recipients.list({ envelopeId });
    expect(recipients.signers.map((s) => [s.email, s.status])).toEqual([["ann@example.com", "completed"], ["gus@example.com", "sent"]]);
  });

  it("the second signer gets a URL once the first has signed; before that DocuSign refuses with RECIPIENT_NOT_IN_SEQUENCE → ConflictError", async () => {
    const { envelopeId } = await h.client.envelopes.create(embeddedEnvelope());
    const gus = { envelopeId, userName: "Gus Grant", email: "gus@example.com", clientUserId: "guarantor-1", returnUrl: "https://app.example/return" };
    const early = (await rejection(h.client.envelopes.createRecipientView(gus))) as ConflictError;
    expect(early).toBeInstanceOf(ConflictError);
    expect({ status: early.status, vendorCode: early.vendorCode, retryable: early.retryable }).toEqual({ status: 400, vendorCode: "RECIPIENT_NOT_IN_SEQUENCE", retryable: false });
    await h.fake.sign(envelopeId, "ann@example.com");
    expect((await h.client.envelopes.createRecipientView(gus)).url).toMatch(/\/Signing\/MTRedeem\/v1\//);
  });

  it("a recipient DocuSign cannot match is UNKNOWN_ENVELOPE_RECIPIENT → ValidationError, not retried", async () => {
    const { envelopeId } = await h.client.envelopes.create(embeddedEnvelope());
    const error = (await rejection(h.client.envelopes.createRecipientView({ envelopeId, ...ann, clientUserId: "borrower-2" }))) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect({ vendorCode: error.vendorCode, attempts: error.attempts }).toEqual({ vendorCode: "UNKNOWN_ENVELOPE_RECIPIENT", attempts: 1 });
  });

  it("an unknown envelope is a NotFoundError (ENVELOPE_DOES_NOT_EXIST)", async () => {
    const error = (await rejection(h.client.envelopes.createRecipientView({ envelopeId: "5a1b2c3d-0000-4000-8000-00000000dead", ...ann }))) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.vendorCode).toBe("ENVELOPE_DOES_NOT_EXIST");
  });

  it("bad input (relative returnUrl, missing email) is a ValidationError before any request", async () => {
    const relative = (await rejection(h.client.envelopes.createRecipientView({ envelopeId: "5a1b2c3d-0000-4000-8000-000000000001", ...ann, returnUrl: "/return" }))) as ValidationError;
    const noEmail = (await rejection(h.client.envelopes.createRecipientView({ envelopeId: "5a1b2c3d-0000-4000-8000-000000000001", userName: "Ann Lee", returnUrl: "https://app.example/r" } as never))) as ValidationError;
    expect(relative).toBeInstanceOf(ValidationError);
    expect(relative.issues?.map((i) => i.path)).toEqual(["returnUrl"]);
    expect(noEmail.issues?.map((i) => i.path)).toEqual(["email"]);
    expect(h.server.requests).toHaveLength(0);
  });
});

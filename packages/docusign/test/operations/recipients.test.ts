import { NotFoundError } from "@connect/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loanEnvelope, rejection, requestsTo, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

describe("recipients.list", () => {
  it("lists signers and carbon copies with numeric routing orders, following the signing order", async () => {
    const { envelopeId } = await h.client.envelopes.create(
      loanEnvelope({
        recipients: {
          signers: [
            { name: "Ann Lee", email: "ann@example.com", routingOrder: 1 },
            { name: "Gus Grant", email: "gus@example.com", routingOrder: 2 },
          ],
          carbonCopies: [{ name: "Closing desk", email: "closing@acme-lending.test", routingOrder: 3 }],
        },
      }),
    );
    const first = await h.client.recipients.list({ envelopeId });
    expect(first.currentRoutingOrder).toBe(1);
    expect(first.recipientCount).toBe(3);
    expect(first.signers.map((s) => ({ id: s.recipientId, email: s.email, order: s.routingOrder, status: s.status }))).toEqual([
      { id: "1", email: "ann@example.com", order: 1, status: "sent" },
      { id: "2", email: "gus@example.com", order: 2, status: "created" },
    ]);
    expect(first.carbonCopies.map((c) => [c.email, c.routingOrder, c.status])).toEqual([["closing@acme-lending.test", 3, "created"]]);

    await h.fake.sign(envelopeId, "ann@example.com");
    const second = await h.client.recipients.list({ envelopeId });
    expect(second.currentRoutingOrder).toBe(2);
    expect(second.signers.map((s) => s.status)).toEqual(["completed", "sent"]);
    expect(second.signers[0]!.signedDateTime).toMatch(/Z$/);

    await h.fake.sign(envelopeId, "gus@example.com");
    const done = await h.client.recipients.list({ envelopeId });
    expect(done.signers.map((s) => s.status)).toEqual(["completed", "completed"]);
    expect(done.carbonCopies[0]!.status).toBe("completed");
  });

  it("include_tabs returns the tabs with positions as numbers", async () => {
    const { envelopeId } = await h.client.envelopes.create(
      loanEnvelope({
        recipients: { signers: [{ name: "Ann Lee", email: "ann@example.com", tabs: { dateSignedTabs: [{ documentId: "1", pageNumber: 2, xPosition: 300, yPosition: 700 }] } }] },
      }),
    );
    const list = await h.client.recipients.list({ envelopeId, includeTabs: true });
    expect(list.signers[0]!.tabs).toEqual({ dateSignedTabs: [{ documentId: "1", pageNumber: 2, xPosition: 300, yPosition: 700 }] });
    expect(requestsTo(h.server, "/recipients")[0]!.url.endsWith("?include_tabs=true")).toBe(true);
  });

  it("an unknown envelope is a NotFoundError", async () => {
    const error = await rejection(h.client.recipients.list({ envelopeId: "5a1b2c3d-0000-4000-8000-00000000dead" }));
    expect(error).toBeInstanceOf(NotFoundError);
  });
});

import { NotFoundError, UnknownOutcomeError, ValidationError } from "@connect/core";
import { scripted } from "@connect/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiRequests, loanSigning, rejection, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

describe("participants.list", () => {
  it("returns the typed participants with their progress", async () => {
    const signing = await h.client.signings.create({ ...loanSigning(), send: true });
    await h.fake.view(signing.id, "ana@example.com");
    h.server.requests.length = 0;
    const participants = await h.client.participants.list({ signingId: signing.id });

    expect(apiRequests(h.server).map((r) => `${r.method} ${r.path}`)).toEqual([`GET /api/v1/signings/${signing.id}/participants`]);
    expect(participants.map((p) => ({ name: `${p.firstName} ${p.lastName}`, role: p.role, order: p.order, displayOrder: p.displayOrder, status: p.status, viewed: p.viewedAt !== undefined }))).toEqual([
      { name: "Ana Borrower", role: "Borrower", order: 1, displayOrder: 1, status: "viewed", viewed: true },
      { name: "Gus Guarantor", role: "Guarantor", order: 2, displayOrder: 2, status: "pending", viewed: false },
    ]);
    expect(participants[0]!.id).toBe(h.fake.signing(signing.id).participants[0]!.id);
  });

  it("an unknown signing is NotFoundError", async () => {
    await expect(h.client.participants.list({ signingId: "nope" })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("ccs.add", () => {
  it("posts a camelCase JSON array with the signing id and display order; the fake stores the CCs", async () => {
    const signing = await h.client.signings.create(loanSigning());
    h.server.requests.length = 0;
    const result = await h.client.ccs.add({ signingId: signing.id, ccs: [{ firstName: "Lou", lastName: "Officer", email: "lou@acme-lending.test", saveToContacts: true }] });

    expect(result).toEqual({ signingId: signing.id, added: 1 });
    const [request] = apiRequests(h.server);
    expect(`${request!.method} ${request!.path}`).toBe("POST /api/v1/ccs/batch");
    expect(JSON.parse(request!.text)).toEqual([{ signingId: signing.id, displayOrder: 1, firstName: "Lou", lastName: "Officer", email: "lou@acme-lending.test", saveToContacts: true }]);
    expect(h.fake.signing(signing.id).ccs).toEqual([{ firstName: "Lou", lastName: "Officer", email: "lou@acme-lending.test", displayOrder: 1, externalId: null, saveToContacts: true }]);
  });

  it("an invalid email is refused before any request", async () => {
    const error = await rejection(h.client.ccs.add({ signingId: "s", ccs: [{ firstName: "Lou", lastName: "Officer", email: "lou" }] }));
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(["ccs.0.email"]);
    expect(h.server.requests).toHaveLength(0);
  });

  it("the vendor refuses CCs on a finished signing with a 400 listing the detail", async () => {
    const signing = await h.client.signings.create({ ...loanSigning(), send: true });
    await h.fake.completeAll(signing.id);
    const error = await rejection(h.client.ccs.add({ signingId: signing.id, ccs: [{ firstName: "Lou", lastName: "Officer", email: "lou@acme-lending.test" }] }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: "(root)", message: `[0].signingId ${signing.id} is completed.` }]);
  });

  it("is not retried after a 5xx (a CC could be added twice): UnknownOutcomeError after one attempt", async () => {
    const signing = await h.client.signings.create(loanSigning());
    h.server.use(scripted("post", "*/api/v1/ccs/batch", [503]).handler);
    const error = await rejection(h.client.ccs.add({ signingId: signing.id, ccs: [{ firstName: "Lou", lastName: "Officer", email: "lou@acme-lending.test" }] }));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ attempts: 1, status: 503, operation: "ccs.add" });
    expect(apiRequests(h.server).filter((r) => r.path === "/api/v1/ccs/batch")).toHaveLength(1);
  });
});

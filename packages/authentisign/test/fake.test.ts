// The fake on its own, through raw fetch: what it refuses (with the vendor's bodies), the
// shapes it answers, its control surface, and that overrides reset.
import { NOT_IMPLEMENTED_HEADER, serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { ParticipantWire, SigningWire } from "@connect/authentisign";
import { createAuthentisignFake, type AuthentisignFake } from "@connect/authentisign/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pdf } from "./helpers.js";

let fake: AuthentisignFake;
let server: ServedHandlers;
let bearer: string;

async function token(body: Record<string, unknown>, contentType = "application/json"): Promise<Response> {
  return fetch(`${server.url}/oauth/token`, { method: "POST", headers: { "content-type": contentType }, body: JSON.stringify(body) });
}

const goodToken = { grant_type: "client_credentials", client_id: "fake-client-id", client_secret: "fake-client-secret-0000", audience: "https://api.lwolf.com" };

function form(entries: Array<[string, string | Blob, string?]>): FormData {
  const data = new FormData();
  for (const [key, value, name] of entries) {
    if (typeof value === "string") data.append(key, value);
    else data.append(key, value, name);
  }
  return data;
}

const api = (path: string, init: RequestInit = {}) => fetch(`${server.url}/authentisign/api/v1${path}`, { ...init, headers: { authorization: bearer, ...(init.headers as Record<string, string>) } });

const validForm = () =>
  form([
    ["Name", "Package"],
    ["Participants[0].FirstName", "Ana"],
    ["Participants[0].LastName", "Borrower"],
    ["Participants[0].Email", "ana@example.com"],
    ["Participants[0].Type", "0"],
    ["Files", new Blob([new Uint8Array(pdf("x"))], { type: "application/pdf" }), "x.pdf"],
  ]);

beforeEach(async () => {
  fake = createAuthentisignFake();
  server = await serveHandlers(fake.handlers);
  bearer = `Bearer ${((await (await token(goodToken)).json()) as { access_token: string }).access_token}`;
});
afterEach(async () => {
  await server.close();
});

describe("token endpoint", () => {
  it("issues a 24 h bearer token for the right credentials", async () => {
    const response = await token(goodToken);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ access_token: expect.stringMatching(/^lwt_/), token_type: "Bearer", expires_in: 86_400 });
  });

  it("refuses a form body, another grant, bad credentials and another audience", async () => {
    const cases = await Promise.all([
      token(goodToken, "application/x-www-form-urlencoded"),
      token({ ...goodToken, grant_type: "password" }),
      token({ ...goodToken, client_secret: "nope" }),
      token({ ...goodToken, audience: "https://elsewhere" }),
    ]);
    expect(await Promise.all(cases.map(async (r) => [r.status, ((await r.json()) as { error: string }).error]))).toEqual([
      [400, "invalid_request"],
      [400, "unsupported_grant_type"],
      [401, "access_denied"],
      [403, "access_denied"],
    ]);
  });
});

describe("API refusals", () => {
  it("401 ProblemDetails without a valid bearer token", async () => {
    const response = await fetch(`${server.url}/authentisign/api/v1/signings`);
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toMatchObject({ title: "Unauthorized", status: 401, instance: "/authentisign/api/v1/signings" });
  });

  it("415 for a JSON create body; 400 listing every problem of a bad form", async () => {
    const json = await api("/signings", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "x" }) });
    expect(json.status).toBe(415);
    const bad = await api("/signings", {
      method: "POST",
      body: form([
        ["Participants[0].FirstName", "Ana"],
        ["Participants[0].Type", "7"],
        ["Participants[0].Email", "ana@"],
        ["Participants[2].FirstName", "Skipped"],
        ["ExpirationDate", "2001-01-01T00:00:00Z"],
        ["IsOrdered", "yes"],
      ]),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      code: 400,
      message: "One or more validation errors occurred.",
      details: [
        "Name is required.",
        "Participants[1] is missing (indexes must be 0-based and contiguous).",
        "Participants[0].LastName is required.",
        "Participants[0].Type 7 is not a valid participant type.",
        "Participants[0].Email 'ana@' is not a valid e-mail address.",
        "Participants[2].LastName is required.",
        "Participants[2].Type is required.",
        "Files is required when no LayoutId is given.",
        "ExpirationDate must be in the future.",
        "IsOrdered 'yes' is not a boolean.",
      ],
    });
    expect(fake.signings()).toHaveLength(0);
  });

  it("binds form keys case-insensitively, as ASP.NET does", async () => {
    const response = await api("/signings", {
      method: "POST",
      body: form([
        ["name", "Lower-case keys"],
        ["participants[0].firstname", "Ana"],
        ["participants[0].lastname", "Borrower"],
        ["participants[0].type", "0"],
        ["files", new Blob([new Uint8Array(pdf("x"))], { type: "application/pdf" }), "x.pdf"],
      ]),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { name: string }).name).toBe("Lower-case keys");
  });

  it("refuses to send a signing whose signer has no email (ProblemDetails)", async () => {
    const created = await api("/signings", {
      method: "POST",
      body: form([
        ["Name", "No email"],
        ["Participants[0].FirstName", "Ana"],
        ["Participants[0].LastName", "Borrower"],
        ["Participants[0].Type", "0"],
        ["Files", new Blob([new Uint8Array(pdf("x"))], { type: "application/pdf" }), "x.pdf"],
      ]),
    });
    const { id } = (await created.json()) as { id: string };
    const sent = await api(`/signings/${id}/send-signing`, { method: "POST" });
    expect(sent.status).toBe(400);
    expect(await sent.json()).toMatchObject({ title: "Signing cannot be sent", detail: "Participant Ana Borrower has no email address.", status: 400 });
  });

  it("an endpoint the fake does not implement is a 501 naming the fake and the request, not a vendor 404 (issue 21)", async () => {
    const response = await api("/layouts");
    expect(response.status).toBe(501);
    expect(response.headers.get(NOT_IMPLEMENTED_HEADER)).toBe("@connect/authentisign/testing");
    expect(await response.json()).toEqual({
      error: "not_implemented_by_fake",
      message: "not implemented by @connect/authentisign/testing fake: GET /authentisign/api/v1/layouts",
      fake: "@connect/authentisign/testing",
      method: "GET",
      path: "/authentisign/api/v1/layouts",
    });
  });
});

describe("shapes, state and control", () => {
  it("answers the assumed wire shapes for signings and participants", async () => {
    const created = await api("/signings", { method: "POST", body: validForm() });
    const signing = (await created.json()) as { id: string };
    expect(SigningWire.strict().safeParse(signing).success).toBe(true);
    const participants = (await (await api(`/signings/${signing.id}/participants`)).json()) as unknown[];
    expect(participants.every((p) => ParticipantWire.strict().safeParse(p).success)).toBe(true);
  });

  it("invites ordered signer groups one after the other and completes on the last signature", async () => {
    const body = validForm();
    body.append("IsOrdered", "true");
    body.append("Participants[1].FirstName", "Gus");
    body.append("Participants[1].LastName", "Guarantor");
    body.append("Participants[1].Email", "gus@example.com");
    body.append("Participants[1].Type", "0");
    body.append("Participants[1].SignerGroup", "2");
    const { id } = (await (await api("/signings", { method: "POST", body })).json()) as { id: string };
    await api(`/signings/${id}/send-signing`, { method: "POST" });
    const statuses = () => fake.signing(id).participants.map((p) => p.status);
    expect(statuses()).toEqual(["sent", "pending"]);
    await expect(fake.sign(id, "gus@example.com")).rejects.toThrow(/is pending, not invited/);
    await fake.sign(id, "ana@example.com");
    expect(statuses()).toEqual(["signed", "sent"]);
    expect(fake.signing(id).status).toBe("in_progress");
    await fake.completeAll(id);
    expect([fake.signing(id).status, ...statuses()]).toEqual(["completed", "signed", "signed"]);
    await expect(fake.decline(id, "ana@example.com", "late")).rejects.toThrow(/it is completed/);
  });

  it("failNext answers the next matching request once; reset() forgets signings, tokens and overrides", async () => {
    fake.failNext({ status: 503, path: "/api/v1/signings" });
    fake.failNext({ status: 500, path: "/api/v1/nothing-matches-this" });
    expect((await api("/signings")).status).toBe(503);
    expect((await api("/signings")).status).toBe(200);
    await api("/signings", { method: "POST", body: validForm() });
    expect(fake.signings()).toHaveLength(1);
    fake.reset();
    expect(fake.signings()).toHaveLength(0);
    expect((await api("/signings")).status).toBe(401);
    bearer = `Bearer ${((await (await token(goodToken)).json()) as { access_token: string }).access_token}`;
    expect((await api("/nothing-matches-this")).status).toBe(501);
  });

  it("tokens expire after their lifetime on the fake's clock", async () => {
    let clock = Date.parse("2030-01-01T00:00:00Z");
    fake = createAuthentisignFake({ now: () => clock, tokenTtlSeconds: 60 });
    await server.close();
    server = await serveHandlers(fake.handlers);
    bearer = `Bearer ${((await (await token(goodToken)).json()) as { access_token: string }).access_token}`;
    expect((await api("/signings")).status).toBe(200);
    clock += 61_000;
    const expired = await api("/signings");
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { detail: string }).detail).toBe("The access token expired.");
  });

  it("control methods refuse unknown signings and participants", async () => {
    await expect(fake.completeAll("nope")).rejects.toThrow(/no signing nope/);
    const { id } = (await (await api("/signings", { method: "POST", body: validForm() })).json()) as { id: string };
    await expect(fake.view(id, "ana@example.com")).rejects.toThrow(/it is draft/);
    await api(`/signings/${id}/send-signing`, { method: "POST" });
    await expect(fake.decline(id, "zed@example.com", "x")).rejects.toThrow(/no participant zed@example.com/);
    expect(() => fake.signedDocument(id)).toThrow(/not completed/);
  });
});

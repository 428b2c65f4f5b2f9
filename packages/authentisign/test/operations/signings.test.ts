import { Readable } from "node:stream";
import { ConflictError, NotFoundError, ValidationError } from "@connect/core";
import { scripted } from "@connect/core/testing";
import { createAuthentisignClient, SigningNotSentError, SigningWire, type Signing } from "@connect/authentisign";
import { getResponse, http, HttpResponse } from "msw";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiRequests, formOf, loanSigning, pdf, rejection, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup({ client: { externalId: "7f0c1d2e-0000-4000-8000-000000000001" } });
});
afterEach(async () => {
  await h.close();
});

/** Let the first create reach the fake, then lose its response (the vendor did the work). */
function createThenLose(status: number) {
  let calls = 0;
  return {
    handler: http.post("*/api/v1/signings", async ({ request }) => {
      if (calls > 0) return undefined;
      calls += 1;
      await getResponse(h.fake.handlers, request);
      return HttpResponse.json({ code: status, message: "upstream timeout", details: [] }, { status });
    }),
  };
}

describe("signings.create", () => {
  it("uploads multipart with ASP.NET indexed participant keys and repeated Files parts, and returns the typed draft", async () => {
    const signing = await h.client.signings.create(
      loanSigning({ expirationDate: "2099-01-31T00:00:00Z", reminderDay: 2, reminderHour: 9, fields: { loanNumber: "LN-1001" }, transactionId: "td-77" }),
    );

    const [post] = apiRequests(h.server);
    expect(post!.method).toBe("POST");
    expect(post!.path).toBe("/api/v1/signings");
    expect(post!.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(post!.headers.authorization).toMatch(/^Bearer lwt_/);
    expect(post!.headers.externalid).toBe("7f0c1d2e-0000-4000-8000-000000000001");
    const form = await formOf(post!);
    const scalars = [...form.entries()].filter(([, v]) => typeof v === "string");
    expect(Object.fromEntries(scalars)).toEqual({
      Name: "Loan LN-1001 closing package",
      IsOrdered: "true",
      "Participants[0].FirstName": "Ana",
      "Participants[0].LastName": "Borrower",
      "Participants[0].Email": "ana@example.com",
      "Participants[0].ParticipantRole": "Borrower",
      "Participants[0].Type": "0",
      "Participants[0].DisplayOrder": "1",
      "Participants[0].SignerGroup": "1",
      "Participants[1].FirstName": "Gus",
      "Participants[1].LastName": "Guarantor",
      "Participants[1].Email": "gus@example.com",
      "Participants[1].ParticipantRole": "Guarantor",
      "Participants[1].Type": "0",
      "Participants[1].DisplayOrder": "2",
      "Participants[1].SignerGroup": "2",
      ExpirationDate: "2099-01-31T00:00:00Z",
      ReminderDay: "2",
      ReminderHour: "9",
      TransactionId: "td-77",
      "Fields[loanNumber]": "LN-1001",
    });
    const files = form.getAll("Files") as File[];
    expect(files.map((f) => [f.name, f.type])).toEqual([
      ["Loan agreement.pdf", "application/pdf"],
      ["Promissory note.pdf", "application/pdf"],
    ]);
    expect(Buffer.from(await files[1]!.arrayBuffer())).toEqual(pdf("promissory note"));

    const stored = h.fake.signing(signing.id);
    expect(stored.status).toBe("draft");
    expect(stored.files.map((f) => f.bytes)).toEqual([pdf("loan agreement"), pdf("promissory note")]);
    expect(stored.fields).toEqual({ loanNumber: "LN-1001" });
    expect(signing).toMatchObject({
      name: "Loan LN-1001 closing package",
      status: "draft",
      statusId: 1,
      isOrdered: true,
      transactionId: "td-77",
      externalId: "7f0c1d2e-0000-4000-8000-000000000001",
      expiresAt: "2099-01-31T00:00:00Z",
    });
    expect(signing.participants.map((p) => [p.firstName, p.lastName, p.email, p.order, p.kind, p.status])).toEqual([
      ["Ana", "Borrower", "ana@example.com", 1, "signer", "pending"],
      ["Gus", "Guarantor", "gus@example.com", 2, "signer", "pending"],
    ]);
  });

  it("the fake answers exactly the assumed Signing wire shape", async () => {
    await h.client.signings.create(loanSigning());
    const response = await fetch(`${h.server.url}/authentisign/api/v1/signings`, { headers: { authorization: apiRequests(h.server)[0]!.headers.authorization! } });
    const [wire] = (await response.json()) as unknown[];
    expect(SigningWire.strict().safeParse(wire).success).toBe(true);
  });

  it("reads a Readable once and uploads its bytes", async () => {
    const bytes = Buffer.concat([pdf("streamed"), Buffer.alloc(200_000, 7)]);
    const signing = await h.client.signings.create(loanSigning({ files: [{ name: "Guarantee.pdf", content: Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]) }] }));
    expect(h.fake.signing(signing.id).files[0]!.bytes.equals(bytes)).toBe(true);
  });

  it("with send: true, sends it too: the first signer group is invited, the next waits", async () => {
    const signing = await h.client.signings.create({ ...loanSigning(), send: true });

    expect(apiRequests(h.server).map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /api/v1/signings",
      `POST /api/v1/signings/${signing.id}/send-signing`,
      `GET /api/v1/signings/${signing.id}`,
    ]);
    expect(signing.status).toBe("sent");
    expect(signing.participants.map((p) => p.status)).toEqual(["sent", "pending"]);
  });

  it("rejects bad input with every field listed, before any request (not even for a token)", async () => {
    const error = await rejection(
      h.client.signings.create({
        name: " ",
        participants: [{ firstName: "Ana", lastName: "", email: "not-an-email" }],
        files: [],
        callbackUrl: "not a url",
      }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path).sort()).toEqual(["callbackUrl", "files", "name", "participants.0.email", "participants.0.lastName"]);
    expect(h.server.requests).toHaveLength(0);
  });

  it("rejects a past expirationDate and a missing file before any request", async () => {
    const error = await rejection(h.client.signings.create(loanSigning({ expirationDate: "2001-01-01T00:00:00Z", files: [] })));
    expect((error as ValidationError).issues.map((i) => `${i.path}: ${i.message}`)).toEqual(["files: at least one file (or a layoutId)", "expirationDate: must be in the future"]);
    expect(h.server.requests).toHaveLength(0);
  });

  it("maps the vendor's {code,message,details} 400 to ValidationError with each detail as an issue", async () => {
    const error = await rejection(h.client.signings.create(loanSigning({ files: [{ name: "notes.txt", content: Buffer.from("hi"), contentType: "text/plain" }] })));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      status: 400,
      vendor: "authentisign",
      operation: "signings.create",
      vendorCode: "400",
      vendorMessage: "One or more validation errors occurred.; Files: notes.txt is text/plain; only PDF files are supported.",
      issues: [{ path: "(root)", message: "Files: notes.txt is text/plain; only PDF files are supported." }],
    });
    expect(h.fake.signings()).toHaveLength(0);
  });

  it("after a lost response, lists signings and returns the one the first attempt created instead of uploading again", async () => {
    h.server.use(createThenLose(504).handler);
    const signing = await h.client.signings.create(loanSigning());

    expect(h.fake.signings()).toHaveLength(1);
    expect(signing.id).toBe(h.fake.signings()[0]!.id);
    const calls = apiRequests(h.server).map((r) => `${r.method} ${r.path.split("?")[0]}`);
    expect(calls).toEqual(["POST /api/v1/signings", "GET /api/v1/signings"]);
    const list = apiRequests(h.server)[1]!;
    expect(list.url).toContain("SortBy=CreatedDate&SortDescending=true&SkipItems=0&ItemLimit=50");
    expect(list.headers.externalid).toBe("7f0c1d2e-0000-4000-8000-000000000001");
  });

  it("after a 5xx that created nothing, the check finds nothing and the upload is sent again, once", async () => {
    const fault = scripted("post", "*/api/v1/signings", [503]);
    h.server.use(fault.handler);
    const signing = await h.client.signings.create(loanSigning());

    expect(fault.calls).toBe(1);
    expect(h.fake.signings().map((s) => s.id)).toEqual([signing.id]);
    expect(apiRequests(h.server).map((r) => `${r.method} ${r.path.split("?")[0]}`)).toEqual(["POST /api/v1/signings", "GET /api/v1/signings", "POST /api/v1/signings"]);
  });

  it("does not mistake an older signing with the same name, or another externalId's, for the lost one", async () => {
    const old = await h.client.signings.create(loanSigning());
    h.fake.signing(old.id).createdDate = new Date(Date.now() - 3_600_000).toISOString();
    const other = createAuthentisignClient({ ...h.options, externalId: "7f0c1d2e-0000-4000-8000-000000000002" });
    await other.signings.create(loanSigning());
    await other.close();
    h.server.use(scripted("post", "*/api/v1/signings", [502]).handler);

    const signing = await h.client.signings.create(loanSigning());
    expect(h.fake.signings()).toHaveLength(3);
    expect([old.id]).not.toContain(signing.id);
    expect(h.fake.signing(signing.id).externalId).toBe("7f0c1d2e-0000-4000-8000-000000000001");
  });

  it("when the send after the upload fails, throws SigningNotSentError with the draft's id; the draft stays unsent", async () => {
    h.fake.failNext({ status: 400, method: "POST", path: "/send-signing", body: { type: "https://tools.ietf.org/html/rfc7231#section-6.5.1", title: "Signing cannot be sent", status: 400, detail: "Participant has no email address.", instance: "/x" } });
    const error = await rejection(h.client.signings.create({ ...loanSigning(), send: true }));

    expect(error).toBeInstanceOf(SigningNotSentError);
    const created = h.fake.signings()[0]!;
    expect(error).toMatchObject({ signingId: created.id, step: "send", retryable: false, status: 400, vendorCode: "https://tools.ietf.org/html/rfc7231#section-6.5.1" });
    expect((error as SigningNotSentError).cause).toBeInstanceOf(ValidationError);
    expect(created.status).toBe("draft");
  });
  it("with send: true, a failed re-read after a successful send still returns the signing (sent), not an error", async () => {
    h.server.use(http.get("*/api/v1/signings/:id", () => HttpResponse.json({ code: 503, message: "Service Unavailable", details: [] }, { status: 503 })));
    const signing = await h.client.signings.create({ ...loanSigning(), send: true });
    expect(signing.status).toBe("sent");
    expect(h.fake.signing(signing.id).status).toBe("sent");
    expect(apiRequests(h.server).filter((r) => r.method === "GET")).toHaveLength(3);
  });
});

describe("signings.send", () => {
  let draft: Signing;
  beforeEach(async () => {
    draft = await h.client.signings.create(loanSigning());
    h.server.requests.length = 0;
  });

  it("posts send-signing with the externalId header; the fake invites the first group", async () => {
    await expect(h.client.signings.send({ signingId: draft.id })).resolves.toEqual({ signingId: draft.id, status: "sent" });
    const [request] = apiRequests(h.server);
    expect(`${request!.method} ${request!.path}`).toBe(`POST /api/v1/signings/${draft.id}/send-signing`);
    expect(request!.headers.externalid).toBe("7f0c1d2e-0000-4000-8000-000000000001");
    expect(h.fake.signing(draft.id).participants.map((p) => p.status)).toEqual(["sent", "pending"]);
  });

  it("a second send is refused with the vendor's ProblemDetails as ValidationError", async () => {
    await h.client.signings.send({ signingId: draft.id });
    const error = await rejection(h.client.signings.send({ signingId: draft.id }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 400, vendorCode: "https://tools.ietf.org/html/rfc7231#section-6.5.1", vendorMessage: `Signing cannot be sent: Signing ${draft.id} is sent.` });
  });

  it("after a lost response, reads the signing and does not send again when it is no longer a draft", async () => {
    let calls = 0;
    h.server.use(
      http.post("*/send-signing", async ({ request }) => {
        if (calls++ > 0) return undefined;
        await getResponse(h.fake.handlers, request);
        return HttpResponse.json({ code: 502, message: "Bad Gateway", details: [] }, { status: 502 });
      }),
    );
    await expect(h.client.signings.send({ signingId: draft.id })).resolves.toEqual({ signingId: draft.id, status: "sent" });
    expect(apiRequests(h.server).map((r) => `${r.method} ${r.path}`)).toEqual([`POST /api/v1/signings/${draft.id}/send-signing`, `GET /api/v1/signings/${draft.id}`]);
  });

  it("an unknown signing is NotFoundError", async () => {
    const error = await rejection(h.client.signings.send({ signingId: "00000000-0000-4000-8000-000000000000" }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, vendorMessage: "Not Found: Signing 00000000-0000-4000-8000-000000000000 was not found." });
  });
});

describe("signings.get", () => {
  it("returns the typed signing with participants as the fake holds it", async () => {
    const created = await h.client.signings.create({ ...loanSigning(), send: true });
    await h.fake.sign(created.id, "ana@example.com");
    const signing = await h.client.signings.get({ signingId: created.id });

    expect(signing.status).toBe("in_progress");
    expect(signing.statusId).toBe(22);
    expect(signing.participants.map((p) => [p.email, p.status, typeof p.signedAt])).toEqual([
      ["ana@example.com", "signed", "string"],
      ["gus@example.com", "sent", "undefined"],
    ]);
    expect(signing.participants[0]!.viewedAt).toBe(h.fake.signing(created.id).participants[0]!.viewedDate);
  });

  it("an unknown id is NotFoundError with the ProblemDetails text", async () => {
    const error = await rejection(h.client.signings.get({ signingId: "missing-1" }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, vendorCode: "https://tools.ietf.org/html/rfc7231#section-6.5.4", vendorMessage: "Not Found: Signing missing-1 was not found." });
  });

  it("an empty id is rejected before any request", async () => {
    await expect(h.client.signings.get({ signingId: "" })).rejects.toBeInstanceOf(ValidationError);
    expect(h.server.requests).toHaveLength(0);
  });
});

describe("signings.list", () => {
  it("sends the documented query parameters and the externalId header; returns typed signings", async () => {
    const a = await h.client.signings.create(loanSigning({ name: "Loan LN-1 package", transactionId: "td-1" }));
    await h.client.signings.create(loanSigning({ name: "Loan LN-2 package", transactionId: "td-2" }));
    h.server.requests.length = 0;
    const rows = await h.client.signings.list({ transactionId: "td-1", statusIds: [1, 21], sortBy: "LastModified", sortDescending: true, filterBy: "ln-1", skipItems: 0, itemLimit: 10 });

    expect(rows.map((r) => r.id)).toEqual([a.id]);
    expect(rows[0]!.status).toBe("draft");
    const [request] = apiRequests(h.server);
    expect(request!.path).toBe("/api/v1/signings?TransactionId=td-1&StatusId=1%2C21&SortBy=LastModified&SortDescending=true&FilterBy=ln-1&SkipItems=0&ItemLimit=10");
    expect(request!.headers.externalid).toBe("7f0c1d2e-0000-4000-8000-000000000001");
  });

  it("pages with SkipItems/ItemLimit and leaves deleted signings out", async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await h.client.signings.create(loanSigning({ name: `Package ${n}` }))).id);
    await h.client.signings.delete({ signingId: ids[1]! });
    const first = await h.client.signings.list({ sortBy: "Name", sortDescending: false, itemLimit: 1 });
    const rest = await h.client.signings.list({ sortBy: "Name", sortDescending: false, skipItems: 1, itemLimit: 5 });
    expect([...first, ...rest].map((s) => s.name)).toEqual(["Package 1", "Package 3"]);
  });

  it("an ItemLimit outside 1..500 is rejected before any request", async () => {
    await expect(h.client.signings.list({ itemLimit: 0 })).rejects.toBeInstanceOf(ValidationError);
    expect(h.server.requests).toHaveLength(0);
  });
});

describe("signings.setCallbackUrl", () => {
  it("PATCHes { callbackUrl } as JSON and the fake stores it", async () => {
    const signing = await h.client.signings.create(loanSigning());
    h.server.requests.length = 0;
    const url = "https://hooks.example.com/authentisign?as_signing=x&as_token=y";
    await expect(h.client.signings.setCallbackUrl({ signingId: signing.id, callbackUrl: url })).resolves.toEqual({ signingId: signing.id, callbackUrl: url });
    const [request] = apiRequests(h.server);
    expect(request!.method).toBe("PATCH");
    expect(JSON.parse(request!.text)).toEqual({ callbackUrl: url });
    expect(h.fake.signing(signing.id).callbackUrl).toBe(url);
  });

  it("a relative URL is refused before any request; an unknown signing is NotFoundError", async () => {
    await expect(h.client.signings.setCallbackUrl({ signingId: "a", callbackUrl: "/hooks" })).rejects.toBeInstanceOf(ValidationError);
    expect(h.server.requests).toHaveLength(0);
    await expect(h.client.signings.setCallbackUrl({ signingId: "missing", callbackUrl: "https://hooks.example.com" })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("signings.delete", () => {
  it("soft-deletes: GET still shows it as deleted (statusId 25); deleting again is fine", async () => {
    const signing = await h.client.signings.create(loanSigning());
    await expect(h.client.signings.delete({ signingId: signing.id })).resolves.toBeUndefined();
    await expect(h.client.signings.delete({ signingId: signing.id })).resolves.toBeUndefined();
    const after = await h.client.signings.get({ signingId: signing.id });
    expect([after.status, after.statusId]).toEqual(["deleted", 25]);
    expect(apiRequests(h.server).filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual([`/api/v1/signings/${signing.id}`, `/api/v1/signings/${signing.id}`]);
  });

  it("an unknown signing is NotFoundError with the {code,message} body", async () => {
    const error = await rejection(h.client.signings.delete({ signingId: "missing-2" }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ vendorCode: "404", vendorMessage: "Signing missing-2 was not found." });
  });
});

describe("signings.cancel", () => {
  it("deletes a sent signing", async () => {
    const signing = await h.client.signings.create({ ...loanSigning(), send: true });
    await expect(h.client.signings.cancel({ signingId: signing.id, reason: "loan withdrawn" })).resolves.toEqual({ signingId: signing.id, status: "deleted", alreadyCancelled: false });
    expect(h.fake.signing(signing.id).status).toBe("deleted");
  });

  it("refuses a completed signing with ConflictError and sends no DELETE", async () => {
    const signing = await h.client.signings.create({ ...loanSigning(), send: true });
    await h.fake.completeAll(signing.id);
    const error = await rejection(h.client.signings.cancel({ signingId: signing.id }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ vendorCode: "SIGNING_COMPLETED", operation: "signings.cancel" });
    expect(apiRequests(h.server).some((r) => r.method === "DELETE")).toBe(false);
    expect(h.fake.signing(signing.id).status).toBe("completed");
  });

  it("cancelling twice is a no-op the second time", async () => {
    const signing = await h.client.signings.create(loanSigning());
    await h.client.signings.cancel({ signingId: signing.id });
    await expect(h.client.signings.cancel({ signingId: signing.id })).resolves.toEqual({ signingId: signing.id, status: "deleted", alreadyCancelled: true });
    expect(apiRequests(h.server).filter((r) => r.method === "DELETE")).toHaveLength(1);
  });
});

describe("client construction", () => {
  it("requires a baseUrl", () => {
    expect(() => createAuthentisignClient({ clientId: "a", clientSecret: "b", baseUrl: "" })).toThrow(/baseUrl is required/);
  });

  it("exposes every operation by id with its retry safety", () => {
    expect(Object.keys(h.client.operations).sort()).toEqual([
      "ccs.add",
      "documents.download",
      "participants.list",
      "signings.cancel",
      "signings.create",
      "signings.delete",
      "signings.get",
      "signings.list",
      "signings.send",
      "signings.setCallbackUrl",
    ]);
    expect(h.client.operations["signings.create"]!.safety).toBe("checkable");
    expect(h.client.operations["ccs.add"]!.safety).toBe("unsafe");
  });
});

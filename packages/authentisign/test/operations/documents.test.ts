import { Readable } from "node:stream";
import { NotFoundError, ValidationError } from "@connect/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiRequests, loanSigning, pdf, rejection, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

async function completed(files = loanSigning().files) {
  const signing = await h.client.signings.create({ ...loanSigning({ files }), send: true });
  await h.fake.completeAll(signing.id);
  h.server.requests.length = 0;
  return signing;
}

describe("documents.download", () => {
  it("streams the executed package: the bytes the vendor holds, its filename and content type", async () => {
    const signing = await completed();
    const document = await h.client.documents.download({ signingId: signing.id });

    expect(document.body).toBeInstanceOf(Readable);
    expect(document.filename).toBe("Loan LN-1001 closing package (signed).pdf");
    expect(document.contentType).toBe("application/pdf");
    const chunks: Buffer[] = [];
    for await (const chunk of document.body) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    expect(bytes.equals(h.fake.signedDocument(signing.id))).toBe(true);
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    const [request] = apiRequests(h.server);
    expect(`${request!.method} ${request!.path}`).toBe(`GET /api/v1/signings/${signing.id}/documents/s`);
    expect(request!.headers.accept).toBe("application/pdf");
  });

  it("hands a large package over chunk by chunk as it arrives (not buffered whole)", async () => {
    const big = Buffer.concat([pdf("big"), Buffer.alloc(3 * 1024 * 1024, 0x41)]);
    const signing = await completed([{ name: "Appraisal.pdf", content: big }]);
    const document = await h.client.documents.download({ signingId: signing.id });
    let chunks = 0;
    let size = 0;
    for await (const chunk of document.body) {
      chunks += 1;
      size += (chunk as Buffer).length;
    }
    expect(size).toBe(h.fake.signedDocument(signing.id).length);
    expect(size).toBeGreaterThan(3 * 1024 * 1024);
    expect(chunks).toBeGreaterThan(10);
  });

  it("downloads the certificate (sc) and the latest partially signed package (ls)", async () => {
    const signing = await h.client.signings.create({ ...loanSigning(), send: true });
    await h.fake.sign(signing.id, "ana@example.com");
    const partial = await h.client.documents.download({ signingId: signing.id, kind: "partial" });
    const text = (await partial.body.toArray()).map((c: Buffer) => c.toString("latin1")).join("");
    expect(text).toContain("partially signed package");
    expect(text).toContain("Signed by Ana Borrower <ana@example.com>");
    expect(text).not.toContain("Gus Guarantor <");
    await h.fake.completeAll(signing.id);
    const certificate = await h.client.documents.download({ signingId: signing.id, kind: "certificate" });
    expect(certificate.filename).toBe("Loan LN-1001 closing package (certificate).pdf");
    expect(apiRequests(h.server).filter((r) => r.path.includes("/documents/")).map((r) => r.path.split("/").at(-1))).toEqual(["ls", "sc"]);
  });

  it("the signed package of an unfinished signing is refused (400 with the vendor's message)", async () => {
    const signing = await h.client.signings.create({ ...loanSigning(), send: true });
    const error = await rejection(h.client.documents.download({ signingId: signing.id }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 400, vendorMessage: `The signing is not completed.; Signing ${signing.id} is sent.` });
  });

  it("an unknown signing is NotFoundError; an unknown kind is refused before any request", async () => {
    await expect(h.client.documents.download({ signingId: "missing" })).rejects.toBeInstanceOf(NotFoundError);
    h.server.requests.length = 0;
    await expect(h.client.documents.download({ signingId: "x", kind: "original" as never })).rejects.toBeInstanceOf(ValidationError);
    expect(h.server.requests).toHaveLength(0);
  });
});

import { createHash } from "node:crypto";
import { NotFoundError } from "@connect/core";
import { createMultiPageTestPdf, createTestPdf, generatedPdfBytes } from "@connect/docusign/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inspectPdf, LOAN_PDF, loanEnvelope, rejection, requestsTo, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const NOTE_PDF = createTestPdf(["Promissory note L-1001", "Borrower: /sn1/"]);

describe("documents.list", () => {
  it("lists the documents with order and page count as numbers", async () => {
    const { envelopeId } = await h.client.envelopes.create(
      loanEnvelope({ documents: [{ documentId: "1", name: "Loan agreement.pdf", content: LOAN_PDF }, { documentId: "2", name: "Promissory note.pdf", content: NOTE_PDF }] }),
    );
    const list = await h.client.documents.list({ envelopeId });
    expect(list.envelopeId).toBe(envelopeId);
    expect(list.envelopeDocuments.map((d) => ({ documentId: d.documentId, name: d.name, order: d.order, pages: d.pages, type: d.type }))).toEqual([
      { documentId: "1", name: "Loan agreement.pdf", order: 1, pages: 1, type: "content" },
      { documentId: "2", name: "Promissory note.pdf", order: 2, pages: 1, type: "content" },
    ]);
  });
});

describe("documents.download", () => {
  it("streams one document with the filename and documentid from Content-Disposition", async () => {
    const { envelopeId } = await h.client.envelopes.create(
      loanEnvelope({ documents: [{ documentId: "1", name: "Loan agreement.pdf", content: LOAN_PDF }, { documentId: "2", name: "Promissory note.pdf", content: NOTE_PDF }] }),
    );
    const doc = await h.client.documents.download({ envelopeId, documentId: 2 });
    expect({ filename: doc.filename, contentType: doc.contentType, documentId: doc.documentId }).toEqual({ filename: "Promissory note.pdf", contentType: "application/pdf", documentId: "2" });
    expect(await readAll(doc.body)).toEqual(NOTE_PDF);
    expect(requestsTo(h.server, "/documents/2")[0]!.headers.accept).toBe("application/pdf");
  });

  it("combined is ONE PDF (one header, one xref table, one trailer, one %%EOF) with every document's pages in order, then the certificate; certificate: false drops it (§3)", async () => {
    const NOTE = createMultiPageTestPdf([["Promissory note, page 1"], ["Promissory note, page 2"], ["Borrower: /sn1/"]]);
    const { envelopeId } = await h.client.envelopes.create(
      loanEnvelope({ documents: [{ documentId: "1", name: "Loan agreement.pdf", content: LOAN_PDF }, { documentId: "2", name: "Promissory note.pdf", content: NOTE }] }),
    );
    await h.fake.completeAll(envelopeId);
    const withCertificate = inspectPdf(await readAll((await h.client.documents.download({ envelopeId })).body));
    const combined = await h.client.documents.download({ envelopeId, documentId: "combined", certificate: false });
    const bare = inspectPdf(await readAll(combined.body));

    expect(combined.filename).toBe("combined.pdf");
    for (const pdf of [withCertificate, bare]) {
      expect({ headers: pdf.headers, eofs: pdf.eofs, xrefTables: pdf.xrefTables, trailers: pdf.trailers, offsetsOk: pdf.offsetsOk }).toEqual({ headers: 1, eofs: 1, xrefTables: 1, trailers: 1, offsetsOk: true });
      expect(pdf.xrefEntries).toBe(pdf.xrefSize);
    }
    // 1 page of the loan agreement + 3 of the note (+ 1 certificate page).
    expect({ declared: bare.declaredPages, objects: bare.pageObjects }).toEqual({ declared: 4, objects: 4 });
    expect({ declared: withCertificate.declaredPages, objects: withCertificate.pageObjects }).toEqual({ declared: 5, objects: 5 });
    expect(bare.shownText).toEqual(["Loan agreement L-1001", "Borrower: /sn1/  Date: /ds1/", "Guarantor: /sn2/  Date: /ds2/", "Promissory note, page 1", "Promissory note, page 2", "Borrower: /sn1/"]);
    expect(withCertificate.shownText.slice(6, 8)).toEqual(["Certificate of Completion", `Envelope Id: ${envelopeId}`]);
    expect(requestsTo(h.server, "/documents/combined").map((r) => r.url.split("?")[1])).toEqual([undefined, "certificate=false"]);
  });

  it("documents.list reports each document's real page count (from its PDF)", async () => {
    const NOTE = createMultiPageTestPdf([["p1"], ["p2"], ["p3"]]);
    const { envelopeId } = await h.client.envelopes.create(
      loanEnvelope({ documents: [{ documentId: "1", name: "Loan agreement.pdf", content: LOAN_PDF }, { documentId: "2", name: "Promissory note.pdf", content: NOTE }] }),
    );
    expect((await h.client.documents.list({ envelopeId })).envelopeDocuments.map((d) => d.pages)).toEqual([1, 3]);
  });

  it("a document the fake cannot read as a PDF still yields one valid combined PDF, with a page naming it", async () => {
    const { envelopeId } = await h.client.envelopes.create(
      loanEnvelope({ documents: [{ documentId: "1", name: "Loan agreement.pdf", content: LOAN_PDF }, { documentId: "2", name: "Notes.txt", content: Buffer.from("plain text, not a PDF") }] }),
    );
    const pdf = inspectPdf(await readAll((await h.client.documents.download({ envelopeId, certificate: false })).body));
    expect({ headers: pdf.headers, eofs: pdf.eofs, pages: pdf.declaredPages, offsetsOk: pdf.offsetsOk }).toEqual({ headers: 1, eofs: 1, pages: 2, offsetsOk: true });
    expect(pdf.shownText[3]).toBe("Document 2: Notes.txt");
  });

  it("an unknown document is a NotFoundError (DOCUMENT_DOES_NOT_EXIST as HTTP 400); an unknown envelope too", async () => {
    const { envelopeId } = await h.client.envelopes.create(loanEnvelope());
    const noDoc = (await rejection(h.client.documents.download({ envelopeId, documentId: "9" }))) as NotFoundError;
    const noEnvelope = (await rejection(h.client.documents.download({ envelopeId: "5a1b2c3d-0000-4000-8000-00000000dead" }))) as NotFoundError;
    expect(noDoc).toBeInstanceOf(NotFoundError);
    expect(noDoc.vendorCode).toBe("DOCUMENT_DOES_NOT_EXIST");
    expect(noEnvelope).toBeInstanceOf(NotFoundError);
    expect(noEnvelope.vendorCode).toBe("ENVELOPE_DOES_NOT_EXIST");
  });

  it("a 20 MB document streams through with bounded memory: the transport buffers at most 1 MiB, and the fake never runs more than a few MB ahead of the reader", async () => {
    const SIZE = 20 * 1024 * 1024;
    // A client that could not buffer the document even if it tried (maxResponseBytes 1 MiB).
    const client = h.newClient({ transport: { maxResponseBytes: 1024 * 1024 } });
    const { envelopeId } = await client.envelopes.create(loanEnvelope());
    let produced = 0;
    h.fake.setDocumentContent(envelopeId, "1", { size: SIZE, stream: () => generatedPdfBytes(SIZE, { onChunk: (n) => (produced += n) }) });

    const doc = await client.documents.download({ envelopeId, documentId: "1" });
    const hash = createHash("sha256");
    let consumed = 0;
    let maxAhead = 0;
    for await (const chunk of doc.body) {
      consumed += chunk.length;
      hash.update(chunk);
      maxAhead = Math.max(maxAhead, produced - consumed);
      // A slow reader: give the producer every chance to run ahead if backpressure did not hold.
      if (consumed % (1024 * 1024) < chunk.length) await new Promise((resolve) => setImmediate(resolve));
    }

    const expected = createHash("sha256");
    for await (const chunk of generatedPdfBytes(SIZE)) expected.update(chunk);
    expect(consumed).toBe(SIZE);
    expect(hash.digest("hex")).toBe(expected.digest("hex"));
    expect(doc.filename).toBe("Loan agreement.pdf");
    // Loopback socket buffers hold a few MB (≈5.5 MB measured); a buffered download would be 20 MB ahead.
    expect(maxAhead).toBeLessThan(12 * 1024 * 1024);
  });
});

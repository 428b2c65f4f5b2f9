// The combined download merges real PDFs, not only the fake's own: a nested page tree whose
// pages inherit MediaBox and Resources (PDF 32000-1 §7.7.3.4), binary stream data, and an
// incremental update whose later object definition wins (§7.5.6).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inspectPdf, loanEnvelope, LOAN_PDF, setup, type Harness } from "./helpers.js";

/** A PDF written by hand: objects, an xref table with real offsets, a trailer; `update` appends an incremental update. */
function handWrittenPdf(objects: Record<number, string>, update?: Record<number, string>): Buffer {
  let body = "%PDF-1.6\n%\xe2\xe3\xcf\xd3\n";
  const section = (objs: Record<number, string>, prev?: number) => {
    const offsets: Array<[number, number]> = [];
    for (const [num, value] of Object.entries(objs)) {
      offsets.push([Number(num), body.length]);
      body += `${num} 0 obj\n${value}\nendobj\n`;
    }
    const xref = body.length;
    body += `xref\n${offsets.map(([num, offset]) => `${num} 1\n${String(offset).padStart(10, "0")} 00000 n \n`).join("")}`;
    body += `trailer\n<< /Size 9 /Root 1 0 R${prev === undefined ? "" : ` /Prev ${prev}`} >>\nstartxref\n${xref}\n%%EOF\n`;
    return xref;
  };
  const first = section(objects);
  if (update) section(update, first);
  return Buffer.from(body, "latin1");
}

/** A stream object with its exact /Length. */
const stream = (entries: string, data: string) => `<< ${entries}/Length ${data.length} >>\nstream\n${data}\nendstream`;
const binary = "\x00\x01\xff endobj endstream-looking \xfe";
// Page order (Kids) differs from object order: page 5 comes first.
const NESTED = handWrittenPdf(
  {
    1: "<< /Type /Catalog /Pages 2 0 R >>",
    2: "<< /Type /Pages /Kids [3 0 R] /Count 2 /MediaBox [0 0 300 400] /Resources << /Font << /F1 7 0 R >> >> >>",
    3: "<< /Type /Pages /Parent 2 0 R /Kids [5 0 R 4 0 R] /Count 2 >>",
    4: "<< /Type /Page /Parent 3 0 R /Contents 6 0 R >>",
    5: "<< /Type /Page /Parent 3 0 R /Contents 9 0 R /Rotate 90 /Resources << /Font << /F1 7 0 R >> /XObject << /Im1 8 0 R >> >> >>",
    6: stream("", "BT /F1 9 Tf 20 300 Td (nested one) Tj ET"),
    7: "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
    8: stream("/Type /XObject /Subtype /Image /Width 1 /Height 1 /BitsPerComponent 8 /ColorSpace /DeviceGray ", binary),
    9: stream("", "BT /F1 9 Tf 20 300 Td (first, rotated) Tj ET /Im1 Do"),
  },
  // The incremental update replaces the content of page 4.
  { 6: stream("", "BT /F1 9 Tf 20 300 Td (updated one) Tj ET") },
);

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

async function combined(envelopeId: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await h.client.documents.download({ envelopeId, certificate: false })).body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

describe("documents/combined of PDFs the fake did not write", () => {
  it("keeps every page of a nested page tree in order, with the attributes they inherit, the stream bytes untouched, and the latest object of an incremental update", async () => {
    const { envelopeId } = await h.client.envelopes.create(
      loanEnvelope({ documents: [{ documentId: "1", name: "Loan agreement.pdf", content: LOAN_PDF }, { documentId: "2", name: "Scanned.pdf", content: NESTED }] }),
    );
    const bytes = await combined(envelopeId);
    const pdf = inspectPdf(bytes);
    expect({ headers: pdf.headers, eofs: pdf.eofs, xrefTables: pdf.xrefTables, trailers: pdf.trailers, offsetsOk: pdf.offsetsOk, pages: pdf.declaredPages, pageObjects: pdf.pageObjects }).toEqual({
      headers: 1,
      eofs: 1,
      xrefTables: 1,
      trailers: 1,
      offsetsOk: true,
      pages: 3,
      pageObjects: 3,
    });
    expect(pdf.pageTexts).toEqual([["Loan agreement L-1001", "Borrower: /sn1/  Date: /ds1/", "Guarantor: /sn2/  Date: /ds2/"], ["first, rotated"], ["updated one"]]);
    const text = bytes.toString("latin1");
    expect(text).toContain(binary);
    expect(text).not.toContain("nested one");
    // The nested pages now hang off the new root, carrying what they inherited from the old tree.
    const pages = [...text.matchAll(/<< ([^\n]*\/Type \/Page(?![s\w])[^\n]*) >>/g)].map((m) => m[1]!);
    const rotated = pages.find((p) => p.includes("/Rotate 90"))!;
    const inheriting = pages.find((p) => !p.includes("/Rotate") && p.includes("/MediaBox [0 0 300 400]"))!;
    expect(rotated).toMatch(/\/MediaBox \[0 0 300 400\]/);
    expect(rotated).toMatch(/\/XObject << \/Im1 \d+ 0 R >>/);
    expect(inheriting).toMatch(/\/Resources << \/Font << \/F1 \d+ 0 R >> >>/);
    expect(pages.every((p) => p.includes("/Parent 2 0 R"))).toBe(true);
    expect((await h.client.documents.list({ envelopeId })).envelopeDocuments.map((d) => d.pages)).toEqual([1, 2]);
  });
});

/**
 * Small real PDFs for the fake and for tests: pages of text (Helvetica), with a correct
 * cross-reference table, so a saved "signed PDF" opens in a viewer.
 */

function escapePdfText(line: string): string {
  return line.replace(/[\\()]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, "?");
}

/**
 * A one-page PDF showing `lines` (anchor texts such as `/sn1/` can be among them).
 * @example
 * const loanAgreement = createTestPdf(["Loan agreement L-1001", "Borrower: /sn1/  Date: /ds1/"]);
 * @public
 */
export function createTestPdf(lines: readonly string[]): Buffer {
  return createMultiPageTestPdf([lines]);
}

/**
 * A PDF with one page per entry of `pages`, each showing its lines.
 * @example
 * const note = createMultiPageTestPdf([["Promissory note, page 1"], ["Borrower: /sn1/"]]);
 * @public
 */
export function createMultiPageTestPdf(pages: ReadonlyArray<readonly string[]>): Buffer {
  if (pages.length === 0) throw new RangeError("createMultiPageTestPdf: a PDF needs at least one page");
  // Objects: 1 catalog, 2 page tree, then a page and its content stream per page, the font last.
  const font = 3 + pages.length * 2;
  const objects = ["<< /Type /Catalog /Pages 2 0 R >>", `<< /Type /Pages /Kids [${pages.map((_, i) => `${3 + i * 2} 0 R`).join(" ")}] /Count ${pages.length} >>`];
  pages.forEach((lines, i) => {
    const text = lines.map((line, j) => `BT /F1 12 Tf 72 ${740 - j * 18} Td (${escapePdfText(line)}) Tj ET`).join("\n");
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${4 + i * 2} 0 R /Resources << /Font << /F1 ${font} 0 R >> >> >>`);
    objects.push(`<< /Length ${Buffer.byteLength(text, "latin1")} >>\nstream\n${text}\nendstream`);
  });
  objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, "latin1"));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, "latin1");
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

/**
 * `size` bytes of PDF-looking content produced lazily in chunks, for download tests of large
 * documents without holding them in memory. `onChunk` sees every chunk as it is produced.
 * @public
 */
export async function* generatedPdfBytes(size: number, options: { chunkBytes?: number; onChunk?: (bytes: number) => void } = {}): AsyncGenerator<Uint8Array, void, undefined> {
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  const header = Buffer.from("%PDF-1.4\n%generated test content\n", "latin1");
  const filler = Buffer.alloc(chunkBytes, 0x20);
  let produced = 0;
  while (produced < size) {
    const n = Math.min(chunkBytes, size - produced);
    const chunk = produced === 0 ? Buffer.concat([header, filler]).subarray(0, n) : Buffer.from(filler.subarray(0, n));
    produced += n;
    options.onChunk?.(n);
    yield chunk;
  }
}

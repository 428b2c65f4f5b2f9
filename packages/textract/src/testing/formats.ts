/**
 * What the fake can tell about document bytes without an OCR engine: the format from its magic
 * bytes (the four formats Textract reads, shared/vendors/textract.md §5) and, for PDF and TIFF,
 * how many pages it has — synchronous analysis takes one page only.
 */

/** A document format Textract reads. @public */
export type DocumentFormat = "PDF" | "TIFF" | "PNG" | "JPEG";

/** The format of document bytes by their magic number, or `undefined` when Textract would refuse it. @public */
export function detectFormat(bytes: Uint8Array): DocumentFormat | undefined {
  const b = bytes;
  if (b.length >= 4 && b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46) return "PDF"; // %PDF
  if (b.length >= 4 && b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0x00) return "TIFF"; // II*\0
  if (b.length >= 4 && b[0] === 0x4d && b[1] === 0x4d && b[2] === 0x00 && b[3] === 0x2a) return "TIFF"; // MM\0*
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return "PNG";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "JPEG";
  return undefined;
}

/** Page objects of a PDF (`/Type /Page`, not the `/Pages` tree nodes); undefined when none is found. */
function pdfPages(bytes: Uint8Array): number | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  const count = text.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
  return count > 0 ? count : undefined;
}

/** Image file directories of a TIFF (one per page), following the IFD chain; undefined when it is cut short. */
function tiffPages(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) return undefined;
  const little = bytes[0] === 0x49;
  let offset = view.getUint32(4, little);
  const seen = new Set<number>();
  let pages = 0;
  while (offset !== 0) {
    if (seen.has(offset) || offset + 2 > bytes.length) return undefined;
    seen.add(offset);
    const entries = view.getUint16(offset, little);
    const next = offset + 2 + entries * 12;
    if (next + 4 > bytes.length) return undefined;
    pages++;
    offset = view.getUint32(next, little);
  }
  return pages > 0 ? pages : undefined;
}

/**
 * Pages of the document in `bytes`: 1 for PNG and JPEG, counted for PDF and TIFF; `undefined`
 * when a PDF or TIFF cannot be read that far (the fake then answers BadDocumentException).
 * @public
 */
export function countPages(bytes: Uint8Array, format: DocumentFormat): number | undefined {
  if (format === "PDF") return pdfPages(bytes);
  if (format === "TIFF") return tiffPages(bytes);
  return 1;
}

/** A minimal well-formed PDF of `pages` empty pages, for tests. @public */
export function minimalPdf(pages = 1): Uint8Array<ArrayBuffer> {
  const kids = Array.from({ length: pages }, (_, i) => `${i + 3} 0 R`).join(" ");
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`,
    ...Array.from({ length: pages }, () => "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"),
  ];
  let out = "%PDF-1.7\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(new TextEncoder().encode(out));
}

/** A minimal TIFF (little-endian unless `bigEndian`) of `pages` image directories, for tests. @public */
export function minimalTiff(pages = 1, options: { bigEndian?: boolean } = {}): Uint8Array<ArrayBuffer> {
  const little = !options.bigEndian;
  // Each IFD: 1 entry (ImageWidth = 1), 2 + 12 + 4 bytes.
  const ifdSize = 18;
  const bytes = new Uint8Array(8 + pages * ifdSize);
  const view = new DataView(bytes.buffer);
  bytes.set(little ? [0x49, 0x49, 0x2a, 0x00] : [0x4d, 0x4d, 0x00, 0x2a]);
  view.setUint32(4, 8, little);
  for (let i = 0; i < pages; i++) {
    const at = 8 + i * ifdSize;
    view.setUint16(at, 1, little);
    view.setUint16(at + 2, 256, little); // tag ImageWidth
    view.setUint16(at + 4, 3, little); // type SHORT
    view.setUint32(at + 6, 1, little); // count
    view.setUint16(at + 10, 1, little); // value
    view.setUint32(at + 14, i + 1 < pages ? at + ifdSize : 0, little);
  }
  return bytes;
}

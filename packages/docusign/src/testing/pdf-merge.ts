/**
 * One PDF out of several, as DocuSign's `documents/combined` answers it: a single header, one
 * cross-reference table and one trailer, with the pages of every document in order — not the
 * files concatenated (shared/vendors/docusign.md §3). Reads classic PDFs (objects written out,
 * `xref` tables, incremental updates); a document it cannot read (object streams, encryption,
 * not a PDF) becomes one page saying so, so the result is always one valid PDF.
 */
import { createTestPdf } from "./pdf.js";

/** One indirect object: its dictionary (or other value) text and, for a stream, the raw data. */
interface PdfObject {
  value: string;
  stream?: string | undefined;
}

/** A parsed PDF: objects by number (the last definition wins) and the catalog's number. */
interface ParsedPdf {
  objects: Map<number, PdfObject>;
  root: number;
}

const WS = /[\0\t\n\f\r ]/;

function skipSpace(text: string, at: number): number {
  let i = at;
  while (i < text.length) {
    if (WS.test(text[i]!)) i += 1;
    else if (text[i] === "%") {
      while (i < text.length && text[i] !== "\n" && text[i] !== "\r") i += 1;
    } else break;
  }
  return i;
}

/** End (exclusive) of the value starting at `at`: a dict, array, string, name, ref, number or keyword. */
function valueEnd(text: string, at: number): number {
  const c = text[at];
  if (c === "<" && text[at + 1] === "<") {
    let depth = 0;
    let i = at;
    while (i < text.length) {
      if (text.startsWith("<<", i)) {
        depth += 1;
        i += 2;
      } else if (text.startsWith(">>", i)) {
        depth -= 1;
        i += 2;
        if (depth === 0) return i;
      } else if (text[i] === "(") i = valueEnd(text, i);
      else i += 1;
    }
    throw new Error("unterminated dictionary");
  }
  if (c === "[") {
    let i = at + 1;
    for (i = skipSpace(text, i); text[i] !== "]"; i = skipSpace(text, i)) {
      if (i >= text.length) throw new Error("unterminated array");
      i = valueEnd(text, i);
    }
    return i + 1;
  }
  if (c === "(") {
    let depth = 0;
    for (let i = at; i < text.length; i += 1) {
      if (text[i] === "\\") i += 1;
      else if (text[i] === "(") depth += 1;
      else if (text[i] === ")" && --depth === 0) return i + 1;
    }
    throw new Error("unterminated string");
  }
  if (c === "<") {
    const end = text.indexOf(">", at);
    if (end < 0) throw new Error("unterminated hex string");
    return end + 1;
  }
  const ref = /^\d+\s+\d+\s+R(?![A-Za-z])/.exec(text.slice(at, at + 32));
  if (ref) return at + ref[0].length;
  let i = at + (c === "/" ? 1 : 0);
  while (i < text.length && !WS.test(text[i]!) && !"/[]<>(){}%".includes(text[i]!)) i += 1;
  if (i === at) throw new Error(`unexpected '${c}'`);
  return i;
}

/** The top-level entries of a dictionary (`<< /Key value … >>`), values as raw text. */
function parseDict(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  const start = skipSpace(text, 0);
  if (!text.startsWith("<<", start)) throw new Error("not a dictionary");
  let i = skipSpace(text, start + 2);
  while (!text.startsWith(">>", i)) {
    if (text[i] !== "/") throw new Error("dictionary key expected");
    const keyEnd = valueEnd(text, i);
    const key = text.slice(i + 1, keyEnd);
    const valueStart = skipSpace(text, keyEnd);
    const end = valueEnd(text, valueStart);
    entries.set(key, text.slice(valueStart, end));
    i = skipSpace(text, end);
  }
  return entries;
}

function writeDict(entries: Map<string, string>): string {
  return `<< ${[...entries].map(([k, v]) => `/${k} ${v}`).join(" ")} >>`;
}

function refOf(value: string | undefined): number | undefined {
  const m = value === undefined ? null : /^(\d+)\s+\d+\s+R$/.exec(value.trim());
  return m ? Number(m[1]) : undefined;
}

/** Read every `N G obj … endobj` of a classic PDF. @internal */
export function parsePdf(bytes: Uint8Array): ParsedPdf {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  if (!text.startsWith("%PDF-")) throw new Error("no %PDF- header");
  const objects = new Map<number, PdfObject>();
  const header = /(\d+)\s+(\d+)\s+obj\b/g;
  for (let m = header.exec(text); m; m = header.exec(text)) {
    const bodyStart = m.index + m[0].length;
    const valueStart = skipSpace(text, bodyStart);
    const end = valueEnd(text, valueStart);
    const value = text.slice(valueStart, end);
    let after = skipSpace(text, end);
    let stream: string | undefined;
    if (text.startsWith("stream", after)) {
      let dataStart = after + "stream".length;
      if (text[dataStart] === "\r") dataStart += 1;
      if (text[dataStart] === "\n") dataStart += 1;
      const length = parseDict(value).get("Length")?.trim();
      let dataEnd = length !== undefined && /^\d+$/.test(length) ? dataStart + Number(length) : -1;
      if (dataEnd < 0 || !text.slice(dataEnd, dataEnd + 12).trimStart().startsWith("endstream")) {
        // An indirect or wrong /Length: the data ends at the EOL before the next `endstream`.
        const found = text.indexOf("endstream", dataStart);
        if (found < 0) throw new Error(`object ${m[1]}: unterminated stream`);
        dataEnd = found;
        if (text[dataEnd - 1] === "\n") dataEnd -= 1;
        if (text[dataEnd - 1] === "\r") dataEnd -= 1;
      }
      stream = text.slice(dataStart, dataEnd);
      after = text.indexOf("endstream", dataEnd) + "endstream".length;
    }
    const endobj = text.indexOf("endobj", after);
    if (endobj < 0) throw new Error(`object ${m[1]}: no endobj`);
    objects.set(Number(m[1]), { value, ...(stream !== undefined ? { stream } : {}) });
    header.lastIndex = endobj + "endobj".length;
  }
  const trailerAt = text.lastIndexOf("trailer");
  if (trailerAt < 0) throw new Error("no trailer (a cross-reference stream)");
  const trailer = parseDict(text.slice(skipSpace(text, trailerAt + "trailer".length)));
  if (trailer.has("Encrypt")) throw new Error("encrypted");
  const root = refOf(trailer.get("Root"));
  if (root === undefined || !objects.has(root)) throw new Error("no catalog");
  return { objects, root };
}

const INHERITED = ["Resources", "MediaBox", "CropBox", "Rotate"] as const;

/** The page objects of a PDF in order, each with the attributes it inherits from the page tree. */
function pagesOf(pdf: ParsedPdf): { pages: Array<{ num: number; inherited: Map<string, string> }>; tree: Set<number> } {
  const catalog = parseDict(pdf.objects.get(pdf.root)!.value);
  const top = refOf(catalog.get("Pages"));
  if (top === undefined) throw new Error("catalog without /Pages");
  const pages: Array<{ num: number; inherited: Map<string, string> }> = [];
  const tree = new Set<number>([pdf.root]);
  const walk = (num: number, inherited: Map<string, string>, depth: number): void => {
    const object = pdf.objects.get(num);
    if (!object || depth > 64 || tree.has(num)) throw new Error(`page tree: object ${num} is missing or cyclic`);
    const dict = parseDict(object.value);
    const type = dict.get("Type")?.trim();
    if (type === "/Page") {
      pages.push({ num, inherited });
      return;
    }
    if (type !== "/Pages") throw new Error(`page tree: object ${num} is ${type ?? "untyped"}`);
    tree.add(num);
    const own = new Map(inherited);
    for (const key of INHERITED) if (dict.has(key)) own.set(key, dict.get(key)!);
    const kids = dict.get("Kids") ?? "[]";
    for (const kid of kids.matchAll(/(\d+)\s+\d+\s+R/g)) walk(Number(kid[1]), own, depth + 1);
  };
  walk(top, new Map(), 0);
  return { pages, tree };
}

/** How many pages a PDF has, or undefined when the fake cannot read it. @internal */
export function pdfPageCount(bytes: Uint8Array): number | undefined {
  try {
    return pagesOf(parsePdf(bytes)).pages.length;
  } catch {
    return undefined;
  }
}

/** A document to merge: its bytes and a label for the page that replaces it if it cannot be read. */
export interface MergeInput {
  bytes: Uint8Array;
  label: string;
}

/**
 * Merge PDFs into one: a new catalog and page tree over the pages of every input in order;
 * every other object is kept, renumbered. @internal
 */
export function mergePdfs(inputs: readonly MergeInput[]): Buffer {
  const out: string[] = [];
  const kids: number[] = [];
  let next = 3;
  for (const input of inputs) {
    let pdf: ParsedPdf;
    let walked: ReturnType<typeof pagesOf>;
    try {
      pdf = parsePdf(input.bytes);
      walked = pagesOf(pdf);
      if (walked.pages.length === 0) throw new Error("no pages");
    } catch (error) {
      pdf = parsePdf(createTestPdf([input.label, `The fake cannot show this document as PDF pages (${(error as Error).message}; ${input.bytes.byteLength} bytes).`]));
      walked = pagesOf(pdf);
    }
    const renumber = new Map<number, number>();
    for (const num of [...pdf.objects.keys()].sort((a, b) => a - b)) if (!walked.tree.has(num)) renumber.set(num, next++);
    const rewrite = (value: string) => value.replace(/(\d+)\s+(\d+)\s+R(?![A-Za-z])/g, (_, n: string) => (renumber.has(Number(n)) ? `${renumber.get(Number(n))} 0 R` : "null"));
    const pageNums = new Map(walked.pages.map((p) => [p.num, p.inherited]));
    for (const page of walked.pages) kids.push(renumber.get(page.num)!);
    for (const [num, newNum] of renumber) {
      const object = pdf.objects.get(num)!;
      // References are renumbered first; the new /Parent (object 2) is set after, so it is not renumbered.
      let value = rewrite(object.value);
      const inherited = pageNums.get(num);
      if (inherited) {
        const dict = parseDict(value);
        for (const [key, v] of inherited) if (!dict.has(key)) dict.set(key, rewrite(v));
        dict.set("Parent", "2 0 R");
        value = writeDict(dict);
      }
      if (object.stream !== undefined) {
        const dict = parseDict(value);
        dict.set("Length", String(object.stream.length));
        out[newNum] = `${writeDict(dict)}\nstream\n${object.stream}\nendstream`;
      } else out[newNum] = value;
    }
  }
  out[1] = "<< /Type /Catalog /Pages 2 0 R >>";
  out[2] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(" ")}] /Count ${kids.length} >>`;
  // The binary comment after the header tells transfer tools the file is binary (PDF 32000-1 §7.5.2).
  let body = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  for (let num = 1; num < next; num += 1) {
    offsets[num] = body.length;
    body += `${num} 0 obj\n${out[num]}\nendobj\n`;
  }
  const xref = body.length;
  body += `xref\n0 ${next}\n0000000000 65535 f \n${offsets.slice(1).map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  body += `trailer\n<< /Size ${next} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

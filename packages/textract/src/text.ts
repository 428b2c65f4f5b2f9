/**
 * Text detection results (DetectDocumentText, GetDocumentTextDetection) → lines with their
 * words and geometry. Textract relates them PAGE –CHILD→ LINE –CHILD→ WORD
 * (shared/vendors/textract.md §3). Blocks are buffered per document page and a page is emitted
 * when a later page starts, so a long job is not held whole in memory; a CHILD id that was not
 * delivered is a warning on its page, never a throw.
 */
import type { Block, BlockPage } from "./blocks.js";
import { toGeometry, type Geometry } from "./geometry.js";

/** A WORD block. @public */
export interface TextWord {
  /** The WORD block's `Id`. */
  id: string;
  text: string;
  confidence: number;
  /** `PRINTED` or `HANDWRITING`, when Textract says. */
  textType: string | undefined;
  page: number;
  geometry: Geometry | undefined;
}

/** A LINE block with its words in reading order. @public */
export interface TextLine {
  /** The LINE block's `Id`. */
  id: string;
  text: string;
  confidence: number;
  page: number;
  geometry: Geometry | undefined;
  words: TextWord[];
}

/** The detected text of one document page. @public */
export interface TextPage {
  page: number;
  lines: TextLine[];
  /** Soft errors, e.g. a CHILD id that no delivered block has. */
  warnings: string[];
}

/** The detected text of a whole document. @public */
export interface DetectedText {
  pages: TextPage[];
  /** Every line of every page, in order. */
  lines: TextLine[];
  /** The lines joined with newlines, page after page. */
  text: string;
  warnings: string[];
}

function word(block: Block, page: number): TextWord {
  return {
    id: block.Id ?? "",
    text: block.Text ?? "",
    confidence: block.Confidence ?? 0,
    textType: block.TextType,
    page,
    geometry: toGeometry(block.Geometry),
  };
}

function resolvePage(page: number, blocks: readonly Block[]): TextPage {
  const byId = new Map<string, Block>();
  for (const b of blocks) if (b.Id !== undefined) byId.set(b.Id, b);
  const warnings: string[] = [];
  const lines: TextLine[] = [];
  for (const block of blocks) {
    if (block.BlockType !== "LINE") continue;
    const words: TextWord[] = [];
    for (const rel of block.Relationships ?? []) {
      if (rel.Type !== "CHILD") continue;
      for (const id of rel.Ids ?? []) {
        const child = byId.get(id);
        if (!child) warnings.push(`page ${page}: LINE ${block.Id ?? "?"} references WORD ${id}, which was not delivered`);
        else if (child.BlockType === "WORD") words.push(word(child, page));
      }
    }
    lines.push({
      id: block.Id ?? "",
      text: block.Text ?? words.map((w) => w.text).join(" "),
      confidence: block.Confidence ?? 0,
      page,
      geometry: toGeometry(block.Geometry),
      words,
    });
  }
  return { page, lines, warnings };
}

/**
 * Text pages from result pages (NextToken pages of GetDocumentTextDetection, or one
 * DetectDocumentText response), each emitted once a later document page begins.
 * @public
 */
export async function* parseTextStream(results: AsyncIterable<BlockPage> | Iterable<BlockPage>): AsyncGenerator<TextPage> {
  const buffered = new Map<number, Block[]>();
  const flushed = new Set<number>();
  const late: string[] = [];
  let highest = 0;
  for await (const result of results) {
    for (const block of result.Blocks ?? []) {
      // Single-page responses may omit Page; Textract numbers pages from 1.
      const page = block.Page ?? 1;
      if (page > highest) {
        for (const p of [...buffered.keys()].sort((a, b) => a - b)) {
          if (p >= page) break;
          yield resolvePage(p, buffered.get(p)!);
          buffered.delete(p);
          flushed.add(p);
        }
        highest = page;
      }
      // A block of a page already emitted cannot join it any more: report it, do not emit the page twice.
      if (flushed.has(page)) {
        late.push(`page ${page}: ${block.BlockType ?? "block"} ${block.Id ?? "?"} arrived after the page was emitted`);
        continue;
      }
      let list = buffered.get(page);
      if (!list) buffered.set(page, (list = []));
      list.push(block);
    }
  }
  const rest = [...buffered.keys()].sort((a, b) => a - b);
  for (let i = 0; i < rest.length; i++) {
    const page = resolvePage(rest[i]!, buffered.get(rest[i]!)!);
    if (i === rest.length - 1) page.warnings.push(...late);
    yield page;
  }
}

/** Gather text pages into one {@link DetectedText}. @public */
export async function collectText(pages: AsyncIterable<TextPage> | Iterable<TextPage>): Promise<DetectedText> {
  const out: DetectedText = { pages: [], lines: [], text: "", warnings: [] };
  for await (const page of pages) {
    out.pages.push(page);
    out.lines.push(...page.lines);
    out.warnings.push(...page.warnings);
  }
  out.text = out.lines.map((l) => l.text).join("\n");
  return out;
}

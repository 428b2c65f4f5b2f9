import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvRecordBatches, type CsvItem } from "../../src/import/csv-records.js";

const OPTIONS = { maxRecordChars: 1_000_000 };

async function read(text: string, cuts: number[] = [], options: { maxRecordChars: number } = OPTIONS): Promise<CsvItem[]> {
  const bytes = Buffer.from(text, "utf8");
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of [...at, bytes.length]) {
    if (cut > from) chunks.push(bytes.subarray(from, cut));
    from = Math.max(from, cut);
  }
  const items: CsvItem[] = [];
  for await (const batch of csvRecordBatches((async function* () { yield* chunks; })(), options)) items.push(...batch);
  return items;
}

const lines = (items: CsvItem[]) => items.map((i) => [i.kind, i.index, i.line, i.kind === "record" ? i.cells : i.reason]);

describe("csvRecordBatches: line numbers and cells", () => {
  it("gives each record the line it starts on across quoted CRLFs, skipped empty lines and a stray quote", async () => {
    const text = '\uFEFFid,notes\r\n1,"a\r\nb"\r\n\r\n\r\n2,x\r\n3,ab"c\r\n4,"multi\r\nline\r\nnote"\r\n5,end';
    expect(lines(await read(text))).toEqual([
      ["record", 1, 1, ["id", "notes"]],
      ["record", 2, 2, ["1", "a\r\nb"]],
      ["record", 3, 6, ["2", "x"]],
      ["record", 4, 7, ["3", 'ab"c']],
      ["record", 5, 8, ["4", "multi\r\nline\r\nnote"]],
      ["record", 6, 11, ["5", "end"]],
    ]);
  });

  it("reports a record over the size cap in its place with its line, and reads every record after it", async () => {
    // csv-parse alone stops emitting after such a record: rows 3, 4 and 5 were lost silently.
    const text = `id,notes\n1,short\n2,${"x".repeat(200)}\n3,after\n4,"two\nlines"\n5,last\n`;
    const items = await read(text, [], { maxRecordChars: 100 });
    expect(lines(items)).toEqual([
      ["record", 1, 1, ["id", "notes"]],
      ["record", 2, 2, ["1", "short"]],
      ["bad-record", 3, 3, expect.stringContaining("")],
      ["record", 4, 4, ["3", "after"]],
      ["record", 5, 5, ["4", "two\nlines"]],
      ["record", 6, 7, ["5", "last"]],
    ]);
    expect((items[2] as { reason: string }).reason).toMatch(/too large/);
  });

  it("reads on after several oversize records, however the bytes are split", async () => {
    const long = (n: number) => `${n},${"y".repeat(150 + n)}`;
    const text = ["id,notes", "1,a", long(2), long(3), "4,b", long(5), "6,c"].join("\r\n");
    const whole = await read(text, [], { maxRecordChars: 100 });
    expect(whole.map((i) => [i.kind, i.line])).toEqual([["record", 1], ["record", 2], ["bad-record", 3], ["bad-record", 4], ["record", 5], ["bad-record", 6], ["record", 7]]);
    expect(whole.filter((i) => i.kind === "record").map((i) => (i as { cells: string[] }).cells[0])).toEqual(["id", "1", "4", "6"]);
    for (const cuts of [[5], [40, 41, 42], [100, 200, 300], Array.from({ length: Buffer.byteLength(text) }, (_, i) => i)]) {
      expect(lines(await read(text, cuts, { maxRecordChars: 100 }))).toEqual(lines(whole));
    }
  });

  it("gives the same items however the bytes are split into chunks", async () => {
    const cell = fc.oneof(
      fc.stringMatching(/^[a-z0-9 ]{0,6}$/),
      fc.array(fc.constantFrom("a", "é", "\r\n", "\n", "\r", ",", '""', " "), { maxLength: 6 }).map((parts) => `"${parts.join("")}"`),
    );
    const row = fc.array(cell, { minLength: 2, maxLength: 2 }).map((cells) => cells.join(","));
    const file = fc.tuple(fc.array(row, { minLength: 1, maxLength: 12 }), fc.constantFrom("\n", "\r\n"), fc.array(fc.nat({ max: 3 }), { maxLength: 12 }), fc.boolean()).map(([rows, eol, blanks, bom]) =>
      (bom ? "\uFEFF" : "") + ["a,b", ...rows].map((r, i) => eol.repeat(blanks[i] ?? 0) + r).join(eol),
    );
    await fc.assert(
      fc.asyncProperty(file, fc.array(fc.nat(), { maxLength: 20 }), async (text, cuts) => {
        expect(lines(await read(text, cuts))).toEqual(lines(await read(text)));
      }),
      { numRuns: 300 },
    );
  });

  it("gives the same items fed one byte at a time, inside multi-byte characters too", async () => {
    const text = 'id,notes\r\n1,"café\r\nnaïve"\r\n\r\n2,"x ""q"" y"\n3,ok';
    const every = Array.from({ length: Buffer.byteLength(text) }, (_, i) => i);
    expect(lines(await read(text, every))).toEqual(lines(await read(text)));
  });
});

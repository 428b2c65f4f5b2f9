import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runLoanSigning } from "./index.mjs";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("example: docusign loan signing", () => {
  it("creates the envelope, the signers complete in order, the signed callback is verified and the signed PDF is saved", async () => {
    dir = await mkdtemp(join(tmpdir(), "docusign-example-test-"));
    const lines: string[] = [];
    const outcome = await runLoanSigning({ log: (line) => lines.push(line), outDir: dir });

    expect(outcome.finalStatus).toBe("completed");
    expect(outcome.transactionId).toBe("loan-L-1001-closing-v1");
    expect(outcome.events).toEqual([
      { type: "sent", recipient: undefined, loanId: "L-1001" },
      { type: "delivered", recipient: undefined, loanId: "L-1001" },
      { type: "signed-by-recipient", recipient: "ana.borrower@example.com", loanId: "L-1001" },
      { type: "signed-by-recipient", recipient: "gil.guarantor@example.com", loanId: "L-1001" },
      { type: "completed", recipient: undefined, loanId: "L-1001" },
    ]);
    expect(outcome.deliveries.every((d) => d.status === 200)).toBe(true);
    expect(outcome.deliveries.at(-1)).toEqual({ event: "envelope-completed", status: 200 });
    expect(outcome.forgedStatus).toBe(401);
    expect(outcome.savedPath).toBe(join(dir, "loan-L-1001-signed.pdf"));
    expect(outcome.savedStartsWithPdf).toBe(true);
    const pdf = await readFile(outcome.savedPath!);
    expect(pdf.length).toBe(outcome.savedBytes);
    expect(pdf.toString("latin1")).toContain("Loan agreement");
    expect(pdf.toString("latin1")).toContain("Certificate of Completion");
    expect(lines[1]).toBe(`created envelope ${outcome.envelopeId} (sent), transactionId loan-L-1001-closing-v1`);
    expect(lines).toContain("forged callback answered 401");
  });
});

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { providerFromEnv, runLoanSigning } from "./index.mjs";

let outDir: string;
beforeEach(async () => {
  outDir = await mkdtemp(join(tmpdir(), "esign-either-"));
});
afterEach(async () => {
  await rm(outDir, { recursive: true, force: true });
});

const SIGNERS = ["ana.borrower@example.com", "gus.guarantor@example.com", "gina.guarantor@example.com"];

describe("example: the same loan package through either provider", () => {
  it("ESIGN_PROVIDER picks the provider; default docusign; anything else is refused", () => {
    expect(providerFromEnv({ ESIGN_PROVIDER: "authentisign" })).toBe("authentisign");
    expect(providerFromEnv({ ESIGN_PROVIDER: " DocuSign " })).toBe("docusign");
    expect(providerFromEnv({})).toBe("docusign");
    expect(() => providerFromEnv({ ESIGN_PROVIDER: "adobe" })).toThrow('ESIGN_PROVIDER must be docusign or authentisign, not "adobe"');
  });

  it.each(["docusign", "authentisign"] as const)("%s: sends, completes through verified callbacks and saves the signed PDF", async (provider) => {
    const lines: string[] = [];
    const outcome = await runLoanSigning({ provider, outDir, log: (line) => lines.push(line) });

    expect(outcome).toMatchObject({ requested: provider, servedBy: provider, fellBackFrom: [], status: "completed", receipt: { provider, status: "sent" } });
    expect(outcome.recipients.filter((r) => r.role === "signer").map((r) => [r.email, r.order, r.status])).toEqual([
      ["ana.borrower@example.com", 1, "signed"],
      ["gus.guarantor@example.com", 2, "signed"],
      ["gina.guarantor@example.com", 2, "signed"],
    ]);
    expect(new Set(outcome.events.filter((e) => e.type === "signed-by-recipient").map((e) => e.email))).toEqual(new Set(SIGNERS));
    expect(outcome.events.filter((e) => e.type === "completed")).toHaveLength(1);
    expect(outcome.savedTo).toBe(join(outDir, `${provider}-${outcome.receipt.id}.pdf`));
    const saved = await readFile(outcome.savedTo);
    expect(saved.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(saved.toString("latin1")).toContain("Personal guarantee - loan LN-1001");
    expect(lines[0]).toBe(`sent "Loan LN-1001: closing documents for 14 Elm St" via ${provider}: ${outcome.receipt.id} (sent)`);
    expect(lines.at(-1)).toBe(`completed: saved the signed package to ${outcome.savedTo}`);
  });

  it.each([
    ["docusign", "authentisign"],
    ["authentisign", "docusign"],
  ] as const)("when %s is down and its breaker is open, fallback() sends the package through %s", async (down, up) => {
    const lines: string[] = [];
    const outcome = await runLoanSigning({ provider: down, outage: true, outDir, log: (line) => lines.push(line) });

    expect(outcome).toMatchObject({ requested: down, servedBy: up, fellBackFrom: [{ provider: down, error: "CircuitOpenError" }], status: "completed", receipt: { provider: up } });
    expect(lines.some((line) => line.startsWith(`${down} health probe`) && line.endsWith("(breaker open)"))).toBe(true);
    expect(lines).toContain(`${down} unavailable: CircuitOpenError — falling back`);
    expect((await readFile(outcome.savedTo)).subarray(0, 5).toString("latin1")).toBe("%PDF-");
  });
});

/** Types of loan-package.mjs. */
import type { SignatureRequest } from "@connect/core";

export function onePagePdf(lines: string[]): Buffer;
export function loanPackage(loan?: { number: string; property: string; amount: string }): SignatureRequest & { documents: Array<{ id: string; name: string; content: Buffer }> };

/** Types of index.mjs, for the example's test. */
import type { SignatureEventType } from "@connect/core";

export interface LoanSigningOutcome {
  envelopeId: string;
  transactionId: string | undefined;
  finalStatus: string;
  events: Array<{ type: SignatureEventType; recipient: string | undefined; loanId: string | undefined }>;
  deliveries: Array<{ event: string; status: number | undefined }>;
  forgedStatus: number;
  savedPath: string | undefined;
  savedBytes: number;
  savedStartsWithPdf: boolean;
}

/** Create a loan-signing envelope against the DocuSign fake, complete it, verify the Connect callback, save the signed PDF. */
export function runLoanSigning(options?: { log?: (line: string) => void; outDir?: string }): Promise<LoanSigningOutcome>;

/** Types of index.mjs, for the example's test. */
import type { RecipientStatusValue, SignatureEventType, SignatureReceipt, SignatureStatusValue } from "@connect/core";
import type { ProviderName } from "./providers.mjs";

export interface LoanSigningOutcome {
  /** The provider ESIGN_PROVIDER (or the option) asked for. */
  requested: ProviderName;
  /** The provider that sent the package (the other one after a fallback). */
  servedBy: ProviderName;
  /** Providers skipped because their breaker was open. */
  fellBackFrom: Array<{ provider: string; error: string }>;
  receipt: SignatureReceipt;
  status: SignatureStatusValue;
  recipients: Array<{ email: string; order: number; role: "signer" | "cc"; status: RecipientStatusValue }>;
  /** The verified callback events of this package, in order. */
  events: Array<{ type: SignatureEventType; email: string | undefined }>;
  completedAt: string;
  /** Where the signed PDF was saved. */
  savedTo: string;
}

/** ESIGN_PROVIDER, validated (default docusign). */
export function providerFromEnv(env?: Record<string, string | undefined>): ProviderName;

/** Send the loan package through the chosen provider (falling back when its breaker is open), complete it, save the signed PDF. */
export function runLoanSigning(options?: { provider?: ProviderName; outage?: boolean; outDir?: string; log?: (line: string) => void }): Promise<LoanSigningOutcome>;

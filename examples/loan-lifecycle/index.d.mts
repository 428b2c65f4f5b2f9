/** Types of index.mjs, for the example's test. */

/** One of the six steps. */
export type StepId = "leads" | "survey" | "signing" | "funding" | "notify" | "reconcile";

/** The steps in order. */
export const STEPS: readonly StepId[];

/** An email provider behind core's Mailer. */
export type EmailProvider = "sendgrid" | "ses" | "mailgun";

/** An accounting ledger behind core's Ledger. */
export type LedgerProvider = "quickbooks" | "xero";

/** What the command line asks for. */
export interface LoanLifecycleOptions {
  /** Make the fakes fail: 503s, 429 with Retry-After, an outage of the chosen e-signature provider, a duplicated callback. */
  chaos?: boolean;
  /** Print the span tree of this step. */
  trace?: StepId | undefined;
  /** The e-signature provider tried first. */
  esign?: "docusign" | "authentisign";
  /** The email provider tried first (its fallback: SendGrid → SES, SES or Mailgun → SendGrid). */
  email?: EmailProvider;
  /** The accounting ledger of the Funding and Reconcile steps. */
  ledger?: LedgerProvider;
  /** Where the BPO export and the signed PDF are written (default examples/loan-lifecycle/out). */
  outDir?: string | undefined;
  /** Where the line printer writes (console.log by default). */
  log?: (line: string) => void;
  /** Progress of long steps (one rewritten line on a terminal). */
  progress?: (text: string) => void;
}

/** One row of the summary table. */
export interface VendorRow {
  vendor: string;
  version: string | undefined;
  calls: number;
  failed: number;
  retries: number;
  ms: number;
  webhooksVerified: number;
  webhooksRejected: number;
  duplicatesDropped: number;
  health: "healthy" | "degraded" | "unhealthy" | "unknown";
  breaker: "closed" | "open" | "half-open" | undefined;
  healthLatencyMs: number | undefined;
}

/** A dead letter and why it is there. */
export interface ReviewedDeadLetter {
  id: string;
  adapterId: string;
  operation: string;
  error: string | undefined;
  attempts: number;
  resolution: string;
  /** True when it is work nobody finished (needs a replay). */
  open: boolean;
}

/** What a run did (also written by --summary-json). */
export interface LoanLifecycleSummary {
  /** True when nothing was lost: every platform check passed and no dead letter is open. */
  ok: boolean;
  mode: "normal" | "chaos";
  esign: "docusign" | "authentisign";
  email: EmailProvider;
  ledger: LedgerProvider;
  steps: Array<{ id: StepId; title: string; line: string; ms: number }>;
  results: {
    leads: {
      file: string;
      rows: number;
      created: number;
      updated: number;
      skipped: number;
      rejected: number;
      failed: number;
      newLeads: number;
      expected: { valid: number; rejected: number; duplicates: number };
      leadId: string;
      bpoProject: { id: string; externalId: string };
    };
    survey: { jobId: string; status: string; notificationStatus: string; fields: Record<string, unknown>; needsReview: string[]; averageConfidence: number };
    signing: {
      requested: string;
      servedBy: string;
      fellBackFrom: Array<{ provider: string; error: string }>;
      healthProbes: Array<{ status: string; breaker: string | undefined }>;
      id: string;
      status: string;
      signers: Array<{ email: string; status: string }>;
      savedTo: string;
      bytes: number;
      saves: number;
      duplicateDeliveryStatus: number | undefined;
    };
    funding: {
      ledger: LedgerProvider;
      /** QuickBooks realm id or Xero tenant id. */
      tenantId: string;
      customerId: string;
      customerCreated: boolean;
      /** Core's LedgerInvoice fields; amounts are decimal strings ("12500.00"). */
      invoice: { id: string; number: string | undefined; total: string; balance: string; status: string };
      webhookStatus: number;
      /** The verified change events, `<entity>.<operation>` in core's words (`invoice.create`). */
      changes: string[];
    };
    notify: {
      email: {
        requested: EmailProvider;
        servedBy: EmailProvider;
        fellBackFrom: Array<{ provider: EmailProvider; error: string | undefined }>;
        healthProbes: Array<{ status: string; breaker: string | undefined }>;
        messageId: string;
        status: string;
        /** What the provider's verified endpoint answered the delivery events. */
        eventsStatus: number;
      };
      sms: { sid: string; to: string; segments: number; status: string; statuses: string[] };
      /** Chaos only: the answer to a forged copy of the serving email provider's signed event. */
      tamperedBatchStatus: number | undefined;
      confirmed: boolean;
      replyStatus: number;
      replyTwiml: string;
    };
    reconcile: {
      ok: boolean;
      ledger: { provider: LedgerProvider; matched: number; mismatched: number; outstanding: string; openInvoices: number; platformBalance: string };
      /** Messages each email provider's fake accepted for the borrower; `total` must be 1. */
      emails: { accepted: Partial<Record<EmailProvider, number>>; total: number };
      checks: Record<string, boolean>;
      deadLetters: ReviewedDeadLetter[];
    };
  };
  vendors: VendorRow[];
  webhooks: { verified: number; rejected: number; duplicatesDropped: number };
  fallback: Array<{ from: string; to: string; error: string }>;
  deadLetters: ReviewedDeadLetter[];
  health: { status: "healthy" | "degraded" | "unhealthy" };
  injected: Array<{ vendor: string; what: string }>;
  /** HTTP requests each fake received (attempts). */
  requests: Record<string, number>;
  durationMs: number;
}

/** Parse the command line flags (throws TypeError on an unknown or bad flag). */
export function parseArgs(argv: readonly string[]): Required<Pick<LoanLifecycleOptions, "chaos" | "esign" | "email" | "ledger">> & {
  trace: StepId | undefined;
  outDir: string | undefined;
  summaryJson: string | undefined;
  live: boolean;
  crash: boolean;
};

/** What `--crash` returns (and writes with --summary-json): the killed worker, what the next one resumed, each write's count at the fakes. */
export interface CrashDemoSummary {
  ok: boolean;
  mode: "crash";
  killed: { pid: number; signal: string; step: "funding"; invoicesAtKill: number };
  resumed: string[];
  writes: Array<{ vendor: string; write: string; count: number }>;
}

/** Run the crash demo (`--crash`). */
export function runCrashDemo(options?: { log?: (line: string) => void }): Promise<CrashDemoSummary>;

/** Per vendor: whether the environment configures its real client, and which variables are missing. */
export function liveConfiguration(env?: Record<string, string | undefined>): Array<{ vendor: string; configured: boolean; missing: string[]; optionalSet: string[] }>;

/** Build the configured vendors' real clients and check their health (network: only with real credentials). */
export function runLiveCheck(options?: { env?: Record<string, string | undefined>; log?: (line: string) => void }): Promise<{
  configuration: ReturnType<typeof liveConfiguration>;
  health: { status: "healthy" | "degraded" | "unhealthy"; adapters: Record<string, { status: string; latencyMs: number; error?: string }> };
  refused: Record<string, string>;
}>;

/** Walk loan LN-1001 through every vendor against the embedded fakes. */
export function runLoanLifecycle(options?: LoanLifecycleOptions): Promise<LoanLifecycleSummary>;

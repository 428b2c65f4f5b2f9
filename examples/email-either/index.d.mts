/** Types of index.mjs, for the example's test. */
import type { MailAddress, MailEventType, MailMessage, MailReceipt } from "@connect/core";
import type { ProviderName } from "./providers.mjs";

export interface EmailOutcome {
  /** The provider EMAIL_PROVIDER (or the option) asked for. */
  requested: ProviderName;
  /** The provider that sent the email (the backup after a fallback). */
  servedBy: ProviderName;
  /** Providers skipped because their breaker was open. */
  fellBackFrom: Array<{ provider: string; error: string }>;
  receipt: MailReceipt;
  /** With an outage: the receipt of the same send repeated under the same idempotency key. */
  repeated: MailReceipt | undefined;
  /** What the host's webhook receiver answered to each signed delivery. */
  webhookStatuses: number[];
  /** The verified delivery events, normalised to core's MailEvent vocabulary. */
  events: Array<{ provider: string; type: MailEventType; email: string; messageId: string | undefined; bounce: "hard" | "soft" | undefined; customArgs: Record<string, string> | undefined }>;
  /** Per provider: messages its fake accepted, send requests that reached it. */
  counts: Record<string, { accepted: number; sendRequests: number }>;
}

/** The backup of each provider. */
export const BACKUP: Record<ProviderName, ProviderName>;

/** EMAIL_PROVIDER, validated (default sendgrid). */
export function providerFromEnv(env?: Record<string, string | undefined>): ProviderName;

/** The provider-neutral draw-approved message. */
export function drawApprovedMessage(from: MailAddress): MailMessage;

/** Send the draw-approved email through the chosen provider (falling back when its breaker is open) and process its delivery events. */
export function runEmail(options?: { provider?: ProviderName; outage?: boolean; log?: (line: string) => void }): Promise<EmailOutcome>;

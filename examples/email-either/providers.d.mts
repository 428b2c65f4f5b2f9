/** Types of providers.mjs, for the example's test. */
import type { Mailer, PolicyOptions } from "@connect/core";

export type ProviderName = "sendgrid" | "ses" | "mailgun";

export const PROVIDERS: ProviderName[];
export const DEMO_POLICY: PolicyOptions;

export interface MailFixture {
  name: ProviderName;
  from: { email: string; name: string };
  mailer: Mailer;
  /** The provider's own events, as its verified receiver passed them on. */
  received: unknown[];
  /** Make the fake post one signed event about a recipient of a send to the receiver. */
  report(kind: "delivered" | "bounced", messageId: string, email: string): Promise<{ status: number; events: unknown[] }>;
  accepted(): number;
  sendRequests(): number;
  /** Every API call of the fake answers 503 from now on. */
  outage(): void;
  /** The next send request answers 503 (the email may or may not have gone out, as far as the client can tell). */
  failNextSend(): void;
  close(): Promise<void>;
}

export function startProvider(name: ProviderName, options?: { policy?: PolicyOptions }): Promise<MailFixture>;

/** Types of index.mjs, for the example's test. */
import type { MailEventType } from "@connect/core";

export interface SesDeliveryOutcome {
  messageId: string;
  /** `raw`: the attachment made it a Raw MIME send. */
  kind: "simple" | "raw" | "template";
  /** The Raw MIME message as the fake decoded it. */
  mime: {
    structure: string[];
    text: string | undefined;
    html: string | undefined;
    attachments: Array<{ filename: string | undefined; contentType: string; disposition: string | undefined; bytesMatch: boolean }>;
  };
  subscription: { status: number; confirmed: number; otherTopicStatus: number };
  /** What the receiver answered to the signed Delivery and Bounce notifications. */
  statuses: number[];
  events: Array<{ provider: string; type: MailEventType; email: string; messageId: string | undefined; bounce: "hard" | "soft" | undefined; customArgs: Record<string, string> | undefined }>;
  /** What the receiver answered to the tampered and the foreign-certificate notifications. */
  forged: number[];
  handlersReachedByForgeries: number;
}

/** Send with an attachment, receive the SNS-signed delivery and bounce events, refuse forgeries. */
export function runSesDeliveryEvents(options?: { log?: (line: string) => void }): Promise<SesDeliveryOutcome>;

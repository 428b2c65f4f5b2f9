/** Types of index.mjs, for the example's test. */
export interface DrawApprovedOutcome {
  messageId: string | undefined;
  webhookStatus: number;
  summary: { received: number; handled: number; duplicates: number; ignored: number; failed: number; deadLettered: number };
  delivered: Array<{ email: string; drawId: string | undefined; messageId: string | undefined }>;
  bounced: Array<{ email: string; drawId: string | undefined; type: string | undefined; status: string | undefined; reason: string | undefined }>;
  bounces: Array<{ created: number; email: string; reason?: string | undefined; status?: string | undefined }>;
}

/** Send the draw-approved email against the SendGrid fake and process its delivered/bounce events. */
export function runDrawApproved(options?: { log?: (line: string) => void }): Promise<DrawApprovedOutcome>;

/** Types of index.mjs, for the example's test. */
export interface InspectionReminderOutcome {
  messageSid: string;
  /** The borrower's number in E.164. */
  to: string;
  segments: number;
  /** HTTP status our endpoint answered to each status callback. */
  callbacks: Array<number | undefined>;
  /** Statuses applied to the reminder, in order. */
  delivery: string[];
  confirmed: boolean;
  replyStatus: number;
  replyTwiml: string;
  twilioStatus: string;
}

/** Send the inspection reminder against the Twilio fake and handle the CONFIRM reply. */
export function runInspectionReminder(options?: { log?: (line: string) => void }): Promise<InspectionReminderOutcome>;

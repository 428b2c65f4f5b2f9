/** Types of index.mjs, for the example's test. */
import type { Extraction, SurveyFields, TextractNotificationEvent } from "@connect/textract";

export interface TextractSurveyOutcome {
  jobId: string;
  notification: TextractNotificationEvent;
  survey: Extraction<SurveyFields> & { status: string; partial: boolean };
}

/** Analyse a survey against the Textract fake, wait for its signed SNS notification, extract typed fields. */
export function runTextractSurvey(options?: { log?: (line: string) => void }): Promise<TextractSurveyOutcome>;

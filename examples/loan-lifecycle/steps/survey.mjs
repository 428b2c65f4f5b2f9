// Step 2 — the survey: the borrower's survey lands in S3, Textract analyses it asynchronously,
// its completion arrives as a signed SNS notification on the host's endpoint (no polling), and
// the results are read page by page into typed survey fields.
import { sampleDocuments } from "@connect/textract/testing";
import { TEXTRACT_ROLE_ARN, TEXTRACT_TOPIC_ARN } from "../vendors.mjs";

const BUCKET = "acme-uploads";

/** Analyse the loan's survey; resolves with the typed fields. */
export async function analyseSurvey(app, loan) {
  const { textract } = app.vendors;
  const ctx = app.context("survey");
  const key = `loans/${loan.number}/survey.pdf`;
  textract.fake.putDocument(BUCKET, key, sampleDocuments.SURVEY); // the upload
  app.chaos?.survey(textract.fake);

  const { jobId } = await textract.client.analyses.start(
    {
      document: { bucket: BUCKET, name: key },
      features: ["FORMS", "TABLES"],
      documentType: "SURVEY",
      jobTag: `loan-${loan.number}:survey`,
      notification: { snsTopicArn: TEXTRACT_TOPIC_ARN, roleArn: TEXTRACT_ROLE_ARN },
    },
    { ...ctx, idempotencyKey: `${loan.number}-survey-analysis` },
  );
  app.progress(`Textract job ${jobId.slice(0, 8)}… started; waiting for its SNS notification`);
  const notification = await app.platform.surveyNotifications.waitFor(jobId);
  const survey = await textract.client.analyses.extract(notification.jobId, "SURVEY", ctx);
  loan.survey = survey.data;

  const d = survey.data;
  const fmt = (n) => (typeof n === "number" ? n.toLocaleString("en-US") : "?");
  return {
    line: `job ${jobId.slice(0, 8)}… ${notification.status} (SNS verified): parcel ${d.PARCEL_NUMBER ?? "?"}, lot ${fmt(d.LOT_SIZE_SQFT)} ft², flood zone ${d.FLOOD_ZONE ?? "?"}, ${d.EASEMENTS?.length ?? 0} easements, ${survey.needsReview.length} field(s) to review`,
    result: { jobId, status: survey.status, notificationStatus: notification.status, fields: survey.data, needsReview: survey.needsReview, averageConfidence: survey.averageConfidence },
  };
}

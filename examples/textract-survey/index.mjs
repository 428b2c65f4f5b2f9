// Survey analysis: start a Textract analysis of an uploaded survey against the embedded fake,
// receive the signed SNS completion notification on a local node:http endpoint, verify it,
// fetch the results page by page and print the typed survey fields.
// Runs offline: `npm run build && node examples/textract-survey/index.mjs`.
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { serveHandlers } from "@connect/core/testing";
import { createSnsVerifier, createTextractClient, createTextractNotificationReceiver } from "@connect/textract";
import { createTextractFake, sampleDocuments, TEST_SIGNING_CERT_PEM, TEST_SIGNING_CERT_URL } from "@connect/textract/testing";

const TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:textract-completions";
const ROLE_ARN = "arn:aws:iam::111122223333:role/TextractSNSPublish";

/** Run the whole flow; returns what happened so a test can assert it. */
export async function runTextractSurvey({ log = console.log } = {}) {
  // 1. Our SNS endpoint: verify the signature, then hand the notification over. The fake signs
  //    with a test certificate, which only this demo trusts (real SNS certificates are fetched).
  const verifier = createSnsVerifier({ topicArns: [TOPIC_ARN], trustedCertificates: { [TEST_SIGNING_CERT_URL]: TEST_SIGNING_CERT_PEM } });
  let resolveNotification;
  const notified = new Promise((resolve) => (resolveNotification = resolve));
  const receiver = createTextractNotificationReceiver({ verifier, onNotification: (event) => resolveNotification(event) });
  const endpoint = createServer((req, res) => void receiver.node(req, res));
  await new Promise((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
  const snsUrl = `http://127.0.0.1:${endpoint.address().port}/textract/sns`;

  // 2. The vendor: the Textract fake on 127.0.0.1, holding the uploaded survey in "S3", set up to
  //    publish completions to our endpoint. Drop `endpoint` and `credentials` for the real service.
  const fake = createTextractFake({ snsEndpoint: snsUrl, signatureVersion: "2", completeAfterMs: 20 });
  fake.putDocument("acme-uploads", "loans/ln_42/survey.pdf", sampleDocuments.SURVEY);
  const api = await serveHandlers(fake.handlers);
  const textract = createTextractClient({
    region: "us-east-1",
    endpoint: api.url,
    credentials: { accessKeyId: "AKIDEXAMPLEFAKE", secretAccessKey: "fake-secret-for-the-demo" },
  });

  try {
    // 3. Start the analysis: FORMS + the SURVEY query set on every page, keyed for idempotency.
    const { jobId } = await textract.analyses.start(
      {
        document: { bucket: "acme-uploads", name: "loans/ln_42/survey.pdf" },
        features: ["FORMS", "TABLES"],
        documentType: "SURVEY",
        jobTag: "tenant-t_123:doc-survey_42",
        notification: { snsTopicArn: TOPIC_ARN, roleArn: ROLE_ARN },
      },
      { idempotencyKey: "doc-survey_42-analysis", tenantId: "t_123" },
    );
    log(`started analysis ${jobId.slice(0, 12)}… for s3://acme-uploads/loans/ln_42/survey.pdf`);

    // 4. Wait for the signed SNS notification (no polling).
    const notification = await notified;
    log(`SNS notification verified: job ${notification.jobId.slice(0, 12)}… ${notification.status} (tag ${notification.jobTag})`);

    // 5. The results call decides the status; fields are extracted page by page.
    const survey = await textract.analyses.extract(notification.jobId, "SURVEY");
    log(`results: ${survey.status}, average confidence ${survey.averageConfidence}`);
    for (const [alias, field] of Object.entries(survey.fields)) {
      const value = Array.isArray(field.value) ? field.value.join(" | ") : String(field.value);
      log(`  ${alias.padEnd(17)} ${value}${field.needsReview ? "   ⚠ review" : ""}`);
    }
    return { jobId, notification, survey };
  } finally {
    await fake.settled();
    await new Promise((resolve) => endpoint.close(resolve));
    await textract.close();
    await api.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runTextractSurvey();
}

// Consumer smoke test (CommonJS): the same calls through require().
const { IntegrationError, ValidationError } = require("@connect/core");
const { serveHandlers } = require("@connect/core/testing");
const { createSendGridClient } = require("@connect/sendgrid");
const { createSendGridFake } = require("@connect/sendgrid/testing");
const { createTextractClient } = require("@connect/textract");
const { createTextractFake, sampleDocuments } = require("@connect/textract/testing");

async function main() {
  const out = { format: "cjs", node: process.version };
  const sgFake = createSendGridFake();
  const sgServer = await serveHandlers(sgFake.handlers);
  const sendgrid = createSendGridClient({ apiKey: sgFake.apiKey, baseUrl: sgServer.url });
  const sent = await sendgrid.mail.send({
    from: { email: "draws@acme-lending.example" },
    subject: "Draw 3 approved",
    content: [{ type: "text/plain", value: "Your draw was approved." }],
    personalizations: [{ to: [{ email: "ana@example.com" }] }],
  });
  out.sendgrid = { version: sendgrid.version, messageId: typeof sent.messageId === "string" && sent.messageId.length > 0 };
  const invalid = await sendgrid.mail.send({ from: { email: "not-an-address" } }).catch((error) => error);
  out.validation = invalid instanceof ValidationError && IntegrationError.is(invalid);
  await sendgrid.close();
  await sgServer.close();

  const txFake = createTextractFake({ inProgressPolls: 0 });
  txFake.putDocument("uploads", "survey.pdf", sampleDocuments.SURVEY);
  const txServer = await serveHandlers(txFake.handlers);
  const textract = createTextractClient({ region: "us-east-1", endpoint: txServer.url, credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" } });
  const { jobId } = await textract.analyses.start({ document: { bucket: "uploads", name: "survey.pdf" }, features: ["FORMS"], documentType: "SURVEY" });
  await textract.analyses.waitFor(jobId, {}, { deadlineMs: 10_000 });
  const survey = await textract.analyses.extract(jobId, "SURVEY");
  out.textract = { version: textract.version, fields: Object.keys(survey.data).length > 0 };
  if (textract.close) await textract.close();
  await txServer.close();
  console.log(JSON.stringify(out));
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});

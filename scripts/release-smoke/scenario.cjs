// The consumer smoke scenario, shared by smoke.mjs (modules loaded with import) and smoke.cjs
// (loaded with require): build clients against the packages' own fakes on 127.0.0.1 and make one
// call each; report what a consumer would check.
async function run({ core, testing, sendgridPkg, sendgridTesting, textractPkg, textractTesting }, format) {
  const out = { format, node: process.version };

  const sgFake = sendgridTesting.createSendGridFake();
  const sgServer = await testing.serveHandlers(sgFake.handlers);
  const sendgrid = sendgridPkg.createSendGridClient({ apiKey: sgFake.apiKey, baseUrl: sgServer.url });
  const sent = await sendgrid.mail.send({
    from: { email: "draws@acme-lending.example" },
    subject: "Draw 3 approved",
    content: [{ type: "text/plain", value: "Your draw was approved." }],
    personalizations: [{ to: [{ email: "ana@example.com" }] }],
  });
  out.sendgrid = { version: sendgrid.version, messageId: typeof sent.messageId === "string" && sent.messageId.length > 0 };
  const invalid = await sendgrid.mail.send({ from: { email: "not-an-address" } }).catch((error) => error);
  out.validation = invalid instanceof core.ValidationError && core.IntegrationError.is(invalid);
  await sendgrid.close();
  await sgServer.close();

  const txFake = textractTesting.createTextractFake({ inProgressPolls: 0 });
  txFake.putDocument("uploads", "survey.pdf", textractTesting.sampleDocuments.SURVEY);
  const txServer = await testing.serveHandlers(txFake.handlers);
  const textract = textractPkg.createTextractClient({
    region: "us-east-1",
    endpoint: txServer.url,
    credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
  });
  const { jobId } = await textract.analyses.start({ document: { bucket: "uploads", name: "survey.pdf" }, features: ["FORMS"], documentType: "SURVEY" });
  await textract.analyses.waitFor(jobId, {}, { deadlineMs: 10_000 });
  const survey = await textract.analyses.extract(jobId, "SURVEY");
  out.textract = { version: textract.version, fields: Object.keys(survey.data).length > 0 };
  await textract.close();
  await txServer.close();
  return out;
}

module.exports = { run };

// Consumer smoke test (ESM): run from a project that installed @connect/* from a registry.
// Builds clients against the packages' own fakes on 127.0.0.1 and makes one call each.
import { IntegrationError, ValidationError } from "@connect/core";
import { serveHandlers } from "@connect/core/testing";
import { createSendGridClient } from "@connect/sendgrid";
import { createSendGridFake } from "@connect/sendgrid/testing";
import { createTextractClient } from "@connect/textract";
import { createTextractFake, sampleDocuments } from "@connect/textract/testing";

const out = { format: "esm", node: process.version };

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
await textract.close?.();
await txServer.close();

console.log(JSON.stringify(out));

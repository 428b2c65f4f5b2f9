// SES delivery events: send the draw-3 approval with its PDF attached through @connect/ses (the
// package builds the Raw MIME message), then let SES — the embedded fake — publish the delivery and
// bounce events through SNS to a local receiver. The receiver checks each SNS signature before
// anything else, confirms the subscription of our topic only, and the Mailer normalises the events.
// A forged SNS message is refused and reaches no handler.
// Runs offline: `npm run build && node examples/ses-delivery-events/index.mjs`.
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { createSnsVerifier } from "@connect/core/aws";
import { postSnsEnvelope, serveHandlers, SNS_TEST_SIGNING_CERT_PEM, SNS_TEST_SIGNING_CERT_URL } from "@connect/core/testing";
import { createSesClient, createSesEventReceiver, createSesMailer } from "@connect/ses";
import { createSesFake } from "@connect/ses/testing";

const REGION = "eu-west-1";
const TOPIC = "arn:aws:sns:eu-west-1:111122223333:ses-events";
const CREDENTIALS = { accessKeyId: "AKIDEXAMPLEFAKE", secretAccessKey: "example-fake-secret-access-key-0002" };
const BORROWER = "ana.borrower@example.com";
const BUILDER = "builder@unknown-domain.example";

/** A small PDF standing in for the draw approval. */
function approvalPdf() {
  return Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% Draw 3 approval, loan LN-1001, $12,500.00\ntrailer << /Root 1 0 R >>\n%%EOF\n", "latin1");
}

/** Run the whole flow; returns what happened so a test can assert it. */
export async function runSesDeliveryEvents({ log = console.log } = {}) {
  // 1. The vendor: the SES fake on 127.0.0.1, checking SigV4 (drop `endpoint` and `credentials` for AWS).
  const fake = createSesFake({ credentials: CREDENTIALS, region: REGION, identities: ["acme-lending.test"], topicArn: TOPIC });
  const api = await serveHandlers(fake.handlers);
  const ses = createSesClient({ region: REGION, endpoint: api.url, credentials: CREDENTIALS, configurationSetName: "transactional" });
  const mailer = createSesMailer(ses);

  // 2. Our endpoint: SNS signature first (the fake signs with core's test certificate; in production
  //    the default verifier fetches AWS's), then the SES event inside, by type.
  const seen = [];
  const confirmed = [];
  const receiver = createSesEventReceiver({
    topicArns: [TOPIC],
    verifier: createSnsVerifier({ vendor: "ses", topicArns: [TOPIC], trustedCertificates: { [SNS_TEST_SIGNING_CERT_URL]: SNS_TEST_SIGNING_CERT_PEM }, fetchCertificate: () => Promise.reject(new Error("offline example: no certificate downloads")) }),
    // Offline, record the SubscribeURL instead of fetching it (the default fetches it, https on an SNS host only).
    confirmSubscription: async (url) => void confirmed.push(url),
    handlers: {
      Delivery: (n) => void seen.push(n),
      Bounce: (n) => void seen.push(n),
    },
  });
  const server = createServer((req, res) => void receiver.node(req, res));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}/webhooks/ses`;

  try {
    // 3. SNS asks us to confirm the subscription of our topic; another topic's is not confirmed.
    const subscription = await fake.confirmSubscription(url);
    const otherTopic = await fake.confirmSubscription(url, { topicArn: "arn:aws:sns:eu-west-1:444455556666:not-ours" });
    log(`subscription confirmation: ${subscription.status} (${confirmed.length} confirmed); another topic's: ${otherTopic.status}`);

    // 4. Send the approval with the PDF attached: an attachment makes it a Raw MIME send.
    const pdf = approvalPdf();
    const sent = await ses.emails.send(
      {
        from: "Acme Lending Draws <draws@acme-lending.test>",
        to: [`Ana Borrower <${BORROWER}>`, BUILDER],
        subject: "Draw 3 approved: $12,500.00 for 14 Elm St",
        text: "Hello Ana,\n\ndraw 3 of loan LN-1001 is approved; the approval is attached.\n",
        html: "<p>Hello Ana,</p><p>draw 3 of loan LN-1001 is approved; the approval is attached.</p>",
        attachments: [{ filename: "draw-3-approval.pdf", content: pdf, contentType: "application/pdf" }],
        tags: { loan_id: "LN-1001", draw_id: "draw_3" },
      },
    );
    const accepted = fake.message(sent.messageId);
    const attachment = accepted.mime.attachments[0];
    log(`sent ${sent.kind} message ${sent.messageId}: ${accepted.mime.structure.join(" > ")}, attachment ${attachment.filename} (${attachment.contentType}, ${attachment.content.length} bytes)`);

    // 5. SES publishes: delivered to the borrower, a permanent bounce from the builder's domain.
    const delivery = await fake.publish(url, sent.messageId, { type: "Delivery", recipient: BORROWER });
    const bounce = await fake.publish(url, sent.messageId, { type: "Bounce", recipient: BUILDER, bounceType: "Permanent" });
    const events = mailer.toMailEvents(seen);
    log(`SNS notifications answered ${delivery.status}, ${bounce.status}`);
    for (const e of events) log(`event ${e.type} ${e.email}${e.bounce ? ` (${e.bounce.kind}: ${e.bounce.reason})` : ""} · loan ${e.customArgs?.loan_id} ${e.customArgs?.draw_id}`);

    // 6. Forgeries: a signed bounce rewritten to say "delivered", and one whose certificate URL is not AWS's.
    const tampered = fake.envelope(sent.messageId, { type: "Bounce", recipient: BUILDER });
    const message = JSON.parse(tampered.Message);
    tampered.Message = JSON.stringify({ ...message, eventType: "Delivery", delivery: { timestamp: message.bounce.timestamp, recipients: [BUILDER], smtpResponse: "250 ok" }, bounce: undefined });
    const foreignCert = { ...fake.envelope(sent.messageId, { type: "Delivery", recipient: BUILDER }), SigningCertURL: "https://sns.attacker.example/SimpleNotificationService.pem" };
    const before = seen.length;
    const forged = [(await postSnsEnvelope(url, tampered)).status, (await postSnsEnvelope(url, foreignCert)).status];
    log(`forged notifications answered ${forged.join(", ")}; handlers reached: ${seen.length - before}`);

    return {
      messageId: sent.messageId,
      kind: sent.kind,
      mime: { structure: accepted.mime.structure, text: accepted.mime.text, html: accepted.mime.html, attachments: accepted.mime.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, disposition: a.disposition, bytesMatch: a.content.equals(pdf) })) },
      subscription: { status: subscription.status, confirmed: confirmed.length, otherTopicStatus: otherTopic.status },
      statuses: [delivery.status, bounce.status],
      events: events.map((e) => ({ provider: e.provider, type: e.type, email: e.email, messageId: e.messageId, bounce: e.bounce?.kind, customArgs: e.customArgs })),
      forged,
      handlersReachedByForgeries: seen.length - before,
    };
  } finally {
    await new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await ses.close();
    await api.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runSesDeliveryEvents();
}

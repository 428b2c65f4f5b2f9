// Step 5 — the borrower hears about the draw: a templated SendGrid email (its signed Event
// Webhook reports the delivery) and a Twilio SMS (signed status callbacks follow it to
// `delivered`); the borrower replies CONFIRM, which arrives as a signed inbound webhook and is
// answered with TwiML.
import { dollars } from "../platform.mjs";
import { LENDER_NUMBER } from "../vendors.mjs";
import { FIRST_DRAW } from "./funding.mjs";

const DRAW_DISBURSED_TEMPLATE = "d-5b1e9c3a7f2d4e6a8b0c1d2e3f4a5b6c";

/** Email and text the borrower; resolves once the CONFIRM reply is in. */
export async function notifyBorrower(app, loan) {
  const { sendgrid, twilio } = app.vendors;
  const ctx = app.context("notify");
  const amount = dollars(FIRST_DRAW.amountCents);
  app.chaos?.notify({ sendgrid: sendgrid.fake, twilio: twilio.fake });

  const email = await sendgrid.client.mail.send(
    {
      from: { email: "draws@acme-lending.test", name: "Acme Lending Draws" },
      template_id: DRAW_DISBURSED_TEMPLATE,
      personalizations: [
        {
          to: [{ email: loan.borrower.email, name: loan.borrower.name }],
          dynamic_template_data: { firstName: loan.borrower.firstName, drawNumber: 1, amount, property: loan.address },
          custom_args: { x_loan_id: loan.number, x_draw_id: FIRST_DRAW.id },
        },
      ],
      categories: ["draw-disbursed"],
    },
    { ...ctx, idempotencyKey: `${loan.number}:${FIRST_DRAW.id}:email` },
  );
  loan.notifications.email.push({ messageId: email.messageId, status: "accepted" });
  const events = sendgrid.fake.eventsFor(email.messageId, [{ event: "processed" }, { event: "delivered" }]);
  const tamperedStatus = app.chaos ? await app.chaos.tamperedEventBatch(sendgrid.fake, sendgrid.webhookUrl, events) : undefined;
  await (await sendgrid.fake.postEvents(sendgrid.webhookUrl, events)).arrayBuffer();

  const sms = await twilio.client.messages.send(
    {
      to: loan.borrower.phone,
      from: LENDER_NUMBER,
      body: `Hi ${loan.borrower.firstName}, draw 1 of ${amount} for ${loan.address} has been disbursed. Reply CONFIRM to acknowledge.`,
      statusCallback: `${twilio.webhookUrl}/status`,
      maxSegments: 2,
    },
    { ...ctx, idempotencyKey: `${loan.number}:${FIRST_DRAW.id}:sms` },
  );
  loan.notifications.sms.push({ sid: sms.sid, to: sms.to, status: sms.status });
  await twilio.fake.deliver(sms.sid);
  const reply = await twilio.fake.postInbound({ url: `${twilio.webhookUrl}/inbound`, from: sms.to, to: LENDER_NUMBER, body: " confirm " });

  const mail = loan.notifications.email[0];
  const text = loan.notifications.sms[0];
  return {
    line: `email ${mail.status} (SendGrid ${email.status}, ${email.messageId}), SMS ${text.status} (Twilio ${sms.sid.slice(0, 10)}…, ${sms.segmentInfo.segments} segment), CONFIRM ${loan.confirmed ? "received" : "missing"} → TwiML reply ${reply.response.status}`,
    result: {
      email: { messageId: email.messageId, httpStatus: email.status, status: mail.status },
      sms: { sid: sms.sid, to: sms.to, segments: sms.segmentInfo.segments, status: text.status, statuses: text.statuses ?? [] },
      tamperedBatchStatus: tamperedStatus,
      confirmed: loan.confirmed,
      replyStatus: reply.response.status,
      replyTwiml: reply.twiml,
    },
  };
}

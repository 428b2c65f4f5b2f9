// Step 5 — the borrower hears about the draw: a templated email through core's provider-neutral
// `Mailer` (SendGrid by default, SES or Mailgun with --email=…) and a Twilio SMS (signed status
// callbacks follow it to `delivered`); the borrower replies CONFIRM, which arrives as a signed
// inbound webhook and is answered with TwiML. The email goes through core's `fallback()`: the
// second provider is used only when the first one provably sent nothing (its breaker is open, the
// request never reached it); after a 5xx or a timeout it is not sent again anywhere. The
// provider's delivery events come back through its own verified endpoint (SendGrid: ECDSA-signed
// Event Webhook; SES: SNS-signed notifications; Mailgun: HMAC-signed webhooks).
import { checkHealth, fallback } from "@connect/core";
import { dollars } from "../platform.mjs";
import { EMAIL_FALLBACK, LENDER_NUMBER } from "../vendors.mjs";
import { FIRST_DRAW } from "./funding.mjs";

export const EMAIL_NAMES = { sendgrid: "SendGrid", ses: "SES", mailgun: "Mailgun" };

/**
 * The draw email, provider-neutral (core's MailMessage); `template` is the provider's own template
 * id. SendGrid and SES templates carry their subject; a Mailgun template does not, so it goes along.
 */
export function drawEmail(loan, { provider, template }) {
  return {
    ...(provider === "mailgun" ? { subject: `Loan ${loan.number}: draw 1 of ${dollars(FIRST_DRAW.amountCents)} disbursed` } : {}),
    from: { email: "draws@acme-lending.test", name: "Acme Lending Draws" },
    to: { email: loan.borrower.email, name: loan.borrower.name },
    template: { id: template, data: { firstName: loan.borrower.firstName, drawNumber: 1, amount: dollars(FIRST_DRAW.amountCents), property: loan.address } },
    tags: ["draw-disbursed"],
    customArgs: { x_loan_id: loan.number, x_draw_id: FIRST_DRAW.id },
  };
}

/** Probe the provider until it is healthy or its breaker has opened (at most three probes). */
async function healthGate(client) {
  const probes = [];
  for (let probe = 1; probe <= 3; probe += 1) {
    const health = (await checkHealth([client])).adapters[client.id];
    probes.push(health);
    if (health.status !== "unhealthy" || health.breaker === "open") break;
  }
  return probes;
}

/** Email and text the borrower; resolves once the CONFIRM reply is in. */
export async function notifyBorrower(app, loan) {
  const { mail, twilio } = app.vendors;
  const ctx = app.context("notify");
  const amount = dollars(FIRST_DRAW.amountCents);
  const primary = app.emailProvider;
  const secondary = EMAIL_FALLBACK[primary];
  app.chaos?.notify({ mail, primary, secondary, twilio: twilio.fake });

  // The email: the chosen provider, then (only if it provably sent nothing) the other one.
  const probes = await healthGate(mail[primary].client);
  const { value: receipt, servedBy, failures } = await fallback(
    [primary, secondary].map((name) => ({
      name,
      run: () => mail[name].mailer.send(drawEmail(loan, mail[name]), { ...ctx, idempotencyKey: `${loan.number}:${FIRST_DRAW.id}:email` }),
    })),
  );
  const sender = mail[servedBy];
  loan.notifications.email.push({ provider: servedBy, messageId: receipt.messageId, status: "accepted" });
  const tamperedStatus = app.chaos ? await app.chaos.tamperedEmailEvent(sender, receipt.messageId, loan.borrower.email) : undefined;
  const eventsStatus = await sender.deliver(receipt.messageId, loan.borrower.email);

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

  const email = loan.notifications.email[0];
  const text = loan.notifications.sms[0];
  const fellBack = failures.map((f) => ({ provider: f.provider, error: f.error?.name }));
  const gate = probes.map((p) => `${p.status}${p.breaker ? `/${p.breaker}` : ""}`).join(" → ");
  return {
    line: `${fellBack.length > 0 ? `${EMAIL_NAMES[primary]} down (health ${gate}) → fallback to ${EMAIL_NAMES[servedBy]}; ` : ""}email ${email.status} (${servedBy} ${receipt.messageId}, events verified), SMS ${text.status} (Twilio ${sms.sid.slice(0, 10)}…, ${sms.segmentInfo.segments} segment), CONFIRM ${loan.confirmed ? "received" : "missing"} → TwiML reply ${reply.response.status}`,
    result: {
      email: { requested: primary, servedBy, fellBackFrom: fellBack, healthProbes: probes.map((p) => ({ status: p.status, breaker: p.breaker })), messageId: receipt.messageId, status: email.status, eventsStatus },
      sms: { sid: sms.sid, to: sms.to, segments: sms.segmentInfo.segments, status: text.status, statuses: text.statuses ?? [] },
      tamperedBatchStatus: tamperedStatus,
      confirmed: loan.confirmed,
      replyStatus: reply.response.status,
      replyTwiml: reply.twiml,
    },
  };
}

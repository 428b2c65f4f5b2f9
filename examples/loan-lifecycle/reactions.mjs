// What the platform does when a verified webhook arrives. Each handler runs only after the
// vendor package's endpoint has checked the signature and dropped duplicates, so a redelivered
// event never saves a PDF twice or confirms twice.
import { createWriteStream } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";

/** The platform's webhook reactions; `app` is read when an event arrives (vendors exist by then). */
export function createReactions(app) {
  const loanOf = (number) => app.platform.loans.get(number);
  const loanBySignature = (id) => [...app.platform.loans.values()].find((loan) => loan.signature?.id === id);

  return {
    // Textract: the job finished; the results call (step 2) decides the status.
    textract: (notification) => {
      app.platform.surveyNotifications.resolve(notification.jobId, notification);
    },

    // Either e-signature provider, normalised by core's SignatureEvent.
    esign: async (event) => {
      if (event.type !== "completed") return;
      const loan = loanBySignature(event.signatureId) ?? loanOf(event.externalRef);
      const provider = app.vendors.esign[event.provider].provider;
      const signed = await provider.downloadSigned(event.signatureId, app.context("signing"));
      await mkdir(app.outDir, { recursive: true });
      const savedTo = join(app.outDir, `${loan?.number ?? event.externalRef}-signed-${event.provider}.pdf`);
      await pipeline(signed.body, createWriteStream(savedTo));
      const { size } = await stat(savedTo);
      if (loan?.signature) {
        loan.signature.savedTo = savedTo;
        loan.signature.bytes = size;
        loan.signature.saves += 1;
      }
      app.platform.signedDocuments.resolve(event.signatureId, { savedTo, bytes: size });
    },

    // The ledger (QuickBooks or Xero): its verified change events carry ids only; read the invoice to see what changed.
    ledger: async (ledger, payload) => {
      for (const change of ledger.toChangeEvents(payload)) {
        const invoice = change.entity === "invoice" ? await ledger.getInvoice(change.id, app.context("funding")) : undefined;
        app.platform.ledgerChanges.push({ provider: change.provider, entity: change.entity, operation: change.operation, id: change.id, ...(invoice ? { balance: invoice.balance } : {}) });
      }
    },

    // Email (SendGrid, SES or Mailgun): the provider's verified event, normalised by its Mailer;
    // the draw email is found by the loan id it carries (customArgs) and its message id.
    mail: (mailer, payload) => {
      for (const event of mailer.toMailEvents(payload)) {
        if (event.type !== "delivered") continue;
        const loan = loanOf(event.customArgs?.x_loan_id);
        const mail = loan?.notifications.email.find((m) => m.provider === event.provider && m.messageId === event.messageId);
        if (mail) mail.status = "delivered";
      }
    },

    // Twilio: status callbacks move the SMS forward; CONFIRM is the borrower's acknowledgement.
    twilio: {
      onStatus: (event) => {
        for (const loan of app.platform.loans.values()) {
          const sms = loan.notifications.sms.find((m) => m.sid === event.messageSid);
          if (!sms) continue;
          sms.status = event.status;
          (sms.statuses ??= []).push(event.status);
        }
      },
      keywords: {
        CONFIRM: {
          spellings: ["CONFIRMED"],
          handler: (message) => {
            const loan = [...app.platform.loans.values()].find((l) => l.notifications.sms.some((m) => m.to === message.from));
            if (!loan) return "We could not find a loan for this number.";
            loan.confirmed = true;
            return `Thanks ${loan.borrower.firstName}, we have noted your confirmation for loan ${loan.number}.`;
          },
        },
      },
      onInbound: () => "Reply CONFIRM to acknowledge the draw, or STOP to opt out.",
    },
  };
}

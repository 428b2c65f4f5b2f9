// Inspection reminder: text a borrower about their draw inspection through @connect/twilio
// ("Reply CONFIRM to acknowledge"), follow its delivery through signed status callbacks, and
// handle the borrower's CONFIRM reply with a TwiML answer — end to end against the embedded
// Twilio fake. Runs offline: `npm run build && node examples/twilio-reminder/index.mjs`.
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { serveHandlers } from "@connect/core/testing";
import { createMemoryOptOutStore, createTwilioClient } from "@connect/twilio";
import { createTwilioFake } from "@connect/twilio/testing";

const LENDER_NUMBER = "+14155552345";
const BORROWER = { name: "Ana", phone: "(415) 555-0100" };
const INSPECTION = { id: "insp_42", drawId: "draw_3", property: "14 Elm St", when: "Tue Jun 4 at 10:00" };

/** Run the whole flow; returns what happened so a test can assert it. */
export async function runInspectionReminder({ log = console.log } = {}) {
  // 1. The vendor: the Twilio fake on 127.0.0.1 (for the real API, drop baseUrl and pass real credentials).
  const fake = createTwilioFake({ senders: [LENDER_NUMBER] });
  const api = await serveHandlers(fake.handlers);
  const optOuts = createMemoryOptOutStore();
  const twilio = createTwilioClient({ accountSid: fake.accountSid, auth: { authToken: fake.authToken }, baseUrl: api.url, optOuts });

  // 2. The application's own record of the inspection and its reminder.
  const inspection = { ...INSPECTION, borrower: BORROWER.name, phone: undefined, messageSid: undefined, delivery: [], confirmed: false };

  // 3. Our webhook endpoint: Twilio's signature is checked before anything else; statuses only move forward.
  const webhook = twilio.createWebhookHandler({
    onStatus: (event) => {
      if (event.messageSid !== inspection.messageSid) return;
      inspection.delivery.push(event.status);
      log(`status     ${event.messageSid} ${event.previousStatus ?? "(none)"} → ${event.status}`);
    },
    keywords: {
      CONFIRM: {
        spellings: ["CONFIRMED", "C"],
        handler: (message) => {
          if (message.from !== inspection.phone) return "We could not find an inspection for this number.";
          inspection.confirmed = true;
          log(`confirmed  ${inspection.id} by ${message.from} ("${message.body}")`);
          return `Thanks ${inspection.borrower}, your inspection at ${inspection.property} on ${inspection.when} is confirmed.`;
        },
      },
    },
    onInbound: () => "Sorry, we did not understand. Reply CONFIRM to acknowledge your inspection, or STOP to opt out.",
    onOptOut: (message) => log(`opted out  ${message.from}`),
  });
  const receiver = createServer((req, res) => void webhook.node(req, res));
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const hooks = `http://127.0.0.1:${receiver.address().port}/twilio`;

  try {
    // 4. Send the reminder. The number is normalised to E.164 before any request; the key makes a
    //    repeated call (a job retry) return this message instead of texting twice.
    const sent = await twilio.messages.send(
      {
        to: BORROWER.phone,
        from: LENDER_NUMBER,
        body: `Hi ${BORROWER.name}, the inspection for ${INSPECTION.drawId} at ${INSPECTION.property} is on ${INSPECTION.when}. Reply CONFIRM to acknowledge.`,
        statusCallback: `${hooks}/status`,
        maxSegments: 2,
      },
      { idempotencyKey: `inspection-reminder:${INSPECTION.id}`, tenantId: "t_123" },
    );
    inspection.phone = sent.to;
    inspection.messageSid = sent.sid;
    log(`sent       ${sent.sid} to ${sent.to}: ${sent.segmentInfo.segments} segment(s), ${sent.segmentInfo.encoding}, status ${sent.status}`);

    // 5. Twilio delivers it and posts signed status callbacks: queued → sent → delivered.
    const transitions = await fake.deliver(sent.sid);

    // 6. The borrower replies " confirm " (any case, any spacing); our endpoint answers with TwiML.
    const reply = await fake.postInbound({ url: `${hooks}/inbound`, from: sent.to, to: LENDER_NUMBER, body: " confirm " });
    log(`replied    HTTP ${reply.response.status}: ${reply.twiml}`);

    // 7. What Twilio now holds for the reminder.
    const fetched = await twilio.messages.get({ sid: sent.sid });
    log(`twilio     ${fetched.sid} is ${fetched.status} (price ${fetched.price} ${fetched.priceUnit})`);

    return {
      messageSid: sent.sid,
      to: sent.to,
      segments: sent.segmentInfo.segments,
      callbacks: transitions.map((t) => t.callback?.status),
      delivery: inspection.delivery,
      confirmed: inspection.confirmed,
      replyStatus: reply.response.status,
      replyTwiml: reply.twiml,
      twilioStatus: fetched.status,
    };
  } finally {
    await new Promise((resolve) => receiver.close(resolve));
    await twilio.close();
    await api.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runInspectionReminder();
}

// Draw approved: send the templated "draw approved" email through @connect/sendgrid, then let
// the SendGrid fake post a signed Event Webhook batch (delivered + bounce) to a local receiver.
// Runs offline against the embedded fake: `npm run build && node examples/sendgrid-draw-approved/index.mjs`.
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { serveHandlers } from "@connect/core/testing";
import { createSendGridClient, createSendGridWebhookHandler, customArgsOf } from "@connect/sendgrid";
import { createSendGridFake } from "@connect/sendgrid/testing";

const DRAW_APPROVED_TEMPLATE = "d-7a0c4e5f9b2d4c1e8f3a6b9c0d1e2f30";

/** Run the whole flow; returns what happened so a test can assert it. */
export async function runDrawApproved({ log = console.log } = {}) {
  // 1. The vendor: the SendGrid fake on 127.0.0.1 (swap for the real API by dropping baseUrl).
  const fake = createSendGridFake({ verifiedSenders: ["@acme-lending.test"] });
  const api = await serveHandlers(fake.handlers);
  const sendgrid = createSendGridClient({ apiKey: fake.apiKey, baseUrl: api.url });

  // 2. Our webhook endpoint: verifies the ECDSA signature over the raw bytes, then dispatches typed events.
  const delivered = [];
  const bounced = [];
  const webhook = createSendGridWebhookHandler({
    publicKey: fake.signer.publicKey,
    handlers: {
      delivered: (event) => {
        delivered.push({ email: event.email, drawId: customArgsOf(event).x_draw_id, messageId: event.sg_message_id });
      },
      bounce: (event) => {
        bounced.push({ email: event.email, drawId: customArgsOf(event).x_draw_id, type: event.type, status: event.status, reason: event.reason });
      },
    },
  });
  const receiver = createServer((req, res) => void webhook.node(req, res));
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const webhookUrl = `http://127.0.0.1:${receiver.address().port}/webhooks/sendgrid`;

  try {
    // 3. Send the "draw approved" email to the borrower and the builder.
    const sent = await sendgrid.mail.send(
      {
        from: { email: "draws@acme-lending.test", name: "Acme Lending Draws" },
        template_id: DRAW_APPROVED_TEMPLATE,
        personalizations: [
          {
            to: [{ email: "ana.borrower@example.com", name: "Ana Borrower" }],
            dynamic_template_data: { firstName: "Ana", drawNumber: 3, amount: "$12,500.00", property: "14 Elm St" },
            custom_args: { x_tenant_id: "t_123", x_draw_id: "draw_3" },
          },
          {
            to: [{ email: "builder@unknown-domain.example", name: "Bo Builder" }],
            dynamic_template_data: { firstName: "Bo", drawNumber: 3, amount: "$12,500.00", property: "14 Elm St" },
            custom_args: { x_tenant_id: "t_123", x_draw_id: "draw_3" },
          },
        ],
        categories: ["draw-approved"],
        tracking_settings: { open_tracking: { enable: true } },
      },
      { tenantId: "t_123" },
    );
    log(`sent "draw approved": X-Message-Id ${sent.messageId} (HTTP ${sent.status})`);

    // 4. SendGrid reports back: delivered to the borrower, a hard bounce from the builder's domain.
    const events = fake.eventsFor(sent.messageId, [
      { event: "delivered", personalization: 0 },
      { event: "bounce", personalization: 1 },
    ]);
    const response = await fake.postEvents(webhookUrl, events);
    const summary = await response.json();
    log(`event webhook answered ${response.status}: ${JSON.stringify(summary)}`);
    for (const d of delivered) log(`delivered  ${d.email} (draw ${d.drawId})`);
    for (const b of bounced) log(`bounced    ${b.email} (draw ${b.drawId}): ${b.type} ${b.status} ${b.reason}`);

    // 5. The bounce is now on SendGrid's suppression list.
    const bounces = await sendgrid.bounces.list();
    log(`bounce suppression list: ${bounces.map((b) => b.email).join(", ") || "(empty)"}`);

    return { messageId: sent.messageId, webhookStatus: response.status, summary, delivered, bounced, bounces };
  } finally {
    await new Promise((resolve) => receiver.close(resolve));
    await sendgrid.close();
    await api.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runDrawApproved();
}

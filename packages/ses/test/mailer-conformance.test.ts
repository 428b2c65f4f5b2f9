/** Core's provider-neutral Mailer conformance suite, run against the SES fake on loopback. */
import { createMemoryIdempotencyStore, type MailEventType } from "@connect/core";
import { createSnsVerifier } from "@connect/core/aws";
import { serveHandlers, SNS_TEST_SIGNING_CERT_PEM, SNS_TEST_SIGNING_CERT_URL } from "@connect/core/testing";
import { http } from "msw";
import { describeMailerConformance } from "../../../test/conformance/mailer.js";
import { createSesClient, createSesEventReceiver, createSesMailer, type SesNotification } from "../src/index.js";
import { createSesFake } from "../src/testing/index.js";
import { CREDENTIALS, FAST_POLICY } from "./helpers.js";

const TOPIC = "arn:aws:sns:eu-west-1:111122223333:ses-events";
const EVENT: Record<MailEventType, string> = {
  processed: "Send",
  delivered: "Delivery",
  deferred: "DeliveryDelay",
  bounced: "Bounce",
  dropped: "Reject",
  complaint: "Complaint",
  opened: "Open",
  clicked: "Click",
  unsubscribed: "Subscription",
};

describeMailerConformance("ses", async () => {
  const fake = createSesFake({ credentials: CREDENTIALS, region: "eu-west-1", identities: ["acme.test"], topicArn: TOPIC });
  const server = await serveHandlers(fake.handlers);
  const client = createSesClient({ region: "eu-west-1", endpoint: server.url, credentials: CREDENTIALS, policy: FAST_POLICY, idempotencyStore: createMemoryIdempotencyStore() });
  const mailer = createSesMailer(client);
  // Events go through a real receiver on loopback: signed by the fake, verified, parsed.
  let delivered: SesNotification[] = [];
  const receiver = createSesEventReceiver({
    topicArns: [TOPIC],
    verifier: createSnsVerifier({ vendor: "ses", topicArns: [TOPIC], trustedCertificates: { [SNS_TEST_SIGNING_CERT_URL]: SNS_TEST_SIGNING_CERT_PEM }, fetchCertificate: () => Promise.reject(new Error("no network in tests")) }),
    onEvent: (n) => void delivered.push(n),
  });
  const host = await serveHandlers([http.post("*/ses/events", ({ request }) => receiver.fetch(request))]);
  return {
    mailer,
    from: "noreply@acme.test",
    async sent() {
      return fake.sent.map((m) => ({
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        attachments: m.attachments.map((a) => ({ filename: a.filename ?? "", size: a.content.length })),
        tags: Object.entries(m.tags).filter(([k, v]) => k.startsWith("tag_") && v === "true").map(([k]) => k.slice(4)),
        customArgs: Object.fromEntries(Object.entries(m.tags).filter(([k]) => !k.startsWith("tag_"))),
      }));
    },
    requestCount: () => fake.calls.length,
    async deliverEvent(kind, message, detail) {
      if (!message.messageId) throw new Error("ses receipts always carry a messageId");
      delivered = [];
      const res = await fake.publish(`${host.url}/ses/events`, message.messageId, {
        type: EVENT[kind],
        recipient: message.to,
        ...(kind === "bounced" ? { bounceType: detail?.bounce === "soft" ? "Transient" : "Permanent" } : {}),
        ...(kind === "clicked" ? { link: "https://acme.test/draws/3" } : {}),
      });
      if (res.status !== 200) throw new Error(`the receiver answered ${res.status}: ${await res.text()}`);
      if (delivered.length !== 1) throw new Error(`expected one delivered event, got ${delivered.length}`);
      return delivered[0];
    },
    async suppress(email, reason) {
      await client.suppressions.put({ email, reason: reason === "complaint" ? "COMPLAINT" : "BOUNCE" });
    },
    suppressionReasons: ["bounce", "complaint"],
    async close() {
      await client.close();
      await host.close();
      await server.close();
    },
  };
});

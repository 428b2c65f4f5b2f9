// core's Mailer conformance suite against the SendGrid fake: the mailer over a real client on
// loopback, events signed by the fake and verified by the package's own webhook receiver.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { MailEventType, MailSuppressionReason } from "@connect/core";
import { FAST_TEST_POLICY, serveHandlers } from "@connect/core/testing";
import { createSendGridClient, createSendGridMailer, createSendGridWebhookHandler, type SendGridEvent, type UnknownSendGridEvent } from "@connect/sendgrid";
import { createSendGridFake } from "@connect/sendgrid/testing";
import { describeMailerConformance, type MailerHarness } from "../../../test/conformance/mailer.js";

const SPECS: Record<MailEventType, (bounce: "hard" | "soft") => Record<string, unknown> & { event: string }> = {
  processed: () => ({ event: "processed" }),
  delivered: () => ({ event: "delivered" }),
  deferred: () => ({ event: "deferred" }),
  bounced: (bounce) => (bounce === "hard" ? { event: "bounce", type: "bounce" } : { event: "bounce", type: "blocked", reason: "550 5.7.1 blocked by policy", status: "5.7.1" }),
  dropped: () => ({ event: "dropped" }),
  complaint: () => ({ event: "spamreport" }),
  opened: () => ({ event: "open" }),
  clicked: () => ({ event: "click" }),
  unsubscribed: () => ({ event: "unsubscribe" }),
};

export async function sendGridMailerHarness(): Promise<MailerHarness & { received: Array<SendGridEvent | UnknownSendGridEvent> }> {
  const fake = createSendGridFake({ verifiedSenders: ["@acme-lending.test"] });
  const served = await serveHandlers(fake.handlers);
  const client = createSendGridClient({ apiKey: fake.apiKey, baseUrl: served.url, policy: FAST_TEST_POLICY });
  const mailer = createSendGridMailer(client);
  const received: Array<SendGridEvent | UnknownSendGridEvent> = [];
  const receiver = createSendGridWebhookHandler({ publicKey: fake.signer.publicKey, onEvent: (event) => void received.push(event) });
  const host = createServer((req, res) => void receiver.node(req, res));
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  const hookUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}/sendgrid/events`;

  return {
    mailer,
    from: "draws@acme-lending.test",
    received,
    requestCount: () => served.requests.length,
    async sent() {
      return fake.sends.map((s) => {
        const body = s.body as Record<string, unknown> & typeof s.body;
        const content = (body.content as Array<{ type: string; value: string }> | undefined) ?? [];
        return {
          to: body.personalizations.flatMap((p) => p.to.map((a) => a.email)),
          subject: body.subject as string | undefined,
          text: content.find((c) => c.type === "text/plain")?.value,
          html: content.find((c) => c.type === "text/html")?.value,
          attachments: ((body.attachments as Array<{ filename: string; content: string }> | undefined) ?? []).map((a) => ({ filename: a.filename, size: Buffer.from(a.content, "base64").length })),
          tags: (body.categories as string[] | undefined) ?? [],
          customArgs: (body.custom_args as Record<string, string> | undefined) ?? {},
        };
      });
    },
    async deliverEvent(kind, message, detail) {
      if (!message.messageId) throw new Error("the SendGrid fake needs the X-Message-Id of the send");
      const events = fake.eventsFor(message.messageId, [{ ...SPECS[kind](detail?.bounce ?? "hard"), email: message.to }]);
      const before = received.length;
      const response = await fake.postEvents(hookUrl, events);
      if (response.status !== 200 && response.status !== 204) throw new Error(`the receiver answered ${response.status}`);
      return received.slice(before);
    },
    async suppress(email, reason: MailSuppressionReason) {
      const created = Math.floor(Date.now() / 1000);
      if (reason === "bounce") fake.suppressions.bounces.push({ created, email, reason: "550 5.1.1 user unknown", status: "5.1.1" });
      else if (reason === "blocked") fake.suppressions.blocks.push({ created, email, reason: "550 5.7.1 blocked", status: "5.7.1" });
      else if (reason === "complaint") fake.suppressions.spamReports.push({ created, email, ip: "203.0.113.7" });
      else if (reason === "unsubscribe") fake.suppressions.unsubscribes.push({ created, email });
      else throw new Error(`the SendGrid fake keeps no ${reason} list`);
    },
    suppressionReasons: ["bounce", "blocked", "complaint", "unsubscribe"],
    async close() {
      await client.close();
      await served.close();
      await new Promise<void>((resolve) => host.close(() => resolve()));
    },
  };
}

describeMailerConformance("sendgrid", sendGridMailerHarness);

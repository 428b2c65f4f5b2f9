// core's Mailer conformance suite against the Mailgun fake: the mailer over a real client on
// loopback, events signed by the fake and verified by the package's own webhook receiver.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { MailEventType, MailSuppressionReason } from "@connect/core";
import { FAST_TEST_POLICY, serveHandlers } from "@connect/core/testing";
import { createMailgunClient, createMailgunMailer, createMailgunWebhookHandler, type MailgunEvent } from "@connect/mailgun";
import { createMailgunFake, type FakeEvent, type MailgunFake } from "@connect/mailgun/testing";
import { describeMailerConformance, type MailerHarness } from "../../../test/conformance/mailer.js";

/** The fake event that stands for each normalised kind. */
function eventOf(fake: MailgunFake, kind: MailEventType, messageId: string, to: string, bounce: "hard" | "soft"): FakeEvent {
  const own = (event: string) => fake.eventsFor(messageId).find((e) => e.event === event && e.recipient === to)!;
  switch (kind) {
    case "processed":
      return own("accepted");
    case "delivered":
      return own("delivered");
    case "deferred":
      return fake.fail(messageId, "temporary", { recipient: to });
    case "bounced":
      return fake.fail(messageId, bounce, { recipient: to });
    case "dropped":
      return fake.emit(messageId, "rejected", { recipient: to });
    case "complaint":
      return fake.emit(messageId, "complained", { recipient: to });
    case "opened":
    case "clicked":
    case "unsubscribed":
      return fake.emit(messageId, kind, { recipient: to });
  }
}

export async function mailgunMailerHarness(): Promise<MailerHarness & { received: MailgunEvent[] }> {
  const fake = createMailgunFake({ domains: ["mg.acme-lending.test"] });
  const served = await serveHandlers(fake.handlers);
  const client = createMailgunClient({ apiKey: fake.apiKey, domain: fake.domainName, region: "us", baseUrl: served.url, policy: FAST_TEST_POLICY });
  const mailer = createMailgunMailer(client);
  const received: MailgunEvent[] = [];
  const receiver = createMailgunWebhookHandler({ signingKey: fake.signingKey, onEvent: (event) => void received.push(event) });
  const host = createServer((req, res) => void receiver.node(req, res));
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  const hookUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}/mailgun/events`;

  return {
    mailer,
    from: "draws@mg.acme-lending.test",
    received,
    requestCount: () => served.requests.length,
    async sent() {
      return fake.messages.map((m) => ({
        // Bare addresses: the fake keeps the fields as sent (`Name <addr>`).
        to: (m.fields.to ?? []).map((value) => /<([^<>]+)>\s*$/.exec(value)?.[1] ?? value.trim()),
        subject: m.fields.subject?.[0],
        text: m.fields.text?.[0],
        html: m.fields.html?.[0],
        attachments: [...m.attachments, ...m.inline].map((f) => ({ filename: f.filename, size: f.size })),
        tags: m.fields["o:tag"] ?? [],
        customArgs: Object.fromEntries(Object.entries(m.fields).filter(([name]) => name.startsWith("v:")).map(([name, values]) => [name.slice(2), values[0]!])),
      }));
    },
    async deliverEvent(kind, message, detail) {
      if (!message.messageId) throw new Error("the Mailgun fake needs the message id of the send");
      const event = eventOf(fake, kind, message.messageId, message.to, detail?.bounce ?? "hard");
      const before = received.length;
      const response = await fake.deliverWebhook(hookUrl, event);
      if (response.status !== 200) throw new Error(`the receiver answered ${response.status}`);
      return received.slice(before);
    },
    async suppress(email, reason: MailSuppressionReason) {
      if (reason === "bounce") await client.bounces.add({ address: email, code: 550, error: "5.1.1 user unknown" });
      else if (reason === "complaint") await client.complaints.add({ address: email });
      else if (reason === "unsubscribe") await client.unsubscribes.add({ address: email });
      else throw new Error(`Mailgun keeps no ${reason} list`);
    },
    suppressionReasons: ["bounce", "complaint", "unsubscribe"],
    async close() {
      await client.close();
      await served.close();
      await new Promise<void>((resolve) => host.close(() => resolve()));
    },
  };
}

describeMailerConformance("mailgun", mailgunMailerHarness);

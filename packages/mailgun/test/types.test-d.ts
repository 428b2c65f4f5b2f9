// Compile-time checks of the public surface (checked by `tsc -p tsconfig.json`).
import type { Mailer } from "@connect/core";
import { createMailgunClient, createMailgunMailer, createMailgunWebhookHandler, type Bounce, type EventsPage, type MailgunEvent, type MailgunPage, type SendMessageResult, type Unsubscribe } from "@connect/mailgun";
import { expectTypeOf } from "vitest";

const client = createMailgunClient({ apiKey: "key-x", domain: "mg.acme.test", region: "eu" });

expectTypeOf(client.messages.send).returns.resolves.toEqualTypeOf<SendMessageResult>();
expectTypeOf(client.events.list).returns.resolves.toEqualTypeOf<EventsPage>();
expectTypeOf(client.bounces.get).returns.resolves.toEqualTypeOf<Bounce>();
expectTypeOf(client.unsubscribes.list).returns.resolves.toEqualTypeOf<MailgunPage<Unsubscribe>>();
expectTypeOf(client.events.listAll).returns.toEqualTypeOf<AsyncGenerator<MailgunEvent, void, undefined>>();
expectTypeOf(createMailgunMailer(client)).toEqualTypeOf<Mailer>();

// @ts-expect-error region is required (a domain answers only in its own region)
createMailgunClient({ apiKey: "key-x", domain: "mg.acme.test" });
// @ts-expect-error region is "us" or "eu"
createMailgunClient({ apiKey: "key-x", domain: "mg.acme.test", region: "ap" });
// @ts-expect-error to is required
void client.messages.send({ from: "a@acme.test", subject: "s", text: "t" });
// @ts-expect-error tags are strings
void client.messages.send({ from: "a@acme.test", to: "b@example.com", subject: "s", text: "t", tags: [1] });
// @ts-expect-error an unsubscribe's tags are an array
void client.unsubscribes.add({ address: "a@example.com", tags: "newsletter" });

createMailgunWebhookHandler({
  signingKey: "k",
  handlers: {
    failed: (event) => {
      expectTypeOf(event.severity).toEqualTypeOf<string | undefined>();
      expectTypeOf(event.timestamp).toEqualTypeOf<number>();
    },
    // @ts-expect-error not a Mailgun event type
    bounced: () => undefined,
  },
});

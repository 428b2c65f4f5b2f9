// Compile-time checks of the public surface (checked by `tsc -p tsconfig.json`).
import { createTwilioClient, createTwilioWebhookHandler, type Message, type MessagePage, type MessageStatus, type SentMessage, type TwilioWebhookEvent } from "@connect/twilio";
import { expectTypeOf } from "vitest";

const client = createTwilioClient({ accountSid: "AC00000000000000000000000000000000", auth: { authToken: "t0ken-0000" } });

expectTypeOf(client.messages.send).returns.resolves.toEqualTypeOf<SentMessage>();
expectTypeOf(client.messages.get).returns.resolves.toEqualTypeOf<Message>();
expectTypeOf(client.messages.listPage).returns.resolves.toEqualTypeOf<MessagePage>();
expectTypeOf(client.messages.list).returns.toEqualTypeOf<AsyncGenerator<Message, void, undefined>>();
expectTypeOf<SentMessage["segmentInfo"]["encoding"]>().toEqualTypeOf<"GSM-7" | "UCS-2">();
expectTypeOf<Message["status"]>().toEqualTypeOf<MessageStatus>();
expectTypeOf<Message["price"]>().toEqualTypeOf<number | null>();

// @ts-expect-error to is required
void client.messages.send({ from: "+14155552345", body: "x" });
// @ts-expect-error mediaUrl is a list of URLs
void client.messages.send({ to: "+14155550100", from: "+14155552345", mediaUrl: "https://f.test/a.jpg" });
// @ts-expect-error the iterator takes filters, not a page URI
void client.messages.list({ pageUri: "/2010-04-01/Accounts/AC/Messages.json" });
// @ts-expect-error an API key needs its secret (or a SecretProvider)
createTwilioClient({ accountSid: "AC00000000000000000000000000000000", auth: { apiKeySid: "SK00000000000000000000000000000000" } });

createTwilioWebhookHandler({
  authToken: ["current-token", "previous-token"],
  onStatus: (event) => {
    expectTypeOf(event.type).toEqualTypeOf<"message.status">();
    expectTypeOf(event.errorCode).toEqualTypeOf<number | undefined>();
    expectTypeOf(event.previousStatus).toEqualTypeOf<MessageStatus | undefined>();
  },
  onInbound: (message) => {
    expectTypeOf(message.from).toEqualTypeOf<string>();
    expectTypeOf(message.media).items.toHaveProperty("contentType");
    return { body: "Thanks", media: ["https://f.test/map.png"] };
  },
  keywords: { CONFIRM: () => "Confirmed", RESCHEDULE: { spellings: ["RS"], handler: async () => undefined } },
});

// @ts-expect-error a reply's media is a list
createTwilioWebhookHandler({ authToken: "t", onInbound: () => ({ body: "x", media: "https://f.test/a.png" }) });

declare const event: TwilioWebhookEvent;
if (event.type === "message.inbound") expectTypeOf(event.keyword?.type).toEqualTypeOf<"opt-out" | "opt-in" | "help" | "custom" | undefined>();

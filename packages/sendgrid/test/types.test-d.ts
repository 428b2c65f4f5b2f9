// Compile-time checks of the public surface (checked by `tsc -p tsconfig.json`).
import { createSendGridClient, createSendGridWebhookHandler, type SendBatchResult, type SendGridEvent, type SendMailResult } from "@connect/sendgrid";
import { expectTypeOf } from "vitest";

const client = createSendGridClient({ apiKey: "SG.x.y" });

expectTypeOf(client.mail.send).returns.resolves.toEqualTypeOf<SendMailResult>();
expectTypeOf(client.mail.sendBatch).returns.resolves.toEqualTypeOf<SendBatchResult>();
expectTypeOf(client.bounces.list).returns.resolves.items.toHaveProperty("status");
expectTypeOf(client.spamReports.list).returns.resolves.items.toHaveProperty("ip");

// @ts-expect-error from is required
void client.mail.send({ personalizations: [{ to: [{ email: "a@example.com" }] }], template_id: "d-0123456789abcdef0123456789abcdef" });
// @ts-expect-error disposition is "attachment" | "inline"
void client.mail.send({ from: { email: "a@acme.test" }, personalizations: [{ to: [{ email: "a@example.com" }] }], subject: "x", content: [{ type: "text/plain", value: "x" }], attachments: [{ content: "QQ==", filename: "a", disposition: "embedded" }] });
// @ts-expect-error unsubscribes are deleted one address at a time
void client.unsubscribes.delete({ emails: ["a@example.com"] });

createSendGridWebhookHandler({
  publicKey: "k",
  handlers: {
    bounce: (event) => {
      expectTypeOf(event.event).toEqualTypeOf<"bounce">();
      expectTypeOf(event.reason).toEqualTypeOf<string | undefined>();
    },
    click: (event) => {
      expectTypeOf(event.url).toEqualTypeOf<string>();
    },
    // @ts-expect-error not an event type
    bounced: () => undefined,
  },
});

declare const any: SendGridEvent;
if (any.event === "group_unsubscribe") expectTypeOf(any.asm_group_id).toEqualTypeOf<number>();

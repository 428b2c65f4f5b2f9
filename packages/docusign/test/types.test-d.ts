// Compile-time checks of the public surface (checked by `tsc -p tsconfig.json`).
import type { ESignatureProvider, SignatureEvent } from "@connect/core";
import {
  createDocuSignClient,
  createDocuSignSignatureProvider,
  createDocuSignWebhookHandler,
  toSignatureEvent,
  type CreateEnvelopeResult,
  type DocuSignConnectEvent,
  type DownloadedDocument,
  type Envelope,
  type EnvelopeList,
  type Recipients,
} from "@connect/docusign";
import { createDocuSignFake, type DocuSignFake } from "@connect/docusign/testing";
import { expectTypeOf } from "vitest";

const client = createDocuSignClient({ auth: { integrationKey: "k", userId: "u", privateKey: "pem" } });

expectTypeOf(client.envelopes.create).returns.resolves.toEqualTypeOf<CreateEnvelopeResult>();
expectTypeOf(client.envelopes.get).returns.resolves.toEqualTypeOf<Envelope>();
expectTypeOf(client.envelopes.listStatusChanges).returns.resolves.toEqualTypeOf<EnvelopeList>();
expectTypeOf(client.recipients.list).returns.resolves.toEqualTypeOf<Recipients>();
expectTypeOf(client.documents.download).returns.resolves.toEqualTypeOf<DownloadedDocument>();
// String scalars arrive converted.
expectTypeOf<Recipients["signers"][number]["routingOrder"]>().toEqualTypeOf<number>();
expectTypeOf<EnvelopeList["totalSetSize"]>().toEqualTypeOf<number>();
expectTypeOf(createDocuSignSignatureProvider(client)).toEqualTypeOf<ESignatureProvider>();
expectTypeOf(toSignatureEvent).returns.toEqualTypeOf<SignatureEvent | undefined>();

// @ts-expect-error a void needs a reason
void client.envelopes.void({ envelopeId: "e" });
// @ts-expect-error status is sent or created
void client.envelopes.create({ emailSubject: "s", status: "draft", documents: [], recipients: { signers: [] } });
// @ts-expect-error the format is json or xml
void client.envelopes.create({ emailSubject: "s", documents: [], recipients: { signers: [] }, eventNotification: { url: "https://x", format: "soap" } });
// @ts-expect-error auth is required
createDocuSignClient({ accountId: "a" });

createDocuSignWebhookHandler({
  secrets: ["k"],
  handlers: {
    "envelope-completed": (event) => {
      expectTypeOf(event).toEqualTypeOf<DocuSignConnectEvent>();
      expectTypeOf(event.recipients[0]!.routingOrder).toEqualTypeOf<number | undefined>();
    },
  },
  onSignatureEvent: (event) => {
    expectTypeOf(event.type).toEqualTypeOf<SignatureEvent["type"]>();
  },
});

const fake: DocuSignFake = createDocuSignFake();
expectTypeOf(fake.completeAll).returns.resolves.toBeVoid();
expectTypeOf(fake.decline).parameters.toEqualTypeOf<[envelopeId: string, email: string, reason: string]>();
// The fake's client options are accepted as they are.
createDocuSignClient(fake.clientOptions("http://127.0.0.1:1"));

// Compile-time checks of the public surface (checked by `tsc -p tsconfig.json`).
import type { ESignatureProvider, SignatureEvent, SignedDocument } from "@connect/core";
import {
  createAuthentisignCallbackHandler,
  createAuthentisignClient,
  createAuthentisignSignatureProvider,
  toSignatureEvent,
  type AuthentisignEvent,
  type CancelSigningResult,
  type DownloadedDocument,
  type Participant,
  type Signing,
  type SigningStatus,
} from "@connect/authentisign";
import { createAuthentisignFake, type FakeControlResult } from "@connect/authentisign/testing";
import { expectTypeOf } from "vitest";

const client = createAuthentisignClient({ clientId: "id", clientSecret: "secret", baseUrl: "https://api.lwolf.com/authentisign" });

expectTypeOf(client.signings.create).returns.resolves.toEqualTypeOf<Signing>();
expectTypeOf(client.signings.get).returns.resolves.toEqualTypeOf<Signing>();
expectTypeOf(client.signings.list).returns.resolves.toEqualTypeOf<Signing[]>();
expectTypeOf(client.signings.cancel).returns.resolves.toEqualTypeOf<CancelSigningResult>();
expectTypeOf(client.participants.list).returns.resolves.toEqualTypeOf<Participant[]>();
expectTypeOf(client.documents.download).returns.resolves.toExtend<DownloadedDocument>();
expectTypeOf<Signing["status"]>().toEqualTypeOf<SigningStatus>();

// @ts-expect-error baseUrl is required (no published sandbox; choose direct host or gateway)
createAuthentisignClient({ clientId: "id", clientSecret: "secret" });
// @ts-expect-error participants need a lastName
void client.signings.create({ name: "x", participants: [{ firstName: "Ana" }], files: [] });
// @ts-expect-error kind is signed | certificate | partial
void client.documents.download({ signingId: "s", kind: "original" });
// @ts-expect-error cancel takes a signingId
void client.signings.cancel({ id: "s" });

const provider = createAuthentisignSignatureProvider(client, { callbacks: { url: "https://hooks.example.com/a", secrets: "s" } });
expectTypeOf(provider).toExtend<ESignatureProvider>();
expectTypeOf(provider.provider).toEqualTypeOf<"authentisign">();
expectTypeOf(provider.downloadSigned).returns.resolves.toEqualTypeOf<SignedDocument>();
expectTypeOf(toSignatureEvent).returns.toEqualTypeOf<SignatureEvent | undefined>();

createAuthentisignCallbackHandler({
  client,
  token: { secrets: ["new", "old"] },
  handlers: {
    "signing.completed": (event) => {
      expectTypeOf(event).toEqualTypeOf<AuthentisignEvent>();
      expectTypeOf(event.signing).toEqualTypeOf<Signing | undefined>();
    },
    // @ts-expect-error not a callback type
    "envelope-completed": () => undefined,
  },
});

const fake = createAuthentisignFake();
expectTypeOf(fake.completeAll).returns.resolves.toEqualTypeOf<FakeControlResult>();
expectTypeOf(fake.decline).parameters.toEqualTypeOf<[signingId: string, email: string, reason: string]>();

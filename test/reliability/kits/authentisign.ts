/**
 * Authentisign: signings.create (checkable: reconciled by listing), signings.send (checkable),
 * setCallbackUrl / cancel / delete (idempotent) and ccs.add (unsafe).
 */
import { serveHandlers } from "@connect/core/testing";
import { createAuthentisignClient, type AuthentisignClient, type CreateSigningInput } from "@connect/authentisign";
import { createAuthentisignFake } from "@connect/authentisign/testing";
import { http } from "msw";
import { FAST_POLICY } from "../harness.js";
import type { ClientOverrides, Kit, KitClient, KitOptions, WriteOp } from "./types.js";

const pdf = (label: string): Buffer => Buffer.from(`%PDF-1.4\n% ${label}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);

function signing(name: string): CreateSigningInput {
  return {
    name,
    participants: [{ firstName: "Ana", lastName: "Borrower", email: "ana@example.com", role: "Borrower", order: 1 }],
    files: [{ name: "Loan agreement.pdf", content: pdf(name) }],
  };
}

/** Start the Authentisign fake and describe its writes. */
export async function authentisignKit(options: KitOptions = {}): Promise<Kit> {
  const tag = options.secretTag ?? "0";
  const clientSecret = `authentisign-client-SECRET-${tag}`;
  const fake = createAuthentisignFake({ clientSecret });
  const server = await serveHandlers(fake.handlers);
  const as = (c: unknown): AuthentisignClient => c as AuthentisignClient;

  const client = (o: ClientOverrides = {}): AuthentisignClient =>
    createAuthentisignClient({
      clientId: fake.clientId,
      clientSecret: o.rotatingSecret ? { get: async () => clientSecret } : clientSecret,
      baseUrl: `${o.apiBaseUrl ?? server.url}/authentisign`,
      tokenUrl: `${server.url}/oauth/token`,
      policy: o.policy ?? FAST_POLICY,
      telemetry: o.telemetry,
      deadLetters: o.deadLetters,
      idempotencyStore: o.idempotencyStore,
      drift: o.drift,
      transport: o.transport,
    });

  let n = 0;
  const draft = async (c: KitClient): Promise<string> => (await as(c).signings.create(signing(`Loan LN-${(n += 1)} closing package`))).id;
  const writes: WriteOp[] = [
    {
      id: "signings.create",
      safety: "checkable",
      route: { method: "post", path: "*/api/v1/signings", match: /\/api\/v1\/signings$/ },
      prepare: async () => `Loan LN-${(n += 1)} closing package`,
      call: (c, name, ctx) => as(c).signings.create(signing(name as string), ctx),
      effects: (name) => fake.signings().filter((s) => s.name === name).length,
    },
    {
      id: "signings.send",
      safety: "checkable",
      route: { method: "post", path: "*/api/v1/signings/:id/send-signing", match: /\/send-signing$/ },
      readsBody: false,
      prepare: draft,
      call: (c, id, ctx) => as(c).signings.send({ signingId: id as string }, ctx),
      effects: (id) => (fake.signing(id as string).status === "draft" ? 0 : 1),
    },
    {
      id: "signings.setCallbackUrl",
      safety: "idempotent",
      route: { method: "patch", path: "*/api/v1/signings/:id", match: /\/api\/v1\/signings\/[^/?]+$/ },
      readsBody: false,
      prepare: draft,
      call: (c, id, ctx) => as(c).signings.setCallbackUrl({ signingId: id as string, callbackUrl: `https://hooks.acme.test/as?s=${id as string}` }, ctx),
      effects: (id) => (fake.signing(id as string).callbackUrl === `https://hooks.acme.test/as?s=${id as string}` ? 1 : 0),
    },
    {
      id: "signings.cancel",
      safety: "idempotent",
      route: { method: "delete", path: "*/api/v1/signings/:id", match: /\/api\/v1\/signings\/[^/?]+$/ },
      readsBody: false,
      prepare: draft,
      call: (c, id, ctx) => as(c).signings.cancel({ signingId: id as string, reason: "loan withdrawn" }, ctx),
      effects: (id) => (fake.signing(id as string).status === "deleted" ? 1 : 0),
    },
    {
      id: "signings.delete",
      safety: "idempotent",
      route: { method: "delete", path: "*/api/v1/signings/:id", match: /\/api\/v1\/signings\/[^/?]+$/ },
      readsBody: false,
      prepare: draft,
      call: (c, id, ctx) => as(c).signings.delete({ signingId: id as string }, ctx),
      effects: (id) => (fake.signing(id as string).status === "deleted" ? 1 : 0),
    },
    {
      id: "ccs.add",
      safety: "unsafe",
      route: { method: "post", path: "*/api/v1/ccs/batch", match: /\/api\/v1\/ccs\/batch$/ },
      // The batch endpoint answers an empty 200; the result is built from the input.
      readsBody: false,
      prepare: draft,
      call: (c, id, ctx) => as(c).ccs.add({ signingId: id as string, ccs: [{ firstName: "Cam", lastName: "Closer", email: "closing@acme.test" }] }, ctx),
      effects: (id) => fake.signing(id as string).ccs.length,
    },
  ];

  return {
    vendor: "authentisign",
    server,
    handlers: fake.handlers,
    client,
    writes,
    tokenRoute: { method: "post", path: "*/oauth/token", match: /\/oauth\/token$/ },
    // When the write arrives the fake invalidates every token, so the write gets the fake's own 401.
    expireAuth(op) {
      let done = false;
      server.use(
        http[op.route.method](op.route.path, () => {
          if (!done) {
            done = true;
            fake.expireTokens();
          }
          return undefined;
        }),
      );
    },
    secrets: () => [clientSecret],
    async reset() {
      await fake.flush();
      fake.reset();
      server.resetHandlers();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}

/** DocuSign: envelopes.create / createLoanSigning (checkable by transactionId), void and send (idempotent). */
import { serveHandlers } from "@connect/core/testing";
import { createDocuSignClient, type DocuSignClient } from "@connect/docusign";
import { createDocuSignFake, createTestPdf } from "@connect/docusign/testing";
import { http } from "msw";
import { FAST_POLICY } from "../harness.js";
import type { ClientOverrides, Kit, KitOptions, WriteOp } from "./types.js";

const ENVELOPES = "*/restapi/v2.1/accounts/:accountId/envelopes";
const ENVELOPE = "*/restapi/v2.1/accounts/:accountId/envelopes/:envelopeId";
const PDF = createTestPdf(["Loan agreement L-1001", "Borrower: /sn1/  Date: /ds1/"]);

function envelope(n: number, status: "sent" | "created" = "sent") {
  return {
    emailSubject: `Loan L-${n}: please sign`,
    status,
    documents: [{ documentId: 1, name: "Loan agreement.pdf", content: PDF }],
    recipients: { signers: [{ name: "Ann Lee", email: "ann@example.com", routingOrder: 1, tabs: { signHereTabs: [{ anchorString: "/sn1/" }] } }] },
  };
}

/** Start the DocuSign fake and describe its writes. */
export async function docusignKit(options: KitOptions = {}): Promise<Kit> {
  const tag = options.secretTag ?? "0";
  const hmacKey = `docusign-connect-hmac-SECRET-${tag}`;
  const fake = createDocuSignFake({ hmacKeys: [hmacKey] });
  const server = await serveHandlers(fake.handlers);
  const ds = (c: unknown): DocuSignClient => c as DocuSignClient;

  const client = (o: ClientOverrides = {}): DocuSignClient => {
    const base = fake.clientOptions(server.url);
    return createDocuSignClient({
      ...base,
      basePath: o.apiBaseUrl ? `${o.apiBaseUrl}/restapi` : base.basePath,
      policy: o.policy ?? FAST_POLICY,
      telemetry: o.telemetry,
      deadLetters: o.deadLetters,
      idempotencyStore: o.idempotencyStore,
      drift: o.drift,
      transport: o.transport,
    });
  };

  let n = 0;
  const writes: WriteOp[] = [
    {
      id: "envelopes.create",
      safety: "checkable",
      route: { method: "post", path: ENVELOPES, match: /\/envelopes$/ },
      prepare: async () => (n += 1),
      call: (c, p, ctx) => ds(c).envelopes.create(envelope(p as number), ctx),
      effects: (p) => fake.envelopes.filter((e) => e.emailSubject === envelope(p as number).emailSubject).length,
    },
    {
      id: "envelopes.create",
      label: "envelopes.createLoanSigning",
      safety: "checkable",
      route: { method: "post", path: ENVELOPES, match: /\/envelopes$/ },
      prepare: async () => (n += 1),
      call: (c, p, ctx) =>
        ds(c).envelopes.createLoanSigning(
          {
            loanId: `L-${p as number}`,
            borrower: { name: "Ana Borrower", email: "ana@example.com" },
            documents: { loanAgreement: { content: PDF }, promissoryNote: { content: PDF }, securityAgreement: { content: PDF } },
          },
          ctx,
        ),
      effects: (p) => fake.envelopes.filter((e) => e.customFields.loanId === `L-${p as number}`).length,
    },
    {
      id: "envelopes.void",
      safety: "idempotent",
      route: { method: "put", path: ENVELOPE, match: /\/envelopes\/[^/?]+$/ },
      // The result is built from the input; the PUT's body is not read.
      readsBody: false,
      prepare: async (c) => (await ds(c).envelopes.create(envelope((n += 1)))).envelopeId,
      call: (c, id, ctx) => ds(c).envelopes.void({ envelopeId: id as string, reason: "Loan withdrawn" }, ctx),
      effects: (id) => (fake.envelope(id as string)?.status === "voided" ? 1 : 0),
    },
    {
      id: "envelopes.send",
      safety: "idempotent",
      route: { method: "put", path: ENVELOPE, match: /\/envelopes\/[^/?]+$/ },
      readsBody: false,
      prepare: async (c) => (await ds(c).envelopes.create(envelope((n += 1), "created"))).envelopeId,
      call: (c, id, ctx) => ds(c).envelopes.send({ envelopeId: id as string }, ctx),
      effects: (id) => (fake.envelope(id as string)?.status === "created" ? 0 : 1),
    },
  ];

  return {
    vendor: "docusign",
    server,
    handlers: fake.handlers,
    client,
    writes,
    tokenRoute: { method: "post", path: "*/oauth/token", match: /\/oauth\/token$/ },
    // When the write arrives the fake forgets every token it issued, so the write gets DocuSign's
    // own 401 AUTHORIZATION_INVALID_TOKEN (the client must mint a new token and send again).
    expireAuth(op) {
      let done = false;
      server.use(
        http[op.route.method](op.route.path, () => {
          if (!done) {
            done = true;
            fake.revokeTokens();
          }
          return undefined;
        }),
      );
    },
    // The client's credentials; the Connect HMAC key belongs to the webhook side (secrets.test.ts checks it there).
    secrets: () => [fake.privateKeyPem],
    async reset() {
      await fake.connect.settled();
      fake.reset();
      server.resetHandlers();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}

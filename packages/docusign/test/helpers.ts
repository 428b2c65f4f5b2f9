/** Shared fixtures: the fake on a loopback socket and a client with small policy numbers. */
import { FAST_TEST_POLICY, serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { createDocuSignClient, type DocuSignClient, type DocuSignClientOptions } from "@connect/docusign";
import { createDocuSignFake, createTestPdf, type DocuSignFake, type DocuSignFakeOptions } from "@connect/docusign/testing";

export interface Harness {
  fake: DocuSignFake;
  server: ServedHandlers;
  client: DocuSignClient;
  /** A further client on the same fake (closed by close()). */
  newClient(overrides?: Partial<DocuSignClientOptions>): DocuSignClient;
  close(): Promise<void>;
}

/** Fast, deterministic policy (core's test policy): no jitter, 1–5 ms backoff, no limiter, no breaker. */
export const FAST_POLICY = FAST_TEST_POLICY;

export async function setup(options: { fake?: DocuSignFakeOptions; client?: Partial<DocuSignClientOptions> } = {}): Promise<Harness> {
  const fake = createDocuSignFake(options.fake);
  const server = await serveHandlers(fake.handlers);
  const clients: DocuSignClient[] = [];
  const newClient = (overrides: Partial<DocuSignClientOptions> = {}): DocuSignClient => {
    const client = createDocuSignClient({ ...fake.clientOptions(server.url), policy: FAST_POLICY, ...options.client, ...overrides });
    clients.push(client);
    return client;
  };
  const client = newClient();
  return {
    fake,
    server,
    client,
    newClient,
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await server.close();
    },
  };
}

/** Requests the server received on a path (query ignored), REST and OAuth alike. */
export function requestsTo(server: ServedHandlers, pathEnd: string, method?: string) {
  return server.requests.filter((r) => r.url.split("?")[0]!.endsWith(pathEnd) && (!method || r.method === method));
}

export const LOAN_PDF = createTestPdf(["Loan agreement L-1001", "Borrower: /sn1/  Date: /ds1/", "Guarantor: /sn2/  Date: /ds2/"]);

/** A valid two-signer envelope. */
export function loanEnvelope(overrides: Record<string, unknown> = {}) {
  return {
    emailSubject: "Loan L-1001: please sign",
    documents: [{ documentId: "1", name: "Loan agreement.pdf", content: LOAN_PDF }],
    recipients: {
      signers: [
        { name: "Ann Lee", email: "ann@example.com", routingOrder: 1, tabs: { signHereTabs: [{ anchorString: "/sn1/" }] } },
        { name: "Gus Grant", email: "gus@example.com", routingOrder: 2, tabs: { signHereTabs: [{ anchorString: "/sn2/" }] } },
      ],
    },
    ...overrides,
  };
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error,
  );
}

/** Serve a webhook receiver on 127.0.0.1; returns its URL and close(). */
export async function listen(receiver: { node(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse): Promise<void> }): Promise<{ url: string; close(): Promise<void> }> {
  const { createServer } = await import("node:http");
  const server = createServer((req, res) => void receiver.node(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as import("node:net").AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/docusign`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

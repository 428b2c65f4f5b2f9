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

/**
 * The structure of a PDF read independently of the fake's merger: how many headers, `%%EOF`
 * markers, xref tables and trailers it has, whether every xref offset points at its object,
 * the page count the root page tree declares, the page objects, and the text shown.
 */
function shown(text: string): string[] {
  return [...text.matchAll(/\(((?:\\.|[^\\)])*)\) Tj/g)].map((m) => m[1]!);
}

export function inspectPdf(bytes: Buffer) {
  const text = bytes.toString("latin1");
  const count = (re: RegExp) => (text.match(re) ?? []).length;
  const startxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)?.[1]);
  const xref = /^xref\s+0 (\d+)\s+((?:\d{10} \d{5} [fn] ?\s+)+)/.exec(text.slice(startxref));
  const entries = (xref?.[2] ?? "").trim().split(/\s*\n/);
  const offsetsOk = entries.every((entry, num) => {
    const [offset, , kind] = entry.trim().split(" ");
    return kind === "f" || text.startsWith(`${num} 0 obj`, Number(offset));
  });
  const rootNum = /trailer\s*<<[^]*?\/Root (\d+) 0 R/.exec(text)?.[1];
  const root = new RegExp(`(?:^|\\n)${rootNum} 0 obj\\s*<<[^]*?/Pages (\\d+) 0 R`).exec(text)?.[1];
  const declaredPages = Number(new RegExp(`(?:^|\\n)${root} 0 obj\\s*<<[^]*?/Count (\\d+)`).exec(text)?.[1]);
  return {
    headers: count(/%PDF-\d\.\d/g),
    eofs: count(/%%EOF/g),
    xrefTables: count(/(?:^|\n)xref\s/g),
    trailers: count(/(?:^|\n)trailer\s/g),
    xrefSize: Number(xref?.[1]),
    xrefEntries: entries.length,
    offsetsOk,
    declaredPages,
    pageObjects: count(/\/Type \/Page(?![s\w])/g),
    shownText: shown(text),
    /** The text of each page, in the order of the root page tree's /Kids. */
    pageTexts: [...(new RegExp(`(?:^|\\n)${root} 0 obj\\s*<<[^\\n]*?/Kids \\[([^\\]]*)\\]`).exec(text)?.[1] ?? "").matchAll(/(\d+) 0 R/g)].map(([, page]) => {
      const contents = new RegExp(`(?:^|\\n)${page} 0 obj\\s*<<[^\\n]*?/Contents (\\d+) 0 R`).exec(text)?.[1];
      const stream = new RegExp(`(?:^|\\n)${contents} 0 obj\\s*<<[^]*?stream\\r?\\n([^]*?)endstream`).exec(text)?.[1] ?? "";
      return shown(stream);
    }),
  };
}

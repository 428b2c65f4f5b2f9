/** Shared fixtures: the fake on a loopback socket and a client with small policy numbers. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FAST_TEST_POLICY, serveHandlers, type RecordedRequest, type ServedHandlers } from "@connect/core/testing";
import { createAuthentisignClient, type AuthentisignClient, type AuthentisignClientOptions, type CreateSigningInput } from "@connect/authentisign";
import { createAuthentisignFake, type AuthentisignFake, type AuthentisignFakeOptions } from "@connect/authentisign/testing";

export interface Harness {
  fake: AuthentisignFake;
  server: ServedHandlers;
  client: AuthentisignClient;
  /** Client options pointing at the fake (for building other clients). */
  options: AuthentisignClientOptions;
  close(): Promise<void>;
}

/** Fast, deterministic policy (core's test policy): no jitter, 1–5 ms backoff, no limiter, no breaker. */
export const FAST_POLICY = FAST_TEST_POLICY;

export async function setup(options: { fake?: AuthentisignFakeOptions; client?: Partial<AuthentisignClientOptions> } = {}): Promise<Harness> {
  const fake = createAuthentisignFake(options.fake);
  const server = await serveHandlers(fake.handlers);
  const clientOptions: AuthentisignClientOptions = {
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    baseUrl: `${server.url}/authentisign`,
    tokenUrl: `${server.url}/oauth/token`,
    policy: FAST_POLICY,
    ...options.client,
  };
  const client = createAuthentisignClient(clientOptions);
  return {
    fake,
    server,
    client,
    options: clientOptions,
    async close() {
      await fake.flush();
      await client.close();
      await server.close();
    },
  };
}

/** Requests to the API (not the token endpoint), path without the base prefix. */
export function apiRequests(server: ServedHandlers): Array<RecordedRequest & { path: string }> {
  return server.requests.filter((r) => r.url.startsWith("/authentisign/")).map((r) => ({ ...r, path: r.url.slice("/authentisign".length) }));
}

/** A minimal PDF. */
export function pdf(label: string): Buffer {
  return Buffer.from(`%PDF-1.4\n% ${label}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
}

/** A valid two-signer signing input. */
export function loanSigning(overrides: Partial<CreateSigningInput> = {}): CreateSigningInput {
  return {
    name: "Loan LN-1001 closing package",
    participants: [
      { firstName: "Ana", lastName: "Borrower", email: "ana@example.com", role: "Borrower", order: 1 },
      { firstName: "Gus", lastName: "Guarantor", email: "gus@example.com", role: "Guarantor", order: 2 },
    ],
    files: [
      { name: "Loan agreement.pdf", content: pdf("loan agreement") },
      { name: "Promissory note.pdf", content: pdf("promissory note") },
    ],
    ...overrides,
  };
}

/** A node:http receiver on 127.0.0.1. */
export async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Parse a recorded multipart body into its fields and files. */
export async function formOf(request: RecordedRequest): Promise<FormData> {
  return new Response(new Uint8Array(request.body), { headers: { "content-type": request.headers["content-type"]! } }).formData();
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error,
  );
}

/** Shared fixtures: the Twilio fake on a loopback socket and a client with small policy numbers. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FAST_TEST_POLICY, serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { createTwilioClient, type TwilioClient, type TwilioClientOptions } from "@connect/twilio";
import { createTwilioFake, type TwilioFake, type TwilioFakeOptions } from "@connect/twilio/testing";

export interface Harness {
  fake: TwilioFake;
  server: ServedHandlers;
  client: TwilioClient;
  close(): Promise<void>;
}

/** Fast, deterministic policy (core's test policy): no jitter, 1–5 ms backoff, no limiter, no breaker. */
export const FAST_POLICY = FAST_TEST_POLICY;

/** Our test account's sender number and a borrower's number (valid NANP numbers in the 555-01xx fiction range). */
export const SENDER = "+14155552345";
export const BORROWER = "+14155550100";

export async function setup(options: { fake?: TwilioFakeOptions; client?: Partial<TwilioClientOptions> } = {}): Promise<Harness> {
  const fake = createTwilioFake(options.fake);
  const server = await serveHandlers(fake.handlers);
  const client = createTwilioClient({ accountSid: fake.accountSid, auth: { authToken: fake.authToken }, baseUrl: server.url, policy: FAST_POLICY, ...options.client });
  return {
    fake,
    server,
    client,
    async close() {
      await client.close();
      await server.close();
    },
  };
}

/** The form bodies the server received on paths ending with `suffix`. */
export function formsTo(server: ServedHandlers, suffix: string): Array<Record<string, string | string[]>> {
  return server.requests
    .filter((r) => r.method === "POST" && r.url.split("?")[0]!.endsWith(suffix))
    .map((r) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of new URLSearchParams(r.text)) {
        const prior = out[k];
        out[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
      }
      return out;
    });
}

/** Resolve with the rejection of `promise`; fail when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error,
  );
}

/** A node:http server on 127.0.0.1 running `handler`; closes with the returned function. */
export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

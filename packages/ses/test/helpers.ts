import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { afterEach, beforeEach } from "vitest";
import { createSesClient, type SesClient, type SesClientOptions } from "../src/index.js";
import { createSesFake, type FakeCall, type SesFake, type SesFakeOptions } from "../src/testing/index.js";

export const CREDENTIALS = { accessKeyId: "AKIDSESFAKE", secretAccessKey: "ses-fake-secret-access-key-0123" };
export const FAST_POLICY = { retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 2, jitter: false }, limiter: false, breaker: false } as const;

/** A fake SES on loopback (checking SigV4) and a client pointed at it, rebuilt for every test. */
export function useSes(fakeOptions: SesFakeOptions = {}, clientOptions: Partial<SesClientOptions> = {}) {
  const state = {} as { fake: SesFake; server: ServedHandlers; client: SesClient };
  beforeEach(async () => {
    state.fake = createSesFake({ credentials: CREDENTIALS, region: "eu-west-1", identities: ["acme.test"], templates: { "draw-approved": { subject: "Draw {{draw}} approved", text: "Hello {{name}}, draw {{draw}} is approved.", html: "<p>Hello {{name}}</p>" } }, ...fakeOptions });
    state.server = await serveHandlers(state.fake.handlers);
    state.client = createSesClient({ region: "eu-west-1", endpoint: state.server.url, credentials: CREDENTIALS, policy: FAST_POLICY, ...clientOptions });
  });
  afterEach(async () => {
    await state.client.close();
    await state.server.close();
  });
  return state;
}

/** The calls the fake received for one SES operation. */
export function callsOf(fake: SesFake, operation: string): FakeCall[] {
  return fake.calls.filter((c) => c.operation === operation);
}

/** The rejection of a promise (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );
}

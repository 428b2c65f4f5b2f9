/** Shared fixtures: the fake on a loopback socket and a client with small policy numbers. */
import { FAST_TEST_POLICY, serveHandlers, type RecordedRequest, type ServedHandlers } from "@connect/core/testing";
import { createMailgunClient, type MailgunClient, type MailgunClientOptions } from "@connect/mailgun";
import { createMailgunFake, type MailgunFake, type MailgunFakeOptions } from "@connect/mailgun/testing";

export interface Harness {
  fake: MailgunFake;
  server: ServedHandlers;
  client: MailgunClient;
  close(): Promise<void>;
}

/** Fast, deterministic policy (core's test policy): no jitter, 1–5 ms backoff, no limiter, no breaker. */
export const FAST_POLICY = FAST_TEST_POLICY;

export async function setup(options: { fake?: MailgunFakeOptions; client?: Partial<MailgunClientOptions> } = {}): Promise<Harness> {
  const fake = createMailgunFake({ templates: ["draw-approved"], ...options.fake });
  const server = await serveHandlers(fake.handlers);
  const client = createMailgunClient({ apiKey: fake.apiKey, domain: fake.domainName, region: "us", baseUrl: server.url, policy: FAST_POLICY, ...options.client });
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

/** Parse a recorded multipart request the way a server would. */
export async function formOf(request: RecordedRequest): Promise<FormData> {
  return new Response(new Uint8Array(request.body), { headers: { "content-type": request.headers["content-type"]! } }).formData();
}

/** The fields of a recorded multipart request: name → every value (files as `file:<name>:<type>:<size>`). */
export async function fieldsOf(request: RecordedRequest): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of (await formOf(request)).entries()) {
    (out[name] ??= []).push(typeof value === "string" ? value : `file:${value.name}:${value.type}:${value.size}`);
  }
  return out;
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error,
  );
}

export const FROM = "Acme Lending <noreply@mg.acme.test>";

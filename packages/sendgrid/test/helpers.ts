/** Shared fixtures: the fake on a loopback socket and a client with small policy numbers. */
import { FAST_TEST_POLICY, serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { createSendGridClient, type SendGridClient, type SendGridClientOptions } from "@connect/sendgrid";
import { createSendGridFake, type SendGridFake, type SendGridFakeOptions } from "@connect/sendgrid/testing";

export interface Harness {
  fake: SendGridFake;
  server: ServedHandlers;
  client: SendGridClient;
  close(): Promise<void>;
}

/** Fast, deterministic policy (core's test policy): no jitter, 1–5 ms backoff, no limiter, no breaker. */
export const FAST_POLICY = FAST_TEST_POLICY;

export async function setup(options: { fake?: SendGridFakeOptions; client?: Partial<SendGridClientOptions> } = {}): Promise<Harness> {
  const fake = createSendGridFake(options.fake);
  const server = await serveHandlers(fake.handlers);
  const client = createSendGridClient({ apiKey: fake.apiKey, baseUrl: server.url, policy: FAST_POLICY, ...options.client });
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

/** The JSON bodies the server received on a path. */
export function bodiesTo(server: ServedHandlers, path: string): unknown[] {
  return server.requests.filter((r) => r.url.split("?")[0] === path).map((r) => JSON.parse(r.text) as unknown);
}

export const TEMPLATE_ID = "d-0123456789abcdef0123456789abcdef";

/** A valid templated message to one recipient. */
export function drawApproved(overrides: Record<string, unknown> = {}) {
  return {
    from: { email: "noreply@acme.test", name: "Acme Lending" },
    template_id: TEMPLATE_ID,
    personalizations: [
      {
        to: [{ email: "ana@example.com", name: "Ana Builder" }],
        dynamic_template_data: { firstName: "Ana", drawNumber: 3, amount: 12500.5 },
        custom_args: { x_tenant_id: "t_123", x_draw_id: "draw_3" },
      },
    ],
    categories: ["draw-approved"],
    ...overrides,
  };
}

/** Twilio: `messages.send` (unsafe: Twilio has no idempotency key). */
import { serveHandlers, scripted } from "@connect/core/testing";
import { createTwilioClient, type TwilioClient } from "@connect/twilio";
import { createTwilioFake } from "@connect/twilio/testing";
import { HttpResponse } from "msw";
import { FAST_POLICY } from "../harness.js";
import type { ClientOverrides, Kit, KitOptions, WriteOp } from "./types.js";

const MESSAGES = "*/2010-04-01/Accounts/:account/Messages.json";

/** Start the Twilio fake and describe its writes. */
export async function twilioKit(options: KitOptions = {}): Promise<Kit> {
  const tag = options.secretTag ?? "0";
  const authToken = `twl-auth-token-SECRET-${tag}`;
  const fake = createTwilioFake({ authToken });
  const server = await serveHandlers(fake.handlers);

  const client = (o: ClientOverrides = {}): TwilioClient =>
    createTwilioClient({
      accountSid: fake.accountSid,
      // A plain object (not staticSecrets, which would register the value itself): only the SDK registers it.
      auth: o.rotatingSecret ? { secrets: { get: async () => authToken } } : { authToken },
      baseUrl: o.apiBaseUrl ?? server.url,
      policy: o.policy ?? FAST_POLICY,
      telemetry: o.telemetry,
      deadLetters: o.deadLetters,
      idempotencyStore: o.idempotencyStore,
      drift: o.drift,
      transport: o.transport,
    });

  let n = 0;
  const send: WriteOp = {
    id: "messages.send",
    safety: "unsafe",
    route: { method: "post", path: MESSAGES, match: /\/Messages\.json$/ },
    prepare: async () => `Draw 3 approved (${(n += 1)})`,
    call: (c, body, ctx) => (c as TwilioClient).messages.send({ to: "+14155550100", from: "+14155552345", body: body as string }, ctx),
    effects: (body) => fake.messages.filter((m) => m.direction === "outbound-api" && m.body === body).length,
    schemaViolation: () => HttpResponse.json({ sid: 42, status: ["queued"] }, { status: 201 }),
  };

  return {
    vendor: "twilio",
    server,
    handlers: fake.handlers,
    client,
    writes: [send],
    expireAuth(op) {
      const body = { code: 20003, message: "Authenticate", more_info: "https://www.twilio.com/docs/errors/20003", status: 401 };
      server.use(scripted(op.route.method, op.route.path, [HttpResponse.json(body, { status: 401 })]).handler);
    },
    secrets: () => [authToken, Buffer.from(`${fake.accountSid}:${authToken}`).toString("base64")],
    async reset() {
      fake.reset();
      server.resetHandlers();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}

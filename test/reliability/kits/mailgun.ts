/** Mailgun: messages.send (unsafe: Mailgun has no idempotency key), bounces and unsubscribes add / delete (idempotent). */
import { serveHandlers, scripted } from "@connect/core/testing";
import { createMailgunClient, type MailgunClient } from "@connect/mailgun";
import { createMailgunFake } from "@connect/mailgun/testing";
import { HttpResponse } from "msw";
import { FAST_POLICY } from "../harness.js";
import type { ClientOverrides, Kit, KitOptions, WriteOp } from "./types.js";

const DOMAIN = "mg.acme.test";

/** Start the Mailgun fake and describe its writes. */
export async function mailgunKit(options: KitOptions = {}): Promise<Kit> {
  const tag = options.secretTag ?? "0";
  const apiKey = `key-reliability-SECRET-${tag}`;
  const fake = createMailgunFake({ apiKey, domains: [DOMAIN], signingKey: `mg-signing-SECRET-${tag}` });
  const server = await serveHandlers(fake.handlers);
  const mg = (c: unknown): MailgunClient => c as MailgunClient;

  const client = (o: ClientOverrides = {}): MailgunClient =>
    createMailgunClient({
      apiKey: o.rotatingSecret ? { get: async () => apiKey } : apiKey,
      domain: DOMAIN,
      region: "us",
      baseUrl: o.apiBaseUrl ?? server.url,
      policy: o.policy ?? FAST_POLICY,
      telemetry: o.telemetry,
      deadLetters: o.deadLetters,
      idempotencyStore: o.idempotencyStore,
      drift: o.drift,
      transport: o.transport,
    });

  let n = 0;
  const domain = () => fake.domain(DOMAIN);
  const list = (name: "bounces" | "unsubscribes", method: "post" | "delete"): WriteOp["route"] =>
    method === "post"
      ? { method, path: `*/v3/:domain/${name}`, match: new RegExp(`/v3/${DOMAIN.replace(/\./g, "\\.")}/${name}$`) }
      : { method, path: `*/v3/:domain/${name}/:address`, match: new RegExp(`/v3/${DOMAIN.replace(/\./g, "\\.")}/${name}/[^/?]+$`) };

  const writes: WriteOp[] = [
    {
      id: "messages.send",
      safety: "unsafe",
      route: { method: "post", path: "*/v3/:domain/messages", match: /\/v3\/mg\.acme\.test\/messages$/ },
      prepare: async () => (n += 1),
      call: (c, p, ctx) => mg(c).messages.send({ from: "Acme Lending <draws@mg.acme.test>", to: `owner-${p as number}@example.com`, subject: `Draw ${p as number} approved`, text: "Your draw request was approved.", tags: ["draw-approved"] }, ctx),
      effects: (p) => fake.messages.filter((m) => m.recipients.includes(`owner-${p as number}@example.com`)).length,
      schemaViolation: () => HttpResponse.json({ id: 42, message: "Queued. Thank you." }),
    },
    {
      id: "bounces.add",
      safety: "idempotent",
      route: list("bounces", "post"),
      prepare: async () => `bounced-${(n += 1)}@example.com`,
      call: (c, address, ctx) => mg(c).bounces.add({ address: address as string, code: 550, error: "mailbox unavailable" }, ctx),
      effects: (address) => domain().bounces.filter((b) => b.address === address).length,
      schemaViolation: () => HttpResponse.json({ message: 42 }),
    },
    {
      id: "bounces.delete",
      // Checkable: a retry after an attempt that may have reached the vendor looks the address up first.
      safety: "checkable",
      route: list("bounces", "delete"),
      prepare: async () => {
        const address = `unbounce-${(n += 1)}@example.com`;
        domain().bounces.push({ address, code: "550", error: "mailbox unavailable", created_at: new Date().toUTCString() });
        return address;
      },
      call: (c, address, ctx) => mg(c).bounces.delete({ address: address as string }, ctx),
      effects: (address) => (domain().bounces.some((b) => b.address === address) ? 0 : 1),
      schemaViolation: () => HttpResponse.json({ message: 42 }),
    },
    {
      id: "unsubscribes.add",
      safety: "idempotent",
      route: list("unsubscribes", "post"),
      prepare: async () => `unsub-${(n += 1)}@example.com`,
      call: (c, address, ctx) => mg(c).unsubscribes.add({ address: address as string, tags: ["*"] }, ctx),
      effects: (address) => domain().unsubscribes.filter((u) => u.address === address).length,
      schemaViolation: () => HttpResponse.json({ message: 42 }),
    },
  ];

  const reads: WriteOp[] = [
    {
      id: "bounces.get",
      safety: "idempotent",
      route: { method: "get", path: "*/v3/:domain/bounces/:address", match: /\/v3\/mg\.acme\.test\/bounces\/[^/?]+$/ },
      prepare: async () => {
        const address = `listed-${(n += 1)}@example.com`;
        domain().bounces.push({ address, code: "550", error: "mailbox unavailable", created_at: new Date().toUTCString() });
        return { address, got: undefined as string | undefined };
      },
      call: async (c, p, ctx) => {
        const read = p as { address: string; got: string | undefined };
        const row = (await mg(c).bounces.get({ address: read.address }, ctx)) as { address: string; code?: string };
        read.got = `${row.address}:${row.code}`;
        return row;
      },
      effects: (p) => ((p as { address: string; got: string | undefined }).got === `${(p as { address: string }).address}:550` ? 1 : 0),
      schemaViolation: () => HttpResponse.json({ address: 42, code: "550" }),
    },
  ];

  return {
    vendor: "mailgun",
    server,
    handlers: fake.handlers,
    client,
    writes,
    reads,
    expireAuth(op) {
      // Mailgun's 401 is the plain text `Forbidden`.
      server.use(scripted(op.route.method, op.route.path, [() => new HttpResponse("Forbidden", { status: 401, headers: { "content-type": "text/plain; charset=utf-8" } })]).handler);
    },
    // The API key only: the webhook signing key is the receiver's (the secrets suite checks it there).
    secrets: () => [apiKey],
    async reset() {
      fake.reset();
      server.resetHandlers();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}

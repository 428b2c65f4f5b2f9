/** SendGrid: mail.send / sendBatch (unsafe), the suppression deletes and setSigning (idempotent). */
import { serveHandlers, scripted } from "@connect/core/testing";
import { createSendGridClient, type SendGridClient } from "@connect/sendgrid";
import { createSendGridFake } from "@connect/sendgrid/testing";
import { HttpResponse } from "msw";
import { FAST_POLICY } from "../harness.js";
import type { ClientOverrides, Kit, KitOptions, WriteOp } from "./types.js";

const TEMPLATE_ID = "d-0123456789abcdef0123456789abcdef";

function message(n: number) {
  return {
    from: { email: "draws@acme.test", name: "Acme Lending" },
    template_id: TEMPLATE_ID,
    personalizations: [{ to: [{ email: `owner-${n}@example.com` }], dynamic_template_data: { drawNumber: n } }],
  };
}

/** Start the SendGrid fake and describe its writes. */
export async function sendgridKit(options: KitOptions = {}): Promise<Kit> {
  const tag = options.secretTag ?? "0";
  const apiKey = `SG.reliability-key-${tag}.SECRETSECRET${tag}`;
  const fake = createSendGridFake({ apiKey });
  const server = await serveHandlers(fake.handlers);
  const sg = (c: unknown): SendGridClient => c as SendGridClient;

  const client = (o: ClientOverrides = {}): SendGridClient =>
    createSendGridClient({
      apiKey: o.rotatingSecret ? { get: async () => apiKey } : apiKey,
      baseUrl: o.apiBaseUrl ?? server.url,
      policy: o.policy ?? FAST_POLICY,
      telemetry: o.telemetry,
      deadLetters: o.deadLetters,
      idempotencyStore: o.idempotencyStore,
      drift: o.drift,
      transport: o.transport,
    });

  let n = 0;
  const sendsTo = (p: number): number => fake.sends.filter((s) => s.body.personalizations[0]?.to[0]?.email === `owner-${p}@example.com`).length;
  const suppressionDelete = (id: string, list: "bounces" | "blocks" | "spamReports", path: string): WriteOp => ({
    id,
    safety: "idempotent",
    route: { method: "delete", path: `*${path}`, match: new RegExp(`${path}$`) },
    readsBody: false,
    prepare: async () => {
      const email = `gone-${(n += 1)}@example.com`;
      const row = list === "spamReports" ? { created: 1_700_000_000, email, ip: "10.0.0.1" } : { created: 1_700_000_000, email, reason: "550 unknown user", status: "5.1.1" };
      (fake.suppressions[list] as Array<{ email: string }>).push(row as never);
      return email;
    },
    call: (c, email, ctx) => sg(c)[list].delete({ emails: [email as string] }, ctx),
    effects: (email) => (fake.suppressions[list].some((r) => r.email === email) ? 0 : 1),
  });

  const writes: WriteOp[] = [
    {
      id: "mail.send",
      safety: "unsafe",
      route: { method: "post", path: "*/v3/mail/send", match: /\/v3\/mail\/send$/ },
      // 202 with an empty body: the result is read from X-Message-Id, not from a body.
      readsBody: false,
      prepare: async () => (n += 1),
      call: (c, p, ctx) => sg(c).mail.send(message(p as number), ctx),
      effects: (p) => sendsTo(p as number),
    },
    {
      id: "mail.send",
      label: "mail.sendBatch",
      safety: "unsafe",
      route: { method: "post", path: "*/v3/mail/send", match: /\/v3\/mail\/send$/ },
      readsBody: false,
      // sendBatch reports a failed chunk instead of throwing; the matrix takes the chunk's error as the outcome.
      prepare: async () => (n += 1),
      call: async (c, p, ctx) => {
        const result = await sg(c).mail.sendBatch(message(p as number), ctx);
        if (result.failed > 0) throw result.chunks.find((chunk) => chunk.status === "failed")!.error;
        return result;
      },
      effects: (p) => sendsTo(p as number),
    },
    suppressionDelete("bounces.delete", "bounces", "/v3/suppression/bounces"),
    suppressionDelete("blocks.delete", "blocks", "/v3/suppression/blocks"),
    suppressionDelete("spamReports.delete", "spamReports", "/v3/suppression/spam_reports"),
    {
      id: "unsubscribes.delete",
      safety: "idempotent",
      route: { method: "delete", path: "*/v3/asm/suppressions/global/:email", match: /\/v3\/asm\/suppressions\/global\// },
      readsBody: false,
      prepare: async () => {
        const email = `unsub-${(n += 1)}@example.com`;
        fake.suppressions.unsubscribes.push({ created: 1_700_000_000, email });
        return email;
      },
      call: (c, email, ctx) => sg(c).unsubscribes.delete({ email: email as string }, ctx),
      effects: (email) => (fake.suppressions.unsubscribes.some((r) => r.email === email) ? 0 : 1),
    },
    {
      id: "eventWebhook.setSigning",
      safety: "idempotent",
      route: { method: "patch", path: "*/v3/user/webhooks/event/settings/signed", match: /\/settings\/signed$/ },
      call: (c, _p, ctx) => sg(c).eventWebhook.setSigning({ enabled: false }, ctx),
      effects: () => (fake.signingEnabled ? 0 : 1),
      schemaViolation: () => HttpResponse.json({ public_key: 42 }),
    },
  ];

  return {
    vendor: "sendgrid",
    server,
    handlers: fake.handlers,
    client,
    writes,
    expireAuth(op) {
      server.use(scripted(op.route.method, op.route.path, [HttpResponse.json({ errors: [{ field: null, message: "authorization required" }] }, { status: 401 })]).handler);
    },
    secrets: () => [apiKey],
    async reset() {
      fake.reset();
      server.resetHandlers();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}

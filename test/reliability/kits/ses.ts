/**
 * SES (v2): emails.send and emails.sendBulk (unsafe: SES has no idempotency key), the suppression
 * list's put and delete (idempotent). Static AWS keys, checked by the fake's SigV4 verifier.
 */
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { serveHandlers, scripted } from "@connect/core/testing";
import { createSesClient, type SesClient } from "@connect/ses";
import { createSesFake } from "@connect/ses/testing";
import { HttpResponse } from "msw";
import { FAST_POLICY } from "../harness.js";
import type { ClientOverrides, Expectation, FaultId, Kit, KitOptions, WriteOp } from "./types.js";

const REGION = "eu-west-1";
const FROM = "Acme Lending <draws@acme.test>";

/** Start the SES fake (SigV4 checked) and describe its writes. */
export async function sesKit(options: KitOptions = {}): Promise<Kit> {
  const tag = options.secretTag ?? "0";
  const credentials = { accessKeyId: "AKIDSESRELIABILITY00", secretAccessKey: `ses-secret-access-key-SECRET-${tag}` };
  const fake = createSesFake({ credentials, region: REGION, identities: ["acme.test"], templates: { "draw-approved": { subject: "Draw {{drawNumber}} approved", text: "Draw {{drawNumber}} was approved." } } });
  const server = await serveHandlers(fake.handlers);
  const ses = (c: unknown): SesClient => c as SesClient;

  const client = (o: ClientOverrides = {}): SesClient =>
    createSesClient({
      region: REGION,
      // Static keys through the client's own option (it registers them for redaction). For a
      // connect timeout the host's own SDK client sets the socket's connection timeout: core's
      // transport options do not reach the AWS SDK.
      ...(o.apiBaseUrl
        ? { sdkClient: new SESv2Client({ region: REGION, endpoint: o.apiBaseUrl, credentials, maxAttempts: 1, requestHandler: { connectionTimeout: o.transport?.connectTimeoutMs ?? 2_000 } }) }
        : { endpoint: server.url, credentials }),
      policy: o.policy ?? FAST_POLICY,
      telemetry: o.telemetry,
      deadLetters: o.deadLetters,
      idempotencyStore: o.idempotencyStore,
      drift: o.drift,
    });

  let n = 0;
  const sendsTo = (p: number): number => fake.sent.filter((s) => s.to.includes(`owner-${p}@example.com`)).length;
  const writes: WriteOp[] = [
    {
      id: "emails.send",
      safety: "unsafe",
      route: { method: "post", path: "*/v2/email/outbound-emails", match: /\/v2\/email\/outbound-emails$/ },
      prepare: async () => (n += 1),
      call: (c, p, ctx) => ses(c).emails.send({ from: FROM, to: [`owner-${p as number}@example.com`], subject: `Draw ${p as number} approved`, text: "Your draw request was approved.", tags: { kind: "draw-approved" } }, ctx),
      effects: (p) => sendsTo(p as number),
      schemaViolation: () => HttpResponse.json({ MessageId: 42 }),
    },
    {
      id: "emails.sendBulk",
      safety: "unsafe",
      route: { method: "post", path: "*/v2/email/outbound-bulk-emails", match: /\/v2\/email\/outbound-bulk-emails$/ },
      // sendBulk reports a failed request per entry instead of throwing; the matrix takes the entry's error as the outcome.
      prepare: async () => (n += 1),
      call: async (c, p, ctx) => {
        const result = await ses(c).emails.sendBulk({ from: FROM, template: { name: "draw-approved" }, entries: [{ to: `owner-${p as number}@example.com`, data: { drawNumber: p as number } }] }, ctx);
        if (result.failed > 0) throw result.results.find((r) => !r.ok)!.error;
        return result;
      },
      effects: (p) => sendsTo(p as number),
      schemaViolation: () => HttpResponse.json({ BulkEmailEntryResults: [{ Status: 42 }] }),
    },
    {
      id: "suppressions.put",
      safety: "idempotent",
      // PutSuppressedDestination has no output: the SDK never reads the body.
      readsBody: false,
      route: { method: "put", path: "*/v2/email/suppression/addresses", match: /\/v2\/email\/suppression\/addresses$/ },
      prepare: async () => `bounced-${(n += 1)}@example.com`,
      call: (c, email, ctx) => ses(c).suppressions.put({ email: email as string, reason: "BOUNCE" }, ctx),
      effects: (email) => (fake.suppressions.get(email as string)?.reason === "BOUNCE" ? 1 : 0),
    },
    {
      id: "suppressions.delete",
      // Checkable: a retry after an attempt that may have reached the vendor looks the address up first.
      safety: "checkable",
      readsBody: false,
      route: { method: "delete", path: "*/v2/email/suppression/addresses/:email", match: /\/v2\/email\/suppression\/addresses\/[^/?]+$/ },
      prepare: async () => {
        const email = `unsuppress-${(n += 1)}@example.com`;
        fake.suppressions.set(email, { reason: "BOUNCE", lastUpdateTime: new Date() });
        return email;
      },
      call: (c, email, ctx) => ses(c).suppressions.delete({ email: email as string }, ctx),
      effects: (email) => (fake.suppressions.has(email as string) ? 0 : 1),
    },
  ];

  const reads: WriteOp[] = [
    {
      id: "suppressions.get",
      safety: "idempotent",
      route: { method: "get", path: "*/v2/email/suppression/addresses/:email", match: /\/v2\/email\/suppression\/addresses\/[^/?]+$/ },
      prepare: async () => {
        const email = `listed-${(n += 1)}@example.com`;
        fake.suppressions.set(email, { reason: "COMPLAINT", lastUpdateTime: new Date() });
        return { email, got: undefined as string | undefined };
      },
      call: async (c, p, ctx) => {
        const read = p as { email: string; got: string | undefined };
        const row = await ses(c).suppressions.get({ email: read.email }, ctx);
        read.got = `${row.email}:${row.reason}`;
        return row;
      },
      effects: (p) => ((p as { email: string; got: string | undefined }).got === `${(p as { email: string }).email}:COMPLAINT` ? 1 : 0),
      schemaViolation: () => HttpResponse.json({ SuppressedDestination: { EmailAddress: 42, Reason: "COMPLAINT", LastUpdateTime: 1 } }),
    },
  ];

  return {
    vendor: "ses",
    server,
    handlers: fake.handlers,
    client,
    writes,
    reads,
    expireAuth(op) {
      // How AWS refuses an expired session token (restJson1: 403 with the code in x-amzn-ErrorType), once.
      const expired = () => HttpResponse.json({ message: "The security token included in the request is expired" }, { status: 403, headers: { "content-type": "application/json", "x-amzn-errortype": "ExpiredTokenException" } });
      server.use(scripted(op.route.method, op.route.path, [expired]).handler);
    },
    expect(fault: FaultId, op: WriteOp, base: Expectation): Expectation {
      if (fault === "401 expired token") {
        return { outcome: "error", requests: 1, error: "AuthError", attempts: 1, deadLetter: false, note: "AWS credentials: the SDK's provider refreshes by expiry; a refused token is AuthError" };
      }
      if (fault === "429 + Retry-After") return { ...base, ignoresRetryAfter: true, note: "AWS throttling carries no Retry-After; backoff" };
      if (fault === "malformed body" && op.readsBody === false) return { outcome: "ok", requests: 1, deadLetter: false, note: "no output shape: the SDK never reads the body" };
      return base;
    },
    secrets: () => [credentials.secretAccessKey],
    async reset() {
      server.resetHandlers();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}

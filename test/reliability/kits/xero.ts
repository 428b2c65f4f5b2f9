/**
 * Xero (Accounting API): contacts create / update, ACCREC invoices create / void, payments create —
 * every write keyed by `Idempotency-Key`, so Xero answers a repeat with the first response.
 */
import { createMemoryTokenStore } from "@connect/core";
import { serveHandlers } from "@connect/core/testing";
import { createXeroClient, createXeroOAuth, type XeroClient } from "@connect/xero";
import { createXeroFake } from "@connect/xero/testing";
import { HttpResponse } from "msw";
import { FAST_POLICY } from "../harness.js";
import type { ClientOverrides, Expectation, FaultId, Kit, KitClient, KitOptions, WriteOp } from "./types.js";

const REDIRECT_URI = "https://lender.test/xero/callback";
const GRANT = "reliability-grant";

/** Start the Xero fake, connect a grant, and describe its writes. */
export async function xeroKit(options: KitOptions = {}): Promise<Kit> {
  const tag = options.secretTag ?? "0";
  const clientSecret = `xero-client-SECRET-${tag}`;
  // The matrix makes hundreds of calls a minute: the fake's per-tenant limits are raised out of the way.
  const fake = createXeroFake({ clientSecret, webhookKey: `xero-webhook-SECRET-${tag}`, limits: { perMinute: 1_000_000, perDay: 1_000_000, appPerMinute: 1_000_000 } });
  const server = await serveHandlers(fake.handlers);
  const tokens = createMemoryTokenStore();
  const { baseUrl, oauthEndpoints } = fake.endpoints(server.url);
  const tenantId = fake.tenants[0]!.tenantId;
  const connectGrant = async (): Promise<void> => {
    const oauth = createXeroOAuth({ clientId: fake.clientId, clientSecret, redirectUri: REDIRECT_URI, tokens, endpoints: oauthEndpoints });
    await oauth.connect({ url: fake.authorize({ redirectUri: REDIRECT_URI, state: "st" }), expectedState: "st", grantId: GRANT });
    await oauth.close();
  };
  await connectGrant();
  const xr = (c: unknown): XeroClient => c as XeroClient;

  const client = (o: ClientOverrides = {}): XeroClient =>
    createXeroClient({
      tenantId,
      grantId: GRANT,
      tokens,
      clientId: fake.clientId,
      clientSecret: o.rotatingSecret ? async () => clientSecret : clientSecret,
      baseUrl: o.apiBaseUrl ? fake.endpoints(o.apiBaseUrl).baseUrl : baseUrl,
      oauthEndpoints,
      limits: false,
      policy: o.policy ?? FAST_POLICY,
      telemetry: o.telemetry,
      deadLetters: o.deadLetters,
      idempotencyStore: o.idempotencyStore,
      drift: o.drift,
      transport: o.transport,
    });

  let n = 0;
  const books = () => fake.books(tenantId);
  const contact = async (c: KitClient): Promise<string> => (await xr(c).contacts.create({ Name: `Builder ${(n += 1)} (Loan L-${n})`, ContactNumber: `L-${n}` })).ContactID;
  const invoiceBody = (contactId: string, reference: string) => ({
    Contact: { ContactID: contactId },
    Reference: reference,
    Status: "AUTHORISED" as const,
    DueDate: "2026-04-01",
    LineItems: [{ Description: `Draw ${reference}`, Quantity: 1, UnitAmount: "1250.50", AccountCode: "200" }],
  });
  const changesOf = (id: string, type: "CREATE" | "UPDATE"): number => fake.changes.filter((ch) => ch.resourceId.toLowerCase() === id.toLowerCase() && ch.eventType === type).length;
  const idempotencyKey = (r: { headers: Record<string, string> }): string | undefined => r.headers["idempotency-key"];
  const route = (method: "put" | "post", path: string, match: RegExp): WriteOp["route"] => ({ method, path: `*/api.xro/2.0/${path}`, match });

  const writes: WriteOp[] = [
    {
      id: "contacts.create",
      safety: "keyed",
      route: route("put", "Contacts", /\/api\.xro\/2\.0\/Contacts$/),
      vendorKey: idempotencyKey,
      prepare: async () => `Owner ${(n += 1)} (Loan L-${n})`,
      call: (c, name, ctx) => xr(c).contacts.create({ Name: name as string, EmailAddress: "owner@example.com" }, ctx),
      effects: (name) => books().contacts.all().filter((row) => row.view.Name === name).length,
      schemaViolation: () => HttpResponse.json({ Contacts: [{ ContactID: 42, Name: null }] }),
    },
    {
      id: "contacts.update",
      safety: "keyed",
      route: route("post", "Contacts/:id", /\/api\.xro\/2\.0\/Contacts\/[^/?]+$/),
      vendorKey: idempotencyKey,
      prepare: (c) => contact(c),
      call: (c, id, ctx) => xr(c).contacts.update({ ContactID: id as string, EmailAddress: `updated-${id as string}@example.com` }, ctx),
      effects: (id) => changesOf(id as string, "UPDATE"),
      schemaViolation: () => HttpResponse.json({ Contacts: [{ ContactID: 42 }] }),
    },
    {
      id: "invoices.create",
      safety: "keyed",
      route: route("put", "Invoices", /\/api\.xro\/2\.0\/Invoices$/),
      vendorKey: idempotencyKey,
      prepare: async (c) => ({ contactId: await contact(c), reference: `DRAW-${(n += 1)}` }),
      call: (c, p, ctx) => {
        const { contactId, reference } = p as { contactId: string; reference: string };
        return xr(c).invoices.create(invoiceBody(contactId, reference), ctx);
      },
      effects: (p) => books().invoices.all(false).filter((row) => row.view.Reference === (p as { reference: string }).reference).length,
      schemaViolation: () => HttpResponse.json({ Invoices: [{ InvoiceID: 42, Total: "lots" }] }),
    },
    {
      id: "invoices.void",
      safety: "keyed",
      route: route("post", "Invoices/:id", /\/api\.xro\/2\.0\/Invoices\/[^/?]+$/),
      vendorKey: idempotencyKey,
      prepare: async (c) => (await xr(c).invoices.create(invoiceBody(await contact(c), `VOID-${(n += 1)}`))).InvoiceID,
      call: (c, id, ctx) => xr(c).invoices.void({ invoiceId: id as string }, ctx),
      effects: (id) => changesOf(id as string, "UPDATE"),
      schemaViolation: () => HttpResponse.json({ Invoices: [{ InvoiceID: 42, Status: 7 }] }),
    },
    {
      id: "payments.create",
      safety: "keyed",
      route: route("put", "Payments", /\/api\.xro\/2\.0\/Payments$/),
      vendorKey: idempotencyKey,
      prepare: async (c) => {
        const invoiceId = (await xr(c).invoices.create(invoiceBody(await contact(c), `PAY-${(n += 1)}`))).InvoiceID;
        return { invoiceId, reference: `WIRE-${n}` };
      },
      call: (c, p, ctx) => {
        const { invoiceId, reference } = p as { invoiceId: string; reference: string };
        return xr(c).payments.create({ Invoice: { InvoiceID: invoiceId }, Account: { Code: "090" }, Date: "2026-03-15", Amount: "100.00", Reference: reference }, ctx);
      },
      effects: (p) => books().payments.all().filter((row) => row.view.Reference === (p as { reference: string }).reference).length,
      schemaViolation: () => HttpResponse.json({ Payments: [{ PaymentID: 42, Amount: "x" }] }),
    },
  ];

  const reads: WriteOp[] = [
    {
      id: "invoices.get",
      safety: "idempotent",
      route: { method: "get", path: "*/api.xro/2.0/Invoices/:id", match: /\/api\.xro\/2\.0\/Invoices\/[^/?]+$/ },
      prepare: async (c) => {
        const reference = `READ-${(n += 1)}`;
        const id = (await xr(c).invoices.create(invoiceBody(await contact(c), reference))).InvoiceID;
        return { id, reference, got: undefined as string | undefined };
      },
      call: async (c, p, ctx) => {
        const read = p as { id: string; reference: string; got: string | undefined };
        const invoice = await xr(c).invoices.get({ id: read.id }, ctx);
        read.got = `${invoice.InvoiceID}:${invoice.Reference}`;
        return invoice;
      },
      effects: (p) => {
        const read = p as { id: string; reference: string; got: string | undefined };
        return read.got === `${read.id}:${read.reference}` ? 1 : 0;
      },
      schemaViolation: () => HttpResponse.json({ Invoices: [{ InvoiceID: 42, Total: "lots" }] }),
    },
  ];

  return {
    vendor: "xero",
    server,
    handlers: fake.handlers,
    client,
    writes,
    reads,
    tokenRoute: { method: "post", path: "*/connect/token", match: /\/connect\/token$/ },
    // Every access token expires at the fake: the stored one is refused with 401 and must be refreshed.
    expireAuth: () => fake.expireAccessTokens(),
    expect(fault: FaultId, _op: WriteOp, base: Expectation): Expectation {
      // A 429 without Retry-After or X-Rate-Limit-Problem waits out Xero's minute window (60 s, in
      // production within the client's 65 s maxRetryAfterMs); the matrix's policy allows 2 s, so it stops at once.
      if (fault === "429") return { outcome: "error", requests: 1, error: "XeroRateLimitedError", attempts: 1, deadLetter: true, note: "no Retry-After: Xero's 60 s minute window > the matrix's 2 s maxRetryAfterMs" };
      return base;
    },
    // The client's credentials: the webhook key is the receiver's (the secrets suite checks it there).
    secrets: () => [clientSecret, ...fake.usableRefreshTokens()],
    async reset() {
      server.resetHandlers();
      server.requests.length = 0;
    },
    // The fake forgets its books and grants; the grant is connected again.
    async forget() {
      fake.reset();
      server.resetHandlers();
      await connectGrant();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}

/**
 * QuickBooks Online: create / update / delete / void of customers, invoices, payments, bills and
 * journal entries — every write keyed by `requestid`, so QuickBooks answers a repeat with the
 * first response.
 */
import { createMemoryTokenStore } from "@connect/core";
import { serveHandlers } from "@connect/core/testing";
import { createQuickBooksClient, createQuickBooksOAuth, type QuickBooksClient } from "@connect/quickbooks";
import { createQuickBooksFake } from "@connect/quickbooks/testing";
import { FAST_POLICY } from "../harness.js";
import type { ClientOverrides, Kit, KitClient, KitOptions, WriteOp } from "./types.js";

const REDIRECT_URI = "https://lender.test/quickbooks/callback";
type Entity = "Customer" | "Invoice" | "Payment" | "Bill" | "JournalEntry";
type Resource = "customers" | "invoices" | "payments" | "bills" | "journalEntries";
interface Ref {
  id: string;
  syncToken: string;
}

/** Start the QuickBooks fake, connect its realm, and describe its writes. */
export async function quickbooksKit(options: KitOptions = {}): Promise<Kit> {
  const tag = options.secretTag ?? "0";
  const clientSecret = `qbo-client-SECRET-${tag}`;
  const fake = createQuickBooksFake({ clientSecret });
  const server = await serveHandlers(fake.handlers);
  const tokens = createMemoryTokenStore();
  const { baseUrl, oauthEndpoints } = fake.endpoints(server.url);
  const connectRealm = async (): Promise<void> => {
    const oauth = createQuickBooksOAuth({ clientId: fake.clientId, clientSecret, redirectUri: REDIRECT_URI, tokens, endpoints: oauthEndpoints });
    await oauth.connect({ url: fake.authorize({ redirectUri: REDIRECT_URI, state: "st" }), expectedState: "st" });
    await oauth.close();
  };
  await connectRealm();
  const qb = (c: unknown): QuickBooksClient => c as QuickBooksClient;

  const client = (o: ClientOverrides = {}): QuickBooksClient =>
    createQuickBooksClient({
      realmId: fake.realmId,
      tokens,
      environment: "sandbox",
      clientId: fake.clientId,
      clientSecret: o.rotatingSecret ? async () => clientSecret : clientSecret,
      baseUrl: o.apiBaseUrl ? fake.endpoints(o.apiBaseUrl).baseUrl : baseUrl,
      oauthEndpoints,
      policy: o.policy ?? FAST_POLICY,
      rateLimitWaitMs: 5,
      telemetry: o.telemetry,
      deadLetters: o.deadLetters,
      idempotencyStore: o.idempotencyStore,
      drift: o.drift,
      transport: o.transport,
    });

  let n = 0;
  const customer = async (c: KitClient): Promise<string> => (await qb(c).customers.create({ DisplayName: `Builder ${(n += 1)} (Loan L-${n})` })).Id;
  const invoiceBody = (customerId: string, doc: string) => ({
    CustomerRef: { value: customerId },
    DocNumber: doc,
    Line: [{ DetailType: "SalesItemLineDetail" as const, Amount: 1250.5, SalesItemLineDetail: { ItemRef: { value: "2" }, Qty: 1, UnitPrice: 1250.5 } }],
  });
  const billBody = (doc: string) => ({ VendorRef: { value: "46" }, DocNumber: doc, Line: [{ DetailType: "AccountBasedExpenseLineDetail" as const, Amount: 200, AccountBasedExpenseLineDetail: { AccountRef: { value: "7" } } }] });
  const journalBody = (customerId: string, doc: string, amount = 500) => ({
    DocNumber: doc,
    Line: [
      { DetailType: "JournalEntryLineDetail" as const, Amount: amount, JournalEntryLineDetail: { PostingType: "Debit" as const, AccountRef: { value: "45" } } },
      { DetailType: "JournalEntryLineDetail" as const, Amount: amount, JournalEntryLineDetail: { PostingType: "Credit" as const, AccountRef: { value: "1" }, Entity: { Type: "Customer" as const, EntityRef: { value: customerId } } } },
    ],
  });
  const paymentBody = (customerId: string, invoiceId: string, ref: string) => ({ CustomerRef: { value: customerId }, TotalAmt: 100, PaymentRefNum: ref, Line: [{ Amount: 100, LinkedTxn: [{ TxnId: invoiceId, TxnType: "Invoice" as const }] }] });

  /** A fresh body for a create (unique doc number / name) and the field that identifies its row. */
  const creates: Record<Resource, { entity: Entity; body(c: KitClient): Promise<{ body: Record<string, unknown>; field: string; value: string }> }> = {
    customers: { entity: "Customer", body: async () => ({ body: { DisplayName: `Owner ${(n += 1)} (Loan L-${n})` }, field: "DisplayName", value: `Owner ${n} (Loan L-${n})` }) },
    invoices: { entity: "Invoice", body: async (c) => ({ body: invoiceBody(await customer(c), `D-${(n += 1)}`), field: "DocNumber", value: `D-${n}` }) },
    payments: {
      entity: "Payment",
      body: async (c) => {
        const cust = await customer(c);
        const invoice = (await qb(c).invoices.create(invoiceBody(cust, `P-${(n += 1)}`))).Id;
        return { body: paymentBody(cust, invoice, `WIRE-${n}`), field: "PaymentRefNum", value: `WIRE-${n}` };
      },
    },
    bills: { entity: "Bill", body: async () => ({ body: billBody(`B-${(n += 1)}`), field: "DocNumber", value: `B-${n}` }) },
    journalEntries: { entity: "JournalEntry", body: async (c) => ({ body: journalBody(await customer(c), `J-${(n += 1)}`), field: "DocNumber", value: `J-${n}` }) },
  };
  const pathOf = (entity: Entity): string => entity.toLowerCase();
  const route = (entity: Entity, operation?: "delete" | "void"): WriteOp["route"] => ({
    method: "post",
    path: `*/v3/company/:realm/${pathOf(entity)}`,
    match: operation ? new RegExp(`/${pathOf(entity)}\\?(.*&)?operation=${operation}(&|$)`) : new RegExp(`/${pathOf(entity)}\\?(?!(.*&)?operation=)`),
  });
  const requestId = (r: { url: string }): string | undefined => new URL(r.url, "http://x").searchParams.get("requestid") ?? undefined;
  const syncOf = (entity: Entity, id: string): number => Number(fake.rows(entity).find((r) => r.Id === id)?.SyncToken ?? Number.NaN);

  const writes: WriteOp[] = [];
  for (const [resource, spec] of Object.entries(creates) as Array<[Resource, (typeof creates)[Resource]]>) {
    const api = (c: KitClient) => qb(c)[resource] as unknown as Record<string, (input: unknown, ctx?: unknown) => Promise<{ Id: string; SyncToken: string }>>;
    writes.push({
      id: `${resource}.create`,
      safety: "keyed",
      route: route(spec.entity),
      vendorKey: requestId,
      prepare: (c) => spec.body(c),
      call: (c, p, ctx) => api(c).create!((p as { body: unknown }).body, ctx),
      effects: (p) => {
        const { field, value } = p as { field: string; value: string };
        return fake.rows(spec.entity).filter((r) => r[field] === value).length;
      },
    });
    writes.push({
      id: `${resource}.update`,
      safety: "keyed",
      route: route(spec.entity),
      vendorKey: requestId,
      prepare: async (c) => {
        const made = await api(c).create!((await spec.body(c)).body);
        return { id: made.Id, syncToken: made.SyncToken } satisfies Ref;
      },
      call: (c, p, ctx) => {
        const ref = p as Ref;
        const change = resource === "customers" ? { Notes: "reliability update" } : resource === "payments" ? { PaymentRefNum: `UPD-${ref.id}` } : { PrivateNote: "reliability update" };
        return api(c).update!({ Id: ref.id, SyncToken: ref.syncToken, ...change }, ctx);
      },
      // Each applied update bumps the SyncToken once.
      effects: (p) => syncOf(spec.entity, (p as Ref).id) - Number((p as Ref).syncToken),
    });
    for (const operation of ["delete", "void"] as const) {
      if (operation === "delete" && resource === "customers") continue;
      if (operation === "void" && resource !== "invoices" && resource !== "payments") continue;
      writes.push({
        id: `${resource}.${operation}`,
        safety: "keyed",
        route: route(spec.entity, operation),
        vendorKey: requestId,
        prepare: async (c) => {
          const made = await api(c).create!((await spec.body(c)).body);
          return { id: made.Id, syncToken: made.SyncToken } satisfies Ref;
        },
        call: (c, p, ctx) => api(c)[operation]!({ id: (p as Ref).id, syncToken: (p as Ref).syncToken }, ctx),
        effects: (p) => {
          const ref = p as Ref;
          if (operation === "delete") return fake.rows(spec.entity).some((r) => r.Id === ref.id) ? 0 : 1;
          return syncOf(spec.entity, ref.id) - Number(ref.syncToken);
        },
      });
    }
  }

  return {
    vendor: "quickbooks",
    server,
    handlers: fake.handlers,
    client,
    writes,
    tokenRoute: { method: "post", path: "*/oauth2/v1/tokens/bearer", match: /\/oauth2\/v1\/tokens\/bearer$/ },
    // Every access token expires at the fake: the stored one is refused with 401 and must be refreshed.
    expireAuth: () => fake.expireAccessTokens(),
    secrets: () => [clientSecret, ...fake.liveRefreshTokens()],
    async reset() {
      server.resetHandlers();
      server.requests.length = 0;
    },
    // The fake forgets its ledger and grants; the realm is connected again (a long-lived client's
    // cached access token is then refused once, and it picks up the stored new one).
    async forget() {
      fake.reset();
      server.resetHandlers();
      await connectRealm();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}

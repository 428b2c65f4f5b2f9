/** BPO: projects / contacts / entities upserts (idempotent: a POST with an existing external_id updates). */
import { serveHandlers, scripted } from "@connect/core/testing";
import { createBpoClient, type BpoClient } from "@connect/bpo";
import { createBpoFake } from "@connect/bpo/testing";
import { HttpResponse } from "msw";
import { FAST_POLICY } from "../harness.js";
import type { ClientOverrides, Kit, KitOptions, WriteOp } from "./types.js";

/** Start the BPO fake and describe its writes. */
export async function bpoKit(options: KitOptions = {}): Promise<Kit> {
  const tag = options.secretTag ?? "0";
  const apiKey = `bpo-api-key-SECRET-${tag}`;
  const fake = createBpoFake({ apiKey });
  const server = await serveHandlers(fake.handlers);
  const bpo = (c: unknown): BpoClient => c as BpoClient;

  const client = (o: ClientOverrides = {}): BpoClient =>
    createBpoClient({
      baseUrl: o.apiBaseUrl ?? server.url,
      apiKey: o.rotatingSecret ? { get: async () => apiKey } : apiKey,
      policy: o.policy ?? FAST_POLICY,
      telemetry: o.telemetry,
      deadLetters: o.deadLetters,
      idempotencyStore: o.idempotencyStore,
      drift: o.drift,
      transport: o.transport,
    });

  let n = 0;
  /** Upserts with the same external_id and body take effect once; count the stored records with it. */
  const upsert = (resource: "projects" | "contacts" | "entities", body: (id: string) => Record<string, unknown>): WriteOp => ({
    id: `${resource}.upsert`,
    safety: "idempotent",
    route: { method: "post", path: `*/api/v1/${resource}`, match: new RegExp(`/api/v1/${resource}$`) },
    prepare: async () => `${resource.slice(0, 3)}_rel_${(n += 1)}`,
    call: (c, id, ctx) => (bpo(c)[resource].upsert as (input: unknown, ctx?: unknown) => Promise<unknown>)(body(id as string), ctx),
    effects: (id) => [...fake[resource].values()].filter((r) => r.external_id === id).length,
    schemaViolation: () => HttpResponse.json({ id: 42, external_id: null }, { status: 201 }),
  });
  const writes: WriteOp[] = [
    upsert("projects", (id) => ({ external_id: id, address: "12 Oak St", city: "Austin", state: "TX", zip: "78704", status: "LEAD", purchase_price: 450000 })),
    upsert("contacts", (id) => ({ external_id: id, type: "BUILDER", name: "Reyes Homes", email: "ops@reyes.example" })),
    upsert("entities", (id) => ({ external_id: id, name: "Oak Street Partners LP", entity_type: "PARTNERSHIP", state_of_formation: "TX" })),
  ];

  return {
    vendor: "bpo",
    server,
    handlers: fake.handlers,
    client,
    writes,
    expireAuth(op) {
      server.use(scripted(op.route.method, op.route.path, [HttpResponse.json({ error: { code: "UNAUTHENTICATED", message: "API key expired", status: 401 } }, { status: 401 })]).handler);
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

/**
 * Issue 15 — duplicate safety: for every write of every vendor, the vendor carries the first
 * attempt out but its answer arrives after the client gave up (a timeout after the vendor
 * committed). The client's own retry, and then a host-level retry of the same logical call
 * (same idempotency key), must leave exactly one effect in the vendor's state: through the
 * vendor's key where it has one (QuickBooks requestid, Textract ClientRequestToken), the
 * operation's check (DocuSign transactionId, Authentisign listing), convergence (idempotent
 * state changes), and core's idempotency store for unsafe writes (Twilio, SendGrid, CCs).
 */
import { createMemoryIdempotencyStore, IntegrationError } from "@connect/core";
import { getResponse, http } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAST_POLICY, formatTable, settle } from "./harness.js";
import { KITS } from "./kits/index.js";
import type { Kit, WriteOp } from "./kits/types.js";

const rows: string[][] = [];
const kits = new Map<string, Kit>();

beforeAll(async () => {
  for (const [vendor, start] of Object.entries(KITS)) kits.set(vendor, await start());
});
afterAll(async () => {
  await Promise.all([...kits.values()].map((kit) => kit.close()));
  console.log(`\nDuplicate safety (issue 15): a timeout after the vendor committed, the client's retry, then a host retry\n${formatTable(["vendor", "operation", "safety", "first call", "host retry", "requests", "effects"], rows)}\n`);
});

/** The attempt timeout of the clients (generous: token requests and SDK loading share it on a loaded 2-core box). */
const ATTEMPT_MS = 300;

/** The first matching request is carried out by the fake, and its answer held back well past the attempt timeout. */
function commitThenStall(kit: Kit, op: WriteOp): { committed: () => boolean } {
  let committed = false;
  kit.server.use(
    http[op.route.method](op.route.path, async ({ request }) => {
      if (committed || (op.route.header && request.headers.get(op.route.header[0]) !== op.route.header[1])) return undefined;
      committed = true;
      const response = await getResponse(kit.handlers, request);
      const body = response ? await response.arrayBuffer() : undefined;
      await new Promise((resolve) => setTimeout(resolve, ATTEMPT_MS * 2.5));
      return new Response(body, { status: response?.status ?? 500, headers: response?.headers });
    }),
  );
  return { committed: () => committed };
}

const outcome = (r: { ok: boolean; error?: unknown }): string => (r.ok ? "ok" : IntegrationError.is(r.error) ? r.error.name : `untyped: ${String(r.error)}`);

describe("duplicate safety", () => {
  for (const vendor of Object.keys(KITS)) {
    // Vendors run side by side (each has its own fake and server): the waits overlap.
    it.concurrent(`${vendor}: a timeout after the vendor committed, then retries, leave one effect per write`, async () => {
      const kit = kits.get(vendor)!;
      const problems: string[] = [];
      for (const op of kit.writes) {
        await kit.reset();
        const client = kit.client({ policy: { ...FAST_POLICY, timeout: { attemptMs: ATTEMPT_MS, totalMs: 10_000 } }, idempotencyStore: createMemoryIdempotencyStore() });
        const prepared = op.prepare ? await op.prepare(client) : undefined;
        kit.server.requests.length = 0;
        const stall = commitThenStall(kit, op);
        const ctx = { idempotencyKey: `dup-${vendor}-${op.label ?? op.id}`, correlationId: `dup-${op.label ?? op.id}` };
        const first = await settle(op.call(client, prepared, ctx));
        const retry = await settle(op.call(client, prepared, ctx));
        await client.close();
        const requests = kit.server.requests.filter((r) => r.method === op.route.method.toUpperCase() && op.route.match.test(r.url) && (!op.route.header || r.headers[op.route.header[0]] === op.route.header[1]));
        const effects = op.effects(prepared);
        rows.push([vendor, op.label ?? op.id, op.safety, outcome(first), outcome(retry), String(requests.length), String(effects)]);

        const name = `${op.label ?? op.id}`;
        if (!stall.committed()) problems.push(`${name}: the write never reached the fake`);
        if (effects !== 1) problems.push(`${name}: ${effects} effects in the vendor's state (want exactly 1)`);
        if (op.safety === "unsafe") {
          // No key at the vendor: the call reports the unknown outcome, and the store refuses the repeat without a request.
          if (outcome(first) !== "UnknownOutcomeError") problems.push(`${name}: first call ended ${outcome(first)}, want UnknownOutcomeError`);
          if (outcome(retry) !== "UnknownOutcomeError") problems.push(`${name}: host retry ended ${outcome(retry)}, want UnknownOutcomeError`);
          if (requests.length !== 1) problems.push(`${name}: ${requests.length} requests (want 1: the repeat must not reach the vendor)`);
        } else {
          if (!first.ok) problems.push(`${name}: first call failed with ${outcome(first)} (${(first.error as Error).message})`);
          if (!retry.ok) problems.push(`${name}: host retry failed with ${outcome(retry)} (${(retry.error as Error).message})`);
          if (op.vendorKey) {
            const keys = requests.map((r) => op.vendorKey!(r));
            if (keys.length < 2 || new Set(keys).size !== 1 || !keys[0]) problems.push(`${name}: the retried attempts did not carry one vendor key: ${JSON.stringify(keys)}`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }
});

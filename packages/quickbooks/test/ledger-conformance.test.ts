// core's Ledger conformance suite against the QuickBooks fake: the ledger over a real client on
// loopback (OAuth tokens from the fake's authorization-code flow), change notifications signed by
// the fake and verified by the package's own webhook receiver.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { centsToDecimal, createQuickBooksLedger, createQuickBooksWebhookHandler, wireToCents, type QuickBooksEntityChange } from "@connect/quickbooks";
import type { FakeChange } from "@connect/quickbooks/testing";
import { describe, expect, it } from "vitest";
import { describeLedgerConformance, type LedgerHarness } from "../../../test/conformance/ledger.js";
import { setup } from "./helpers.js";

const ENTITY = { customer: "Customer", invoice: "Invoice", payment: "Payment" } as const;
const OPERATION = { create: "Create", update: "Update", delete: "Delete", void: "Void" } as const;
const money = (value: unknown): string => centsToDecimal(wireToCents(value as number | undefined));

async function quickBooksLedgerHarness(format: "cloudevents" | "legacy" = "cloudevents"): Promise<LedgerHarness> {
  const h = await setup();
  const ledger = createQuickBooksLedger(h.client, { depositAccountId: "35" });
  const received: QuickBooksEntityChange[] = [];
  const receiver = createQuickBooksWebhookHandler({ verifierToken: h.fake.verifierToken, queue: { enqueue: async (change) => void received.push(change) } });
  const host = createServer((req, res) => void receiver.node(req, res));
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  const hookUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}/quickbooks/webhooks`;
  return {
    ledger,
    tenantId: h.fake.realmId,
    requestCount: () => h.server.requests.length,
    async records() {
      return {
        customers: h.fake.rows("Customer").map((c) => ({ id: String(c.Id), displayName: String(c.DisplayName) })),
        invoices: h.fake.rows("Invoice").map((i) => ({ id: String(i.Id), customerId: String((i.CustomerRef as { value: string }).value), total: money(i.TotalAmt), balance: money(i.Balance) })),
        payments: h.fake.rows("Payment").map((p) => ({
          id: String(p.Id),
          invoiceId: (p.Line as Array<{ LinkedTxn: Array<{ TxnId: string }> }> | undefined)?.[0]?.LinkedTxn[0]?.TxnId,
          amount: money(p.TotalAmt),
        })),
      };
    },
    async deliverChange(entity, id, operation) {
      const name = ENTITY[entity];
      const recorded = h.fake.changes.filter((c) => c.entity === name && c.entityId === id && c.operation === OPERATION[operation]).at(-1);
      const change: FakeChange = recorded ?? { realmId: h.fake.realmId, entity: name, entityId: id, operation: OPERATION[operation], lastUpdated: new Date().toISOString() };
      const before = received.length;
      const response = await h.fake.postWebhook(hookUrl, { changes: [change], format });
      if (response.status !== 200) throw new Error(`the receiver answered ${response.status}`);
      return received.slice(before);
    },
    async close() {
      await new Promise<void>((resolve) => host.close(() => resolve()));
      await h.close();
    },
  };
}

describeLedgerConformance("quickbooks", () => quickBooksLedgerHarness("cloudevents"));

describe("the legacy eventNotifications format", () => {
  it("legacy notifications signed by the fake and verified by the receiver normalise the same way", async () => {
    const harness = await quickBooksLedgerHarness("legacy");
    try {
      const c = await harness.ledger.createCustomer({ externalRef: "LN-1", displayName: "A" });
      const events = harness.ledger.toChangeEvents(await harness.deliverChange("customer", c.id, "create"));
      expect(events).toEqual([expect.objectContaining({ provider: "quickbooks", entity: "customer", id: c.id, operation: "create", tenantId: harness.tenantId })]);
      expect((events[0]!.raw as { format: string }).format).toBe("legacy");
    } finally {
      await harness.close();
    }
  });
});

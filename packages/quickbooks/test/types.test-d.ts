// Compile-time checks of the public surface (checked by `tsc -p tsconfig.json`).
import { createMemoryTokenStore } from "@connect/core";
import { createQuickBooksClient, createQuickBooksWebhookHandler, type Customer, type Invoice, type QuickBooksEntityChange, type ReconciliationReport } from "@connect/quickbooks";
import { expectTypeOf } from "vitest";

const qbo = createQuickBooksClient({ realmId: "1", tokens: createMemoryTokenStore(), environment: "sandbox", clientId: "id", clientSecret: "secret" });

expectTypeOf(qbo.customers.create).returns.resolves.toEqualTypeOf<Customer>();
expectTypeOf(qbo.invoices.get).returns.resolves.toEqualTypeOf<Invoice>();
expectTypeOf(qbo.invoices.query()).toEqualTypeOf<AsyncGenerator<Invoice, void, undefined>>();
expectTypeOf(qbo.reconcile).returns.resolves.toEqualTypeOf<ReconciliationReport>();
expectTypeOf(qbo.servicing.loanFunded).returns.resolves.toEqualTypeOf<{ customer: Customer; created: boolean }>();

// @ts-expect-error DisplayName is required
void qbo.customers.create({ CompanyName: "x" });
// @ts-expect-error updates need the SyncToken
void qbo.customers.update({ Id: "1", Notes: "x" });
// @ts-expect-error customers are deactivated, not deleted
void qbo.customers.delete;
// @ts-expect-error bills cannot be voided
void qbo.bills.void;
// @ts-expect-error money is a decimal string or { cents }, never a float
void qbo.servicing.drawDisbursed({ loanId: "L", drawId: "d", customerId: "1", amount: 12.5, description: "x", dueDate: "2026-01-01" });
// @ts-expect-error environment is sandbox | production
createQuickBooksClient({ realmId: "1", tokens: createMemoryTokenStore(), environment: "staging", clientId: "id", clientSecret: "s" });

createQuickBooksWebhookHandler({
  verifierToken: "t",
  handlers: {
    Invoice: (change) => {
      expectTypeOf(change).toEqualTypeOf<QuickBooksEntityChange>();
      expectTypeOf(change.operation).toEqualTypeOf<"Create" | "Update" | "Delete" | "Merge" | "Void" | "Emailed">();
    },
  },
});

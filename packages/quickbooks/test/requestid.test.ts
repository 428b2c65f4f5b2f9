import { TimeoutError } from "@connect/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiRequests, customerBody, FAST_POLICY, invoiceBody, setup, type Harness } from "./helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

describe("requestid (issue 9: a retried create never duplicates)", () => {
  it("a create retried after a timeout whose first attempt reached the fake produces exactly one entity", async () => {
    const customerId = (await h.client.customers.create(customerBody())).Id;
    const client = h.makeClient({ policy: { ...FAST_POLICY, timeout: { attemptMs: 100 } } });
    // The first attempt is processed (the invoice is stored) but its response is held past the attempt timeout.
    const stall = h.fake.stallNext({ path: "/invoice", method: "POST" });
    h.server.requests.length = 0;
    const invoice = await client.invoices.create(invoiceBody(customerId), { idempotencyKey: "draw-disbursed:L-1001:draw-1" });
    stall.release();

    expect(stall.held).toBe(1);
    const posts = apiRequests(h.server).filter((c) => c.method === "POST");
    expect(posts).toHaveLength(2);
    expect(posts[0]!.query.get("requestid")).toBe(posts[1]!.query.get("requestid"));
    expect(h.fake.rows("Invoice")).toHaveLength(1);
    expect(invoice.Id).toBe(h.fake.rows("Invoice")[0]!.Id);
    expect(h.fake.changes.filter((c) => c.entity === "Invoice")).toHaveLength(1);
  });

  it("without requestid dedupe the same stall would show up as a second attempt: the timeout is real", async () => {
    const client = h.makeClient({ policy: { ...FAST_POLICY, retry: false, timeout: { attemptMs: 50 } } });
    const stall = h.fake.stallNext({ path: "/customer", method: "POST" });
    const error = await client.customers.create(customerBody("Stalled (Loan L-9)")).catch((e: unknown) => e);
    stall.release();
    expect(error).toBeInstanceOf(TimeoutError);
    expect(h.fake.rows("Customer").filter((c) => c.DisplayName === "Stalled (Loan L-9)")).toHaveLength(1);
  });

  it("a different idempotency key is a different write", async () => {
    await h.client.customers.create(customerBody("Twin (Loan L-3)"), { idempotencyKey: "a" });
    const error = await h.client.customers.create(customerBody("Twin (Loan L-3)"), { idempotencyKey: "b" }).catch((e: unknown) => e);
    expect((error as { vendorCode?: string }).vendorCode).toBe("6240");
  });
});

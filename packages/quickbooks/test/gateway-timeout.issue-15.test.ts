/** Regression (issue 15): a 504 from Intuit's gateway is a retryable TimeoutError, so a keyed write is retried. */
import { TimeoutError } from "@connect/core";
import { always, scripted } from "@connect/core/testing";
import { classifyQuickBooksError } from "@connect/quickbooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiRequests, customerBody, setup, type Harness } from "./helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

describe("issue 15: gateway timeouts (504)", () => {
  it("classify: 504 and 408 are retryable TimeoutErrors that may have reached QuickBooks", () => {
    for (const status of [504, 408]) {
      const error = classifyQuickBooksError({ status, headers: { intuit_tid: "tid-1" }, body: undefined, requestId: undefined, rawText: "Gateway Timeout" }, { operation: "invoices.create" });
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ status, retryable: true, mayHaveReachedVendor: true, requestId: "tid-1", vendorMessage: "Gateway Timeout", operation: "invoices.create" });
    }
  });

  it("a create answered 504 once is retried with the same requestid and creates one customer", async () => {
    const fault = scripted("post", "*/v3/company/:realm/customer", [504]);
    h.server.use(fault.handler);
    const created = await h.client.customers.create(customerBody("Gate (Loan L-504)"), { idempotencyKey: "loan-funded:L-504" });

    const posts = apiRequests(h.server).filter((r) => r.method === "POST");
    expect(fault.calls).toBe(1);
    expect(posts).toHaveLength(2);
    expect(posts[0]!.query.get("requestid")).toBe(posts[1]!.query.get("requestid"));
    expect(h.fake.rows("Customer").filter((c) => c.DisplayName === "Gate (Loan L-504)").map((c) => c.Id)).toEqual([created.Id]);
  });

  it("endless 504s end in TimeoutError after every attempt", async () => {
    h.server.use(always("post", "*/v3/company/:realm/customer", 504).handler);
    const error = await h.client.customers.create(customerBody("Never (Loan L-505)")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ attempts: 3, status: 504 });
    expect(apiRequests(h.server)).toHaveLength(3);
  });
});

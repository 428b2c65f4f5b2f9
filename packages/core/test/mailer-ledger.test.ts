import { describe, expect, it } from "vitest";
import { isMailDeliveryOutcome, LEDGER_INVOICE_STATUS_RANK, ledgerInvoiceStatus, MAIL_EVENT_TYPES } from "../src/index.js";

describe("shared Mailer vocabulary", () => {
  it("names the nine normalised delivery event types once each", () => {
    expect([...MAIL_EVENT_TYPES].sort()).toEqual(["bounced", "clicked", "complaint", "deferred", "delivered", "dropped", "opened", "processed", "unsubscribed"]);
    expect(Object.isFrozen(MAIL_EVENT_TYPES)).toBe(true);
  });

  it("treats delivered, bounced and dropped as delivery outcomes and engagement as not", () => {
    expect(MAIL_EVENT_TYPES.filter(isMailDeliveryOutcome)).toEqual(["delivered", "bounced", "dropped"]);
  });
});

describe("ledgerInvoiceStatus", () => {
  it("derives open, partially-paid and paid from total and balance without floats", () => {
    expect(ledgerInvoiceStatus("100.00", "100.00")).toBe("open");
    expect(ledgerInvoiceStatus("0.30", "0.1")).toBe("partially-paid");
    expect(ledgerInvoiceStatus("12500.50", "0")).toBe("paid");
    expect(ledgerInvoiceStatus("10", "-0.01")).toBe("paid");
    expect(ledgerInvoiceStatus("99999999999999.99", "99999999999999.98")).toBe("partially-paid");
  });

  it("rejects an amount that is not a decimal string", () => {
    expect(() => ledgerInvoiceStatus("1e3", "0")).toThrow(TypeError);
    expect(() => ledgerInvoiceStatus("10", "1.234")).toThrow(/not a decimal amount: "1.234"/);
  });

  it("ranks paid and voided as terminal", () => {
    expect(Object.entries(LEDGER_INVOICE_STATUS_RANK).filter(([, rank]) => rank === 3).map(([s]) => s)).toEqual(["paid", "voided"]);
  });
});

import { ValidationError } from "@connect/core";
import { centsToDecimal, centsToWire, toCents, wireToCents } from "@connect/quickbooks";
import { describe, expect, it } from "vitest";

describe("money", () => {
  it("reads decimal strings and cents without float arithmetic", () => {
    expect(toCents("12500.50")).toBe(1_250_050);
    expect(toCents("0.29")).toBe(29);
    expect(toCents("-3.1")).toBe(-310);
    expect(toCents({ cents: 1 })).toBe(1);
    expect(wireToCents(0.29)).toBe(29);
    expect(wireToCents("12500.50")).toBe(1_250_050);
    expect(centsToDecimal(1_250_050)).toBe("12500.50");
    expect(centsToDecimal(-5)).toBe("-0.05");
    expect(centsToWire(1_250_050)).toBe(12500.5);
  });

  it.each([["12.345"], ["1e3"], ["abc"], [12.5], [{ cents: 1.5 }]])("refuses %o", (value) => {
    expect(() => toCents(value as never)).toThrow(ValidationError);
  });

  it("refuses wire amounts with more than 2 decimals or an exponent", () => {
    expect(() => wireToCents(0.1 + 0.2)).toThrow(RangeError);
    expect(() => wireToCents(1e-7)).toThrow(RangeError);
  });
});

import { describe, expect, it } from "vitest";
import { toBoolean, toCurrency, toDate, toFeet, toFloodZone, toIdentifier, toInteger, toList, toNumber, toPercent, toSquareFeet, toText } from "../src/normalise.js";

describe("normalisers on messy values", () => {
  it("numbers ignore thousands separators and units", () => {
    expect(toNumber("12,500 sq. ft.")).toBe(12500);
    expect(toNumber("1 250 000")).toBe(1250000);
    expect(toNumber("approx. 3.75 acres")).toBe(3.75);
    expect(toNumber("none")).toBeUndefined();
  });
  it("integers reject fractions", () => {
    expect(toInteger("14 trees")).toBe(14);
    expect(toInteger("2.5")).toBeUndefined();
  });
  it("currency handles symbols, codes, separators and accounting negatives", () => {
    expect(toCurrency("$4,218.50")).toBe(4218.5);
    expect(toCurrency("USD 650,000")).toBe(650000);
    expect(toCurrency("(300.00)")).toBe(-300);
    expect(toCurrency("-$12.345")).toBe(-12.35);
    expect(toCurrency("TBD")).toBeUndefined();
  });
  it("percent stays within 0..100", () => {
    expect(toPercent("65%")).toBe(65);
    expect(toPercent("65 percent")).toBe(65);
    expect(toPercent("165%")).toBeUndefined();
  });
  it("areas convert acres to square feet", () => {
    expect(toSquareFeet("0.25 acres")).toBe(10890);
    expect(toSquareFeet("1 ac.")).toBe(43560);
    expect(toSquareFeet("12,500 SF")).toBe(12500);
  });
  it("distances read feet marks and convert metres", () => {
    expect(toFeet("7.5'")).toBe(7.5);
    expect(toFeet("25 ft")).toBe(25);
    expect(toFeet("3 m")).toBe(9.84);
  });
  it("yes/no reads the usual spellings and refuses anything else", () => {
    expect([toBoolean("Yes"), toBoolean(" y "), toBoolean("X"), toBoolean("Passed.")]).toEqual([true, true, true, true]);
    expect([toBoolean("No"), toBoolean("N/A"), toBoolean("failed")]).toEqual([false, false, false]);
    expect(toBoolean("maybe")).toBeUndefined();
  });
  it("lists split on ; , and 'and', dropping empties and 'none'", () => {
    expect(toList("10' utility easement (rear); 5' drainage easement, access easement")).toEqual(["10' utility easement (rear)", "5' drainage easement", "access easement"]);
    expect(toList("Coast live oak;; Valley oak and Monterey pine")).toEqual(["Coast live oak", "Valley oak", "Monterey pine"]);
    expect(toList("None")).toEqual([]);
  });
  it("dates become ISO from numeric, two-digit-year and written forms", () => {
    expect(toDate("03/14/2024")).toBe("2024-03-14");
    expect(toDate("1/5/24")).toBe("2024-01-05");
    expect(toDate("March 14, 2024")).toBe("2024-03-14");
    expect(toDate("14th Mar 2024")).toBe("2024-03-14");
    expect(toDate("2024-01-22T10:00")).toBe("2024-01-22");
    expect(toDate("02/30/2024")).toBeUndefined();
    expect(toDate("soon")).toBeUndefined();
  });
  it("text, identifiers and flood zones are cleaned", () => {
    expect(toText("  Jordan \n Reyes ")).toBe("Jordan Reyes");
    expect(toText("   ")).toBeUndefined();
    expect(toIdentifier("042 - 118 - 07")).toBe("042-118-07");
    expect(toIdentifier("No. BLD-2024-00123")).toBe("BLD-2024-00123");
    expect(toFloodZone("Zone AE")).toBe("AE");
    expect(toFloodZone("x (shaded)")).toBe("X");
    expect(toFloodZone("unknown")).toBeUndefined();
  });
});

/** The cell parsers behind row validation (internal, tested directly for their edge cases). */
import { describe, expect, it } from "vitest";
import { normalizeHeader } from "@connect/bpo";
import { CellError, email, money, status, statusLookup, timestamp, zip } from "../../src/import/values.js";

describe("timestamp", () => {
  it.each([
    ["2024-06-01T10:00:00.000Z", "2024-06-01T10:00:00.000Z"],
    ["2024-06-01T10:00:00Z", "2024-06-01T10:00:00.000Z"],
    ["2024-06-01T12:00:00+02:00", "2024-06-01T10:00:00.000Z"],
    ["2024-06-01 10:00", "2024-06-01T10:00:00.000Z"],
    ["2024-06-01", "2024-06-01T00:00:00.000Z"],
    ["6/3/2024", "2024-06-03T00:00:00.000Z"],
    ["12/31/2024 11:30 PM", "2024-12-31T23:30:00.000Z"],
    ["1/2/2024 12:05:09 am", "2024-01-02T00:05:09.000Z"],
    ["1717236000", "2024-06-01T10:00:00.000Z"],
    ["1717236000000", "2024-06-01T10:00:00.000Z"],
    [1717236000, "2024-06-01T10:00:00.000Z"],
    [{ _seconds: 1717236000, _nanoseconds: 500_000_000 }, "2024-06-01T10:00:00.500Z"],
    [{ seconds: 1717236000, nanoseconds: 0 }, "2024-06-01T10:00:00.000Z"],
    ["2024-02-29", "2024-02-29T00:00:00.000Z"],
    ["", null],
    ["  NULL ", null],
  ])("%j → %j", (input, expected) => {
    expect(timestamp(input)).toBe(expected);
  });

  it.each([
    ["2023-02-29", '"2023-02-29" is not a calendar date'],
    ["2024-02-30T00:00:00.000Z", '"2024-02-30T00:00:00.000Z" is not a calendar date'],
    ["2024-06-01T25:00:00.000Z", '"2024-06-01T25:00:00.000Z" is not a time of day'],
    ["2024-13-45", '"2024-13-45" is not a calendar date'],
    ["13/1/2024", '"13/1/2024" is not a calendar date'],
    ["1/2/2024 13:00 PM", '"1/2/2024 13:00 PM" has an invalid hour'],
    ["next Tuesday", '"next Tuesday" is not a date'],
    [{ when: "now" }, "expected a date or a Firestore timestamp"],
  ])("%j is refused: %s", (input, message) => {
    expect(() => timestamp(input)).toThrow(new CellError(message));
  });
});

describe("money", () => {
  it.each([
    ["1250000", 1_250_000],
    ["1,250,000.50", 1_250_000.5],
    ["$1,250,000.00", 1_250_000],
    ["$ 950000", 950_000],
    ["USD 950000", 950_000],
    ["950000 USD", 950_000],
    [450000, 450_000],
    ["", null],
    ["N/A", null],
  ])("%j → %j", (input, expected) => {
    expect(money(input)).toBe(expected);
  });

  it.each([["TBD"], ["12..5"], ["1,25,000"], ["-5"], [-1], ["1e6"], [Number.NaN]])("%j is refused", (input) => {
    expect(() => money(input)).toThrow(CellError);
  });
});

describe("zip, email, status, headers", () => {
  it("pads ZIP codes a spreadsheet shortened and formats ZIP+4", () => {
    expect([zip("2134"), zip("501"), zip("941101234"), zip("94110-1234"), zip("")]).toEqual(["02134", "00501", "94110-1234", "94110-1234", null]);
    expect(() => zip("ABCDE")).toThrow('"ABCDE" is not a ZIP code');
  });

  it("lower-cases emails and refuses what is not one", () => {
    expect(email(" Ana.Reyes@Brokerage.Example ")).toBe("ana.reyes@brokerage.example");
    expect(() => email("ana at example.com")).toThrow('"ana at example.com" is not an email address');
  });

  it("canonicalises statuses through the mapping", () => {
    const none = statusLookup(undefined);
    const mapping = statusLookup({ "In Feasibility": "FEASIBILITY", "New Lead": "LEAD" });
    expect([status("lead", none), status("Under contract", none), status("In Feasibility", mapping), status("new LEAD", mapping), status("Dead", mapping)]).toEqual(["LEAD", "UNDER_CONTRACT", "FEASIBILITY", "LEAD", "DEAD"]);
    expect(() => status("??", none)).toThrow('"??" is not a status');
  });

  it("normalises header spellings", () => {
    expect(["Purchase Price", "purchasePrice", "PURCHASE_PRICE", "submitted_by.email", "\uFEFFProject ID", " ZIP Code ", "Submitted By (Email)"].map(normalizeHeader)).toEqual([
      "purchase_price",
      "purchase_price",
      "purchase_price",
      "submitted_by_email",
      "project_id",
      "zip_code",
      "submitted_by_email",
    ]);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normaliseTime } from "../src/webhooks/events.js";

// The Date round trip normaliseTime did for every time before the UTC fast path (issue 14): the
// reference the fast path must agree with, roll-overs and two-digit-year mapping included.
function throughDate(value: string | undefined, offsetHours = 0): string | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const ms = Number(((fraction ?? "") + "000").slice(0, 3));
  let epoch = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone === undefined) epoch -= offsetHours * 3_600_000;
  else if (zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    epoch -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isNaN(epoch) ? undefined : new Date(epoch).toISOString();
}

const digits = (width: number, max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(width, "0"));

describe("normaliseTime (issue 14: UTC times without a Date round trip)", () => {
  it("writes Connect JSON times out as UTC ISO with milliseconds", () => {
    expect(normaliseTime("2024-06-03T15:12:00.1234567Z")).toBe("2024-06-03T15:12:00.123Z");
    expect(normaliseTime(" 2024-02-29T23:59:59Z ")).toBe("2024-02-29T23:59:59.000Z");
    expect(normaliseTime("2024-06-03T08:12:00", -7)).toBe("2024-06-03T15:12:00.000Z");
    expect(normaliseTime("2023-02-29T00:00:00Z")).toBe("2023-03-01T00:00:00.000Z");
    expect(normaliseTime("0050-01-01T00:00:00Z")).toBe("1950-01-01T00:00:00.000Z");
    expect(normaliseTime("2024-06-03T24:00:00Z")).toBe("2024-06-04T00:00:00.000Z");
    expect(normaliseTime("2024-06-03 15:12:00Z")).toBeUndefined();
  });

  it("agrees with the Date round trip on any time, zone and account offset", () => {
    const time = fc
      .tuple(digits(4, 9999), digits(2, 13), digits(2, 32), digits(2, 25), digits(2, 60), digits(2, 60), fc.option(fc.stringMatching(/^\d{1,7}$/)), fc.constantFrom("Z", "", "+02:00", "-0530", "+00:00"))
      .map(([y, mo, d, h, mi, s, fraction, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction === null ? "" : `.${fraction}`}${zone}`);
    fc.assert(
      fc.property(time, fc.constantFrom(0, -7, 5.5), (value, offset) => {
        expect(normaliseTime(value, offset)).toBe(throughDate(value, offset));
      }),
      { numRuns: 5_000 },
    );
  });
});

/**
 * Amounts without float arithmetic. The platform holds amounts as decimal strings; Xero puts
 * JSON numbers on the wire (shared/vendors/xero.md §5). Every conversion goes through digit
 * strings and bigint cents, so 0.1 + 0.2 never happens.
 */

const DECIMAL = /^(-)?(\d{1,13})(?:\.(\d{1,4}))?$/;

/** Smallest units of a decimal (`"12.5"`, 2 → 1250n); undefined when it is no plain decimal or has more than `places` decimals. @internal */
export function toUnits(value: string | number, places: number): bigint | undefined {
  const text = typeof value === "number" ? numberText(value) : value.trim();
  if (text === undefined) return undefined;
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const fraction = (match[3] ?? "").replace(/0+$/, "");
  if (fraction.length > places) return undefined;
  const units = BigInt(match[2]!) * 10n ** BigInt(places) + BigInt(fraction.padEnd(places, "0") || "0");
  return match[1] ? -units : units;
}

function numberText(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const text = String(value);
  // Tiny or huge numbers print with an exponent; amounts never should.
  return /e/i.test(text) ? undefined : text;
}

/** Cents of an amount with at most 2 decimals, or undefined. @internal */
export function toCents(value: string | number): bigint | undefined {
  return toUnits(value, 2);
}

/** Units as a decimal string with `places` decimals (`1250n`, 2 → `"12.50"`). @internal */
export function unitsToDecimal(units: bigint, places = 2): string {
  const sign = units < 0n ? "-" : "";
  const digits = (units < 0n ? -units : units).toString().padStart(places + 1, "0");
  return places === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

/** The JSON number Xero expects for a decimal (the shortest exact representation: `"12500.50"` → 12500.5). @internal */
export function decimalToWire(value: string | number): number {
  return typeof value === "number" ? value : Number(value.trim());
}

/** A Xero amount (a JSON number) as a decimal string with 2 decimals; `"0.00"` when absent. @internal */
export function wireToDecimal(value: number | string | undefined | null): string {
  if (value === undefined || value === null) return "0.00";
  const cents = toCents(value);
  if (cents === undefined) throw new RangeError(`xero: ${JSON.stringify(value)} is not an amount with at most 2 decimals`);
  return unitsToDecimal(cents);
}

/**
 * Quantity × unit amount rounded half away from zero to cents, as Xero computes `LineAmount`
 * (quantity up to 4 decimals, unit amount up to 4 with `unitdp=4`, else 2).
 * @internal
 */
export function lineAmountCents(quantity: string | number, unitAmount: string | number): bigint | undefined {
  const q = toUnits(quantity, 4);
  const u = toUnits(unitAmount, 4);
  if (q === undefined || u === undefined) return undefined;
  const product = q * u; // 8 decimals
  const scale = 1_000_000n; // 8 → 2 decimals
  const negative = product < 0n;
  const abs = negative ? -product : product;
  const rounded = (abs + scale / 2n) / scale;
  return negative ? -rounded : rounded;
}

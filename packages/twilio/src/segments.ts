/**
 * SMS segment arithmetic: a body that fits GSM-7 is one segment up to 160 septets and 153 per
 * segment beyond; anything else is UCS-2, 70 UTF-16 units or 67 per segment beyond
 * (shared/vendors/twilio.md §2 "Body"). Twilio bills and reports `num_segments` this way.
 *
 * Multi-part segments are packed greedily, as handsets reassemble them: a GSM extension
 * character (escape + character, two septets) and a UTF-16 surrogate pair (an emoji) are never
 * split across two segments, so a body can need one segment more than `units / perSegment`.
 */

// The GSM 03.38 default alphabet (one septet each).
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
// The extension table: escape + character, two septets each.
const GSM_EXTENDED = "^{}\\[~]|€\f";

const BASIC = new Set(GSM_BASIC);
const EXTENDED = new Set(GSM_EXTENDED);

/** Largest body Twilio accepts, in characters (error 21617 beyond). @public */
export const MAX_BODY_LENGTH = 1600;

/** How a body is encoded and split. @public */
export interface SegmentInfo {
  /** `GSM-7` when every character is in the GSM alphabet, else `UCS-2`. */
  encoding: "GSM-7" | "UCS-2";
  /** Characters (Unicode code points). */
  characters: number;
  /** Units counted against the segment size: septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
  /** Segments the message is sent as (0 for an empty body). */
  segments: number;
  /** Units per segment for this message (160/153 or 70/67). */
  perSegment: number;
  /** Characters that forced UCS-2 (empty for GSM-7), so a caller can replace them (e.g. curly quotes). */
  nonGsmCharacters: string[];
}

/** Pack `sizes` (units per character) greedily into segments of `capacity` units. */
function pack(sizes: number[], capacity: number): number {
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > capacity) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return segments;
}

/**
 * Count the segments of an SMS body.
 * @example countSegments("Reply CONFIRM") // { encoding: "GSM-7", characters: 13, units: 13, segments: 1, perSegment: 160, nonGsmCharacters: [] }
 * @public
 */
export function countSegments(body: string): SegmentInfo {
  const chars = [...body];
  const nonGsm = new Set<string>();
  const septets: number[] = [];
  for (const ch of chars) {
    if (BASIC.has(ch)) septets.push(1);
    else if (EXTENDED.has(ch)) septets.push(2);
    else nonGsm.add(ch);
  }
  if (nonGsm.size === 0) {
    const units = septets.reduce((a, b) => a + b, 0);
    if (units === 0) return { encoding: "GSM-7", characters: 0, units: 0, segments: 0, perSegment: 160, nonGsmCharacters: [] };
    const segments = units <= 160 ? 1 : pack(septets, 153);
    return { encoding: "GSM-7", characters: chars.length, units, segments, perSegment: segments > 1 ? 153 : 160, nonGsmCharacters: [] };
  }
  const units = body.length;
  const segments = units <= 70 ? 1 : pack(chars.map((ch) => ch.length), 67);
  return { encoding: "UCS-2", characters: chars.length, units, segments, perSegment: segments > 1 ? 67 : 70, nonGsmCharacters: [...nonGsm] };
}

/**
 * Inbound keywords: Twilio's own opt-out / opt-in / help words (shared/vendors/twilio.md §4
 * "Opt-out") and the host's custom ones (CONFIRM), matched case- and whitespace-insensitively.
 */

/** Words Twilio treats as an opt-out on long codes and toll-free numbers. @public */
export const OPT_OUT_KEYWORDS = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"] as const;
/** Words that opt a recipient back in. @public */
export const OPT_IN_KEYWORDS = ["START", "YES", "UNSTOP"] as const;
/** Words that get Twilio's help reply. @public */
export const HELP_KEYWORDS = ["HELP", "INFO"] as const;

/** What kind of keyword a message is. @public */
export type KeywordType = "opt-out" | "opt-in" | "help" | "custom";

/** A matched keyword. @public */
export interface KeywordMatch {
  type: KeywordType;
  /** The keyword's canonical name: `STOP`, `START`, `HELP`, or the custom keyword's name (`CONFIRM`). */
  keyword: string;
  /** The normalised text that matched (an alias such as `CONFIRMED`, or `STOPALL`). */
  matched: string;
}

/** Custom keywords: name → its spellings (the name itself always matches). @public */
export type CustomKeywords = Readonly<Record<string, string | readonly string[]>>;

/**
 * Normalise a message body for keyword matching: Unicode NFKC, trimmed, inner whitespace
 * collapsed to one space, trailing `.` / `!` dropped, upper case. `" confirm!\n"` → `"CONFIRM"`.
 * @public
 */
export function normalizeKeyword(body: string): string {
  return body
    .normalize("NFKC")
    .trim()
    .replace(/\s+/g, " ")
    .replace(/[.!]+$/u, "")
    .trim()
    .toUpperCase();
}

const BUILT_IN = new Map<string, { type: Exclude<KeywordType, "custom">; keyword: string }>([
  ...OPT_OUT_KEYWORDS.map((w) => [w, { type: "opt-out" as const, keyword: "STOP" }] as const),
  ...OPT_IN_KEYWORDS.map((w) => [w, { type: "opt-in" as const, keyword: "START" }] as const),
  ...HELP_KEYWORDS.map((w) => [w, { type: "help" as const, keyword: "HELP" }] as const),
]);

/** A compiled keyword matcher. @public */
export interface KeywordMatcher {
  /** The keyword a body is, or undefined for any other text. */
  match(body: string): KeywordMatch | undefined;
}

/**
 * Compile custom keywords next to Twilio's built-in ones. A custom spelling that is also a
 * Twilio keyword (`YES`, `STOP` …) is refused: Twilio acts on those itself whatever the host does.
 * @example
 * const keywords = createKeywordMatcher({ CONFIRM: ["CONFIRM", "CONFIRMED", "C"] });
 * keywords.match(" confirm ") // { type: "custom", keyword: "CONFIRM", matched: "CONFIRM" }
 * keywords.match("Stop")      // { type: "opt-out", keyword: "STOP", matched: "STOP" }
 * @public
 */
export function createKeywordMatcher(custom: CustomKeywords = {}): KeywordMatcher {
  const customs = new Map<string, string>();
  for (const [name, spellings] of Object.entries(custom)) {
    const canonical = normalizeKeyword(name);
    if (canonical === "") throw new TypeError("createKeywordMatcher: a keyword name is empty");
    const all = [canonical, ...(typeof spellings === "string" ? [spellings] : spellings).map(normalizeKeyword)];
    for (const spelling of all) {
      if (spelling === "") throw new TypeError(`createKeywordMatcher: keyword ${canonical} has an empty spelling`);
      const builtIn = BUILT_IN.get(spelling);
      if (builtIn) {
        throw new TypeError(`createKeywordMatcher: "${spelling}" is a Twilio ${builtIn.type} keyword (Twilio acts on it itself); choose another spelling for ${canonical}`);
      }
      const other = customs.get(spelling);
      if (other !== undefined && other !== canonical) throw new TypeError(`createKeywordMatcher: "${spelling}" is used by both ${other} and ${canonical}`);
      customs.set(spelling, canonical);
    }
  }
  return {
    match(body) {
      const text = normalizeKeyword(body);
      if (text === "") return undefined;
      const builtIn = BUILT_IN.get(text);
      if (builtIn) return { ...builtIn, matched: text };
      const name = customs.get(text);
      return name === undefined ? undefined : { type: "custom", keyword: name, matched: text };
    },
  };
}

/**
 * Match one body against Twilio's keywords and `custom` ones (compiles every call; keep a
 * {@link createKeywordMatcher} for repeated use).
 * @public
 */
export function matchKeyword(body: string, custom: CustomKeywords = {}): KeywordMatch | undefined {
  return createKeywordMatcher(custom).match(body);
}

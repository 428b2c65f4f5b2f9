/**
 * The fake's `where` filter: comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`) of a dotted field with a
 * string literal (`\"` and `\\` escapes), `guid("…")`, a number, `true`/`false`/`null` or
 * `DateTime(y,m,d)`, joined by `AND` / `OR` (`&&` / `||`) with parentheses. Method calls
 * (`Name.Contains("x")`, `.StartsWith`, `.ToLower()`) are Xero, but not this fake: they raise
 * `WhereNotInFakeError`, answered as core's 501.
 */

/** A filter the fake cannot run (it is valid Xero, the fake lacks it). @internal */
export class WhereNotInFakeError extends Error {}
/** A filter Xero itself would refuse. @internal */
export class WhereSyntaxError extends Error {}

type Value = string | number | boolean | null | { guid: string } | { date: number };
type Node =
  | { kind: "cmp"; path: string[]; op: string; value: Value }
  | { kind: "and" | "or"; left: Node; right: Node };

interface Token {
  type: "ident" | "string" | "number" | "op" | "paren" | "comma" | "dot";
  text: string;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === '"') {
      let text = "";
      i += 1;
      for (;;) {
        if (i >= source.length) throw new WhereSyntaxError("unterminated string literal");
        const d = source[i]!;
        if (d === "\\") {
          const next = source[i + 1];
          if (next === undefined) throw new WhereSyntaxError("dangling escape");
          text += next;
          i += 2;
          continue;
        }
        if (d === '"') {
          i += 1;
          break;
        }
        text += d;
        i += 1;
      }
      tokens.push({ type: "string", text });
      continue;
    }
    const two = source.slice(i, i + 2);
    if (["==", "!=", "<=", ">=", "&&", "||"].includes(two)) {
      tokens.push({ type: "op", text: two });
      i += 2;
      continue;
    }
    if (c === "<" || c === ">") {
      tokens.push({ type: "op", text: c });
      i += 1;
      continue;
    }
    if (c === "(" || c === ")") {
      tokens.push({ type: "paren", text: c });
      i += 1;
      continue;
    }
    if (c === ",") {
      tokens.push({ type: "comma", text: c });
      i += 1;
      continue;
    }
    if (c === ".") {
      tokens.push({ type: "dot", text: c });
      i += 1;
      continue;
    }
    const number = /^-?\d+(\.\d+)?/.exec(source.slice(i));
    if (number) {
      tokens.push({ type: "number", text: number[0] });
      i += number[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
    if (ident) {
      tokens.push({ type: "ident", text: ident[0] });
      i += ident[0].length;
      continue;
    }
    throw new WhereSyntaxError(`unexpected character ${JSON.stringify(c)}`);
  }
  return tokens;
}

/** Parse a `where` filter. @internal */
export function parseWhere(source: string): Node {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const take = (): Token => {
    const t = tokens[pos];
    if (!t) throw new WhereSyntaxError("unexpected end of filter");
    pos += 1;
    return t;
  };
  const isWord = (t: Token | undefined, word: string): boolean => t?.type === "ident" && t.text.toUpperCase() === word;

  function expr(): Node {
    let left = conj();
    while (peek() && (isWord(peek(), "OR") || peek()!.text === "||")) {
      take();
      left = { kind: "or", left, right: conj() };
    }
    return left;
  }
  function conj(): Node {
    let left = term();
    while (peek() && (isWord(peek(), "AND") || peek()!.text === "&&")) {
      take();
      left = { kind: "and", left, right: term() };
    }
    return left;
  }
  function term(): Node {
    if (peek()?.text === "(") {
      take();
      const inner = expr();
      if (take().text !== ")") throw new WhereSyntaxError("missing )");
      return inner;
    }
    const first = take();
    if (first.type !== "ident") throw new WhereSyntaxError(`expected a field name, got ${JSON.stringify(first.text)}`);
    const path = [first.text];
    while (peek()?.type === "dot") {
      take();
      const part = take();
      if (part.type !== "ident") throw new WhereSyntaxError("expected a field name after .");
      if (peek()?.text === "(") throw new WhereNotInFakeError(`method call ${path.join(".")}.${part.text}()`);
      path.push(part.text);
    }
    const op = take();
    if (op.type !== "op" || op.text === "&&" || op.text === "||") throw new WhereSyntaxError(`expected a comparison after ${path.join(".")}`);
    return { kind: "cmp", path, op: op.text, value: value() };
  }
  function value(): Value {
    const t = take();
    if (t.type === "string") return t.text;
    if (t.type === "number") return Number(t.text);
    if (t.type === "ident") {
      const word = t.text.toLowerCase();
      if (word === "true") return true;
      if (word === "false") return false;
      if (word === "null") return null;
      if (word === "guid") {
        if (take().text !== "(") throw new WhereSyntaxError("guid needs (");
        const id = take();
        if (id.type !== "string") throw new WhereSyntaxError("guid needs a string");
        if (take().text !== ")") throw new WhereSyntaxError("guid needs )");
        return { guid: id.text.toLowerCase() };
      }
      if (word === "datetime") {
        if (take().text !== "(") throw new WhereSyntaxError("DateTime needs (");
        const parts: number[] = [];
        for (;;) {
          const n = take();
          if (n.type !== "number") throw new WhereSyntaxError("DateTime needs numbers");
          parts.push(Number(n.text));
          const sep = take();
          if (sep.text === ")") break;
          if (sep.type !== "comma") throw new WhereSyntaxError("DateTime needs commas");
        }
        return { date: Date.UTC(parts[0] ?? 1970, (parts[1] ?? 1) - 1, parts[2] ?? 1) };
      }
    }
    throw new WhereSyntaxError(`unexpected ${JSON.stringify(t.text)} as a value`);
  }

  const node = expr();
  if (pos !== tokens.length) throw new WhereSyntaxError(`unexpected ${JSON.stringify(tokens[pos]!.text)}`);
  return node;
}

function field(row: Record<string, unknown>, path: string[]): unknown {
  let current: unknown = row;
  for (const part of path) {
    if (!current || typeof current !== "object") return undefined;
    const entry = Object.entries(current as Record<string, unknown>).find(([k]) => k.toLowerCase() === part.toLowerCase());
    current = entry?.[1];
  }
  return current;
}

function compare(actual: unknown, op: string, expected: Value): boolean {
  let a: unknown = actual;
  let b: unknown = expected;
  if (expected && typeof expected === "object" && "guid" in expected) {
    a = typeof actual === "string" ? actual.toLowerCase() : actual;
    b = expected.guid;
  } else if (expected && typeof expected === "object" && "date" in expected) {
    const ms = typeof actual === "string" ? /\/Date\((-?\d+)/.exec(actual)?.[1] : undefined;
    a = ms !== undefined ? Number(ms) : actual;
    b = expected.date;
  }
  if (op === "==") return a === b || (a === undefined && b === null);
  if (op === "!=") return !(a === b || (a === undefined && b === null));
  if (typeof a !== typeof b || a === null || b === null) return false;
  const x = a as number | string;
  const y = b as number | string;
  return op === "<" ? x < y : op === "<=" ? x <= y : op === ">" ? x > y : x >= y;
}

/** Whether `row` matches the filter. @internal */
export function matchesWhere(row: Record<string, unknown>, node: Node): boolean {
  if (node.kind === "cmp") return compare(field(row, node.path), node.op, node.value);
  if (node.kind === "and") return matchesWhere(row, node.left) && matchesWhere(row, node.right);
  return matchesWhere(row, node.left) || matchesWhere(row, node.right);
}

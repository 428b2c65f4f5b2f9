/**
 * The fake's reading of QuickBooks' query language (shared/vendors/quickbooks.md §4):
 * `SELECT * | COUNT(*) FROM <Entity> [WHERE p op v [AND …]] [ORDERBY p [ASC|DESC]]
 * [STARTPOSITION n] [MAXRESULTS m]`, operators `= < > <= >= IN LIKE`, single-quoted strings
 * with `\'` (and `\\`) escapes. Keywords and the entity name are case-insensitive, as
 * QuickBooks Online reads them: node-quickbooks always sends `select * from customer …
 * startposition 1 maxresults 1000`, and rows come back under the canonical name (`Customer`).
 * What Intuit refuses (OR, projections, an unknown entity, an unterminated string) is a parse
 * error here too; an entity QuickBooks has but the fake does not store is
 * {@link QueryEntityNotStoredError}, so the fake can say so instead of feigning an empty result.
 */

/** A parsed statement. @internal */
export interface ParsedQuery {
  count: boolean;
  entity: string;
  where: Array<{ property: string; op: "=" | "<" | ">" | "<=" | ">=" | "IN" | "LIKE"; values: Array<string | number | boolean> }>;
  orderBy: { property: string; desc: boolean } | undefined;
  startPosition: number;
  maxResults: number;
}

/** A statement the fake cannot read; the message is Intuit-like. @internal */
export class QueryParseError extends Error {}

/** A statement about a real QuickBooks entity the fake does not store (e.g. `Estimate`). @internal */
export class QueryEntityNotStoredError extends Error {
  constructor(readonly entity: string) {
    super(`the fake does not store ${entity}`);
  }
}

/**
 * Queryable QuickBooks Online entities, as node-quickbooks 2.0.50 names them in its `findX`
 * methods (lower-cased there; QuickBooks matches them case-insensitively). @internal
 */
export const QUICKBOOKS_QUERY_ENTITIES = [
  "Account", "Attachable", "Bill", "BillPayment", "Budget", "Class", "CompanyInfo", "CompanyCurrency", "CreditMemo",
  "Customer", "CustomerType", "Department", "Deposit", "Employee", "Estimate", "Invoice", "Item", "JournalCode",
  "JournalEntry", "Payment", "PaymentMethod", "Preferences", "Purchase", "PurchaseOrder", "RefundReceipt",
  "SalesReceipt", "TaxAgency", "TaxCode", "TaxRate", "Term", "TimeActivity", "Transfer", "Vendor", "VendorCredit", "ExchangeRate",
] as const;

type Token = { kind: "word" | "string" | "number" | "op" | "punct"; text: string; value?: string | number };

function tokenize(statement: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < statement.length) {
    const c = statement[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === "'") {
      let value = "";
      i += 1;
      for (;;) {
        if (i >= statement.length) throw new QueryParseError("QueryParserError: Encountered end of statement inside a string literal");
        const ch = statement[i]!;
        if (ch === "\\" && i + 1 < statement.length) {
          value += statement[i + 1];
          i += 2;
        } else if (ch === "'") {
          i += 1;
          break;
        } else {
          value += ch;
          i += 1;
        }
      }
      tokens.push({ kind: "string", text: value, value });
    } else if (/[0-9-]/.test(c) && /^-?\d/.test(statement.slice(i, i + 2))) {
      const match = /^-?\d+(\.\d+)?/.exec(statement.slice(i))!;
      tokens.push({ kind: "number", text: match[0], value: Number(match[0]) });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(statement.slice(i))!;
      tokens.push({ kind: "word", text: match[0] });
      i += match[0].length;
    } else if (c === "<" || c === ">" || c === "=") {
      const two = statement.slice(i, i + 2);
      const op = two === "<=" || two === ">=" ? two : c;
      tokens.push({ kind: "op", text: op });
      i += op.length;
    } else if (c === "(" || c === ")" || c === "," || c === "*") {
      tokens.push({ kind: "punct", text: c });
      i += 1;
    } else {
      throw new QueryParseError(`QueryParserError: Encountered " "${c}" " at column ${i + 1}`);
    }
  }
  return tokens;
}

/** Parse a statement for the given known entities. @internal */
export function parseQuery(statement: string, entities: readonly string[]): ParsedQuery {
  const tokens = tokenize(statement);
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const next = (): Token => {
    const token = tokens[at++];
    if (!token) throw new QueryParserEnd();
    return token;
  };
  const keyword = (word: string): boolean => {
    const token = peek();
    if (token?.kind === "word" && token.text.toUpperCase() === word) {
      at += 1;
      return true;
    }
    return false;
  };
  const expect = (word: string): void => {
    if (!keyword(word)) throw new QueryParseError(`QueryParserError: Encountered "${peek()?.text ?? "<EOF>"}" — expected ${word}`);
  };
  try {
    expect("SELECT");
    let count = false;
    if (keyword("COUNT")) {
      if (next().text !== "(" || next().text !== "*" || next().text !== ")") throw new QueryParseError("QueryParserError: expected COUNT(*)");
      count = true;
    } else if (next().text !== "*") {
      throw new QueryParseError("QueryParserError: only SELECT * and SELECT COUNT(*) are supported (no projections)");
    }
    expect("FROM");
    const entityToken = next();
    const named = entityToken.text.toLowerCase();
    const entity = entityToken.kind === "word" ? entities.find((e) => e.toLowerCase() === named) : undefined;
    if (!entity) {
      const real = entityToken.kind === "word" ? QUICKBOOKS_QUERY_ENTITIES.find((e) => e.toLowerCase() === named) : undefined;
      if (real) throw new QueryEntityNotStoredError(real);
      throw new QueryParseError(`QueryValidationError: Invalid context declaration : ${entityToken.text}`);
    }
    const where: ParsedQuery["where"] = [];
    if (keyword("WHERE")) {
      for (;;) {
        const property = next();
        if (property.kind !== "word") throw new QueryParseError(`QueryParserError: Encountered "${property.text}"`);
        let op: ParsedQuery["where"][number]["op"];
        let values: Array<string | number | boolean> = [];
        const opToken = next();
        if (opToken.kind === "op") op = opToken.text as "=";
        else if (opToken.kind === "word" && ["IN", "LIKE"].includes(opToken.text.toUpperCase())) op = opToken.text.toUpperCase() as "IN";
        else throw new QueryParseError(`QueryParserError: Encountered "${opToken.text}" — expected an operator`);
        const literal = (): string | number | boolean => {
          const token = next();
          if (token.kind === "string" || token.kind === "number") return token.value!;
          if (token.kind === "word" && /^(true|false)$/i.test(token.text)) return token.text.toLowerCase() === "true";
          throw new QueryParseError(`QueryParserError: Encountered "${token.text}" — expected a value`);
        };
        if (op === "IN") {
          if (next().text !== "(") throw new QueryParseError("QueryParserError: expected ( after IN");
          for (;;) {
            values.push(literal());
            const sep = next();
            if (sep.text === ")") break;
            if (sep.text !== ",") throw new QueryParseError(`QueryParserError: Encountered "${sep.text}" in IN list`);
          }
        } else {
          values = [literal()];
        }
        where.push({ property: property.text, op, values });
        if (peek()?.kind === "word" && peek()!.text.toUpperCase() === "OR") throw new QueryParseError('QueryParserError: Encountered " <OR> "OR "" — OR is not supported');
        if (!keyword("AND")) break;
      }
    }
    let orderBy: ParsedQuery["orderBy"];
    if (keyword("ORDERBY") || (keyword("ORDER") && (expect("BY"), true))) {
      const property = next();
      if (property.kind !== "word") throw new QueryParseError("QueryParserError: expected a property after ORDERBY");
      const desc = keyword("DESC");
      if (!desc) keyword("ASC");
      orderBy = { property: property.text, desc };
    }
    let startPosition = 1;
    let maxResults = 100;
    for (;;) {
      if (keyword("STARTPOSITION")) startPosition = Number(next().value);
      else if (keyword("MAXRESULTS")) maxResults = Number(next().value);
      else break;
    }
    if (at < tokens.length) throw new QueryParseError(`QueryParserError: Encountered "${tokens[at]!.text}"`);
    if (!Number.isInteger(startPosition) || startPosition < 1) throw new QueryParseError("QueryValidationError: STARTPOSITION must be a positive integer");
    if (!Number.isInteger(maxResults) || maxResults < 1) throw new QueryParseError("QueryValidationError: MAXRESULTS must be a positive integer");
    // Intuit caps pages at 1000 rows [? SDK practice]: the fake serves at most that.
    return { count, entity, where, orderBy, startPosition, maxResults: Math.min(maxResults, 1000) };
  } catch (error) {
    if (error instanceof QueryParserEnd) throw new QueryParseError("QueryParserError: Encountered <EOF> — the statement ends too early");
    throw error;
  }
}

class QueryParserEnd extends Error {}

function field(row: Record<string, unknown>, path: string): unknown {
  let value: unknown = row;
  for (const part of path.split(".")) {
    if (!value || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  // A reference compares by its id: CustomerRef = '58'.
  if (value && typeof value === "object" && "value" in (value as Record<string, unknown>)) return (value as Record<string, unknown>).value;
  return value;
}

function compare(a: unknown, b: string | number | boolean): number {
  if (typeof b === "boolean") return a === b ? 0 : 1;
  if (typeof a === "number" || typeof b === "number") {
    const x = Number(a);
    const y = Number(b);
    return x === y ? 0 : x < y ? -1 : 1;
  }
  const x = String(a ?? "");
  const y = String(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

function like(value: unknown, pattern: string): boolean {
  const regex = new RegExp(`^${pattern.split("%").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i");
  return regex.test(String(value ?? ""));
}

/** Apply the WHERE of a parsed query to one row. @internal */
export function matches(row: Record<string, unknown>, query: ParsedQuery): boolean {
  return query.where.every(({ property, op, values }) => {
    const value = field(row, property);
    switch (op) {
      case "=":
        return compare(value, values[0]!) === 0;
      case "<":
        return value !== undefined && compare(value, values[0]!) < 0;
      case ">":
        return value !== undefined && compare(value, values[0]!) > 0;
      case "<=":
        return value !== undefined && compare(value, values[0]!) <= 0;
      case ">=":
        return value !== undefined && compare(value, values[0]!) >= 0;
      case "IN":
        return values.some((v) => compare(value, v) === 0);
      case "LIKE":
        return like(value, String(values[0]));
    }
  });
}

/** Sort rows by the query's ORDERBY (default: by Id, numerically). @internal */
export function sortRows(rows: Array<Record<string, unknown>>, query: ParsedQuery): Array<Record<string, unknown>> {
  const property = query.orderBy?.property ?? "Id";
  const sign = query.orderBy?.desc ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = field(a, property);
    const y = field(b, property);
    const numeric = property === "Id" || (typeof x === "number" && typeof y === "number");
    const result = numeric ? Number(x) - Number(y) : String(x ?? "").localeCompare(String(y ?? ""));
    return sign * (result || Number(a.Id) - Number(b.Id));
  });
}

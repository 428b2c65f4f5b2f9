/**
 * Building QuickBooks query statements safely (shared/vendors/quickbooks.md §4). The
 * language is SQL-like with one entity per query, AND only, and single-quoted strings in
 * which `'` is escaped as `\'`. Values are never pasted into a statement as they are: they
 * go through `quoteValue`, and property names must look like property names, so a value such
 * as `O'Brien' OR Id > '0` stays a string.
 */
import { ValidationError } from "@connect/core";

/** Largest MAXRESULTS QuickBooks serves per page. @public */
export const MAX_PAGE_SIZE = 1000;

/** A value in a condition. Dates become ISO strings. @public */
export type QueryValue = string | number | boolean | Date;

/** A condition on one property: a value (equality) or one operator. @public */
export type QueryCondition =
  | QueryValue
  | { "=": QueryValue }
  | { "<": QueryValue }
  | { ">": QueryValue }
  | { "<=": QueryValue }
  | { ">=": QueryValue }
  | { in: readonly QueryValue[] }
  | { like: string };

/** Conditions ANDed together, by property (dotted paths allowed: `MetaData.LastUpdatedTime`). @public */
export type QueryWhere = Readonly<Record<string, QueryCondition>>;

/** What to select: an entity, conditions, an order. @public */
export interface QueryOptions {
  /** Conditions, ANDed (QuickBooks has no OR). */
  where?: QueryWhere | undefined;
  /** `Property` or `Property DESC`. */
  orderBy?: string | undefined;
}

const ENTITY = /^[A-Z][A-Za-z]{1,40}$/;
const PROPERTY = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

function invalid(path: string, message: string): never {
  throw new ValidationError(`quickbooks query: ${path} ${message}`, { vendor: "quickbooks", operation: "query", issues: [{ path, message }] });
}

/**
 * Quote a value for a statement: strings in single quotes with `\` and `'` escaped,
 * numbers and booleans bare, Dates as ISO strings.
 * @example
 * quoteValue("O'Brien & Sons") // 'O\'Brien & Sons'
 * @public
 */
export function quoteValue(value: QueryValue, path = "value"): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) invalid(path, "is an invalid Date");
    return `'${value.toISOString()}'`;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) invalid(path, "must be a finite number");
    return String(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value !== "string") invalid(path, "must be a string, number, boolean or Date");
  // A backslash is escaped too, so a value ending in "\" cannot swallow the closing quote [? Intuit documents only \'].
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function condition(property: string, cond: QueryCondition): string {
  if (!PROPERTY.test(property)) invalid(`where.${property}`, "is not a property name");
  if (typeof cond !== "object" || cond instanceof Date) return `${property} = ${quoteValue(cond, `where.${property}`)}`;
  const entries = Object.entries(cond);
  if (entries.length !== 1) invalid(`where.${property}`, "must have exactly one operator");
  const [op, value] = entries[0] as [string, unknown];
  if (op === "in") {
    const list = value as readonly QueryValue[];
    if (!Array.isArray(list) || list.length === 0) invalid(`where.${property}.in`, "must be a non-empty array");
    return `${property} IN (${list.map((v, i) => quoteValue(v, `where.${property}.in.${i}`)).join(", ")})`;
  }
  if (op === "like") {
    if (typeof value !== "string") invalid(`where.${property}.like`, "must be a string");
    return `${property} LIKE ${quoteValue(value, `where.${property}.like`)}`;
  }
  if (!["=", "<", ">", "<=", ">="].includes(op)) invalid(`where.${property}`, `uses unknown operator ${JSON.stringify(op)}`);
  return `${property} ${op} ${quoteValue(value as QueryValue, `where.${property}`)}`;
}

/** The WHERE/ORDERBY part of a statement. @internal */
export function clauses(options: QueryOptions = {}): string {
  const where = Object.entries(options.where ?? {}).map(([p, c]) => condition(p, c));
  let out = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
  if (options.orderBy !== undefined) {
    const match = /^([A-Za-z][A-Za-z0-9.]*)(?:\s+(ASC|DESC))?$/i.exec(options.orderBy.trim());
    if (!match || !PROPERTY.test(match[1]!)) invalid("orderBy", "must be `Property` or `Property ASC|DESC`");
    out += ` ORDERBY ${match[1]}${match[2] ? ` ${match[2].toUpperCase()}` : ""}`;
  }
  return out;
}

function entityName(entity: string): string {
  if (!ENTITY.test(entity)) invalid("entity", "must be an entity name as QuickBooks spells it, such as Customer or Invoice");
  return entity;
}

/**
 * Build `SELECT * FROM <entity> …` with escaped values, optionally one page of it.
 * @example
 * selectStatement("Customer", { where: { DisplayName: "O'Brien" } }, { start: 1, max: 1000 })
 * // SELECT * FROM Customer WHERE DisplayName = 'O\'Brien' STARTPOSITION 1 MAXRESULTS 1000
 * @public
 */
export function selectStatement(entity: string, options: QueryOptions = {}, page?: { start: number; max: number }): string {
  let statement = `SELECT * FROM ${entityName(entity)}${clauses(options)}`;
  if (page) {
    if (!Number.isInteger(page.start) || page.start < 1) invalid("startPosition", "must be an integer ≥ 1 (STARTPOSITION is 1-based)");
    if (!Number.isInteger(page.max) || page.max < 1 || page.max > MAX_PAGE_SIZE) invalid("pageSize", `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    statement += ` STARTPOSITION ${page.start} MAXRESULTS ${page.max}`;
  }
  return statement;
}

/** Build `SELECT COUNT(*) FROM <entity> …`. @public */
export function countStatement(entity: string, options: Pick<QueryOptions, "where"> = {}): string {
  return `SELECT COUNT(*) FROM ${entityName(entity)}${clauses({ where: options.where })}`;
}

/**
 * A tagged template that quotes every interpolated value:
 * @example
 * qbql`SELECT * FROM Invoice WHERE DocNumber = ${docNumber} AND Balance > ${0}`
 * @public
 */
export function qbql(strings: TemplateStringsArray, ...values: QueryValue[]): string {
  return strings.reduce((out, part, i) => out + part + (i < values.length ? quoteValue(values[i]!, `value ${i}`) : ""), "");
}

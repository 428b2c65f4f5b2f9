/**
 * Building `where` filters safely. Xero's filter language is C#-like: string literals in double
 * quotes, ids as `guid("…")`, clauses joined with `AND` / `OR` (shared/vendors/xero.md §2). A
 * value from outside is always quoted here, never pasted, so a reference like `x" OR "1"=="1`
 * stays one literal.
 */
import { ValidationError } from "@connect/core";

// [? shared/vendors/xero.md does not document an escape] Backslash-escaping `\` and `"` follows the
// C# literal syntax the filter language is modelled on; control characters are refused outright.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A string literal for a `where` clause: `"…"` with `\` and `"` escaped. Throws `ValidationError` for control characters. @public */
export function quoteWhere(value: string): string {
  if (typeof value !== "string" || CONTROL.test(value)) {
    throw new ValidationError("xero where: a filter value must be text without control characters", {
      vendor: "xero",
      issues: [{ path: "where", message: "control characters are not allowed in a filter value" }],
    });
  }
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** `Field=="value"`, with the value quoted. @public */
export function whereEquals(field: string, value: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/.test(field)) throw new TypeError(`xero where: ${JSON.stringify(field)} is not a field name`);
  return `${field}==${quoteWhere(value)}`;
}

/** `Field==guid("…")` for an id field. @public */
export function whereGuid(field: string, id: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new ValidationError(`xero where: ${field} must be a Xero id (a UUID)`, { vendor: "xero", issues: [{ path: field, message: "not a UUID" }] });
  }
  if (!/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/.test(field)) throw new TypeError(`xero where: ${JSON.stringify(field)} is not a field name`);
  return `${field}==guid(${quoteWhere(id)})`;
}

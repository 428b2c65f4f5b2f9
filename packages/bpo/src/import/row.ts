/**
 * One export row → one typed project record. Column names vary between exports (`ZIP Code`,
 * `zip_code`, `PurchasePrice`, `Submitted By Email`), so headers are normalised and matched
 * against aliases, after the host's own `mapping.columns`. Every bad cell of a row is reported,
 * not only the first.
 */
import type { FieldIssue } from "@connect/core";
import { CellError, email, money, note, state, status, text, timestamp, zip } from "./values.js";

/** The fields an export row can carry. @public */
export const BPO_EXPORT_FIELDS = [
  "id",
  "external_id",
  "address",
  "city",
  "state",
  "zip",
  "status",
  "submitted_by_email",
  "submitted_by_name",
  "submitted_at",
  "purchase_price",
  "list_price",
  "notes",
  "assigned_to",
  "updated_at",
] as const;

/** A field an export row can carry. @public */
export type BpoExportField = (typeof BPO_EXPORT_FIELDS)[number];

/** Columns without which a file cannot be imported. @public */
export const REQUIRED_EXPORT_FIELDS: readonly BpoExportField[] = ["id", "address", "status"];

const ALIASES: Record<string, BpoExportField> = {
  project_id: "id",
  bpo_id: "id",
  bpo_project_id: "id",
  record_id: "id",
  platform_id: "external_id",
  platform_project_id: "external_id",
  street: "address",
  street_address: "address",
  address_1: "address",
  address1: "address",
  address_line_1: "address",
  address_line1: "address",
  property_address: "address",
  town: "city",
  st: "state",
  province: "state",
  zip_code: "zip",
  zipcode: "zip",
  postal_code: "zip",
  postcode: "zip",
  project_status: "status",
  stage: "status",
  submitted_by: "submitted_by_name",
  submitter: "submitted_by_name",
  submitter_name: "submitted_by_name",
  submitted_by_full_name: "submitted_by_name",
  submitter_email: "submitted_by_email",
  submitted_email: "submitted_by_email",
  submitted: "submitted_at",
  submitted_date: "submitted_at",
  date_submitted: "submitted_at",
  submission_date: "submitted_at",
  price: "purchase_price",
  purchase: "purchase_price",
  asking_price: "list_price",
  listing_price: "list_price",
  note: "notes",
  comments: "notes",
  comment: "notes",
  assignee: "assigned_to",
  last_updated: "updated_at",
  last_modified: "updated_at",
  modified_at: "updated_at",
  updated: "updated_at",
};

/** `Purchase Price`, `purchasePrice`, `PURCHASE_PRICE`, `submitted_by.email` → `purchase_price` / `submitted_by_email`. @internal */
export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, "")
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/** How the host renames columns and status values. @public */
export interface BpoExportMapping {
  /**
   * Column (as written in the file, or normalised) → field; `null` ignores the column.
   * Consulted before the built-in aliases.
   * @example { "Lead Source Address": "address", "Internal Notes": null }
   */
  columns?: Readonly<Record<string, BpoExportField | null>> | undefined;
  /**
   * Status as written → canonical status.
   * @example { "In Feasibility": "FEASIBILITY", "New Lead": "LEAD" }
   */
  statuses?: Readonly<Record<string, string>> | undefined;
}

/** The field a column feeds, or undefined when the column is not imported. @internal */
export function fieldForColumn(header: string, mapping: BpoExportMapping | undefined): BpoExportField | null | undefined {
  const columns = mapping?.columns;
  const normalised = normalizeHeader(header);
  if (columns) {
    if (Object.hasOwn(columns, header)) return columns[header];
    if (Object.hasOwn(columns, header.trim())) return columns[header.trim()];
    if (Object.hasOwn(columns, normalised)) return columns[normalised];
  }
  if ((BPO_EXPORT_FIELDS as readonly string[]).includes(normalised)) return normalised as BpoExportField;
  // Own aliases only: a column named `constructor` must not pick up Object's inherited member.
  return Object.hasOwn(ALIASES, normalised) ? ALIASES[normalised] : undefined;
}

/** A project as an export row describes it, typed and cleaned — what the store receives. @public */
export interface BpoProjectRecord {
  /** BPO's project id: the store's external id for the record. */
  externalId: string;
  /** The platform's project id when BPO has one (`external_id` column), else null. */
  platformId: string | null;
  address: string;
  city: string | null;
  /** Two-letter code upper-cased; other text kept as given. */
  state: string | null;
  /** Five digits or ZIP+4. */
  zip: string | null;
  /** Canonical upper-case status (`LEAD`, `FEASIBILITY`, `ENTITLEMENT` …). */
  status: string;
  submittedBy: { email: string | null; name: string | null } | null;
  /** ISO 8601 (UTC). */
  submittedAt: string | null;
  purchasePrice: number | null;
  listPrice: number | null;
  /** Line breaks kept as `\n`. */
  notes: string | null;
  assignedTo: string | null;
  /** BPO's `updated_at` (ISO, UTC); see `fallbackUpdatedAt` for rows without one. */
  sourceUpdatedAt: string;
}

/** A row that could not be turned into a record. @internal */
export class RowError extends Error {
  constructor(
    message: string,
    readonly issues: FieldIssue[],
    readonly externalId: string | undefined,
  ) {
    super(message);
  }
}

/** What {@link toProjectRecord} needs besides the cells. @internal */
export interface RowContext {
  /** From {@link statusLookup}. */
  statuses: ReadonlyMap<string, string>;
  /** ISO time used when the row has no `updated_at` ("export-date" fallback), if known. */
  exportDate: string | undefined;
  fallbackUpdatedAt: "export-date" | "submitted-at";
}

type Cells = Partial<Record<BpoExportField, unknown>>;

/** One cell through its parser; a bad cell becomes an issue (and null). */
function read<T>(issues: FieldIssue[], field: BpoExportField, value: unknown, parse: (value: unknown) => T): T | null {
  try {
    return parse(value);
  } catch (error) {
    issues.push({ path: field, message: error instanceof CellError ? error.message : String(error), code: "invalid_value" });
    return null;
  }
}

function readStatus(issues: FieldIssue[], value: unknown, statuses: ReadonlyMap<string, string>): string | null {
  try {
    return status(value, statuses);
  } catch (error) {
    issues.push({ path: "status", message: error instanceof CellError ? error.message : String(error), code: "invalid_value" });
    return null;
  }
}

function hasIssue(issues: FieldIssue[], field: BpoExportField): boolean {
  for (const issue of issues) if (issue.path === field) return true;
  return false;
}

/** Build the record from the row's cells, collecting every bad cell. @internal */
export function toProjectRecord(cells: Cells, ctx: RowContext): BpoProjectRecord {
  const issues: FieldIssue[] = [];
  const id = read(issues, "id", cells.id, text);
  const address = read(issues, "address", cells.address, text);
  const canonicalStatus = readStatus(issues, cells.status, ctx.statuses);
  if (id === null && !hasIssue(issues, "id")) issues.push({ path: "id", message: "is required", code: "required" });
  if (address === null && !hasIssue(issues, "address")) issues.push({ path: "address", message: "is required", code: "required" });
  if (canonicalStatus === null && !hasIssue(issues, "status")) issues.push({ path: "status", message: "is required", code: "required" });
  const submitterEmail = read(issues, "submitted_by_email", cells.submitted_by_email, email);
  const submitterName = read(issues, "submitted_by_name", cells.submitted_by_name, text);
  const submittedAt = read(issues, "submitted_at", cells.submitted_at, timestamp);
  const updatedAt = read(issues, "updated_at", cells.updated_at, timestamp);
  const platformId = read(issues, "external_id", cells.external_id, text);
  const city = read(issues, "city", cells.city, text);
  const stateCode = read(issues, "state", cells.state, state);
  const zipCode = read(issues, "zip", cells.zip, zip);
  const purchasePrice = read(issues, "purchase_price", cells.purchase_price, money);
  const listPrice = read(issues, "list_price", cells.list_price, money);
  const notes = read(issues, "notes", cells.notes, note);
  const assignedTo = read(issues, "assigned_to", cells.assigned_to, text);
  let sourceUpdatedAt = updatedAt;
  if (sourceUpdatedAt === null && !hasIssue(issues, "updated_at")) {
    sourceUpdatedAt = ctx.fallbackUpdatedAt === "export-date" ? (ctx.exportDate ?? submittedAt) : (submittedAt ?? ctx.exportDate ?? null);
    if (sourceUpdatedAt === null) {
      issues.push({ path: "updated_at", message: "is missing and there is no export date or submitted_at to date the row by", code: "required" });
    }
  }
  if (issues.length > 0) throw new RowError(issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues, id ?? undefined);
  return {
    externalId: id!,
    address: address!,
    status: canonicalStatus!,
    submittedBy: submitterEmail === null && submitterName === null ? null : { email: submitterEmail, name: submitterName },
    submittedAt,
    sourceUpdatedAt: sourceUpdatedAt!,
    platformId,
    city,
    state: stateCode,
    zip: zipCode,
    purchasePrice,
    listPrice,
    notes,
    assignedTo,
  };
}

/**
 * Where each field's cell sits in a CSV row (-1: no column feeds it), from the header's columns.
 * @internal
 */
export type FieldSlots = Readonly<Record<BpoExportField, number>>;

/** The slots of a header's columns. @internal */
export function fieldSlots(columns: ReadonlyArray<BpoExportField | null>): FieldSlots {
  const slots = Object.fromEntries(BPO_EXPORT_FIELDS.map((field) => [field, -1])) as Record<BpoExportField, number>;
  columns.forEach((field, i) => {
    if (field) slots[field] = i;
  });
  return slots;
}

const cell = (cells: readonly string[], slot: number): string | undefined => (slot < 0 ? undefined : cells[slot]);

/** A CSV row's cells by field: one object of a fixed shape per row (what {@link toProjectRecord} reads). @internal */
export function cellsFromRow(cells: readonly string[], slots: FieldSlots): Cells {
  return {
    id: cell(cells, slots.id),
    external_id: cell(cells, slots.external_id),
    address: cell(cells, slots.address),
    city: cell(cells, slots.city),
    state: cell(cells, slots.state),
    zip: cell(cells, slots.zip),
    status: cell(cells, slots.status),
    submitted_by_email: cell(cells, slots.submitted_by_email),
    submitted_by_name: cell(cells, slots.submitted_by_name),
    submitted_at: cell(cells, slots.submitted_at),
    purchase_price: cell(cells, slots.purchase_price),
    list_price: cell(cells, slots.list_price),
    notes: cell(cells, slots.notes),
    assigned_to: cell(cells, slots.assigned_to),
    updated_at: cell(cells, slots.updated_at),
  };
}

/** Flatten a JSON export object into cells: keys normalised and mapped, `submitted_by: {email, name}` expanded. @internal */
export function cellsFromObject(object: Record<string, unknown>, mapping: BpoExportMapping | undefined, ignored: Set<string>): Cells {
  const cells: Cells = {};
  const put = (key: string, value: unknown): void => {
    const field = fieldForColumn(key, mapping);
    if (field === undefined) {
      if (ignored.size < 100) ignored.add(key);
      return;
    }
    if (field !== null && cells[field] === undefined) cells[field] = value;
  };
  for (const [key, value] of Object.entries(object)) {
    const isTimestamp = value !== null && typeof value === "object" && ("_seconds" in value || "seconds" in value);
    if (value !== null && typeof value === "object" && !Array.isArray(value) && !isTimestamp && !(value instanceof Date)) {
      for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) put(`${key}_${inner}`, innerValue);
    } else {
      put(key, value);
    }
  }
  return cells;
}

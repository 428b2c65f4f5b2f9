/**
 * QuickBooks webhook payloads (shared/vendors/quickbooks.md §8), both formats, normalised to
 * one typed entity-change event:
 *
 * - CloudEvents (mandatory from 2026): a top-level JSON array of events whose `type` is
 *   `qbo.<entity>.<created|updated|deleted|merged|voided|emailed>.v1`, `intuitaccountid` the
 *   realm, `intuitentityid` the entity id, `data.deletedid` on merges;
 * - legacy: `{ eventNotifications: [{ realmId, dataChangeEvent: { entities: [{ name, id, operation, lastUpdated, deletedId? }] } }] }`.
 *
 * Payloads carry ids only: fetch the entity afterwards. One malformed entry is reported and
 * the others are still delivered.
 */
import { createHash } from "node:crypto";
import { ValidationError, type FieldIssue } from "@connect/core";

/** What happened to the entity. @public */
export type QuickBooksOperation = "Create" | "Update" | "Delete" | "Merge" | "Void" | "Emailed";

/** Entity names this package knows (others pass through as their own name). @public */
export const QUICKBOOKS_ENTITY_NAMES = [
  "Account", "Bill", "BillPayment", "Budget", "Class", "CreditMemo", "Currency", "Customer", "Department", "Deposit",
  "Employee", "Estimate", "Invoice", "Item", "JournalCode", "JournalEntry", "Payment", "PaymentMethod", "Preferences",
  "Purchase", "PurchaseOrder", "RefundReceipt", "SalesReceipt", "TaxAgency", "Term", "TimeActivity", "Transfer", "Vendor", "VendorCredit",
] as const;

/** A known entity name, or another one Intuit adds. @public */
export type QuickBooksEntityName = (typeof QUICKBOOKS_ENTITY_NAMES)[number] | (string & {});

/** One entity change, whichever format it arrived in. @public */
export interface QuickBooksEntityChange {
  /** Stable id for dedupe: the CloudEvent id, or a digest of the legacy entry's fields. */
  id: string;
  /** The company (realm) id. */
  realmId: string;
  /** Entity name as in the API (`Invoice`, `JournalEntry`). */
  entity: QuickBooksEntityName;
  /** The entity's id; fetch it to see the change. */
  entityId: string;
  operation: QuickBooksOperation;
  /** When it changed (ISO), when the payload said. */
  occurredAt: string | undefined;
  /** On a merge: the id of the entity merged away. */
  deletedId?: string | undefined;
  /** The CloudEvents type (built from the legacy fields for legacy payloads): `qbo.invoice.updated.v1`. */
  type: string;
  /** The payload format it came in. */
  format: "cloudevents" | "legacy";
}

/** An entry that could not be read; the rest of the payload is still processed. @public */
export interface InvalidQuickBooksChange {
  index: number;
  issues: FieldIssue[];
  raw: unknown;
}

/** Result of {@link parseQuickBooksWebhook}. @public */
export interface ParsedQuickBooksWebhook {
  format: "cloudevents" | "legacy";
  changes: QuickBooksEntityChange[];
  invalid: InvalidQuickBooksChange[];
}

const VERBS: Record<string, QuickBooksOperation> = { created: "Create", updated: "Update", deleted: "Delete", merged: "Merge", voided: "Void", emailed: "Emailed" };
const PAST: Record<QuickBooksOperation, string> = { Create: "created", Update: "updated", Delete: "deleted", Merge: "merged", Void: "voided", Emailed: "emailed" };
const BY_LOWER = new Map(QUICKBOOKS_ENTITY_NAMES.map((name) => [name.toLowerCase(), name]));

/** `invoice` → `Invoice`, `journalentry` → `JournalEntry`; unknown names get a capital first letter. @public */
export function entityNameOf(lower: string): QuickBooksEntityName {
  return BY_LOWER.get(lower.toLowerCase()) ?? lower.charAt(0).toUpperCase() + lower.slice(1);
}

/** The CloudEvents type of a change: `qbo.<entity lowercase>.<past tense>.v1`. @public */
export function cloudEventType(entity: string, operation: QuickBooksOperation): string {
  return `qbo.${entity.toLowerCase()}.${PAST[operation]}.v1`;
}

const str = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined);

function fromCloudEvent(raw: unknown, index: number): QuickBooksEntityChange | InvalidQuickBooksChange {
  const issues: FieldIssue[] = [];
  const e = raw && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
  const id = str(e.id);
  const type = str(e.type);
  const realmId = str(e.intuitaccountid);
  const entityId = str(e.intuitentityid);
  const match = type ? /^qbo\.([a-z0-9]+)\.([a-z]+)\.v\d+$/i.exec(type) : null;
  const operation = match ? VERBS[match[2]!.toLowerCase()] : undefined;
  if (!id) issues.push({ path: `${index}.id`, message: "missing" });
  if (!match) issues.push({ path: `${index}.type`, message: "is not qbo.<entity>.<operation>.v<n>" });
  else if (!operation) issues.push({ path: `${index}.type`, message: `unknown operation "${match[2]}"` });
  if (!realmId) issues.push({ path: `${index}.intuitaccountid`, message: "missing" });
  if (!entityId) issues.push({ path: `${index}.intuitentityid`, message: "missing" });
  if (issues.length > 0) return { index, issues, raw };
  const data = e.data && typeof e.data === "object" ? (e.data as Record<string, unknown>) : {};
  const deletedId = str(data.deletedid ?? data.deletedId);
  return {
    id: id!,
    realmId: realmId!,
    entity: entityNameOf(match![1]!),
    entityId: entityId!,
    operation: operation!,
    occurredAt: str(e.time),
    ...(deletedId ? { deletedId } : {}),
    type: type!,
    format: "cloudevents",
  };
}

function legacyId(realmId: string, entity: Record<string, unknown>): string {
  const parts = [realmId, str(entity.name), str(entity.id), str(entity.operation), str(entity.lastUpdated), str(entity.deletedId)].map((p) => p ?? "");
  return `legacy:${createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 40)}`;
}

function fromLegacy(body: Record<string, unknown>): { changes: QuickBooksEntityChange[]; invalid: InvalidQuickBooksChange[] } {
  const changes: QuickBooksEntityChange[] = [];
  const invalid: InvalidQuickBooksChange[] = [];
  const notifications = Array.isArray(body.eventNotifications) ? body.eventNotifications : [];
  let index = 0;
  notifications.forEach((notification: unknown, n) => {
    const note = notification && typeof notification === "object" ? (notification as Record<string, unknown>) : {};
    const realmId = str(note.realmId);
    const entities = ((note.dataChangeEvent as Record<string, unknown> | undefined)?.entities ?? []) as unknown;
    if (!Array.isArray(entities)) {
      invalid.push({ index: index++, issues: [{ path: `eventNotifications.${n}.dataChangeEvent.entities`, message: "must be an array" }], raw: notification });
      return;
    }
    entities.forEach((rawEntity: unknown, i) => {
      const at = index++;
      const entity = rawEntity && typeof rawEntity === "object" ? (rawEntity as Record<string, unknown>) : {};
      const path = `eventNotifications.${n}.dataChangeEvent.entities.${i}`;
      const issues: FieldIssue[] = [];
      const name = str(entity.name);
      const id = str(entity.id);
      const operation = str(entity.operation) as QuickBooksOperation | undefined;
      if (!realmId) issues.push({ path: `eventNotifications.${n}.realmId`, message: "missing" });
      if (!name) issues.push({ path: `${path}.name`, message: "missing" });
      if (!id) issues.push({ path: `${path}.id`, message: "missing" });
      if (!operation || !(operation in PAST)) issues.push({ path: `${path}.operation`, message: `unknown operation ${JSON.stringify(entity.operation)}` });
      if (issues.length > 0) return void invalid.push({ index: at, issues, raw: rawEntity });
      const entityName = entityNameOf(name!);
      const deletedId = str(entity.deletedId);
      changes.push({
        id: legacyId(realmId!, entity),
        realmId: realmId!,
        entity: entityName,
        entityId: id!,
        operation: operation!,
        occurredAt: str(entity.lastUpdated),
        ...(deletedId ? { deletedId } : {}),
        type: cloudEventType(entityName, operation!),
        format: "legacy",
      });
    });
  });
  return { changes, invalid };
}

/**
 * Parse a verified webhook body in either format. Throws `ValidationError` when the body is not
 * JSON or is neither format; malformed entries are returned in `invalid`.
 * @public
 */
export function parseQuickBooksWebhook(rawBody: Buffer | string): ParsedQuickBooksWebhook {
  let body: unknown;
  try {
    body = JSON.parse(typeof rawBody === "string" ? rawBody : rawBody.toString("utf8"));
  } catch (error) {
    throw new ValidationError(`quickbooks webhook: the body is not JSON (${(error as Error).message})`, { vendor: "quickbooks", issues: [{ path: "(root)", message: "not JSON" }] });
  }
  if (Array.isArray(body)) {
    const changes: QuickBooksEntityChange[] = [];
    const invalid: InvalidQuickBooksChange[] = [];
    body.forEach((raw: unknown, index) => {
      const parsed = fromCloudEvent(raw, index);
      if ("issues" in parsed) invalid.push(parsed);
      else changes.push(parsed);
    });
    return { format: "cloudevents", changes, invalid };
  }
  if (body && typeof body === "object" && Array.isArray((body as Record<string, unknown>).eventNotifications)) {
    return { format: "legacy", ...fromLegacy(body as Record<string, unknown>) };
  }
  throw new ValidationError("quickbooks webhook: the body is neither a CloudEvents array nor a legacy eventNotifications object", {
    vendor: "quickbooks",
    issues: [{ path: "(root)", message: "unknown payload format" }],
  });
}

/**
 * The conflict rule of the platform's BPO spec: BPO is the source of truth for leads; the
 * platform is the source of truth for projects in feasibility and entitlement; otherwise the
 * newer `updated_at` wins. Pure and order-independent (the newest BPO version of a row always
 * ends up stored), so a re-run or an interrupted and resumed import converges on one state.
 */

/** Which statuses each side owns. @public */
export interface ConflictRules {
  /** Platform statuses in which BPO's data wins whatever the timestamps. Default `["LEAD"]`. */
  bpoOwnedStatuses: readonly string[];
  /** Platform statuses in which the platform's data wins and BPO rows are skipped. Default `["FEASIBILITY", "ENTITLEMENT"]`. */
  platformOwnedStatuses: readonly string[];
}

/** The spec's rule. @public */
export const DEFAULT_CONFLICT_RULES: Readonly<ConflictRules> = Object.freeze({
  bpoOwnedStatuses: Object.freeze(["LEAD"]),
  platformOwnedStatuses: Object.freeze(["FEASIBILITY", "ENTITLEMENT"]),
});

/** A time as the store may hand it back. @public */
export type TimeValue = string | number | Date;

/** What the import needs to know about a record the platform already holds. @public */
export interface StoredProjectState {
  /** The platform's current status of the project (`LEAD`, `FEASIBILITY` …). */
  status: string;
  /** When the platform last changed the record. */
  updatedAt: TimeValue;
  /** BPO's `updated_at` of the version last imported into it (null or absent when never imported). */
  sourceUpdatedAt?: TimeValue | null | undefined;
}

/** Why a row was created, updated or skipped. @public */
export type ConflictReason =
  /** Not in the store yet. */
  | "new"
  /** The platform still has it as a lead: BPO wins. */
  | "bpo-owned"
  /** Neither side owns it and BPO's version is newer. */
  | "newer"
  /** BPO's version is older than what the store holds (or than the version already imported). */
  | "older"
  /** This exact BPO version was already imported (a re-run, or a duplicate row). */
  | "unchanged"
  /** The platform owns it (feasibility, entitlement): BPO's row is ignored. */
  | "platform-owned";

/** The rule's verdict for one row. @public */
export interface ConflictDecision {
  action: "create" | "update" | "skip";
  reason: ConflictReason;
}

/** Epoch ms of a stored time; NaN when it is not a time. @internal */
export function toEpoch(value: TimeValue | null | undefined): number {
  if (value === null || value === undefined) return Number.NaN;
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number") return value;
  return Date.parse(value);
}

/**
 * Apply the conflict rule to one incoming BPO row (`status`, BPO `updatedAt`) and what the
 * store holds for it.
 * @example
 * resolveConflict({ status: "LEAD", updatedAt: "2024-06-02T00:00:00Z" }, { status: "FEASIBILITY", updatedAt: "2024-06-01T00:00:00Z" });
 * // → { action: "skip", reason: "platform-owned" }
 * @public
 */
export function resolveConflict(
  incoming: { status: string; updatedAt: TimeValue },
  existing: StoredProjectState | null | undefined,
  rules: ConflictRules = DEFAULT_CONFLICT_RULES,
): ConflictDecision {
  if (!existing) return { action: "create", reason: "new" };
  const current = existing.status.trim().toUpperCase();
  if (rules.platformOwnedStatuses.includes(current)) return { action: "skip", reason: "platform-owned" };
  const incomingAt = toEpoch(incoming.updatedAt);
  if (Number.isNaN(incomingAt)) throw new TypeError(`the incoming row's updatedAt is not a time: ${String(incoming.updatedAt)}`);
  const importedAt = toEpoch(existing.sourceUpdatedAt);
  // The version already imported is never overwritten by an older or the same BPO version,
  // whichever side owns the record: that is what makes re-runs and duplicate rows harmless.
  if (!Number.isNaN(importedAt)) {
    if (incomingAt === importedAt) return { action: "skip", reason: "unchanged" };
    if (incomingAt < importedAt) return { action: "skip", reason: "older" };
  }
  if (rules.bpoOwnedStatuses.includes(current)) return { action: "update", reason: "bpo-owned" };
  const platformAt = toEpoch(existing.updatedAt);
  if (Number.isNaN(platformAt)) throw new TypeError(`the store's updatedAt is not a time: ${String(existing.updatedAt)}`);
  if (incomingAt > platformAt) return { action: "update", reason: "newer" };
  return { action: "skip", reason: incomingAt === platformAt ? "unchanged" : "older" };
}

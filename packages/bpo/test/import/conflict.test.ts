import { exportFileFromContent, importBpoExport, resolveConflict, type StoredProjectState } from "@connect/bpo";
import { createMemoryImportStore } from "@connect/bpo/testing";
import { describe, expect, it } from "vitest";

const T0 = "2024-06-01T00:00:00.000Z";
const EARLIER = "2024-05-31T00:00:00.000Z";
const LATER = "2024-06-02T00:00:00.000Z";

describe("resolveConflict", () => {
  it.each<[string, { status: string; updatedAt: string }, StoredProjectState | undefined, { action: string; reason: string }]>([
    ["not in the store → create", { status: "LEAD", updatedAt: T0 }, undefined, { action: "create", reason: "new" }],
    ["platform has it in FEASIBILITY → skip, even when BPO is newer", { status: "LEAD", updatedAt: LATER }, { status: "FEASIBILITY", updatedAt: T0 }, { action: "skip", reason: "platform-owned" }],
    ["platform has it in ENTITLEMENT → skip", { status: "ENTITLEMENT", updatedAt: LATER }, { status: "entitlement", updatedAt: EARLIER }, { action: "skip", reason: "platform-owned" }],
    ["platform has it as a LEAD → BPO wins, even when the platform edited it later", { status: "LEAD", updatedAt: EARLIER }, { status: "LEAD", updatedAt: LATER }, { action: "update", reason: "bpo-owned" }],
    ["a lead BPO moved on to FEASIBILITY → BPO wins (it is still a lead on the platform)", { status: "FEASIBILITY", updatedAt: LATER }, { status: "LEAD", updatedAt: T0, sourceUpdatedAt: T0 }, { action: "update", reason: "bpo-owned" }],
    ["a lead, but the same BPO version was already imported → unchanged", { status: "LEAD", updatedAt: T0 }, { status: "LEAD", updatedAt: LATER, sourceUpdatedAt: T0 }, { action: "skip", reason: "unchanged" }],
    ["a lead, but an older BPO version than the imported one → older", { status: "LEAD", updatedAt: EARLIER }, { status: "LEAD", updatedAt: T0, sourceUpdatedAt: T0 }, { action: "skip", reason: "older" }],
    ["neither owns it, BPO newer → update", { status: "CLOSED", updatedAt: LATER }, { status: "CLOSED", updatedAt: T0 }, { action: "update", reason: "newer" }],
    ["neither owns it, BPO older → skip", { status: "CLOSED", updatedAt: EARLIER }, { status: "CLOSED", updatedAt: T0 }, { action: "skip", reason: "older" }],
    ["neither owns it, same time → unchanged", { status: "CLOSED", updatedAt: T0 }, { status: "CLOSED", updatedAt: new Date(T0) }, { action: "skip", reason: "unchanged" }],
    ["neither owns it, platform edited after the import, BPO newer than the import but older than the edit → older", { status: "DEAD", updatedAt: T0 }, { status: "UNDER_CONTRACT", updatedAt: LATER, sourceUpdatedAt: EARLIER }, { action: "skip", reason: "older" }],
  ])("%s", (_name, incoming, existing, expected) => {
    expect(resolveConflict(incoming, existing)).toEqual(expected);
  });

  it("takes custom ownership rules", () => {
    const rules = { bpoOwnedStatuses: ["LEAD", "PROSPECT"], platformOwnedStatuses: ["UNDERWRITING"] };
    expect(resolveConflict({ status: "LEAD", updatedAt: EARLIER }, { status: "PROSPECT", updatedAt: LATER }, rules)).toEqual({ action: "update", reason: "bpo-owned" });
    expect(resolveConflict({ status: "LEAD", updatedAt: LATER }, { status: "UNDERWRITING", updatedAt: EARLIER }, rules)).toEqual({ action: "skip", reason: "platform-owned" });
    expect(resolveConflict({ status: "LEAD", updatedAt: EARLIER }, { status: "FEASIBILITY", updatedAt: LATER }, rules)).toEqual({ action: "skip", reason: "older" });
  });

  it("refuses a stored updatedAt that is not a time", () => {
    expect(() => resolveConflict({ status: "X", updatedAt: T0 }, { status: "CLOSED", updatedAt: "yesterday" })).toThrow("the store's updatedAt is not a time: yesterday");
  });
});

describe("importBpoExport applies the conflict rule against the store", () => {
  const header = "id,address,status,purchase_price,updated_at";
  const csv = (...rows: string[]) => exportFileFromContent("bpo_export_2024-06-03.csv", [header, ...rows].join("\n"));

  it("in every branch, with the platform's own edits in the store", async () => {
    const store = createMemoryImportStore();
    // Yesterday's import.
    await importBpoExport(csv("p_lead,1 A St,LEAD,100,2024-06-01T00:00:00Z", "p_feas,2 A St,LEAD,200,2024-06-01T00:00:00Z", "p_ent,3 A St,LEAD,300,2024-06-01T00:00:00Z", "p_new,4 A St,CLOSED,400,2024-06-01T00:00:00Z", "p_old,5 A St,CLOSED,500,2024-06-01T00:00:00Z", "p_same,6 A St,CLOSED,600,2024-06-01T00:00:00Z"), { store });
    // The platform works on them.
    store.edit("p_lead", { updatedAt: "2024-06-02T12:00:00Z", purchasePrice: 111 });
    store.edit("p_feas", { status: "FEASIBILITY", updatedAt: "2024-06-01T12:00:00Z" });
    store.edit("p_ent", { status: "ENTITLEMENT", updatedAt: "2024-06-01T12:00:00Z" });
    store.edit("p_old", { updatedAt: "2024-06-02T18:00:00Z", purchasePrice: 555 });

    const report = await importBpoExport(
      csv(
        "p_lead,1 A St,LEAD,150,2024-06-02T00:00:00Z",
        "p_feas,2 A St,LEAD,250,2024-06-02T00:00:00Z",
        "p_ent,3 A St,LEAD,350,2024-06-02T00:00:00Z",
        "p_new,4 A St,CLOSED,450,2024-06-02T00:00:00Z",
        "p_old,5 A St,CLOSED,550,2024-06-02T00:00:00Z",
        "p_same,6 A St,CLOSED,600,2024-06-01T00:00:00Z",
        "p_fresh,7 A St,LEAD,700,2024-06-02T00:00:00Z",
      ),
      { store },
    );

    expect(report).toMatchObject({ rows: 7, created: 1, updated: 2, skipped: 4, skippedBy: { platformOwned: 2, older: 1, unchanged: 1 } });
    expect(Object.fromEntries(store.snapshot().map((r) => [r.externalId, [r.status, r.purchasePrice]]))).toEqual({
      p_lead: ["LEAD", 150], // BPO owns leads: its version replaces the platform's later edit
      p_feas: ["FEASIBILITY", 200], // the platform owns feasibility
      p_ent: ["ENTITLEMENT", 300], // and entitlement
      p_new: ["CLOSED", 450], // otherwise newer wins: BPO
      p_old: ["CLOSED", 555], // otherwise newer wins: the platform
      p_same: ["CLOSED", 600],
      p_fresh: ["LEAD", 700],
    });
  });

  it("hands the store the reason and the existing state on update", async () => {
    const store = createMemoryImportStore();
    const seen: unknown[] = [];
    await importBpoExport(csv("u1,1 A St,LEAD,1,2024-06-01T00:00:00Z"), { store });
    const spy = { ...store, update: async (...args: Parameters<typeof store.update>) => (seen.push([args[0], args[2].reason, args[2].existing, args[2].row, args[2].line]), store.update(...args)) };
    await importBpoExport(csv("u1,1 A St,LEAD,2,2024-06-02T00:00:00Z"), { store: spy });
    expect(seen).toEqual([["u1", "bpo-owned", { status: "LEAD", updatedAt: "2024-06-01T00:00:00.000Z", sourceUpdatedAt: "2024-06-01T00:00:00.000Z" }, 1, 2]]);
  });

  it("uses custom ownership rules from the options", async () => {
    const store = createMemoryImportStore();
    await importBpoExport(csv("c1,1 A St,PROSPECT,1,2024-06-01T00:00:00Z"), { store });
    store.edit("c1", { updatedAt: "2024-06-05T00:00:00Z" });
    const report = await importBpoExport(csv("c1,1 A St,PROSPECT,2,2024-06-02T00:00:00Z"), { store, conflict: { bpoOwnedStatuses: ["PROSPECT"] } });
    expect(report).toMatchObject({ updated: 1 });
    expect(store.records.get("c1")!.purchasePrice).toBe(2);
  });
});

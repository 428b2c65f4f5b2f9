/**
 * Signed QuickBooks webhook payloads for tests: `intuit-signature` is base64 HMAC-SHA256 of
 * the raw body with the app's verifier token (shared/vendors/quickbooks.md §8), in the
 * CloudEvents array format or the legacy `eventNotifications` one.
 */
import { createHash, createHmac, randomUUID } from "node:crypto";
import type { FakeChange } from "./ledger.js";

const PAST = { Create: "created", Update: "updated", Delete: "deleted", Merge: "merged", Void: "voided", Emailed: "emailed" } as const;

/** Sign a body as Intuit does: base64 HMAC-SHA256 with the verifier token. @public */
export function signQuickBooksPayload(rawBody: Uint8Array | string, verifierToken: string): string {
  return createHmac("sha256", verifierToken).update(typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody).digest("base64");
}

/** A CloudEvents payload (a JSON array, ≤ 100 events per POST at Intuit) for the changes. @public */
export function cloudEventsPayload(changes: readonly FakeChange[], options: { source?: string } = {}): Array<Record<string, unknown>> {
  return changes.map((change) => ({
    specversion: "1.0",
    id: randomUUID(),
    source: options.source ?? `intuit.${createHash("sha256").update(change.realmId).digest("base64url").slice(0, 22)}`,
    type: `qbo.${change.entity.toLowerCase()}.${PAST[change.operation]}.v1`,
    datacontenttype: "application/json",
    time: change.lastUpdated,
    intuitentityid: change.entityId,
    intuitaccountid: change.realmId,
    data: change.deletedId ? { deletedid: change.deletedId } : {},
  }));
}

/** A legacy `eventNotifications` payload, one notification per realm. @public */
export function legacyPayload(changes: readonly FakeChange[]): { eventNotifications: Array<Record<string, unknown>> } {
  const byRealm = new Map<string, FakeChange[]>();
  for (const change of changes) byRealm.set(change.realmId, [...(byRealm.get(change.realmId) ?? []), change]);
  return {
    eventNotifications: [...byRealm.entries()].map(([realmId, list]) => ({
      realmId,
      dataChangeEvent: {
        entities: list.map((c) => ({ name: c.entity, id: c.entityId, operation: c.operation, lastUpdated: c.lastUpdated, ...(c.deletedId ? { deletedId: c.deletedId } : {}) })),
      },
    })),
  };
}

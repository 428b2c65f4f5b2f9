import { ValidationError } from "@connect/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, requestLines, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

describe("entities.list / entities.listAll", () => {
  it("pages through corporate entities changed since a time", async () => {
    const all = Array.from({ length: 5 }, (_, i) => h.fake.addEntity({ name: `Parcel Holdings ${i} LLC`, entity_type: "LLC", state_of_formation: "DE" }));
    const since = all[1]!.updated_at;
    const rows = await collect(h.client.entities.listAll({ updatedSince: since, limit: 2 }));

    expect(rows).toEqual(all.slice(1));
    expect(requestLines(h.server)).toEqual([
      `GET /api/v1/entities?updated_since=${encodeURIComponent(since)}&limit=2&offset=0`,
      `GET /api/v1/entities?updated_since=${encodeURIComponent(since)}&limit=2&offset=2`,
    ]);
  });
});

describe("entities.upsert", () => {
  it("creates once and updates by external_id", async () => {
    const first = await h.client.entities.upsert({ external_id: "ent_1", name: "Oak Street Partners LP", entity_type: "PARTNERSHIP", state_of_formation: "TX" });
    const second = await h.client.entities.upsert({ external_id: "ent_1", name: "Oak Street Partners LP", entity_type: "PARTNERSHIP", state_of_formation: "DE" });

    expect(second.id).toBe(first.id);
    expect([...h.fake.entities.values()]).toEqual([expect.objectContaining({ id: first.id, external_id: "ent_1", state_of_formation: "DE" })]);
  });

  it("rejects an unknown entity type before any I/O", async () => {
    const error = await h.client.entities.upsert({ external_id: "ent_1", name: "X", entity_type: "COOP" } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(["entity_type"]);
    expect(h.server.requests).toHaveLength(0);
  });
});

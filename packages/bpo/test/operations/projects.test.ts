import { ForbiddenError, ValidationError } from "@connect/core";
import { BpoReadOnlyError, createBpoClient } from "@connect/bpo";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, FAST_POLICY, NOW, requestLines, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

describe("projects.list", () => {
  it("sends updated_since, a comma-separated status list, limit and offset, and returns the typed page", async () => {
    const seeded = h.fake.seedProjects({ count: 40, start: "2024-05-01T00:00:00Z" });
    const since = seeded[10]!.updated_at;
    const expected = seeded.filter((p) => p.updated_at >= since && (p.status === "LEAD" || p.status === "FEASIBILITY"));

    const page = await h.client.projects.list({ updatedSince: since, status: ["LEAD", "FEASIBILITY"], limit: 5, offset: 2 });

    expect(requestLines(h.server)).toEqual([`GET /api/v1/projects?updated_since=${encodeURIComponent(since)}&status=LEAD%2CFEASIBILITY&limit=5&offset=2`]);
    expect(h.server.requests[0]!.headers.authorization).toBe(`Bearer ${h.fake.apiKey}`);
    expect(page.pagination).toEqual({ total: expected.length, limit: 5, offset: 2, has_more: expected.length > 7 });
    expect(page.data).toEqual(expected.slice(2, 7));
    expect(page.data[0]).toMatchObject({ submitted_by: { email: expect.stringContaining("@brokerage.example"), name: expect.any(String) } });
  });

  it("accepts a Date for updatedSince and one status as a string; defaults to the client's page size from offset 0", async () => {
    await h.client.projects.list({ updatedSince: new Date("2024-06-01T00:00:00Z"), status: "LEAD" });
    expect(h.server.requests[0]!.url).toBe("/api/v1/projects?updated_since=2024-06-01T00%3A00%3A00.000Z&status=LEAD&limit=100&offset=0");
  });

  it.each([
    ["a lower-case status", { status: ["lead"] }, "status.0"],
    ["a timestamp without a zone", { updatedSince: "2024-06-01T00:00:00" }, "updatedSince"],
    ["limit 0", { limit: 0 }, "limit"],
    ["a negative offset", { offset: -1 }, "offset"],
    ["a wire-style name (updated_since)", { updated_since: "2024-06-01T00:00:00Z" }, "(root)"],
  ])("rejects %s before any I/O", async (_name, query, path) => {
    const error = await h.client.projects.list(query as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual([path]);
    expect((error as ValidationError).operation).toBe("projects.list");
    expect(h.server.requests).toHaveLength(0);
  });

  it("maps BPO's 400 (a limit above its cap) to ValidationError with the field issues", async () => {
    const error = await h.client.projects.list({ limit: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 400, vendor: "bpo", operation: "projects.list", vendorCode: "INVALID_ARGUMENT", vendorMessage: "Invalid query parameters" });
    expect((error as ValidationError).issues).toEqual([{ path: "limit", message: "must be an integer from 1 to 100" }]);
    expect(h.server.requests).toHaveLength(1);
  });
});

describe("projects.pages / projects.listAll", () => {
  it("pages by offset across several pages until has_more is false", async () => {
    const seeded = h.fake.seedProjects({ count: 250 });
    const rows = await collect(h.client.projects.listAll({}));

    expect(rows.map((p) => p.id)).toEqual(seeded.map((p) => p.id));
    expect(requestLines(h.server)).toEqual([
      "GET /api/v1/projects?limit=100&offset=0",
      "GET /api/v1/projects?limit=100&offset=100",
      "GET /api/v1/projects?limit=100&offset=200",
    ]);
  });

  it("yields each page with its pagination, filtered by updated_since and status", async () => {
    const seeded = h.fake.seedProjects({ count: 60 });
    const since = seeded[20]!.updated_at;
    const leads = seeded.filter((p) => p.updated_at >= since && p.status === "LEAD");
    const pages = await collect(h.client.projects.pages({ updatedSince: since, status: "LEAD", limit: 10 }));

    expect(pages.map((p) => p.pagination)).toEqual(
      Array.from({ length: Math.ceil(leads.length / 10) }, (_, i) => ({ total: leads.length, limit: 10, offset: i * 10, has_more: (i + 1) * 10 < leads.length })),
    );
    expect(pages.flatMap((p) => p.data)).toEqual(leads);
  });

  it("advances by the rows received when BPO caps the page below the requested limit", async () => {
    await h.close();
    h = await setup({ fake: { capPageSizeAt: 10 } });
    const seeded = h.fake.seedProjects({ count: 25 });
    const rows = await collect(h.client.projects.listAll({ limit: 50 }));
    expect(rows.map((p) => p.id)).toEqual(seeded.map((p) => p.id));
    expect(requestLines(h.server)).toEqual([
      "GET /api/v1/projects?limit=50&offset=0",
      "GET /api/v1/projects?limit=50&offset=10",
      "GET /api/v1/projects?limit=50&offset=20",
    ]);
  });

  it("stops on an empty page even if has_more says otherwise (no endless loop)", async () => {
    h.fake.failNext({ status: 200, body: { data: [], pagination: { total: 5, limit: 100, offset: 0, has_more: true } } });
    const rows = await collect(h.client.projects.listAll({}));
    expect(rows).toEqual([]);
    expect(h.server.requests).toHaveLength(1);
  });

  it("starts from the given offset", async () => {
    h.fake.seedProjects({ count: 30 });
    const pages = await collect(h.client.projects.pages({ limit: 20, offset: 15 }));
    expect(pages.map((p) => [p.pagination.offset, p.data.length])).toEqual([[15, 15]]);
  });
});

describe("projects.upsert", () => {
  const input = { external_id: "prj_123", address: "12 Oak St", city: "Austin", state: "TX", zip: "78704", status: "FEASIBILITY", assigned_to: "ana@acme.test", purchase_price: 450000 };

  it("creates a project on the first POST and sends the body with sync metadata", async () => {
    const result = await h.client.projects.upsert(input);

    const stored = [...h.fake.projects.values()];
    expect(stored).toHaveLength(1);
    expect(result).toEqual({ id: stored[0]!.id, external_id: "prj_123", created_at: stored[0]!.created_at, updated_at: stored[0]!.updated_at });
    expect(stored[0]).toMatchObject({ external_id: "prj_123", address: "12 Oak St", status: "FEASIBILITY", assigned_to: "ana@acme.test", purchase_price: 450000 });
    expect(requestLines(h.server)).toEqual(["POST /api/v1/projects"]);
    expect(JSON.parse(h.server.requests[0]!.text)).toEqual({ ...input, metadata: { source: "connect-platform", sync_timestamp: new Date(NOW).toISOString() } });
    expect(h.fake.upserts).toEqual([{ resource: "projects", externalId: "prj_123", created: true, changed: true }]);
  });

  it("is idempotent: the same upsert twice leaves one project with the same id and an unchanged updated_at", async () => {
    const first = await h.client.projects.upsert(input);
    const second = await h.client.projects.upsert(input);

    expect(second).toEqual(first);
    expect(h.fake.projects.size).toBe(1);
    expect(h.fake.upserts.map((u) => [u.created, u.changed])).toEqual([
      [true, true],
      [false, false],
    ]);
  });

  it("updates the project with the same external_id (same id, new fields, later updated_at)", async () => {
    const first = await h.client.projects.upsert(input);
    const second = await h.client.projects.upsert({ ...input, status: "ENTITLEMENT", purchase_price: 475000 });

    expect(second.id).toBe(first.id);
    expect(second.created_at).toBe(first.created_at);
    expect(second.updated_at > first.updated_at).toBe(true);
    expect(h.fake.projects.get(first.id)).toMatchObject({ status: "ENTITLEMENT", purchase_price: 475000 });
  });

  it("keeps metadata the caller gives", async () => {
    await h.client.projects.upsert({ ...input, metadata: { source: "backfill", sync_timestamp: "2024-06-01T00:00:00Z" } });
    expect(JSON.parse(h.server.requests[0]!.text).metadata).toEqual({ source: "backfill", sync_timestamp: "2024-06-01T00:00:00Z" });
  });

  it("rejects bad input with every bad field before any I/O", async () => {
    const error = await h.client.projects.upsert({ external_id: "", address: "1 Main", status: "lead", zip: "9411", state: "Texas", purchase_price: -5 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path).sort()).toEqual(["external_id", "purchase_price", "state", "status", "zip"]);
    expect(h.server.requests).toHaveLength(0);
  });

  it("maps BPO's own read-only switch (403 PERMISSION_DENIED) to ForbiddenError", async () => {
    h.fake.setReadOnly(true);
    const error = await h.client.projects.upsert(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ status: 403, vendorCode: "PERMISSION_DENIED", operation: "projects.upsert", retryable: false });
    expect(h.fake.projects.size).toBe(0);
  });
});

describe("read-only mode (deprecation day-91 step)", () => {
  it("refuses every upsert with BpoReadOnlyError before any I/O, even invalid input; reads keep working", async () => {
    const client = createBpoClient({ baseUrl: h.server.url, apiKey: h.fake.apiKey, policy: FAST_POLICY, readOnly: true });
    h.fake.seedProjects({ count: 3 });
    try {
      const errors = await Promise.all([
        client.projects.upsert({ external_id: "prj_1", address: "1 Main", status: "LEAD" }).catch((e: unknown) => e),
        client.contacts.upsert({ external_id: "c_1", type: "BUILDER", name: "Bo" }).catch((e: unknown) => e),
        client.entities.upsert({ external_id: "e_1", name: "Acme LLC", entity_type: "LLC" }).catch((e: unknown) => e),
        client.projects.upsert({} as never).catch((e: unknown) => e),
      ]);
      expect(errors.map((e) => [(e as Error).constructor.name, (e as BpoReadOnlyError).operation, (e as BpoReadOnlyError).vendorCode])).toEqual([
        ["BpoReadOnlyError", "projects.upsert", "READ_ONLY"],
        ["BpoReadOnlyError", "contacts.upsert", "READ_ONLY"],
        ["BpoReadOnlyError", "entities.upsert", "READ_ONLY"],
        ["BpoReadOnlyError", "projects.upsert", "READ_ONLY"],
      ]);
      expect((errors[0] as BpoReadOnlyError).retryable).toBe(false);
      expect((errors[0] as Error).message).toContain("read-only");
      expect(h.server.requests).toHaveLength(0);
      expect(client.readOnly).toBe(true);

      expect((await client.projects.list({})).data).toHaveLength(3);
    } finally {
      await client.close();
    }
  });

  it("asks a function on every write, so a feature flag can switch it on at runtime", async () => {
    let flag = false;
    const client = createBpoClient({ baseUrl: h.server.url, apiKey: h.fake.apiKey, policy: FAST_POLICY, readOnly: () => flag });
    try {
      await client.projects.upsert({ external_id: "prj_1", address: "1 Main", status: "LEAD" });
      flag = true;
      const error = await client.projects.upsert({ external_id: "prj_2", address: "2 Main", status: "LEAD" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BpoReadOnlyError);
      expect(client.readOnly).toBe(true);
      expect([...h.fake.projects.values()].map((p) => p.external_id)).toEqual(["prj_1"]);
    } finally {
      await client.close();
    }
  });
});

describe("client options", () => {
  it.each([
    ["a missing baseUrl", { apiKey: "k" }, "baseUrl must be an http(s) URL"],
    ["an ftp baseUrl", { baseUrl: "ftp://bpo.example", apiKey: "k" }, "baseUrl must be an http(s) URL"],
    ["an empty apiKey", { baseUrl: "https://bpo.example", apiKey: " " }, "apiKey is empty"],
    ["a page size over 1000", { baseUrl: "https://bpo.example", apiKey: "k", pageSize: 5000 }, "pageSize must be an integer from 1 to 1000"],
    ["a relative path", { baseUrl: "https://bpo.example", apiKey: "k", paths: { contacts: "api/contacts" } }, 'paths.contacts must start with "/"'],
  ])("refuses %s", (_name, options, message) => {
    expect(() => createBpoClient(options as never)).toThrow(message);
  });

  it("uses overridden paths and page size", async () => {
    const client = createBpoClient({ baseUrl: h.server.url, apiKey: h.fake.apiKey, policy: FAST_POLICY, pageSize: 25, paths: { projects: "/api/v1/projects" } });
    try {
      await client.projects.list({});
      expect(h.server.requests[0]!.url).toBe("/api/v1/projects?limit=25&offset=0");
    } finally {
      await client.close();
    }
  });
});

describe("healthCheck", () => {
  it("is healthy after one cheap authenticated call", async () => {
    const health = await h.client.healthCheck();
    expect(health.status).toBe("healthy");
    expect(requestLines(h.server)).toEqual(["GET /api/v1/projects?limit=1&offset=0"]);
  });

  it("is unhealthy with the reason when the key is wrong", async () => {
    const client = createBpoClient({ baseUrl: h.server.url, apiKey: "wrong-key", policy: FAST_POLICY });
    try {
      const health = await client.healthCheck();
      expect(health.status).toBe("unhealthy");
      expect(health.error).toContain("Missing or invalid API key");
    } finally {
      await client.close();
    }
  });
});

/**
 * The fakes themselves: what the BPO fake refuses (raw fetch, so the client's own validation is
 * out of the way), its fault overrides and reset, and the export generator's promises about
 * what an import of its files will report.
 */
import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { NOT_IMPLEMENTED_HEADER, serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { exportFileFromContent, importBpoExport, localExportFile } from "@connect/bpo";
import { createBpoFake, createMemoryImportStore, generateProjects, renderBpoExport, writeBpoExport, type BpoFake } from "@connect/bpo/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";

describe("BPO fake: refusals", () => {
  let fake: BpoFake;
  let server: ServedHandlers;
  beforeAll(async () => {
    fake = createBpoFake();
    server = await serveHandlers(fake.handlers);
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(() => fake.reset());

  const call = async (method: string, path: string, body?: unknown, key: string | null = fake.apiKey) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string; details?: unknown } } };
  };

  it.each([
    ["no API key", "GET", "/api/v1/projects", undefined, null, 401, "UNAUTHENTICATED", "Missing or invalid API key", undefined],
    ["a wrong API key", "GET", "/api/v1/projects", undefined, "nope", 401, "UNAUTHENTICATED", "Missing or invalid API key", undefined],
    ["limit over the cap", "GET", "/api/v1/projects?limit=101", undefined, undefined, 400, "INVALID_ARGUMENT", "Invalid query parameters", [{ field: "limit", message: "must be an integer from 1 to 100" }]],
    ["a zone-less updated_since", "GET", "/api/v1/projects?updated_since=2024-06-01T00:00:00", undefined, undefined, 400, "INVALID_ARGUMENT", "Invalid query parameters", [{ field: "updated_since", message: "must be an ISO 8601 timestamp with a time zone" }]],
    ["a lower-case status filter", "GET", "/api/v1/projects?status=lead", undefined, undefined, 400, "INVALID_ARGUMENT", "Invalid status: lead", [{ field: "status", message: 'unknown value "lead"' }]],
    ["a POST without external_id", "POST", "/api/v1/projects", { address: "1 A St", status: "LEAD" }, undefined, 400, "INVALID_ARGUMENT", "Invalid project", [{ field: "external_id", message: "is required" }]],
    ["a negative price", "POST", "/api/v1/projects", { external_id: "x", address: "1 A St", status: "LEAD", purchase_price: -1 }, undefined, 400, "INVALID_ARGUMENT", "Invalid project", [{ field: "purchase_price", message: "must be a non-negative number" }]],
    ["a body that is not JSON", "POST", "/api/v1/projects", "{nope", undefined, 400, "INVALID_ARGUMENT", "The request body is not valid JSON", undefined],
    ["documents without project_id", "GET", "/api/v1/documents", undefined, undefined, 400, "INVALID_ARGUMENT", "project_id is required", [{ field: "project_id", message: "is required" }]],
  ])("refuses %s with BPO's error body", async (_name, method, path, body, key, status, code, message, details) => {
    const response = await call(method, path, body, key === undefined ? fake.apiKey : key);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ error: { code, message, status, ...(details ? { details } : {}) } });
    expect(fake.projects.size).toBe(0);
  });

  it("an endpoint the fake does not implement is a 501 naming the fake and the request, not a BPO 404 (issue 21)", async () => {
    const response = await fetch(`${server.url}/api/v1/projects/abc`, { method: "DELETE", headers: { authorization: `Bearer ${fake.apiKey}` } });
    expect(response.status).toBe(501);
    expect(response.headers.get(NOT_IMPLEMENTED_HEADER)).toBe("@connect/bpo/testing");
    expect(await response.json()).toEqual({
      error: "not_implemented_by_fake",
      message: "not implemented by @connect/bpo/testing fake: DELETE /api/v1/projects/abc",
      fake: "@connect/bpo/testing",
      method: "DELETE",
      path: "/api/v1/projects/abc",
    });
    expect(fake.projects.size).toBe(0);
  });

  it("scripted failures answer the given number of matching requests, then the baseline resumes; reset clears them", async () => {
    fake.failNext({ status: 503, times: 2, path: "/api/v1/contacts" });
    expect((await call("GET", "/api/v1/projects")).status).toBe(200);
    expect((await call("GET", "/api/v1/contacts")).status).toBe(503);
    expect((await call("GET", "/api/v1/contacts")).body.error?.code).toBe("UNAVAILABLE");
    expect((await call("GET", "/api/v1/contacts")).status).toBe(200);

    fake.failNext({ status: 500, times: 5 });
    fake.setReadOnly(true);
    fake.reset();
    expect((await call("GET", "/api/v1/projects")).status).toBe(200);
    expect((await call("POST", "/api/v1/projects", { external_id: "x", address: "1 A St", status: "LEAD" })).status).toBe(201);
  });

  it("answers 201 on create and 200 on an upsert of the same external_id", async () => {
    const first = await call("POST", "/api/v1/projects", { external_id: "x", address: "1 A St", status: "LEAD" });
    const second = await call("POST", "/api/v1/projects", { external_id: "x", address: "1 A St", status: "FEASIBILITY" });
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(fake.projects.size).toBe(1);
  });
});

describe("export generator", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(async () => {
    await cleanup();
  });

  it.each(["csv", "json"] as const)("%s: an import of a messy file reports exactly what the generator says it wrote", async (format) => {
    const written = await writeBpoExport({ dir, date: "2024-06-03", rows: 1000, format, messy: true, seed: 5 });
    const report = await importBpoExport(written.path, { store: createMemoryImportStore() });

    expect(written.rows).toBe(1000);
    expect(written.rejected).toBeGreaterThan(40);
    expect(written.duplicates).toBeGreaterThan(5);
    expect(report).toMatchObject({ rows: written.rows, rejected: written.rejected, created: written.valid - written.duplicates, skipped: written.duplicates, failed: 0, fileErrors: [] });
    expect(report.bytesRead).toBe(written.bytes);
  });

  it("writes spreadsheet headers, a BOM and CRLF when asked, and the import maps them", async () => {
    const { text, rows } = renderBpoExport({ rows: 20, headers: "legacy", bom: true, lineEnding: "\r\n" });
    expect(text.startsWith("\uFEFFProject ID,Street Address,City,State,ZIP Code,Status,Submitted By Email,Submitted By,Date Submitted,Purchase Price,List Price,Notes,Last Updated\r\n")).toBe(true);
    const report = await importBpoExport(exportFileFromContent("bpo_export_2024-06-03.csv", text), { store: createMemoryImportStore() });
    expect(report).toMatchObject({ rows, created: 20, rejected: 0, ignoredColumns: [] });
  });

  it("writes wrapped and NDJSON layouts", async () => {
    for (const jsonShape of ["wrapped", "ndjson"] as const) {
      const { text } = renderBpoExport({ rows: 30, format: "json", jsonShape });
      const report = await importBpoExport(exportFileFromContent("bpo_export_2024-06-03.json", text), { store: createMemoryImportStore() });
      expect(report).toMatchObject({ rows: 30, created: 30, fileErrors: [] });
    }
  });

  it("delivers atomically and can gzip", async () => {
    const written = await writeBpoExport({ dir, date: "2024-06-04", rows: 10, gzip: true });
    expect(written.name).toBe("bpo_export_2024-06-04.csv.gz");
    const text = gunzipSync(await readFile(written.path)).toString("utf8");
    expect(text.split("\n")).toHaveLength(12);
    await expect(readFile(`${written.path}.part`)).rejects.toThrow("ENOENT");
  });

  it("is deterministic for a seed and lazy for large counts", () => {
    const a = [...generateProjects({ count: 3, seed: 11 })];
    const b = [...generateProjects({ count: 3, seed: 11 })];
    expect(a).toEqual(b);
    expect(a[0]!.id).toMatch(/^[A-Za-z0-9]{20}$/);
    const lazy = generateProjects({ count: 10_000_000 });
    expect(lazy.next().done).toBe(false);
  });

  it("writes the fake's own projects as the nightly export", async () => {
    const fake = createBpoFake();
    const seeded = fake.seedProjects({ count: 12 });
    const written = await fake.writeExport({ dir, date: "2024-06-05" });
    const store = createMemoryImportStore();
    await importBpoExport(localExportFile(written.path), { store });
    expect(store.snapshot().map((r) => r.externalId).sort()).toEqual(seeded.map((p) => p.id).sort());
  });
});

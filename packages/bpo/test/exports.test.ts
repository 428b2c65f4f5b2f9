import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { AuthError, ForbiddenError, NotFoundError, type Logger } from "@connect/core";
import { BpoImportAbortedError, createExportReader, exportFile, folderExportReader, importBpoExport, importLatestBpoExport, parseExportFileName, s3ExportReader } from "@connect/bpo";
import { createMemoryImportStore, createS3Fake, writeBpoExport, type S3Fake } from "@connect/bpo/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";

describe("parseExportFileName", () => {
  it.each([
    ["bpo_export_2024-06-03.csv", { exportDate: "2024-06-03", format: "csv", gzip: false }],
    ["bpo_export_2024-06-03.JSON", { exportDate: "2024-06-03", format: "json", gzip: false }],
    ["/srv/drop/bpo_export_2024-12-31.csv.gz", { exportDate: "2024-12-31", format: "csv", gzip: true }],
    ["bpo_export_2024-02-30.csv", undefined],
    ["bpo_export_2024-06-03.csv.part", undefined],
    ["bpo_export_20240603.csv", undefined],
    ["other_2024-06-03.csv", undefined],
  ])("%s", (name, expected) => {
    expect(parseExportFileName(name)).toEqual(expected);
  });
});

describe("folderExportReader", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await cleanup();
  });

  it("lists deliveries oldest first, ignoring partial and unrelated files, and picks the latest by the date in the name", async () => {
    await writeBpoExport({ dir, date: "2024-06-01", rows: 3 });
    await writeBpoExport({ dir, date: "2024-06-03", rows: 5, format: "json" });
    await writeBpoExport({ dir, date: "2024-06-02", rows: 4 });
    await writeFile(join(dir, "bpo_export_2024-06-04.csv.part"), "id,address\n");
    await writeFile(join(dir, "README.txt"), "drop folder");
    await mkdir(join(dir, "bpo_export_2024-06-05.csv"));

    const reader = folderExportReader(dir);
    const files = await reader.list();
    expect(files.map((f) => [f.name, f.format, f.exportDate])).toEqual([
      ["bpo_export_2024-06-01.csv", "csv", "2024-06-01"],
      ["bpo_export_2024-06-02.csv", "csv", "2024-06-02"],
      ["bpo_export_2024-06-03.json", "json", "2024-06-03"],
    ]);
    expect(files[0]!.location).toBe(join(dir, "bpo_export_2024-06-01.csv"));
    expect((await reader.latest())?.name).toBe("bpo_export_2024-06-03.json");
    expect((await reader.forDate("2024-06-02"))?.name).toBe("bpo_export_2024-06-02.csv");
    expect(await reader.forDate("2024-05-01")).toBeUndefined();
  });

  it("prefers CSV when a date was delivered twice, unless told otherwise", async () => {
    await writeBpoExport({ dir, date: "2024-06-03", rows: 1, format: "json" });
    await writeBpoExport({ dir, date: "2024-06-03", rows: 1, format: "csv" });
    expect((await folderExportReader(dir).latest())?.name).toBe("bpo_export_2024-06-03.csv");
    expect((await folderExportReader(dir, { prefer: "json" }).latest())?.name).toBe("bpo_export_2024-06-03.json");
  });

  it("imports the latest delivery, gzipped, with importLatestBpoExport", async () => {
    await writeBpoExport({ dir, date: "2024-06-01", rows: 10 });
    const written = await writeBpoExport({ dir, date: "2024-06-02", rows: 25, gzip: true, messy: true });
    const store = createMemoryImportStore();
    const report = await importLatestBpoExport(folderExportReader(dir), { store });
    expect(report).toMatchObject({ file: "bpo_export_2024-06-02.csv.gz", rows: 25, created: written.valid - written.duplicates, rejected: written.rejected });
  });

  it("fails (rather than hangs) when a gzipped source breaks mid-file", async () => {
    const { gzipSync } = await import("node:zlib");
    const bytes = gzipSync(Buffer.from("id,address,status,updated_at\n" + "g1,1 A St,LEAD,2024-06-01T00:00:00Z\n".repeat(5000)));
    const file = exportFile({ name: "bpo_export_2024-06-03.csv.gz", open: async function* () {
      yield bytes.subarray(0, 2000);
      throw new Error("socket hang up");
    } });
    const error = await importBpoExport(file, { store: createMemoryImportStore() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BpoImportAbortedError);
    expect((error as Error).message).toContain("socket hang up");
  });

  it("resolves to undefined when nothing was delivered", async () => {
    expect(await importLatestBpoExport(folderExportReader(dir), { store: createMemoryImportStore() })).toBeUndefined();
  });

  it("rejects a bad forDate argument", async () => {
    await expect(folderExportReader(dir).forDate("June 3rd")).rejects.toThrow('forDate: expected YYYY-MM-DD, got "June 3rd"');
  });
});

describe("createExportReader (plugging in other storage such as SFTP)", () => {
  it("lists through the storage's names and opens through its streams", async () => {
    const opened: string[] = [];
    const files: Record<string, string> = {
      "bpo_export_2024-06-02.csv": "id,address,status,updated_at\nx1,1 A St,LEAD,2024-06-02T00:00:00Z\n",
      "bpo_export_2024-06-01.csv": "id,address,status,updated_at\n",
      "notes.txt": "",
    };
    const reader = createExportReader({
      list: async () => Object.keys(files).map((name) => ({ name, size: files[name]!.length, location: `sftp://bpo.example/outgoing/${name}` })),
      open: async (name) => {
        opened.push(name);
        return Readable.from([Buffer.from(files[name]!)]);
      },
    });
    const latest = await reader.latest();
    expect(latest).toMatchObject({ name: "bpo_export_2024-06-02.csv", location: "sftp://bpo.example/outgoing/bpo_export_2024-06-02.csv", size: files["bpo_export_2024-06-02.csv"]!.length });
    const report = await importBpoExport(latest!, { store: createMemoryImportStore() });
    expect(report).toMatchObject({ created: 1, location: "sftp://bpo.example/outgoing/bpo_export_2024-06-02.csv" });
    expect(opened).toEqual(["bpo_export_2024-06-02.csv"]);
  });
});

describe("s3ExportReader against the S3 fake on loopback", () => {
  let s3: S3Fake;
  let server: ServedHandlers;
  let dir: string;
  let cleanup: () => Promise<void>;
  const fast = { retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 5, jitter: false } } as const;

  beforeAll(async () => {
    s3 = createS3Fake({ maxKeys: 2 });
    server = await serveHandlers(s3.handlers);
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(async () => {
    await server.close();
    await cleanup();
  });
  beforeEach(() => {
    s3.reset();
    server.requests.length = 0;
  });

  const reader = (options: Partial<Parameters<typeof s3ExportReader>[0]> = {}) =>
    s3ExportReader({ bucket: "bpo-exports", prefix: "outgoing/", endpoint: server.url, region: "us-east-1", credentials: s3.credentials, policy: fast, ...options });

  it("lists every page of ListObjectsV2 under the prefix and keeps only deliveries directly below it", async () => {
    for (const key of ["outgoing/bpo_export_2024-06-01.csv", "outgoing/bpo_export_2024-06-03.csv", "outgoing/bpo_export_2024-06-02.json", "outgoing/archive/bpo_export_2024-05-01.csv", "outgoing/readme.txt", "other/bpo_export_2024-06-09.csv"]) {
      s3.putObject("bpo-exports", key, "id,address,status\n");
    }
    const r = reader();
    try {
      const files = await r.list();
      expect(files.map((f) => [f.name, f.location])).toEqual([
        ["bpo_export_2024-06-01.csv", "s3://bpo-exports/outgoing/bpo_export_2024-06-01.csv"],
        ["bpo_export_2024-06-02.json", "s3://bpo-exports/outgoing/bpo_export_2024-06-02.json"],
        ["bpo_export_2024-06-03.csv", "s3://bpo-exports/outgoing/bpo_export_2024-06-03.csv"],
      ]);
      // Five keys under the prefix, two per page: three ListObjectsV2 calls.
      expect(s3.calls).toEqual(["ListObjectsV2 bpo-exports", "ListObjectsV2 bpo-exports", "ListObjectsV2 bpo-exports"]);
      expect(new URL(server.requests[0]!.url, "http://x").searchParams.get("prefix")).toBe("outgoing/");
      expect(server.requests[1]!.url).toContain("continuation-token=");
    } finally {
      await r.close();
    }
  });

  it("streams the latest delivery from GetObject into the import", async () => {
    const written = await writeBpoExport({ dir, date: "2024-06-03", rows: 400, messy: true, seed: 9 });
    await s3.putFile("bpo-exports", `outgoing/${written.name}`, written.path);
    s3.putObject("bpo-exports", "outgoing/bpo_export_2024-06-02.csv", "id,address,status\n");
    const r = reader();
    try {
      const store = createMemoryImportStore();
      const report = await importLatestBpoExport(r, { store });
      expect(report).toMatchObject({ file: written.name, location: `s3://bpo-exports/outgoing/${written.name}`, rows: 400, created: written.valid - written.duplicates, skipped: written.duplicates, rejected: written.rejected, bytesRead: written.bytes });
      expect(s3.calls.filter((c) => c.startsWith("GetObject"))).toEqual([`GetObject bpo-exports/outgoing/${written.name}`]);
    } finally {
      await r.close();
    }
  });

  it("a connection dropped mid-file stops the import with the partial report; importing again completes the same state", async () => {
    const written = await writeBpoExport({ dir, date: "2024-06-03", rows: 3000, seed: 21 });
    await s3.putFile("bpo-exports", `outgoing/${written.name}`, written.path);
    const clean = createMemoryImportStore();
    await importBpoExport(written.path, { store: clean });

    const r = reader();
    try {
      const store = createMemoryImportStore();
      s3.dropConnectionNext({ afterBytes: Math.floor(written.bytes / 2) });
      const error = (await importLatestBpoExport(r, { store }).catch((e: unknown) => e)) as BpoImportAbortedError;
      expect(error).toBeInstanceOf(BpoImportAbortedError);
      expect(error.retryable).toBe(true);
      expect(error.report.complete).toBe(false);
      expect(error.report.rows).toBeGreaterThan(0);
      expect(error.report.rows).toBeLessThan(3000);
      expect(error.message).toContain(`${written.name} stopped after ${error.report.rows} rows`);

      const again = await importLatestBpoExport(r, { store });
      expect(again).toMatchObject({ complete: true, rows: 3000 });
      expect(again!.created + error.report.created).toBe(3000);
      expect(store.snapshot()).toEqual(clean.snapshot());
    } finally {
      await r.close();
    }
  });

  it("retries a throttled GetObject (SlowDown) and then reads the object", async () => {
    s3.putObject("bpo-exports", "outgoing/bpo_export_2024-06-03.csv", "id,address,status,updated_at\ns1,1 A St,LEAD,2024-06-01T00:00:00Z\n");
    s3.failNext({ code: "SlowDown", status: 503, operation: "GetObject" });
    const r = reader();
    try {
      const report = await importLatestBpoExport(r, { store: createMemoryImportStore() });
      expect(report?.created).toBe(1);
      expect(s3.calls).toEqual(["ListObjectsV2 bpo-exports", "GetObject bpo-exports/outgoing/bpo_export_2024-06-03.csv", "GetObject bpo-exports/outgoing/bpo_export_2024-06-03.csv"]);
    } finally {
      await r.close();
    }
  });

  it("maps a missing bucket to NotFoundError, without retrying", async () => {
    const r = reader({ bucket: "no-such-bucket" });
    try {
      const error = await r.list().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ vendor: "bpo", operation: "exports.list", vendorCode: "NoSuchBucket", status: 404, attempts: 1 });
      expect((error as Error).message).toContain("s3://no-such-bucket/outgoing/");
    } finally {
      await r.close();
    }
  });

  it("maps AccessDenied to ForbiddenError and a wrong access key to AuthError, and never shows the secret key", async () => {
    const lines: unknown[] = [];
    const logger: Logger = { debug: () => undefined, info: (o) => lines.push(o), warn: (o) => lines.push(o), error: (o) => lines.push(o) };
    s3.failNext({ code: "AccessDenied", status: 403 });
    const r = reader({ telemetry: { logger } });
    const wrongKey = reader({ credentials: { accessKeyId: "AKIDSOMEONEELSE00000", secretAccessKey: "wrong/secret/key/value/0000000000000000" }, telemetry: { logger } });
    try {
      const denied = await r.list().catch((e: unknown) => e);
      const rejected = await wrongKey.list().catch((e: unknown) => e);
      expect(denied).toBeInstanceOf(ForbiddenError);
      expect(denied).toMatchObject({ vendorCode: "AccessDenied", status: 403 });
      expect(rejected).toBeInstanceOf(AuthError);
      expect(rejected).toMatchObject({ vendorCode: "InvalidAccessKeyId" });
      const everything = JSON.stringify([denied, (denied as Error).message, rejected, (rejected as Error).message, lines]);
      expect(everything).not.toContain(s3.credentials.secretAccessKey);
      expect(everything).not.toContain("wrong/secret/key/value/0000000000000000");
    } finally {
      await r.close();
      await wrongKey.close();
    }
  });

  it("maps a key that vanished between list and open to NotFoundError", async () => {
    s3.putObject("bpo-exports", "outgoing/bpo_export_2024-06-03.csv", "id,address,status\n");
    const r = reader();
    try {
      const file = await r.latest();
      s3.objects.clear();
      const error = await file!.open().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ operation: "exports.open", vendorCode: "NoSuchKey", status: 404 });
      expect((error as Error).message).toBe("bpo exports.open: S3 GetObject of s3://bpo-exports/outgoing/bpo_export_2024-06-03.csv: no such object (NoSuchKey)");
    } finally {
      await r.close();
    }
  });

  it("refuses a missing bucket name", () => {
    expect(() => s3ExportReader({ bucket: "" })).toThrow("s3ExportReader: bucket is required");
  });
});

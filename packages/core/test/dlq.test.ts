import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createFileDeadLetterSink, createMemoryDeadLetterSink, type DeadLetter, type DeadLetterSink } from "../src/dlq.js";
import { AuthError } from "../src/errors.js";
import { registerSecret } from "../src/redact.js";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "connect-dlq-"));
  dirs.push(dir);
  return join(dir, "nested", "dead-letters.jsonl");
}

function letter(id: string, overrides: Partial<DeadLetter> = {}): DeadLetter {
  return {
    id,
    kind: "call",
    adapterId: "twilio",
    operation: "messages.send",
    correlationId: `corr-${id}`,
    tenantId: "t1",
    payload: { to: "+15550001111", body: `hello ${id}` },
    error: { name: "ServerError", message: "twilio messages.send failed at the vendor (HTTP 503)", status: 503, retryable: true },
    attempts: 3,
    firstAttemptAt: "2026-01-02T03:04:05.000Z",
    lastAttemptAt: "2026-01-02T03:04:09.000Z",
    ...overrides,
  };
}

const sinks: Array<[string, () => Promise<DeadLetterSink>]> = [
  ["memory", async () => createMemoryDeadLetterSink()],
  ["file", async () => createFileDeadLetterSink(await tempPath())],
];

describe.each(sinks)("%s dead-letter sink", (_name, make) => {
  it("stores letters, lists them in order with filters, and removes by id", async () => {
    const sink = await make();
    await sink.put(letter("a"));
    await sink.put(letter("b", { kind: "webhook", adapterId: "sendgrid", operation: "bounce", tenantId: undefined }));
    await sink.put(letter("c", { tenantId: "t2" }));
    expect(await sink.list()).toEqual([letter("a"), { ...letter("b", { kind: "webhook", adapterId: "sendgrid", operation: "bounce" }), tenantId: undefined }, letter("c", { tenantId: "t2" })].map(stripUndefined));
    expect((await sink.list({ kind: "webhook" })).map((l) => l.id)).toEqual(["b"]);
    expect((await sink.list({ adapterId: "twilio", tenantId: "t2" })).map((l) => l.id)).toEqual(["c"]);
    expect((await sink.list({ operation: "messages.send" })).map((l) => l.id)).toEqual(["a", "c"]);
    expect(await sink.remove("a")).toBe(true);
    expect(await sink.remove("a")).toBe(false);
    expect((await sink.list()).map((l) => l.id)).toEqual(["b", "c"]);
  });

  it("replaces a letter put again under the same id", async () => {
    const sink = await make();
    await sink.put(letter("a"));
    await sink.put(letter("b"));
    await sink.put(letter("a", { attempts: 5 }));
    const list = await sink.list();
    expect(list.map((l) => [l.id, l.attempts])).toEqual([
      ["b", 3],
      ["a", 5],
    ]);
  });

  it("replays letters in order, removes the replayed ones and keeps the one whose replay fails", async () => {
    const sink = await make();
    for (const id of ["a", "b", "c"]) await sink.put(letter(id));
    const seen: string[] = [];
    const result = await sink.replay(async (l) => {
      seen.push(l.id);
      if (l.id === "b") throw new Error("still failing");
    });
    expect(seen).toEqual(["a", "b", "c"]);
    expect(result).toEqual({ replayed: 2, failed: 1, failedIds: ["b"] });
    expect(await sink.list()).toEqual([letter("b")]);
  });

  it("replays only letters matching the filter", async () => {
    const sink = await make();
    await sink.put(letter("a"));
    await sink.put(letter("w", { kind: "webhook", operation: "envelope-completed" }));
    const seen: string[] = [];
    expect(await sink.replay(async (l) => void seen.push(l.id), { filter: { kind: "webhook" } })).toEqual({ replayed: 1, failed: 0, failedIds: [] });
    expect(seen).toEqual(["w"]);
    expect((await sink.list()).map((l) => l.id)).toEqual(["a"]);
  });

  it("keeps a letter put again under the same id while it was being replayed", async () => {
    const sink = await make();
    await sink.put(letter("a"));
    const result = await sink.replay(async (l) => {
      // The replayed call failed again and the runtime dead-lettered it anew.
      await sink.put({ ...l, attempts: l.attempts + 3 });
    });
    expect(result.replayed).toBe(1);
    expect((await sink.list()).map((l) => [l.id, l.attempts])).toEqual([["a", 6]]);
  });

  it("never stores a secret from the payload or the error", async () => {
    registerSecret("AC-auth-token-7f3e9b2c");
    const sink = await make();
    const deep: Record<string, unknown> = { password: "p@ssw0rd-deep" };
    let nested: Record<string, unknown> = deep;
    for (let i = 0; i < 12; i += 1) nested = { level: nested };
    const error = new AuthError("twilio messages.send was not authenticated (HTTP 401); check the credentials", {
      vendor: "twilio",
      status: 401,
      vendorMessage: "token AC-auth-token-7f3e9b2c is invalid",
    });
    await sink.put(
      letter("s", {
        payload: { to: "+15550001111", authToken: "AC-auth-token-7f3e9b2c", headers: { Authorization: "Bearer abcdefghijkl" }, note: "used Bearer abcdefghijkl", nested },
        error: error.toJSON(),
      }),
    );
    const [stored] = await sink.list();
    const text = JSON.stringify(stored);
    for (const secret of ["AC-auth-token-7f3e9b2c", "abcdefghijkl", "p@ssw0rd-deep"]) expect(text).not.toContain(secret);
    expect(stored?.payload).toMatchObject({ to: "+15550001111", authToken: "[REDACTED]", headers: { Authorization: "[REDACTED]" }, note: "used Bearer [REDACTED]" });
    expect(stored?.error).toMatchObject({ name: "AuthError", status: 401, vendorMessage: "token [REDACTED] is invalid" });
  });

  it("stores a JSON-safe copy that later changes by the caller do not affect", async () => {
    const sink = await make();
    const payload: Record<string, unknown> = { list: [1, 2], when: new Date("2026-05-06T07:08:09.000Z"), bytes: Buffer.from("plain text"), binary: Buffer.from([0xff, 0xfe, 0x00]) };
    payload.self = payload;
    const original = letter("j", { payload });
    await sink.put(original);
    (payload.list as number[]).push(3);
    const [stored] = await sink.list();
    expect(stored?.payload).toEqual({ list: [1, 2], when: "2026-05-06T07:08:09.000Z", bytes: "plain text", binary: { base64: "//4A" }, self: "[Circular]" });
  });
});

describe("createFileDeadLetterSink", () => {
  it("appends one JSON object per line and is readable by a new sink on the same file", async () => {
    const path = await tempPath();
    const sink = createFileDeadLetterSink(path);
    await sink.put(letter("a"));
    await sink.put(letter("b"));
    const lines = (await readFile(path, "utf8")).split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
    expect(JSON.parse(lines[0]!)).toEqual(letter("a"));
    expect((await createFileDeadLetterSink(path).list()).map((l) => l.id)).toEqual(["a", "b"]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("rewrites the file atomically on replay, leaving no temporary file, and keeps a torn line verbatim", async () => {
    const path = await tempPath();
    const sink = createFileDeadLetterSink(path);
    await sink.put(letter("a"));
    await sink.put(letter("b"));
    await writeFile(path, `${await readFile(path, "utf8")}{"id":"torn","kind":`, "utf8");
    const result = await sink.replay(async (l) => {
      if (l.id === "b") throw new Error("nope");
    });
    expect(result).toEqual({ replayed: 1, failed: 1, failedIds: ["b"] });
    const text = await readFile(path, "utf8");
    expect(text).toBe(`${JSON.stringify(letter("b"))}\n{"id":"torn","kind":\n`);
    expect(await readdir(join(path, ".."))).toEqual(["dead-letters.jsonl"]);
  });

  it("lists nothing and replays nothing when the file does not exist yet", async () => {
    const sink = createFileDeadLetterSink(await tempPath());
    expect(await sink.list()).toEqual([]);
    expect(await sink.remove("x")).toBe(false);
    expect(await sink.replay(async () => undefined)).toEqual({ replayed: 0, failed: 0, failedIds: [] });
  });

  it("loses no letter when puts and removes run concurrently", async () => {
    const sink = createFileDeadLetterSink(await tempPath());
    await Promise.all([...Array.from({ length: 20 }, (_, i) => sink.put(letter(`l${i}`))), sink.remove("l0"), sink.remove("l5")]);
    const ids = (await sink.list()).map((l) => l.id);
    expect(ids).toHaveLength(18);
    expect(ids).not.toContain("l5");
  });
});

function stripUndefined(value: DeadLetter): DeadLetter {
  return JSON.parse(JSON.stringify(value)) as DeadLetter;
}
